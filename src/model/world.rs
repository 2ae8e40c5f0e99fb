//! The event enum and its dispatch: the one place that wires the actors together (SPEC 4).
//! Each actor keeps its own state and rules; the world passes events between them,
//! schedules what they ask for, and reports what happened to its observer.

use super::account::Account;
use super::batch::Tag;
use super::carrier::Carriers;
use super::customer::Customers;
use super::draws::{Draws, Lookahead};
use super::message::{Message, Request, Slab, stream};
use super::observe::{DeliveryObs, DeliveryState, EndState, InboundObs, NO_POOL, Obs, ObsKind, Observer};
use super::pool::{Pools, Step};
use super::topic::{Attempted, Delivery, Topics};
use super::workload::{Source, Workload};
use super::{flow, keyword};
use crate::engine::rng::{self, unit};
use crate::engine::{Model, Scheduler, SimTime};
use crate::scenario::Scenario;
use crate::sms::{Money, price};
use std::sync::Arc;

mod blast;
mod carried;
mod held;

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
    /// A reply reaches the number it answers (reply slot).
    InboundArrive(u32),
    /// A delivery's successful attempt starts, or its last attempt fails (delivery slot).
    Attempt(u32),
    /// A subscriber finishes processing a delivery (delivery slot).
    Processed(u32),
    /// A request held for its sending window may go (held slot).
    WindowOpens(u32),
    /// A blast's requests held for their sending window until now may go (held-blast slot).
    BlastWindowOpens(u32),
}

/// The SMS world as an engine model, reporting to observer `O`.
pub struct World<'s, O> {
    sc: &'s Scenario,
    seed: u64,
    /// Where observations go.
    pub obs: O,
    pools: Pools,
    carriers: Carriers,
    customers: Customers,
    account: Account,
    topics: Topics,
    workload: Workload,
    /// Open spans of each template's sending window, by template and then time zone.
    windows: Vec<Vec<Vec<(u64, u64)>>>,
    /// Requests waiting for their window, with their messages.
    held: Slab<(Message, Request)>,
    /// A blast's requests waiting for their window, by opening (see `held`).
    held_blasts: Slab<held::HeldBlast>,
    /// While a blast with a window is being made: its held requests, by opening.
    holding: Option<held::Holding>,
    /// Requests made again at their opening from `held_blasts`.
    held_together: u64,
    next_id: u64,
    next_inbound: u64,
    /// While a blast is being made: the request at hand's place in it, taken if it is
    /// queued (see `batch`).
    tag: Option<Tag>,
    /// Ends told ahead ([`Observer::ahead`]): each stands for the outcome event it saved
    /// (a run that stalls says what a run that tells none says: see `run::simulate`).
    told_ahead: u64,
    /// Whether the observer takes ends ahead: then a lone subscriber delivery due at
    /// once, with nothing else due, is also made at once rather than queued (the same
    /// run, fewer trips through the queue); with an observer that takes none (`--events`,
    /// audits) every event goes through the queue, and the two can be compared.
    quick: bool,
    /// The messages' draws; a large blast's made ahead on the thread beside the world's
    /// if the observer offers one (`lookahead`).
    draws: Arc<Draws>,
    lookahead: Option<Lookahead>,
}

/// The observation of `kind` for message `m` at `t`, from number `number` of `pool`.
fn obs(t: SimTime, kind: ObsKind, m: &Message, (pool, number): (u32, u32), charge: price::Charge) -> Obs {
    Obs {
        t,
        kind,
        msg: m.id,
        pool,
        number,
        customer: m.customer,
        carrier: m.carrier as u32,
        country: m.country,
        parts: m.parts as u32,
        cost: charge.base,
        fee: charge.fee,
        t_req: m.t_req,
        source: m.source,
    }
}

/// A `wake(number, at)` callback that schedules a `NumberReady`.
fn waker(sched: &mut Scheduler<Event>) -> impl FnMut(u32, SimTime) + '_ {
    |g, at| sched.at(at, Event::NumberReady(g))
}

