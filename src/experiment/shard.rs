//! Shards: one deterministic slice of a plan's runs, written to a folder of its own, and
//! `smsim merge`, which checks that it has every shard of one plan and writes exactly the
//! files of the unsharded command.

use super::{JobResult, Plan, assemble};
use crate::error::{Error, Result};
use crate::report;
use std::path::{Path, PathBuf};

/// A shard's output: the plan and its jobs' results, for `smsim merge`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShardFile {
    /// The shard file's format ([`SHARD_FORMAT`]).
    pub format: u32,
    /// Which shard, 1-based.
    pub shard: usize,
    /// Of how many.
    pub shards: usize,
    /// The plan every shard shares.
    pub plan: Plan,
    /// Its results.
    pub results: Vec<JobResult>,
}

/// The format of shard files this smsim writes and reads: 2 carried typed summaries and
/// sources (format 1, untagged, carried summary rows as strings); 3 the calendar's
/// columns; 4 the money columns of SPEC 8 and the plan's `no_report`; 5 the envelope
/// with a checksum (SPEC 10) and the time series' end-state columns in the chart input;
/// 6 the summaries' `sent_outside_window` (a shard of 5 would merge it as 0); 7 the
/// summaries' `spent` (the month's notes read the limit's remainder against it).
pub const SHARD_FORMAT: u32 = 7;

/// What `shard.json` holds: the shard (plan, which carries the scenario's fingerprint,
/// and results) and a checksum of its exact JSON text, so that an edited or damaged
/// shard is refused. A checksum against edits and damage, not a signature.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<'a> {
    format: u32,
    /// [`super::plan::fingerprint`] of `shard`'s text.
    checksum: String,
    #[serde(borrow)]
    shard: &'a serde_json::value::RawValue,
}

/// The file a shard writes into its folder.
pub const SHARD_FILE: &str = "shard.json";

/// Write a shard's results into `out` (a staging folder that becomes `shown`); returns
/// what to print.
pub fn write_shard(
    out: &Path,
    shown: &Path,
    shard: (usize, usize),
    plan: &Plan,
    results: Vec<JobResult>,
) -> Result<String> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let n = results.len();
    let file = ShardFile { format: SHARD_FORMAT, shard: shard.0, shards: shard.1, plan: plan.clone(), results };
    let body = serde_json::value::to_raw_value(&file).map_err(|e| Error::Input(format!("shard results: {e}")))?;
    let envelope = Envelope { format: SHARD_FORMAT, checksum: super::plan::fingerprint(body.get()), shard: &body };
    let text = serde_json::to_string(&envelope).map_err(|e| Error::Input(format!("shard results: {e}")))?;
    report::write_file(out, SHARD_FILE, &text)?;
    Ok(format!(
        "{}: shard {}/{} ran {n} of {} runs; wrote {}\njoin the shards with: smsim merge DIR... --out DIR\n",
        plan.scenario_name,
        shard.0,
        shard.1,
        plan.jobs,
        shown.join(SHARD_FILE).display()
    ))
}

