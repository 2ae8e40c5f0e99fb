//! The command line (SPEC 1): flag parsing apart from the work each command does.

use clap::{Args, Parser, Subcommand};
use smsim::run::{Progress, RunOptions, run_and_write};
use smsim::scenario::units::thousands;
use smsim::sms::segments::segment;
use smsim::{Error, check, report, scenario};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// smsim: a deterministic discrete-event simulator of two-way SMS.
#[derive(Debug, Parser)]
#[command(name = "smsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write its outputs.
    Run(RunArgs),
    /// Validate a scenario and print the resolved values and analytic estimates.
    Check(CheckArgs),
    /// Run the base scenario and every [[variant]] on one seed; one summary row each and a
    /// table of key figures.
    Compare(CompareArgs),
    /// Run the cartesian product of --set PATH=V1,V2,... (first flag slowest); with
    /// --target, report the cheapest point that meets it.
    Sweep(SweepArgs),
    /// Join the outputs of the N shards of a run into exactly the files an unsharded run
    /// would have written.
    Merge(MergeArgs),
    /// Count SMS segments (encoding, units, parts) of TEXT or standard input.
    Segments(SegmentsArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The shard folders, in any order.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the merged outputs.
    #[arg(long)]
    out: PathBuf,
}

/// Flags shared by `run`, `compare` and `sweep`.
#[derive(Debug, Args)]
struct OutputArgs {
    /// Seed (overrides simulation.seed; the same for every variant or point).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder, replaced whole when the command completes (default output/<simulation.name>/,
    /// output/<name>-compare/, output/<name>-sweep/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar and no warnings on standard error (run.json keeps the warnings).
    #[arg(long)]
    quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
    /// Do not write report.html.
    #[arg(long)]
    no_report: bool,
    /// Run only the K-th of N deterministic slices of the runs (join them with `merge`).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// The most runs (variants or points times replications) one command may make.
    #[arg(long, value_name = "N", default_value_t = smsim::experiment::plan::MAX_RUNS)]
    max_runs: u64,
}

impl OutputArgs {
    fn options(&self, events: bool) -> RunOptions {
        RunOptions {
            seed: self.seed,
            out: self.out.clone(),
            events,
            no_charts: self.no_charts,
            no_report: self.no_report,
        }
    }
}

#[derive(Debug, Args)]
struct SweepArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// A swept value list: PATH=V1,V2,... (repeatable; the first varies slowest).
    #[arg(long = "set", value_name = "PATH=V1,V2,...", required = true)]
    set: Vec<String>,
    /// Targets on summary.csv columns, e.g. 'latency_p95_s<=60,drain_s<3600'.
    #[arg(long)]
    target: Option<String>,
    /// Replications of each point.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    replications: u32,
    #[command(flatten)]
    common: OutputArgs,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The scenario file (TOML) with [[variant]] entries.
    scenario: PathBuf,
    /// Override a value of the base and every variant: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    #[command(flatten)]
    common: OutputArgs,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Also write events.csv and inbound.jsonl (of replication 0).
    #[arg(long)]
    events: bool,
    /// Independent replications, run in parallel; adds summary_stats.csv.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    replications: u32,
    /// Override a scenario value: PATH=VALUE (repeatable), e.g. number.lc.count=4.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    #[command(flatten)]
    common: OutputArgs,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario value: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// No warnings on standard error.
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct SegmentsArgs {
    /// Print {"encoding","characters","units","parts"} as JSON.
    #[arg(long)]
    json: bool,
    /// Apply smart encoding first (curly quotes, dashes and the like become GSM-7).
    #[arg(long)]
    smart: bool,
    /// The text; standard input when absent.
    text: Option<String>,
}

impl Cli {
    /// Run the command; the error is printed by `main`.
    pub fn execute(self) -> Result<(), Error> {
        // A `--set` without the shape PATH=VALUE is a usage error, as under `sweep`.
        let sets = match &self.command {
            Command::Run(a) => &a.set,
            Command::Check(a) => &a.set,
            Command::Compare(a) => &a.set,
            _ => &Vec::new(),
        };
        sets.iter().try_for_each(|s| scenario::set::check(s)).map_err(Error::Usage)?;
        match self.command {
            Command::Run(a) => run(a),
            Command::Check(a) => {
                // Every variant is loaded too, so that a bad `set` shows here, not later.
                let all = scenario::load_all(&a.scenario, &a.set)?;
                if !a.quiet {
                    warn(&smsim::experiment::plan::warnings(&all));
                }
                let mut text = check::report(&all[0]);
                if all.len() > 1 {
                    let names: Vec<&str> = all[1..].iter().map(|v| v.variant.as_str()).collect();
                    text.push_str(&format!("variants besides the base (all valid): {}\n", names.join(", ")));
                }
                say(&text)
            }
            Command::Compare(a) => compare(a),
            Command::Sweep(a) => sweep(a),
            Command::Merge(a) => say(&smsim::experiment::shard::merge(&a.dirs, &a.out)?),
            Command::Segments(a) => segments(a),
        }
    }
}