impl<'s, O: Observer> World<'s, O> {
    /// Build the world for `sc` under `seed`, and schedule the workload's first events.
    pub fn new(sc: &'s Scenario, seed: u64, obs: O, sched: &mut Scheduler<Event>) -> Self {
        let pools = Pools::new(sc);
        let customers = Customers::new(sc, seed);
        let workload = Workload::new(sc, seed, |at, source| match source {
            Source::Campaign(i) => sched.at(at, Event::Campaign(i)),
            Source::Traffic(i) => sched.at(at, Event::Traffic(i)),
        });
        let obs_quick = obs.ahead_until() > SimTime::ZERO;
        let draws = Arc::new(Draws::new(sc, seed));
        let lookahead = obs.side().map(|side| Lookahead::new(Arc::clone(&draws), customers.carriers(), side));
        World {
            sc,
            seed,
            obs,
            pools,
            carriers: Carriers::new(sc),
            customers,
            account: Account::new(sc.spent, sc.spend_limit),
            topics: Topics::new(sc, Arc::clone(&draws)),
            workload,
            windows: held::windows(sc),
            held: Slab::new(),
            held_blasts: Slab::new(),
            holding: None,
            held_together: 0,
            next_id: 0,
            next_inbound: 0,
            tag: None,
            told_ahead: 0,
            quick: obs_quick,
            draws,
            lookahead,
        }
    }

    /// Outcome events not queued because their ends were told ahead: with the kernel's
    /// events, the run's event count, the same whichever way an end was told.
    pub fn told_ahead(&self) -> u64 {
        self.told_ahead
    }

    #[doc(hidden)]
    /// Messages whose draws it found made ahead beside it (`draws::Lookahead`).
    pub fn drawn_ahead(&self) -> u64 {
        self.lookahead.as_ref().map_or(0, |l| l.found)
    }

    #[doc(hidden)]
    /// Requests a sending window held as part of a blast's description (`held`), made
    /// again at their opening.
    pub fn held_together(&self) -> u64 {
        self.held_together
    }

    #[doc(hidden)]
    /// Subscriber deliveries whose draws were made ahead with their reply.
    pub fn deliveries_drawn_ahead(&self) -> u64 {
        self.topics.predrawn
    }

    #[doc(hidden)]
    /// Waits, up to ten seconds, until the first `n` draws of the blast being made ahead
    /// are made; false if none is being made or they are not. For tests: the draws made
    /// ahead are then found whatever the threads' pace.
    pub fn await_draws_made(&self, n: u32) -> bool {
        self.lookahead.as_ref().is_some_and(|l| l.await_made(n))
    }

    /// Whether it tells ends ahead and makes lone deliveries at once (its observer takes
    /// ends ahead).
    pub fn quick(&self) -> bool {
        self.quick
    }

    /// The first pool of `from` that may send to customer `c`, if any (SPEC 7.3).
    fn route(&self, from: &[usize], c: u32) -> Option<usize> {
        self.sc.route(from, self.customers.country(c) as usize)
    }

    fn emit(&mut self, t: SimTime, kind: ObsKind, m: &Message, at: (u32, u32), charge: price::Charge) {
        self.obs.observe(&obs(t, kind, m, at, charge));
    }

    fn end(&mut self, t: SimTime, state: EndState, queued: bool, m: &Message, at: (u32, u32)) {
        self.emit(t, ObsKind::End { state, queued }, m, at, price::Charge::default());
    }

