//! One simulation run of a validated scenario, and the files it writes.

use crate::engine::{self, Scheduler, SimTime};
use crate::error::{Error, Result};
use crate::experiment;
use crate::metrics::Metrics;
use crate::model::{Observer, World};
use crate::report::{self, events::EventLog};
use crate::scenario::Scenario;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What one run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The seed used.
    pub seed: u64,
    /// Statistics and time series.
    pub metrics: Metrics,
    /// Replication index (0 for a plain run).
    pub replication: u32,
    /// Events the kernel handled.
    pub events: u64,
    /// Wall-clock seconds of the simulation proper.
    pub wall_seconds: f64,
}

/// Progress of a run, reported now and then while it goes.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Simulated time reached.
    pub t: SimTime,
    /// Events handled so far.
    pub events: u64,
    /// Outbound requests that reached an end state so far.
    pub settled: u64,
}

/// Simulate `sc` under `seed`, feeding every observation to `extra` as well as to the
/// metrics. `progress` is called now and then.
pub fn simulate<O: Observer>(
    sc: &Scenario,
    seed: u64,
    extra: O,
    mut progress: impl FnMut(Progress),
) -> (RunOutcome, O) {
    let start = Instant::now();
    let mut sched = Scheduler::new();
    let mut world = World::new(sc, seed, (Metrics::new(sc), extra), &mut sched);
    let stats = engine::run(&mut world, &mut sched, sc.horizon, |t, events, w| {
        progress(Progress { t, events, settled: w.obs.0.ends.iter().sum() })
    });
    // Close the time series first: what `finish` settles at the horizon (pending,
    // expired in queue) must not empty the last interval's queue depth.
    world.obs.0.finish();
    world.finish(sc.horizon, &mut sched);
    let (metrics, extra) = world.obs;
    let outcome =
        RunOutcome { seed, replication: 0, metrics, events: stats.events, wall_seconds: start.elapsed().as_secs_f64() };
    (outcome, extra)
}

/// Options of `smsim run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `simulation.seed`.
    pub seed: Option<u64>,
    /// Output folder (default `output/<name>/`).
    pub out: Option<PathBuf>,
    /// Also write `events.csv`.
    pub events: bool,
    /// Skip the charts.
    pub no_charts: bool,
}

/// The default output folder of `sc`.
pub fn default_out(sc: &Scenario) -> PathBuf {
    Path::new("output").join(&sc.name)
}

/// Run `sc` and write its outputs; returns the outcome and the folder written.
pub fn run_and_write(
    sc: &Scenario,
    opts: &RunOptions,
    progress: impl FnMut(Progress),
) -> Result<(RunOutcome, PathBuf, Vec<&'static str>)> {
    let seed = opts.seed.unwrap_or(sc.seed);
    let out = opts.out.clone().unwrap_or_else(|| default_out(sc));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let mut files = vec!["summary.csv", "timeseries.csv", "outcomes.csv", "run.json"];
    let outcome = if opts.events {
        let create = |name: &str| {
            let path = out.join(name);
            std::fs::File::create(&path).map(|f| BufWriter::with_capacity(1 << 20, f)).map_err(|e| Error::io(&path, e))
        };
        let log = EventLog::new(sc, seed, create("events.csv")?, create("inbound.jsonl")?);
        let (outcome, log) = simulate(sc, seed, Some(log), progress);
        log.expect("log was given").finish().map_err(|e| Error::io(out.join("events.csv"), e))?;
        files.extend(["events.csv", "inbound.jsonl"]);
        outcome
    } else {
        simulate(sc, seed, None::<EventLog<'_, std::io::Sink, std::io::Sink>>, progress).0
    };
    write_tables(&out, &tables(&[(sc, &outcome)]))?;
    if !opts.no_charts {
        report::charts::write(&out.join("charts"), &[(sc, &outcome.metrics)])?;
        files.push("charts/");
    }
    report::write_file(&out, "run.json", &report::run_json(&sc.file, seed, 1, outcome.wall_seconds, outcome.events))?;
    Ok((outcome, out, files))
}

/// The CSV outputs of one or more runs: `summary.csv`, `timeseries.csv`, `outcomes.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// `summary.csv`.
    pub summary: String,
    /// `timeseries.csv`.
    pub timeseries: String,
    /// `outcomes.csv`.
    pub outcomes: String,
}

/// The tables of `runs`, one summary row each, in order; each row's variant is its
/// scenario's. The time series and outcomes are those of replication 0 (SPEC 5).
pub fn tables(runs: &[(&Scenario, &RunOutcome)]) -> Tables {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(sc, o)| report::summary_row(sc, &sc.variant, o.seed, o.replication, &o.metrics, o.events))
        .collect();
    // Each run's rows are formatted on its own thread, then joined in run order.
    use rayon::prelude::*;
    let parts: Vec<(String, String)> = runs
        .par_iter()
        .filter(|(_, o)| o.replication == 0)
        .map(|(sc, o)| {
            let (mut ts, mut oc) = (String::new(), String::new());
            report::timeseries_rows(&mut ts, sc, &o.metrics, &sc.variant);
            report::outcome_rows(&mut oc, sc, &o.metrics, &sc.variant);
            (ts, oc)
        })
        .collect();
    let mut ts = format!("{}\n", report::TIMESERIES_COLUMNS);
    let mut oc = format!("{}\n", report::OUTCOMES_COLUMNS);
    for (t, o) in parts {
        ts.push_str(&t);
        oc.push_str(&o);
    }
    Tables { summary: report::summary_csv(&rows), timeseries: ts, outcomes: oc }
}

