//! One simulation run of a validated scenario, and the files it writes. Many runs
//! (replications, variants, sweeps, shards) are the `experiment` wing's, built on this.

use crate::engine::{self, Scheduler, SimTime};
use crate::error::{Error, Result};
use crate::metrics::summary::SourceSummary;
use crate::metrics::{Metrics, Summary, relay};
use crate::model::{Observer, World};
use crate::report::{self, charts, events::EventLog, tables};
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
    /// Events handled: the kernel's, and the outcome events that ends told ahead stood
    /// for (the same count either way).
    pub events: u64,
    /// Wall-clock seconds of the simulation proper.
    pub wall_seconds: f64,
    /// Why the run stopped early: simulated time stopped advancing (a zero-delay loop).
    pub stalled: Option<String>,
}

impl RunOutcome {
    /// The outcome, or the error of a run that stalled (naming the scenario file).
    pub fn or_stalled(self, sc: &Scenario) -> Result<RunOutcome> {
        match &self.stalled {
            Some(why) => Err(Error::Input(format!("{}: {why}", sc.file))),
            None => Ok(self),
        }
    }
}

/// The most events one simulated second of `sc` can take without a loop: every message
/// its campaigns and traffic could request over the horizon, and every customer, each
/// with 1,024 events for its turns, replies, retries and each subscriber's delivery, all
/// within that second. However bunched, real work stays under it; a reply loop with no
/// delay (a flow answering its own replies through a zero-latency carrier and
/// subscriber), which takes a microsecond a cycle or none, passes it.
pub fn stall_bound(sc: &Scenario) -> u64 {
    let numbers: f64 = sc.pools.iter().map(|p| p.count as f64).sum();
    let subs: f64 = sc.topics.iter().map(|t| t.subscriptions.len() as f64).sum();
    let work = workload(sc) + numbers + sc.customers.count as f64 + 1.0;
    let bound = 1024.0 * (1.0 + subs) * work;
    if bound >= u64::MAX as f64 { u64::MAX } else { bound as u64 }
}

/// At most how many requests the campaigns and traffic of `sc` make over the horizon
/// (traffic at twice its rate, for shapes that peak above the mean).
pub fn workload(sc: &Scenario) -> f64 {
    let horizon = sc.horizon.as_secs_f64();
    let blasts = |c: &crate::scenario::Campaign| -> f64 {
        let span = (c.until.as_secs_f64().min(horizon) - c.at.as_secs_f64()).max(0.0);
        match (c.every, c.every_days) {
            (Some(e), _) if e > SimTime::ZERO => span / e.as_secs_f64() + 1.0,
            (_, Some(d)) if d > 0 => span / (d as f64 * 86_400.0) + 1.0,
            _ => 1.0,
        }
    };
    let campaigns: f64 = sc.campaigns.iter().map(|c| c.recipients as f64 * blasts(c)).sum();
    // Traffic at twice its rate, for shapes that peak above the mean.
    let traffic: f64 = sc
        .traffic
        .iter()
        .map(|t| 2.0 * t.rate * (t.end.as_secs_f64().min(horizon) - t.start.as_secs_f64()).max(0.0))
        .sum();
    campaigns + traffic
}

/// Bytes of `events.csv` a request takes at least: its requested, transmitted and
/// delivered (or other end) rows, about 80 bytes each.
const EVENT_BYTES_PER_REQUEST: f64 = 240.0;

/// Refuse `--events` before the run when `events.csv` would not fit the disk of `out`.
fn check_events_room(sc: &Scenario, out: &Path) -> Result<()> {
    let Some(free) = crate::output::free_bytes(out) else { return Ok(()) };
    let requests = workload(sc);
    let need = requests * EVENT_BYTES_PER_REQUEST;
    if need > free as f64 {
        return Err(Error::Input(format!(
            "{}: events.csv would take at least {:.1} GB ({} requests), more than the {:.1} GB free on the disk of {}: free some space, give another --out, or run without --events",
            sc.file,
            need / 1e9,
            crate::scenario::units::thousands(requests as u64),
            free as f64 / 1e9,
            out.parent().unwrap_or(out).display()
        )));
    }
    Ok(())
}

/// What a stalled run says: when time stopped, and which sources kept making messages
/// over `more` further events at that instant (`before` and `after`: each source's
/// requests).
fn stall_message(sc: &Scenario, at: SimTime, bound: u64, before: &[u64], after: &[u64]) -> String {
    let mut growing: Vec<(u64, &str)> = sc
        .sources
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (b, a))| a > b)
        .map(|(s, (b, a))| (a - b, s.name.as_str()))
        .collect();
    growing.sort_by_key(|x| std::cmp::Reverse(x.0));
    let who = if growing.is_empty() {
        "no campaign, traffic, keyword or flow is making new messages: check the subscribers' retries".to_string()
    } else {
        let list: Vec<String> = growing.iter().take(3).map(|(n, s)| format!("{s} ({n} new messages)")).collect();
        format!("the loop is {}: it keeps answering its own replies with no delay", list.join(", "))
    };
    format!(
        "simulated time all but stopped at t = {} s: more than {} events within one simulated second, the most this scenario can make without a loop; {who}. Give the reply (after), the carrier's latency or the subscriber's latency a delay, or make the rule not match its own reply",
        at,
        crate::scenario::units::thousands(bound)
    )
}

