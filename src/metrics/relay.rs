//! Metrics kept beside the world: a [`Relay`] takes the world's observations and hands
//! them, in chunks, to a second thread that keeps the [`Metrics`], in the order they were
//! made. The world does not wait for the counting, histograms and time series, and the
//! metrics are the very ones an observer in the world's thread makes. On a machine with
//! a core for each, that thread is also the world's [`Side`]: between chunks it makes
//! the draws of a large blast ahead of the world.

use super::timeseries::{ahead_until, index_of, open_until};
use super::{Metrics, Seen, Tally};
use crate::engine::SimTime;
use crate::model::observe::{BlastObs, DeliveryObs, InboundObs, Obs, ObsKind, Observer};
use crate::model::observe::{Side, Worker};
use crate::scenario::Scenario;
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError, channel, sync_channel};
use std::time::{Duration, Instant};

/// Observations handed over at once: few handovers, and a chunk (at most 512 KB) that the
/// second thread reads while it is still in the shared cache.
const CHUNK: usize = 8192;

/// Full chunks on their way at most: the world runs this far ahead of the metrics.
const IN_FLIGHT: usize = 4;

/// One observation, as it goes to the keeper.
enum Note {
    Obs(Seen),
    Ahead(Seen),
    Blast {
        t: SimTime,
        source: u16,
        pool: u32,
        by_carrier: Box<[u64]>,
    },
    Inbound(Tally),
    Delivery(DeliveryObs),
    Outcome(SimTime, usize, SimTime),
    /// Close the time series (before what the world settles at the horizon).
    Finish,
}

/// The world's observer when the metrics are kept beside it.
///
/// Until when it takes ends told ahead depends on the time series' open interval; the
/// relay follows that interval as the keeper will (the same rule on the same times), so
/// an end it takes ahead is one the keeper takes when it comes to it.
pub struct Relay {
    chunk: Vec<Note>,
    full: SyncSender<Vec<Note>>,
    empty: Receiver<Vec<Note>>,
    /// The keeper's thread, for the world's helpers (on a machine with a core for each).
    side: Option<Side>,
    interval: u64,
    buckets: u64,
    /// The time series' open interval, as the keeper will have it, and where it ends.
    current: u64,
    open_until: u64,
    settled: u64,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("current", &self.current).field("settled", &self.settled).finish()
    }
}

impl Relay {
    /// Outbound requests that reached an end state so far ([`Metrics::settled`]).
    pub fn settled(&self) -> u64 {
        self.settled
    }

    /// Close the time series ([`Metrics::finish`]), in its turn among the observations.
    pub fn finish(&mut self) {
        // As the series closes every interval: none is open.
        self.current = self.buckets;
        self.open_until = u64::MAX;
        self.note(Note::Finish);
    }

    #[inline]
    fn note(&mut self, n: Note) {
        self.chunk.push(n);
        if self.chunk.len() == CHUNK {
            self.hand_over();
        }
    }

    #[cold]
    fn hand_over(&mut self) {
        let next = self.empty.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.chunk, next);
        // Only a keeper that panicked has gone: its panic is raised when it is joined.
        let _ = self.full.send(full);
        if let Some(side) = &self.side {
            side.handed();
        }
    }

    /// The time series' open interval reaches `t`, as [`super::Timeseries`] advances it.
    #[inline]
    fn advance(&mut self, t: SimTime) {
        let t = t.as_micros();
        if t >= self.open_until {
            self.current = self.current.max(index_of(self.interval, self.buckets, t));
            self.open_until = open_until(self.interval, self.buckets, self.current);
        }
    }
}

impl Observer for Relay {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        self.advance(o.t);
        self.settled += matches!(o.kind, ObsKind::End { .. }) as u64;
        self.note(Note::Obs(Seen::of(o)));
    }

    fn bulk(&self) -> bool {
        true
    }

    /// The keeper, between chunks, makes the draws the world wants ahead (on a machine
    /// with a core for each).
    fn side(&self) -> Option<Side> {
        self.side.clone()
    }

    fn blast(&mut self, b: &BlastObs<'_>) {
        self.advance(b.t);
        self.note(Note::Blast { t: b.t, source: b.source, pool: b.pool, by_carrier: b.by_carrier.into() });
    }

    #[inline]
    fn ahead_until(&self) -> SimTime {
        ahead_until(self.interval, self.buckets, self.current)
    }

    #[inline]
    fn ahead(&mut self, o: &Obs) {
        self.settled += 1;
        self.note(Note::Ahead(Seen::of(o)));
    }

    fn inbound(&mut self, i: &InboundObs<'_>) {
        self.advance(i.t);
        self.note(Note::Inbound(Tally::of(i)));
    }

    fn delivery(&mut self, d: &DeliveryObs) {
        self.advance(d.t);
        self.note(Note::Delivery(*d));
    }

    fn outcome(&mut self, t: SimTime, outcome: usize, since: SimTime) {
        self.advance(t);
        self.note(Note::Outcome(t, outcome, since));
    }
}

