//! Writers, one per output (SPEC 5): `summary.csv`, `summary_stats.csv`, `timeseries.csv`,
//! `outcomes.csv` ([`tables`]), `events.csv` and `inbound.jsonl` ([`events`]), the charts
//! ([`charts`]), `run.json`, and the terminal summaries ([`terminal`]). None of them
//! simulates; each takes typed results.

pub mod charts;
pub mod events;
pub mod page;
pub mod tables;
pub mod terminal;

use crate::error::{Error, Result};
use std::path::Path;

/// One CSV field, quoted when it needs to be.
pub fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.to_string() }
}

/// Write `text` to `dir/name`.
pub fn write_file(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| Error::io(path, e))
}

/// The `run.json` document.
pub fn run_json(
    scenario_path: &str,
    seed: u64,
    replications: u32,
    wall_seconds: f64,
    events: u64,
    warnings: &[String],
) -> String {
    let eps = if wall_seconds > 0.0 { events as f64 / wall_seconds } else { 0.0 };
    #[derive(serde::Serialize)]
    struct RunJson<'a> {
        version: &'a str,
        scenario: &'a str,
        seed: u64,
        replications: u32,
        wall_seconds: f64,
        events: u64,
        events_per_second: f64,
        warnings: &'a [String],
    }
    let v = RunJson {
        version: env!("CARGO_PKG_VERSION"),
        scenario: scenario_path,
        seed,
        replications,
        wall_seconds,
        events,
        events_per_second: eps.round(),
        warnings,
    };
    serde_json::to_string_pretty(&v).expect("JSON of plain values") + "\n"
}