impl RunOutcome {
    /// The run's `summary.csv` row, as replication `replication` of `sc`.
    pub fn summary(&self, sc: &Scenario, replication: u32) -> Summary {
        Summary::of(sc, self.seed, replication, &self.metrics, self.events)
    }
}

/// Progress of a run, reported now and then while it goes.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Simulated time reached.
    pub t: SimTime,
    /// Events the kernel handled so far (ends told ahead are counted at the end).
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
    let bound = stall_bound(sc);
    let stats = engine::run(&mut world, &mut sched, sc.horizon, bound, |t, events, w| {
        progress(Progress { t, events, settled: w.obs.0.settled() })
    });
    let stalled = stats.stalled.map(|at| {
        if world.quick() {
            // Ends told ahead are no events in the kernel's stall window, and a delivery
            // made at once is made before the stall is seen: say what a run that takes
            // no shortcut (as with --events) says, so that the error is the same.
            let mut sched = Scheduler::new();
            let mut world = World::new(sc, seed, (Metrics::new(sc), InTime), &mut sched);
            let stats = engine::run(&mut world, &mut sched, sc.horizon, bound, |_, _, _| {});
            // It stalls no later: it counts every event the run above counted, and more.
            return stall_at(sc, &mut world, &mut sched, stats.stalled.unwrap_or(at), bound);
        }
        stall_at(sc, &mut world, &mut sched, at, bound)
    });
    // Close the time series first: what `finish` settles at the horizon (pending,
    // expired in queue) must not empty the last interval's queue depth.
    world.obs.0.finish();
    world.finish(sc.horizon, &mut sched);
    let events = stats.events + world.told_ahead();
    let (mut metrics, extra) = world.obs;
    metrics.gather();
    let outcome = RunOutcome { seed, metrics, events, wall_seconds: start.elapsed().as_secs_f64(), stalled };
    (outcome, extra)
}

/// [`simulate`] with the metrics kept on a second thread ([`relay::beside`]): the same
/// outcome, sooner on a machine with a core to spare. A run that stalls is run again in
/// one thread with no shortcut, as [`simulate`] finds a stall again, so that its error is
/// the same.
pub fn simulate_beside(sc: &Scenario, seed: u64, mut progress: impl FnMut(Progress)) -> RunOutcome {
    let start = Instant::now();
    let bound = stall_bound(sc);
    let (events, mut metrics) = relay::beside(sc, |relay| {
        let mut sched = Scheduler::new();
        let mut world = World::new(sc, seed, relay, &mut sched);
        let stats = engine::run(&mut world, &mut sched, sc.horizon, bound, |t, events, w| {
            progress(Progress { t, events, settled: w.obs.settled() })
        });
        stats.stalled.is_none().then(|| {
            // As in `simulate`: the series closes before what `finish` settles.
            world.obs.finish();
            world.finish(sc.horizon, &mut sched);
            stats.events + world.told_ahead()
        })
    });
    // A stall: its error as a run that takes no shortcut says it.
    let Some(events) = events else { return simulate(sc, seed, InTime, progress).0 };
    metrics.gather();
    RunOutcome { seed, metrics, events, wall_seconds: start.elapsed().as_secs_f64(), stalled: None }
}

/// An observer that asks for no end ahead.
struct InTime;
impl Observer for InTime {
    fn observe(&mut self, _: &crate::model::Obs) {}
}

/// The error of `world`, which stalled at `at`: a little further at the same instant, to
/// see who keeps making messages.
fn stall_at<O: Observer>(
    sc: &Scenario,
    world: &mut World<'_, (Metrics, O)>,
    sched: &mut Scheduler<crate::model::Event>,
    at: SimTime,
    bound: u64,
) -> String {
    let requests = |w: &World<'_, (Metrics, O)>| -> Vec<u64> { w.obs.0.sources.iter().map(|s| s.requested).collect() };
    let before = requests(world);
    engine::run(world, sched, at + engine::STALL_WINDOW, 100_000, |_, _, _| {});
    stall_message(sc, at, bound, &before, &requests(world))
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
    /// Skip `report.html`.
    pub no_report: bool,
}

/// The default output folder of `sc`.
pub fn default_out(sc: &Scenario) -> PathBuf {
    Path::new("output").join(&sc.name)
}

/// Run `sc` and write its outputs, whole or not at all (SPEC 10); returns the outcome and
/// the folder written.
pub fn run_and_write(
    sc: &Scenario,
    opts: &RunOptions,
    progress: impl FnMut(Progress),
) -> Result<(RunOutcome, PathBuf, Vec<&'static str>)> {
    let out = opts.out.clone().unwrap_or_else(|| default_out(sc));
    let staging = crate::output::Staging::begin(&out, "scenario file", &[Path::new(&sc.file)])?;
    let (outcome, files) = write_run(sc, opts, staging.dir(), progress)?;
    staging.commit()?;
    Ok((outcome, out, files))
}

