//! The event enum and its dispatch: the one place that wires numbers, carriers,
//! customers, the account and the workload together (SPEC 4.1).

use super::observe::{DeliveryObs, DeliveryState, EndState, InboundObs, NO_POOL, Obs, ObsKind, Observer};
use super::pacing::{MinTree, Pacer};
use crate::engine::rng::{self, Stream, unit};
use crate::engine::{Model, Scheduler, SimTime};
use crate::scenario::units::Sampler;
use crate::scenario::{Action, Money, Scenario, Selection};
use crate::sms::retry::Schedule;
use rand_distr::{Distribution, Exp};
use std::collections::VecDeque;

/// Domain tags for random streams: one per kind of entity.
mod stream {
    pub(super) const CUSTOMER: u64 = 1;
    pub(super) const MESSAGE: u64 = 2;
    pub(super) const TRAFFIC: u64 = 3;
    pub(super) const REPLY: u64 = 4;
    pub(super) const DELIVERY: u64 = 5;
}

const DAY_US: u64 = 86_400_000_000;
const UNREACHABLE: u8 = 1;
const OPTED_OUT: u8 = 2;

/// The world's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The next request(s) of a campaign are due.
    Campaign(u32),
    /// The next arrival of a traffic source.
    Traffic(u32),
    /// A number may transmit its head of queue (global number index).
    NumberReady(u32),
    /// A message at the carrier reaches its outcome (in-flight slot).
    CarrierDone(u32),
    /// A reply reaches the number it answers (inbound slot).
    InboundArrive(u32),
    /// A delivery's successful attempt starts, or its last attempt fails (delivery slot).
    Attempt(u32),
    /// A subscriber finishes processing a delivery (delivery slot).
    Processed(u32),
}

/// A message waiting in a number's queue. Kept small: a blast can queue millions.
#[derive(Debug, Clone, Copy)]
struct Queued {
    id: u64,
    t_req: SimTime,
    customer: u32,
    /// Which occurrence (campaign repeat, traffic sequence) of its source it is.
    origin: u64,
    /// Template / source index.
    source: u16,
    carrier: u8,
    parts: u8,
    /// When the conversation began: the first outbound request it answers back to.
    root: SimTime,
}

/// A reply on its way to a number, then a publish being delivered to subscribers.
#[derive(Debug, Clone, Copy)]
struct Inbound {
    id: u64,
    customer: u32,
    carrier: u8,
    /// Global number index it answers to.
    number: u32,
    template: u16,
    reply: u16,
    answers: u64,
    answers_origin: u64,
    root: SimTime,
}

#[derive(Debug, Clone, Copy)]
struct Delivery {
    msg: Inbound,
    /// Global subscription index.
    sub: u32,
    start: SimTime,
    /// The attempt that succeeds, or the last one.
    attempt: u64,
    success: bool,
}

#[derive(Debug)]
struct SubState {
    topic: u32,
    index: u32,
    schedule: Schedule,
    latency: Sampler,
    in_use: u32,
    waiting: VecDeque<u32>,
}

/// A slab: values in slots reused after they are freed; memory follows what is in flight.
#[derive(Debug)]
struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T: Copy> Slab<T> {
    fn new() -> Self {
        Self { items: Vec::new(), free: Vec::new() }
    }
    fn insert(&mut self, v: T) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.items[s as usize] = v;
                s
            }
            None => {
                self.items.push(v);
                (self.items.len() - 1) as u32
            }
        }
    }
    fn take(&mut self, slot: u32) -> T {
        self.free.push(slot);
        self.items[slot as usize]
    }
    fn get(&self, slot: u32) -> T {
        self.items[slot as usize]
    }
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    q: Queued,
    number: u32,
    delivered: bool,
}

impl Req {
    /// A fresh request of a campaign or traffic source, from the pool's selection.
    fn new(source: usize, origin: u64, customer: u32, pool: usize) -> Self {
        Req { source, origin, customer, pool, pin: None, exempt: false, root: None }
    }
}

/// Hold `t` to the end of any outage it falls in.
fn hold(outages: &[(SimTime, SimTime)], mut t: SimTime) -> SimTime {
    for &(from, to) in outages {
        if t >= from && t < to {
            t = to;
        }
    }
    t
}

/// A request's identity and the conversation it belongs to.
#[derive(Debug, Clone, Copy)]
struct Req {
    source: usize,
    origin: u64,
    customer: u32,
    pool: usize,
    /// A specific number of the pool (responses go out from the number texted).
    pin: Option<u32>,
    exempt: bool,
    root: Option<SimTime>,
}

