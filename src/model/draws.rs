//! A message's draws (SPEC 3.5, 3.6, 4.1.6, 4.4): whether the carrier fails it, its
//! latency, the customer's reply with its delay and way back, and a subscriber's
//! delivery of the reply (how many attempts fail, how long processing takes). Each is a
//! pure function of the customer, the template and the occurrence (and the customer's
//! carrier, the reply, the subscription), never of arrival order, so that variants stay
//! paired, and so that they can be made anywhere, in any order, with the same result:
//! [`Draws`] makes them, [`Lookahead`] makes a blast's ahead of the world on a spare
//! core.

use super::message::{Inbound, Message, stream};
use crate::engine::SimTime;
use crate::engine::rng::{self, unit};
use crate::scenario::Scenario;
use crate::scenario::units::Sampler;
use crate::sms::retry::failures_before_success;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::thread::JoinHandle;

/// What the carrier drew for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// It fails it.
    Failed,
    /// It carries it, taking this long from its hand-off.
    Latency(SimTime),
}

/// The customer's answer to a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    /// Which of the template's replies.
    pub(crate) reply: u16,
    /// How long after delivery the customer sends it.
    pub(crate) after: SimTime,
    /// How long the carrier takes it back (from its hand-off).
    pub(crate) travel: SimTime,
    /// Its delivery to the lone subscriber of the blast's pool, drawn ahead with it.
    pub(crate) delivery: Option<Predrawn>,
}

/// A delivery's draws, made before its publish (for the subscription `sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Predrawn {
    /// Global subscription index.
    pub(crate) sub: u32,
    /// Attempts that fail before one succeeds ([`failures_before_success`]).
    pub(crate) failures: u64,
    /// How long the subscriber takes to process it.
    pub(crate) processing: SimTime,
}

/// A delivery's stream purposes: how many attempts fail, then how long processing takes.
const FAILURES: u64 = 0;
const PROCESSING: u64 = 1;

/// A message's draws: the carrier's, and the reply's if the template draws replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    /// The carrier's.
    pub(crate) fate: Fate,
    /// The customer's answer if delivered (`None` too when the template draws none).
    pub(crate) reply: Option<Reply>,
}

/// The draws' parameters, from the scenario and the seed.
#[derive(Debug)]
pub(crate) struct Draws {
    /// The run's seed and the messages' domain: each message's stream continues it.
    message_keys: rng::Keys,
    /// The run's seed and the replies' domain.
    reply_keys: rng::Keys,
    failure_rate: Vec<f64>,
    latency: Vec<Sampler>,
    inbound_latency: Vec<Sampler>,
    /// Per template, its replies' probabilities and delays.
    replies: Vec<Vec<(f64, Sampler)>>,
    /// `customers.count`: customers from here on are fraud destinations, who never answer.
    population: u32,
    /// The run's seed and the deliveries' domain.
    delivery_keys: rng::Keys,
    /// Per global subscription (topic by topic), its failure rate and processing time.
    subs: Vec<(f64, Sampler)>,
}

impl Draws {
    /// The draws of `sc` under `seed`.
    pub(crate) fn new(sc: &Scenario, seed: u64) -> Self {
        Self {
            message_keys: rng::Keys::new(seed).then(&[stream::MESSAGE]),
            reply_keys: rng::Keys::new(seed).then(&[stream::REPLY]),
            failure_rate: sc.carriers.iter().map(|c| c.failure_rate).collect(),
            latency: sc.carriers.iter().map(|c| c.latency.sampler()).collect(),
            inbound_latency: sc.carriers.iter().map(|c| c.inbound_latency.sampler()).collect(),
            replies: sc
                .templates
                .iter()
                .map(|t| t.replies.iter().map(|r| (r.p, r.after.sampler())).collect())
                .collect(),
            population: sc.customers.count,
            delivery_keys: rng::Keys::new(seed).then(&[stream::DELIVERY]),
            subs: sc
                .topics
                .iter()
                .flat_map(|t| t.subscriptions.iter().map(|s| (s.failure_rate, s.latency.sampler())))
                .collect(),
        }
    }

