//! What a multi-run command is: its plan (everything besides the runs that decides its
//! outputs) and its scenarios, ready to execute.

use super::JobResult;
use super::sweep::{Axis, points};
use crate::error::Result;
use crate::run::{RunOptions, default_out};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Which command a plan carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// `run --replications R`.
    Run,
    /// `compare`.
    Compare,
    /// `sweep`.
    Sweep,
}

/// Everything that decides a multi-run command's outputs besides the runs themselves:
/// shards of one plan must agree on it exactly.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// The command.
    pub command: Command,
    /// The scenario path as given.
    pub scenario_file: String,
    /// `simulation.name`.
    pub scenario_name: String,
    /// The seed of replication 0.
    pub seed: u64,
    /// Replications per scenario.
    pub replications: u32,
    /// How many jobs in all (scenarios x replications).
    pub jobs: usize,
    /// Charts are not drawn.
    pub no_charts: bool,
    /// `report.html` is not written.
    #[serde(default)]
    pub no_report: bool,
    /// The sweep's axes.
    pub axes: Vec<Axis>,
    /// The sweep's `--target` expression, as given.
    pub targets: Option<String>,
    /// The `--set` overrides given to every scenario (compare) or fixed ones.
    pub sets: Vec<String>,
    /// A fingerprint of the scenario file's text: shards of an edited file do not merge.
    pub scenario_hash: String,
    /// The smsim version that ran it.
    pub version: String,
    /// Warnings about the scenarios (SPEC 7.4): the base's, then each variant's own,
    /// named by the variant.
    pub warnings: Vec<String>,
}

/// The most runs (scenarios or sweep points, times replications) one command makes
/// unless `--max-runs` allows more: each run's summary is kept until the outputs are
/// written.
pub const MAX_RUNS: u64 = 100_000;

/// The most `timeseries.csv` rows one command keeps for its files, over all its variants
/// or points together (each single run is held to the same number by the scenario check).
pub const MAX_KEPT_ROWS: u64 = 50_000_000;

/// Check the size of a command before any work: `runs` runs (a usage error past
/// `max_runs`, which `--max-runs` raises).
pub fn check_runs(runs: u64, what: &str, max_runs: u64) -> Result<()> {
    if runs > max_runs {
        return Err(crate::error::Error::Usage(format!(
            "{what} make {} runs, more than the {} allowed: give --max-runs {runs} to allow them (each run's summary stays in memory until the outputs are written)",
            crate::scenario::units::thousands(runs),
            crate::scenario::units::thousands(max_runs)
        )));
    }
    Ok(())
}

