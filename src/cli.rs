//! The command line (SPEC 1): flag parsing apart from the work each command does.

use clap::{Args, Parser, Subcommand};
use smsim::model::segments::segment;
use smsim::run::{Progress, RunOptions, run_and_write};
use smsim::{Error, check, report, scenario};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

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
    /// Count SMS segments (encoding, units, parts) of TEXT or standard input.
    Segments(SegmentsArgs),
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
    /// Seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default output/<simulation.name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The scenario file (TOML) with [[variant]] entries.
    scenario: PathBuf,
    /// Seed for every variant (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default output/<simulation.name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override a value of the base and every variant: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default output/<simulation.name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write events.csv and inbound.jsonl (of replication 0).
    #[arg(long)]
    events: bool,
    /// Independent replications, run in parallel; adds summary_stats.csv.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    replications: u32,
    /// Override a scenario value: PATH=VALUE (repeatable), e.g. number.lc.count=4.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Do not draw the charts.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario value: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

#[derive(Debug, Args)]
struct SegmentsArgs {
    /// Print {"encoding","characters","units","parts"} as JSON.
    #[arg(long)]
    json: bool,
    /// The text; standard input when absent.
    text: Option<String>,
}

impl Cli {
    /// Run the command; the error is printed by `main`.
    pub fn execute(self) -> Result<(), Error> {
        match self.command {
            Command::Run(a) => run(a),
            Command::Check(a) => {
                // Every variant is loaded too, so that a bad `set` shows here, not later.
                let all = scenario::load_all(&a.scenario, &a.set)?;
                let mut text = check::report(&all[0]);
                if all.len() > 1 {
                    let names: Vec<&str> = all[1..].iter().map(|v| v.variant.as_str()).collect();
                    text.push_str(&format!("variants (all valid): {}\n", names.join(", ")));
                }
                say(&text)
            }
            Command::Compare(a) => compare(a),
            Command::Sweep(a) => sweep(a),
            Command::Segments(a) => segments(a),
        }
    }
}

fn run(a: RunArgs) -> Result<(), Error> {
    let sc = scenario::load(&a.scenario, &a.set)?;
    let opts = RunOptions { seed: a.seed, out: a.out, events: a.events, no_charts: a.no_charts };
    let show = !a.quiet && std::io::stderr().is_terminal();
    let bar = show.then(|| {
        let horizon_s = sc.horizon.as_secs_f64().ceil() as u64;
        let pb = indicatif::ProgressBar::new(horizon_s.max(1));
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} simulated {pos}/{len} s, {msg}",
            )
            .expect("valid template"),
        );
        pb
    });
    if a.replications > 1 {
        if let Some(pb) = &bar {
            pb.set_length(a.replications as u64);
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} replication {pos}/{len}",
                )
                .expect("valid template"),
            );
        }
        let (outcomes, out, files) = smsim::run::run_replications(&sc, &opts, a.replications, |n| {
            bar.iter().for_each(|b| b.set_position(n as u64))
        })?;
        if let Some(pb) = bar {
            pb.finish_and_clear();
        }
        return say(&report::replications_summary(
            &sc,
            &outcomes.iter().map(|o| &o.metrics).collect::<Vec<_>>(),
            &out,
            &files,
        ));
    }
    let started = std::time::Instant::now();
    let progress = |p: Progress| {
        if let Some(pb) = &bar {
            pb.set_position(p.t.as_micros() / 1_000_000);
            let eps = p.events as f64 / started.elapsed().as_secs_f64().max(1e-9);
            pb.set_message(format!("{} messages settled, {} events, {eps:.0} events/s", p.settled, p.events));
        }
    };
    let (outcome, out, files) = run_and_write(&sc, &opts, progress)?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    say(&report::terminal_summary(&sc, outcome.seed, &outcome.metrics, &out, &files))
}

fn compare(a: CompareArgs) -> Result<(), Error> {
    let all = scenario::load_all(&a.scenario, &a.set)?;
    if all.len() < 2 {
        return Err(Error::Input(format!(
            "{}: no [[variant]] to compare with the base scenario",
            a.scenario.display()
        )));
    }
    let opts = RunOptions { seed: a.seed, out: a.out, events: false, no_charts: a.no_charts };
    let bar = (!a.quiet && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(all.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} variant {pos}/{len}, {msg}",
            )
            .expect("valid template"),
        );
        pb
    });
    let (outcomes, out) = smsim::run::compare_and_write(&all, &opts, |i, p: Progress| {
        if let Some(pb) = &bar {
            pb.set_position(i as u64);
            pb.set_message(format!(
                "{}: simulated {} s, {} messages settled",
                all[i].variant,
                p.t.as_micros() / 1_000_000,
                p.settled
            ));
        }
    })?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let runs: Vec<_> = all.iter().zip(&outcomes).map(|(sc, o)| (sc, &o.metrics)).collect();
    let seed = outcomes[0].seed;
    say(&format!(
        "{} (seed {seed}), {} variants paired by common random numbers:\n{}wrote {}: summary.csv, timeseries.csv, outcomes.csv, run.json{}\n",
        all[0].name,
        all.len(),
        report::compare_table(&runs),
        out.display(),
        if a.no_charts { "" } else { ", charts/" }
    ))
}

fn sweep(a: SweepArgs) -> Result<(), Error> {
    use smsim::experiment::{parse_axis, parse_targets};
    let axes = a.set.iter().map(|s| parse_axis(s)).collect::<Result<Vec<_>, _>>().map_err(Error::Usage)?;
    let columns: Vec<&str> =
        report::SUMMARY_COLUMNS.iter().chain(report::SUMMARY_HEADER_TAIL.iter()).copied().collect();
    let targets = match &a.target {
        Some(t) => parse_targets(t, &columns).map_err(Error::Usage)?,
        None => Vec::new(),
    };
    let n_points: usize = axes.iter().map(|x| x.values.len()).product();
    let total = n_points as u64 * a.replications as u64;
    let bar = (!a.quiet && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(total);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} run {pos}/{len} (points x replications)",
            )
            .expect("valid template"),
        );
        pb
    });
    let opts = RunOptions { seed: a.seed, out: a.out, events: false, no_charts: a.no_charts };
    let r = smsim::run::sweep_and_write(&a.scenario, &axes, &targets, &opts, a.replications, |n| {
        bar.iter().for_each(|b| b.set_position(n as u64))
    })?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    say(&report::sweep_summary(&columns, &r.points, &r.rows, !targets.is_empty(), r.best.as_deref(), &r.out))
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
    let seg = segment(&text);
    if a.json {
        say(&format!("{}\n", seg.to_json()))
    } else {
        say(&format!(
            "encoding {}, {} characters, {} units, {} part(s)\n",
            seg.encoding.name(),
            seg.characters,
            seg.units,
            seg.parts
        ))
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
