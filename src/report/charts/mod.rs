//! Charts (SPEC 5) with plotters, as PNG and SVG: latency CDF, queue depth over time per
//! number pool, delivered per interval, cumulative spend against the limit, and the cost
//! breakdown. With several runs (`compare`) the same charts show every variant side by
//! side: CDFs and curves overlaid, one cost bar per variant.
//!
//! Text renders from DejaVu Sans, bundled in `assets/fonts` (with its licence) and
//! registered with plotters' `ab_glyph` feature: no system fonts or fontconfig needed.

use crate::engine::SimTime;
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::metrics::summary::costs;
use crate::scenario::Scenario;
use crate::scenario::{Calendar, Zone};
use crate::sms::Money;
use crate::sms::price::{COST_PARTS, CostPart, Costs};
use crate::table::{Key, Table};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

/// Pixel size of the PNG charts (the SVGs use the same size in user units).
pub const SIZE: (u32, u32) = (1000, 600);

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bundled file is a valid TrueType font: registration cannot fail.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

/// What the charts need from one run.
struct Series {
    name: String,
    /// (latency in s, fraction of delivered messages at or below it).
    cdf: Vec<(f64, f64)>,
    /// Per interval of the total scope, plotted at the interval's end.
    total: Vec<TotalPoint>,
    /// Per pool: name and (start, queue depth).
    pools: Vec<(String, Vec<(f64, f64)>)>,
    /// Cost by part, in $.
    costs: Table<CostPart, f64, COST_PARTS>,
    spend_limit: f64,
    /// When the spend limit first blocked a message, s.
    limit_hit: Option<f64>,
}

/// One interval of the total scope, as plotted.
#[derive(Debug, Clone, Copy)]
struct TotalPoint {
    /// Time, s (then in the axis unit).
    t: f64,
    /// Messages waiting.
    depth: f64,
    /// Delivered in the interval.
    delivered: f64,
    /// The month's spend, $.
    spend: f64,
}

/// One `timeseries.csv` row of the total or a pool scope, in exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChartRow {
    /// Interval start, microseconds.
    pub t_us: u64,
    /// Scope: 0 the total, then pools.
    pub scope: u32,
    /// Messages waiting at the interval's end.
    pub queue_depth: u64,
    /// Delivered in the interval.
    pub delivered: u64,
    /// The month's spend at the interval's end (the total) or the pool's charges.
    pub spend: Money,
}

/// Time axis unit chosen from the span shown: (divisor in s, label).
fn time_unit(span_s: f64) -> (f64, &'static str) {
    let h = span_s;
    if h >= 3.0 * 3600.0 {
        (3600.0, "h")
    } else if h >= 180.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// What the charts of one run need, in exact integers (microseconds, micro-dollars), so
/// that a run's charts can be drawn again from it elsewhere (`smsim merge`) and come out
/// byte for byte the same.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChartInput {
    /// Variant name.
    pub variant: String,
    /// `simulation.name`.
    pub scenario: String,
    /// Horizon, microseconds.
    pub horizon_us: u64,
    /// Metrics interval, microseconds.
    pub interval_us: u64,
    /// Spend limit, micro-dollars.
    pub spend_limit: i64,
    /// Pool ids, in order.
    pub pools: Vec<String>,
    /// Latency at quantiles 1/200 to 200/200, microseconds (empty: nothing delivered).
    pub cdf_us: Vec<u64>,
    /// Time-series rows of the total and pool scopes.
    pub rows: Vec<ChartRow>,
    /// Cost by part.
    pub costs: Costs,
    /// With `[simulation] start`: t = 0 as a local date-time and the zone, to label time
    /// axes in wall-clock time (SPEC 7.1).
    #[serde(default)]
    pub clock: Option<(String, String)>,
    /// Spent this month at t = 0 (`[account] spent_usd`), micro-dollars.
    #[serde(default)]
    pub spent: i64,
    /// When the spend limit first blocked a message, microseconds.
    #[serde(default)]
    pub limit_hit_us: Option<u64>,
    /// The last activity of any kind, microseconds.
    #[serde(default)]
    pub last_activity_us: u64,
}

