//! Sweep charts: one key metric against the sweep's points. With one numeric axis, a
//! line over the axis's values (log scales where values span orders of magnitude);
//! otherwise one horizontal bar per point. Either way: each target on the metric as a
//! dashed line, points coloured by whether they meet every target, the best point ringed,
//! and with replications the mean with its 95% interval.

use super::draw::{Axis, Drawn, FAIL, Key, PASS, Style, chart_target, color, draw_line, frame, legend, spans};
use super::{FONT, SIZE, both_sized, register_font};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Key metrics charted against the swept parameter: (summary column, what it is).
pub const SWEEP_METRICS: [(&str, &str); 4] = [
    ("cost_total_usd", "total cost (USD)"),
    ("latency_p95_s", "latency p95 (s)"),
    ("drain_s", "drain time (s)"),
    ("delivered", "messages delivered"),
];

/// Summary columns that count messages (whole-number ticks).
fn is_count(column: &str) -> bool {
    !column.ends_with("_s") && !column.ends_with("_usd") && !column.ends_with("_rate") && column != "events_per_s"
}

/// One metric of a sweep, point by point (in the sweep's order).
#[derive(Debug, Clone, Default)]
pub struct SweepChart {
    /// `simulation.name`.
    pub scenario: String,
    /// The swept paths, joined.
    pub axes: String,
    /// Each point's label (its values, joined).
    pub labels: Vec<String>,
    /// Each point's value on the axis, when there is one axis and every value is a number.
    pub x: Option<Vec<f64>>,
    /// The `summary.csv` column.
    pub column: String,
    /// What it is, for the axis.
    pub what: String,
    /// Each point's mean (none when a run has no value).
    pub values: Vec<Option<f64>>,
    /// With replications, each point's 95% interval of the mean.
    pub interval: Vec<Option<(f64, f64)>>,
    /// With targets, whether each point meets every one.
    pub meets: Option<Vec<bool>>,
    /// The best point's index.
    pub best: Option<usize>,
    /// Targets on this column: (label, bound).
    pub targets: Vec<(String, f64)>,
    /// Replications per point.
    pub replications: u32,
}

impl SweepChart {
    fn point_color(&self, i: usize) -> RGBColor {
        match &self.meets {
            Some(m) if m[i] => PASS,
            Some(_) => FAIL,
            None => color(0),
        }
    }

    /// The legend: on a line, the line and coloured dots; on bars, the bars' colours.
    fn keys(&self, line: bool) -> Vec<(String, Key)> {
        let mut keys = Vec::new();
        if line || self.meets.is_none() {
            let style = if line { Key::Line(Style::solid(color(0))) } else { Key::Swatch(color(0)) };
            keys.push((self.value_label(), style));
        }
        if self.replications > 1 {
            keys.push(("95% interval of the mean".into(), Key::Whisker));
        }
        if self.meets.is_some() {
            let (pass, fail) =
                if line { (Key::Dot(PASS), Key::Dot(FAIL)) } else { (Key::Swatch(PASS), Key::Swatch(FAIL)) };
            keys.push(("meets every target".into(), pass));
            keys.push(("misses a target".into(), fail));
        }
        if self.best.is_some() {
            let best = if line { Key::Ring } else { Key::Outline };
            keys.push(("best: least total cost meeting every target".into(), best));
        }
        for (label, _) in &self.targets {
            keys.push((label.clone(), Key::Line(Style::reference(BLACK))));
        }
        keys
    }

    /// What a point's value is.
    fn value_label(&self) -> String {
        if self.replications > 1 { format!("mean of {} replications", self.replications) } else { "value".into() }
    }
}

/// A line over the numeric axis.
fn draw_numeric<DB: DrawingBackend>(c: &SweepChart, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    let xs = c.x.clone().unwrap_or_default();
    let keys = c.keys(true);
    let (plot, side) = frame(root, &format!("{} by {}: {}", c.what, c.axes, c.scenario), &keys)?;
    let ys: Vec<f64> = c
        .values
        .iter()
        .flatten()
        .copied()
        .chain(c.interval.iter().flatten().flat_map(|(a, b)| [*a, *b]))
        .chain(c.targets.iter().map(|t| t.1))
        .collect();
    let x_log = xs.iter().all(|v| *v > 0.0) && spans(xs.iter().copied(), 100.0);
    let y_log = ys.iter().all(|v| *v > 0.0) && spans(ys.iter().copied(), 100.0);
    let x = Axis::new(xs.iter().copied(), x_log, false, 1.05);
    let y = Axis::new(ys.iter().copied(), y_log, is_count(&c.column), 1.1);
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(90)
        .build_cartesian_2d(x.range(), y.range())?;
    chart
        .configure_mesh()
        .x_desc(x.desc(&c.axes))
        .y_desc(y.desc(&c.what))
        .x_labels(x.ticks())
        .y_labels(y.ticks())
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .x_label_formatter(&|v| x.label(*v))
        .y_label_formatter(&|v| y.label(*v))
        .draw()?;
    // Points in axis order, so the line reads left to right whatever the sweep's order.
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let at = |i: usize, v: f64| Some((x.at(xs[i])?, y.at(v)?));
    let line: Vec<(f64, f64)> = order.iter().filter_map(|&i| at(i, c.values[i]?)).collect();
    draw_line(&mut chart, &line, Style::solid(color(0)), 0)?;
    let xr = x.range();
    for (k, (_, bound)) in c.targets.iter().enumerate() {
        if let Some(b) = y.at(*bound) {
            draw_line(&mut chart, &[(xr.start, b), (xr.end, b)], Style::reference(BLACK), k)?;
        }
    }
    for &i in &order {
        let bar = c.interval[i]
            .zip(c.values[i])
            .and_then(|((lo, hi), m)| Some((x.at(xs[i])?, y.at(lo)?, y.at(m)?, y.at(hi)?)));
        if let Some((px, lo, m, hi)) = bar {
            let _ = m;
            whisker(&mut chart, [(px, lo), (px, hi)], true)?;
        }
        if let Some(p) = c.values[i].and_then(|v| at(i, v)) {
            chart.draw_series([Circle::new(p, 6, c.point_color(i).filled())])?;
            if c.best == Some(i) {
                chart.draw_series([Circle::new(p, 11, BLACK.stroke_width(2))])?;
            }
        }
    }
    legend(&side, &keys)
}

