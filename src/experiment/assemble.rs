//! Every output of a plan from its complete results: the unsharded commands and `merge`
//! both end here, so their files are the same byte for byte.

use super::sweep::parse_targets;
use super::{Command, JobResult, Plan};
use crate::error::{Error, Result};
use crate::metrics::Summary;
use crate::report::{self, charts, tables, terminal};
use crate::run::{Tables, write_tables};
use std::path::Path;

/// A point's mean of a column, rounded to the 6 decimals the files print (so that a
/// target every row meets is met by the mean too); none if any row lacks the value.
fn point_mean(rows: &[Summary], point: &str, column: &str) -> Option<f64> {
    let group: Vec<&Summary> = rows.iter().filter(|r| r.variant == point).collect();
    let xs: Vec<f64> = group.iter().filter_map(|r| r.number(column)).collect();
    (!xs.is_empty() && xs.len() == group.len()).then(|| (xs.iter().sum::<f64>() / xs.len() as f64 * 1e6).round() / 1e6)
}

/// The point of least mean `cost_total_usd` among those `keep` keeps (by index), the first
/// in sweep order on a tie; none without a cost.
fn cheapest<'p>(points: &'p [String], rows: &[Summary], keep: impl Fn(usize) -> bool) -> Option<&'p String> {
    cheapest_by("cost_total_usd", points, rows, keep)
}

/// The point of least mean `column` among those `keep` keeps, as [`cheapest`].
fn cheapest_by<'p>(
    column: &str,
    points: &'p [String],
    rows: &[Summary],
    keep: impl Fn(usize) -> bool,
) -> Option<&'p String> {
    let mut best: Option<(&String, f64)> = None;
    for (_, p) in points.iter().enumerate().filter(|&(i, _)| keep(i)) {
        let cost = point_mean(rows, p, column).unwrap_or(f64::INFINITY);
        if cost < best.map_or(f64::INFINITY, |b| b.1) {
            best = Some((p, cost));
        }
    }
    best.map(|b| b.0)
}

