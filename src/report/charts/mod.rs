//! Charts (SPEC 5) with plotters, as PNG and SVG: latency CDF, queue depth over time per
//! number pool, delivered per interval, cumulative spend against the limit, and the cost
//! breakdown. With several runs (`compare`) the same charts show every variant side by
//! side: CDFs and curves overlaid, one cost bar per variant.
//!
//! Text renders from DejaVu Sans, bundled in `assets/fonts` (with its licence) and
//! registered with plotters' `ab_glyph` feature: no system fonts or fontconfig needed.

use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::metrics::summary::costs;
use crate::scenario::Scenario;
use crate::scenario::{Calendar, Zone};
use crate::sms::Money;
use crate::sms::price::{COST_PARTS, CostPart, Costs};
use crate::table::Table;
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
    /// Failed or unreachable in the interval.
    failed: f64,
    /// Expired in the interval.
    expired: f64,
    /// Refused before sending in the interval.
    blocked: f64,
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
    /// Failed in the interval.
    #[serde(default)]
    pub failed: u64,
    /// Ended unreachable in the interval.
    #[serde(default)]
    pub unreachable: u64,
    /// Expired in the interval.
    #[serde(default)]
    pub expired: u64,
    /// Refused before sending in the interval.
    #[serde(default)]
    pub blocked: u64,
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
            let qs: Vec<f64> = (1..=200).map(|i| i as f64 / 200.0).collect();
            m.latency.quantiles(&qs).into_iter().flatten().map(|t| t.as_micros()).collect()
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
                failed: r.failed,
                unreachable: r.unreachable,
                expired: r.expired,
                blocked: r.blocked,
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
    let mut total =
        vec![TotalPoint { t: 0.0, depth: 0.0, delivered: 0.0, spend: spend0, failed: 0.0, expired: 0.0, blocked: 0.0 }];
    let mut pools: Vec<(String, Vec<(f64, f64)>)> = c.pools.iter().map(|p| (p.clone(), vec![(0.0, 0.0)])).collect();
    for r in &c.rows {
        // Plot each interval at its end: the value it reports holds there.
        let t = secs((r.t_us + c.interval_us).min(c.horizon_us));
        if r.scope == 0 {
            total.push(TotalPoint {
                t,
                depth: r.queue_depth as f64,
                delivered: r.delivered as f64,
                spend: usd(r.spend.micros()),
                failed: (r.failed + r.unreachable) as f64,
                expired: r.expired as f64,
                blocked: r.blocked as f64,
            });
        } else if let Some(p) = pools.get_mut(r.scope as usize - 1) {
            p.1.push((t, r.queue_depth as f64));
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
                .filter(|w| {
                    let r = &w[1];
                    r.depth + r.delivered + r.failed + r.expired + r.blocked > 0.0 || r.spend != w[0].spend
                })
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

/// Draw each chart to `name.png` and `name.svg` in `dir`, on every core (the files are
/// independent: the same bytes whatever the order).
fn all(dir: &Path, charts: &[(&str, &dyn ChartTarget)]) -> Result<()> {
    use rayon::prelude::*;
    let jobs: Vec<(&str, &dyn ChartTarget, bool)> =
        charts.iter().flat_map(|&(name, c)| [(name, c, true), (name, c, false)]).collect();
    // Every file is drawn; the first error in chart order is the one reported.
    let drawn: Vec<Result<()>> = jobs.par_iter().map(|&(name, chart, png)| one(dir, name, chart, SIZE, png)).collect();
    drawn.into_iter().collect()
}

/// [`all`] for one chart at a given size.
fn both_sized(dir: &Path, name: &str, chart: &dyn ChartTarget, size: (u32, u32)) -> Result<()> {
    let (png, svg) = rayon::join(|| one(dir, name, chart, size, true), || one(dir, name, chart, size, false));
    png.and(svg)
}

/// Draw `chart` to `name.png` (`png`) or `name.svg` in `dir`.
fn one(dir: &Path, name: &str, chart: &dyn ChartTarget, size: (u32, u32), png: bool) -> Result<()> {
    let fail = |p: &Path, e: String| Error::Input(format!("{}: cannot draw chart: {e}", p.display()));
    let path = dir.join(format!("{name}.{}", if png { "png" } else { "svg" }));
    if png {
        // Drawn into a buffer the thread keeps, whitened (the frame's white fill then
        // changes nothing), rather than a fresh one each chart; saved by `save_png`.
        // Nothing in here may hand work to rayon: the thread could take up another chart
        // while the buffer is borrowed. A tall sweep chart's buffer is not kept.
        thread_local!(static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) });
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            buf.resize((size.0 * size.1 * 3) as usize, 255);
            {
                let root = BitMapBackend::with_buffer(buf, size).into_drawing_area();
                chart.bitmap(&root).map_err(|e| fail(&path, e))?;
                root.present().map_err(|e| fail(&path, e.to_string()))?;
            }
            let saved = save_png(&path, buf, size);
            if buf.capacity() > (SIZE.0 * SIZE.1 * 3) as usize {
                *buf = Vec::new();
            }
            saved.map_err(|e| fail(&path, e.to_string()))
        })
    } else {
        let root = SVGBackend::new(&path, size).into_drawing_area();
        chart.svg(&root).map_err(|e| fail(&path, e))?;
        root.present().map_err(|e| fail(&path, e.to_string()))
    }
}