/// `smsim merge`: read the shard folders (in any order), check that they are the N shards
/// of one plan, each once, and write what the unsharded command would have.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<String> {
    let mut files: Vec<ShardFile> = Vec::with_capacity(dirs.len());
    for d in dirs {
        let path = d.join(SHARD_FILE);
        if d.is_dir() && !path.exists() {
            let what = if d.join("run.json").is_file() { "an output, not a shard" } else { "not a shard" };
            return Err(Error::Input(format!(
                "{}: {what} (no {SHARD_FILE}): merge joins the folders of a command run with --shard K/N",
                d.display()
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        #[derive(serde::Deserialize)]
        struct Header {
            format: Option<u32>,
            /// Format 1 had no `format`, but had the plan.
            plan: Option<serde::de::IgnoredAny>,
        }
        let format = serde_json::from_str::<Header>(&text).ok().and_then(|h| h.format.or(h.plan.map(|_| 1)));
        if format.is_some_and(|f| f != SHARD_FORMAT) {
            return Err(Error::Input(format!(
                "{}: a shard of another smsim (shard format {}, this smsim reads {SHARD_FORMAT}): run every shard with one smsim",
                path.display(),
                format.unwrap_or(1)
            )));
        }
        // serde's messages name internal types: say where instead.
        let damaged = |e: serde_json::Error| {
            Error::Input(format!(
                "{}: damaged shard file, or not one (at JSON line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ))
        };
        let envelope: Envelope<'_> = serde_json::from_str(&text).map_err(damaged)?;
        if super::plan::fingerprint(envelope.shard.get()) != envelope.checksum {
            return Err(Error::Input(format!(
                "{}: the shard's content does not match its checksum: it was edited or damaged; run that shard again",
                path.display()
            )));
        }
        let f: ShardFile = serde_json::from_str(envelope.shard.get()).map_err(damaged)?;
        let most = f.plan.jobs.max(super::plan::MAX_RUNS as usize);
        if f.shards == 0 || f.shard == 0 || f.shard > f.shards || f.shards > most {
            return Err(Error::Input(format!("{}: damaged shard file (shard numbers)", path.display())));
        }
        if let Some(first) = files.first() {
            if f.plan != first.plan || f.shards != first.shards {
                return Err(Error::Input(format!(
                    "{}: shard of another run than {}'s: {}; run every shard with one command line",
                    path.display(),
                    dirs[0].display(),
                    differences(&f, first)
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
    let missing: Vec<usize> = (1..=n).filter(|k| files.iter().all(|f| f.shard != *k)).collect();
    if !missing.is_empty() {
        // One line, however many are missing: the count and the first few.
        let first: Vec<String> = missing.iter().take(5).map(|k| format!("{k}/{n}")).collect();
        let more = if missing.len() > 5 {
            format!(", ... ({} more)", crate::scenario::units::thousands(missing.len() as u64 - 5))
        } else {
            String::new()
        };
        return Err(Error::Input(format!(
            "{} of {n} shards of {} missing: {}{more}",
            crate::scenario::units::thousands(missing.len() as u64),
            plan.scenario_name,
            first.join(", ")
        )));
    }
    let mut results: Vec<JobResult> = files.into_iter().flat_map(|f| f.results).collect();
    results.sort_by_key(|r| r.index);
    if results.len() != plan.jobs || results.iter().enumerate().any(|(i, r)| r.index != i) {
        return Err(Error::Input("the shards' runs do not add up to the plan's: a shard folder is damaged".into()));
    }
    let inputs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let staging = crate::output::Staging::begin(out, "shard folder", &inputs)?;
    let text = assemble(&plan, &results, staging.dir(), out, None)?;
    staging.commit()?;
    Ok(text)
}

/// What differs between shard files `a` and `b`'s runs, in words: "the seed (2 here, 1
/// there)".
fn differences(a: &ShardFile, b: &ShardFile) -> String {
    let (p, q) = (&a.plan, &b.plan);
    let mut said: Vec<String> = Vec::new();
    let mut both = |what: &str, x: String, y: String| {
        if x != y {
            let shown = |v: String| if v.is_empty() { "none".to_string() } else { v };
            said.push(format!("{what} ({} here, {} there)", shown(x), shown(y)));
        }
    };
    both("the scenario file as given", p.scenario_file.clone(), q.scenario_file.clone());
    both("the command", format!("{:?}", p.command).to_lowercase(), format!("{:?}", q.command).to_lowercase());
    both("the seed", p.seed.to_string(), q.seed.to_string());
    both("the replications", p.replications.to_string(), q.replications.to_string());
    both("the smsim version", p.version.clone(), q.version.clone());
    both("the shard count", a.shards.to_string(), b.shards.to_string());
    let axes = |p: &Plan| p.axes.iter().map(|a| format!("{}={}", a.path, a.values.join(","))).collect::<Vec<_>>();
    both("--set", [p.sets.clone(), axes(p)].concat().join(" "), [q.sets.clone(), axes(q)].concat().join(" "));
    both("--target", p.targets.clone().unwrap_or_default(), q.targets.clone().unwrap_or_default());
    both("--no-charts", p.no_charts.to_string(), q.no_charts.to_string());
    both("--no-report", p.no_report.to_string(), q.no_report.to_string());
    if p.scenario_hash != q.scenario_hash {
        said.push("the scenario file's text".into());
    }
    if said.is_empty() {
        // The rest follows from these (the runs from the axes, the warnings from the text).
        said.push("the scenario's name or warnings".into());
    }
    said.join(", ")
}

/// The jobs of shard `k` of `n` (1-based): every n-th job from the k-th; all without a shard.
pub fn indices(total: usize, shard: Option<(usize, usize)>) -> Vec<usize> {
    match shard {
        None => (0..total).collect(),
        Some((k, n)) => (k - 1..total).step_by(n).collect(),
    }
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
