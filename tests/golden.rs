//! Golden regression runs: every shipped scenario's seeded `summary.csv`, `sources.csv`,
//! `timeseries.csv` and `outcomes.csv` (all variants, for a scenario that has them) are
//! kept under `tests/golden/<scenario>/` and must match byte for byte.
//!
//! After an intended change in behaviour, regenerate them with
//! `SMSIM_BLESS=1 cargo test --release --test golden`, and review the diff before
//! committing it.

mod common;
use smsim::run::{simulate, tables};
use smsim::scenario::load_all;
use std::path::Path;

#[test]
fn shipped_scenarios_match_their_golden_outputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("SMSIM_BLESS").is_some();
    let files = common::shipped_scenarios();
    let mut mismatches = Vec::new();
    for path in &files {
        let all = load_all(path, &[]).unwrap_or_else(|e| panic!("{e}"));
        let seed = all[0].seed;
        let outcomes: Vec<_> = all.iter().map(|sc| simulate(sc, seed, (), |_| {}).0).collect();
        let runs: Vec<_> = all.iter().zip(&outcomes).collect();
        let t = tables(&runs);
        let dir = root.join("tests/golden").join(path.file_stem().unwrap());
        for (name, text) in [
            ("summary.csv", &t.summary),
            ("sources.csv", &t.sources),
            ("timeseries.csv", &t.timeseries),
            ("outcomes.csv", &t.outcomes),
        ] {
            let file = dir.join(name);
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&file, text).unwrap();
                continue;
            }
            match std::fs::read_to_string(&file) {
                Ok(golden) if &golden == text => {}
                Ok(golden) => {
                    let line = golden.lines().zip(text.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
                    mismatches.push(format!("{}: differs from line {line}", file.display()));
                }
                Err(e) => mismatches.push(format!("{}: {e}", file.display())),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden outputs differ (if intended: SMSIM_BLESS=1 cargo test --release --test golden):\n{}",
        mismatches.join("\n")
    );
}
