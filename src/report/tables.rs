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
    for r in &m.timeseries.rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.t,
            names[r.scope as usize],
            r.queue_depth,
            r.sent_parts,
            r.delivered,
            r.failed,
            r.inbound,
            r.spend,
            variant,
            r.unreachable,
            r.expired,
            r.blocked
        );
    }
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
