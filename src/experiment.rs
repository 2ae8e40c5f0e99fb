//! Many runs of one model: replications with confidence intervals, run in parallel with
//! rayon. Results are collected in job order, so outputs are byte-identical whatever the
//! thread count.

use crate::engine::rng;
use crate::report;
use crate::run::{RunOutcome, simulate};
use crate::scenario::Scenario;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::fmt::Write as _;
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

/// Run `jobs` on the rayon pool; results in job order. `done` is called with the count of
/// finished jobs after each one.
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

/// `summary_stats.csv` columns.
pub const STATS_COLUMNS: &str = "variant,metric,mean,sd,ci95_low,ci95_high,n";

/// Columns of `summary.csv` that identify a row rather than measure it.
const IDENTITY: [&str; 4] = ["scenario", "variant", "seed", "replication"];

/// `summary_stats.csv` from summary rows (with their header `columns`): for each variant
/// in order of appearance and each numeric column, the mean, the sample standard
/// deviation and a Student t 95% interval over the rows where it has a value.
pub fn summary_stats(columns: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("{STATS_COLUMNS}\n");
    let vcol = columns.iter().position(|c| *c == "variant").expect("summary has a variant column");
    let mut variants: Vec<&str> = Vec::new();
    for r in rows {
        if !variants.contains(&r[vcol].as_str()) {
            variants.push(&r[vcol]);
        }
    }
    for v in variants {
        let group: Vec<&Vec<String>> = rows.iter().filter(|r| r[vcol] == v).collect();
        for (c, name) in columns.iter().enumerate() {
            if IDENTITY.contains(name) || c >= group[0].len() {
                continue;
            }
            let xs: Vec<f64> = group.iter().filter_map(|r| r[c].parse::<f64>().ok()).collect();
            let n = xs.len();
            let (mean, sd, lo, hi) = interval(&xs);
            let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.6}"));
            let v = report::csv_field(v);
            let _ = writeln!(out, "{v},{name},{},{},{},{},{n}", f(mean), f(sd), f(lo), f(hi));
        }
    }
    out
}

/// Mean, sample sd and the Student t 95% interval of `xs` (what is defined for its size).
pub fn interval(xs: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    let n = xs.len();
    if n == 0 {
        return (None, None, None, None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None, None, None);
    }
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("n >= 2 degrees of freedom").inverse_cdf(0.975);
    let half = t * sd / (n as f64).sqrt();
    (Some(mean), Some(sd), Some(mean - half), Some(mean + half))
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

    #[test]
    fn student_t_interval_matches_tables() {
        // n = 5: t(0.975, 4) = 2.776445; values 1..5: mean 3, sd 1.5811388.
        let (m, sd, lo, hi) = interval(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(m, Some(3.0));
        assert!((sd.unwrap() - 1.581_138_8).abs() < 1e-6);
        let half = 2.776_445 * 1.581_138_8 / 5f64.sqrt();
        assert!((lo.unwrap() - (3.0 - half)).abs() < 1e-5 && (hi.unwrap() - (3.0 + half)).abs() < 1e-5);
        assert_eq!(interval(&[7.0]), (Some(7.0), None, None, None));
    }
}

/// One axis of a sweep: a path and its values, as given (`number.lc.count=1,2,4`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// The dotted path.
    pub path: String,
    /// The values, as written.
    pub values: Vec<String>,
}

/// Parse `PATH=V1,V2,...`; commas inside brackets, braces or quotes do not split.
pub fn parse_axis(arg: &str) -> Result<Axis, String> {
    let (path, list) = arg.split_once('=').ok_or_else(|| format!("--set {arg}: expected PATH=V1,V2,..."))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
        return Err(format!("--set {arg}: invalid path \"{path}\""));
    }
    let mut values = Vec::new();
    let (mut depth, mut quote, mut cur, mut escaped) = (0i32, None::<char>, String::new(), false);
    for ch in list.chars() {
        if escaped {
            escaped = false;
            cur.push(ch);
            continue;
        }
        match (quote, ch) {
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                values.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    values.push(cur.trim().to_string());
    if values.iter().any(String::is_empty) {
        return Err(format!("--set {arg}: an empty value in the list"));
    }
    if let Some(v) = values.iter().enumerate().find_map(|(i, v)| values[..i].contains(v).then_some(v)) {
        return Err(format!("--set {arg}: the value {v} is listed twice"));
    }
    if path == "simulation.seed" {
        return Err(format!(
            "--set {arg}: every sweep point runs on the same seed (that pairs them); use --replications for independent seeds"
        ));
    }
    Ok(Axis { path: path.to_string(), values })
}

/// The points of a sweep: the cartesian product of the axes, the first axis varying
/// slowest; each point is its `path=value` overrides in axis order.
pub fn points(axes: &[Axis]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for a in axes {
        out = out
            .iter()
            .flat_map(|p| a.values.iter().map(move |v| [p.clone(), vec![format!("{}={v}", a.path)]].concat()))
            .collect();
    }
    out
}

/// A comparison of a summary column with a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The `summary.csv` column.
    pub column: String,
    /// `<=`, `<`, `>=`, `>` or `==`.
    pub op: &'static str,
    /// The bound.
    pub value: f64,
}

