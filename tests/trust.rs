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
        let s = std::process::Command::new(&bin).args(run_args(seed, dir)).status().unwrap();
        assert!(s.success());
    }
    let (old_tree, new_tree) = (tree(&old), tree(&new));
    assert_ne!(old_tree, new_tree);
    assert!(old_tree.len() > 10, "events, tables, charts, page");
    // DIR holds the seed-1 output; seed 2 is written over it and killed at points from
    // before its first file to after its last.
    let dir = tmp.path().join("dir");
    std::process::Command::new(&bin).args(run_args(1, &dir)).status().unwrap();
    let fresh = tmp.path().join("fresh");
    let (mut saw_old, mut saw_new) = (0, 0);
    for ms in [0u64, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250, 350, 500, 700, 1000] {
        for (target, may_be_missing) in [(&dir, false), (&fresh, true)] {
            let mut child = std::process::Command::new(&bin).args(run_args(2, target)).spawn().unwrap();
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
        std::process::Command::new(&bin).args(run_args(1, &dir)).status().unwrap();
    }
    // The kills must have hit both sides of the swap for the test to mean anything.
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}: adjust the kill times");
    // Nothing is left beside DIR but the outputs (the next run removed killed runs' temporaries).
    std::process::Command::new(&bin).args(run_args(2, &fresh)).status().unwrap();
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