/// Apply `n` to `m`, as the observer in the world's thread would have.
fn keep(m: &mut Metrics, n: Note) {
    match n {
        Note::Obs(o) => m.seen(&o),
        Note::Ahead(o) => m.seen_ahead(&o),
        Note::Blast { t, source, pool, by_carrier } => m.blast(&BlastObs { t, source, pool, by_carrier: &by_carrier }),
        Note::Inbound(i) => m.tally(&i),
        Note::Delivery(d) => m.delivery(&d),
        Note::Outcome(t, outcome, since) => m.outcome(t, outcome, since),
        Note::Finish => m.finish(),
    }
}

/// How long the keeper looks again for work, once it found none, before it rests: in a
/// blast the world hands it a chunk every few hundred microseconds and wants draws made
/// ahead all the time, and a wake-up costs the world's thread more than these looks cost
/// (each yields the core to any other thread that wants it).
const LOOK: Duration = Duration::from_micros(200);

/// The keeper's round until the world is done: the notes of each chunk handed over into
/// `m`, the chunk back; between chunks, the draws the world wants made ahead; with none
/// of either, a short look (only while a blast's draws may be wanted), then rest until
/// the world hands it work. Without a worker (one core), it waits for chunks.
fn keep_beside(m: &mut Metrics, chunks: &Receiver<Vec<Note>>, back: &Sender<Vec<Note>>, worker: Option<Worker>) {
    let Some(mut worker) = worker else {
        for mut chunk in chunks {
            chunk.drain(..).for_each(|n| keep(m, n));
            let _ = back.send(chunk);
        }
        return;
    };
    // When it last found nothing to do, while it looks again; and whether it rested since
    // it last worked (then it does not look again before it rests).
    let (mut looking, mut rested): (Option<Instant>, bool) = (None, false);
    loop {
        let mut chunk = match chunks.try_recv() {
            Ok(chunk) => chunk,
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) => {
                if worker.work() {
                    (looking, rested) = (None, false);
                    continue;
                }
                if !rested && worker.drawing() && looking.get_or_insert_with(Instant::now).elapsed() < LOOK {
                    std::thread::yield_now();
                    continue;
                }
                worker.idle();
                match chunks.try_recv() {
                    Ok(chunk) => {
                        worker.busy();
                        chunk
                    }
                    Err(TryRecvError::Disconnected) => return,
                    Err(TryRecvError::Empty) => {
                        worker.rest();
                        rested = true;
                        continue;
                    }
                }
            }
        };
        (looking, rested) = (None, false);
        chunk.drain(..).for_each(|n| keep(m, n));
        // The world may have finished: then the chunk is not wanted back.
        let _ = back.send(chunk);
    }
}

/// Run `f` with a [`Relay`] while a second thread keeps the metrics of `sc` from what it
/// is told, and makes the draws the world wants ahead between chunks; `f`'s result and
/// the metrics.
pub fn beside<R>(sc: &Scenario, f: impl FnOnce(&mut Relay) -> R) -> (R, Metrics) {
    let mut metrics = Metrics::new(sc);
    let ts = &metrics.timeseries;
    let (interval, buckets, current, open) = (ts.interval, ts.buckets, ts.current, ts.open_until);
    let (full, chunks) = sync_channel::<Vec<Note>>(IN_FLIGHT);
    let (back, empty): (Sender<Vec<Note>>, _) = channel();
    // The keeper is the world's side on a machine with a core for each.
    let side = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2).then(Side::new);
    std::thread::scope(|s| {
        let keeper_side = side.clone();
        let keeper = s.spawn(move || {
            let worker = keeper_side.as_ref().map(Worker::new);
            drop(keeper_side);
            keep_beside(&mut metrics, &chunks, &back, worker);
            metrics
        });
        let mut relay = Relay {
            chunk: Vec::with_capacity(CHUNK),
            full,
            empty,
            side,
            interval,
            buckets,
            current,
            open_until: open,
            settled: 0,
        };
        let r = f(&mut relay);
        let Relay { chunk, full, side, .. } = relay;
        let _ = full.send(chunk);
        drop(full);
        if let Some(side) = side {
            side.wake();
        }
        match keeper.join() {
            Ok(metrics) => (r, metrics),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