#[derive(Debug)]
struct Number {
    pool: u32,
    index: u32,
    queue: VecDeque<Queued>,
    queued_parts: u64,
    pacer: Pacer,
    /// A `NumberReady` event is in the queue (at most one at a time).
    pending: bool,
    /// Waiting in this limit's FIFO for its turn (limit index within the pool).
    parked: Option<u16>,
}

#[derive(Debug)]
struct LimitState {
    carrier: u8,
    pacer: Option<Pacer>,
    daily: Option<u64>,
    day: u64,
    used: u64,
    /// Numbers whose head waits for this limit's MPS, served first come, first served.
    waiters: VecDeque<u32>,
}

#[derive(Debug)]
struct PoolState {
    first: u32,
    rr: u32,
    loads: MinTree,
    /// Limit indices by carrier.
    limits_by_carrier: Vec<Vec<u16>>,
    /// The one limit with an MPS toward each carrier, if any.
    mps_limit: Vec<Option<u16>>,
    limits: Vec<LimitState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct CampaignState {
    occurrence: u64,
    next: u32,
    start: SimTime,
}

/// The SMS world as an engine model, reporting to observer `O`.
pub struct World<'s, O> {
    sc: &'s Scenario,
    seed: u64,
    /// Where observations go.
    pub obs: O,
    numbers: Vec<Number>,
    pools: Vec<PoolState>,
    latency: Vec<Sampler>,
    cust_carrier: Vec<u8>,
    cust_flags: Vec<u8>,
    spent: Money,
    campaigns: Vec<CampaignState>,
    traffic: Vec<(Stream, u64, Option<Exp<f64>>)>,
    at_carrier: Slab<InFlight>,
    inbound: Slab<Inbound>,
    deliveries: Slab<Delivery>,
    inbound_latency: Vec<Sampler>,
    reply_after: Vec<Vec<Sampler>>,
    topics_of_pool: Vec<Vec<usize>>,
    subs: Vec<SubState>,
    /// First global subscription index of each topic.
    sub_base: Vec<u32>,
    next_id: u64,
    next_inbound: u64,
}