impl ChartInput {
    /// The chart input of one run.
    pub fn of(sc: &Scenario, m: &Metrics) -> Self {
        let cdf_us = if m.latency.count() > 0 {
            (1..=200).filter_map(|i| m.latency.quantile(i as f64 / 200.0)).map(|t| t.as_micros()).collect()
        } else {
            Vec::new()
        };
        let scopes = 1 + sc.pools.len() as u32;
        let rows = m
            .timeseries
            .rows
            .iter()
            .filter(|r| r.scope < scopes)
            .map(|r| ChartRow {
                t_us: r.t.as_micros(),
                scope: r.scope,
                queue_depth: r.queue_depth,
                delivered: r.delivered,
                spend: r.spend,
            })
            .collect();
        ChartInput {
            variant: sc.variant.clone(),
            scenario: sc.name.clone(),
            horizon_us: sc.horizon.as_micros(),
            interval_us: sc.metrics_interval.as_micros(),
            spend_limit: sc.spend_limit.micros(),
            pools: sc.pools.iter().map(|p| p.id.clone()).collect(),
            cdf_us,
            rows,
            costs: costs(sc, m),
            clock: sc.calendar.as_ref().map(|c| (c.start().to_string(), c.zone().name.clone())),
            spent: sc.spent.micros(),
            limit_hit_us: m.spend_limit_hit.map(|t| t.as_micros()),
            last_activity_us: m.last_activity.as_micros(),
        }
    }
}

fn series(c: &ChartInput) -> Series {
    let secs = |us: u64| us as f64 / 1e6;
    let usd = |m: i64| m as f64 / 1e6;
    let mut cdf = Vec::new();
    if !c.cdf_us.is_empty() {
        cdf.push((0.0, 0.0));
        cdf.extend(c.cdf_us.iter().enumerate().map(|(i, &t)| (secs(t), (i + 1) as f64 / 200.0)));
    }
    // Start every curve at t = 0 with nothing queued or delivered, so that even a run
    // shorter than one interval draws a line rather than a lone point.
    // The month's spend starts where the account stood at t = 0 (`spent_usd`), not at
    // the end of the first interval.
    let spend0 = usd(c.spent);
    let mut total = vec![TotalPoint { t: 0.0, depth: 0.0, delivered: 0.0, spend: spend0 }];
    let mut pools: Vec<(String, Vec<(f64, f64)>)> = c.pools.iter().map(|p| (p.clone(), vec![(0.0, 0.0)])).collect();
    for r in &c.rows {
        let (t, scope, depth, delivered, spend) = (r.t_us, r.scope, r.queue_depth, r.delivered, r.spend.micros());
        // Plot each interval at its end: the value it reports holds there.
        let t = secs((t + c.interval_us).min(c.horizon_us));
        if scope == 0 {
            total.push(TotalPoint { t, depth: depth as f64, delivered: delivered as f64, spend: usd(spend) });
        } else if let Some(p) = pools.get_mut(scope as usize - 1) {
            p.1.push((t, depth as f64));
        }
    }
    Series {
        name: c.variant.clone(),
        cdf,
        total,
        pools,
        costs: c.costs.map(|m| usd(m.micros())),
        spend_limit: usd(c.spend_limit),
        limit_hit: c.limit_hit_us.map(secs),
    }
}

/// How far the time axes of `inputs` reach, in seconds: a little past the last interval
/// with anything going on (messages waiting or delivered, spend moving) or the last
/// activity of any kind (a request, a blocked or expired message, a reply), whichever is
/// later, and never past the horizon; not a long quiet tail to the horizon.
pub fn span_s(inputs: &[ChartInput]) -> f64 {
    let s: Vec<Series> = inputs.iter().map(series).collect();
    span_of(inputs, &s)
}

