//! The event enum and its dispatch: the one place that wires numbers, carriers,
//! customers, the account and the workload together (SPEC 4.1).

use super::observe::{EndState, NO_POOL, Obs, ObsKind, Observer};
use super::pacing::{MinTree, Pacer};
use crate::engine::rng::{self, Stream, unit};
use crate::engine::{Model, Scheduler, SimTime};
use crate::scenario::units::Sampler;
use crate::scenario::{Money, Scenario, Selection};
use rand_distr::{Distribution, Exp};
use std::collections::VecDeque;

/// Domain tags for random streams: one per kind of entity.
mod stream {
    pub(super) const CUSTOMER: u64 = 1;
    pub(super) const MESSAGE: u64 = 2;
    pub(super) const TRAFFIC: u64 = 3;
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
}

/// A message waiting in a number's queue. Kept small: a blast can queue millions.
#[derive(Debug, Clone, Copy)]
struct Queued {
    id: u64,
    t_req: SimTime,
    customer: u32,
    /// Which occurrence (campaign repeat, traffic sequence) of its source it is.
    origin: u32,
    /// Template / source index.
    source: u16,
    carrier: u8,
    parts: u8,
}

#[derive(Debug, Clone, Copy)]
struct InFlight {
    q: Queued,
    number: u32,
    delivered: bool,
}

#[derive(Debug)]
struct Number {
    pool: u32,
    index: u32,
    queue: VecDeque<Queued>,
    queued_parts: u64,
    pacer: Pacer,
    scheduled: bool,
}

#[derive(Debug)]
struct LimitState {
    carrier: u8,
    pacer: Option<Pacer>,
    daily: Option<u64>,
    day: u64,
    used: u64,
}