impl<'s, O: Observer> World<'s, O> {
    /// Build the world for `sc` under `seed`, and schedule the workload's first events.
    pub fn new(sc: &'s Scenario, seed: u64, obs: O, sched: &mut Scheduler<Event>) -> Self {
        let mut numbers = Vec::new();
        let mut pools = Vec::with_capacity(sc.pools.len());
        for (p, pool) in sc.pools.iter().enumerate() {
            let first = numbers.len() as u32;
            for n in 0..pool.count {
                numbers.push(Number {
                    pool: p as u32,
                    index: n,
                    queue: VecDeque::new(),
                    queued_parts: 0,
                    pacer: Pacer::new(pool.mps),
                    pending: false,
                    parked: None,
                });
            }
            let mut limits_by_carrier = vec![Vec::new(); sc.carriers.len()];
            let mut mps_limit = vec![None; sc.carriers.len()];
            let limits = pool
                .limits
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    limits_by_carrier[l.carrier].push(i as u16);
                    if l.mps.is_some() {
                        mps_limit[l.carrier] = Some(i as u16);
                    }
                    LimitState {
                        carrier: l.carrier as u8,
                        pacer: l.mps.map(Pacer::new),
                        daily: l.daily_parts,
                        day: 0,
                        used: 0,
                        waiters: VecDeque::new(),
                    }
                })
                .collect();
            let loads = MinTree::new(pool.count as usize);
            pools.push(PoolState { first, rr: 0, loads, limits_by_carrier, mps_limit, limits });
        }

        // Customers: carrier by share, then the unreachable and opted-out shares, each from
        // the customer's own stream so that they never depend on numbers or workload.
        let n = sc.customers.count as usize;
        let cum: Vec<f64> = sc
            .carriers
            .iter()
            .scan(0.0, |acc, c| {
                *acc += c.share;
                Some(*acc)
            })
            .collect();
        let mut cust_carrier = Vec::with_capacity(n);
        let mut cust_flags = Vec::with_capacity(n);
        for i in 0..n {
            let mut r = rng::stream(seed, &[stream::CUSTOMER, i as u64]);
            let u = unit(&mut r);
            let c = cum.iter().position(|&x| u < x).unwrap_or(cum.len() - 1);
            let mut f = 0;
            if unit(&mut r) < sc.customers.unreachable {
                f |= UNREACHABLE;
            }
            if unit(&mut r) < sc.customers.opted_out {
                f |= OPTED_OUT;
            }
            cust_carrier.push(c as u8);
            cust_flags.push(f);
        }

        let campaigns = vec![CampaignState::default(); sc.campaigns.len()];
        for (i, c) in sc.campaigns.iter().enumerate() {
            if c.recipients > 0 && c.at <= sc.horizon {
                sched.at(c.at, Event::Campaign(i as u32));
            }
        }
        let mut traffic = Vec::with_capacity(sc.traffic.len());
        for (i, t) in sc.traffic.iter().enumerate() {
            let mut r = rng::stream(seed, &[stream::TRAFFIC, i as u64]);
            let exp = (t.rate > 0.0).then(|| Exp::new(t.rate).expect("rate > 0"));
            if let Some(e) = &exp {
                let first = t.start + SimTime::from_secs_f64(e.sample(&mut r));
                if first <= t.end {
                    sched.at(first, Event::Traffic(i as u32));
                }
            }
            traffic.push((r, 0, exp));
        }
        let mut campaigns = campaigns;
        for (st, c) in campaigns.iter_mut().zip(&sc.campaigns) {
            st.start = c.at;
        }

        World {
            sc,
            seed,
            obs,
            numbers,
            pools,
            latency: sc.carriers.iter().map(|c| c.latency.sampler()).collect(),
            cust_carrier,
            cust_flags,
            spent: sc.spent,
            campaigns,
            traffic,
            at_carrier: Slab::new(),
            inbound: Slab::new(),
            deliveries: Slab::new(),
            inbound_latency: sc.carriers.iter().map(|c| c.inbound_latency.sampler()).collect(),
            reply_after: sc.templates.iter().map(|t| t.replies.iter().map(|r| r.after.sampler()).collect()).collect(),
            topics_of_pool: (0..sc.pools.len())
                .map(|p| sc.topics.iter().enumerate().filter(|(_, t)| t.pools.contains(&p)).map(|(i, _)| i).collect())
                .collect(),
            subs: sc
                .topics
                .iter()
                .enumerate()
                .flat_map(|(ti, t)| {
                    t.subscriptions.iter().enumerate().map(move |(si, s)| SubState {
                        topic: ti as u32,
                        index: si as u32,
                        schedule: Schedule::new(&s.retry),
                        latency: s.latency.sampler(),
                        in_use: 0,
                        waiting: VecDeque::new(),
                    })
                })
                .collect(),
            sub_base: sc
                .topics
                .iter()
                .scan(0u32, |acc, t| {
                    let b = *acc;
                    *acc += t.subscriptions.len() as u32;
                    Some(b)
                })
                .collect(),
            next_id: 0,
            next_inbound: 0,
        }
    }

    /// The month's spend so far.
    pub fn spent(&self) -> Money {
        self.spent
    }

    fn emit(&mut self, t: SimTime, kind: ObsKind, q: &Queued, (pool, number): (u32, u32), (cost, fee): (Money, Money)) {
        self.obs.observe(&Obs {
            t,
            kind,
            msg: q.id,
            pool,
            number,
            customer: q.customer,
            carrier: q.carrier as u32,
            parts: q.parts as u32,
            cost,
            fee,
            t_req: q.t_req,
        });
    }

    fn end(&mut self, t: SimTime, state: EndState, queued: bool, q: &Queued, pool: u32, number: u32) {
        self.emit(t, ObsKind::End { state, queued }, q, (pool, number), (Money::ZERO, Money::ZERO));
    }

    /// A new outbound request (SPEC 4.1.1-3).
    fn request(&mut self, now: SimTime, r: Req, sched: &mut Scheduler<Event>) {
        let q = Queued {
            id: self.next_id,
            t_req: now,
            customer: r.customer,
            origin: r.origin,
            source: r.source as u16,
            carrier: self.cust_carrier[r.customer as usize],
            parts: self.sc.templates[r.source].parts as u8,
            root: r.root.unwrap_or(now),
        };
        self.next_id += 1;
        self.emit(now, ObsKind::Requested, &q, (NO_POOL, 0), (Money::ZERO, Money::ZERO));
        if !r.exempt && self.cust_flags[r.customer as usize] & OPTED_OUT != 0 {
            self.end(now, EndState::BlockedOptOut, false, &q, NO_POOL, 0);
            return;
        }
        let pool = r.pool;
        let cfg = &self.sc.pools[pool];
        let ps = &mut self.pools[pool];
        let idx = match (r.pin, cfg.selection) {
            (Some(n), _) => n,
            (None, Selection::LeastLoaded) => ps.loads.min(),
            (None, Selection::RoundRobin) => {
                let i = ps.rr;
                ps.rr = (ps.rr + 1) % cfg.count;
                i
            }
            (None, Selection::Sticky) => (rng::mix64(r.customer as u64 ^ 0x5354_4943_4b59) % cfg.count as u64) as u32,
        };
        let g = (ps.first + idx) as usize;
        let num = &mut self.numbers[g];
        // Parts that would wait: none when an idle number can send it at once.
        let idle = num.queue.is_empty() && num.pacer.next_free() <= now.as_micros();
        let waiting = if idle { 0 } else { num.queued_parts + q.parts as u64 };
        if cfg.queue_limit.is_some_and(|lim| waiting > lim) {
            self.end(now, EndState::Throttled, false, &q, pool as u32, idx);
            return;
        }
        num.queue.push_back(q);
        num.queued_parts += q.parts as u64;
        ps.loads.set(idx, num.queued_parts, num.pacer.next_free());
        let at = SimTime::from_micros(num.pacer.next_free()).max(now);
        if num.parked.is_none() {
            self.wake(g, at, sched);
        }
        self.emit(now, ObsKind::Queued, &q, (pool as u32, idx), (Money::ZERO, Money::ZERO));
    }

    fn pop_head(&mut self, g: usize) -> Queued {
        let num = &mut self.numbers[g];
        let q = num.queue.pop_front().expect("head exists");
        num.queued_parts -= q.parts as u64;
        self.pools[num.pool as usize].loads.set(num.index, num.queued_parts, num.pacer.next_free());
        q
    }

    /// Give number `g` a `NumberReady` at `at` unless it already has one: the handler
    /// checks every condition again, so an early wake is harmless.
    fn wake(&mut self, g: usize, at: SimTime, sched: &mut Scheduler<Event>) {
        let num = &mut self.numbers[g];
        if !num.pending {
            num.pending = true;
            sched.at(at, Event::NumberReady(g as u32));
        }
    }

    /// Take number `g` out of limit `l`'s wait list and wake the next in line.
    fn unpark(&mut self, p: usize, g: usize, l: u16, now: SimTime, sched: &mut Scheduler<Event>) {
        self.numbers[g].parked = None;
        let ls = &mut self.pools[p].limits[l as usize];
        if let Some(i) = ls.waiters.iter().position(|&x| x as usize == g) {
            ls.waiters.remove(i);
        }
        self.wake_front(p, l, now, sched);
    }

    /// Wake the first number waiting for limit `l`, when both it and the limit are free.
    fn wake_front(&mut self, p: usize, l: u16, now: SimTime, sched: &mut Scheduler<Event>) {
        let ls = &self.pools[p].limits[l as usize];
        if let Some(&f) = ls.waiters.front() {
            let free = ls.pacer.as_ref().map_or(0, Pacer::next_free).max(self.numbers[f as usize].pacer.next_free());
            self.wake(f as usize, SimTime::from_micros(free).max(now), sched);
        }
    }

    /// Number `g` transmits its head if it can (SPEC 4.1.4-5).
    fn number_ready(&mut self, now: SimTime, g: usize, sched: &mut Scheduler<Event>) {
        let (p, idx) = (self.numbers[g].pool as usize, self.numbers[g].index);
        let cfg = &self.sc.pools[p];
        let nowu = now.as_micros();
        self.numbers[g].pending = false;
        if self.numbers[g].pacer.next_free() > nowu {
            self.wake(g, SimTime::from_micros(self.numbers[g].pacer.next_free()), sched);
            return;
        }
        loop {
            let Some(&head) = self.numbers[g].queue.front() else {
                if let Some(l) = self.numbers[g].parked {
                    self.unpark(p, g, l, now, sched);
                }
                return;
            };
            if now - head.t_req > cfg.ttl {
                self.pop_head(g);
                self.end(now, EndState::Expired, true, &head, p as u32, idx);
                continue;
            }
            // Head-of-line blocking on the pool's shared MPS toward the head's carrier.
            // Numbers waiting for it are served first come, first served.
            let lim = self.pools[p].mps_limit[head.carrier as usize];
            if let Some(l) = self.numbers[g].parked.filter(|&l| Some(l) != lim) {
                self.unpark(p, g, l, now, sched);
            }
            if let Some(l) = lim {
                let ls = &mut self.pools[p].limits[l as usize];
                let free_at = ls.pacer.as_ref().map_or(0, Pacer::next_free);
                let behind = ls.waiters.front().is_some_and(|&f| f as usize != g);
                if free_at > nowu || behind {
                    if self.numbers[g].parked != Some(l) {
                        ls.waiters.push_back(g as u32);
                        self.numbers[g].parked = Some(l);
                    }
                    if ls.waiters.front() == Some(&(g as u32)) {
                        // Wake when the limit frees, or when the head expires if sooner.
                        let expiry = head.t_req + cfg.ttl + SimTime::from_micros(1);
                        self.wake(g, SimTime::from_micros(free_at).min(expiry), sched);
                    }
                    return;
                }
                if self.numbers[g].parked == Some(l) {
                    self.numbers[g].parked = None;
                    ls.waiters.pop_front();
                }
            }
            let day = (nowu + self.sc.start_time_of_day.as_micros()) / DAY_US;
            let mut capped = false;
            let PoolState { limits_by_carrier, limits, .. } = &mut self.pools[p];
            for &l in &limits_by_carrier[head.carrier as usize] {
                let ls = &mut limits[l as usize];
                if let Some(cap) = ls.daily {
                    if ls.day != day {
                        ls.day = day;
                        ls.used = 0;
                    }
                    capped |= ls.used + head.parts as u64 > cap;
                }
            }
            if capped {
                self.pop_head(g);
                self.end(now, EndState::BlockedDailyCap, true, &head, p as u32, idx);
                continue;
            }
            let parts = head.parts as u64;
            let cost = cfg.price_per_part.times(parts);
            let fee = self.sc.carriers[head.carrier as usize].fee_per_part[cfg.kind].times(parts);
            if self.spent + cost + fee > self.sc.spend_limit {
                self.pop_head(g);
                self.end(now, EndState::BlockedSpendLimit, true, &head, p as u32, idx);
                continue;
            }
            // Transmit: dequeue and pace, then one update of the pool's load tree.
            let num = &mut self.numbers[g];
            num.queue.pop_front();
            num.queued_parts -= head.parts as u64;
            num.pacer.take(nowu, head.parts as u32);
            self.spent += cost + fee;
            self.pools[p].loads.set(idx, num.queued_parts, num.pacer.next_free());
            let PoolState { limits_by_carrier, limits, .. } = &mut self.pools[p];
            for &l in &limits_by_carrier[head.carrier as usize] {
                let ls = &mut limits[l as usize];
                debug_assert_eq!(ls.carrier, head.carrier);
                if let Some(pc) = &mut ls.pacer {
                    pc.take(nowu, head.parts as u32);
                }
                ls.used += parts;
            }
            self.emit(now, ObsKind::Transmitted, &head, (p as u32, idx), (cost, fee));
            self.carrier_accepts(now, g, head, sched);
            if let Some(l) = lim {
                self.wake_front(p, l, now, sched);
            }
            if !self.numbers[g].queue.is_empty() {
                self.wake(g, SimTime::from_micros(self.numbers[g].pacer.next_free()), sched);
            }
            return;
        }
    }

    /// The carrier's side of a transmitted message (SPEC 4.1.6). Its draws come from a
    /// stream keyed by the customer and the message's origin, never by the number, so that
    /// variants that change numbers see the same customers fail and the same latencies.
    fn carrier_accepts(&mut self, now: SimTime, g: usize, q: Queued, sched: &mut Scheduler<Event>) {
        let (p, idx) = (self.numbers[g].pool, self.numbers[g].index);
        if self.cust_flags[q.customer as usize] & UNREACHABLE != 0 {
            self.end(now, EndState::Unreachable, false, &q, p, idx);
            return;
        }
        let carrier = &self.sc.carriers[q.carrier as usize];
        let mut r = rng::stream(self.seed, &[stream::MESSAGE, q.customer as u64, q.source as u64, q.origin]);
        if unit(&mut r) < carrier.failure_rate {
            self.end(now, EndState::Failed, false, &q, p, idx);
            return;
        }
        let latency = self.latency[q.carrier as usize].sample(&mut r);
        let handoff = hold(&carrier.outages, now);
        let deadline = q.t_req + self.sc.pools[p as usize].ttl;
        let at = handoff + latency;
        let (t, delivered) = if at > deadline { (deadline, false) } else { (at, true) };
        let slot = self.at_carrier.insert(InFlight { q, number: g as u32, delivered });
        sched.at(t, Event::CarrierDone(slot));
    }

    fn carrier_done(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let f = self.at_carrier.take(slot);
        let (p, idx) = (self.numbers[f.number as usize].pool, self.numbers[f.number as usize].index);
        let state = if f.delivered { EndState::Delivered } else { EndState::Expired };
        self.end(now, state, false, &f.q, p, idx);
        if f.delivered && !self.sc.templates[f.q.source as usize].replies.is_empty() {
            self.maybe_reply(now, f, sched);
        }
    }

    /// A delivered message may draw a reply (SPEC 3.6, 4.2). The draws come from a stream
    /// keyed by the customer and the message it answers, never by the number, so that
    /// variants changing numbers see the same customers answer the same way after delivery.
    fn maybe_reply(&mut self, now: SimTime, f: InFlight, sched: &mut Scheduler<Event>) {
        let q = f.q;
        let t = &self.sc.templates[q.source as usize];
        let mut r = rng::stream(self.seed, &[stream::REPLY, q.customer as u64, q.source as u64, q.origin]);
        let u = unit(&mut r);
        let mut acc = 0.0;
        let Some(k) = t.replies.iter().position(|rep| {
            acc += rep.p;
            u < acc
        }) else {
            return;
        };
        let after = self.reply_after[q.source as usize][k].sample(&mut r);
        let travel = self.inbound_latency[q.carrier as usize].sample(&mut r);
        let sent = hold(&self.sc.carriers[q.carrier as usize].outages, now + after);
        let slot = self.inbound.insert(Inbound {
            id: 0,
            customer: q.customer,
            carrier: q.carrier,
            number: f.number,
            template: q.source,
            reply: k as u16,
            answers: q.id,
            answers_origin: q.origin,
            root: q.root,
        });
        sched.at(sent + travel, Event::InboundArrive(slot));
    }

    /// A reply reaches its number: charge, keywords, publish (SPEC 4.2-4.4).
    fn inbound_arrives(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let mut m = self.inbound.take(slot);
        m.id = self.next_inbound;
        self.next_inbound += 1;
        let sc = self.sc;
        let g = m.number as usize;
        let (p, idx) = (self.numbers[g].pool as usize, self.numbers[g].index);
        let pool = &sc.pools[p];
        let reply = &sc.templates[m.template as usize].replies[m.reply as usize];
        let mut obs = InboundObs {
            t: now,
            id: m.id,
            pool: p as u32,
            number: idx,
            customer: m.customer,
            carrier: m.carrier as u32,
            parts: reply.parts,
            cost: Money::ZERO,
            dropped: !pool.two_way,
            keyword: None,
            body: &reply.body,
            answers: m.answers,
            opted_out: false,
            auto_response: false,
            topics: &[],
        };
        if !pool.two_way {
            self.obs.inbound(&obs);
            return;
        }
        let fee = sc.carriers[m.carrier as usize].inbound_fee_per_part[pool.kind];
        obs.cost = (pool.inbound_price_per_part + fee).times(reply.parts as u64);
        self.spent += obs.cost;
        // Origin of responses: the answered message's origin and this reply, so a
        // customer's conversation is keyed the same in every variant.
        let origin = rng::derive(m.answers_origin, &[m.template as u64, m.reply as u64]);
        let mut response = None;
        if let Some(kw) = pool.keywords.iter().find(|k| k.word == reply.word) {
            obs.keyword = Some(&kw.word);
            let flags = &mut self.cust_flags[m.customer as usize];
            match kw.action {
                Action::OptOut => {
                    obs.opted_out = *flags & OPTED_OUT == 0;
                    *flags |= OPTED_OUT;
                }
                Action::OptIn => *flags &= !OPTED_OUT,
                Action::AutoReply => {}
            }
            obs.auto_response = true;
            response = Some(Req {
                source: kw.template,
                origin,
                customer: m.customer,
                pool: p,
                pin: Some(idx),
                exempt: kw.action == Action::OptOut,
                root: Some(m.root),
            });
        }
        obs.topics = &self.topics_of_pool[p];
        let topics = self.topics_of_pool[p].len();
        self.obs.inbound(&obs);
        if let Some(r) = response {
            self.request(now, r, sched);
        }
        for ti in 0..topics {
            let topic = self.topics_of_pool[p][ti];
            for si in 0..sc.topics[topic].subscriptions.len() {
                let sub = self.sub_base[topic] + si as u32;
                self.publish(now, m, sub, sched);
            }
        }
    }

    /// Start the delivery of `m` to subscription `sub`: work out at once which attempt
    /// succeeds (or that none does), skipping over outages arithmetically, and schedule
    /// one event for it.
    fn publish(&mut self, now: SimTime, m: Inbound, sub: u32, sched: &mut Scheduler<Event>) {
        let st = &self.subs[sub as usize];
        let cfg = &self.sc.topics[st.topic as usize].subscriptions[st.index as usize];
        let mut r = self.delivery_stream(sub, &m, 0);
        let failures = crate::sms::retry::failures_before_success(cfg.failure_rate, unit(&mut r));
        let (attempt, success) = st.schedule.decide(now, &cfg.outages, failures);
        let at = now + st.schedule.offset(attempt);
        let slot = self.deliveries.insert(Delivery { msg: m, sub, start: now, attempt, success });
        sched.at(at, Event::Attempt(slot));
    }

    /// A delivery's stream: keyed by the subscription and the conversation (customer, the
    /// message answered and the answer), never by arrival order, so that variants stay
    /// paired through the subscribers too.
    fn delivery_stream(&self, sub: u32, m: &Inbound, purpose: u64) -> Stream {
        rng::stream(
            self.seed,
            &[
                stream::DELIVERY,
                sub as u64,
                m.customer as u64,
                m.answers_origin,
                m.template as u64,
                m.reply as u64,
                purpose,
            ],
        )
    }

    fn delivery_end(&mut self, now: SimTime, d: &Delivery, state: DeliveryState, retries: u64) {
        let st = &self.subs[d.sub as usize];
        let g = d.msg.number as usize;
        self.obs.delivery(&DeliveryObs {
            t: now,
            inbound: d.msg.id,
            topic: st.topic,
            subscription: st.index,
            state,
            retries,
            pool: self.numbers[g].pool,
            number: self.numbers[g].index,
            customer: d.msg.customer,
            carrier: d.msg.carrier as u32,
        });
    }

    fn attempt(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let d = self.deliveries.get(slot);
        if !d.success {
            self.deliveries.take(slot);
            let st = &self.subs[d.sub as usize];
            let dlq = self.sc.topics[st.topic as usize].subscriptions[st.index as usize].dead_letter_queue;
            let state = if dlq { DeliveryState::DeadLettered } else { DeliveryState::Dropped };
            self.delivery_end(now, &d, state, d.attempt);
            return;
        }
        let st = &mut self.subs[d.sub as usize];
        let cap = self.sc.topics[st.topic as usize].subscriptions[st.index as usize].concurrency;
        if st.in_use < cap {
            st.in_use += 1;
            self.start_processing(now, slot, sched);
        } else {
            st.waiting.push_back(slot);
        }
    }

    fn start_processing(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let d = self.deliveries.get(slot);
        let mut r = self.delivery_stream(d.sub, &d.msg, 1);
        let took = self.subs[d.sub as usize].latency.sample(&mut r);
        sched.at(now + took, Event::Processed(slot));
    }

    fn processed(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let d = self.deliveries.take(slot);
        self.delivery_end(now, &d, DeliveryState::Delivered, d.attempt);
        let st = &mut self.subs[d.sub as usize];
        let (topic, index) = (st.topic as usize, st.index as usize);
        match st.waiting.pop_front() {
            Some(next) => self.start_processing(now, next, sched),
            None => st.in_use -= 1,
        }
        if let Some(flow) = self.sc.topics[topic].subscriptions[index].handler {
            self.run_flow(now, flow, d.sub, &d.msg, sched);
        }
    }

    /// A flow's first matching rule answers the customer from the number it texted and
    /// records its outcome (SPEC 3.10).
    fn run_flow(&mut self, now: SimTime, flow: usize, sub: u32, m: &Inbound, sched: &mut Scheduler<Event>) {
        let sc = self.sc;
        let word = &sc.templates[m.template as usize].replies[m.reply as usize].word;
        let Some(rule) = sc.flows[flow].rules.iter().find(|r| r.when.iter().any(|w| w == "*" || w == word)) else {
            return;
        };
        if let Some(o) = rule.outcome {
            self.obs.outcome(now, o, m.root);
        }
        if let Some(t) = rule.template {
            let g = m.number as usize;
            // Two subscriptions running flows on one message answer with distinct origins.
            let origin =
                rng::derive(m.answers_origin, &[m.template as u64, m.reply as u64, 1 + flow as u64, sub as u64]);
            let req = Req {
                source: t,
                origin,
                customer: m.customer,
                pool: self.numbers[g].pool as usize,
                pin: Some(self.numbers[g].index),
                exempt: false,
                root: Some(m.root),
            };
            self.request(now, req, sched);
        }
    }

    fn campaign(&mut self, now: SimTime, i: usize, sched: &mut Scheduler<Event>) {
        let c = &self.sc.campaigns[i];
        let st = self.campaigns[i];
        let n = c.recipients;
        let mut next = st.next;
        if c.spread == SimTime::ZERO {
            while next < n {
                self.request(now, Req::new(c.template, st.occurrence, next, c.pool), sched);
                next += 1;
            }
        } else {
            self.request(now, Req::new(c.template, st.occurrence, next, c.pool), sched);
            next += 1;
        }
        let st = &mut self.campaigns[i];
        if next < n {
            st.next = next;
            let offset = (c.spread.as_micros() as u128 * next as u128 / n as u128) as u64;
            sched.at(st.start + SimTime::from_micros(offset), Event::Campaign(i as u32));
            return;
        }
        // This blast is done: the next repeat, if any.
        if let Some(every) = c.every {
            let start = st.start + every;
            if start <= c.until.min(self.sc.horizon) {
                *st = CampaignState { occurrence: st.occurrence + 1, next: 0, start };
                sched.at(start, Event::Campaign(i as u32));
            }
        }
    }

    fn traffic(&mut self, now: SimTime, i: usize, sched: &mut Scheduler<Event>) {
        let t = &self.sc.traffic[i];
        let (r, seq, exp) = &mut self.traffic[i];
        let customer = (unit(r) * self.sc.customers.count as f64) as u32 % self.sc.customers.count;
        let origin = *seq;
        *seq += 1;
        let next = now + SimTime::from_secs_f64(exp.as_ref().expect("scheduled only with rate > 0").sample(r));
        if next <= t.end {
            sched.at(next, Event::Traffic(i as u32));
        }
        self.request(now, Req::new(t.template, origin, customer, t.pool), sched);
    }

    /// Account for everything still in flight at the horizon: queued messages past their
    /// TTL are `expired`, the rest and those at the carrier are `pending`.
    pub fn finish(&mut self, horizon: SimTime, sched: &mut Scheduler<Event>) {
        for g in 0..self.numbers.len() {
            let (p, idx) = (self.numbers[g].pool, self.numbers[g].index);
            let ttl = self.sc.pools[p as usize].ttl;
            while let Some(&q) = self.numbers[g].queue.front() {
                self.pop_head(g);
                let state = if horizon - q.t_req > ttl { EndState::Expired } else { EndState::Pending };
                self.end(horizon, state, true, &q, p, idx);
            }
        }
        let pending: Vec<(SimTime, Event)> = sched.drain_pending().collect();
        for (_, ev) in pending {
            match ev {
                Event::CarrierDone(slot) => {
                    let f = self.at_carrier.take(slot);
                    let (p, idx) = (self.numbers[f.number as usize].pool, self.numbers[f.number as usize].index);
                    self.end(horizon, EndState::Pending, false, &f.q, p, idx);
                }
                Event::Attempt(slot) => {
                    // Not yet at its deciding attempt: count the retries made by the horizon.
                    let d = self.deliveries.take(slot);
                    let s = &self.subs[d.sub as usize].schedule;
                    let made =
                        s.first_at_or_after(0, horizon - d.start + SimTime::from_micros(1)).unwrap_or(s.attempts());
                    self.delivery_end(horizon, &d, DeliveryState::Pending, made.saturating_sub(1));
                }
                Event::Processed(slot) => {
                    let d = self.deliveries.take(slot);
                    self.delivery_end(horizon, &d, DeliveryState::Pending, d.attempt);
                }
                Event::InboundArrive(_) | Event::NumberReady(_) | Event::Campaign(_) | Event::Traffic(_) => {}
            }
        }
        for sub in 0..self.subs.len() {
            while let Some(slot) = self.subs[sub].waiting.pop_front() {
                let d = self.deliveries.take(slot);
                self.delivery_end(horizon, &d, DeliveryState::Pending, d.attempt);
            }
        }
    }
}

impl<O: Observer> Model for World<'_, O> {
    type Event = Event;

    fn handle(&mut self, now: SimTime, ev: Event, sched: &mut Scheduler<Event>) {
        match ev {
            Event::NumberReady(g) => self.number_ready(now, g as usize, sched),
            Event::CarrierDone(slot) => self.carrier_done(now, slot, sched),
            Event::InboundArrive(slot) => self.inbound_arrives(now, slot, sched),
            Event::Attempt(slot) => self.attempt(now, slot, sched),
            Event::Processed(slot) => self.processed(now, slot, sched),
            Event::Campaign(i) => self.campaign(now, i as usize, sched),
            Event::Traffic(i) => self.traffic(now, i as usize, sched),
        }
    }
}
