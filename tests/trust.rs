//! Outputs an unattended pipeline can trust (SPEC 10): whole or none, even when a run is
//! killed while it writes.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` by relative path, with its bytes; `run.json` (which holds the
/// wall-clock time) reduced to its seed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let mut bytes = std::fs::read(&p).unwrap();
                if p.file_name().is_some_and(|n| n == "run.json") {
                    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    bytes = v["seed"].to_string().into_bytes();
                }
                out.insert(p.strip_prefix(base).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A command whose standard output is dropped (the runs print their summaries).
fn quiet_cmd(bin: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(bin);
    c.stdout(std::process::Stdio::null());
    c
}

fn run_args(seed: u64, out: &Path) -> Vec<std::ffi::OsString> {
    let mut a: Vec<std::ffi::OsString> = vec!["run".into(), root().join("scenarios/long-vs-short-code.toml").into()];
    for s in ["--set", "customers.count=150000", "--events", "--quiet", "--seed", &seed.to_string(), "--out"] {
        a.push(s.into());
    }
    a.push(out.into());
    a
}

#[test]
fn a_run_killed_while_it_writes_leaves_the_earlier_output_whole_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("smsim");
    // The two complete outputs, each written once undisturbed.
    let (old, new) = (tmp.path().join("seed1"), tmp.path().join("seed2"));
    for (seed, dir) in [(1, &old), (2, &new)] {
        let s = quiet_cmd(&bin).args(run_args(seed, dir)).status().unwrap();
        assert!(s.success());
    }
    let (old_tree, new_tree) = (tree(&old), tree(&new));
    assert_ne!(old_tree, new_tree);
    assert!(old_tree.len() > 10, "events, tables, charts, page");
    // DIR holds the seed-1 output; seed 2 is written over it and killed at points from
    // before its first file to after its last.
    let dir = tmp.path().join("dir");
    quiet_cmd(&bin).args(run_args(1, &dir)).status().unwrap();
    let fresh = tmp.path().join("fresh");
    let (mut saw_old, mut saw_new) = (0, 0);
    for ms in [0u64, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250, 350, 500, 700, 1000] {
        for (target, may_be_missing) in [(&dir, false), (&fresh, true)] {
            let mut child = quiet_cmd(&bin).args(run_args(2, target)).spawn().unwrap();
            std::thread::sleep(Duration::from_millis(ms));
            let _ = child.kill();
            child.wait().unwrap();
            if !target.exists() {
                assert!(may_be_missing, "killed after {ms} ms: the earlier output is gone");
                continue;
            }
            let now = tree(target);
            if now == new_tree {
                saw_new += 1;
            } else if now == old_tree {
                saw_old += 1;
            } else {
                let differ: Vec<_> = now.keys().filter(|k| now.get(*k) != new_tree.get(*k)).take(3).collect();
                panic!(
                    "killed after {ms} ms: {} is a mix (differs from the complete output in {differ:?})",
                    target.display()
                );
            }
            if may_be_missing {
                std::fs::remove_dir_all(target).unwrap();
            }
        }
        // Start each kill of DIR from the seed-1 output again.
        quiet_cmd(&bin).args(run_args(1, &dir)).status().unwrap();
    }
    // The kills must have hit both sides of the swap for the test to mean anything.
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}: adjust the kill times");
    // Nothing is left beside DIR but the outputs (the next run removed killed runs' temporaries).
    quiet_cmd(&bin).args(run_args(2, &fresh)).status().unwrap();
    let names: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn a_folder_that_is_not_an_smsim_output_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let o = Command::cargo_bin("smsim")
        .unwrap()
        .arg("run")
        .arg(root().join("scenarios/spend-limit-default.toml"))
        .args(["--quiet", "--out"])
        .arg(tmp.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("not an smsim output") && err.lines().count() == 1, "{err}");
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("notes.txt")]);
}

#[test]
fn an_output_folder_holding_the_scenario_file_is_refused_untouched() {
    // A scenario kept in an earlier output folder: writing that folder again would
    // remove the file being run, for run and for compare alike.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let quiet = |cmd: &str, out: &Path, file: &Path| {
        Command::cargo_bin("smsim")
            .unwrap()
            .arg(cmd)
            .arg(file)
            .args(["--quiet", "--no-charts", "--out"])
            .arg(out)
            .output()
            .unwrap()
    };
    let o = quiet("run", &dir, &root().join("scenarios/spend-limit-default.toml"));
    assert!(o.status.success());
    let file = dir.join("s.toml");
    std::fs::copy(root().join("scenarios/spend-limit-default.toml"), &file).unwrap();
    for cmd in ["run", "compare"] {
        let o = quiet(cmd, &dir, &file);
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(
            err.contains("the scenario file") && err.contains("would remove it") && err.lines().count() == 1,
            "{err}"
        );
        assert!(file.is_file() && dir.join("run.json").is_file());
    }
    // A link in the folder to a scenario elsewhere is removed with the folder: refused too.
    let real = tmp.path().join("real.toml");
    std::fs::copy(&file, &real).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&real, &file).unwrap();
    let o = quiet("run", &dir, &file);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::symlink_metadata(&file).is_ok(), "the link stays");
    // Written elsewhere, it runs.
    assert!(quiet("run", &tmp.path().join("elsewhere"), &file).status.success());
    // --out naming the scenario file itself is refused as not a folder, as before.
    let o = quiet("run", &real, &real);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(o.status.code() == Some(1) && err.contains("exists and is not a folder"), "{err}");
    assert!(real.is_file());
}