    /// The carrier's draws for message `m`: from a stream keyed by the customer and the
    /// message's origin, never by the number, so that variants that change numbers see
    /// the same customers fail and the same latencies.
    #[inline]
    pub(crate) fn fate(&self, m: &Message) -> Fate {
        let c = m.carrier as usize;
        let mut r = self.message_keys.then(&[m.customer as u64, m.template as u64, m.origin]).stream();
        if unit(&mut r) < self.failure_rate[c] {
            return Fate::Failed;
        }
        Fate::Latency(self.latency[c].sample(&mut r))
    }

    /// Whether and how the customer answers `m` if it is delivered: from a stream keyed by
    /// the customer and the message, never by the number, so that variants changing
    /// numbers see the same customers answer the same way. The reply's way back goes on
    /// from the same stream.
    #[inline]
    pub(crate) fn reply(&self, m: &Message) -> Option<Reply> {
        let replies = &self.replies[m.template as usize];
        if replies.is_empty() || m.customer >= self.population {
            return None; // nothing to answer, or a fraud destination, who never answers
        }
        let mut r = self.reply_keys.then(&[m.customer as u64, m.template as u64, m.origin]).stream();
        let u = unit(&mut r);
        let mut acc = 0.0;
        let k = replies.iter().position(|&(p, _)| {
            acc += p;
            u < acc
        })?;
        let after = replies[k].1.sample(&mut r);
        let travel = self.inbound_latency[m.carrier as usize].sample(&mut r);
        Some(Reply { reply: k as u16, after, travel, delivery: None })
    }

    /// Both.
    #[inline]
    pub(crate) fn drawn(&self, m: &Message) -> Drawn {
        Drawn { fate: self.fate(m), reply: self.reply(m) }
    }

    /// Both, and the reply's delivery to subscription `sub` if given.
    fn drawn_for(&self, m: &Message, sub: Option<u32>) -> Drawn {
        let mut d = self.drawn(m);
        if let (Some(r), Some(sub)) = (d.reply.as_mut(), sub) {
            let keys = self.delivery_keys(sub, m.customer, m.origin, m.template, r.reply);
            let (failures, processing) = (self.failures(sub, keys), self.processing(sub, keys));
            r.delivery = Some(Predrawn { sub, failures, processing });
        }
        d
    }

    /// A delivery's keys: the subscription and the conversation (customer, the message
    /// answered, its template and the answer), never arrival order, so that variants
    /// stay paired through the subscribers too. Its streams add their purpose.
    #[inline]
    pub(crate) fn delivery_keys(&self, sub: u32, customer: u32, origin: u64, template: u16, reply: u16) -> rng::Keys {
        self.delivery_keys.then(&[sub as u64, customer as u64, origin, template as u64, reply as u64])
    }

    /// The keys of the delivery of inbound `m` to subscription `sub`.
    #[inline]
    pub(crate) fn delivery_keys_of(&self, sub: u32, m: &Inbound) -> rng::Keys {
        self.delivery_keys(sub, m.customer, m.answers_origin, m.template, m.reply)
    }

    /// How many attempts of a delivery (its `keys`) to subscription `sub` fail before one
    /// succeeds.
    #[inline]
    pub(crate) fn failures(&self, sub: u32, keys: rng::Keys) -> u64 {
        failures_before_success(self.subs[sub as usize].0, unit(&mut keys.then(&[FAILURES]).stream()))
    }

    /// How long subscription `sub` takes to process a delivery (its `keys`).
    #[inline]
    pub(crate) fn processing(&self, sub: u32, keys: rng::Keys) -> SimTime {
        self.subs[sub as usize].1.sample(&mut keys.then(&[PROCESSING]).stream())
    }
}