/// Write `t` into `out`.
pub fn write_tables(out: &Path, t: &Tables) -> Result<()> {
    report::write_file(out, "summary.csv", &t.summary)?;
    report::write_file(out, "timeseries.csv", &t.timeseries)?;
    report::write_file(out, "outcomes.csv", &t.outcomes)
}

/// Run the base scenario and every variant on one seed (the base's, or `opts.seed`), so
/// that they are paired by common random numbers; write the tables and `run.json`.
pub fn compare_and_write(
    all: &[Scenario],
    opts: &RunOptions,
    mut progress: impl FnMut(usize, Progress),
) -> Result<(Vec<RunOutcome>, PathBuf)> {
    let base = all.first().ok_or_else(|| Error::Input("no scenario to compare".into()))?;
    let seed = opts.seed.unwrap_or(base.seed);
    let out = opts.out.clone().unwrap_or_else(|| default_out(base));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let outcomes: Vec<RunOutcome> =
        all.iter().enumerate().map(|(i, sc)| simulate(sc, seed, (), |p| progress(i, p)).0).collect();
    let runs: Vec<(&Scenario, &RunOutcome)> = all.iter().zip(&outcomes).collect();
    write_tables(&out, &tables(&runs))?;
    if !opts.no_charts {
        let metrics: Vec<_> = runs.iter().map(|(sc, o)| (*sc, &o.metrics)).collect();
        report::charts::write(&out.join("charts"), &metrics)?;
    }
    let wall = outcomes.iter().map(|o| o.wall_seconds).sum();
    let events = outcomes.iter().map(|o| o.events).sum();
    report::write_file(&out, "run.json", &report::run_json(&base.file, seed, 1, wall, events))?;
    Ok((outcomes, out))
}

/// `run --replications R` (R > 1): replication k under the seed derived from (seed, k),
/// replication 0 equal to the plain run, in parallel; one summary row each, the time
/// series, outcomes, charts and events of replication 0, and `summary_stats.csv`.
pub fn run_replications(
    sc: &Scenario,
    opts: &RunOptions,
    replications: u32,
    done: impl Fn(usize) + Sync,
) -> Result<(Vec<RunOutcome>, PathBuf, Vec<&'static str>)> {
    let seed = opts.seed.unwrap_or(sc.seed);
    let out = opts.out.clone().unwrap_or_else(|| default_out(sc));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let jobs = experiment::jobs(std::slice::from_ref(sc), seed, replications);
    let mut files = vec!["summary.csv", "summary_stats.csv", "timeseries.csv", "outcomes.csv", "run.json"];
    let outcomes = if opts.events {
        // Replication 0 with the event log, the rest in parallel.
        let first = RunOptions { seed: Some(seed), out: Some(out.clone()), events: true, no_charts: true };
        let (o0, _, _) = run_and_write(sc, &first, |_| {})?;
        files.extend(["events.csv", "inbound.jsonl"]);
        std::iter::once(o0).chain(experiment::run_jobs(&jobs[1..], |n| done(n + 1))).collect()
    } else {
        experiment::run_jobs(&jobs, done)
    };
    let outcomes: Vec<RunOutcome> =
        outcomes.into_iter().zip(&jobs).map(|(o, j)| RunOutcome { replication: j.replication, ..o }).collect();
    let runs: Vec<(&Scenario, &RunOutcome)> = outcomes.iter().map(|o| (sc, o)).collect();
    let t = tables(&runs);
    write_tables(&out, &t)?;
    report::write_file(&out, "summary_stats.csv", &stats_of(&runs))?;
    if !opts.no_charts {
        report::charts::write(&out.join("charts"), &[(sc, &outcomes[0].metrics)])?;
        files.push("charts/");
    }
    let wall = outcomes.iter().map(|o| o.wall_seconds).sum();
    let events = outcomes.iter().map(|o| o.events).sum();
    report::write_file(&out, "run.json", &report::run_json(&sc.file, seed, replications, wall, events))?;
    Ok((outcomes, out, files))
}

/// `summary_stats.csv` of `runs`.
pub fn stats_of(runs: &[(&Scenario, &RunOutcome)]) -> String {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(sc, o)| report::summary_row(sc, &sc.variant, o.seed, o.replication, &o.metrics, o.events))
        .collect();
    let columns: Vec<&str> =
        report::SUMMARY_COLUMNS.iter().chain(report::SUMMARY_HEADER_TAIL.iter()).copied().collect();
    experiment::summary_stats(&columns, &rows)
}