fn span_of(inputs: &[ChartInput], s: &[Series]) -> f64 {
    let Some(first) = inputs.first() else { return 0.0 };
    let horizon = inputs.iter().map(|c| c.horizon_us).max().unwrap_or(first.horizon_us) as f64 / 1e6;
    let interval = first.interval_us as f64 / 1e6;
    let moving = s
        .iter()
        .flat_map(|x| {
            x.total
                .windows(2)
                .filter(|w| w[1].depth > 0.0 || w[1].delivered > 0.0 || w[1].spend != w[0].spend)
                .map(|w| w[1].t)
        })
        .fold(0.0, f64::max);
    let last = inputs.iter().map(|c| c.last_activity_us as f64 / 1e6).fold(0.0, f64::max);
    let active = moving.max(last);
    if active > 0.0 { (active * 1.1).max(active + 2.0 * interval).min(horizon) } else { horizon }
}

/// The spend chart's points of one run, in seconds and dollars: from the account's spend
/// at t = 0, then at the end of each interval.
pub fn spend_points(c: &ChartInput) -> Vec<(f64, f64)> {
    series(c).total.iter().map(|r| (r.t, r.spend)).collect()
}

fn color(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    PALETTE[i % PALETTE.len()]
}

/// Draw `chart` to `name.png` and `name.svg` in `dir`.
fn both(dir: &Path, name: &str, chart: &mut dyn ChartTarget) -> Result<()> {
    both_sized(dir, name, chart, SIZE)
}

/// [`both`] at a given size.
fn both_sized(dir: &Path, name: &str, chart: &mut dyn ChartTarget, size: (u32, u32)) -> Result<()> {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    let fail = |p: &Path, e: String| Error::Input(format!("{}: cannot draw chart: {e}", p.display()));
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        chart.bitmap(&root).map_err(|e| fail(&png, e))?;
        root.present().map_err(|e| fail(&png, e.to_string()))?;
    }
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        chart.svg(&root).map_err(|e| fail(&svg, e))?;
        root.present().map_err(|e| fail(&svg, e.to_string()))?;
    }
    Ok(())
}