/// How many messages' draws the lookahead keeps (a ring): enough that the world, taking
/// a blast's messages nearly in order, finds them made, few enough to stay in cache.
const RING: u64 = 8192;
/// A blast smaller than this is drawn in place (a thread's wake-up is not worth it).
const LEAST: u32 = 8192;
/// How far ahead of the world a maker that fell behind goes on (in messages): what the
/// world draws in place meanwhile, it draws once.
const LEAD: u32 = 1024;
/// How often (in messages looked up) the world says how far it got.
const TELL_EVERY: u32 = 64;
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
    job: std::sync::Mutex<Option<Job>>,
    /// How far the world got: job generation in the high half, place in the low.
    reached: AtomicU64,
    /// Whether the maker is parked for want of room (a ring ahead of the world).
    idle: AtomicBool,
    /// Where the world must get to for the maker, parked for want of room, to be woken
    /// (half a ring behind the maker: a wake-up is worth half a ring of draws).
    wake_at: AtomicU64,
    stop: AtomicBool,
}

/// The draws of the messages of a large blast, made ahead on a spare core in the order
/// a blast's numbers take them, into a ring the world reads. A message not (or no longer)
/// in the ring is drawn in place, with the same [`Draws`]: what the world gets never
/// depends on how far ahead the maker is.
#[derive(Debug)]
pub(crate) struct Lookahead {
    shared: Arc<Shared>,
    maker: Option<JoinHandle<()>>,
    job: Option<Job>,
    generation: u32,
    /// Messages looked up since the world last said how far it got.
    since_told: u32,
    /// Lookups found made (for tests and profiles).
    pub(crate) found: u64,
}

