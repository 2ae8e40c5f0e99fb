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

mod sweep;
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
        let _ = writeln!(out, "  cost per outcome: {}", per_outcome.join(", "));
    }
    for line in over_limit(std::slice::from_ref(&s.variant), std::slice::from_ref(s)).lines() {
        let _ = writeln!(out, "  note: {}", line.split_once(": ").map_or(line, |x| x.1));
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

/// The `compare` table: variants as columns, key figures as rows (means over
/// replications when there are several), then the drain and latency p95 of each campaign
/// and traffic source and, when flows define outcomes, each outcome's count, p50 and cost
/// per outcome (of replication 0, from `sources`: each variant's name, sources and
/// `outcomes.csv` rows); then the break-even of each variant against the first.
pub fn compare_table(
    variants: &[String],
    rows: &[Summary],
    sources: &[(&str, &[SourceSummary])],
    outcomes: &[(&str, &str)],
) -> String {
    let mut s = text_table(&compare_cells(variants, rows, sources, outcomes));
    if let Some(lines) = break_even(variants, variants, rows) {
        s.push_str(&lines);
    }
    s.push_str(&over_limit(variants, rows));
    s
}

/// For each variant whose run rate's message costs pass its monthly spend limit, a line
/// saying so: the run rate assumes the horizon repeats all month, which the limit would
/// not allow (it would stop sending after about the days given, from a month's first
/// day; with `spent_usd`, also from t = 0 this month). A variant whose run rate is within
/// the limit but not within what `spent_usd` leaves of it gets the latter alone. A
/// variant whose limit
/// already refused messages in the run gets a line saying that instead: its message
/// charges stop near the limit, so no extrapolation from them says what the traffic asked
/// for or when a repeat would stop (the time of the first refusal is on its own line).
pub fn over_limit(variants: &[String], rows: &[Summary]) -> String {
    let mut out = String::new();
    for v in variants {
        let runs: Vec<&Summary> = rows.iter().filter(|r| &r.variant == v).collect();
        let hits: Vec<f64> = runs.iter().filter_map(|r| t(r.spend_limit_hit)).collect();
        if let (Some(limit), false) = (runs.first().map(|r| r.spend_limit), hits.is_empty()) {
            let when = if runs.len() == 1 {
                "in this run".to_string()
            } else {
                format!("in {} of {} replications", hits.len(), runs.len())
            };
            let _ = writeln!(
                out,
                "{v}: the {} monthly spend limit refused messages {when}: the run rate's message charges stop near the limit, so they say nothing of what the traffic asked for",
                limit.dollars(),
            );
            continue;
        }
        let (Some(rate), Some(fixed), Some(limit)) = (
            mean(rows, v, |s| usd(Some(s.cost_monthly_run_rate))),
            mean(rows, v, |s| usd(Some(s.cost_monthly_fixed))),
            mean(rows, v, |s| usd(Some(s.spend_limit))),
        ) else {
            continue;
        };
        let charged = rate - fixed;
        let spent = mean(rows, v, |s| usd(Some(s.spent))).unwrap_or(0.0);
        // The month is 30 days (`sms::price`): a sum of spend lasts that share of it.
        let lasts = |usd: f64| after(30.0 * usd / charged);
        // What this month's limit has left at t = 0, when something is already spent and
        // the traffic would pass it before the month is out.
        let this_month = (limit > 0.0 && spent > 0.0 && charged > limit - spent).then(|| {
            let left = limit - spent;
            (Money::dollars_f64(spent), if left > 0.0 { lasts(left) } else { "none of it (at once)".into() })
        });
        if limit > 0.0 && charged > limit {
            let _ = writeln!(
                out,
                "{v}: at this run rate the messages would cost {} a month, past the {} monthly spend limit: repeated, this traffic would be stopped after about {} of a month{}",
                cents(charged),
                Money::dollars_f64(limit),
                lasts(limit),
                this_month
                    .map(|(s, d)| format!(" ({s} already spent this month: after about {d})"))
                    .unwrap_or_default(),
            );
        } else if let Some((s, d)) = this_month {
            let _ = writeln!(
                out,
                "{v}: at this run rate the messages would cost {} a month, within the {} monthly spend limit, but with {s} already spent this month this traffic would be stopped after about {d}",
                cents(charged),
                Money::dollars_f64(limit),
            );
        }
    }
    out
}

/// `days` as a few significant words: days, hours or minutes (at least one).
fn after(days: f64) -> String {
    let minutes = (days * 1440.0).round().max(1.0);
    if days >= 1.0 {
        format!("{days:.1} days")
    } else if minutes >= 60.0 {
        format!("{:.1} hours", days * 24.0)
    } else {
        format!("{minutes:.0} minute{}", if minutes == 1.0 { "" } else { "s" })
    }
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

/// The cells of [`compare_table`]: a header row (an empty corner, then the variants),
/// then one row per figure.
pub fn compare_cells(
    variants: &[String],
    rows: &[Summary],
    sources: &[(&str, &[SourceSummary])],
    outcomes: &[(&str, &str)],
) -> Vec<Vec<String>> {
    let sec = |x: Option<f64>| x.map_or("-".to_string(), hms);
    let dollars = |x: Option<f64>| x.map_or("-".to_string(), cents);
    let unit = |x: Option<f64>| x.map_or("-".to_string(), per_unit);
    type Row<'a> = (&'a str, Box<dyn Fn(&str) -> String + 'a>);
    let m = |v: &str, f: fn(&Summary) -> Option<f64>| mean(rows, v, f);
    let count = |x: Option<f64>| x.map_or("-".into(), count_mean);
    let mut table: Vec<Row<'_>> =
        vec![("delivered", Box::new(move |v| count(m(v, |s| Some(s.count(EndState::Delivered) as f64)))))];
    // Every other end state that is not zero in some variant, by its column name (SPEC 6.4).
    for &state in EndState::ALL.iter().filter(|&&st| st != EndState::Delivered) {
        if rows.iter().any(|r| r.count(state) > 0) {
            table.push((state.name(), Box::new(move |v| count(mean(rows, v, |s| Some(s.count(state) as f64))))));
        }
    }
    // Sending windows (SPEC 7.1), when some variant's requests met one: requests held
    // for it, and messages that waited in a queue past its close.
    type Of = fn(&Summary) -> u64;
    let windows: [(&str, Of); 2] =
        [("held for window", |s| s.held_for_window), ("sent outside window", |s| s.sent_outside_window)];
    for (label, f) in windows {
        if rows.iter().any(|r| f(r) > 0) {
            table.push((label, Box::new(move |v| count(mean(rows, v, |s| Some(f(s) as f64))))));
        }
    }
    // What the topic's subscribers made of the inbound messages, when there were any.
    use crate::model::observe::DeliveryState as D;
    if rows.iter().any(|r| r.subscribers.values().iter().sum::<u64>() > 0) {
        for (label, st) in [
            ("subscriber delivered", D::Delivered),
            ("subscriber dead-lettered", D::DeadLettered),
            ("subscriber dropped", D::Dropped),
            ("subscriber pending", D::Pending),
        ] {
            if st == D::Delivered || rows.iter().any(|r| r.subscribers[st] > 0) {
                table.push((label, Box::new(move |v| count(mean(rows, v, |s| Some(s.subscribers[st] as f64))))));
            }
        }
    }
    table.extend::<Vec<Row<'_>>>(vec![
        ("latency p50", Box::new(|v| sec(m(v, |s| t(s.latency.p50))))),
        ("latency p95", Box::new(|v| sec(m(v, |s| t(s.latency.p95))))),
        ("latency p99", Box::new(|v| sec(m(v, |s| t(s.latency.p99))))),
        ("drain time", Box::new(|v| sec(m(v, |s| t(s.drain))))),
        ("total cost", Box::new(|v| dollars(m(v, |s| usd(Some(s.cost_total)))))),
        ("cost per delivered", Box::new(|v| unit(m(v, |s| usd(s.cost_per_delivered))))),
        ("monthly run rate", Box::new(|v| dollars(m(v, |s| usd(Some(s.cost_monthly_run_rate)))))),
    ]);
    if rows.iter().any(|r| r.cost_protect_fees > Money::ZERO) {
        table.push(("protect fees", Box::new(|v| dollars(m(v, |s| usd(Some(s.cost_protect_fees)))))));
    }
    table.extend::<Vec<Row<'_>>>(vec![(
        "spend limit hit",
        Box::new(|v| m(v, |s| t(s.spend_limit_hit)).map_or("no".into(), |x| format!("at {}", hms(x)))),
    )]);
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
    let several = names.len() > 1;
    for name in names {
        for (what, f) in [
            // Drain time from the source's own first request (`sources.csv`), not from t = 0
            // as the summary's "drain time" row.
            ("drain from its start", (|s: &SourceSummary| s.drain) as fn(&SourceSummary) -> Option<SimTime>),
            ("latency p95", |s| s.latency.p95),
        ] {
            let row = variants.iter().map(|v| sec(t(of(v, name).and_then(f))));
            cells.push(std::iter::once(format!("{name} {what}")).chain(row).collect());
        }
        if !several {
            continue; // the summary's rows above are this source's
        }
        // Which source paid, and what stopped each (a pumping attack against genuine
        // traffic at the spend limit, a blast against passcodes at a cap).
        for &state in EndState::ALL.iter().filter(|&&st| st != EndState::Delivered) {
            if variants.iter().any(|v| of(v, name).is_some_and(|s| s.ends[state] > 0)) {
                let row = variants.iter().map(|v| of(v, name).map_or("-".into(), |s| thousands(s.ends[state])));
                cells.push(std::iter::once(format!("{name} {}", state.name())).chain(row).collect());
            }
        }
        let row = variants.iter().map(|v| dollars(of(v, name).map(|s| s.cost.micros() as f64 / 1e6)));
        cells.push(std::iter::once(format!("{name} cost")).chain(row).collect());
    }
    // Outcomes: `outcome,count,p50_s,p95_s,variant,cost_per_outcome_usd` rows.
    let parsed: Vec<(&str, Vec<Vec<&str>>)> =
        outcomes.iter().map(|(v, text)| (*v, text.lines().map(|l| l.split(',').collect()).collect())).collect();
    let mut labels: Vec<&str> = Vec::new();
    for (_, list) in &parsed {
        for r in list.iter().filter(|r| r.len() >= 6) {
            if !labels.contains(&r[0]) {
                labels.push(r[0]);
            }
        }
    }
    for label in labels {
        let cell = |v: &str, k: usize| {
            parsed
                .iter()
                .find(|(x, _)| *x == v)
                .and_then(|(_, l)| l.iter().find(|r| r.len() >= 6 && r[0] == label))
                .map(|r| r[k])
        };
        let count = |v: &str| cell(v, 1).and_then(|c| c.parse().ok()).map_or("-".into(), thousands);
        let p50 = |v: &str| sec(cell(v, 2).and_then(|c| c.parse().ok()));
        let per = |v: &str| unit(cell(v, 5).and_then(|c| c.parse().ok()));
        for (what, f) in [("", &count as &dyn Fn(&str) -> String), (" p50", &p50), (" cost per outcome", &per)] {
            cells
                .push(std::iter::once(format!("outcome {label}{what}")).chain(variants.iter().map(|v| f(v))).collect());
        }
    }
    cells
}

