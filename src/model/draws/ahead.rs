//! A large blast's draws made ahead of the world, on the thread beside it ([`Side`]): the
//! world reads them from a ring, and draws in place what it does not find there.

use super::{Drawn, Draws, Fate, Predrawn, Reply};
use crate::engine::SimTime;
use crate::model::message::Message;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::Duration;

/// How many messages' draws the lookahead keeps (a ring): enough that the world, taking
/// a blast's messages nearly in order, finds them made, few enough to stay in cache.
const RING: u64 = 8192;
/// A blast smaller than this is drawn in place (waking the side is not worth it).
const LEAST: u32 = 8192;
/// How far ahead of the world a maker that fell behind goes on (in messages): what the
/// world draws in place meanwhile, it draws once.
const LEAD: u32 = 1024;
/// How often (in messages looked up) the world says how far it got.
const TELL_EVERY: u32 = 64;
/// Draws made ahead at most draws made at a turn of the side's work: the side looks at
/// its other work in between.
const TURN: u32 = 256;
/// When the maker waits for room, the world wakes the side this many draws before it
/// runs out of draws made ahead; other work (the metrics' notes) usually wakes it first.
const LOW: u64 = 2048;
/// `Slot::fate` of a failed message.
const FAILED: u64 = u64::MAX;
/// `Slot::reply` of a message without a reply.
const NO_REPLY: u64 = u64::MAX;
/// In `Slot::reply`: the delivery's draws are made too.
const DELIVERY: u64 = 1 << 16;

/// One message's draws in the ring: `tag` names the message (job and place in it, zero
/// while it is written), and is read before and after the rest (a sequence lock).
#[derive(Debug, Default)]
struct Slot {
    tag: AtomicU64,
    fate: AtomicU64,
    reply: AtomicU64,
    after: AtomicU64,
    travel: AtomicU64,
    failures: AtomicU64,
    processing: AtomicU64,
}

/// A blast whose draws are made ahead: messages of `template` and `origin` to customers
/// `from..end`, the `generation`th job; with `sub`, the lone subscription its replies
/// are published to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Job {
    generation: u32,
    template: u16,
    origin: u64,
    from: u32,
    end: u32,
    sub: Option<u32>,
}

/// What the world and the maker share.
#[derive(Debug)]
struct Shared {
    draws: Arc<Draws>,
    /// The population's carriers (fixed once drawn).
    carriers: Arc<Vec<u8>>,
    ring: Box<[Slot]>,
    /// The blast being made ahead; a new one replaces the old.
    job: Mutex<Option<Job>>,
    /// How far the world got: job generation in the high half, place in the low.
    reached: AtomicU64,
    /// Where the world must get to for the side, resting while the maker waits for room,
    /// to be woken (`u64::MAX`: the maker waits for nothing of the world's).
    wake_at: AtomicU64,
    /// The world is done with it.
    stop: AtomicBool,
}

/// The thread beside the world's, with time between its own work: a large blast's draws
/// are made there, ahead of the world. `smsim run`'s is the metrics' keeper; [`Side::lone`]
/// is a thread that does nothing else.
///
/// The thread owns a [`Worker`], and goes round: its own work, then [`Worker::work`];
/// with nothing to do it says so ([`Worker::idle`]), looks at its own work once more, and
/// [`Worker::rest`]s. The world wakes it, while it is idle, when it hands it work.
#[derive(Debug, Clone)]
pub struct Side(Arc<SideState>);

#[derive(Debug, Default)]
struct SideState {
    /// Its thread, known once its [`Worker`] is made.
    thread: OnceLock<Thread>,
    /// Whether it rests, or is about to, for want of work.
    idle: AtomicBool,
    /// The maker the world offered last, until the thread takes it.
    offered: Mutex<Option<Maker>>,
    offer: AtomicBool,
}

impl Side {
    /// A side whose thread is yet to make its [`Worker`].
    pub fn new() -> Side {
        Side(Arc::default())
    }