#[test]
fn a_rerun_leaves_no_file_of_the_earlier_run_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let run = |extra: &[&str]| {
        Command::cargo_bin("smsim")
            .unwrap()
            .arg("run")
            .arg(root().join("scenarios/spend-limit-default.toml"))
            .args(extra)
            .args(["--quiet", "--out"])
            .arg(&dir)
            .assert()
            .success();
    };
    run(&["--events"]);
    assert!(dir.join("events.csv").exists());
    run(&["--no-charts"]);
    assert!(!dir.join("events.csv").exists(), "an old events.csv beside a new summary");
    assert!(!dir.join("charts").exists());
}

#[test]
fn run_compare_and_sweep_default_to_sibling_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let file = root().join("scenarios/long-vs-short-code.toml");
    let go = |args: &[&str]| {
        Command::cargo_bin("smsim")
            .unwrap()
            .current_dir(tmp.path())
            .args(args)
            .arg(&file)
            .arg("--quiet")
            .assert()
            .success();
    };
    go(&["compare", "--no-charts", "--no-report"]);
    go(&["sweep", "--no-charts", "--no-report", "--set", "number.pool.count=1,2"]);
    go(&["run", "--no-charts", "--no-report"]);
    let out = tmp.path().join("output");
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["long-vs-short-code", "long-vs-short-code-compare", "long-vs-short-code-sweep"]);
    for n in &names {
        assert!(out.join(n).join("summary.csv").exists() && !out.join(n).join("sweep").exists());
    }
}

/// Run smsim with `args`; (exit code, standard error).
fn smsim(args: &[&str]) -> (Option<i32>, String) {
    let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("smsim")).args(args).output().unwrap();
    (o.status.code(), String::from_utf8(o.stderr).unwrap())
}

