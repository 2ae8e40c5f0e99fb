//! The batch-scheduler recipes under docs/cluster: `shard.sh` run as a Slurm job array and
//! as a Kubernetes Indexed Job would run it (their index variables set by hand), then the
//! merge: the same files as the unsharded command.

use assert_cmd::Command;
use std::path::Path;

fn run_recipe(env_for: impl Fn(usize) -> Vec<(&'static str, String)>, n: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = assert_cmd::cargo::cargo_bin("smsim");
    let tmp = tempfile::tempdir().unwrap();
    let args = ["run", "scenarios/spend-limit-default.toml", "--replications", "5"];
    for k in 1..=n {
        let mut cmd = std::process::Command::new("bash");
        cmd.current_dir(root).arg("docs/cluster/shard.sh").arg(tmp.path()).args(args).env("SMSIM", &bin);
        for (key, v) in env_for(k) {
            cmd.env(key, v);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "shard {k}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let shards: Vec<_> = (1..=n).map(|k| tmp.path().join(format!("shard-{k}"))).collect();
    Command::cargo_bin("smsim")
        .unwrap()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(tmp.path().join("merged"))
        .assert()
        .success();
    Command::cargo_bin("smsim")
        .unwrap()
        .current_dir(root)
        .args(args)
        .args(["--quiet", "--out"])
        .arg(tmp.path().join("full"))
        .assert()
        .success();
    for f in ["summary.csv", "summary_stats.csv", "timeseries.csv", "outcomes.csv", "charts/spend.png"] {
        let a = std::fs::read(tmp.path().join("full").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs");
    }
}

#[test]
fn slurm_job_array_recipe() {
    run_recipe(|k| vec![("SLURM_ARRAY_TASK_ID", k.to_string()), ("SLURM_ARRAY_TASK_COUNT", "3".into())], 3);
}

#[test]
fn kubernetes_indexed_job_recipe() {
    // Indexed Jobs number pods from 0.
    run_recipe(|k| vec![("JOB_COMPLETION_INDEX", (k - 1).to_string()), ("SHARDS", "3".into())], 3);
}