/// Horizontal bars, one per sweep point, the first point at the top.
fn draw_bars<DB: DrawingBackend>(c: &SweepChart, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    let keys = c.keys(false);
    let (plot, side) = frame(root, &format!("{} by sweep point: {}", c.what, c.scenario), &keys)?;
    let n = c.values.len().max(1);
    let vs = c.values.iter().flatten().copied();
    let vs = vs.chain(c.interval.iter().flatten().map(|i| i.1)).chain(c.targets.iter().map(|t| t.1));
    let v = Axis::new(vs, false, is_count(&c.column), 1.12);
    let names = &c.labels;
    let longest = names.iter().map(|s| s.chars().count()).max().unwrap_or(4) as u32;
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size((longest * 8 + 20).clamp(60, 360))
        .build_cartesian_2d(v.range(), -0.5f64..(n as f64 - 0.5))?;
    // Row i is drawn at y = n - 1 - i, so the sweep reads top to bottom.
    let row = |y: f64| -> Option<usize> {
        let i = y.round();
        ((y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then(|| n - 1 - i as usize)
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n + 1)
        .x_labels(v.ticks())
        .x_desc(if c.replications > 1 { format!("{}, {}", c.what, c.value_label()) } else { c.what.clone() })
        .y_desc(c.axes.as_str())
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 18))
        .y_label_formatter(&|y| row(*y).and_then(|i| names.get(i).cloned()).unwrap_or_default())
        .x_label_formatter(&|x| v.label(*x))
        .draw()?;
    for (i, value) in c.values.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let Some(value) = *value else { continue };
        chart.draw_series([Rectangle::new([(0.0, y - 0.35), (value, y + 0.35)], c.point_color(i).filled())])?;
        if c.best == Some(i) {
            chart.draw_series([Rectangle::new([(0.0, y - 0.42), (value, y + 0.42)], BLACK.stroke_width(3))])?;
        }
        if let Some((lo, hi)) = c.interval[i] {
            whisker(&mut chart, [(lo, y), (hi, y)], false)?;
        }
    }
    let yr = -0.5..(n as f64 - 0.5);
    for (k, (_, bound)) in c.targets.iter().enumerate() {
        draw_line(&mut chart, &[(*bound, yr.start), (*bound, yr.end)], Style::reference(BLACK), k)?;
    }
    legend(&side, &keys)
}

/// An interval from `ends[0]` to `ends[1]` with a cap across each end.
fn whisker<'a, DB: DrawingBackend + 'a>(
    chart: &mut super::draw::Plot<'a, DB>,
    ends: [(f64, f64); 2],
    vertical: bool,
) -> Drawn<DB> {
    let st = BLACK.stroke_width(2);
    let cap: [(i32, i32); 2] = if vertical { [(-6, 0), (6, 0)] } else { [(0, -6), (0, 6)] };
    chart.draw_series([PathElement::new(ends.to_vec(), st)])?;
    chart.draw_series(ends.map(|e| EmptyElement::at(e) + PathElement::new(cap.to_vec(), st)))?;
    Ok(())
}

fn draw_sweep<DB: DrawingBackend>(c: &SweepChart, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
    if c.x.is_some() { draw_numeric(c, root) } else { draw_bars(c, root) }
}
chart_target!(SweepChart, draw_sweep);

/// Write the chart of one metric against the sweep's points (`sweep_<column>`).
pub fn write_sweep(dir: &Path, chart: &SweepChart) -> Result<()> {
    register_font();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // Bars grow taller with more points, up to a size any viewer opens (labels shrink
    // past that); a line keeps the usual size.
    let height = if chart.x.is_some() { SIZE.1 } else { (120 + 24 * chart.labels.len() as u32).clamp(SIZE.1, 4000) };
    let name = format!("sweep_{}", chart.column);
    both_sized(dir, &name, chart, (SIZE.0, height))
}