/// A chart that can draw itself on either backend.
trait ChartTarget {
    fn bitmap(&mut self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> std::result::Result<(), String>;
    fn svg(&mut self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>;
}

/// Implement [`ChartTarget`] for a chart by one generic drawing function.
macro_rules! chart_target {
    ($ty:ty, $f:ident) => {
        impl ChartTarget for $ty {
            fn bitmap(&mut self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> std::result::Result<(), String> {
                $f(self, root).map_err(|e| e.to_string())
            }
            fn svg(&mut self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String> {
                $f(self, root).map_err(|e| e.to_string())
            }
        }
    };
}

mod sweep;
pub use sweep::{SWEEP_METRICS, write_sweep};

struct Lines<'a> {
    title: String,
    x_desc: String,
    y_desc: String,
    lines: Vec<(String, &'a [(f64, f64)])>,
    /// Dashed horizontal reference lines (label, y), coloured like the line of the same
    /// index when there are several.
    reference: Vec<(String, f64)>,
    /// Label x in wall-clock time: the calendar, seconds per x unit, and whether with dates.
    clock: Option<(&'a Calendar, f64, bool)>,
    /// Dashed vertical marks (label, x, the index of the line whose colour it takes; red
    /// without one).
    marks: Vec<(String, f64, Option<usize>)>,
}

fn draw_lines<DB: DrawingBackend>(
    c: &mut Lines<'_>,
    root: &DrawingArea<DB, Shift>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let pts = c.lines.iter().flat_map(|(_, l)| l.iter());
    let (mut x1, mut y1) = pts.fold((0f64, 0f64), |(x, y), &(a, b)| (x.max(a), y.max(b)));
    for (_, y) in &c.reference {
        y1 = y1.max(*y);
    }
    x1 = if x1 > 0.0 { x1 * 1.02 } else { 1.0 };
    y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..x1, 0f64..y1)?;
    let fmt = |v: &f64, top: f64| {
        if top >= 20.0 {
            format!("{v:.0}")
        } else if top >= 2.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    };
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .x_label_formatter(&|v| match c.clock {
            Some((cal, unit, dates)) => cal.label(SimTime::from_secs_f64(v * unit), dates),
            None => fmt(v, x1),
        })
        .y_label_formatter(&|v| fmt(v, y1))
        .draw()?;
    for (i, (name, line)) in c.lines.iter().enumerate() {
        let col = color(i);
        chart
            .draw_series(LineSeries::new(line.iter().copied(), col.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], col.stroke_width(3)));
    }
    let several = c.reference.len() > 1;
    for (i, (label, y)) in c.reference.iter().enumerate() {
        let (y, col) = (*y, if several { color(i) } else { BLACK });
        chart
            .draw_series(DashedLineSeries::new(vec![(0.0, y), (x1, y)], 10, 6, col.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(x, yy)| PathElement::new(vec![(x, yy), (x + 24, yy)], col.stroke_width(2)));
    }
    for (label, x, line) in &c.marks {
        let (x, col) = (*x, line.map_or(RED, color));
        chart
            .draw_series(DashedLineSeries::new(vec![(x, 0.0), (x, y1)], 6, 6, col.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(lx, y)| PathElement::new(vec![(lx + 12, y - 6), (lx + 12, y + 6)], col.stroke_width(2)));
    }
    legend(&mut chart)
}
chart_target!(Lines<'_>, draw_lines);

/// The legend every chart with series labels draws, top left.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .label_font((FONT, 16))
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

struct CostBars<'a> {
    title: String,
    bars: Vec<(&'a str, Table<CostPart, f64, COST_PARTS>)>,
}

fn draw_costs<DB: DrawingBackend>(
    c: &mut CostBars<'_>,
    root: &DrawingArea<DB, Shift>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = c.bars.len();
    let top = c.bars.iter().map(|(_, v)| v.values().iter().sum::<f64>()).fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    let names: Vec<String> = c.bars.iter().map(|(n, _)| n.to_string()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)?;
    // Bars sit at whole x positions; label those with the variant names, nothing else.
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_desc("variant")
        .y_desc("cost over the horizon (USD)")
        .y_label_formatter(&|v| if top >= 20.0 { format!("{v:.0}") } else { format!("{v:.2}") })
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
        chart
            .draw_series(c.bars.iter().enumerate().map(|(i, (_, v))| {
                let base: f64 = v.values()[..k].iter().sum();
                Rectangle::new([(i as f64 - 0.35, base), (i as f64 + 0.35, base + v[part])], col.filled())
            }))?
            .label(part.label())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], col.filled()));
    }
    legend(&mut chart)
}
chart_target!(CostBars<'_>, draw_costs);

/// The chart files written, without extension (each as `.png` and `.svg`).
pub const CHARTS: [&str; 5] = ["latency_cdf", "queue_depth", "delivered", "spend", "cost_breakdown"];

/// Write every chart of `runs` (one run, or the variants of a comparison) into `dir`.
pub fn write(dir: &Path, runs: &[(&Scenario, &Metrics)]) -> Result<()> {
    let inputs: Vec<ChartInput> = runs.iter().map(|(sc, m)| ChartInput::of(sc, m)).collect();
    write_inputs(dir, &inputs)
}

/// Write every chart of the runs described by `inputs` into `dir`.
pub fn write_inputs(dir: &Path, inputs: &[ChartInput]) -> Result<()> {
    register_font();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let Some(first) = inputs.first() else { return Ok(()) };
    let mut s: Vec<Series> = inputs.iter().map(series).collect();
    let span = span_of(inputs, &s);
    let (unit, unit_name) = time_unit(span);
    for x in &mut s {
        x.total.retain(|r| r.t <= span);
        x.total.iter_mut().for_each(|r| r.t /= unit);
        for (_, p) in &mut x.pools {
            p.retain(|r| r.0 <= span);
            p.iter_mut().for_each(|r| r.0 /= unit);
        }
    }
    let many = s.len() > 1;
    let title = |what: &str| {
        if many { format!("{what}: {} by variant", first.scenario) } else { format!("{what}: {}", first.scenario) }
    };
    // With a calendar, time axes read in local wall-clock time (dates past a day).
    let cal = first.clock.as_ref().and_then(|(start, zone)| {
        Calendar::new(crate::calendar::parse_local(&start.replace('T', " ")).ok()?, Zone::get(zone).ok()?).ok()
    });
    let clock = cal.as_ref().map(|c| (c, unit, span > 86_400.0));
    let x_time = match &cal {
        Some(c) if span > 86_400.0 => format!("local date and time ({})", c.zone().name),
        Some(c) => format!("local time ({})", c.zone().name),
        None => format!("time since start ({unit_name})"),
    };

    let mut cdf = Lines {
        title: title("Delivery latency CDF"),
        x_desc: "latency, request to delivery (s)".into(),
        y_desc: "fraction of delivered messages".into(),
        lines: s.iter().map(|x| (x.name.clone(), x.cdf.as_slice())).collect(),
        reference: Vec::new(),
        clock: None,
        marks: Vec::new(),
    };
    both(dir, "latency_cdf", &mut cdf)?;

    let depth_total: Vec<Vec<(f64, f64)>> =
        s.iter().map(|x| x.total.iter().map(|r| (r.t, r.depth)).collect()).collect();
    let mut depth = if many {
        Lines {
            title: title("Messages waiting"),
            x_desc: x_time.clone(),
            y_desc: "messages queued at the interval's end".into(),
            lines: s.iter().zip(&depth_total).map(|(x, d)| (x.name.clone(), d.as_slice())).collect(),
            reference: Vec::new(),
            clock,
            marks: Vec::new(),
        }
    } else {
        Lines {
            title: title("Messages waiting, per number pool"),
            x_desc: x_time.clone(),
            y_desc: "messages queued at the interval's end".into(),
            lines: s[0].pools.iter().map(|(n, d)| (format!("number:{n}"), d.as_slice())).collect(),
            reference: Vec::new(),
            clock,
            marks: Vec::new(),
        }
    };
    both(dir, "queue_depth", &mut depth)?;

    let delivered: Vec<Vec<(f64, f64)>> = s
        .iter()
        .map(|x| {
            if many {
                // Side by side, the drain curves: cumulative deliveries from the origin.
                std::iter::once((0.0, 0.0))
                    .chain(x.total.iter().scan(0.0, |acc, r| {
                        *acc += r.delivered;
                        Some((r.t, *acc))
                    }))
                    .collect()
            } else {
                x.total.iter().map(|r| (r.t, r.delivered)).collect()
            }
        })
        .collect();
    let mut deliv = Lines {
        title: title(if many { "Delivered so far" } else { "Delivered per interval" }),
        x_desc: x_time.clone(),
        y_desc: if many {
            "messages delivered, cumulative".into()
        } else {
            "messages delivered in the interval".into()
        },
        lines: s.iter().zip(&delivered).map(|(x, d)| (x.name.clone(), d.as_slice())).collect(),
        reference: Vec::new(),
        clock,
        marks: Vec::new(),
    };
    both(dir, "delivered", &mut deliv)?;

    let spend: Vec<Vec<(f64, f64)>> = s.iter().map(|x| x.total.iter().map(|r| (r.t, r.spend)).collect()).collect();
    let mut sp = Lines {
        title: title("Month's spend against the limit"),
        x_desc: x_time,
        y_desc: "spend this month (USD)".into(),
        lines: s.iter().zip(&spend).map(|(x, d)| (x.name.clone(), d.as_slice())).collect(),
        // One limit line, or one per variant when the variants' limits differ.
        reference: if s.iter().all(|x| x.spend_limit == s[0].spend_limit) {
            vec![(format!("spend limit ${:.2}", s[0].spend_limit), s[0].spend_limit)]
        } else {
            s.iter().map(|x| (format!("{} limit ${:.2}", x.name, x.spend_limit), x.spend_limit)).collect()
        },
        clock,
        // When the limit first blocked a message, per variant that hit it.
        marks: s
            .iter()
            .enumerate()
            .filter_map(|(i, x)| {
                let hit = x.limit_hit?;
                let at = crate::report::terminal::hms(hit);
                Some(if many {
                    (format!("{} hit the limit at {at}", x.name), hit / unit, Some(i))
                } else {
                    (format!("limit hit at {at}"), hit / unit, None)
                })
            })
            .collect(),
    };
    both(dir, "spend", &mut sp)?;

    let mut bars =
        CostBars { title: title("Cost breakdown"), bars: s.iter().map(|x| (x.name.as_str(), x.costs)).collect() };
    both(dir, "cost_breakdown", &mut bars)?;
    Ok(())
}