/// Save the RGB pixels `buf` of a `size` chart as a PNG at `path`: fast compression, as
/// `image` saves by default, and every row filtered with Paeth's predictor rather than
/// the best of five tried row by row. The pixels are the same and the files about 3%
/// larger; the adaptive choice was about a fifth of the CPU time spent after a 1 M run's
/// simulation, and one filter costs a fraction of it.
fn save_png(path: &Path, buf: &[u8], size: (u32, u32)) -> image::ImageResult<()> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let png = PngEncoder::new_with_quality(&mut file, CompressionType::Fast, FilterType::Paeth);
    png.write_image(buf, size.0, size.1, image::ColorType::Rgb8)?;
    // Written out here, so that a full disk is an error rather than a short file.
    Ok(file.flush()?)
}

mod draw;
mod plots;
mod sweep;
use draw::{ChartTarget, Style, color};
use plots::{CostBars, Lines};
pub use sweep::{SWEEP_METRICS, SweepChart, write_sweep};

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

    // A latency tail orders of magnitude past the median (an outage, a retry) reads on
    // a log axis; a blast's even spread reads best on a linear one.
    let tail =
        s.iter().any(|x| x.cdf.len() > 100 && x.cdf[100].0 > 0.0 && x.cdf[x.cdf.len() - 1].0 >= 50.0 * x.cdf[100].0);
    let cdf = Lines {
        title: title("Delivery latency CDF"),
        x_desc: "latency, request to delivery (s)".into(),
        y_desc: "fraction of delivered messages".into(),
        lines: s.iter().enumerate().map(|(i, x)| (x.name.clone(), x.cdf.as_slice(), Style::nth(i))).collect(),
        reference: Vec::new(),
        clock: None,
        marks: Vec::new(),
        x_log: tail,
        y_counts: false,
    };

    let depth_total: Vec<Vec<(f64, f64)>> =
        s.iter().map(|x| x.total.iter().map(|r| (r.t, r.depth)).collect()).collect();
    let depth = Lines {
        title: title(if many { "Messages waiting" } else { "Messages waiting, per number pool" }),
        x_desc: x_time.clone(),
        y_desc: "messages queued at the interval's end".into(),
        lines: if many {
            s.iter()
                .zip(&depth_total)
                .enumerate()
                .map(|(i, (x, d))| (x.name.clone(), d.as_slice(), Style::nth(i)))
                .collect()
        } else {
            s[0].pools
                .iter()
                .enumerate()
                .map(|(i, (n, d))| (format!("number:{n}"), d.as_slice(), Style::nth(i)))
                .collect()
        },
        reference: Vec::new(),
        clock,
        marks: Vec::new(),
        x_log: false,
        y_counts: true,
    };

    // What became of the messages: delivered, and those that were not (failed or
    // unreachable, expired, refused before sending), so that a run whose messages were
    // blocked shows them.
    type Pick = fn(&TotalPoint) -> f64;
    let not_delivered: Pick = |r| r.failed + r.expired + r.blocked;
    let cumulative = |x: &Series, f: Pick| -> Vec<(f64, f64)> {
        std::iter::once((0.0, 0.0))
            .chain(x.total.iter().skip(1).scan(0.0, |acc, r| {
                *acc += f(r);
                Some((r.t, *acc))
            }))
            .collect()
    };
    // (label, points, style) of each line.
    let mut ends: Vec<(String, Vec<_>, Style)> = Vec::new();
    if many {
        // Side by side, the drain curves: cumulative from the origin.
        for (i, x) in s.iter().enumerate() {
            ends.push((format!("{} delivered", x.name), cumulative(x, |r| r.delivered), Style::nth(i)));
        }
        for (i, x) in s.iter().enumerate() {
            let lost = cumulative(x, not_delivered);
            if lost.iter().any(|p| p.1 > 0.0) {
                let st = Style { dash: Some((2, 5)), width: 2, ..Style::nth(i) };
                ends.push((format!("{} not delivered", x.name), lost, st));
            }
        }
    } else {
        let per = |f: Pick| -> Vec<(f64, f64)> { s[0].total.iter().map(|r| (r.t, f(r))).collect() };
        let kinds: [(&str, Pick); 4] = [
            ("delivered", |r| r.delivered),
            ("failed or unreachable", |r| r.failed),
            ("expired", |r| r.expired),
            ("blocked (throttled, unroutable, blocked_*)", |r| r.blocked),
        ];
        for (i, (label, f)) in kinds.into_iter().enumerate() {
            let pts = per(f);
            if i == 0 || pts.iter().any(|p| p.1 > 0.0) {
                let st = if i == 0 { Style::nth(0) } else { Style { width: 2, ..Style::nth(i + 1) } };
                ends.push((label.to_string(), pts, st));
            }
        }
    }
    let deliv = Lines {
        title: title(if many { "Delivered and not delivered so far" } else { "Messages by end state, per interval" }),
        x_desc: x_time.clone(),
        y_desc: if many {
            "messages, cumulative (not delivered: failed, expired, blocked)".into()
        } else {
            "messages ending in the interval".into()
        },
        lines: ends.iter().map(|(n, d, st)| (n.clone(), d.as_slice(), *st)).collect(),
        reference: Vec::new(),
        clock,
        marks: Vec::new(),
        x_log: false,
        y_counts: true,
    };

    let spend: Vec<Vec<(f64, f64)>> = s.iter().map(|x| x.total.iter().map(|r| (r.t, r.spend)).collect()).collect();
    let sp = Lines {
        title: title("Month's spend against the limit"),
        x_desc: x_time,
        y_desc: "spend this month (USD)".into(),
        lines: s
            .iter()
            .zip(&spend)
            .enumerate()
            .map(|(i, (x, d))| (x.name.clone(), d.as_slice(), Style::nth(i)))
            .collect(),
        // One line per limit: black when several variants share it, else in the colour
        // of the one variant that has it.
        reference: {
            let mut limits: Vec<(f64, Vec<usize>)> = Vec::new();
            for (i, x) in s.iter().enumerate() {
                match limits.iter_mut().find(|l| l.0 == x.spend_limit) {
                    Some(l) => l.1.push(i),
                    None => limits.push((x.spend_limit, vec![i])),
                }
            }
            let one = limits.len() == 1;
            limits
                .into_iter()
                .map(|(limit, who)| {
                    let amount = crate::report::terminal::cents(limit);
                    match who.as_slice() {
                        _ if one => (format!("spend limit {amount}"), limit, BLACK),
                        [i] => (format!("{} limit {amount}", s[*i].name), limit, color(*i)),
                        _ => {
                            let names: Vec<&str> = who.iter().map(|&i| s[i].name.as_str()).collect();
                            (format!("limit {amount}: {}", names.join(", ")), limit, BLACK)
                        }
                    }
                })
                .collect()
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
                    (format!("{} hit the limit at {at}", x.name), hit / unit, color(i))
                } else {
                    (format!("limit hit at {at}"), hit / unit, RED)
                })
            })
            .collect(),
        x_log: false,
        y_counts: false,
    };

    let bars =
        CostBars { title: title("Cost breakdown"), bars: s.iter().map(|x| (x.name.as_str(), x.costs)).collect() };
    all(
        dir,
        &[
            ("latency_cdf", &cdf),
            ("queue_depth", &depth),
            ("delivered", &deliv),
            ("spend", &sp),
            ("cost_breakdown", &bars),
        ],
    )
}

#[cfg(test)]
mod tests {
    /// A saved chart reads back as the very pixels drawn: flat fills, hard edges and a
    /// gradient (what Paeth's predictor sees in a chart), over rows of odd length.
    #[test]
    fn a_saved_png_holds_the_pixels_drawn() {
        let size = (301u32, 47u32);
        let mut buf = Vec::with_capacity((size.0 * size.1 * 3) as usize);
        for y in 0..size.1 {
            for x in 0..size.0 {
                let px = match (x / 50 + y / 10) % 3 {
                    0 => [255, 255, 255],
                    1 => [31, 119, 180],
                    _ => [(x * 7 % 256) as u8, (y * 13 % 256) as u8, ((x + y) % 256) as u8],
                };
                buf.extend_from_slice(&px);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        super::save_png(&path, &buf, size).unwrap();
        let back = image::open(&path).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), size);
        assert!(back.into_raw() == buf, "the pixels read back differ from those drawn");
    }
}