/// Run `sc` and write its outputs into the folder `out` as they are; returns the outcome
/// and the files written.
pub fn write_run(
    sc: &Scenario,
    opts: &RunOptions,
    out: &Path,
    progress: impl FnMut(Progress),
) -> Result<(RunOutcome, Vec<&'static str>)> {
    let seed = opts.seed.unwrap_or(sc.seed);
    let out = out.to_path_buf();
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let mut files = vec!["summary.csv", "sources.csv", "timeseries.csv", "outcomes.csv", "run.json"];
    let outcome = if opts.events {
        check_events_room(sc, &out)?;
        let create = |name: &str| {
            let path = out.join(name);
            std::fs::File::create(&path).map(|f| BufWriter::with_capacity(1 << 20, f)).map_err(|e| Error::io(&path, e))
        };
        let log = EventLog::new(sc, seed, create("events.csv")?, create("inbound.jsonl")?);
        let (outcome, log) = simulate(sc, seed, Some(log), progress);
        let outcome = outcome.or_stalled(sc)?;
        log.expect("log was given").finish().map_err(|e| Error::io(out.join("events.csv"), e))?;
        files.extend(["events.csv", "inbound.jsonl"]);
        outcome
    } else {
        simulate_beside(sc, seed, progress).or_stalled(sc)?
    };
    // The tables and the charts are independent: written side by side, the charts
    // (the longer) begun first, so that they wait for no thread to take them up.
    let (drawn, t) = rayon::join(
        || (!opts.no_charts).then(|| charts::write(&out.join("charts"), &[(sc, &outcome.metrics)])),
        || {
            let t = tables(&[(sc, &outcome)]);
            write_tables(&out, &t).map(|()| t)
        },
    );
    let t = t?;
    if let Some(drawn) = drawn {
        drawn?;
        files.push("charts/");
    }
    let warnings = crate::scenario::warnings::all(sc);
    report::write_file(
        &out,
        "run.json",
        &report::run_json(&sc.file, seed, 1, outcome.wall_seconds, outcome.events, &warnings),
    )?;
    if !opts.no_report {
        let summary = outcome.summary(sc, 0);
        let sources = SourceSummary::all(sc, &outcome.metrics);
        let rows = t.outcomes.split_once('\n').map_or("", |x| x.1);
        let variant = [sc.variant.clone()];
        let page = report::page::Page {
            name: &sc.name,
            heading: format!(
                "smsim run, seed {seed}: {} requests",
                crate::scenario::units::thousands(summary.requested)
            ),
            answer: report::terminal::compare_cells(
                &variant,
                std::slice::from_ref(&summary),
                &[(&sc.variant, &sources)],
                &[(&sc.variant, rows)],
            ),
            warnings: &warnings,
            sources: &t.sources,
            outcomes: &t.outcomes,
            // As the terminal's `note:` lines, without the variant's name.
            notes: report::terminal::notes(&sc.variant, std::slice::from_ref(&summary)),
            charts: report::page::charts(&out.join("charts"), &report::page::RUN_CHARTS),
            ..Default::default()
        };
        report::write_file(&out, "report.html", &report::page::render(&page))?;
        files.push("report.html");
    }
    Ok((outcome, files))
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
    /// `sources.csv`.
    pub sources: String,
}

/// The tables of `runs` (each replication 0 of its scenario, as a plain run or the
/// variants of a comparison), one summary row each, in order.
pub fn tables(runs: &[(&Scenario, &RunOutcome)]) -> Tables {
    let rows: Vec<Summary> = runs.iter().map(|(sc, o)| o.summary(sc, 0)).collect();
    let (mut ts, mut oc) = (format!("{}\n", tables::TIMESERIES_COLUMNS), format!("{}\n", tables::OUTCOMES_COLUMNS));
    let mut src = format!("{}\n", tables::sources_header());
    for (sc, o) in runs {
        tables::timeseries_rows(&mut ts, sc, &o.metrics, &sc.variant);
        tables::outcome_rows(&mut oc, sc, &o.metrics, &sc.variant);
        tables::source_rows(&mut src, &SourceSummary::all(sc, &o.metrics), &sc.variant);
    }
    Tables { summary: tables::summary_csv(&rows, None), timeseries: ts, outcomes: oc, sources: src }
}

/// Write `t` into `out`.
pub fn write_tables(out: &Path, t: &Tables) -> Result<()> {
    report::write_file(out, "summary.csv", &t.summary)?;
    report::write_file(out, "timeseries.csv", &t.timeseries)?;
    report::write_file(out, "outcomes.csv", &t.outcomes)?;
    report::write_file(out, "sources.csv", &t.sources)
}
