//! The CSV tables: `summary.csv` (from typed summaries, columns from
//! [`Summary::visit`]), `summary_stats.csv`, `timeseries.csv` and `outcomes.csv`.

use super::csv_field;
use crate::metrics::stats::interval;
use crate::metrics::summary::{IDENTITY, SourceSummary, Summary};
use crate::metrics::{Metrics, Timeseries};
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// `summary.csv`: a header, then one row per summary; with `meets`, a `meets_target`
/// column of those flags.
pub fn summary_csv(rows: &[Summary], meets: Option<&[bool]>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header = Summary::columns();
    if meets.is_some() {
        header.push("meets_target".into());
    }
    // Writing to memory cannot fail.
    w.write_record(&header).expect("in-memory write");
    for (i, r) in rows.iter().enumerate() {
        let mut fields = r.fields();
        if let Some(m) = meets {
            fields.push(m[i].to_string());
        }
        w.write_record(&fields).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("UTF-8 fields")
}

/// `summary_stats.csv` columns.
pub const STATS_COLUMNS: &str = "variant,metric,mean,sd,ci95_low,ci95_high,n";

/// `summary_stats.csv` from summaries: for each variant in order of appearance and each
/// numeric column, the mean, the sample standard deviation and a Student t 95% interval
/// over the rows where it has a value.
pub fn summary_stats_csv(rows: &[Summary]) -> String {
    let mut out = format!("{STATS_COLUMNS}\n");
    let mut variants: Vec<&str> = Vec::new();
    for r in rows {
        if !variants.contains(&r.variant.as_str()) {
            variants.push(&r.variant);
        }
    }
    let columns: Vec<String> = Summary::columns().into_iter().filter(|c| !IDENTITY.contains(&c.as_str())).collect();
    for v in variants {
        let group: Vec<&Summary> = rows.iter().filter(|r| r.variant == v).collect();
        // Column-major values of the group, each row visited once.
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
        for r in &group {
            let mut c = 0;
            r.visit(|name, value| {
                if IDENTITY.contains(&name) {
                    return;
                }
                if let Some(x) = value.as_f64() {
                    values[c].push(x);
                }
                c += 1;
            });
        }
        let v = csv_field(v);
        for (name, xs) in columns.iter().zip(&values) {
            let i = interval(xs);
            let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.6}"));
            let _ = writeln!(out, "{v},{name},{},{},{},{},{}", f(i.mean), f(i.sd), f(i.low), f(i.high), xs.len());
        }
    }
    out
}

/// `timeseries.csv` columns.
pub const TIMESERIES_COLUMNS: &str =
    "t_s,scope,queue_depth,sent_parts,delivered,failed,inbound,spend_usd,variant,unreachable,expired,blocked";

/// Append the `timeseries.csv` rows of one run (variant `variant`) to `out`.
pub fn timeseries_rows(out: &mut String, sc: &Scenario, m: &Metrics, variant: &str) {
    let names = Timeseries::scope_names(sc);
    let variant = csv_field(variant);
    // The rows of a long horizon run to tens of thousands: integers are written with
    // `itoa` rather than through `fmt`, the same digits as `Display` at a tenth of the cost.
    let mut digits = itoa::Buffer::new();
    let mut int = |out: &mut String, v: u64| {
        out.push_str(digits.format(v));
        out.push(',');
    };
    // Per scope, its last row's values (counts, spend in micros) and their text after
    // the time: past a blast, a long horizon's rows repeat their scope's last values, and
    // are written once.
    type Values = ([u64; 8], i64);
    let mut last: Vec<(Option<Values>, String)> = vec![(None, String::new()); names.len()];
    for r in &m.timeseries.rows {
        fixed6(out, false, r.t.as_micros());
        out.push(',');
        let counts =
            [r.queue_depth, r.sent_parts, r.delivered, r.failed, r.inbound, r.unreachable, r.expired, r.blocked];
        let key = Some((counts, r.spend.micros()));
        let s = r.scope as usize;
        let (seen, t) = &mut last[s];
        if *seen != key {
            *seen = key;
            t.clear();
            t.push_str(&names[s]);
            t.push(',');
            // The column order: five counts, spend, variant, the other three counts.
            let (first, rest) = counts.split_at(5);
            first.iter().for_each(|&v| int(t, v));
            fixed6(t, r.spend.micros() < 0, r.spend.micros().unsigned_abs());
            t.push(',');
            t.push_str(&variant);
            t.push(',');
            int(t, rest[0]);
            int(t, rest[1]);
            t.push_str(itoa::Buffer::new().format(rest[2]));
            t.push('\n');
        }
        out.push_str(t);
    }
}

/// `a` millionths, negative or not, as `Display` writes `SimTime` and `Money`: a sign if
/// negative, units, a point, six digits.
fn fixed6(out: &mut String, negative: bool, a: u64) {
    if negative {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(a / 1_000_000));
    out.push('.');
    let frac = a % 1_000_000;
    let mut b = itoa::Buffer::new();
    let f = b.format(frac);
    for _ in f.len()..6 {
        out.push('0');
    }
    out.push_str(f);
}

/// `outcomes.csv` columns.
pub const OUTCOMES_COLUMNS: &str = "outcome,count,p50_s,p95_s,variant,cost_per_outcome_usd";

/// Append the `outcomes.csv` rows of one run: every outcome label the scenario declares,
/// in order of first appearance, with its count and time from the conversation's first
/// outbound request, and the run's `cost_total_usd` over its count (SPEC 8; empty for none).
pub fn outcome_rows(out: &mut String, sc: &Scenario, m: &Metrics, variant: &str) {
    let variant = csv_field(variant);
    let opt = |t: Option<crate::engine::SimTime>| t.map(|t| t.to_string()).unwrap_or_default();
    let total = crate::sms::price::total(&crate::metrics::summary::costs(sc, m));
    for (label, s) in sc.outcomes.iter().zip(&m.outcomes) {
        let per = crate::sms::price::per_item(total, s.count()).map(|c| c.to_string()).unwrap_or_default();
        let _ =
            writeln!(out, "{label},{},{},{},{variant},{per}", s.count(), opt(s.quantile(0.5)), opt(s.quantile(0.95)));
    }
}

/// The `sources.csv` header line.
pub fn sources_header() -> String {
    SourceSummary::columns().join(",")
}

/// Append the `sources.csv` rows of one run (variant `variant`) to `out`.
pub fn source_rows(out: &mut String, sources: &[SourceSummary], variant: &str) {
    let variant = csv_field(variant);
    for s in sources {
        out.push_str(&variant);
        s.visit(|name, v| {
            out.push(',');
            if name == "source" {
                out.push_str(&csv_field(&v.to_string()));
            } else {
                let _ = write!(out, "{v}");
            }
        });
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::fixed6;
    use crate::engine::SimTime;
    use crate::sms::money::Money;

    /// The fast writer against `Display`, digit for digit.
    #[test]
    fn fixed6_writes_what_display_writes() {
        for v in [0i64, 1, 9, 10, 999_999, 1_000_000, 1_000_001, 123_456_789, -1, -999_999, -1_000_000, -7_654_321] {
            let mut out = String::new();
            fixed6(&mut out, v < 0, v.unsigned_abs());
            assert_eq!(out, Money(v).to_string(), "{v}");
        }
        for v in [0u64, 5, 86_400_000_000, u64::MAX] {
            let mut out = String::new();
            fixed6(&mut out, false, v);
            assert_eq!(out, SimTime::from_micros(v).to_string(), "{v}");
        }
    }
}
