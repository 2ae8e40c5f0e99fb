//! Writers: `summary.csv`, `timeseries.csv`, `events.csv`, `run.json` and the terminal
//! summary (SPEC 5). Each format is its own function; none of them simulates.

pub mod charts;
pub mod events;

use crate::engine::SimTime;
use crate::error::{Error, Result};
use crate::metrics::{Metrics, Stat, Timeseries};
use crate::model::EndState;
use crate::scenario::{Money, Scenario};
use std::fmt::Write as _;
use std::path::Path;

/// `summary.csv` columns, in contract order (SPEC 5).
pub const SUMMARY_COLUMNS: [&str; 44] = [
    "scenario",
    "variant",
    "seed",
    "replication",
    "requested",
    "parts_sent",
    "delivered",
    "failed",
    "unreachable",
    "expired",
    "throttled",
    "blocked_opt_out",
    "blocked_spend_limit",
    "blocked_daily_cap",
    "pending",
    "inbound",
    "inbound_keyword",
    "inbound_dropped",
    "opt_outs",
    "auto_responses",
    "published",
    "subscriber_delivered",
    "subscriber_retries",
    "subscriber_dead_lettered",
    "subscriber_dropped",
    "subscriber_pending",
    "queue_wait_mean_s",
    "queue_wait_p50_s",
    "queue_wait_p95_s",
    "queue_wait_p99_s",
    "queue_wait_max_s",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
    "latency_max_s",
    "cost_messages_usd",
    "cost_carrier_fees_usd",
    "cost_inbound_usd",
    "cost_leases_usd",
    "cost_setup_usd",
    "cost_total_usd",
    "cost_per_delivered_usd",
    "spend_limit_hit_s",
];

/// Columns after the contract's: `events` (SPEC 5), then `drain_s`, the time of the last
/// transmission (empty when nothing was sent).
pub const SUMMARY_HEADER_TAIL: [&str; 2] = ["events", "drain_s"];

/// `timeseries.csv` columns.
pub const TIMESERIES_COLUMNS: &str = "t_s,scope,queue_depth,sent_parts,delivered,failed,inbound,spend_usd,variant";

/// Leases and monthly fees prorated over the horizon (30-day month), to the micro-dollar.
pub fn cost_leases(sc: &Scenario) -> Money {
    const MONTH_US: u128 = 30 * 86_400 * 1_000_000;
    let monthly: i64 =
        sc.pools.iter().map(|p| p.monthly_lease.micros() * p.count as i64 + p.monthly_fee.micros()).sum();
    let h = sc.horizon.as_micros() as u128;
    Money(((monthly as u128 * h + MONTH_US / 2) / MONTH_US) as i64)
}

/// The five cost columns and their total: messages, carrier fees, inbound, leases, setup.
pub fn costs(sc: &Scenario, m: &Metrics) -> [Money; 6] {
    let (leases, setup) = (cost_leases(sc), cost_setup(sc));
    let total = m.cost_messages + m.cost_carrier_fees + m.cost_inbound + leases + setup;
    [m.cost_messages, m.cost_carrier_fees, m.cost_inbound, leases, setup, total]
}

/// One-time setup fees of every pool.
pub fn cost_setup(sc: &Scenario) -> Money {
    Money(sc.pools.iter().map(|p| p.setup_fee.micros()).sum())
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn stat_cols(s: &Stat) -> [String; 5] {
    [opt(s.mean()), opt(s.quantile(0.5)), opt(s.quantile(0.95)), opt(s.quantile(0.99)), opt(s.max())]
}

/// Cost per delivered message: exact division rounded to the micro-dollar.
fn per_delivered(total: Money, delivered: u64) -> Option<Money> {
    (delivered > 0).then(|| {
        let d = delivered as i128;
        Money(((total.micros() as i128 * 2 + d) / (2 * d)) as i64)
    })
}

/// The values of one `summary.csv` row, in column order (including `events`).
pub fn summary_row(sc: &Scenario, variant: &str, seed: u64, replication: u32, m: &Metrics, events: u64) -> Vec<String> {
    let mut r: Vec<String> = Vec::with_capacity(45);
    r.push(sc.name.clone());
    r.push(variant.to_string());
    r.push(seed.to_string());
    r.push(replication.to_string());
    r.push(m.requested.to_string());
    r.push(m.parts_sent.to_string());
    r.extend(EndState::ALL.iter().map(|&s| m.count(s).to_string()));
    r.extend(m.inbound_columns().map(|v| v.to_string()));
    r.extend(stat_cols(&m.queue_wait));
    r.extend(stat_cols(&m.latency));
    let costs = costs(sc, m);
    let total = costs[5];
    r.extend(costs.map(|c| c.to_string()));
    r.push(opt(per_delivered(total, m.count(EndState::Delivered))));
    r.push(opt(m.spend_limit_hit));
    r.push(events.to_string());
    r.push(opt(m.last_transmit));
    r
}

/// The `summary.csv` header line.
pub fn summary_header() -> String {
    SUMMARY_COLUMNS.iter().chain(SUMMARY_HEADER_TAIL.iter()).copied().collect::<Vec<_>>().join(",")
}

/// One CSV field, quoted when it needs to be.
pub fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.to_string() }
}