    /// A new outbound request (SPEC 4.1.1-3, 7.1, 7.3): unroutable, or held for its sending
    /// window, or on to its pool.
    fn request(&mut self, now: SimTime, r: Request, sched: &mut Scheduler<Event>) {
        let m = Message {
            id: self.next_id,
            t_req: now,
            customer: r.customer,
            origin: r.origin,
            template: r.template as u16,
            source: r.source,
            carrier: self.customers.carrier(r.customer),
            country: self.customers.country(r.customer),
            parts: self.sc.templates[r.template].parts as u8,
            root: r.root.unwrap_or(now),
        };
        self.next_id += 1;
        self.emit(now, ObsKind::Requested, &m, (NO_POOL, 0), price::Charge::default());
        // A sending window holds it first, then routing (SPEC 8's order of a request).
        if let Some(spans) = self.windows[r.template].get(self.customers.zone(r.customer) as usize) {
            if let Err(open) = crate::calendar::next_open(spans, now.as_micros()) {
                // Before any number: it enters its pool when the window opens (a window
                // that never opens again before the horizon leaves it pending).
                self.emit(now, ObsKind::Held, &m, (NO_POOL, 0), price::Charge::default());
                let at = open.map_or(self.sc.horizon + SimTime::from_micros(1), SimTime::from_micros);
                if !self.hold_in_blast(r.customer, at, sched) {
                    let slot = self.held.insert((m, r));
                    sched.at(at, Event::WindowOpens(slot));
                }
                return;
            }
        }
        if r.unroutable {
            self.end(now, EndState::Unroutable, false, &m, (NO_POOL, 0));
            return;
        }
        self.enter(now, m, r, sched);
    }

    /// A request enters its pool (SPEC 4.1.2-3, 6.3): failover, the opt-out list, then a
    /// number and its queue.
    fn enter(&mut self, now: SimTime, m: Message, r: Request, sched: &mut Scheduler<Event>) {
        let (mut pool, mut pin, mut failed_over) = (r.pool, r.pin, false);
        let mut screened = false;
        // A pool in an outage hands the request to its failover pool (SPEC 6.3).
        // A failover pool that cannot reach the customer's country is no way out (SPEC 7.3).
        let reach = |f: &usize| self.sc.pools[*f].reaches[m.country as usize];
        if let Some(f) = self.sc.pools[pool].failover.filter(reach) {
            if self.pools.outage_end(pool, now).is_some() {
                self.emit(now, ObsKind::FailedOver, &m, (pool as u32, 0), price::Charge::default());
                (pool, pin, failed_over) = (f, None, true);
            }
        }
        loop {
            // Only the list of the pool it would go out from blocks it.
            if !r.exempt && self.customers.opted_out(r.customer, self.sc.pools[pool].opt_out_list) {
                self.end(now, EndState::BlockedOptOut, false, &m, (NO_POOL, 0));
                return;
            }
            // Protect, once, at the pool it is about to go out from (SPEC 8); after a
            // failover for room, the price bound again at the new pool's price (the
            // filter has screened it already).
            if !std::mem::replace(&mut screened, true) {
                if !self.protect(now, &m, pool) {
                    return;
                }
            } else if self.over_price(&m, pool) {
                self.end(now, EndState::BlockedProtect, false, &m, (NO_POOL, 0));
                return;
            }
            let idx = self.pools.select(pool, r.customer, pin);
            if let Some(f) = self.sc.pools[pool].failover.filter(|f| !failed_over && reach(f)) {
                if !self.pools.has_room(now, pool, idx, m.parts as u64) {
                    self.emit(now, ObsKind::FailedOver, &m, (pool as u32, idx), price::Charge::default());
                    (pool, pin, failed_over) = (f, None, true);
                    continue;
                }
            }
            let at = (pool as u32, idx);
            debug_assert!(self.tag.is_none_or(|t| self.pools.batches.message(t.batch, t.offset, &self.customers) == m));
            // A wake at a held group's opening comes between its requests and the later
            // ones: those go in a group of their own (see `held`).
            let holding = &mut self.holding;
            let mut wake = |g, at| {
                sched.at(at, Event::NumberReady(g));
                if let Some(h) = holding.as_mut() {
                    h.woken_at(at);
                }
            };
            if self.pools.enqueue(now, pool, idx, m, &mut self.tag, &mut wake) {
                self.emit(now, ObsKind::Queued, &m, at, price::Charge::default());
            } else {
                self.end(now, EndState::Throttled, false, &m, at);
            }
            return;
        }
    }

