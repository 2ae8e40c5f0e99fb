//! The scenario reader under random mutation: every shipped scenario, with lines deleted,
//! duplicated or truncated, numbers made extreme, values swapped between lines and random
//! unicode inserted, thousands of times per run. Each mutant must be either refused with
//! one located line naming the file (no panic, no internal type name) or accepted and,
//! when small enough to run here, simulated with every request ending exactly once.
//!
//! The seed changes from run to run (the clock) and is printed on failure; replay one with
//! `SMSIM_FUZZ_SEED=<seed> cargo test --release --test fuzz`.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use std::path::Path;

/// Mutants per shipped scenario.
const PER_SCENARIO: usize = 300;

const EXTREMES: [&str; 14] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "9223372036854775807",
    "99999999999999999999",
    "nan",
    "inf",
    "-0.0",
    "0.0000001",
    "1e-300",
    "4294967296",
    "\"\"",
    "[]",
];

const INSERTS: [&str; 13] =
    ["\u{0}", "\u{1b}[31m", "\n", "é", "日本", "🎉", "\u{202e}", "\"", "[", "{", "=", "#", "\r"];

fn mutate(text: &str, rng: &mut Pcg64) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for _ in 0..rng.random_range(1..=3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.random_range(0..lines.len());
        match rng.random_range(0..6) {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[i].clone()),
            2 => {
                let cut: Vec<char> = lines[i].chars().collect();
                let k = rng.random_range(0..=cut.len());
                lines[i] = cut[..k].iter().collect();
            }
            3 => {
                // The first number on the line made extreme.
                let l = &lines[i];
                if let Some(s) = l.find(|c: char| c.is_ascii_digit()) {
                    let e = l[s..].find(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(l.len(), |k| s + k);
                    lines[i] = format!("{}{}{}", &l[..s], EXTREMES[rng.random_range(0..EXTREMES.len())], &l[e..]);
                }
            }
            4 => {
                // Swap the values of two `key = value` lines.
                let j = rng.random_range(0..lines.len());
                if let (Some((ka, va)), Some((kb, vb))) = (lines[i].split_once('='), lines[j].split_once('=')) {
                    let (a, b) = (format!("{ka}={vb}"), format!("{kb}={va}"));
                    lines[i] = a;
                    lines[j] = b;
                }
            }
            _ => {
                let chars: Vec<char> = lines[i].chars().collect();
                let k = rng.random_range(0..=chars.len());
                let ins = INSERTS[rng.random_range(0..INSERTS.len())];
                lines[i] =
                    format!("{}{ins}{}", chars[..k].iter().collect::<String>(), chars[k..].iter().collect::<String>());
            }
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn mutated_scenarios_are_refused_in_one_located_line_or_run_and_conserve() {
    let seed: u64 = std::env::var("SMSIM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let replay = format!("fuzz seed {seed} (replay: SMSIM_FUZZ_SEED={seed} cargo test --release --test fuzz)");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut refused, mut ran, mut accepted) = (0, 0, 0);
    // Panics are caught and reported with the mutant, not printed by the hook.
    std::panic::set_hook(Box::new(|_| {}));
    for f in &files {
        let original = std::fs::read_to_string(f).unwrap();
        // Runs are spread over the scenarios: at most 40 mutants of each.
        let mut ran_here = 0;
        for case in 0..PER_SCENARIO {
            let text = mutate(&original, &mut rng);
            let show = || format!("{replay}: {} mutant {case}:\n{text}", f.display());
            let loaded = std::panic::catch_unwind(|| smsim::scenario::load_str(&text, "fuzz.toml", "fuzz", &[]));
            let sc = match loaded {
                Err(_) => panic!("the reader panicked\n{}", show()),
                Ok(Err(e)) => {
                    let m = smsim::error::one_line(&e.to_string());
                    assert!(m.starts_with("fuzz.toml"), "the error names the file: {m}\n{}", show());
                    let located = m
                        .strip_prefix("fuzz.toml:")
                        .is_some_and(|r| r.split(':').take(2).all(|n| n.parse::<u32>().is_ok()));
                    assert!(located || m.starts_with("fuzz.toml: "), "{m}\n{}", show());
                    assert!(!m.contains("Raw") && !m.contains("untagged"), "an internal name: {m}\n{}", show());
                    refused += 1;
                    continue;
                }
                Ok(Ok(sc)) => sc,
            };
            accepted += 1;
            // check's text and warnings must not panic either.
            let checked = std::panic::catch_unwind(|| (smsim::check::report(&sc), smsim::scenario::warnings::all(&sc)));
            assert!(checked.is_ok(), "check panicked\n{}", show());
            // Run what is small enough to run here: every request ends exactly once.
            if smsim::run::stall_bound(&sc) <= 1024 * 4 * 60_000 && ran_here < 40 {
                let out = std::panic::catch_unwind(|| smsim::run::simulate(&sc, seed, (), |_| {}).0);
                let Ok(o) = out else { panic!("the run panicked\n{}", show()) };
                let ends: u64 = o.metrics.ends.values().iter().sum();
                assert_eq!(ends, o.metrics.requested, "every request ends once\n{}", show());
                ran += 1;
                ran_here += 1;
            }
        }
    }
    let _ = std::panic::take_hook();
    // The mutants must exercise both sides for the test to mean anything.
    assert!(refused > 500 && accepted > 100 && ran > 50, "refused {refused}, accepted {accepted}, ran {ran}: {replay}");
    println!("{replay}: {refused} refused, {accepted} accepted, {ran} run");
}
