//! Sweep charts: one key metric against the sweep's points, as horizontal bars.

use super::{ChartTarget, FONT, SIZE, both_sized, color, register_font};
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

struct Bars<'a> {
    title: String,
    x_desc: String,
    y_desc: String,
    names: &'a [String],
    values: &'a [Option<f64>],
}

/// Horizontal bars, one per sweep point, the first point at the top.
fn draw_bars<DB: DrawingBackend>(
    c: &mut Bars<'_>,
    root: &DrawingArea<DB, Shift>,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = c.values.len().max(1);
    let top = c.values.iter().flatten().copied().fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.12 } else { 1.0 };
    let names = c.names;
    let longest = names.iter().map(|s| s.chars().count()).max().unwrap_or(4) as u32;
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, (FONT, 24))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size((longest * 8 + 20).clamp(60, 420))
        .build_cartesian_2d(0f64..top, -0.5f64..(n as f64 - 0.5))?;
    // Row i is drawn at y = n - 1 - i, so the sweep reads top to bottom.
    let at = |y: f64| -> Option<usize> {
        let i = y.round();
        ((y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then(|| n - 1 - i as usize)
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n + 1)
        .x_desc(c.y_desc.as_str())
        .y_desc(c.x_desc.as_str())
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 18))
        .y_label_formatter(&|y| at(*y).and_then(|i| names.get(i).cloned()).unwrap_or_default())
        .x_label_formatter(&|v| if top >= 20.0 { format!("{v:.0}") } else { format!("{v:.2}") })
        .draw()?;
    chart.draw_series(c.values.iter().enumerate().filter_map(|(i, v)| {
        let y = (n - 1 - i) as f64;
        v.map(|v| Rectangle::new([(0.0, y - 0.35), (v, y + 0.35)], color(0).filled()))
    }))?;
    Ok(())
}
chart_target!(Bars<'_>, draw_bars);

/// Write the chart of one key metric against the sweep's points (`sweep_<column>`).
pub fn write_sweep(
    dir: &Path,
    scenario: &str,
    axes: &str,
    labels: &[String],
    column: &str,
    what: &str,
    values: &[Option<f64>],
) -> Result<()> {
    register_font();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut bars = Bars {
        title: format!("{what} by sweep point: {scenario}"),
        x_desc: axes.to_string(),
        y_desc: what.to_string(),
        names: labels,
        values,
    };
    // Taller with more points, up to a size any viewer opens (labels shrink past that).
    let height = (120 + 24 * labels.len() as u32).clamp(SIZE.1, 4000);
    both_sized(dir, &format!("sweep_{column}"), &mut bars, (SIZE.0, height))
}