fn run(a: RunArgs) -> Result<(), Error> {
    let sc = scenario::load(&a.scenario, &a.set)?;
    let opts = a.common.options(a.events);
    let show = !a.common.quiet && std::io::stderr().is_terminal();
    let bar = show.then(|| {
        let horizon_s = sc.horizon.as_secs_f64().ceil() as u64;
        let pb = indicatif::ProgressBar::new(horizon_s.max(1));
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} s, ETA {eta}, {msg}",
            )
            .expect("valid template"),
        );
        pb
    });
    let shard = a.common.shard.as_deref().map(parse_shard).transpose()?;
    if a.replications > 1 || shard.is_some() {
        if a.replications < 2 {
            return Err(Error::Usage("--shard splits replications: give --replications R with R > 1".into()));
        }
        if a.events && shard.is_some() {
            return Err(Error::Usage("--events writes one run's events: not with --shard".into()));
        }
        let what = format!("--replications {}", a.replications);
        smsim::experiment::plan::check_runs(a.replications as u64, &what, a.common.max_runs)?;
        let prepared = smsim::experiment::Prepared::run(sc, &a.set, &opts, a.replications);
        return execute(prepared, &opts, shard, a.common.quiet, a.events, a.common.max_runs);
    }
    let progress = |p: Progress| {
        if let Some(pb) = &bar {
            pb.set_position(p.t.as_micros() / 1_000_000);
            pb.set_message(format!("{} settled", thousands(p.settled)));
        }
    };
    let (outcome, out, files) = run_and_write(&sc, &opts, progress)?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    if !a.common.quiet {
        warn(&scenario::warnings::all(&sc));
    }
    say(&report::terminal::run_summary(&sc, &outcome.summary(&sc, 0), &outcome.metrics, &out, &files))
}

fn compare(a: CompareArgs) -> Result<(), Error> {
    let all = scenario::load_all(&a.scenario, &a.set)?;
    if all.len() < 2 {
        return Err(Error::Input(format!(
            "{}: no [[variant]] to compare with the base scenario",
            a.scenario.display()
        )));
    }
    let shard = a.common.shard.as_deref().map(parse_shard).transpose()?;
    let opts = a.common.options(false);
    smsim::experiment::plan::check_runs(all.len() as u64, "the variants", a.common.max_runs)?;
    let prepared = smsim::experiment::Prepared::compare(all, &a.set, &opts, 1);
    execute(prepared, &opts, shard, a.common.quiet, false, a.common.max_runs)
}

/// Parse `--shard K/N` (a usage error when malformed).
fn parse_shard(s: &str) -> Result<(usize, usize), Error> {
    smsim::experiment::shard::parse_shard(s).map_err(Error::Usage)
}

/// Run a prepared multi-run command (or one shard of it) with a progress bar over runs,
/// write its outputs and print its summary. With `events`, replication 0 also writes
/// `events.csv` and `inbound.jsonl` (run alone first, with the event log).
fn execute(
    prepared: smsim::experiment::Prepared,
    opts: &RunOptions,
    shard: Option<(usize, usize)>,
    quiet: bool,
    events: bool,
    max_runs: u64,
) -> Result<(), Error> {
    if shard.is_some() && opts.out.is_none() {
        return Err(Error::Usage("--shard needs --out DIR: each shard writes its own folder".into()));
    }
    // More slices than runs leaves some empty (fine for a fixed-size job array), but
    // not past the bound on runs: merge must be able to list what is missing.
    if let Some((_, n)) = shard {
        let runs = prepared.plan.jobs;
        if n > runs && n as u64 > max_runs {
            return Err(Error::Usage(format!(
                "--shard K/{n}: more slices than the {runs} runs to split and than the {} that --max-runs allows; use N <= {}",
                thousands(max_runs),
                thousands(max_runs.max(runs as u64))
            )));
        }
    }
    prepared.check_rows()?;
    let started = std::time::Instant::now();
    let out = prepared.out(opts);
    let total = smsim::experiment::shard::indices(prepared.plan.jobs, shard).len();
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(total as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} run {human_pos}/{human_len}, ETA {eta} {msg}",
            )
            .expect("valid template"),
        );
        pb
    });
    // Everything goes into a staging folder that replaces DIR only when complete.
    let staging = smsim::output::Staging::begin(&out, "scenario file", &[Path::new(&prepared.plan.scenario_file)])?;
    if events {
        let first =
            RunOptions { seed: Some(prepared.plan.seed), out: None, events: true, no_charts: true, no_report: true };
        smsim::run::write_run(&prepared.scenarios[0], &first, staging.dir(), |_| {})?;
    }
    // Each finished run names its variant or sweep point (cut to fit beside the bar).
    let results = prepared.execute(shard, |n, point| {
        if let Some(b) = &bar {
            b.set_position(n as u64);
            let short: String = point.chars().take(40).collect();
            b.set_message(if short.len() < point.len() { format!("{short}...") } else { short });
        }
    })?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let text = match shard {
        Some(k) => smsim::experiment::shard::write_shard(staging.dir(), &out, k, &prepared.plan, results)?,
        None => smsim::experiment::assemble(
            &prepared.plan,
            &results,
            staging.dir(),
            &out,
            Some(started.elapsed().as_secs_f64()),
        )?,
    };
    staging.commit()?;
    if !quiet {
        warn(&prepared.plan.warnings);
    }
    say(&text)
}