/// A stable 64-bit fingerprint of `text` (FNV-1a), as 16 hex digits.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
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
        axes: Vec<Axis>,
        targets: Option<String>,
        opts: &RunOptions,
        replications: u32,
    ) -> Result<Self> {
        let src = crate::scenario::read(path)?;
        let (text, label, stem) = (&src.text, &src.label, &src.stem);
        let base = crate::scenario::load_str(text, label, stem, &[])?;
        let mut scenarios = vec![];
        for sets in points(&axes) {
            let name = sets.join(";");
            // The axis `variant` picks one of the file's [[variant]]s (or `base`); its own
            // keys are applied after the other axes' values.
            let (picked, sets): (Vec<String>, Vec<String>) = sets.into_iter().partition(|s| s.starts_with("variant="));
            if picked.len() > 1 {
                return Err(crate::error::Error::Usage("--set variant=...: give the variant axis once".into()));
            }
            let variant = match picked.first().map(|p| p["variant=".len()..].trim_matches('"')) {
                None | Some("base") => None,
                Some(name) => Some(base.variants.iter().position(|v| v == name).ok_or_else(|| {
                    crate::error::Error::Usage(format!(
                        "--set variant={name}: {label} has no [[variant]] named \"{name}\" (known: base{})",
                        base.variants.iter().map(|v| format!(", {v}")).collect::<String>()
                    ))
                })?),
            };
            let mut sc = crate::scenario::load_variant(text, label, stem, &sets, variant)?;
            sc.variant = name;
            // The sweep's seed and name are the base file's, whatever a point changes.
            sc.seed = base.seed;
            sc.name = base.name.clone();
            scenarios.push(sc);
        }
        let shadowed = shadowed_axes(text, &axes);
        let mut prepared = Self::new(Command::Sweep, scenarios, &[], opts, replications, axes, targets);
        prepared.plan.warnings.extend(shadowed);
        Ok(prepared)
    }

    fn new(
        command: Command,
        scenarios: Vec<Scenario>,
        sets: &[String],
        opts: &RunOptions,
        replications: u32,
        axes: Vec<Axis>,
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
            no_report: opts.no_report,
            axes,
            targets,
            sets: sets.to_vec(),
            scenario_hash: std::fs::read_to_string(&base.file).map(|t| fingerprint(&t)).unwrap_or_default(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            warnings: warnings(&scenarios),
        };
        Self { plan, scenarios }
    }

    /// The output folder: `opts.out`, else `output/<simulation.name>/` for `run`,
    /// `output/<simulation.name>-compare/` and `output/<simulation.name>-sweep/`:
    /// siblings, so that replacing one output never touches another (SPEC 10).
    pub fn out(&self, opts: &RunOptions) -> PathBuf {
        opts.out.clone().unwrap_or_else(|| {
            let dir = default_out(&self.scenarios[0]);
            let suffix = match self.plan.command {
                Command::Run => return dir,
                Command::Compare => "compare",
                Command::Sweep => "sweep",
            };
            dir.with_file_name(format!("{}-{suffix}", self.scenarios[0].name))
        })
    }

    /// Check, before any run, that the time series the outputs keep (replication 0 of
    /// every variant or point) fit [`MAX_KEPT_ROWS`].
    pub fn check_rows(&self) -> Result<()> {
        let rows: u64 = self
            .scenarios
            .iter()
            .map(|sc| {
                let scopes = 1 + sc.pools.len() as u64 + sc.carriers.len() as u64;
                sc.horizon.as_micros().div_ceil(sc.metrics_interval.as_micros().max(1)).saturating_mul(scopes)
            })
            .fold(0u64, u64::saturating_add);
        if rows > MAX_KEPT_ROWS {
            return Err(crate::error::Error::Usage(format!(
                "the {} runs' timeseries.csv would have {} rows together, more than {}: use a wider simulation.metrics_interval (--set simulation.metrics_interval=...) or fewer variants or points",
                self.scenarios.len(),
                crate::scenario::units::thousands(rows),
                crate::scenario::units::thousands(MAX_KEPT_ROWS)
            )));
        }
        Ok(())
    }

    /// Run the jobs of `shard` (all without one), in parallel; `done(n, point)` after each
    /// (how many have finished, and the variant or sweep point just finished).
    pub fn execute(&self, shard: Option<(usize, usize)>, done: impl Fn(usize, &str) + Sync) -> Result<Vec<JobResult>> {
        let jobs = super::jobs(&self.scenarios, self.plan.seed, self.plan.replications);
        let indices = super::shard::indices(jobs.len(), shard);
        super::run_indices(&jobs, &indices, done)
    }
}

/// A warning for each axis that a variant of the `variant` axis also sets: a variant's
/// keys apply last, so at its points that axis's values change nothing.
fn shadowed_axes(text: &str, axes: &[Axis]) -> Vec<String> {
    // The same setting, or one holding the other (`number.lc` and `number.lc.count`).
    let overlap = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."));
    let mut out = Vec::new();
    let Some(variants) = axes.iter().find(|a| a.path == "variant") else { return out };
    for v in variants.values.iter().map(|v| v.trim().trim_matches('"')).filter(|v| *v != "base") {
        let paths = crate::scenario::variant_paths(text, v);
        for axis in axes.iter().filter(|a| a.path != "variant") {
            if let Some(p) = paths.iter().find(|p| overlap(p, &axis.path)) {
                out.push(format!(
                    "sweep: variant {v} sets {p}, and {} is an axis: a variant's keys apply last, so at variant={v} the axis's values ({}) change nothing",
                    axis.path,
                    axis.values.join(", ")
                ));
            }
        }
    }
    out
}

/// The warnings of `scenarios`: every one of the first (the base), then those of each
/// other that the base does not have, prefixed with its variant's name.
pub fn warnings(scenarios: &[Scenario]) -> Vec<String> {
    let Some(base) = scenarios.first() else { return Vec::new() };
    let mut out = crate::scenario::warnings::all(base);
    for sc in &scenarios[1..] {
        for w in crate::scenario::warnings::all(sc) {
            let named = format!("variant {}: {w}", sc.variant);
            if !out.contains(&w) && !out.contains(&named) {
                out.push(named);
            }
        }
    }
    out
}