/// What a sweep produced.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    /// The points' labels (`path=value;...`), in sweep order.
    pub points: Vec<String>,
    /// `summary.csv` rows, with `meets_target` when there are targets.
    pub rows: Vec<Vec<String>>,
    /// The point of least mean `cost_total_usd` that meets every target, if any.
    pub best: Option<String>,
    /// Where the files went.
    pub out: PathBuf,
}

/// `smsim sweep`: every point of the cartesian product of `axes` (first axis slowest),
/// `replications` each, in parallel on one seed; with `targets`, the `meets_target`
/// column (per row) and the best point (its replications' means meet every target).
pub fn sweep_and_write(
    path: &Path,
    axes: &[experiment::Axis],
    targets: &[experiment::Target],
    opts: &RunOptions,
    replications: u32,
    done: impl Fn(usize) + Sync,
) -> Result<SweepOutcome> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let label = path.display().to_string();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    let base = crate::scenario::load_str(&text, &label, &stem, &[])?;
    let points = experiment::points(axes);
    let scenarios = points
        .iter()
        .map(|sets| {
            let mut sc = crate::scenario::load_str(&text, &label, &stem, sets)?;
            sc.variant = sets.join(";");
            Ok(sc)
        })
        .collect::<Result<Vec<_>>>()?;
    let seed = opts.seed.unwrap_or(base.seed);
    let out = opts.out.clone().unwrap_or_else(|| default_out(&base));
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let jobs = experiment::jobs(&scenarios, seed, replications);
    let outcomes: Vec<RunOutcome> = experiment::run_jobs(&jobs, done)
        .into_iter()
        .zip(&jobs)
        .map(|(o, j)| RunOutcome { replication: j.replication, ..o })
        .collect();
    let runs: Vec<(&Scenario, &RunOutcome)> = jobs.iter().zip(&outcomes).map(|(j, o)| (j.sc, o)).collect();
    let t = tables(&runs);
    let base_columns: Vec<&str> =
        report::SUMMARY_COLUMNS.iter().chain(report::SUMMARY_HEADER_TAIL.iter()).copied().collect();
    let mut columns = base_columns.clone();
    let mut rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(sc, o)| report::summary_row(sc, &sc.variant, o.seed, o.replication, &o.metrics, o.events))
        .collect();
    let value = |row: &[String], col: &str| {
        base_columns.iter().position(|c| *c == col).and_then(|i| row[i].parse::<f64>().ok())
    };
    let mut best = None;
    if !targets.is_empty() {
        let mut best_cost = f64::INFINITY;
        for p in &points {
            let label = p.join(";");
            let group: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == label).collect();
            let mean = |col: &str| {
                let xs: Vec<f64> = group.iter().filter_map(|r| value(r, col)).collect();
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
            };
            if targets.iter().all(|t| t.met_by(mean(&t.column))) {
                let cost = mean("cost_total_usd").unwrap_or(f64::INFINITY);
                if cost < best_cost {
                    best_cost = cost;
                    best = Some(label);
                }
            }
        }
        let flags: Vec<bool> = rows.iter().map(|r| targets.iter().all(|t| t.met_by(value(r, &t.column)))).collect();
        for (r, ok) in rows.iter_mut().zip(flags) {
            r.push(ok.to_string());
        }
        columns.push("meets_target");
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(&columns).expect("in-memory write");
    for r in &rows {
        w.write_record(r).expect("in-memory write");
    }
    let summary = String::from_utf8(w.into_inner().expect("in-memory flush")).expect("UTF-8 fields");
    write_tables(&out, &Tables { summary, ..t })?;
    if replications > 1 {
        report::write_file(&out, "summary_stats.csv", &stats_of(&runs))?;
    }
    if !opts.no_charts {
        let labels: Vec<String> = points
            .iter()
            .map(|p| p.iter().map(|s| s.rsplit_once('=').map_or(s.as_str(), |x| x.1)).collect::<Vec<_>>().join(" / "))
            .collect();
        let metric = |col: &str| -> Vec<Option<f64>> {
            points
                .iter()
                .map(|p| {
                    let label = p.join(";");
                    let xs: Vec<f64> = rows.iter().filter(|r| r[1] == label).filter_map(|r| value(r, col)).collect();
                    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
                })
                .collect()
        };
        let axes_name = axes.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(" / ");
        for (col, what) in report::charts::SWEEP_METRICS {
            report::charts::write_sweep(&out.join("charts"), &base.name, &axes_name, &labels, col, what, &metric(col))?;
        }
    }
    let wall = outcomes.iter().map(|o| o.wall_seconds).sum();
    let events = outcomes.iter().map(|o| o.events).sum();
    report::write_file(&out, "run.json", &report::run_json(&base.file, seed, replications, wall, events))?;
    Ok(SweepOutcome { points: points.iter().map(|p| p.join(";")).collect(), rows, best, out })
}