#[test]
fn work_past_the_bounds_is_a_usage_error_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let file = root().join("scenarios/spend-limit-default.toml");
    let file = file.to_str().unwrap();
    let out = out.to_str().unwrap();
    // Each of these aborted on an allocation, or grew to gigabytes, before its check.
    let cases: [(&[&str], &str); 3] = [
        (&["run", file, "--replications", "4294967295", "--out", out], "--max-runs 4294967295"),
        (
            &[
                "sweep",
                file,
                "--set",
                "customers.count=1,2,3,4,5,6,7,8,9,10",
                "--set",
                "seed=1,2,3,4,5,6,7,8,9,10,11",
                "--replications",
                "1000",
                "--out",
                out,
            ],
            "--max-runs 110000",
        ),
        (&["run", file, "--replications", "4", "--shard", "1/18446744073709551615", "--out", out], "use N <= 100,000"),
    ];
    for (args, says) in cases {
        let (code, err) = smsim(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(says) && err.lines().count() == 1 && err.len() < 400, "{args:?}: {err}");
    }
    // 100,000 slices of 4 runs: allowed (empty slices suit a fixed-size job array), and a
    // merge missing nearly all of them says so in one short line.
    let s1 = tmp.path().join("s1");
    let (code, err) =
        smsim(&["run", file, "--replications", "4", "--shard", "1/100000", "--quiet", "--out", s1.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = smsim(&["merge", s1.to_str().unwrap(), "--out", out]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("99,999 of 100000 shards") && err.contains("(99,994 more)") && err.len() < 300, "{err}");
    // --max-runs raises the bound.
    let (code, err) = smsim(&["run", file, "--replications", "3", "--max-runs", "2", "--out", out, "--quiet"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) =
        smsim(&["run", file, "--replications", "3", "--max-runs", "3", "--out", out, "--quiet", "--no-charts"]);
    assert_eq!(code, Some(0), "{err}");
    // Two variants at the per-run time-series limit: together past what a command keeps.
    let big = tmp.path().join("big.toml");
    std::fs::write(
        &big,
        "[simulation]\nhorizon = \"2500h\"\nmetrics_interval = \"1s\"\n[[carrier]]\nid = \"c\"\nshare = 1\n\
         [customers]\ncount = 10\n[[number]]\nid = \"p\"\nkind = \"long_code\"\n\
         [[campaign]]\nid = \"b\"\nfrom = \"p\"\nbody = \"Hi\"\n[[variant]]\nname = \"v\"\nset = { \"number.p.count\" = 2 }\n",
    )
    .unwrap();
    // 2500 h at 1 s over 3 scopes: 27 M rows a run, under the per-run bound; two
    // variants keep 54 M together.
    let (code, err) = smsim(&["compare", big.to_str().unwrap(), "--out", out]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("rows together") && err.contains("metrics_interval") && err.lines().count() == 1, "{err}");
    // 5000 h: one run alone is past the bound, an error located at the key.
    let (code, err) = smsim(&["compare", big.to_str().unwrap(), "--set", "simulation.horizon=5000h", "--out", out]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("metrics_interval") && err.lines().count() == 1, "{err}");
}

/// A flow that answers every reply, and a customer who answers every message: with no
/// delay anywhere (`delay`), a loop.
fn echo_scenario(delay: &str) -> String {
    format!(
        "[simulation]\nhorizon = \"1h\"\n[account]\nmonthly_spend_limit_usd = 1000000\n\
         [[number]]\nid = \"sc\"\nkind = \"short_code\"\nmps = 1000000\n\
         [[carrier]]\nid = \"c\"\nshare = 1\nlatency = \"0s\"\ninbound_latency = \"0s\"\n[customers]\ncount = 1\n\
         [[campaign]]\nid = \"hello\"\nfrom = \"sc\"\nbody = \"Hi\"\nreplies = [{{ body = \"again\", p = 1, after = \"{delay}\" }}]\n\
         [[topic]]\nid = \"t\"\nnumbers = [\"sc\"]\n\
         [[topic.subscription]]\nid = \"f\"\nprotocol = \"lambda\"\nlatency = \"0s\"\nhandler = \"echo\"\n\
         [[flow]]\nid = \"echo\"\n[[flow.rule]]\nwhen = \"*\"\nbody = \"Say again?\"\n\
         replies = [{{ body = \"again\", p = 1, after = \"{delay}\" }}]\n"
    )
}

#[test]
fn a_zero_delay_reply_loop_stops_with_an_error_naming_the_flow() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("echo.toml");
    std::fs::write(&file, echo_scenario("0s")).unwrap();
    let (f, out) = (file.to_str().unwrap(), tmp.path().join("o"));
    // check sees the cycle.
    let (code, err) = smsim(&["check", f]);
    assert_eq!(code, Some(0));
    assert!(err.contains("flow echo can answer its own replies with no delay"), "{err}");
    // The run stops (it used to run for hours at a microsecond a cycle), names the flow
    // and writes nothing.
    let started = std::time::Instant::now();
    let (code, err) = smsim(&["run", f, "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("flow:echo") && err.contains("time all but stopped") && err.lines().count() == 1, "{err}");
    assert!(started.elapsed() < Duration::from_secs(60), "stopped early, not at the horizon");
    assert!(!out.exists());
    // With a one-second reply, it is a conversation: it runs to the horizon, no warning.
    std::fs::write(&file, echo_scenario("1s")).unwrap();
    let (code, err) = smsim(&["run", f, "--out", out.to_str().unwrap(), "--no-charts"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("no delay"), "{err}");
}

/// A small valid scenario with `edit` applied to its text.
fn small(edit: impl Fn(String) -> String) -> String {
    edit(
        "[simulation]\nhorizon = \"1h\"\n[[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 10\n\
         [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\n[[campaign]]\nid = \"b\"\nfrom = \"p\"\nbody = \"Hi\"\n"
            .to_string(),
    )
}

#[test]
fn scenario_errors_are_located_on_one_line_without_internal_names() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |name: &str, text: String| {
        let f = tmp.path().join(name);
        std::fs::write(&f, text).unwrap();
        smsim(&["check", f.to_str().unwrap()])
    };
    // (file, its text, what the one-line error must say)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "big.toml",
            small(|t| t.replace("count = 10", "count = 99999999999999999999999")),
            "big.toml:7:9: customers.count: integer too large",
        ),
        (
            "neg.toml",
            small(|t| t.replace("share = 1", "share = 1\nlatency = \"-5s\"")),
            "carrier.c.latency: duration \"-5s\" is negative",
        ),
        (
            "inf.toml",
            small(|t| t.replace("share = 1", "share = 1\nlatency = inf")),
            "carrier.c.latency: duration inf is not a finite",
        ),
        (
            "sim.toml",
            small(|t| t.replace("[simulation]\nhorizon = \"1h\"", "simulation = 5")),
            "simulation: invalid type: integer \"5\", expected a table",
        ),
        (
            "words.toml",
            small(|t| t + "[[flow]]\nid = \"f\"\n[[flow.rule]]\nwhen = 5\nbody = \"x\"\n"),
            "when: expected a word (\"YES\") or a list of words",
        ),
        ("ctl.toml", small(|t| t.replace("id = \"c\"", "id = \"c\\u001b[31m\\nx\"")), "\\u{1b}[31m\\nx"),
    ];
    for (name, text, says) in cases {
        let (code, err) = check(name, text);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!err.contains('\u{1b}') && !err.contains("Raw") && !err.contains("enum"), "{name}: {err}");
    }
    // Fractions of an hour or a day are durations, as documented.
    for (h, secs) in [("0.001h", "3.600 s"), ("0.123d", "10,627 s (2.95 h)")] {
        let (code, err) = check("frac.toml", small(|t| t.replace("horizon = \"1h\"", &format!("horizon = \"{h}\""))));
        assert_eq!(code, Some(0), "{h}: {err}");
        let f = tmp.path().join("frac.toml");
        let o =
            std::process::Command::new(assert_cmd::cargo::cargo_bin("smsim")).arg("check").arg(&f).output().unwrap();
        assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("horizon {secs}")), "{h}");
    }
}