/// `summary.csv` text for these rows.
pub fn summary_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let header: Vec<&str> = SUMMARY_COLUMNS.iter().chain(SUMMARY_HEADER_TAIL.iter()).copied().collect();
    // Writing to memory cannot fail.
    w.write_record(&header).expect("in-memory write");
    for r in rows {
        w.write_record(r).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("UTF-8 fields")
}

/// Append the `timeseries.csv` rows of one run (variant `variant`) to `out`.
pub fn timeseries_rows(out: &mut String, sc: &Scenario, m: &Metrics, variant: &str) {
    let names = Timeseries::scope_names(sc);
    let variant = csv_field(variant);
    for r in &m.timeseries.rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.t,
            names[r.scope as usize],
            r.queue_depth,
            r.sent_parts,
            r.delivered,
            r.failed,
            r.inbound,
            r.spend,
            variant
        );
    }
}

/// `outcomes.csv` columns.
pub const OUTCOMES_COLUMNS: &str = "outcome,count,p50_s,p95_s,variant";

/// Append the `outcomes.csv` rows of one run: every outcome label the scenario declares,
/// in order of first appearance, with its count and time from the conversation's first
/// outbound request.
pub fn outcome_rows(out: &mut String, sc: &Scenario, m: &Metrics, variant: &str) {
    let variant = csv_field(variant);
    for (label, s) in sc.outcomes.iter().zip(&m.outcomes) {
        let _ = writeln!(out, "{label},{},{},{},{variant}", s.count(), opt(s.quantile(0.5)), opt(s.quantile(0.95)));
    }
}

/// Write `text` to `dir/name`.
pub fn write_file(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| Error::io(path, e))
}

/// The `run.json` document.
pub fn run_json(scenario_path: &str, seed: u64, replications: u32, wall_seconds: f64, events: u64) -> String {
    let eps = if wall_seconds > 0.0 { events as f64 / wall_seconds } else { 0.0 };
    #[derive(serde::Serialize)]
    struct RunJson<'a> {
        version: &'a str,
        scenario: &'a str,
        seed: u64,
        replications: u32,
        wall_seconds: f64,
        events: u64,
        events_per_second: f64,
    }
    let v = RunJson {
        version: env!("CARGO_PKG_VERSION"),
        scenario: scenario_path,
        seed,
        replications,
        wall_seconds,
        events,
        events_per_second: eps.round(),
    };
    serde_json::to_string_pretty(&v).expect("JSON of plain values") + "\n"
}

fn secs(t: Option<SimTime>) -> String {
    t.map_or("-".into(), |t| format!("{:.3} s", t.as_secs_f64()))
}

/// The short human summary printed at the end of `run`.
pub fn terminal_summary(sc: &Scenario, seed: u64, m: &Metrics, out_dir: &Path, files: &[&str]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} (seed {seed}): {} requested", sc.name, m.requested);
    let states: Vec<String> = EndState::ALL
        .iter()
        .filter(|&&st| m.count(st) > 0)
        .map(|&st| format!("{} {}", m.count(st), st.name()))
        .collect();
    let _ = writeln!(s, "  messages: {}", if states.is_empty() { "none".into() } else { states.join(", ") });
    let _ = writeln!(
        s,
        "  latency:  p50 {}, p95 {}, p99 {}   (queue wait p95 {})",
        secs(m.latency.quantile(0.5)),
        secs(m.latency.quantile(0.95)),
        secs(m.latency.quantile(0.99)),
        secs(m.queue_wait.quantile(0.95))
    );
    let total = costs(sc, m)[5];
    let per =
        per_delivered(total, m.count(EndState::Delivered)).map_or(String::new(), |p| format!(" (${p} per delivered)"));
    if m.inbound > 0 || !sc.topics.is_empty() {
        let [inb, kw, dropped, opt_outs, auto, published, delivered, retries, dead, sub_dropped, pending] =
            m.inbound_columns();
        let _ = writeln!(
            s,
            "  inbound:  {inb} received ({kw} keywords, {dropped} dropped), {opt_outs} opt-outs, {auto} auto responses; \
             {published} published; subscribers: {delivered} delivered, {dead} dead-lettered, {sub_dropped} dropped, \
             {pending} pending ({retries} retries)"
        );
    }
    if !sc.outcomes.is_empty() {
        let parts: Vec<String> = sc
            .outcomes
            .iter()
            .zip(&m.outcomes)
            .map(|(l, st)| format!("{l} {} (p50 {})", st.count(), secs(st.quantile(0.5))))
            .collect();
        let _ = writeln!(s, "  outcomes: {}", parts.join(", "));
    }
    let _ = writeln!(s, "  cost:     ${total} total{per}");
    match m.spend_limit_hit {
        Some(t) => {
            let _ = writeln!(s, "  spend limit ${} hit at {:.3} s", sc.spend_limit, t.as_secs_f64());
        }
        None => {
            let _ = writeln!(s, "  spend limit ${} not hit", sc.spend_limit);
        }
    }
    let _ = writeln!(s, "  wrote {}: {}", out_dir.display(), files.join(", "));
    s
}