    /// `[account] protect` and the template's price bound (SPEC 8): a blocked country, a
    /// message dearer than `max_price_per_message_usd` (at pool `pool`'s price), then the
    /// fraud filter, whose fee is charged before its verdict. False if the request ended
    /// here (`blocked_protect`, or `blocked_spend_limit` when the fee cannot be paid).
    fn protect(&mut self, now: SimTime, m: &Message, pool: usize) -> bool {
        let sc = self.sc;
        let blocked = |w: &mut Self| {
            w.end(now, EndState::BlockedProtect, false, m, (NO_POOL, 0));
            false
        };
        if sc.protect.blocked[m.country as usize] {
            return blocked(self);
        }
        if self.over_price(m, pool) {
            return blocked(self);
        }
        let Some(filter) = sc.protect.filter else { return true };
        let charge = price::Charge { base: filter.fee, fee: Money::ZERO };
        if !self.account.try_charge(charge) {
            self.end(now, EndState::BlockedSpendLimit, false, m, (NO_POOL, 0));
            return false;
        }
        self.emit(now, ObsKind::Screened, m, (NO_POOL, 0), charge);
        // The verdict is keyed by what the request is (its source, customer, template and
        // occurrence), never by arrival order, so variants see the same requests caught.
        let catch = sc.protect.catch(sc.sources[m.source as usize].fraud);
        let key = [stream::PROTECT, m.source as u64, m.customer as u64, m.template as u64, m.origin];
        if catch > 0.0 && unit(&mut rng::stream(self.seed, &key)) < catch {
            return blocked(self);
        }
        true
    }

    /// Whether message `m` from pool `pool` would cost more than its template's
    /// `max_price_per_message_usd` (all its parts at the destination price, plus fees).
    fn over_price(&self, m: &Message, pool: usize) -> bool {
        let sc = self.sc;
        sc.templates[m.template as usize].max_price.is_some_and(|max| self.charge(m, pool).total() > max)
    }

    /// What message `m` costs from pool `pool`: every part at the price to its country,
    /// plus its carrier's fee for the pool's kind of number (SPEC 4.5).
    #[inline]
    fn charge(&self, m: &Message, pool: usize) -> price::Charge {
        let p = &self.sc.pools[pool];
        let fee = self.sc.carriers[m.carrier as usize].fee_per_part[p.kind];
        price::outbound(p.price_to[m.country as usize], fee, m.parts as u64)
    }

    /// Number `g` transmits its head if it can (SPEC 4.1.4-5): the pools say whether the
    /// head may go, the account whether it can be paid for.
    fn number_ready(&mut self, now: SimTime, g: usize, sched: &mut Scheduler<Event>) {
        if !self.pools.ready(g, now, &mut waker(sched)) {
            return;
        }
        let at = self.pools.address(g);
        loop {
            let head = match self.pools.step(g, now, &self.customers, &mut waker(sched)) {
                Step::Wait => return,
                Step::Ended(m, state) => {
                    self.end(now, state, true, &m, at);
                    continue;
                }
                Step::BlockedCharged(m) => {
                    // Billed as if transmitted, if the account can pay (SPEC 6.2).
                    let charge = self.charge(&m, at.0 as usize);
                    if self.account.try_charge(charge) {
                        self.emit(now, ObsKind::End { state: EndState::BlockedDailyCap, queued: true }, &m, at, charge);
                    } else {
                        self.end(now, EndState::BlockedSpendLimit, true, &m, at);
                    }
                    continue;
                }
                Step::Send => match self.pools.head(g) {
                    Some(&head) => head,
                    None => return,
                },
            };
            let charge = self.charge(&head, at.0 as usize);
            if !self.account.try_charge(charge) {
                self.pools.drop_head(g, &self.customers);
                self.end(now, EndState::BlockedSpendLimit, true, &head, at);
                continue;
            }
            // This order is part of every answer: the carrier's event (unless its end is
            // told ahead) is scheduled before the wake-ups, and ties run in scheduling
            // order (golden files hold it).
            self.pools.transmit(g, now, &head, &self.customers);
            self.emit(now, ObsKind::Transmitted, &head, at, charge);
            if self.outside_window(now, &head) {
                self.emit(now, ObsKind::OutsideWindow, &head, at, price::Charge::default());
            }
            self.carrier_accepts(now, g, head, sched);
            self.pools.after_transmit(g, head.carrier, now, &mut waker(sched));
            return;
        }
    }

