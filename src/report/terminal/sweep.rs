//! A sweep's table, for the terminal and the page: each point's means, with the targets'
//! columns and whether each point meets them.

use super::{cents, count_mean, hms, mean, sweep_break_even, t, text_table, usd};
use crate::metrics::Summary;
use crate::model::EndState;
use crate::scenario::units::six_decimals;
use std::fmt::Write as _;
use std::path::Path;

/// A sweep's targets (`--target`) as its table shows them.
#[derive(Debug, Clone, Copy)]
pub struct Targeted<'a> {
    /// Each targeted column of `summary.csv`, with each point's mean as the targets read
    /// it (to the files' six decimals; none if a row lacks the value).
    pub columns: &'a [(String, Vec<Option<f64>>)],
    /// Whether each point's means meet every target (what `best` is chosen among).
    pub points: &'a [bool],
    /// Whether each row (replication) meets every target.
    pub rows: &'a [bool],
}

/// The cells of a sweep's points for the report page: a header row, then one row per
/// point (means over its replications); with targets, each targeted column as the
/// targets read it and whether the point's means meet them all, with how many of its
/// rows do.
pub fn sweep_cells(points: &[String], rows: &[Summary], targeted: Option<Targeted<'_>>) -> Vec<Vec<String>> {
    let sec = |x: Option<f64>| x.map_or("-".to_string(), hms);
    let dollars = |x: Option<f64>| x.map_or("-".to_string(), cents);
    let mut head: Vec<String> =
        ["point", "delivered", "latency p95", "drain time", "total cost", "monthly run rate"].map(String::from).into();
    if let Some(tg) = targeted {
        // Under its summary.csv name; a name the table already shows is marked.
        let shown = head.clone();
        head.extend(
            tg.columns.iter().map(|(c, _)| if shown.contains(c) { format!("{c} (target)") } else { c.clone() }),
        );
        head.push("meets targets".into());
    }
    let mut out = vec![head];
    for (k, p) in points.iter().enumerate() {
        let mut r = vec![
            p.clone(),
            mean(rows, p, |s| Some(s.count(EndState::Delivered) as f64)).map_or("-".into(), count_mean),
            sec(mean(rows, p, |s| t(s.latency.p95))),
            sec(mean(rows, p, |s| t(s.drain))),
            dollars(mean(rows, p, |s| usd(Some(s.cost_total)))),
            dollars(mean(rows, p, |s| usd(Some(s.cost_monthly_run_rate)))),
        ];
        if let Some(tg) = targeted {
            // As the targets read them: to six decimals.
            r.extend(tg.columns.iter().map(|(_, means)| means[k].map_or("-".into(), six_decimals)));
            let group: Vec<usize> = (0..rows.len()).filter(|&i| &rows[i].variant == p).collect();
            let verdict = if tg.points[k] { "yes" } else { "no" };
            r.push(match group.len() {
                1 => verdict.to_string(),
                n => format!("{verdict} ({} of {n} replications)", group.iter().filter(|&&i| tg.rows[i]).count()),
            });
        }
        out.push(r);
    }
    out
}

/// The terminal summary of `sweep`: one line per point (means over its replications),
/// then, with targets, the lines `by_volume` (the best at each value of a volume axis),
/// the files written, and `best: <point>` or `best: none` as the last line.
pub fn sweep_summary(
    points: &[String],
    rows: &[Summary],
    targeted: Option<Targeted<'_>>,
    (best, by_volume): (Option<&str>, &[String]),
    (out_dir, files): (&Path, &[&str]),
) -> String {
    let variant_axis = points.iter().any(|p| p.split(';').any(|s| s.starts_with("variant=")));
    // The page's table: counts with separators, times as h:mm:ss.s, dollars and cents.
    let mut s = text_table(&sweep_cells(points, rows, targeted));
    if variant_axis {
        s.push_str(&sweep_break_even(points, rows));
    }
    for line in by_volume {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s, "wrote {}: {}", out_dir.display(), files.join(", "));
    if targeted.is_some() {
        let _ = writeln!(s, "best: {}", best.unwrap_or("none"));
    }
    s
}
