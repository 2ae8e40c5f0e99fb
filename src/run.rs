//! One simulation run of a validated scenario, and the files it writes.

use crate::engine::{self, Scheduler, SimTime};
use crate::error::{Error, Result};
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
    let outcome = RunOutcome { seed, metrics, events: stats.events, wall_seconds: start.elapsed().as_secs_f64() };
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
    let row = report::summary_row(sc, "base", seed, 0, &outcome.metrics, outcome.events);
    report::write_file(&out, "summary.csv", &report::summary_csv(&[row]))?;
    let mut ts = String::with_capacity(outcome.metrics.timeseries.rows.len() * 48 + 128);
    ts.push_str(report::TIMESERIES_COLUMNS);
    ts.push('\n');
    report::timeseries_rows(&mut ts, sc, &outcome.metrics, "base");
    report::write_file(&out, "timeseries.csv", &ts)?;
    let mut oc = format!("{}\n", report::OUTCOMES_COLUMNS);
    report::outcome_rows(&mut oc, sc, &outcome.metrics, "base");
    report::write_file(&out, "outcomes.csv", &oc)?;
    report::write_file(&out, "run.json", &report::run_json(&sc.file, seed, 1, outcome.wall_seconds, outcome.events))?;
    Ok((outcome, out, files))
}