    /// Whether message `m`, transmitted at `now`, leaves outside its template's sending
    /// window in its recipient's time zone.
    fn outside_window(&self, now: SimTime, m: &Message) -> bool {
        let zone = || self.customers.zone(m.customer) as usize;
        let spans = &self.windows[m.template as usize];
        !spans.is_empty() && spans.get(zone()).is_some_and(|s| crate::calendar::next_open(s, now.as_micros()).is_err())
    }

    /// A reply reaches its number: charge, keywords, publish (SPEC 4.2-4.4).
    fn inbound_arrives(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let mut m = self.carriers.reply_arrives(slot);
        m.id = self.next_inbound;
        self.next_inbound += 1;
        let sc = self.sc;
        let (p, idx) = self.pools.address(m.number as usize);
        let pool = &sc.pools[p as usize];
        let reply = &sc.templates[m.template as usize].replies[m.reply as usize];
        let mut obs = InboundObs {
            t: now,
            id: m.id,
            pool: p,
            number: idx,
            customer: m.customer,
            carrier: m.carrier as u32,
            country: m.country,
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
        obs.cost = price::inbound(pool.inbound_price_from[m.country as usize], fee, reply.parts as u64);
        self.account.charge(obs.cost);
        let here = (p as usize, idx, pool.opt_out_list);
        let matched = keyword::answer(&pool.keywords, &reply.word, &m, here, &mut self.customers);
        let response = matched.map(|k| {
            obs.keyword = Some(&k.keyword.word);
            obs.opted_out = k.opted_out;
            obs.auto_response = true;
            k.response
        });
        obs.topics = self.topics.topics_of(p as usize);
        self.obs.inbound(&obs);
        if let Some(r) = response {
            self.request(now, r, sched);
        }
        // A lone delivery whose deciding attempt is now, with nothing else due now, would
        // be the next event: it is made at once (this handler schedules nothing after),
        // for an observer that takes shortcuts (`quick`).
        let lone = self.quick && self.topics.lone_sub(p as usize).is_some();
        let mut at_once = None;
        self.topics.publish(now, m, p as usize, |at, slot| {
            if lone && at == now && sched.next_if_now() {
                at_once = Some(slot);
            } else {
                sched.at(at, Event::Attempt(slot));
            }
        });
        if let Some(slot) = at_once {
            sched.handled_at_once();
            self.attempt(now, slot, sched);
        }
    }

    fn delivery_end(&mut self, now: SimTime, d: &Delivery, state: DeliveryState, retries: u64) {
        let (topic, subscription) = self.topics.ids(d.sub);
        let (pool, number) = self.pools.address(d.msg.number as usize);
        self.obs.delivery(&DeliveryObs {
            t: now,
            inbound: d.msg.id,
            topic,
            subscription,
            state,
            retries,
            pool,
            number,
            customer: d.msg.customer,
            carrier: d.msg.carrier as u32,
            country: d.msg.country,
        });
    }

    fn attempt(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        match self.topics.attempt(now, slot) {
            Attempted::Exhausted(d, state) => self.delivery_end(now, &d, state, d.attempt),
            Attempted::Started { at } => sched.at(at, Event::Processed(slot)),
            Attempted::Waiting => {}
        }
    }

    fn processed(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let done = self.topics.processed(now, slot);
        let d = done.delivery;
        self.delivery_end(now, &d, DeliveryState::Delivered, d.attempt);
        if let Some((next, at)) = done.next {
            sched.at(at, Event::Processed(next));
        }
        let Some(f) = done.handler else { return };
        let word = &self.sc.templates[d.msg.template as usize].replies[d.msg.reply as usize].word;
        let (p, idx) = self.pools.address(d.msg.number as usize);
        let ran = flow::run(&self.sc.flows[f], f, d.sub, &d.msg, word, p as usize, idx);
        if let Some(o) = ran.outcome {
            self.obs.outcome(now, o, d.msg.root);
        }
        if let Some(r) = ran.response {
            self.request(now, r, sched);
        }
    }

    fn traffic(&mut self, now: SimTime, i: usize, sched: &mut Scheduler<Event>) {
        let a = self.workload.traffic(self.sc, i, now);
        if let Some(at) = a.next {
            sched.at(at, Event::Traffic(i as u32));
        }
        let t = &self.sc.traffic[i];
        // A fraud source sends to a new number in its country each time (SPEC 8).
        let customer = t.fraud.map_or(a.customer, |k| self.customers.add_fraud(k));
        let mut r = Request::new(t.template, t.source, a.origin, customer, t.pool);
        match self.route(&t.from, customer) {
            Some(p) => r.pool = p,
            None => r.unroutable = true,
        }
        self.request(now, r, sched);
    }

    /// Account for everything still in flight at the horizon: queued messages past their
    /// TTL are `expired`, the rest and those at the carrier are `pending`; deliveries in
    /// progress are `pending`.
    pub fn finish(&mut self, horizon: SimTime, sched: &mut Scheduler<Event>) {
        for g in 0..self.pools.numbers() {
            let at = self.pools.address(g);
            let ttl = self.pools.ttl(at.0);
            while let Some(m) = self.pools.drop_head(g, &self.customers) {
                let state = if horizon - m.t_req > ttl { EndState::Expired } else { EndState::Pending };
                self.end(horizon, state, true, &m, at);
            }
        }
        let pending: Vec<(SimTime, Event)> = sched.drain_pending().collect();
        for (_, ev) in pending {
            match ev {
                Event::CarrierDone(slot) => {
                    let f = self.carriers.done(slot);
                    self.end(horizon, EndState::Pending, false, &f.message, self.pools.address(f.number as usize));
                }
                Event::Attempt(slot) => {
                    // Not yet at its deciding attempt: count the retries made by the horizon.
                    let (d, retries) = self.topics.unfinished_attempt(slot, horizon);
                    self.delivery_end(horizon, &d, DeliveryState::Pending, retries);
                }
                Event::Processed(slot) => {
                    let d = self.topics.unfinished_processing(slot);
                    self.delivery_end(horizon, &d, DeliveryState::Pending, d.attempt);
                }
                Event::WindowOpens(slot) => {
                    let (m, r) = self.held.take(slot);
                    self.window_unopened(horizon, &m, &r);
                }
                Event::BlastWindowOpens(slot) => self.blast_window_unopened(horizon, slot),
                Event::InboundArrive(_) | Event::NumberReady(_) | Event::Campaign(_) | Event::Traffic(_) => {}
            }
        }
        while let Some(d) = self.topics.pop_waiting() {
            self.delivery_end(horizon, &d, DeliveryState::Pending, d.attempt);
        }
    }
}

impl<O: Observer> Model for World<'_, O> {
    type Event = Event;

    fn handle(&mut self, now: SimTime, ev: Event, sched: &mut Scheduler<Event>) {
        match ev {
            Event::NumberReady(g) => self.number_ready(now, g as usize, sched),
            Event::CarrierDone(slot) => self.carrier_done(now, slot),
            Event::InboundArrive(slot) => self.inbound_arrives(now, slot, sched),
            Event::Attempt(slot) => self.attempt(now, slot, sched),
            Event::Processed(slot) => self.processed(now, slot, sched),
            Event::Campaign(i) => self.campaign(now, i as usize, sched),
            Event::Traffic(i) => self.traffic(now, i as usize, sched),
            Event::WindowOpens(slot) => {
                let (m, r) = self.held.take(slot);
                self.window_opens(now, m, r, sched);
            }
            Event::BlastWindowOpens(slot) => self.blast_window_opens(now, slot, sched),
        }
    }
}
