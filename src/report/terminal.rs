//! What the commands print: the summary of a run, the table of a comparison, the
//! intervals of replications and the points of a sweep.

use crate::engine::SimTime;
use crate::metrics::Metrics;
use crate::metrics::stats::interval;
use crate::metrics::summary::Summary;
use crate::model::EndState;
use crate::scenario::Scenario;
use crate::scenario::units::thousands;
use crate::sms::Money;
use std::fmt::Write as _;
use std::path::Path;

mod compare;
mod sweep;
pub use compare::{break_even, compare_cells, compare_table, over_limit, sweep_break_even};
pub use sweep::{Targeted, sweep_cells, sweep_summary};

/// A duration of `run`'s summary: seconds to the millisecond under an hour, from an hour
/// on as the compare table and the page write it (`3:00:38.1`).
fn secs(t: Option<SimTime>) -> String {
    match t.map(|t| t.as_secs_f64()) {
        None => "-".into(),
        Some(x) if x >= 3600.0 => hms(x),
        Some(x) => format!("{x:.3} s"),
    }
}

/// The short human summary printed at the end of `run`.
pub fn run_summary(sc: &Scenario, s: &Summary, m: &Metrics, out_dir: &Path, files: &[&str]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (seed {}): {} requested", sc.name, s.seed, thousands(s.requested));
    let states: Vec<String> =
        s.ends.iter().filter(|&(_, &n)| n > 0).map(|(st, n)| format!("{} {}", thousands(*n), st.name())).collect();
    let _ = writeln!(out, "  messages: {}", if states.is_empty() { "none".into() } else { states.join(", ") });
    // Requests that waited for a sending window (those no pool could take are on the
    // `messages` line, as `unroutable`).
    if s.held_for_window > 0 {
        let _ = writeln!(out, "  requests: {} held for their sending window", thousands(s.held_for_window));
    }
    if s.sent_outside_window > 0 {
        let _ = writeln!(
            out,
            "  window:   {} messages sent after their sending window closed (they waited in a number's queue past it: a window holds requests, not queues)",
            thousands(s.sent_outside_window)
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
    // How long the campaigns and traffic took to send (`drain_s`): a planner's first question.
    if s.drain.is_some() {
        let pending = s.count(EndState::Pending);
        let left =
            if pending > 0 { format!("; {} still pending at the horizon", thousands(pending)) } else { String::new() };
        let _ = writeln!(out, "  drain:    {} (from t=0 to the last requested message sent{left})", secs(s.drain));
    }
    let usd = |m: Money| m.micros() as f64 / 1e6;
    let per = s.cost_per_delivered.map_or(String::new(), |p| format!(" ({} per delivered)", per_unit(usd(p))));
    let i = &s.inbound;
    if i.inbound > 0 || !sc.topics.is_empty() {
        use crate::model::observe::DeliveryState as D;
        let sub = |st: D| s.subscribers[st];
        let _ = writeln!(
            out,
            "  inbound:  {} received ({} keywords, {} dropped), {} opt-outs, {} auto responses; \
             {} published; subscribers: {} delivered, {} dead-lettered, {} dropped, {} pending ({} retries)",
            thousands(i.inbound),
            thousands(i.keyword),
            thousands(i.dropped),
            thousands(i.opt_outs),
            thousands(i.auto_responses),
            thousands(i.published),
            thousands(sub(D::Delivered)),
            thousands(sub(D::DeadLettered)),
            thousands(sub(D::Dropped)),
            thousands(sub(D::Pending)),
            thousands(s.subscriber_retries)
        );
    }
    if !sc.outcomes.is_empty() {
        let parts: Vec<String> = sc
            .outcomes
            .iter()
            .zip(&m.outcomes)
            .map(|(l, st)| format!("{l} {} (p50 {})", thousands(st.count()), secs(st.quantile(0.5))))
            .collect();
        let _ = writeln!(out, "  outcomes: {}", parts.join(", "));
    }
    let _ = writeln!(
        out,
        "  cost:     {} total{per}; {} a month at this run rate",
        cents(usd(s.cost_total)),
        cents(usd(s.cost_monthly_run_rate))
    );
    let per_outcome: Vec<String> = sc
        .outcomes
        .iter()
        .zip(&m.outcomes)
        .filter_map(|(label, o)| {
            crate::sms::price::per_item(s.cost_total, o.count()).map(|c| format!("{label} {}", per_unit(usd(c))))
        })
        .collect();
    if !per_outcome.is_empty() {
        let _ = writeln!(out, "  cost per outcome (the whole cost over each): {}", per_outcome.join(", "));
    }
    for line in notes(&s.variant, std::slice::from_ref(s)) {
        let _ = writeln!(out, "  note: {line}");
    }
    match s.spend_limit_hit {
        Some(t) => {
            let at = t.as_secs_f64();
            let _ = writeln!(out, "  spend limit {} hit at {} ({at:.3} s)", sc.spend_limit.dollars(), hms(at));
        }
        None => {
            let _ = writeln!(out, "  spend limit {} not hit", sc.spend_limit.dollars());
        }
    }
    let _ = writeln!(out, "  wrote {}: {}", out_dir.display(), files.join(", "));
    out
}

/// A span of `secs` seconds as h:mm:ss.s (the tables people read; the CSVs keep seconds).
pub fn hms(secs: f64) -> String {
    let tenths = (secs * 10.0).round().max(0.0) as u64;
    format!("{}:{:02}:{:02}.{}", tenths / 36_000, tenths / 600 % 60, tenths / 10 % 60, tenths % 10)
}

/// Dollars and cents with thousands separators: `$1,049.17`.
pub fn cents(usd: f64) -> String {
    let c = (usd.abs() * 100.0).round() as u64;
    format!("{}${}.{:02}", if usd < 0.0 { "-" } else { "" }, thousands(c / 100), c % 100)
}

/// A cost per item (a message, an outcome), to a hundredth of a cent: `$0.0101`.
pub fn per_unit(usd: f64) -> String {
    if usd.abs() >= 100.0 { cents(usd) } else { format!("${usd:.4}") }
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

/// A count, or a mean of counts over replications to a tenth when it is not whole (a
/// mean under a tenth as "<0.1", so that it never reads as none).
pub(crate) fn count_mean(x: f64) -> String {
    if x == x.round() {
        return thousands(x as u64);
    }
    if x < 0.05 {
        return "<0.1".into();
    }
    let tenths = (x * 10.0).round() as u64;
    format!("{}.{}", thousands(tenths / 10), tenths % 10)
}

/// `cells` as aligned text: the first column left-aligned, the others right-aligned.
pub fn text_table(cells: &[Vec<String>]) -> String {
    let Some(first) = cells.first() else { return String::new() };
    let widths: Vec<usize> =
        (0..first.len()).map(|c| cells.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut s = String::new();
    for r in cells {
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
    for (label, mean, interval) in intervals(rows) {
        let _ = writeln!(s, "  {label:<22} {mean}  {interval}");
    }
    for line in notes(rows.first().map_or("", |r| r.variant.as_str()), rows) {
        let _ = writeln!(s, "  note: {line}");
    }
    let _ = writeln!(s, "  wrote {}: {}", out_dir.display(), files.join(", "));
    s
}

/// [`over_limit`]'s lines for the one variant of `rows` (a run, or its replications),
/// without the variant's name: `run`'s `note:` lines and its page's.
pub fn notes(variant: &str, rows: &[Summary]) -> Vec<String> {
    let lines = over_limit(&[variant.to_string()], rows);
    lines.lines().map(|l| l.split_once(": ").map_or(l, |x| x.1).to_string()).collect()
}

/// The key figures of replications `rows`, as (label, mean, its 95% interval):
/// `run --replications`' summary and its page.
pub fn intervals(rows: &[Summary]) -> Vec<(&'static str, String, String)> {
    let mut lines = Vec::new();
    type Figure = (&'static str, fn(f64) -> String, fn(&Summary) -> Option<f64>);
    // As the plain run's summary writes them: counts with separators (a mean to a tenth),
    // seconds to the millisecond, dollars and cents.
    let count = |x: f64| {
        let tenths = (x.abs() * 10.0).round() as u64;
        format!("{}{}.{}", if x < 0.0 { "-" } else { "" }, thousands(tenths / 10), tenths % 10)
    };
    let figures: [Figure; 4] = [
        ("delivered", count, |s| Some(s.count(EndState::Delivered) as f64)),
        ("queue wait mean", |x| format!("{x:.3} s"), |s| t(s.queue_wait.mean)),
        ("latency p95", |x| format!("{x:.3} s"), |s| t(s.latency.p95)),
        ("total cost", cents, |s| usd(Some(s.cost_total))),
    ];
    for (label, show, f) in figures {
        let xs: Vec<f64> = rows.iter().filter_map(f).collect();
        let i = interval(&xs);
        if let (Some(m), Some(lo), Some(hi)) = (i.mean, i.low, i.high) {
            lines.push((label, show(m), format!("(95% CI {} to {}, n = {})", show(lo), show(hi), xs.len())));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_writes_an_hour_or_more_as_hours_minutes_and_seconds() {
        let t = |us: u64| secs(Some(SimTime::from_micros(us)));
        assert_eq!(t(2_540_000), "2.540 s");
        assert_eq!(t(3_599_999_000), "3599.999 s");
        assert_eq!(t(3_600_000_000), "1:00:00.0");
        assert_eq!(t(10_838_082_000), "3:00:38.1");
        assert_eq!(secs(None), "-");
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(count_mean(7236.0), "7,236");
        assert_eq!(count_mean(7236.4), "7,236.4");
        assert_eq!(count_mean(0.6), "0.6");
        assert_eq!(count_mean(0.04), "<0.1", "not none");
        assert_eq!(count_mean(999.95), "1,000.0");
    }

    #[test]
    fn times_and_money_read_as_people_write_them() {
        assert_eq!(hms(0.0), "0:00:00.0");
        assert_eq!(hms(2.36), "0:00:02.4");
        assert_eq!(hms(2503.999), "0:41:44.0");
        assert_eq!(hms(3.0 * 3600.0 - 0.04), "3:00:00.0", "2:59:59.96 rounds up into the hour");
        assert_eq!(hms(3.0 * 3600.0 + 59.95), "3:01:00.0");
        assert_eq!(hms(100.0 * 3600.0), "100:00:00.0");
        assert_eq!(cents(1211.505333), "$1,211.51");
        assert_eq!(cents(0.004), "$0.00");
        assert_eq!(cents(-3.5), "-$3.50");
        assert_eq!(per_unit(0.010071), "$0.0101");
        assert_eq!(per_unit(1234.5), "$1,234.50");
    }
}