/// A variant's monthly cost as a line in the requests it makes a month: the fixed part
/// (leases, monthly fees, setup amortised) and the charged cost per request, with the
/// run's requests a month; from the summary's own columns (means over replications).
fn monthly_line(rows: &[Summary], v: &str) -> Option<(f64, f64, Option<f64>)> {
    let fixed = mean(rows, v, |s| usd(Some(s.cost_monthly_fixed)))?;
    let rate = mean(rows, v, |s| usd(Some(s.cost_monthly_run_rate)))?;
    let charged = mean(rows, v, |s| {
        usd(Some(
            s.costs[crate::sms::price::CostPart::Messages]
                + s.costs[crate::sms::price::CostPart::CarrierFees]
                + s.costs[crate::sms::price::CostPart::Inbound],
        ))
    })?;
    let requested = mean(rows, v, |s| Some(s.requested as f64))?;
    // The run rate is fixed + charged x (horizons a month): requests a month follow
    // (unknown when nothing was charged).
    let per_month = (charged > 0.0).then(|| requested * (rate - fixed) / charged);
    (requested > 0.0).then(|| (fixed, charged / requested, per_month))
}

/// For each variant after the first (rows named by `points`, printed as `labels`): the
/// monthly volume (requests a month) above or below which it costs less per month than
/// the first, from each one's fixed monthly cost and charged cost per request (SPEC 8's
/// run rate as a line in volume). None when no variant's numbers cost differently.
pub fn break_even(points: &[String], labels: &[String], rows: &[Summary]) -> Option<String> {
    let base = points.first()?;
    let (fb, ub, q) = monthly_line(rows, base)?;
    let mut out = String::new();
    let money = cents;
    let per = |x: f64| format!("${x:.5}");
    for (v, label) in points.iter().zip(labels).skip(1) {
        let Some((fv, uv, _)) = monthly_line(rows, v) else { continue };
        // Only variants whose numbers cost differently: with the same fixed cost, the
        // cheaper per request is cheaper at any volume, as the run rate row shows.
        if (fv - fb).abs() < 1e-6 {
            continue;
        }
        let line = if fv >= fb && uv >= ub {
            format!(
                "never cheaper per month: {} fixed a month against {}, and {} a request against {}",
                money(fv),
                money(fb),
                per(uv),
                per(ub)
            )
        } else if fv <= fb && uv <= ub {
            format!("cheaper per month at any volume ({} fixed, {} a request)", money(fv), per(uv))
        } else {
            let at = (fv - fb) / (ub - uv);
            let side = if uv < ub { "above" } else { "below" };
            format!(
                "cheaper per month {side} {} requests a month ({} fixed against {}, {} a request against {})",
                thousands(at.round() as u64),
                money(fv),
                money(fb),
                per(uv),
                per(ub)
            )
        };
        let _ = writeln!(out, "  {label}: {line}");
    }
    (!out.is_empty()).then(|| {
        let volume = q.map_or(String::new(), |q| {
            format!(" (this run is {} requests a month at its run rate)", thousands(q.round() as u64))
        });
        format!("break-even against {}{volume}:\n{out}", labels[0])
    })
}

