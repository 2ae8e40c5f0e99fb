//! The `compare` table, its break-even lines and the spend-limit notes that `run`,
//! `compare` and `sweep` share.

use super::{cents, count_mean, hms, mean, per_unit, t, text_table, usd};
use crate::engine::SimTime;
use crate::metrics::summary::{SourceSummary, Summary};
use crate::model::EndState;
use crate::scenario::units::thousands;
use crate::sms::Money;
use std::fmt::Write as _;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_people_write_them() {
        assert_eq!(after(15.0), "15.0 days");
        assert_eq!(after(2.0 / 24.0), "2.0 hours");
        assert_eq!(after(59.7 / 1440.0), "1.0 hours", "60 minutes, rounded, are an hour");
        assert_eq!(after(1.0 / 1440.0), "1 minute");
        assert_eq!(after(0.0), "1 minute", "at least one");
        assert_eq!(after(5.0 / 1440.0), "5 minutes");
    }
}
