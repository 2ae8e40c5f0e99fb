//! What the commands print: the summary of a run, the table of a comparison, the
//! intervals of replications and the points of a sweep.

use crate::engine::SimTime;
use crate::metrics::Metrics;
use crate::metrics::stats::interval;
use crate::metrics::summary::{SourceSummary, Summary};
use crate::model::EndState;
use crate::scenario::Scenario;
use crate::scenario::units::thousands;
use crate::sms::Money;
use std::fmt::Write as _;
use std::path::Path;

fn secs(t: Option<SimTime>) -> String {
    t.map_or("-".into(), |t| format!("{:.3} s", t.as_secs_f64()))
}

/// The short human summary printed at the end of `run`.
pub fn run_summary(sc: &Scenario, s: &Summary, m: &Metrics, out_dir: &Path, files: &[&str]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (seed {}): {} requested", sc.name, s.seed, s.requested);
    let states: Vec<String> =
        s.ends.iter().filter(|&(_, &n)| n > 0).map(|(st, n)| format!("{n} {}", st.name())).collect();
    let _ = writeln!(out, "  messages: {}", if states.is_empty() { "none".into() } else { states.join(", ") });
    if s.held_for_window > 0 || s.count(EndState::Unroutable) > 0 {
        let _ = writeln!(
            out,
            "  calendar: {} held for their sending window, {} unroutable (no pool reaches their country)",
            s.held_for_window,
            s.count(EndState::Unroutable)
        );
    }
    let _ = writeln!(
        out,
        "  latency:  p50 {}, p95 {}, p99 {}   (queue wait p95 {})",
        secs(s.latency.p50),
        secs(s.latency.p95),
        secs(s.latency.p99),
        secs(s.queue_wait.p95)
    );
    let per = s.cost_per_delivered.map_or(String::new(), |p| format!(" (${p} per delivered)"));
    let i = &s.inbound;
    if i.inbound > 0 || !sc.topics.is_empty() {
        use crate::model::observe::DeliveryState as D;
        let sub = |st: D| s.subscribers[st];
        let _ = writeln!(
            out,
            "  inbound:  {} received ({} keywords, {} dropped), {} opt-outs, {} auto responses; \
             {} published; subscribers: {} delivered, {} dead-lettered, {} dropped, {} pending ({} retries)",
            i.inbound,
            i.keyword,
            i.dropped,
            i.opt_outs,
            i.auto_responses,
            i.published,
            sub(D::Delivered),
            sub(D::DeadLettered),
            sub(D::Dropped),
            sub(D::Pending),
            s.subscriber_retries
        );
    }
    if !sc.outcomes.is_empty() {
        let parts: Vec<String> = sc
            .outcomes
            .iter()
            .zip(&m.outcomes)
            .map(|(l, st)| format!("{l} {} (p50 {})", st.count(), secs(st.quantile(0.5))))
            .collect();
        let _ = writeln!(out, "  outcomes: {}", parts.join(", "));
    }
    let _ = writeln!(
        out,
        "  cost:     ${} total{per}; ${} a month at this run rate",
        s.cost_total, s.cost_monthly_run_rate
    );
    let per_outcome: Vec<String> = sc
        .outcomes
        .iter()
        .zip(&m.outcomes)
        .filter_map(|(label, o)| crate::sms::price::per_item(s.cost_total, o.count()).map(|c| format!("{label} ${c}")))
        .collect();
    if !per_outcome.is_empty() {
        let _ = writeln!(out, "  cost per outcome: {}", per_outcome.join(", "));
    }
    match s.spend_limit_hit {
        Some(t) => {
            let _ = writeln!(out, "  spend limit ${} hit at {:.3} s", sc.spend_limit, t.as_secs_f64());
        }
        None => {
            let _ = writeln!(out, "  spend limit ${} not hit", sc.spend_limit);
        }
    }
    let _ = writeln!(out, "  wrote {}: {}", out_dir.display(), files.join(", "));
    out
}

