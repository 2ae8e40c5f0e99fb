//! The capacity-planning target: a 40-point sweep of a 100,000-message scenario
//! (`benches/blast.toml` with 100,000 customers and 1 to 40 long codes) uses both cores.
//! The same jobs run on a rayon pool of 1 thread and of 2; the ratio of the two times
//! is the speed-up (target: at least 1.7).

use criterion::{Criterion, criterion_group, criterion_main};
use smsim::experiment::{jobs, run_jobs};
use smsim::scenario::load;
use std::hint::black_box;
use std::path::Path;

fn sweep(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/blast.toml");
    let points: Vec<_> = (1..=40)
        .map(|k| {
            let sets = vec!["customers.count=100000".to_string(), format!("number.lc.count={k}")];
            load(&path, &sets).expect("bench scenario is valid")
        })
        .collect();
    let js = jobs(&points, 1, 1);
    let mut g = c.benchmark_group("sweep_40_points_100k_messages");
    g.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(run_jobs(&js, |_| {}).len())))
        });
    }
    g.finish();
}

criterion_group!(benches, sweep);
criterion_main!(benches);
