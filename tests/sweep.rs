//! `smsim sweep`: point order, targets, `meets_target`, and the `best:` line.

use assert_cmd::Command;

const BURST: &str = r#"
[simulation]
name = "burst-sweep"
horizon = "1d"
[account]
monthly_spend_limit_usd = 1000
[[number]]
id = "p"
kind = "long_code"
[[carrier]]
id = "c"
share = 1
[customers]
count = 3600
[[campaign]]
id = "burst"
from = "p"
body = "hi"
"#;

fn sweep(args: &[&str]) -> (String, String, std::process::Output) {
    sweep_of(BURST, args)
}

/// `smsim sweep` of scenario `text` with `args`: its standard output, summary.csv and
/// the process's output.
fn sweep_of(text: &str, args: &[&str]) -> (String, String, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("burst.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let o = Command::cargo_bin("smsim")
        .unwrap()
        .arg("sweep")
        .arg(&path)
        .args(args)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap_or_default();
    (String::from_utf8(o.stdout.clone()).unwrap(), summary, o)
}

#[test]
fn finds_the_cheapest_pool_that_drains_a_burst_in_time() {
    // 3,600 single-part messages must drain within 600 s. Long codes (1 MPS) need 10
    // numbers ((360 - 1) s), toll-free (3 MPS) 2 ((1800 - 1) / 3 = 599.7 s), a short code
    // 1. Message prices are equal, so the cheapest is the smallest lease bill over the one
    // day horizon: 2 toll-free x $2 < 10 long codes x $1 < a short code's $995 + $650 setup.
    let (stdout, summary, o) = sweep(&[
        "--set",
        "number.p.kind=long_code,toll_free,short_code",
        "--set",
        "number.p.count=1,2,5,10",
        "--target",
        "drain_s<=600",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout.lines().last(), Some("best: number.p.kind=toll_free;number.p.count=2"));
    // The table shows the targeted column as the target reads it, and the verdict: two
    // toll-free numbers drain in (1800 - 1) / 3 = 599.666667 s.
    let head = stdout.lines().next().unwrap();
    assert!(head.ends_with("drain_s  meets targets"), "{head}");
    let row = stdout.lines().find(|l| l.starts_with("number.p.kind=toll_free;number.p.count=2 ")).unwrap();
    assert!(row.ends_with("599.666667            yes"), "{row}");
    assert!(stdout.contains("\nwrote ") && stdout.contains(": summary.csv, sources.csv"), "{stdout}");
    // The same answer from the table itself: least cost among rows that meet the target.
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"meets_target"));
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (cost, drain, meets, variant) = (col("cost_total_usd"), col("drain_s"), col("meets_target"), col("variant"));
    let mut best: Option<(f64, String)> = None;
    for line in summary.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let ok = f[drain].parse::<f64>().unwrap() <= 600.0;
        assert_eq!(f[meets], ok.to_string(), "{line}");
        let c: f64 = f[cost].parse().unwrap();
        if ok && best.as_ref().is_none_or(|(b, _)| c < *b) {
            best = Some((c, f[variant].to_string()));
        }
    }
    assert_eq!(best.unwrap().1, "number.p.kind=toll_free;number.p.count=2");
}