    #[doc(hidden)]
    /// A side with a thread of its own that only makes the draws; it ends once every
    /// handle to it is dropped. For a world observed in its own thread (tests). If the
    /// thread cannot be made, the world draws everything in place.
    pub fn lone() -> Side {
        let side = Side::new();
        let mine = side.clone();
        let _ = std::thread::Builder::new().name("smsim-draws".into()).spawn(move || {
            let mut worker = Worker::new(&mine);
            drop(mine);
            while Arc::strong_count(&worker.state) > 1 {
                if !worker.work() {
                    worker.idle();
                    worker.rest();
                }
            }
        });
        side
    }

    /// Whether the thread rests, or is about to: a full fence orders what the caller
    /// made visible before the look (as the thread's [`Worker::idle`] orders its flag
    /// before it looks again for work).
    #[inline]
    fn resting(&self) -> bool {
        fence(Ordering::SeqCst);
        self.0.idle.load(Ordering::Relaxed)
    }

    /// Wake the thread.
    pub fn wake(&self) {
        if let Some(t) = self.0.thread.get() {
            t.unpark();
        }
    }

    /// Work was handed to the thread (made visible first): wake it if it rests.
    #[inline]
    pub fn handed(&self) {
        if self.resting() {
            self.wake();
        }
    }
}

impl Default for Side {
    fn default() -> Self {
        Side::new()
    }
}

/// The side thread's end of a [`Side`]: the draws the world wants made ahead. One per
/// side, made in the thread that works for it, and it stays there (it is not `Send`):
/// the world wakes that thread.
#[derive(Debug)]
pub struct Worker {
    state: Arc<SideState>,
    maker: Option<Maker>,
    here: std::marker::PhantomData<*const ()>,
}

impl Worker {
    /// The worker of `side`, for the calling thread, the one the world wakes. A side has
    /// one worker: a second one's thread would not be woken.
    pub fn new(side: &Side) -> Worker {
        let mine = side.0.thread.set(std::thread::current()).is_ok();
        debug_assert!(mine, "a side has one worker");
        Worker { state: Arc::clone(&side.0), maker: None, here: std::marker::PhantomData }
    }

    /// Make some of the draws the world wants ahead; true if it made any.
    #[inline]
    pub fn work(&mut self) -> bool {
        if self.state.offer.load(Ordering::Acquire) {
            self.state.offer.store(false, Ordering::Relaxed);
            if let Some(m) = self.state.offered.lock().unwrap_or_else(|e| e.into_inner()).take() {
                self.maker = Some(m);
            }
        }
        let Some(maker) = &mut self.maker else { return false };
        if maker.turn() {
            return true;
        }
        if maker.sh.stop.load(Ordering::Relaxed) {
            // The world is done with it: its ring and population go now.
            self.maker = None;
        }
        false
    }

    /// Whether draws may yet be wanted of it: a blast's maker was offered.
    #[inline]
    pub fn drawing(&self) -> bool {
        self.maker.is_some() || self.state.offer.load(Ordering::Relaxed)
    }

    /// From here the world wakes the thread when it hands it work: the caller looks at
    /// its own once more, then [`Worker::rest`]s, or [`Worker::busy`] if it found some.
    #[inline]
    pub fn idle(&self) {
        self.state.idle.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// Work came after [`Worker::idle`]: no longer idle.
    #[inline]
    pub fn busy(&self) {
        self.state.idle.store(false, Ordering::Relaxed);
    }

    /// After [`Worker::idle`]: rest until woken (a wake missed in a race is a
    /// millisecond's rest), unless draws are wanted now.
    pub fn rest(&mut self) {
        if !self.state.offer.load(Ordering::Acquire) && !self.maker.as_ref().is_some_and(Maker::ready) {
            std::thread::park_timeout(Duration::from_millis(1));
        }
        self.busy();
    }
}

/// The draws of the messages of a large blast, made ahead by the side thread in the
/// order a blast's numbers take them, into a ring the world reads. A message not (or no
/// longer) in the ring is drawn in place, with the same [`Draws`]: what the world gets
/// never depends on how far ahead the maker is.
#[derive(Debug)]
pub(crate) struct Lookahead {
    shared: Arc<Shared>,
    side: Side,
    offered: bool,
    job: Option<Job>,
    generation: u32,
    /// Messages looked up since the world last said how far it got.
    since_told: u32,
    /// Lookups found made (for tests and profiles).
    pub(crate) found: u64,
}

impl Lookahead {
    /// A lookahead for `draws` over the population's `carriers`, made on `side`.
    pub(crate) fn new(draws: Arc<Draws>, carriers: Arc<Vec<u8>>, side: Side) -> Self {
        let ring = (0..RING).map(|_| Slot::default()).collect();
        let shared = Shared {
            draws,
            carriers,
            ring,
            job: Mutex::new(None),
            reached: AtomicU64::new(0),
            wake_at: AtomicU64::new(u64::MAX),
            stop: AtomicBool::new(false),
        };
        Self { shared: Arc::new(shared), side, offered: false, job: None, generation: 0, since_told: 0, found: 0 }
    }

