//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod window;

use smsim::model::{EndState, Observer};
use smsim::run::{RunOutcome, simulate};
use smsim::scenario::{Scenario, load_str};

/// Load a scenario from TOML text, panicking with the error message if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    load_str(text, "test.toml", "test", &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Run a scenario under `seed`.
pub fn run(sc: &Scenario, seed: u64) -> RunOutcome {
    simulate(sc, seed, (), |_| {}).0
}

/// Run with an extra observer and get it back.
pub fn run_with<O: Observer>(sc: &Scenario, seed: u64, obs: O) -> (RunOutcome, O) {
    simulate(sc, seed, obs, |_| {})
}

/// Sum of every end state.
pub fn ended(o: &RunOutcome) -> u64 {
    EndState::ALL.iter().map(|&s| o.metrics.count(s)).sum()
}

/// The shipped scenario files (`scenarios/*.toml`), in name order.
pub fn shipped_scenarios() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios/*.toml");
    files
}