/// With the volume as an axis, the overall best is the cheapest point, which may simply
/// send the least; the lines before `best:` name the cheapest point meeting the target at
/// each volume, which the table's rows must agree with.
#[test]
fn with_a_volume_axis_the_best_at_each_volume_is_named_too() {
    // Two toll-free numbers (6 parts/s) drain 1,200 in 200 s and 3,600 in 600 s; one
    // short code (100 parts/s) drains either in 36 s or less. Within 300 s: at 1,200 the
    // toll-free numbers (cheaper), at 3,600 only the short code.
    let (stdout, summary, o) = sweep(&[
        "--set",
        "number.p.kind=toll_free,short_code",
        "--set",
        "customers.count=1200,3600",
        "--set",
        "number.p.count=2",
        "--target",
        "drain_s<=300",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("customers.count is an axis")).expect(&stdout);
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    for (i, count) in ["1200", "3600"].iter().enumerate() {
        // The cheapest meeting row at this count, from the table.
        let mut best: Option<(f64, String)> = None;
        for f in summary.lines().skip(1).map(|l| l.split(',').collect::<Vec<_>>()) {
            let c: f64 = f[col("cost_total_usd")].parse().unwrap();
            let here = f[col("variant")].contains(&format!("customers.count={count}"));
            if here && f[col("meets_target")] == "true" && best.as_ref().is_none_or(|(b, _)| c < *b) {
                best = Some((c, f[col("variant")].to_string()));
            }
        }
        assert_eq!(lines[at + 1 + i], format!("  customers.count={count}: {}", best.unwrap().1));
    }
    assert!(lines[at + 1].contains("kind=toll_free") && lines[at + 2].contains("kind=short_code"), "{stdout}");
    assert_eq!(lines.last(), Some(&"best: number.p.kind=toll_free;customers.count=1200;number.p.count=2"));
    // Without a volume axis, no such lines.
    let (stdout, _, _) = sweep(&["--set", "number.p.kind=toll_free,short_code", "--target", "drain_s<=300"]);
    assert!(!stdout.contains("is an axis"), "{stdout}");
}

/// Under traffic, whose rate decides how much is sent, `customers.count` changes who is
/// texted, not how many: no volume lines. The same axis over a campaign has them (above).
#[test]
fn customers_count_under_traffic_is_no_volume_axis() {
    let text = BURST.replace("horizon = \"1d\"", "horizon = \"10m\"").replace(
        "[[campaign]]\nid = \"burst\"\nfrom = \"p\"\nbody = \"hi\"\n",
        "[[traffic]]\nid = \"logins\"\nfrom = \"p\"\nbody = \"hi\"\nrate = \"0.5/s\"\n",
    );
    assert!(text.contains("[[traffic]]"));
    let (stdout, summary, o) = sweep_of(&text, &["--set", "customers.count=1000,3000", "--target", "drain_s<=900"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same arrivals at both counts: the same requests, within the 1% the rule allows.
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let req = header.iter().position(|h| *h == "requested").unwrap();
    let counts: Vec<f64> = summary.lines().skip(1).map(|l| l.split(',').nth(req).unwrap().parse().unwrap()).collect();
    assert_eq!(counts.len(), 2);
    assert!(counts[0] > 200.0 && (counts[0] - counts[1]).abs() <= 0.01 * counts[0], "{counts:?}");
    assert!(!stdout.contains("is an axis"), "{stdout}");
    assert!(stdout.lines().last().is_some_and(|l| l.starts_with("best: ")), "{stdout}");
}

#[test]
fn two_parameter_sweeps_vary_the_first_flag_slowest() {
    let (_, summary, o) = sweep(&["--set", "number.p.count=1,2", "--set", "number.p.kind=long_code,short_code"]);
    assert!(o.status.success());
    let variants: Vec<String> = summary.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().to_string()).collect();
    assert_eq!(
        variants,
        [
            "number.p.count=1;number.p.kind=long_code",
            "number.p.count=1;number.p.kind=short_code",
            "number.p.count=2;number.p.kind=long_code",
            "number.p.count=2;number.p.kind=short_code",
        ]
    );
    assert!(!summary.lines().next().unwrap().ends_with("meets_target"), "no target, no column");
}

#[test]
fn best_is_none_when_nothing_meets_the_target() {
    let (stdout, summary, o) =
        sweep(&["--set", "number.p.count=1,2", "--target", "drain_s<=1,cost_total_usd<1000", "--replications", "2"]);
    assert!(o.status.success());
    assert_eq!(stdout.lines().last(), Some("best: none"));
    assert!(summary.lines().skip(1).all(|l| l.ends_with(",false")));
    // Both targeted columns, once each, and the verdict of the means with the count of
    // replications meeting the targets alone.
    let head = stdout.lines().next().unwrap();
    assert!(head.contains("drain_s  cost_total_usd ") && head.ends_with(" meets targets"), "{stdout}");
    assert!(stdout.contains(" 1799       20.982667 "), "the means to six decimals: {stdout}");
    assert_eq!(stdout.matches("no (0 of 2 replications)").count(), 2, "{stdout}");
    assert_eq!(summary.lines().count(), 1 + 2 * 2, "two points, two replications each");
}

#[test]
fn bad_sweep_arguments_are_usage_errors() {
    let (_, _, o) = sweep(&["--set", "number.p.count=1,2", "--target", "no_such_column<=3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no_such_column"));
    let (_, _, o) = sweep(&["--set", "number.p.count"]);
    assert_eq!(o.status.code(), Some(2));
    let (_, _, o) = sweep(&["--set", "number.nope.count=1,2"]);
    assert_eq!(o.status.code(), Some(1), "a path the scenario lacks is a scenario error");
}

/// `best` is the cheapest over the horizon (`cost_total_usd`, a setup fee charged to it
/// whole); when the monthly run rate picks another point meeting the targets, a line
/// before `best:` names it.
#[test]
fn the_cheapest_by_monthly_run_rate_is_named_when_it_is_not_best() {
    // Ten long codes over one day. The base leases at $50 a number-month without setup:
    // $16.67 of leases over the day, $500 a month. The variant leases at $1 with a $100
    // setup: $100.33 over the day, $18.33 a month (setup over 12 months). Messages cost the
    // same in both. Both drain 3,600 in 359 s.
    let text = BURST
        .replace("count = 1\n", "")
        .replace("kind = \"long_code\"", "kind = \"long_code\"\ncount = 10\nsetup_fee_usd = 0\nmonthly_lease_usd = 50")
        + "[[variant]]\nname = \"cheap_month\"\nset = { \"number.p.setup_fee_usd\" = 100, \"number.p.monthly_lease_usd\" = 1 }\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("month.toml");
    std::fs::write(&path, text).unwrap();
    let run = |target: &str| {
        let o = Command::cargo_bin("smsim")
            .unwrap()
            .arg("sweep")
            .arg(&path)
            .args(["--set", "variant=base,cheap_month", "--target", target, "--quiet", "--no-charts", "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
        (String::from_utf8(o.stdout).unwrap(), summary)
    };
    let (stdout, summary) = run("drain_s<=600");
    // The table agrees: base is cheaper over the day, the variant per month.
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let rows: Vec<Vec<&str>> = summary.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let num = |r: usize, c: &str| rows[r][col(c)].parse::<f64>().unwrap();
    assert!(num(0, "cost_total_usd") < num(1, "cost_total_usd"), "{summary}");
    assert!(num(0, "cost_monthly_run_rate_usd") > num(1, "cost_monthly_run_rate_usd"), "{summary}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.last(), Some(&"best: variant=base"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("best is the cheapest over this horizon") && l.ends_with("is variant=cheap_month")),
        "{stdout}"
    );
    // When only the variant meets the targets, it is best and no such line is printed.
    let between = (num(0, "cost_monthly_run_rate_usd") + num(1, "cost_monthly_run_rate_usd")) / 2.0;
    let (stdout, _) = run(&format!("cost_monthly_run_rate_usd<={between}"));
    assert_eq!(stdout.lines().last(), Some("best: variant=cheap_month"));
    assert!(!stdout.contains("best is the cheapest over this horizon"), "{stdout}");
}

/// A variant's keys apply after the axes' values: an axis it also sets changes nothing at
/// its points, and the sweep warns so, naming the variant, its key and the axis.
#[test]
fn an_axis_a_swept_variant_also_sets_is_warned_of() {
    let text = BURST.to_string()
        + "[[variant]]\nname = \"eight\"\nset = { \"number.p.count\" = 8 }\n"
        + "[[variant]]\nname = \"kind\"\nset = { number = { p = { kind = \"toll_free\" } } }\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.toml");
    std::fs::write(&path, text).unwrap();
    let run = |axes: &[&str]| {
        let o = Command::cargo_bin("smsim")
            .unwrap()
            .arg("sweep")
            .arg(&path)
            .args(axes)
            .args(["--no-charts", "--no-report", "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
        (String::from_utf8(o.stderr).unwrap(), summary)
    };
    let (err, summary) = run(&["--set", "variant=base,eight,kind", "--set", "number.p.count=1,2"]);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("warning: sweep: variant")).collect::<Vec<_>>(),
        [
            "warning: sweep: variant eight sets number.p.count, and number.p.count is an axis: a variant's keys apply last, so at variant=eight the axis's values (1, 2) change nothing"
        ],
        "{err}"
    );
    // What it warns of: both points of variant eight send 450 messages a number at
    // 1 part/s, the last at 449 s.
    assert_eq!(summary.lines().count(), 1 + 6, "{summary}");
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "drain_s").unwrap();
    let drain = |row: usize| summary.lines().nth(1 + row).unwrap().split(',').nth(col).unwrap().to_string();
    assert_eq!(drain(2), drain(3), "{summary}");
    assert_eq!(drain(2).parse::<f64>().unwrap(), 3600.0 / 8.0 - 1.0);
    assert_ne!(drain(0), drain(1), "the axis still counts at base: {summary}");
    // A variant written as nested tables is read as its paths: number.p.kind, not the
    // axis's number.p.count.
    let (err, _) = run(&["--set", "variant=base,kind", "--set", "number.p.count=1,2"]);
    assert!(!err.contains("warning: sweep:"), "{err}");
    let (err, _) = run(&["--set", "variant=base,kind", "--set", "number.p.kind=long_code,short_code"]);
    assert!(err.contains("warning: sweep: variant kind sets number.p.kind, and number.p.kind is an axis"), "{err}");
}
