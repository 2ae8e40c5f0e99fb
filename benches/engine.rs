//! The kernel's hold loop: the classic "hold" benchmark of event-list performance. A
//! queue holds N events; each step pops the earliest and schedules one at a random
//! later time, so the queue size stays N.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::Rng;
use smsim::engine::rng::stream;
use smsim::engine::{EventQueue, Model, Scheduler, SimTime, run};
use std::hint::black_box;

fn hold_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("hold_queue");
    const STEPS: u64 = 1_000_000;
    g.throughput(Throughput::Elements(STEPS));
    for n in [100usize, 10_000, 1_000_000] {
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let mut r = stream(1, &[n as u64]);
                let mut q = EventQueue::new();
                for i in 0..n {
                    q.push(SimTime::from_micros(r.next_u64() % 1_000_000), i as u32);
                }
                for _ in 0..STEPS {
                    let (t, e) = q.pop().expect("never empty");
                    q.push(t + SimTime::from_micros(r.next_u64() % 1_000_000), e);
                }
                black_box(q.len())
            })
        });
    }
    g.finish();
}

struct Hold {
    rng: smsim::engine::rng::Stream,
}

impl Model for Hold {
    type Event = u32;
    fn handle(&mut self, _now: SimTime, ev: u32, sched: &mut Scheduler<u32>) {
        sched.after(SimTime::from_micros(self.rng.next_u64() % 1_000_000), ev);
    }
}

fn hold_loop(c: &mut Criterion) {
    // The same through the kernel's run loop, as a model sees it.
    let mut g = c.benchmark_group("hold_loop");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1000_events_1M_steps", |b| {
        b.iter(|| {
            let mut m = Hold { rng: stream(2, &[]) };
            let mut s = Scheduler::new();
            for i in 0..1000 {
                s.at(SimTime::from_micros(i), i as u32);
            }
            // Mean step 0.5 s with 1000 pending: about 2,000 events per simulated second.
            let stats = run(&mut m, &mut s, SimTime::from_secs(500), u64::MAX, |_, _, _| {});
            black_box(stats.events)
        })
    });
    g.finish();
}

criterion_group!(benches, hold_queue, hold_loop);
criterion_main!(benches);