fn sweep(a: SweepArgs) -> Result<(), Error> {
    use smsim::experiment::sweep::{parse_axis, parse_targets};
    let axes = a.set.iter().map(|s| parse_axis(s)).collect::<Result<Vec<_>, _>>().map_err(Error::Usage)?;
    // One path twice would label points by both values but simulate only the last.
    for (i, x) in axes.iter().enumerate() {
        if axes[..i].iter().any(|y| y.path == x.path) {
            return Err(Error::Usage(format!(
                "--set {}: the path is swept twice; give its values in one --set",
                x.path
            )));
        }
    }
    if let Some(t) = &a.target {
        parse_targets(t).map_err(Error::Usage)?;
    }
    let shard = a.common.shard.as_deref().map(parse_shard).transpose()?;
    let opts = a.common.options(false);
    let points = axes.iter().map(|x| x.values.len() as u64).fold(1u64, u64::saturating_mul);
    let what = format!("{} points x {} replication(s)", thousands(points), a.replications);
    smsim::experiment::plan::check_runs(points.saturating_mul(a.replications as u64), &what, a.common.max_runs)?;
    let prepared = smsim::experiment::Prepared::sweep(&a.scenario, axes, a.target.clone(), &opts, a.replications)?;
    execute(prepared, &opts, shard, a.common.quiet, false, a.common.max_runs)
}

fn segments(a: SegmentsArgs) -> Result<(), Error> {
    let text = match a.text {
        Some(t) => t,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| Error::Input(format!("standard input: {e}")))?;
            // A trailing newline from `echo` or a file is not part of the message.
            if s.ends_with('\n') {
                s.pop();
                if s.ends_with('\r') {
                    s.pop();
                }
            }
            s
        }
    };
    let sent = if a.smart { smsim::sms::smart::apply(&text) } else { text.as_str().into() };
    let seg = segment(&sent);
    if a.json {
        return say(&format!("{}\n", seg.to_json()));
    }
    let mut out = format!(
        "encoding {}, {} characters, {} units, {} part(s)\n",
        seg.encoding.name(),
        seg.characters,
        seg.units,
        seg.parts
    );
    if a.smart {
        let replaced = text.chars().filter(|&c| smsim::sms::smart::replacement(c).is_some()).count();
        out.push_str(&format!("smart encoding replaced {replaced} character(s)\n"));
        if replaced > 0 {
            out.push_str(&format!("sent as: {sent}\n"));
        }
    }
    // Name each character that forces UCS-2 (SPEC 8), by position in the text segmented.
    let forcing = smsim::sms::segments::ucs2_forcing(&sent);
    if !forcing.is_empty() {
        let list: Vec<String> = forcing
            .iter()
            .map(|&(i, c)| {
                let smart =
                    if !a.smart && smsim::sms::smart::replacement(c).is_some() { ", smart-encodable" } else { "" };
                format!("{c} (U+{:04X}{smart}) at {}", c as u32, i + 1)
            })
            .collect();
        out.push_str(&format!("forces UCS-2: {}\n", list.join(", ")));
    }
    say(&out)
}

/// Print `warnings` to standard error, one line each (SPEC 7.4).
fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", smsim::error::one_line(w));
    }
}

/// Write to standard output; a reader that went away (`smsim check x | head`) is not an
/// error worth a message, anything else is.
fn say(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Input(format!("standard output: {e}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        // clap's own checks: unique names, valid defaults and value parsers. They are
        // compiled only with debug assertions, so .ci/run also runs this test in a debug
        // build (`cargo test --bin smsim`).
        Cli::command().debug_assert();
    }
}