/// Mean over the rows of `point` of column `col` (rows as in `summary.csv`).
fn mean_col(columns: &[&str], rows: &[Vec<String>], point: &str, col: &str) -> Option<f64> {
    let i = columns.iter().position(|c| *c == col)?;
    let xs: Vec<f64> = rows.iter().filter(|r| r[1] == point).filter_map(|r| r[i].parse::<f64>().ok()).collect();
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The `compare` table from `summary.csv` rows: variants as columns, key figures as rows
/// (means over replications when there are several).
pub fn compare_table(columns: &[&str], variants: &[String], rows: &[Vec<String>]) -> String {
    let m = |v: &str, c: &str| mean_col(columns, rows, v, c);
    let sec = |x: Option<f64>| x.map_or("-".to_string(), |t| format!("{t:.3} s"));
    let usd = |x: Option<f64>| x.map_or("-".to_string(), |d| format!("${d:.6}"));
    type Row<'a> = (&'a str, Box<dyn Fn(&str) -> String + 'a>);
    let table: Vec<Row<'_>> = vec![
        ("delivered", Box::new(|v| m(v, "delivered").map_or("-".into(), |x| format!("{x:.0}")))),
        ("latency p50", Box::new(|v| sec(m(v, "latency_p50_s")))),
        ("latency p95", Box::new(|v| sec(m(v, "latency_p95_s")))),
        ("latency p99", Box::new(|v| sec(m(v, "latency_p99_s")))),
        ("drain time", Box::new(|v| sec(m(v, "drain_s")))),
        ("total cost", Box::new(|v| usd(m(v, "cost_total_usd")))),
        ("cost per delivered", Box::new(|v| usd(m(v, "cost_per_delivered_usd")))),
        ("spend limit hit", Box::new(|v| m(v, "spend_limit_hit_s").map_or("no".into(), |t| format!("at {t:.3} s")))),
    ];
    let mut cells: Vec<Vec<String>> = vec![std::iter::once(String::new()).chain(variants.iter().cloned()).collect()];
    for (label, f) in &table {
        cells.push(std::iter::once(label.to_string()).chain(variants.iter().map(|v| f(v))).collect());
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
pub fn replications_summary(
    name: &str,
    columns: &[&str],
    rows: &[Vec<String>],
    out_dir: &Path,
    files: &[&str],
) -> String {
    let mut s = format!("{name} ({} replications):\n", rows.len());
    for (col, label, unit) in [
        ("delivered", "delivered", ""),
        ("queue_wait_mean_s", "queue wait mean", " s"),
        ("latency_p95_s", "latency p95", " s"),
        ("cost_total_usd", "total cost", " USD"),
    ] {
        let Some(i) = columns.iter().position(|c| *c == col) else { continue };
        let xs: Vec<f64> = rows.iter().filter_map(|r| r[i].parse::<f64>().ok()).collect();
        if let (Some(m), _, Some(lo), Some(hi)) = crate::experiment::interval(&xs) {
            let _ = writeln!(s, "  {label:<22} {m:.3}{unit}  (95% CI {lo:.3} to {hi:.3}, n = {})", xs.len());
        }
    }
    let _ = writeln!(s, "  wrote {}: {}", out_dir.display(), files.join(", "));
    s
}

/// The terminal summary of `sweep`: one line per point (means over its replications),
/// then, with targets, `best: <variant>` or `best: none` as the last line.
pub fn sweep_summary(
    columns: &[&str],
    points: &[String],
    rows: &[Vec<String>],
    with_targets: bool,
    best: Option<&str>,
    out_dir: &Path,
) -> String {
    let show = ["delivered", "latency_p95_s", "drain_s", "cost_total_usd"];
    let width = points.iter().map(|p| p.len()).max().unwrap_or(5).max(5);
    let mut s = format!("{:<width$}", "point");
    for c in show {
        let _ = write!(s, "  {c:>14}");
    }
    if with_targets {
        s.push_str("  meets_target");
    }
    s.push('\n');
    for p in points {
        let _ = write!(s, "{p:<width$}");
        for c in show {
            let cell = mean_col(columns, rows, p, c).map_or("-".to_string(), |x| format!("{x:.3}"));
            let _ = write!(s, "  {cell:>14}");
        }
        if with_targets {
            let group: Vec<&Vec<String>> = rows.iter().filter(|r| &r[1] == p).collect();
            let met = group.iter().filter(|r| r.last().is_some_and(|x| x == "true")).count();
            let _ = write!(s, "  {met}/{}", group.len());
        }
        s.push('\n');
    }
    let _ = writeln!(s, "wrote {}", out_dir.display());
    if with_targets {
        let _ = writeln!(s, "best: {}", best.unwrap_or("none"));
    }
    s
}