    /// A blast of `template`, occurrence `origin`, to customers `from..end` begins: its
    /// draws are made ahead if it is large (replacing the blast made ahead so far), its
    /// replies' deliveries to `sub` too if given.
    pub(crate) fn begin(&mut self, template: u16, origin: u64, (from, end): (u32, u32), sub: Option<u32>) {
        if end.saturating_sub(from) < LEAST || end as usize > self.shared.carriers.len() {
            return;
        }
        // Tags name (generation, place) and never repeat: past 2^32 - 1 blasts made
        // ahead, the rest are drawn in place.
        let Some(generation) = self.generation.checked_add(1) else {
            self.job = None;
            return;
        };
        self.generation = generation;
        let job = Job { generation: self.generation, template, origin, from, end, sub };
        self.job = Some(job);
        *self.shared.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        self.shared.reached.store((job.generation as u64) << 32, Ordering::SeqCst);
        if !self.offered {
            self.offered = true;
            let maker = Maker { sh: Arc::clone(&self.shared), job: None, j: 0, waits_at: u64::MAX };
            *self.side.0.offered.lock().unwrap_or_else(|e| e.into_inner()) = Some(maker);
            self.side.0.offer.store(true, Ordering::Release);
        }
        self.side.handed();
    }

    /// The draws of message `m`: from the ring if made there, else made now.
    #[inline]
    pub(crate) fn drawn(&mut self, m: &Message) -> Drawn {
        if let Some(d) = self.made(m) {
            self.found += 1;
            return d;
        }
        self.shared.draws.drawn(m)
    }