/// A sweep with a `variant` axis: the break-even of each variant against the first, at
/// each combination of the other axes' values.
pub fn sweep_break_even(points: &[String], rows: &[Summary]) -> String {
    let split = |p: &str| {
        let (picked, rest): (Vec<&str>, Vec<&str>) = p.split(';').partition(|s| s.starts_with("variant="));
        (picked.first().map_or("base", |v| &v["variant=".len()..]).to_string(), rest.join(";"))
    };
    let mut groups: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for p in points {
        let (variant, rest) = split(p);
        match groups.iter_mut().find(|g| g.0 == rest) {
            Some(g) => {
                g.1.push(p.clone());
                g.2.push(variant);
            }
            None => groups.push((rest, vec![p.clone()], vec![variant])),
        }
    }
    let mut out = String::new();
    for (rest, group, labels) in groups {
        if let Some(lines) = break_even(&group, &labels, rows) {
            let at = if rest.is_empty() { String::new() } else { format!(" at {rest}") };
            out.push_str(
                &lines.replacen(&format!("against {}", labels[0]), &format!("against {}{at}", labels[0]), 1).replacen(
                    " (this run",
                    " (this point",
                    1,
                ),
            );
        }
    }
    out
}

/// The terminal summary of `run --replications`: mean and 95% interval of key figures.
pub fn replications_summary(name: &str, rows: &[Summary], out_dir: &Path, files: &[&str]) -> String {
    let mut s = format!("{name} ({} replications):\n", rows.len());
    for line in intervals(rows) {
        let _ = writeln!(s, "  {line}");
    }
    let variant = rows.first().map(|r| r.variant.clone()).unwrap_or_default();
    for line in over_limit(std::slice::from_ref(&variant), rows).lines() {
        let _ = writeln!(s, "  note: {}", line.split_once(": ").map_or(line, |x| x.1));
    }
    let _ = writeln!(s, "  wrote {}: {}", out_dir.display(), files.join(", "));
    s
}

/// The key figures of replications `rows`, a line each: the mean and its 95% interval
/// (`run --replications`' summary and its page).
pub fn intervals(rows: &[Summary]) -> Vec<String> {
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
            lines.push(format!("{label:<22} {}  (95% CI {} to {}, n = {})", show(m), show(lo), show(hi), xs.len()));
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
    fn counts_and_spans_read_as_people_write_them() {
        assert_eq!(count_mean(7236.0), "7,236");
        assert_eq!(count_mean(7236.4), "7,236.4");
        assert_eq!(count_mean(0.6), "0.6");
        assert_eq!(count_mean(0.04), "<0.1", "not none");
        assert_eq!(count_mean(999.95), "1,000.0");
        assert_eq!(after(15.0), "15.0 days");
        assert_eq!(after(2.0 / 24.0), "2.0 hours");
        assert_eq!(after(59.7 / 1440.0), "1.0 hours", "60 minutes, rounded, are an hour");
        assert_eq!(after(1.0 / 1440.0), "1 minute");
        assert_eq!(after(0.0), "1 minute", "at least one");
        assert_eq!(after(5.0 / 1440.0), "5 minutes");
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