#[test]
fn a_path_swept_twice_and_a_nan_target_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("s.toml");
    std::fs::write(&f, small(|t| t)).unwrap();
    let (f, out) = (f.to_str().unwrap(), tmp.path().join("o"));
    let out = out.to_str().unwrap();
    let (code, err) = smsim(&["sweep", f, "--set", "number.p.count=1,2", "--set", "number.p.count=3,4", "--out", out]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("swept twice"), "{err}");
    for t in ["drain_s<=nan", "drain_s>=inf"] {
        let (code, err) = smsim(&["sweep", f, "--set", "number.p.count=1,2", "--target", t, "--out", out]);
        assert_eq!(code, Some(2), "{t}: {err}");
        assert!(err.contains("not a finite number"), "{err}");
    }
}

#[test]
fn merge_refuses_an_edited_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let file = root().join("scenarios/spend-limit-default.toml");
    let shard = |k: usize| {
        let d = tmp.path().join(format!("s{k}"));
        let (code, err) = smsim(&[
            "run",
            file.to_str().unwrap(),
            "--replications",
            "4",
            "--quiet",
            "--no-charts",
            "--shard",
            &format!("{k}/2"),
            "--out",
            d.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(0), "{err}");
        d
    };
    let (a, b) = (shard(1), shard(2));
    let merge = |out: &str| smsim(&["merge", a.to_str().unwrap(), b.to_str().unwrap(), "--out", out]);
    let out = tmp.path().join("m");
    assert_eq!(merge(out.to_str().unwrap()).0, Some(0), "untouched shards merge");
    let original = std::fs::read_to_string(b.join("shard.json")).unwrap();
    // Counts edited so that conservation breaks, a number made text, a byte of the
    // checksum itself: each is refused, and nothing is written.
    let i = original.find("\"requested\":").unwrap() + "\"requested\":".len();
    let digit = original[i..].chars().next().unwrap();
    let other = if digit == '9' { '8' } else { '9' };
    let edits = [
        format!("{}{other}{}", &original[..i], &original[i + 1..]),
        format!("{}\"abc\"{}", &original[..i], &original[i + 1..]),
        original.replacen("\"checksum\":\"", "\"checksum\":\"0", 1),
    ];
    for (n, edited) in edits.iter().enumerate() {
        std::fs::write(b.join("shard.json"), edited).unwrap();
        let out = tmp.path().join(format!("e{n}"));
        let (code, err) = merge(out.to_str().unwrap());
        assert_eq!(code, Some(1), "edit {n}: {err}");
        assert!(err.contains("checksum") || err.contains("damaged"), "edit {n}: {err}");
        assert!(!out.exists(), "edit {n}: nothing written");
    }
}

#[test]
fn events_that_would_not_fit_the_disk_are_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("big.toml");
    // 10 million recipients every hour for 30 days: 7.2 billion requests, at least
    // 1.7 TB of events.csv.
    std::fs::write(
        &f,
        small(|t| {
            t.replace("horizon = \"1h\"", "horizon = \"30d\"\nmetrics_interval = \"1h\"")
                .replace("count = 10", "count = 10000000")
                .replace("body = \"Hi\"", "body = \"Hi\"\nevery = \"1h\"")
        }),
    )
    .unwrap();
    let need = 7.2e9 * 240.0;
    let free = smsim::output::free_bytes(tmp.path()).unwrap_or(u64::MAX) as f64;
    if free >= need {
        eprintln!("skipped: {free} bytes free, more than the test's events.csv would need");
        return;
    }
    let out = tmp.path().join("o");
    let started = std::time::Instant::now();
    let (code, err) = smsim(&["run", f.to_str().unwrap(), "--events", "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("events.csv would take at least") && err.contains("without --events"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "refused before the run");
    assert!(!out.exists());
}
