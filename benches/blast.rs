//! End to end: the core issue's blast (1,000,000 single-part requests at t = 0 through 20
//! long codes to 1,000,000 customers on 3 carriers, lognormal latency, 1% failures),
//! loaded from `benches/blast.toml` and simulated with full metrics, as `smsim run` does
//! (the metrics kept beside the world, `simulate_beside`; less writing the CSV files,
//! which `docs/performance.md` times with the binary); the same at 10,000,000
//! requests; and the blasts of the two-way, throughput and window benches beside it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsim::run::simulate_beside;
use smsim::scenario::load;
use std::hint::black_box;
use std::path::Path;

fn blast(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast.toml");
    let mut g = c.benchmark_group("blast");
    g.sample_size(10);
    for n in [100_000u32, 1_000_000] {
        let sc = load(&path, &[format!("customers.count={n}")]).expect("bench scenario is valid");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("{n}_requests_20_long_codes"), |b| {
            b.iter(|| {
                let o = simulate_beside(&sc, 1, |_| {});
                black_box(o.metrics.requested)
            })
        });
    }
    // The speed issue's national blast: 10,000,000 recipients at t = 0 in the world of
    // the SimPy peer (`../shared/bench/blast-peer.toml`, copied here as the 1 M blast
    // with a 30-day horizon and TTL): most are still queued when their TTL passes.
    let sets = ["customers.count=10000000", "simulation.horizon=30d", "number.lc.ttl=72h"].map(String::from);
    let sc = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast.toml"), &sets)
        .expect("bench scenario is valid");
    g.throughput(Throughput::Elements(10_000_000));
    g.bench_function("10000000_requests_20_long_codes", |b| {
        b.iter(|| {
            let o = simulate_beside(&sc, 1, |_| {});
            black_box(o.metrics.requested)
        })
    });
    // The two-way issue's target: the same blast with 30% replying to a topic with one
    // function subscriber.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast-two-way.toml");
    let sc = load(&path, &[]).expect("bench scenario is valid");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1000000_requests_30pct_replies_to_a_function", |b| {
        b.iter(|| {
            let o = simulate_beside(&sc, 1, |_| {});
            black_box(o.metrics.inbound.published)
        })
    });
    // The throughput issue's target: two priorities under an account MPS (within 1.5x of
    // the plain 1M blast).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast-priorities.toml");
    let sc = load(&path, &[]).expect("bench scenario is valid");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1000000_requests_two_priorities_account_mps", |b| {
        b.iter(|| {
            let o = simulate_beside(&sc, 1, |_| {});
            black_box(o.metrics.requested)
        })
    });
    // A blast its sending window holds until each of four zones opens, kept as a
    // description meanwhile (`benches/blast-window.toml`).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast-window.toml");
    let sc = load(&path, &[]).expect("bench scenario is valid");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1000000_requests_held_by_a_window_in_4_zones", |b| {
        b.iter(|| {
            let o = simulate_beside(&sc, 1, |_| {});
            black_box(o.metrics.requested)
        })
    });
    g.finish();
}

criterion_group!(benches, blast);
criterion_main!(benches);
