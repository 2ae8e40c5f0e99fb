//! Replications: byte-identical outputs whatever the thread count, replication 0 equal to
//! the plain run, and a Student t interval over the M/D/1 queue that covers
//! Pollaczek-Khinchine's 2.0 s and narrows as replications grow.

mod common;
use assert_cmd::Command;
use smsim::experiment::{jobs, run_jobs};
use smsim::metrics::stats::interval;
use std::path::Path;

#[test]
fn identical_bytes_on_one_and_two_threads_and_replication_zero_is_the_plain_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/dental-appointments.toml");
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, threads: &str, reps: &str| {
        let out = dir.path().join(name);
        Command::cargo_bin("smsim")
            .unwrap()
            .env("RAYON_NUM_THREADS", threads)
            .arg("run")
            .arg(&scenario)
            .args(["--replications", reps, "--quiet", "--no-charts", "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (one, two, plain) = (run("one", "1", "6"), run("two", "2", "6"), run("plain", "2", "1"));
    for f in ["summary.csv", "summary_stats.csv", "timeseries.csv", "outcomes.csv"] {
        let (a, b) = (std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let many = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    let single = std::fs::read_to_string(plain.join("summary.csv")).unwrap();
    assert_eq!(many.lines().count(), 1 + 6);
    assert_eq!(many.lines().nth(1), single.lines().nth(1), "replication 0 is the plain run");
    for f in ["timeseries.csv", "outcomes.csv"] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(plain.join(f)).unwrap(),
            "{f} is replication 0's"
        );
    }
    // Replications differ from each other.
    let rows: Vec<&str> = many.lines().skip(1).collect();
    assert_ne!(rows[1].split(',').skip(4).collect::<Vec<_>>(), rows[2].split(',').skip(4).collect::<Vec<_>>());
    // summary_stats.csv: one row per numeric column, n = 6.
    let stats = std::fs::read_to_string(one.join("summary_stats.csv")).unwrap();
    assert!(stats.starts_with("variant,metric,mean,sd,ci95_low,ci95_high,n\n"));
    assert!(stats.lines().any(|l| l.starts_with("base,delivered,") && l.ends_with(",6")));
}

#[test]
fn md1_interval_covers_two_seconds_and_narrows() {
    // The M/D/1 queue of the core tests: Poisson 0.8/s into one 1 MPS number, so the mean
    // wait in queue is 2.0 s. Each replication runs 20,000 s. A correct simulator's 95%
    // interval misses 2.0 s for about one seed in 20; the seed here is fixed, and the
    // widths are checked too, so the coverage is not vacuous.
    let text = r#"
[simulation]
horizon = 20000
metrics_interval = "1h"
seed = 5
[account]
monthly_spend_limit_usd = 1000000
[[number]]
id = "lc"
kind = "long_code"
ttl = "30d"
[[carrier]]
id = "c"
share = 1
[customers]
count = 100000
[[traffic]]
id = "otp"
from = "lc"
body = "code"
rate = 0.8
"#;
    let sc = common::scenario(text);
    let width = |r: u32| {
        let js = jobs(std::slice::from_ref(&sc), sc.seed, r);
        let means: Vec<f64> = run_jobs(&js, |_| {}).iter().map(|o| o.metrics.queue_wait.mean_secs().unwrap()).collect();
        let i = interval(&means);
        let (m, lo, hi) = (i.mean.unwrap(), i.low.unwrap(), i.high.unwrap());
        assert!(lo <= 2.0 && 2.0 <= hi, "{r} replications: mean {m:.4}, 95% CI [{lo:.4}, {hi:.4}] misses 2.0 s");
        hi - lo
    };
    let (w8, w32) = (width(8), width(32));
    // Four times the replications: about half the width (t quantiles shrink it a little more).
    assert!(w32 < 0.7 * w8, "width {w32:.4} with 32 vs {w8:.4} with 8");
    assert!(w32 < 0.3, "the interval is informative: {w32:.4} s wide");
}