    /// Waits, up to ten seconds, until the first `n` draws of the blast being made ahead
    /// are made; false if none is being made or they are not (for tests: what is found
    /// made then does not depend on the threads' pace). Ask before the world has looked
    /// up a draw: a maker found behind the world skips a stretch, which is then never
    /// made.
    pub(crate) fn await_made(&self, n: u32) -> bool {
        let Some(job) = self.job else { return false };
        let n = n.min(job.end - job.from).min(room() as u32);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let slot = |j: u32| &self.shared.ring[(j as u64 % RING) as usize];
        while !(0..n).all(|j| slot(j).tag.load(Ordering::Acquire) == tag_of(job.generation, j)) {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// `m`'s draws if the ring holds them.
    #[inline]
    fn made(&mut self, m: &Message) -> Option<Drawn> {
        let job = self.job?;
        if m.template != job.template || m.origin != job.origin || m.customer < job.from || m.customer >= job.end {
            return None;
        }
        let j = m.customer - job.from;
        self.since_told += 1;
        if self.since_told >= TELL_EVERY {
            self.since_told = 0;
            self.shared.reached.store(((job.generation as u64) << 32) | j as u64, Ordering::Relaxed);
            // The side stores `wake_at` and `idle` before it looks at `reached`, the world
            // `reached` before it looks at `idle` and `wake_at`, each with a full fence
            // between: one sees the other's.
            if self.side.resting() && j as u64 >= self.shared.wake_at.load(Ordering::Relaxed) {
                self.side.wake();
            }
        }
        let slot = &self.shared.ring[(j as u64 % RING) as usize];
        let tag = tag_of(job.generation, j);
        if slot.tag.load(Ordering::Acquire) != tag {
            return None;
        }
        let (fate, reply, after, travel, failures, processing) = (
            slot.fate.load(Ordering::Relaxed),
            slot.reply.load(Ordering::Relaxed),
            slot.after.load(Ordering::Relaxed),
            slot.travel.load(Ordering::Relaxed),
            slot.failures.load(Ordering::Relaxed),
            slot.processing.load(Ordering::Relaxed),
        );
        fence(Ordering::Acquire);
        if slot.tag.load(Ordering::Relaxed) != tag {
            return None; // overwritten while read
        }
        let fate = if fate == FAILED { Fate::Failed } else { Fate::Latency(SimTime::from_micros(fate)) };
        let reply = (reply != NO_REPLY).then(|| Reply {
            reply: reply as u16,
            after: SimTime::from_micros(after),
            travel: SimTime::from_micros(travel),
            delivery: job.sub.filter(|_| reply & DELIVERY != 0).map(|sub| Predrawn {
                sub,
                failures,
                processing: SimTime::from_micros(processing),
            }),
        });
        Some(Drawn { fate, reply })
    }
}

impl Drop for Lookahead {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// The tag of place `j` of job `generation` (never zero: generations start at one).
fn tag_of(generation: u32, j: u32) -> u64 {
    ((generation as u64) << 32) | j as u64
}

/// The side thread's part of a [`Lookahead`]: draws each job's messages in order, at
/// most a ring ahead of the world, skipping to a stretch ahead of the world if it fell
/// behind.
#[derive(Debug)]
struct Maker {
    sh: Arc<Shared>,
    job: Option<Job>,
    /// The next place of `job` to draw.
    j: u32,
    /// What it last stored in `Shared::wake_at`.
    waits_at: u64,
}

impl Maker {
    /// The job at hand, taking up a new one if the world began it; with the world's
    /// place in it.
    #[inline]
    fn current(&mut self) -> Option<(Job, u32)> {
        if self.sh.stop.load(Ordering::Relaxed) {
            return None;
        }
        let reached = self.sh.reached.load(Ordering::Relaxed);
        let generation = (reached >> 32) as u32;
        if self.job.is_none_or(|j| j.generation != generation) {
            let job = (*self.sh.job.lock().unwrap_or_else(|e| e.into_inner()))?;
            if job.generation != generation {
                return None; // the world is beginning it
            }
            (self.job, self.j) = (Some(job), 0);
        }
        Some((self.job?, reached as u32))
    }

    /// Whether it can draw now: the world began a job it has not taken up, or
    /// [`Maker::next`] has a place to draw.
    fn ready(&self) -> bool {
        if self.sh.stop.load(Ordering::Relaxed) {
            return false;
        }
        let reached = self.sh.reached.load(Ordering::Relaxed);
        match self.job {
            Some(job) if (reached >> 32) as u32 == job.generation => self.next(&job, reached as u32).is_ok(),
            _ => reached >> 32 != 0,
        }
    }

    /// Where it draws next in `job`, the world being at `at`; or, if it has nothing to
    /// draw now, where the world must get to for it to draw again (`u64::MAX`: never).
    #[inline]
    fn next(&self, job: &Job, at: u32) -> Result<u32, u64> {
        let j = self.from(at);
        if j >= job.end - job.from {
            Err(u64::MAX)
        } else if (j - at) as u64 >= room() {
            // A ring ahead: wait for the world to take some.
            Err((j as u64).saturating_sub(LOW))
        } else {
            Ok(j)
        }
    }

    /// Where it draws next, the world being at `at`: if the world went past, a stretch
    /// ahead of it, not where it is, where both would draw the same messages and the
    /// world find few made.
    #[inline]
    fn from(&self, at: u32) -> u32 {
        if self.j < at { at.saturating_add(LEAD) } else { self.j }
    }

    /// Say where the world must get to for the side to be woken.
    #[inline]
    fn wait_at(&mut self, at: u64) {
        if self.waits_at != at {
            self.waits_at = at;
            self.sh.wake_at.store(at, Ordering::Relaxed);
        }
    }

    /// Draw the next few messages of the job at hand; false if there were none to draw.
    fn turn(&mut self) -> bool {
        let Some((job, at)) = self.current() else {
            self.wait_at(u64::MAX);
            return false;
        };
        let len = job.end - job.from;
        self.j = self.from(at);
        if let Err(wait) = self.next(&job, at) {
            self.wait_at(wait);
            return false;
        }
        self.wait_at(u64::MAX);
        let to = (len as u64).min(self.j as u64 + TURN as u64).min(at as u64 + room()) as u32;
        let sh = &*self.sh;
        let mut m = Message {
            id: 0,
            t_req: SimTime::ZERO,
            customer: 0,
            origin: job.origin,
            template: job.template,
            source: 0,
            carrier: 0,
            country: 0,
            parts: 1,
            root: SimTime::ZERO,
        };
        for j in self.j..to {
            m.customer = job.from + j;
            m.carrier = sh.carriers[m.customer as usize];
            let d = sh.draws.drawn_for(&m, job.sub);
            let fate = match d.fate {
                Fate::Failed => FAILED,
                Fate::Latency(t) => t.as_micros(),
            };
            let slot = &sh.ring[(j as u64 % RING) as usize];
            slot.tag.store(0, Ordering::Relaxed);
            fence(Ordering::Release);
            slot.fate.store(fate, Ordering::Relaxed);
            match d.reply {
                Some(r) => {
                    slot.after.store(r.after.as_micros(), Ordering::Relaxed);
                    slot.travel.store(r.travel.as_micros(), Ordering::Relaxed);
                    let mut word = r.reply as u64;
                    if let Some(p) = r.delivery {
                        word |= DELIVERY;
                        slot.failures.store(p.failures, Ordering::Relaxed);
                        slot.processing.store(p.processing.as_micros(), Ordering::Relaxed);
                    }
                    slot.reply.store(word, Ordering::Relaxed);
                }
                None => slot.reply.store(NO_REPLY, Ordering::Relaxed),
            }
            // A latency of the very last microsecond would read as a failure: left
            // unmarked, it is drawn in place.
            if d.fate != Fate::Latency(SimTime::from_micros(FAILED)) {
                slot.tag.store(tag_of(job.generation, j), Ordering::Release);
            }
        }
        self.j = to;
        true
    }
}

/// How far ahead of the world the maker may be: the ring, less what the world may read
/// before it next says how far it got.
fn room() -> u64 {
    RING - 2 * TELL_EVERY as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::draws::tests::scenario;

    /// The ring gives what `Draws` gives, whatever the order the world asks in: in order,
    /// ahead of the maker, behind it, far behind (overwritten), and out of the blast.
    #[test]
    fn the_lookahead_gives_what_is_drawn_in_place() {
        let sc = scenario();
        let draws = Arc::new(Draws::new(&sc, 7));
        let carriers: Arc<Vec<u8>> = Arc::new((0..20_000u32).map(|c| (c % 2) as u8).collect());
        let mut la = Lookahead::new(Arc::clone(&draws), Arc::clone(&carriers), Side::lone());
        let proto = Message { origin: 3, template: 0, ..Message::for_test(0) };
        la.begin(0, 3, (100, 20_000), None);
        let at = |c: u32| Message { customer: c, carrier: carriers[c as usize], ..proto };
        // In order, once the maker has made the first 4,000: those are all found made.
        assert!(la.await_made(4_000), "the maker made the first 4,000");
        let mut seen = 0;
        for c in 100..12_000u32 {
            assert_eq!(la.drawn(&at(c)), draws.drawn(&at(c)), "customer {c}");
            seen += 1;
            if c == 4_099 {
                assert_eq!(la.found, 4_000);
            }
        }
        // Back to the start (long overwritten), a jump ahead, and messages of no blast.
        for c in [100, 101, 5_000, 19_999, 15_000, 15_001, 99, 0] {
            assert_eq!(la.drawn(&at(c)), draws.drawn(&at(c)), "customer {c}");
            seen += 1;
        }
        let other = Message { origin: 4, ..at(12_000) };
        assert_eq!(la.drawn(&other), draws.drawn(&other));
        assert!(la.found >= 4_000 && la.found <= seen);
        // A new blast replaces the old: once made, it is found made.
        la.begin(0, 5, (0, 20_000), None);
        assert!(la.await_made(8_000), "the maker made the second blast's first 8,000");
        let before = la.found;
        for c in 0..20_000u32 {
            let m = Message { origin: 5, ..at(c) };
            assert_eq!(la.drawn(&m), draws.drawn(&m), "customer {c} of the second blast");
        }
        assert!(la.found - before >= 8_000, "found {} of the second blast", la.found - before);
    }
}
