//! Many runs of one model: replications with confidence intervals, variants, sweeps and
//! targets, shards and their merge. Runs go in parallel on rayon; results are collected
//! in job order, so outputs are byte-identical whatever the thread count.
//!
//! This wing is built on `run` (one run) and the writers of `report`; neither reaches back
//! into it.

mod assemble;
pub mod plan;
pub mod shard;
pub mod sweep;

pub use assemble::assemble;
pub use plan::{Command, Plan, Prepared};

use crate::engine::rng;
use crate::metrics::Summary;
use crate::metrics::summary::SourceSummary;
use crate::report::{charts::ChartInput, tables};
use crate::run::{RunOutcome, simulate};
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Domain tag of replication seeds.
const REPLICATION: u64 = 0x5245_504c;

/// The seed of replication `k` of a run seeded `seed`: replication 0 is the plain run.
pub fn replication_seed(seed: u64, k: u32) -> u64 {
    if k == 0 { seed } else { rng::derive(seed, &[REPLICATION, k as u64]) }
}

/// One simulation to run.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The scenario (a variant or sweep point).
    pub sc: &'a Scenario,
    /// Replication index.
    pub replication: u32,
    /// Its seed.
    pub seed: u64,
}

/// The jobs of `scenarios` with `replications` each, scenario-major, all under `seed`.
pub fn jobs(scenarios: &[Scenario], seed: u64, replications: u32) -> Vec<Job<'_>> {
    scenarios
        .iter()
        .flat_map(|sc| (0..replications).map(move |k| Job { sc, replication: k, seed: replication_seed(seed, k) }))
        .collect()
}

/// Run `jobs` on the rayon pool; outcomes in job order. `done` is called with the count
/// of finished jobs after each one.
pub fn run_jobs(jobs: &[Job<'_>], done: impl Fn(usize) + Sync) -> Vec<RunOutcome> {
    let finished = AtomicUsize::new(0);
    jobs.par_iter()
        .map(|j| {
            let o = simulate(j.sc, j.seed, (), |_| {}).0;
            done(finished.fetch_add(1, Ordering::Relaxed) + 1);
            o
        })
        .collect()
}

/// What one job contributes to the outputs; it is all a merge needs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct JobResult {
    /// Job index in the plan.
    pub index: usize,
    /// Its `summary.csv` row (without `meets_target`).
    pub summary: Summary,
    /// Its `timeseries.csv` rows (replication 0 only).
    pub timeseries: String,
    /// Its `outcomes.csv` rows (replication 0 only).
    pub outcomes: String,
    /// Its chart input (replication 0 only).
    pub chart: Option<ChartInput>,
    /// Its sources (replication 0 only).
    pub sources: Vec<SourceSummary>,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

/// Run job `index` of `jobs` and reduce it to what the outputs need.
pub(crate) fn run_job(index: usize, j: &Job<'_>) -> crate::error::Result<JobResult> {
    let o = simulate(j.sc, j.seed, (), |_| {}).0.or_stalled(j.sc)?;
    let m = &o.metrics;
    let (mut ts, mut oc, mut chart, mut sources) = (String::new(), String::new(), None, Vec::new());
    if j.replication == 0 {
        tables::timeseries_rows(&mut ts, j.sc, m, &j.sc.variant);
        tables::outcome_rows(&mut oc, j.sc, m, &j.sc.variant);
        chart = Some(ChartInput::of(j.sc, m));
        sources = SourceSummary::all(j.sc, m);
    }
    let summary = o.summary(j.sc, j.replication);
    Ok(JobResult { index, summary, timeseries: ts, outcomes: oc, chart, sources, wall_seconds: o.wall_seconds })
}

/// Run the jobs `indices` of `jobs` in parallel; results in index order.
pub(crate) fn run_indices(
    jobs: &[Job<'_>],
    indices: &[usize],
    done: impl Fn(usize, &str) + Sync,
) -> crate::error::Result<Vec<JobResult>> {
    let finished = AtomicUsize::new(0);
    indices
        .par_iter()
        .map(|&i| {
            let r = run_job(i, &jobs[i]);
            done(finished.fetch_add(1, Ordering::Relaxed) + 1, &jobs[i].sc.variant);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replication_zero_is_the_plain_seed() {
        assert_eq!(replication_seed(42, 0), 42);
        assert_ne!(replication_seed(42, 1), 42);
        assert_ne!(replication_seed(42, 1), replication_seed(42, 2));
    }
}