impl Target {
    /// Whether `x` meets it; a missing value (an empty statistic) never does.
    pub fn met_by(&self, x: Option<f64>) -> bool {
        let Some(x) = x else { return false };
        match self.op {
            "<=" => x <= self.value,
            "<" => x < self.value,
            ">=" => x >= self.value,
            ">" => x > self.value,
            _ => x == self.value,
        }
    }
}

/// Parse `col<=v,col2>v2` against the known `columns`.
pub fn parse_targets(expr: &str, columns: &[&str]) -> Result<Vec<Target>, String> {
    expr.split(',')
        .map(|part| {
            let part = part.trim();
            let (column, op, value) = ["<=", ">=", "==", "<", ">"]
                .iter()
                .find_map(|op| part.split_once(op).map(|(c, v)| (c.trim(), *op, v.trim())))
                .ok_or_else(|| format!("--target {part}: expected COLUMN<=VALUE (or <, >=, >, ==)"))?;
            if !columns.contains(&column) || ["scenario", "variant"].contains(&column) {
                return Err(format!("--target {part}: \"{column}\" is not a numeric column of summary.csv"));
            }
            let value = value.parse::<f64>().map_err(|_| format!("--target {part}: \"{value}\" is not a number"))?;
            Ok(Target { column: column.to_string(), op, value })
        })
        .collect()
}

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

/// What one job contributes to the outputs; it is all a merge needs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct JobResult {
    /// Job index in the plan.
    pub index: usize,
    /// Its `summary.csv` row (without `meets_target`).
    pub summary: Vec<String>,
    /// Its `timeseries.csv` rows (replication 0 only).
    pub timeseries: String,
    /// Its `outcomes.csv` rows (replication 0 only).
    pub outcomes: String,
    /// Its chart input (replication 0 only).
    pub chart: Option<crate::report::charts::ChartInput>,
    /// Kernel events.
    pub events: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

/// Run job `index` of `jobs` and reduce it to what the outputs need.
pub fn run_job(index: usize, j: &Job<'_>) -> JobResult {
    let o = simulate(j.sc, j.seed, (), |_| {}).0;
    let m = &o.metrics;
    let summary = report::summary_row(j.sc, &j.sc.variant, j.seed, j.replication, m, o.events);
    let (mut ts, mut oc, mut chart) = (String::new(), String::new(), None);
    if j.replication == 0 {
        report::timeseries_rows(&mut ts, j.sc, m, &j.sc.variant);
        report::outcome_rows(&mut oc, j.sc, m, &j.sc.variant);
        chart = Some(crate::report::charts::ChartInput::of(j.sc, m));
    }
    JobResult { index, summary, timeseries: ts, outcomes: oc, chart, events: o.events, wall_seconds: o.wall_seconds }
}

/// The jobs of shard `k` of `n` (1-based): every n-th job from the k-th; all without a shard.
pub fn shard_indices(total: usize, shard: Option<(usize, usize)>) -> Vec<usize> {
    match shard {
        None => (0..total).collect(),
        Some((k, n)) => (k - 1..total).step_by(n).collect(),
    }
}

/// Run the jobs `indices` of `jobs` in parallel; results in index order.
pub fn run_indices(jobs: &[Job<'_>], indices: &[usize], done: impl Fn(usize) + Sync) -> Vec<JobResult> {
    let finished = AtomicUsize::new(0);
    indices
        .par_iter()
        .map(|&i| {
            let r = run_job(i, &jobs[i]);
            done(finished.fetch_add(1, Ordering::Relaxed) + 1);
            r
        })
        .collect()
}

/// Parse `K/N` (1 <= K <= N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard {s}: expected K/N with 1 <= K <= N, e.g. 2/8");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}
