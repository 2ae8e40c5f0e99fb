//! One simulation run of a validated scenario, and the files it writes.

use crate::engine::{self, Scheduler, SimTime};
use crate::error::{Error, Result};
use crate::experiment::{self, Command, JobResult, Plan};
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

/// The `summary.csv` columns before `meets_target`.
pub fn summary_columns() -> Vec<&'static str> {
    report::SUMMARY_COLUMNS.iter().chain(report::SUMMARY_HEADER_TAIL.iter()).copied().collect()
}

/// A multi-run command ready to execute: its plan and the scenario of each job.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What decides the outputs.
    pub plan: Plan,
    /// The scenarios (variants or sweep points), in order.
    pub scenarios: Vec<Scenario>,
}

impl Prepared {
    /// `run --replications R`.
    pub fn run(sc: Scenario, sets: &[String], opts: &RunOptions, replications: u32) -> Self {
        Self::new(Command::Run, vec![sc], sets, opts, replications, Vec::new(), None)
    }

    /// `compare`: the base and every variant.
    pub fn compare(all: Vec<Scenario>, sets: &[String], opts: &RunOptions, replications: u32) -> Self {
        Self::new(Command::Compare, all, sets, opts, replications, Vec::new(), None)
    }

    /// `sweep`: every point of `axes`, each named by its `path=value` pairs.
    pub fn sweep(
        path: &Path,
        axes: Vec<experiment::Axis>,
        targets: Option<String>,
        opts: &RunOptions,
        replications: u32,
    ) -> Result<Self> {
        let src = crate::scenario::read(path)?;
        let (text, label, stem) = (&src.text, &src.label, &src.stem);
        let base = crate::scenario::load_str(text, label, stem, &[])?;
        let mut scenarios = vec![];
        for sets in experiment::points(&axes) {
            let mut sc = crate::scenario::load_str(text, label, stem, &sets)?;
            sc.variant = sets.join(";");
            // The sweep's seed and name are the base file's, whatever a point changes.
            sc.seed = base.seed;
            sc.name = base.name.clone();
            scenarios.push(sc);
        }
        Ok(Self::new(Command::Sweep, scenarios, &[], opts, replications, axes, targets))
    }

    fn new(
        command: Command,
        scenarios: Vec<Scenario>,
        sets: &[String],
        opts: &RunOptions,
        replications: u32,
        axes: Vec<experiment::Axis>,
        targets: Option<String>,
    ) -> Self {
        let base = &scenarios[0];
        let plan = Plan {
            command,
            scenario_file: base.file.clone(),
            scenario_name: base.name.clone(),
            seed: opts.seed.unwrap_or(base.seed),
            replications,
            jobs: scenarios.len() * replications as usize,
            no_charts: opts.no_charts,
            axes,
            targets,
            sets: sets.to_vec(),
            scenario_hash: std::fs::read_to_string(&base.file).map(|t| experiment::fingerprint(&t)).unwrap_or_default(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        };
        Self { plan, scenarios }
    }

    /// The output folder: `opts.out`, else `output/<simulation.name>/`.
    pub fn out(&self, opts: &RunOptions) -> PathBuf {
        opts.out.clone().unwrap_or_else(|| default_out(&self.scenarios[0]))
    }

    /// Run the jobs of `shard` (all without one), in parallel.
    pub fn execute(&self, shard: Option<(usize, usize)>, done: impl Fn(usize) + Sync) -> Vec<JobResult> {
        let jobs = experiment::jobs(&self.scenarios, self.plan.seed, self.plan.replications);
        let indices = experiment::shard_indices(jobs.len(), shard);
        experiment::run_indices(&jobs, &indices, done)
    }
}

/// A shard's output: the plan and its jobs' results, for `smsim merge`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShardFile {
    /// Which shard, 1-based.
    pub shard: usize,
    /// Of how many.
    pub shards: usize,
    /// The plan every shard shares.
    pub plan: Plan,
    /// Its results.
    pub results: Vec<JobResult>,
}