impl Lookahead {
    /// A lookahead for `draws` over the population's `carriers`; its maker starts with
    /// the first large blast.
    pub(crate) fn new(draws: Arc<Draws>, carriers: Arc<Vec<u8>>) -> Self {
        let ring = (0..RING).map(|_| Slot::default()).collect();
        let shared = Shared {
            draws,
            carriers,
            ring,
            job: std::sync::Mutex::new(None),
            reached: AtomicU64::new(0),
            idle: AtomicBool::new(false),
            wake_at: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        };
        Self { shared: Arc::new(shared), maker: None, job: None, generation: 0, since_told: 0, found: 0 }
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
        self.shared.reached.store((job.generation as u64) << 32, Ordering::Relaxed);
        *self.shared.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        match &self.maker {
            Some(t) => t.thread().unpark(),
            None => {
                let shared = Arc::clone(&self.shared);
                // No thread, no lookahead: everything is drawn in place.
                self.maker = std::thread::Builder::new().name("smsim-draws".into()).spawn(move || make(&shared)).ok();
            }
        }
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
    /// are made (at most the ring's room); false if none is being made or they are not
    /// (for tests: what is found made then does not depend on the threads' pace). Ask
    /// before the world has looked up a draw: a maker found behind the world skips a
    /// stretch, which is then never made.
    pub(crate) fn await_made(&self, n: u32) -> bool {
        let Some(job) = self.job else { return false };
        let n = n.min(job.end - job.from).min((RING - 2 * TELL_EVERY as u64) as u32);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let slot = |j: u32| &self.shared.ring[(j as u64 % RING) as usize];
        while !(0..n).all(|j| slot(j).tag.load(Ordering::Acquire) == tag_of(job.generation, j)) {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
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
            // With the maker's store of `idle` and load of `reached`, both sequentially
            // consistent: one of the two sees the other (the timeout covers the rest).
            self.shared.reached.store(((job.generation as u64) << 32) | j as u64, Ordering::SeqCst);
            if self.shared.idle.load(Ordering::SeqCst) && j as u64 >= self.shared.wake_at.load(Ordering::Relaxed) {
                if let Some(t) = &self.maker {
                    t.thread().unpark();
                }
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
        if let Some(t) = self.maker.take() {
            self.shared.stop.store(true, Ordering::SeqCst);
            t.thread().unpark();
            // A maker that panicked has nothing to say that the world did not draw itself.
            let _ = t.join();
        }
    }
}

/// The tag of place `j` of job `generation` (never zero: generations start at one).
fn tag_of(generation: u32, j: u32) -> u64 {
    ((generation as u64) << 32) | j as u64
}

/// The maker: draws each job's messages in order, at most a ring ahead of the world,
/// skipping to a stretch ahead of the world if it fell behind; parks when it has nothing
/// to do.
fn make(sh: &Shared) {
    let room = RING - 2 * TELL_EVERY as u64;
    while !sh.stop.load(Ordering::Relaxed) {
        // `begin` and the world's drop unpark it.
        let Some(job) = *sh.job.lock().unwrap_or_else(|e| e.into_inner()) else {
            std::thread::park();
            continue;
        };
        let len = job.end - job.from;
        let mut j = 0u32;
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
        while j < len && !sh.stop.load(Ordering::Relaxed) {
            let reached = sh.reached.load(Ordering::Relaxed);
            if (reached >> 32) as u32 != job.generation {
                break; // a new job
            }
            let at = reached as u32;
            if j < at {
                // The world went past: go on from a stretch ahead of it, not from where it
                // is, where both would draw the same messages and the world find few made.
                j = at.saturating_add(LEAD);
                continue;
            }
            if (j - at) as u64 >= room {
                // A ring ahead: wait for the world to take half of it. A wake-up missed in
                // a race costs a millisecond of draws made in place, nothing else.
                sh.wake_at.store((j as u64).saturating_sub(RING / 2), Ordering::Relaxed);
                sh.idle.store(true, Ordering::SeqCst);
                if sh.reached.load(Ordering::SeqCst) == reached {
                    std::thread::park_timeout(std::time::Duration::from_millis(1));
                }
                sh.idle.store(false, Ordering::Relaxed);
                continue;
            }
            // Up to the next look at how far the world got.
            let to = (len as u64).min(j as u64 + TELL_EVERY as u64).min(at as u64 + room) as u32;
            while j < to {
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
                j += 1;
            }
        }
        // This job is done (or replaced): wait for the next.
        let mut cur = sh.job.lock().unwrap_or_else(|e| e.into_inner());
        if *cur == Some(job) {
            *cur = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let text = "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 20000\n\
             [[carrier]]\nid = \"a\"\nshare = 0.25\nfailure_rate = 0.1\n\
             latency = { dist = \"lognormal\", median = \"3s\", sigma = 0.5 }\n\
             [[carrier]]\nid = \"b\"\nshare = 0.75\n\
             [[number]]\nid = \"n\"\nkind = \"long_code\"\n\
             [[campaign]]\nid = \"c\"\nfrom = \"n\"\nbody = \"hi\"\n\
             replies = [{ body = \"YES\", p = 0.5, after = { dist = \"exponential\", mean = \"60s\" } }]\n";
        crate::scenario::load_str(text, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn answers_depend_on_customer_and_message_only() {
        let sc = scenario();
        let d = Draws::new(&sc, 7);
        let m = Message { customer: 5, ..Message::for_test(0) };
        let a = d.reply(&m);
        // Another id (another arrival order) changes nothing.
        assert_eq!(a, d.reply(&Message { id: 99, ..m }));
        // Another customer, template or occurrence draws afresh: over 200 of each, the
        // answers are not all the same (p = 0.5 each time: all equal has chance 2^-199).
        let answers = |f: &dyn Fn(u64) -> Message| {
            (0..200u64).map(|k| d.reply(&f(k)).is_some()).collect::<std::collections::HashSet<_>>().len()
        };
        assert_eq!(answers(&|k| Message { customer: k as u32, ..m }), 2);
        assert_eq!(answers(&|k| Message { origin: k, ..m }), 2);
        let answered = (0..10_000u32).filter(|&i| d.reply(&Message { customer: i, ..m }).is_some()).count();
        // p = 0.5 over 10,000 customers: sd 50, so 5 sd is 250.
        assert!((answered as i64 - 5_000).abs() < 250, "{answered}");
        // A fraud destination (past the population) never answers.
        assert_eq!(d.reply(&Message { customer: 20_000, ..m }), None);
    }

    /// The ring gives what `Draws` gives, whatever the order the world asks in: in order,
    /// ahead of the maker, behind it, far behind (overwritten), and out of the blast.
    #[test]
    fn the_lookahead_gives_what_is_drawn_in_place() {
        let sc = scenario();
        let draws = Arc::new(Draws::new(&sc, 7));
        let carriers: Arc<Vec<u8>> = Arc::new((0..20_000u32).map(|c| (c % 2) as u8).collect());
        let mut la = Lookahead::new(Arc::clone(&draws), Arc::clone(&carriers));
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
