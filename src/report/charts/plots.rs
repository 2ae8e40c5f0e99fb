//! The two chart kinds of a run or a comparison: lines over time (or latency), and the
//! stacked cost bars.

use super::FONT;
use super::draw::{Axis, Drawn, Key, Line, Style, chart_target, color, draw_line, frame, legend};
use crate::engine::SimTime;
use crate::scenario::Calendar;
use crate::sms::price::{COST_PARTS, CostPart};
use crate::table::{Key as _, Table};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Lines against a shared x axis, with dashed reference levels and vertical marks.
pub(super) struct Lines<'a> {
    pub(super) title: String,
    pub(super) x_desc: String,
    pub(super) y_desc: String,
    /// (legend label, points, style).
    pub(super) lines: Vec<Line<'a>>,
    /// Dashed horizontal levels: (label, y, colour).
    pub(super) reference: Vec<(String, f64, RGBColor)>,
    /// Dashed vertical marks: (label, x, colour).
    pub(super) marks: Vec<(String, f64, RGBColor)>,
    /// Label x in wall-clock time: the calendar, seconds per x unit, and whether with dates.
    pub(super) clock: Option<(&'a Calendar, f64, bool)>,
    /// A log10 x axis (then never wall-clock labels).
    pub(super) x_log: bool,
    /// y counts messages: whole-number ticks.
    pub(super) y_counts: bool,
}

fn draw_lines<DB: DrawingBackend>(c: &Lines<'_>, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    let mut keys: Vec<(String, Key)> = c.lines.iter().map(|(n, _, st)| (n.clone(), Key::Line(*st))).collect();
    keys.extend(c.reference.iter().map(|(l, _, col)| (l.clone(), Key::Line(Style::reference(*col)))));
    keys.extend(c.marks.iter().map(|(l, _, col)| (l.clone(), Key::Mark(*col))));
    let (plot, side) = frame(root, &c.title, &keys)?;
    let xs = c.lines.iter().flat_map(|(_, l, _)| l.iter().map(|p| p.0)).chain(c.marks.iter().map(|m| m.1));
    let x = Axis::new(xs, c.x_log, false, 1.02);
    let ys = c.lines.iter().flat_map(|(_, l, _)| l.iter().map(|p| p.1)).chain(c.reference.iter().map(|r| r.1));
    let y = Axis::new(ys, false, c.y_counts, 1.08);
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(x.range(), y.range())?;
    let clock = if c.x_log { None } else { c.clock };
    chart
        .configure_mesh()
        .x_desc(x.desc(&c.x_desc))
        .y_desc(y.desc(&c.y_desc))
        .x_labels(x.ticks())
        .y_labels(y.ticks())
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .x_label_formatter(&|v| match clock {
            Some((cal, unit, dates)) => cal.label(SimTime::from_secs_f64(v * unit), dates),
            None => x.label(*v),
        })
        .y_label_formatter(&|v| y.label(*v))
        .draw()?;
    for (i, (_, line, st)) in c.lines.iter().enumerate() {
        let pts: Vec<(f64, f64)> = line.iter().filter_map(|&(a, b)| Some((x.at(a)?, y.at(b)?))).collect();
        draw_line(&mut chart, &pts, *st, i)?;
    }
    let (xr, yr) = (x.range(), y.range());
    for (i, (_, v, col)) in c.reference.iter().enumerate() {
        if let Some(v) = y.at(*v) {
            draw_line(&mut chart, &[(xr.start, v), (xr.end, v)], Style::reference(*col), i)?;
        }
    }
    for (_, v, col) in &c.marks {
        if let Some(v) = x.at(*v) {
            chart.draw_series(DashedLineSeries::new([(v, yr.start), (v, yr.end)], 6, 6, col.stroke_width(2)))?;
        }
    }
    legend(&side, &keys)
}
chart_target!(Lines<'_>, draw_lines);

/// One stacked bar of cost parts per run.
pub(super) struct CostBars<'a> {
    pub(super) title: String,
    pub(super) bars: Vec<(&'a str, Table<CostPart, f64, COST_PARTS>)>,
}

fn draw_costs<DB: DrawingBackend>(c: &CostBars<'_>, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    // The legend names the parts that cost something in some run, in the stacking order.
    let keys: Vec<(String, Key)> = CostPart::ALL
        .iter()
        .enumerate()
        .filter(|(_, p)| c.bars.iter().any(|(_, v)| v[**p] != 0.0))
        .map(|(k, p)| (p.label().to_string(), Key::Swatch(color(k))))
        .rev()
        .collect();
    let (plot, side) = frame(root, &c.title, &keys)?;
    let n = c.bars.len();
    let y = Axis::new(c.bars.iter().map(|(_, v)| v.values().iter().sum::<f64>()), false, false, 1.15);
    let names: Vec<String> = c.bars.iter().map(|(n, _)| n.to_string()).collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y.range())?;
    // Bars sit at whole x positions; label those with the variant names, nothing else.
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .y_labels(y.ticks())
        .x_desc("variant")
        .y_desc("cost over the horizon (USD)")
        .y_label_formatter(&|v| y.label(*v))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .draw()?;
    for (k, &part) in CostPart::ALL.iter().enumerate() {
        let col = color(k);
        chart.draw_series(c.bars.iter().enumerate().map(|(i, (_, v))| {
            let base: f64 = v.values()[..k].iter().sum();
            Rectangle::new([(i as f64 - 0.35, base), (i as f64 + 0.35, base + v[part])], col.filled())
        }))?;
    }
    legend(&side, &keys)
}
chart_target!(CostBars<'_>, draw_costs);
