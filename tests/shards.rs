//! `--shard K/N` and `smsim merge`: the merge of N shards writes exactly the files of the
//! unsharded command (run.json aside: it holds wall-clock seconds), for several N, whatever
//! the order of the shard folders; a missing or duplicated shard is a clear error.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn smsim() -> Command {
    Command::cargo_bin("smsim").unwrap()
}

/// Every file below `dir` (relative paths), run.json excepted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "run.json" {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Run `args` unsharded and as N shards merged in a shuffled order; compare every file.
fn check(args: &[&str], ns: &[usize]) {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    smsim().args(args).args(["--quiet", "--out"]).arg(&full).assert().success();
    let expected = files(&full);
    assert!(expected.len() >= 3, "{expected:?}");
    for &n in ns {
        let mut dirs: Vec<PathBuf> = (1..=n)
            .map(|k| {
                let d = tmp.path().join(format!("n{n}-shard{k}"));
                smsim()
                    .args(args)
                    .args(["--quiet", "--shard", &format!("{k}/{n}"), "--out"])
                    .arg(&d)
                    .assert()
                    .success();
                d
            })
            .collect();
        dirs.reverse();
        dirs.rotate_left(n / 2);
        let merged = tmp.path().join(format!("merged{n}"));
        smsim().arg("merge").args(&dirs).arg("--out").arg(&merged).assert().success();
        assert_eq!(files(&merged), expected, "N = {n}: the same files");
        for f in &expected {
            let (a, b) = (std::fs::read(full.join(f)).unwrap(), std::fs::read(merged.join(f)).unwrap());
            assert!(a == b, "N = {n}: {} differs", f.display());
        }
    }
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name).display().to_string()
}

#[test]
fn sweep_shards_merge_to_the_unsharded_output() {
    let s = scenario("spend-limit-default.toml");
    check(
        &[
            "sweep",
            &s,
            "--set",
            "account.monthly_spend_limit_usd=1,2,5",
            "--set",
            "number.lc.count=1,2",
            "--target",
            "delivered>=400",
            "--replications",
            "2",
        ],
        &[1, 2, 3, 5],
    );
}

#[test]
fn replication_shards_merge_to_the_unsharded_output() {
    let s = scenario("dental-appointments.toml");
    check(&["run", &s, "--replications", "5"], &[2, 3, 7]);
}

#[test]
fn compare_shards_merge_to_the_unsharded_output() {
    let s = scenario("carrier-and-webhook-outage.toml");
    check(&["compare", &s], &[2]);
}

#[test]
fn a_missing_or_duplicated_shard_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("spend-limit-default.toml");
    let shard = |k: usize| {
        let d = tmp.path().join(format!("s{k}"));
        smsim()
            .args(["run", &s, "--replications", "4", "--quiet", "--shard", &format!("{k}/3"), "--out"])
            .arg(&d)
            .assert()
            .success();
        d
    };
    let (a, b, c) = (shard(1), shard(2), shard(3));
    let out = tmp.path().join("m");
    let o = smsim().arg("merge").args([&a, &c]).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("1 of 3 shards of spend-limit-default missing: 2/3"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = smsim().arg("merge").args([&a, &b, &b, &c]).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 2/3 given twice"));
    // A shard of another run (another seed) is refused.
    let other = tmp.path().join("other");
    smsim()
        .args(["run", &s, "--replications", "4", "--seed", "99", "--quiet", "--shard", "2/3", "--out"])
        .arg(&other)
        .assert()
        .success();
    let o = smsim().arg("merge").args([&a, &other, &c]).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("another run") && e.contains("the seed (99 here, 3 there)"), "{e}");
    // An output folder that is, or holds, a shard being merged is refused, the shards
    // untouched: a shard folder itself, and an earlier smsim output with the shards in it.
    let outer = tmp.path().join("outer");
    smsim().args(["run", &s, "--quiet", "--no-charts", "--out"]).arg(&outer).assert().success();
    let inner = outer.join("s2");
    smsim()
        .args(["run", &s, "--replications", "4", "--quiet", "--shard", "2/3", "--out"])
        .arg(&inner)
        .assert()
        .success();
    for (shards, over) in [([&a, &b, &c], &a), ([&a, &inner, &c], &outer)] {
        let o = smsim().arg("merge").args(shards).arg("--out").arg(over).output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("the shard folder") && e.contains("would remove it"), "{e}");
        assert!(a.join("shard.json").is_file() && inner.join("shard.json").is_file());
    }
    smsim().arg("merge").args([&a, &b, &c]).arg("--out").arg(&out).assert().success();
    // Malformed --shard is a usage error.
    smsim().args(["run", &s, "--replications", "4", "--shard", "4/3"]).assert().code(2);
    smsim().args(["run", &s, "--shard", "1/2"]).assert().code(2);
}

#[test]
fn damaged_or_foreign_shards_are_refused_without_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/spend-limit-default.toml");
    let file = tmp.path().join("s.toml");
    std::fs::copy(&src, &file).unwrap();
    let run = |k: usize| {
        let d = tmp.path().join(format!("s{k}"));
        smsim()
            .arg("run")
            .arg(&file)
            .args(["--replications", "4", "--quiet", "--shard", &format!("{k}/2"), "--out"])
            .arg(&d)
            .assert()
            .success();
        d
    };
    let a = run(1);
    // The scenario file is edited between the shards: refused.
    let text = std::fs::read_to_string(&file).unwrap().replace("count = 500", "count = 400");
    std::fs::write(&file, text).unwrap();
    let b = run(2);
    let o = smsim().arg("merge").args([&a, &b]).arg("--out").arg(tmp.path().join("m")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("another run") && e.contains("the scenario file's text") && !e.contains("seed"), "{e}");
    // A damaged shard file, even one whose checksum was made to match: an error, not a
    // panic.
    let json = std::fs::read_to_string(b.join("shard.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["shard"]["results"][0]["summary"] = serde_json::json!([]);
    let body = v["shard"].to_string();
    let fnv = body.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    for checksum in [v["checksum"].clone(), serde_json::json!(format!("{fnv:016x}"))] {
        let mut w = v.clone();
        w["checksum"] = checksum;
        // The envelope written by hand: the shard's text exactly as hashed.
        let text = format!("{{\"format\":{},\"checksum\":{},\"shard\":{body}}}", w["format"], w["checksum"]);
        std::fs::write(b.join("shard.json"), text).unwrap();
        let o = smsim().arg("merge").arg(&b).arg("--out").arg(tmp.path().join("m2")).output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!((err.contains("damaged shard file") || err.contains("checksum")) && !err.contains("panicked"), "{err}");
    }
    // An empty JSON object is no shard of any format; a run's own output is no shard.
    std::fs::write(b.join("shard.json"), "{}").unwrap();
    let o = smsim().arg("merge").arg(&b).arg("--out").arg(tmp.path().join("m3")).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code() == Some(1) && err.contains("damaged shard file, or not one"), "{err}");
    let plain = tmp.path().join("plain");
    smsim().arg("run").arg(&file).args(["--quiet", "--no-charts", "--out"]).arg(&plain).assert().success();
    let o = smsim().arg("merge").arg(&plain).arg("--out").arg(tmp.path().join("m4")).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code() == Some(1) && err.contains("an output, not a shard (no shard.json)"), "{err}");
    // --shard without --out is a usage error (shards would overwrite each other).
    smsim().arg("run").arg(&file).args(["--replications", "4", "--shard", "1/2"]).assert().code(2);
}