#[derive(Debug)]
struct PoolState {
    first: u32,
    rr: u32,
    loads: MinTree,
    /// Limit indices by carrier.
    limits_by_carrier: Vec<Vec<u16>>,
    limits: Vec<LimitState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct CampaignState {
    occurrence: u32,
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
    traffic: Vec<(Stream, u32, Option<Exp<f64>>)>,
    slab: Vec<InFlight>,
    free: Vec<u32>,
    next_id: u64,
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
                    scheduled: false,
                });
            }
            let mut limits_by_carrier = vec![Vec::new(); sc.carriers.len()];
            let limits = pool
                .limits
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    limits_by_carrier[l.carrier].push(i as u16);
                    LimitState {
                        carrier: l.carrier as u8,
                        pacer: l.mps.map(Pacer::new),
                        daily: l.daily_parts,
                        day: 0,
                        used: 0,
                    }
                })
                .collect();
            pools.push(PoolState { first, rr: 0, loads: MinTree::new(pool.count as usize), limits_by_carrier, limits });
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
            slab: Vec::new(),
            free: Vec::new(),
            next_id: 0,
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

    /// A new outbound request from `source` (template index) to `customer` via `pool`.
    fn request(
        &mut self,
        now: SimTime,
        source: usize,
        origin: u32,
        customer: u32,
        pool: usize,
        sched: &mut Scheduler<Event>,
    ) {
        let q = Queued {
            id: self.next_id,
            t_req: now,
            customer,
            origin,
            source: source as u16,
            carrier: self.cust_carrier[customer as usize],
            parts: self.sc.templates[source].parts as u8,
        };
        self.next_id += 1;
        self.emit(now, ObsKind::Requested, &q, (NO_POOL, 0), (Money::ZERO, Money::ZERO));
        if self.cust_flags[customer as usize] & OPTED_OUT != 0 {
            self.end(now, EndState::BlockedOptOut, false, &q, NO_POOL, 0);
            return;
        }
        let cfg = &self.sc.pools[pool];
        let ps = &mut self.pools[pool];
        let idx = match cfg.selection {
            Selection::LeastLoaded => ps.loads.min(),
            Selection::RoundRobin => {
                let i = ps.rr;
                ps.rr = (ps.rr + 1) % cfg.count;
                i
            }
            Selection::Sticky => (rng::mix64(customer as u64 ^ 0x5354_4943_4b59) % cfg.count as u64) as u32,
        };
        let g = (ps.first + idx) as usize;
        let num = &mut self.numbers[g];
        if cfg.queue_limit.is_some_and(|lim| num.queued_parts + q.parts as u64 > lim) {
            self.end(now, EndState::Throttled, false, &q, pool as u32, idx);
            return;
        }
        num.queue.push_back(q);
        num.queued_parts += q.parts as u64;
        ps.loads.set(idx, num.queued_parts);
        if !num.scheduled {
            num.scheduled = true;
            sched.at(SimTime::from_micros(num.pacer.next_free()), Event::NumberReady(g as u32));
        }
        self.emit(now, ObsKind::Queued, &q, (pool as u32, idx), (Money::ZERO, Money::ZERO));
    }

    fn pop_head(&mut self, g: usize) -> Queued {
        let num = &mut self.numbers[g];
        let q = num.queue.pop_front().expect("head exists");
        num.queued_parts -= q.parts as u64;
        self.pools[num.pool as usize].loads.set(num.index, num.queued_parts);
        q
    }

    /// Number `g` transmits its head if it can (SPEC 4.1.4-5).
    fn number_ready(&mut self, now: SimTime, g: usize, sched: &mut Scheduler<Event>) {
        let (p, idx) = (self.numbers[g].pool as usize, self.numbers[g].index);
        let cfg = &self.sc.pools[p];
        let nowu = now.as_micros();
        loop {
            let Some(&head) = self.numbers[g].queue.front() else {
                self.numbers[g].scheduled = false;
                return;
            };
            if now - head.t_req > cfg.ttl {
                self.pop_head(g);
                self.end(now, EndState::Expired, true, &head, p as u32, idx);
                continue;
            }
            // Head-of-line blocking on the pool's shared limits toward the head's carrier.
            let ps = &self.pools[p];
            let lims = &ps.limits_by_carrier[head.carrier as usize];
            let wait = lims
                .iter()
                .filter_map(|&l| ps.limits[l as usize].pacer.as_ref())
                .map(Pacer::next_free)
                .max()
                .unwrap_or(0);
            if wait > nowu {
                sched.at(SimTime::from_micros(wait), Event::NumberReady(g as u32));
                return;
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
            let fee = self.sc.carriers[head.carrier as usize].fee_per_part[cfg.kind.index()].times(parts);
            if self.spent + cost + fee > self.sc.spend_limit {
                self.pop_head(g);
                self.end(now, EndState::BlockedSpendLimit, true, &head, p as u32, idx);
                continue;
            }
            // Transmit.
            self.pop_head(g);
            self.spent += cost + fee;
            self.numbers[g].pacer.take(nowu, head.parts as u32);
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
            if self.numbers[g].queue.is_empty() {
                self.numbers[g].scheduled = false;
            } else {
                sched.at(SimTime::from_micros(self.numbers[g].pacer.next_free()), Event::NumberReady(g as u32));
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
        let mut r = rng::stream(self.seed, &[stream::MESSAGE, q.customer as u64, q.source as u64, q.origin as u64]);
        if unit(&mut r) < carrier.failure_rate {
            self.end(now, EndState::Failed, false, &q, p, idx);
            return;
        }
        let latency = self.latency[q.carrier as usize].sample(&mut r);
        let mut handoff = now;
        for &(from, to) in &carrier.outages {
            if handoff >= from && handoff < to {
                handoff = to;
            }
        }
        let deadline = q.t_req + self.sc.pools[p as usize].ttl;
        let at = handoff + latency;
        let (t, delivered) = if at > deadline { (deadline, false) } else { (at, true) };
        let item = InFlight { q, number: g as u32, delivered };
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = item;
                s
            }
            None => {
                self.slab.push(item);
                (self.slab.len() - 1) as u32
            }
        };
        sched.at(t, Event::CarrierDone(slot));
    }

    fn carrier_done(&mut self, now: SimTime, slot: u32) {
        let f = self.slab[slot as usize];
        self.free.push(slot);
        let (p, idx) = (self.numbers[f.number as usize].pool, self.numbers[f.number as usize].index);
        let state = if f.delivered { EndState::Delivered } else { EndState::Expired };
        self.end(now, state, false, &f.q, p, idx);
    }

    fn campaign(&mut self, now: SimTime, i: usize, sched: &mut Scheduler<Event>) {
        let c = &self.sc.campaigns[i];
        let st = self.campaigns[i];
        let n = c.recipients;
        let mut next = st.next;
        if c.spread == SimTime::ZERO {
            while next < n {
                self.request(now, c.template, st.occurrence, next, c.pool, sched);
                next += 1;
            }
        } else {
            self.request(now, c.template, st.occurrence, next, c.pool, sched);
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
        self.request(now, t.template, origin, customer, t.pool, sched);
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
            if let Event::CarrierDone(slot) = ev {
                let f = self.slab[slot as usize];
                let (p, idx) = (self.numbers[f.number as usize].pool, self.numbers[f.number as usize].index);
                self.end(horizon, EndState::Pending, false, &f.q, p, idx);
            }
        }
    }
}

impl<O: Observer> Model for World<'_, O> {
    type Event = Event;

    fn handle(&mut self, now: SimTime, ev: Event, sched: &mut Scheduler<Event>) {
        match ev {
            Event::NumberReady(g) => self.number_ready(now, g as usize, sched),
            Event::CarrierDone(slot) => self.carrier_done(now, slot),
            Event::Campaign(i) => self.campaign(now, i as usize, sched),
            Event::Traffic(i) => self.traffic(now, i as usize, sched),
        }
    }
}