/// The file a shard writes into its folder.
pub const SHARD_FILE: &str = "shard.json";

/// Write a shard's results into `out`; returns what to print.
pub fn write_shard(out: &Path, shard: (usize, usize), plan: &Plan, results: Vec<JobResult>) -> Result<String> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let n = results.len();
    let file = ShardFile { shard: shard.0, shards: shard.1, plan: plan.clone(), results };
    let text = serde_json::to_string(&file).map_err(|e| Error::Input(format!("shard results: {e}")))?;
    report::write_file(out, SHARD_FILE, &text)?;
    Ok(format!(
        "{}: shard {}/{} ran {n} of {} runs; wrote {}\njoin the shards with: smsim merge DIR... --out DIR\n",
        plan.scenario_name,
        shard.0,
        shard.1,
        plan.jobs,
        out.join(SHARD_FILE).display()
    ))
}

/// `smsim merge`: read the shard folders (in any order), check that they are the N shards
/// of one plan, each once, and write what the unsharded command would have.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<String> {
    let mut files: Vec<ShardFile> = Vec::with_capacity(dirs.len());
    for d in dirs {
        let path = d.join(SHARD_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let f: ShardFile = serde_json::from_str(&text)
            .map_err(|e| Error::Input(format!("{}: not a shard file: {e}", path.display())))?;
        let width = summary_columns().len();
        if f.shards == 0 || f.shard == 0 || f.shard > f.shards || f.results.iter().any(|r| r.summary.len() != width) {
            return Err(Error::Input(format!(
                "{}: damaged shard file (shard numbers or summary rows)",
                path.display()
            )));
        }
        if let Some(first) = files.first() {
            if f.plan != first.plan || f.shards != first.shards {
                return Err(Error::Input(format!(
                    "{}: shard of another run (scenario file, seed, command, options, smsim version or shard count differ from {})",
                    path.display(),
                    dirs[0].display()
                )));
            }
        }
        if let Some(dup) = files.iter().position(|g| g.shard == f.shard) {
            return Err(Error::Input(format!(
                "shard {}/{} given twice: {} and {}",
                f.shard,
                f.shards,
                dirs[dup].display(),
                d.display()
            )));
        }
        files.push(f);
    }
    let Some(first) = files.first() else { return Err(Error::Usage("merge needs at least one shard folder".into())) };
    let (plan, n) = (first.plan.clone(), first.shards);
    let missing: Vec<String> =
        (1..=n).filter(|k| files.iter().all(|f| f.shard != *k)).map(|k| format!("{k}/{n}")).collect();
    if !missing.is_empty() {
        return Err(Error::Input(format!("missing shard(s) {} of {}", missing.join(", "), plan.scenario_name)));
    }
    let mut results: Vec<JobResult> = files.into_iter().flat_map(|f| f.results).collect();
    results.sort_by_key(|r| r.index);
    if results.len() != plan.jobs || results.iter().enumerate().any(|(i, r)| r.index != i) {
        return Err(Error::Input("the shards' runs do not add up to the plan's: a shard folder is damaged".into()));
    }
    assemble(&plan, &results, out, None)
}