/// The mean of `f` over the rows of variant `point` that have a value.
fn mean(rows: &[Summary], point: &str, f: impl Fn(&Summary) -> Option<f64>) -> Option<f64> {
    let xs: Vec<f64> = rows.iter().filter(|r| r.variant == point).filter_map(f).collect();
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn t(x: Option<SimTime>) -> Option<f64> {
    x.map(|t| t.as_micros() as f64 / 1e6)
}

fn usd(x: Option<Money>) -> Option<f64> {
    x.map(|m| m.micros() as f64 / 1e6)
}

/// The `compare` table: variants as columns, key figures as rows (means over
/// replications when there are several), then the drain and latency p95 of each campaign
/// and traffic source (of replication 0, from `sources`: each variant's name and sources).
pub fn compare_table(variants: &[String], rows: &[Summary], sources: &[(&str, &[SourceSummary])]) -> String {
    let sec = |x: Option<f64>| x.map_or("-".to_string(), |t| format!("{t:.3} s"));
    let dollars = |x: Option<f64>| x.map_or("-".to_string(), |d| format!("${d:.6}"));
    type Row<'a> = (&'a str, Box<dyn Fn(&str) -> String + 'a>);
    let m = |v: &str, f: fn(&Summary) -> Option<f64>| mean(rows, v, f);
    let count = |x: Option<f64>| x.map_or("-".into(), |x| thousands(x.round() as u64));
    let mut table: Vec<Row<'_>> =
        vec![("delivered", Box::new(move |v| count(m(v, |s| Some(s.count(EndState::Delivered) as f64)))))];
    // Every other end state that is not zero in some variant, by its column name (SPEC 6.4).
    for &state in EndState::ALL.iter().filter(|&&st| st != EndState::Delivered) {
        if rows.iter().any(|r| r.count(state) > 0) {
            table.push((state.name(), Box::new(move |v| count(mean(rows, v, |s| Some(s.count(state) as f64))))));
        }
    }
    table.extend::<Vec<Row<'_>>>(vec![
        ("latency p50", Box::new(|v| sec(m(v, |s| t(s.latency.p50))))),
        ("latency p95", Box::new(|v| sec(m(v, |s| t(s.latency.p95))))),
        ("latency p99", Box::new(|v| sec(m(v, |s| t(s.latency.p99))))),
        ("drain time", Box::new(|v| sec(m(v, |s| t(s.drain))))),
        ("total cost", Box::new(|v| dollars(m(v, |s| usd(Some(s.cost_total)))))),
        ("cost per delivered", Box::new(|v| dollars(m(v, |s| usd(s.cost_per_delivered))))),
        ("monthly run rate", Box::new(|v| dollars(m(v, |s| usd(Some(s.cost_monthly_run_rate)))))),
        (
            "spend limit hit",
            Box::new(|v| m(v, |s| t(s.spend_limit_hit)).map_or("no".into(), |x| format!("at {x:.3} s"))),
        ),
    ]);
    let mut cells: Vec<Vec<String>> = vec![std::iter::once(String::new()).chain(variants.iter().cloned()).collect()];
    for (label, f) in &table {
        cells.push(std::iter::once(label.to_string()).chain(variants.iter().map(|v| f(v))).collect());
    }
    let mut names: Vec<&str> = Vec::new();
    for (_, list) in sources {
        for s in list.iter().filter(|s| s.workload) {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
    }
    let of = |v: &str, name: &str| {
        sources.iter().find(|(x, _)| *x == v).and_then(|(_, list)| list.iter().find(|s| s.name == name))
    };
    for name in names {
        for (what, f) in [
            ("drain", (|s: &SourceSummary| s.drain) as fn(&SourceSummary) -> Option<SimTime>),
            ("latency p95", |s| s.latency.p95),
        ] {
            let row = variants.iter().map(|v| sec(t(of(v, name).and_then(f))));
            cells.push(std::iter::once(format!("{name} {what}")).chain(row).collect());
        }
    }
    let widths: Vec<usize> =
        (0..cells[0].len()).map(|c| cells.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut s = String::new();
    for r in &cells {
        for (c, cell) in r.iter().enumerate() {
            if c == 0 {
                let _ = write!(s, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(s, "  {cell:>w$}", w = widths[c]);
            }
        }
        s.push('\n');
    }
    s
}

/// The terminal summary of `run --replications`: mean and 95% interval of key figures.
pub fn replications_summary(name: &str, rows: &[Summary], out_dir: &Path, files: &[&str]) -> String {
    let mut s = format!("{name} ({} replications):\n", rows.len());
    type Figure = (&'static str, &'static str, fn(&Summary) -> Option<f64>);
    let figures: [Figure; 4] = [
        ("delivered", "", |s| Some(s.count(EndState::Delivered) as f64)),
        ("queue wait mean", " s", |s| t(s.queue_wait.mean)),
        ("latency p95", " s", |s| t(s.latency.p95)),
        ("total cost", " USD", |s| usd(Some(s.cost_total))),
    ];
    for (label, unit, f) in figures {
        let xs: Vec<f64> = rows.iter().filter_map(f).collect();
        let i = interval(&xs);
        if let (Some(m), Some(lo), Some(hi)) = (i.mean, i.low, i.high) {
            let _ = writeln!(s, "  {label:<22} {m:.3}{unit}  (95% CI {lo:.3} to {hi:.3}, n = {})", xs.len());
        }
    }
    let _ = writeln!(s, "  wrote {}: {}", out_dir.display(), files.join(", "));
    s
}

/// The terminal summary of `sweep`: one line per point (means over its replications),
/// then, with targets (`meets`, a flag per row), `best: <point>` or `best: none` as the
/// last line.
pub fn sweep_summary(
    points: &[String],
    rows: &[Summary],
    meets: Option<&[bool]>,
    best: Option<&str>,
    out_dir: &Path,
) -> String {
    type Column = (&'static str, fn(&Summary) -> Option<f64>);
    let show: [Column; 4] = [
        ("delivered", |s| Some(s.count(EndState::Delivered) as f64)),
        ("latency_p95_s", |s| t(s.latency.p95)),
        ("drain_s", |s| t(s.drain)),
        ("cost_total_usd", |s| usd(Some(s.cost_total))),
    ];
    let width = points.iter().map(|p| p.len()).max().unwrap_or(5).max(5);
    let mut s = format!("{:<width$}", "point");
    for (c, _) in show {
        let _ = write!(s, "  {c:>14}");
    }
    if meets.is_some() {
        s.push_str("  meets_target");
    }
    s.push('\n');
    for p in points {
        let _ = write!(s, "{p:<width$}");
        for (_, f) in show {
            let cell = mean(rows, p, f).map_or("-".to_string(), |x| format!("{x:.3}"));
            let _ = write!(s, "  {cell:>14}");
        }
        if let Some(meets) = meets {
            let group: Vec<usize> = (0..rows.len()).filter(|&i| &rows[i].variant == p).collect();
            let met = group.iter().filter(|&&i| meets[i]).count();
            let _ = write!(s, "  {met}/{}", group.len());
        }
        s.push('\n');
    }
    let _ = writeln!(s, "wrote {}", out_dir.display());
    if meets.is_some() {
        let _ = writeln!(s, "best: {}", best.unwrap_or("none"));
    }
    s
}