/// With axes that set how much is sent (`customers.count`, a campaign's `recipients`, a
/// traffic source's `rate`), the cheapest point meeting the targets may simply send the
/// least: lines naming the cheapest point meeting every target (`meets`, per point) at
/// each combination of those axes' values, in sweep order (the first on a tie, as
/// `best`); none when those values leave the requests made within 1% of each other.
fn best_by_volume(points: &[String], rows: &[Summary], meets: &[bool]) -> Vec<String> {
    let volume = |k: &str| {
        k == "customers.count"
            || (k.starts_with("campaign.") && k.ends_with(".recipients"))
            || (k.starts_with("traffic.") && k.ends_with(".rate"))
    };
    // A point's values of the volume axes, as it names them (`customers.count=50000`).
    let of = |p: &str| -> String {
        p.split(';').filter(|s| s.split_once('=').is_some_and(|(k, _)| volume(k))).collect::<Vec<_>>().join(";")
    };
    let axes: Vec<&str> = points
        .first()
        .map(|p| p.split(';').filter_map(|s| s.split_once('=')).map(|(k, _)| k).filter(|k| volume(k)).collect())
        .unwrap_or_default();
    let mut values: Vec<String> = Vec::new();
    for v in points.iter().map(|p| of(p)) {
        if !values.contains(&v) {
            values.push(v);
        }
    }
    if axes.is_empty() || values.len() < 2 {
        return Vec::new();
    }
    // Only when they do set it here: the mean requests at each of their values differ by
    // more than 1% of the most (a `customers.count` under traffic whose rate decides how
    // much is sent changes who is texted, not how many).
    let requested: Vec<f64> = values
        .iter()
        .filter_map(|v| {
            let xs: Vec<f64> =
                points.iter().filter(|p| of(p) == *v).filter_map(|p| point_mean(rows, p, "requested")).collect();
            (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
        })
        .collect();
    let most = requested.iter().copied().fold(0.0, f64::max);
    if requested.iter().all(|&r| most - r <= 0.01 * most) {
        return Vec::new();
    }
    let (names, verb) = (axes.join(" and "), if axes.len() == 1 { "is an axis" } else { "are axes" });
    let mut out = vec![format!(
        "{names} {verb}, so the cheapest point may simply send the least; the cheapest meeting every target at each:"
    )];
    for v in values {
        let best = cheapest(points, rows, |i| meets[i] && of(&points[i]) == v);
        out.push(format!("  {v}: {}", best.map_or("none", |b| b.as_str())));
    }
    out
}

/// Write every output of `plan` from its complete `results` into `out` (a staging folder
/// that becomes `shown`); returns what to print. `wall` is the elapsed time when the
/// caller measured it.
pub fn assemble(plan: &Plan, results: &[JobResult], out: &Path, shown: &Path, wall: Option<f64>) -> Result<String> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let rows: Vec<Summary> = results.iter().map(|r| r.summary.clone()).collect();
    let mut points: Vec<String> = Vec::new();
    for r in &rows {
        if !points.contains(&r.variant) {
            points.push(r.variant.clone());
        }
    }
    let targets = match &plan.targets {
        Some(t) => parse_targets(t).map_err(Error::Usage)?,
        None => Vec::new(),
    };
    // With targets: whether each point's means meet them all (the best point is the
    // cheapest of those, the first on a tie), and whether each row's own values do.
    let point_meets: Option<Vec<bool>> = (!targets.is_empty())
        .then(|| points.iter().map(|p| targets.iter().all(|t| t.met_by(point_mean(&rows, p, &t.column)))).collect());
    let best = point_meets.as_ref().and_then(|pm| cheapest(&points, &rows, |i| pm[i]).cloned());
    let mut by_volume = point_meets.as_deref().map_or(Vec::new(), |pm| best_by_volume(&points, &rows, pm));
    // `best` charges this horizon everything (setup fees whole): when the month's view
    // picks another point, say which.
    if let Some(pm) = &point_meets {
        let monthly = cheapest_by("cost_monthly_run_rate_usd", &points, &rows, |i| pm[i]);
        let rate = |p: &String| point_mean(&rows, p, "cost_monthly_run_rate_usd");
        // Strictly cheaper per month than best: on a tie, best stands.
        let cheaper = |m: &&String| best.as_ref().is_none_or(|b| rate(m) < rate(b));
        if let Some(m) = monthly.filter(|&m| Some(m) != best.as_ref()).filter(cheaper) {
            by_volume.push(format!(
                "best is the cheapest over this horizon (cost_total_usd, setup fees charged to it whole); by monthly run rate the cheapest meeting every target is {m}"
            ));
        }
    }
    let meets: Option<Vec<bool>> = point_meets
        .as_ref()
        .map(|_| rows.iter().map(|r| targets.iter().all(|t| t.met_by(r.number(&t.column)))).collect());
    // The targeted columns as the targets read them, each once, for the sweep's table.
    let mut targeted_columns: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for t in &targets {
        if targeted_columns.iter().all(|(c, _)| c != &t.column) {
            targeted_columns.push((t.column.clone(), points.iter().map(|p| point_mean(&rows, p, &t.column)).collect()));
        }
    }
    let targeted = match (&point_meets, &meets) {
        (Some(points), Some(rows)) => {
            Some(terminal::Targeted { columns: &targeted_columns, points: points.as_slice(), rows: rows.as_slice() })
        }
        _ => None,
    };
    let mut timeseries = format!("{}\n", tables::TIMESERIES_COLUMNS);
    let mut outcomes = format!("{}\n", tables::OUTCOMES_COLUMNS);
    let mut sources = format!("{}\n", tables::sources_header());
    for r in results {
        timeseries.push_str(&r.timeseries);
        outcomes.push_str(&r.outcomes);
        if r.summary.replication == 0 {
            tables::source_rows(&mut sources, &r.sources, &r.summary.variant);
        }
    }
    let summary = tables::summary_csv(&rows, meets.as_deref());
    let t = Tables { summary, timeseries, outcomes, sources };
    write_tables(out, &t)?;
    let mut files = vec!["summary.csv", "sources.csv", "timeseries.csv", "outcomes.csv", "run.json"];
    if plan.replications > 1 {
        report::write_file(out, "summary_stats.csv", &tables::summary_stats_csv(&rows))?;
        files.insert(1, "summary_stats.csv");
    }
    // A sweep charts its key metrics and every column a target is set on.
    let mut sweep_charts: Vec<(String, String)> =
        charts::SWEEP_METRICS.iter().map(|(c, w)| (c.to_string(), w.to_string())).collect();
    for t in &targets {
        if !sweep_charts.iter().any(|(c, _)| c == &t.column) {
            sweep_charts.push((t.column.clone(), t.column.clone()));
        }
    }
    if !plan.no_charts {
        let dir = out.join("charts");
        if plan.command == Command::Sweep {
            let labels: Vec<String> = points
                .iter()
                .map(|p| p.split(';').map(|s| s.rsplit_once('=').map_or(s, |x| x.1)).collect::<Vec<_>>().join(" / "))
                .collect();
            let axes = plan.axes.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(" / ");
            // One numeric axis: chart a line over its values.
            let x: Option<Vec<f64>> = (plan.axes.len() == 1)
                .then(|| labels.iter().map(|l| l.parse::<f64>().ok().filter(|v| v.is_finite())).collect())
                .flatten();
            for (col, what) in &sweep_charts {
                let chart = charts::SweepChart {
                    scenario: plan.scenario_name.clone(),
                    axes: axes.clone(),
                    labels: labels.clone(),
                    x: x.clone(),
                    column: col.clone(),
                    what: what.clone(),
                    values: points.iter().map(|p| point_mean(&rows, p, col)).collect(),
                    interval: points
                        .iter()
                        .map(|p| {
                            let xs: Vec<f64> =
                                rows.iter().filter(|r| &r.variant == p).filter_map(|r| r.number(col)).collect();
                            let i = crate::metrics::stats::interval(&xs);
                            i.low.zip(i.high)
                        })
                        .collect(),
                    meets: point_meets.clone(),
                    best: best.as_ref().and_then(|b| points.iter().position(|p| p == b)),
                    targets: targets
                        .iter()
                        .filter(|t| &t.column == col)
                        .map(|t| (format!("target {} {} {}", t.column, t.op, t.value), t.value))
                        .collect(),
                    replications: plan.replications,
                };
                charts::write_sweep(&dir, &chart)?;
            }
        } else {
            let inputs: Vec<_> = results.iter().filter_map(|r| r.chart.clone()).collect();
            charts::write_inputs(&dir, &inputs)?;
        }
        files.push("charts/");
    }
    // Elapsed time when the caller measured it; after a merge, the shards' summed run time.
    let wall = wall.unwrap_or_else(|| results.iter().map(|r| r.wall_seconds).sum());
    let events = rows.iter().map(|r| r.events).sum();
    report::write_file(
        out,
        "run.json",
        &report::run_json(&plan.scenario_file, plan.seed, plan.replications, wall, events, &plan.warnings),
    )?;
    let n = plan.replications;
    let sources_of = || -> Vec<(&str, &[crate::metrics::summary::SourceSummary])> {
        results
            .iter()
            .filter(|r| r.summary.replication == 0)
            .map(|r| (r.summary.variant.as_str(), r.sources.as_slice()))
            .collect()
    };
    let outcomes_of = || -> Vec<(&str, &str)> {
        results
            .iter()
            .filter(|r| r.summary.replication == 0)
            .map(|r| (r.summary.variant.as_str(), r.outcomes.as_str()))
            .collect()
    };
    if !plan.no_report {
        let mut page = report::page::Page {
            name: &plan.scenario_name,
            warnings: &plan.warnings,
            sources: &t.sources,
            outcomes: &t.outcomes,
            ..Default::default()
        };
        let means = if n > 1 { format!(", means of {n} replications") } else { String::new() };
        match plan.command {
            Command::Run => {
                page.heading = format!(
                    "smsim run, seed {}, {n} replications (means; per source and outcomes: replication 0)",
                    plan.seed
                );
                page.answer = terminal::compare_cells(&points, &rows, &sources_of(), &outcomes_of());
                // The intervals and notes, as the terminal gives them (the table holds means).
                page.notes = terminal::intervals(&rows).into_iter().map(|(l, m, i)| format!("{l} {m} {i}")).collect();
                page.notes.extend(terminal::notes(points.first().map_or("", String::as_str), &rows));
            }
            Command::Compare => {
                page.heading = format!(
                    "smsim compare, seed {}: {} variants paired by common random numbers{means}",
                    plan.seed,
                    points.len()
                );
                page.answer = terminal::compare_cells(&points, &rows, &sources_of(), &outcomes_of());
                page.notes = terminal::break_even(&points, &points, &rows)
                    .map_or(Vec::new(), |s| s.lines().map(String::from).collect());
                page.notes.extend(terminal::over_limit(&points, &rows).lines().map(String::from));
            }
            Command::Sweep => {
                page.heading = format!(
                    "smsim sweep, seed {}: {} points{means}{}",
                    plan.seed,
                    points.len(),
                    plan.targets.as_ref().map_or(String::new(), |t| format!(", targets {t}"))
                );
                page.answer = terminal::sweep_cells(&points, &rows, targeted);
                page.highlight = best.as_ref().and_then(|b| points.iter().position(|p| p == b)).map(|i| i + 1);
                if meets.is_some() {
                    page.notes.push(format!(
                        "best (least total cost meeting every target): {}",
                        best.as_deref().unwrap_or("none")
                    ));
                }
                page.notes.extend(by_volume.iter().map(|l| l.trim().to_string()));
                page.notes.extend(terminal::sweep_break_even(&points, &rows).lines().map(String::from));
            }
        }
        let dir = out.join("charts");
        page.charts = if plan.command == Command::Sweep {
            let names: Vec<(String, &str)> =
                sweep_charts.iter().map(|(c, what)| (format!("sweep_{c}"), what.as_str())).collect();
            let names: Vec<(&str, &str)> = names.iter().map(|(a, b)| (a.as_str(), *b)).collect();
            report::page::charts(&dir, &names)
        } else {
            report::page::charts(&dir, &report::page::RUN_CHARTS)
        };
        report::write_file(out, "report.html", &report::page::render(&page))?;
        files.push("report.html");
    }
    Ok(match plan.command {
        Command::Run => terminal::replications_summary(&plan.scenario_name, &rows, shown, &files),
        Command::Compare => format!(
            "{} (seed {}), {} variants paired by common random numbers{}:\n{}wrote {}: {}\n",
            plan.scenario_name,
            plan.seed,
            points.len(),
            if n > 1 { format!(", means of {n} replications") } else { String::new() },
            terminal::compare_table(&points, &rows, &sources_of(), &outcomes_of()),
            shown.display(),
            files.join(", ")
        ),
        Command::Sweep => {
            terminal::sweep_summary(&points, &rows, targeted, (best.as_deref(), &by_volume), (shown, &files))
        }
    })
}