/// Write every output of `plan` from its complete `results` into `out`; returns what to
/// print. The unsharded commands and `merge` both end here, so their files are the same.
pub fn assemble(plan: &Plan, results: &[JobResult], out: &Path, wall: Option<f64>) -> Result<String> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let base_columns = summary_columns();
    let mut rows: Vec<Vec<String>> = results.iter().map(|r| r.summary.clone()).collect();
    let mut points: Vec<String> = Vec::new();
    for r in &rows {
        if !points.contains(&r[1]) {
            points.push(r[1].clone());
        }
    }
    let targets = match &plan.targets {
        Some(t) => experiment::parse_targets(t, &base_columns).map_err(Error::Usage)?,
        None => Vec::new(),
    };
    let value = |row: &[String], col: &str| {
        base_columns.iter().position(|c| *c == col).and_then(|i| row[i].parse::<f64>().ok())
    };
    // A point's mean of a column, rounded to the 6 decimals the files print (so that a
    // target every row meets is met by the mean too); none if any row lacks the value.
    let mean_of = |rows: &[Vec<String>], point: &str, col: &str| {
        let group: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == point).collect();
        let xs: Vec<f64> = group.iter().filter_map(|r| value(r, col)).collect();
        (!xs.is_empty() && xs.len() == group.len())
            .then(|| (xs.iter().sum::<f64>() / xs.len() as f64 * 1e6).round() / 1e6)
    };
    let stats = (plan.replications > 1).then(|| experiment::summary_stats(&base_columns, &rows));
    let mut best = None;
    let mut columns = base_columns.clone();
    if !targets.is_empty() {
        let mut best_cost = f64::INFINITY;
        for p in &points {
            if targets.iter().all(|t| t.met_by(mean_of(&rows, p, &t.column))) {
                let cost = mean_of(&rows, p, "cost_total_usd").unwrap_or(f64::INFINITY);
                if cost < best_cost {
                    best_cost = cost;
                    best = Some(p.clone());
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
    let bad = |e: csv::Error| Error::Input(format!("summary rows: {e}"));
    w.write_record(&columns).map_err(bad)?;
    for r in &rows {
        w.write_record(r).map_err(bad)?;
    }
    let summary = String::from_utf8(w.into_inner().map_err(|e| Error::Input(e.to_string()))?)
        .map_err(|e| Error::Input(e.to_string()))?;
    let mut timeseries = format!("{}\n", report::TIMESERIES_COLUMNS);
    let mut outcomes = format!("{}\n", report::OUTCOMES_COLUMNS);
    for r in results {
        timeseries.push_str(&r.timeseries);
        outcomes.push_str(&r.outcomes);
    }
    write_tables(out, &Tables { summary, timeseries, outcomes })?;
    let mut files = vec!["summary.csv", "timeseries.csv", "outcomes.csv", "run.json"];
    if let Some(stats) = stats {
        report::write_file(out, "summary_stats.csv", &stats)?;
        files.insert(1, "summary_stats.csv");
    }
    if !plan.no_charts {
        let dir = out.join("charts");
        if plan.command == Command::Sweep {
            let labels: Vec<String> = points
                .iter()
                .map(|p| p.split(';').map(|s| s.rsplit_once('=').map_or(s, |x| x.1)).collect::<Vec<_>>().join(" / "))
                .collect();
            let axes = plan.axes.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(" / ");
            for (col, what) in report::charts::SWEEP_METRICS {
                let values: Vec<Option<f64>> = points.iter().map(|p| mean_of(&rows, p, col)).collect();
                report::charts::write_sweep(&dir, &plan.scenario_name, &axes, &labels, col, what, &values)?;
            }
        } else {
            let inputs: Vec<_> = results.iter().filter_map(|r| r.chart.clone()).collect();
            report::charts::write_inputs(&dir, &inputs)?;
        }
        files.push("charts/");
    }
    // Elapsed time when the caller measured it; after a merge, the shards' summed run time.
    let wall = wall.unwrap_or_else(|| results.iter().map(|r| r.wall_seconds).sum());
    let events = results.iter().map(|r| r.events).sum();
    report::write_file(
        out,
        "run.json",
        &report::run_json(&plan.scenario_file, plan.seed, plan.replications, wall, events),
    )?;
    let n = plan.replications;
    Ok(match plan.command {
        Command::Run => report::replications_summary(&plan.scenario_name, &base_columns, &rows, out, &files),
        Command::Compare => format!(
            "{} (seed {}), {} variants paired by common random numbers{}:\n{}wrote {}: {}\n",
            plan.scenario_name,
            plan.seed,
            points.len(),
            if n > 1 { format!(", means of {n} replications") } else { String::new() },
            report::compare_table(&base_columns, &points, &rows),
            out.display(),
            files.join(", ")
        ),
        Command::Sweep => report::sweep_summary(&columns, &points, &rows, !targets.is_empty(), best.as_deref(), out),
    })
}
