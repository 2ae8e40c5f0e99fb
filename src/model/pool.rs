//! Number pools: which number a request goes to (selection, queue limits), and when a
//! number may send its head under its own rate, its TTL, its pool's outages and the shared
//! limits that cover it (SPEC 4.1.2-5, 6.1-6.3). The price and the spend limit are the
//! account's; the caller asks it between [`Pools::step`] and [`Pools::transmit`].
//!
//! A number has at most one pending `NumberReady` event (but for a held number woken early
//! by a more urgent message): the pools ask for one through a `wake(number, at)` callback.

use super::batch::{Batches, Tag};
use super::customer::Customers;
use super::limit::{Capped, Limits, Place};
use super::message::Message;
use super::number::{Number, Parked};
use super::observe::EndState;
use super::pacing::MinTree;
use crate::engine::SimTime;
use crate::engine::rng;
use crate::scenario::{Scenario, Selection};

/// One pool's state besides its numbers.
#[derive(Debug)]
struct PoolState {
    first: u32,
    count: u32,
    selection: Selection,
    queue_limit: Option<u64>,
    ttl: SimTime,
    outages: Vec<(SimTime, SimTime)>,
    rr: u32,
    loads: MinTree,
}

/// What a number's head does next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// Nothing to send now: a wake was asked for when the number can look again (its
    /// pool's outage ends, a rate frees while it is first in line, a window resets, its
    /// head expires); none while it is behind another number in a line (it is woken when
    /// its turn comes) or when its queue is empty.
    Wait,
    /// The head left the queue in this end state.
    Ended(Message, EndState),
    /// The head left the queue at a cap that bills it: charge it if the account can pay.
    BlockedCharged(Message),
    /// The head ([`Pools::head`]) may go now if the account pays for it: then
    /// [`Pools::transmit`], else [`Pools::drop_head`]. (It stays in its queue: a copy
    /// through this enum cost the world's hot path more than reading it again.)
    Send,
}

/// Every pool and every number, numbers indexed globally (pool by pool).
#[derive(Debug)]
pub(crate) struct Pools {
    numbers: Vec<Number>,
    pools: Vec<PoolState>,
    limits: Limits,
    priority: Vec<u8>,
    /// The blasts whose runs wait in the numbers' queues.
    pub(crate) batches: Batches,
    /// Inside a blast's event: the order in which a least-loaded pool picks its numbers.
    cycle: Option<Cycle>,
}

/// A least-loaded pool's picks during a blast, known in advance (`MinTree::cycle`): valid
/// while every message queued in the pool is the next pick's, of the blast's parts.
#[derive(Debug)]
struct Cycle {
    pool: usize,
    parts: u64,
    order: Vec<u32>,
    next: usize,
}

impl Pools {
    /// The pools of `sc`, every number idle.
    pub(crate) fn new(sc: &Scenario) -> Self {
        let mut numbers = Vec::new();
        let mut pools = Vec::with_capacity(sc.pools.len());
        for (p, pool) in sc.pools.iter().enumerate() {
            let first = numbers.len() as u32;
            numbers.extend((0..pool.count).map(|n| Number::new(p as u32, n, pool.mps)));
            pools.push(PoolState {
                first,
                count: pool.count,
                selection: pool.selection,
                queue_limit: pool.queue_limit,
                ttl: pool.ttl,
                outages: pool.outages.clone(),
                rr: 0,
                loads: MinTree::new(pool.count as usize),
            });
        }
        let priority = sc.templates.iter().map(|t| t.priority).collect();
        Self { numbers, pools, limits: Limits::new(sc), priority, batches: Batches::default(), cycle: None }
    }

    /// How many numbers in all.
    pub(crate) fn numbers(&self) -> usize {
        self.numbers.len()
    }

    /// Pool and index within the pool of global number `g`.
    #[inline]
    pub(crate) fn address(&self, g: usize) -> (u32, u32) {
        (self.numbers[g].pool, self.numbers[g].index)
    }

    /// The TTL of messages from pool `p`.
    #[inline]
    pub(crate) fn ttl(&self, p: u32) -> SimTime {
        self.pools[p as usize].ttl
    }

    /// The end of pool `p`'s outage at `t`, if it is in one.
    #[inline]
    pub(crate) fn outage_end(&self, p: usize, t: SimTime) -> Option<SimTime> {
        self.pools[p].outages.iter().find(|&&(from, to)| t >= from && t < to).map(|&(_, to)| to)
    }

    /// The number of pool `pool` a message to `customer` goes to: `pin` if given, else
    /// the pool's selection.
    pub(crate) fn select(&mut self, pool: usize, customer: u32, pin: Option<u32>) -> u32 {
        let ps = &mut self.pools[pool];
        match (pin, ps.selection) {
            (Some(n), _) => n,
            (None, Selection::LeastLoaded) => match &self.cycle {
                Some(c) if c.pool == pool => c.order[c.next],
                _ => ps.loads.min(),
            },
            (None, Selection::RoundRobin) => {
                let i = ps.rr;
                ps.rr = (ps.rr + 1) % ps.count;
                i
            }
            (None, Selection::Sticky) => (rng::mix64(customer as u64 ^ 0x5354_4943_4b59) % ps.count as u64) as u32,
        }
    }

    /// A blast of `size` messages of `parts` parts each begins for `pool`: if the pool picks
    /// the least loaded and its loads allow, its picks are worked out once, not per
    /// message (the same picks: see `MinTree::cycle`). Returns the cycle's length.
    pub(crate) fn begin_blast(&mut self, pool: usize, parts: u64, size: usize) -> Option<usize> {
        let ps = &self.pools[pool];
        let n = ps.count as usize;
        self.cycle = None;
        if ps.selection == Selection::LeastLoaded && size >= n {
            self.cycle = ps.loads.cycle(n, parts).map(|order| Cycle { pool, parts, order, next: 0 });
        }
        self.cycle.as_ref().map(|c| c.order.len())
    }

    /// The rest of a blast, once each number of the cycle has had one of it through
    /// `enqueue`: `n` more messages of template `template` (of the cycle's parts), queued
    /// requests `j, j + 1, ...` of blast `b`, each on the cycle's next pick. Their wakes
    /// were asked for by the first (a number has one pending, or waits in a line), so only
    /// queues and loads change.
    pub(crate) fn blast_tail(&mut self, b: u32, j: u32, n: u32, template: usize, customers: &Customers) {
        let c = self.cycle.as_mut().expect("a blast's tail follows its cycle");
        let ps = &mut self.pools[c.pool];
        let k = c.order.len() as u32;
        for step in 0..k.min(n) {
            let idx = c.order[(c.next + step as usize) % k as usize];
            let count = (n - step).div_ceil(k);
            let num = &mut self.numbers[(ps.first + idx) as usize];
            let run = (b, j + step, count, k);
            num.push_run(self.priority[template], c.parts as u8, run, &mut self.batches, customers);
            ps.loads.set(idx, num.queued_parts(), num.free_at());
        }
        c.next = (c.next + n as usize) % k as usize;
    }

    /// The blast's event is over.
    pub(crate) fn end_blast(&mut self) {
        self.cycle = None;
    }

    /// Whether number `idx` of `pool` would take a message of `parts` parts at `now`
    /// within the pool's queue limit.
    pub(crate) fn has_room(&self, now: SimTime, pool: usize, idx: u32, parts: u64) -> bool {
        let ps = &self.pools[pool];
        let num = &self.numbers[(ps.first + idx) as usize];
        ps.queue_limit.is_none_or(|lim| num.would_wait(now, parts) <= lim)
    }

    /// Queue `m` on number `idx` of `pool` at `now`; false (nothing queued) when it would
    /// pass the pool's queue limit. A blast's request comes with its `tag`, taken when it
    /// is queued.
    pub(crate) fn enqueue(
        &mut self,
        now: SimTime,
        pool: usize,
        idx: u32,
        m: Message,
        tag: &mut Option<Tag>,
        wake: &mut impl FnMut(u32, SimTime),
    ) -> bool {
        if !self.has_room(now, pool, idx, m.parts as u64) {
            return false;
        }
        let ps = &mut self.pools[pool];
        let g = (ps.first + idx) as usize;
        let num = &mut self.numbers[g];
        let priority = self.priority[m.template as usize];
        let overtakes = num.head().is_some_and(|(_, p)| priority < p);
        num.push(m, priority, tag.take(), &mut self.batches);
        ps.loads.set(idx, num.queued_parts(), num.free_at());
        if let Some(c) = self.cycle.as_mut().filter(|c| c.pool == pool) {
            // The pick it foresaw: the next one is next; anything else ends it.
            if idx == c.order[c.next] && m.parts as u64 == c.parts {
                c.next = (c.next + 1) % c.order.len();
            } else {
                self.cycle = None;
            }
        }
        if num.held && overtakes {
            // A more urgent message does not wait for the held head's window.
            num.held = false;
            num.pending = true;
            wake(g as u32, now);
        } else if num.parked.is_none_or(|p| overtakes && priority < p.place.priority) {
            let at = SimTime::from_micros(num.free_at()).max(now);
            self.wake(g, at, wake);
        }
        true
    }

    /// Give number `g` a `NumberReady` at `at` unless it already has one: the handler
    /// checks every condition again, so an early wake is harmless.
    fn wake(&mut self, g: usize, at: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        let num = &mut self.numbers[g];
        if !num.pending {
            num.pending = true;
            wake(g as u32, at);
        }
    }

    /// Number `g`'s `NumberReady` event: false when it is still inside its send interval
    /// (woken again for its end), true when its head may be looked at with [`Pools::step`].
    pub(crate) fn ready(&mut self, g: usize, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) -> bool {
        let num = &mut self.numbers[g];
        num.pending = false;
        num.held = false;
        let free = num.free_at();
        if free > now.as_micros() {
            self.wake(g, SimTime::from_micros(free), wake);
            return false;
        }
        true
    }

    /// What number `g`'s head does at `now`: it expires past its TTL, waits out its pool's
    /// outage, waits its turn at the shared rates that cover it (head-of-line blocking, by
    /// priority and then first come, first served), is blocked or held at a cap, or may be
    /// sent.
    #[inline(always)]
    pub(crate) fn step(
        &mut self,
        g: usize,
        now: SimTime,
        customers: &Customers,
        wake: &mut impl FnMut(u32, SimTime),
    ) -> Step {
        let nowu = now.as_micros();
        let p = self.numbers[g].pool as usize;
        let ttl = self.pools[p].ttl;
        let Some((head, priority)) = self.numbers[g].head() else {
            self.unpark(g, now, wake);
            return Step::Wait;
        };
        let (t_req, carrier, parts) = (head.t_req, head.carrier, head.parts as u64);
        if now - t_req > ttl {
            return self.drop_head(g, customers).map_or(Step::Wait, |m| Step::Ended(m, EndState::Expired));
        }
        let expiry = t_req + ttl + SimTime::from_micros(1);
        if let Some(end) = self.outage_end(p, now) {
            self.unpark(g, now, wake);
            self.wake(g, end.min(expiry), wake);
            return Step::Wait;
        }
        let group = self.limits.group(p as u32, carrier);
        if let Some(parked) = self.numbers[g].parked {
            if parked.place.priority != priority || parked.group != group {
                self.unpark(g, now, wake);
            }
        }
        // The lines that hold it back. Another number ahead of it in a line (more urgent,
        // or waiting longer): it waits its turn there. Otherwise only rates not free yet
        // hold it, and it waits in the line of the one that frees last, so that it never
        // keeps a rate from numbers that could use it meanwhile (work-conserving).
        let place = self.numbers[g].parked.map_or(Place { priority, seq: self.limits.peek_seq() }, |p| p.place);
        let (mut ahead, mut last, mut free) = (0u64, 0u64, 0u64);
        for (i, &l) in self.limits.covering(group).iter().enumerate() {
            if self.limits.ahead(l, place, g as u32) {
                ahead |= 1 << i;
            } else if self.limits.has_rate(l) && self.limits.free_at(l) > nowu {
                let f = self.limits.free_at(l);
                if f > free {
                    (last, free) = (1 << i, f);
                }
            }
        }
        if ahead != 0 {
            // Woken when its turn comes in each of these lines.
            self.wait_in(g, group, priority, ahead, now, wake);
            return Step::Wait;
        }
        if last != 0 {
            self.wait_in(g, group, priority, last, now, wake);
            // Wake when that rate frees, or when the head expires if sooner.
            self.wake(g, SimTime::from_micros(free).min(expiry), wake);
            return Step::Wait;
        }
        match self.limits.capped(group, nowu, parts) {
            Capped::No => {
                // Its turn: it leaves the lines (the next in each is woken after it sends).
                if let Some(parked) = self.numbers[g].parked.take() {
                    for i in 0..self.limits.covering(parked.group).len() {
                        if parked.lines & (1 << i) != 0 {
                            let l = self.limits.covering(parked.group)[i];
                            self.limits.leave(l, parked.place, g as u32);
                        }
                    }
                }
                Step::Send
            }
            Capped::Block { charged } => {
                let Some(head) = self.drop_head(g, customers) else { return Step::Wait };
                self.unpark(g, now, wake);
                if charged { Step::BlockedCharged(head) } else { Step::Ended(head, EndState::BlockedDailyCap) }
            }
            Capped::Hold { until, lines } => {
                // It waits first in the capping limits' lines, so that at the reset the most
                // urgent head goes first.
                self.wait_in(g, group, priority, lines, now, wake);
                self.wake(g, SimTime::from_micros(until).min(expiry), wake);
                self.numbers[g].held = true;
                Step::Wait
            }
        }
    }

    /// Number `g` (head of `priority`, limits of `group`) waits in exactly the lines `lines`
    /// (bits over the group's covering limits): it joins those it is not in, and leaves the
    /// others, so that it never holds back a line it does not need (the next in each line
    /// it leaves is woken).
    fn wait_in(
        &mut self,
        g: usize,
        group: u32,
        priority: u8,
        lines: u64,
        now: SimTime,
        wake: &mut impl FnMut(u32, SimTime),
    ) {
        let parked = match self.numbers[g].parked {
            Some(p) => p,
            None if lines == 0 => return,
            None => Parked { group, place: Place { priority, seq: self.limits.next_seq() }, lines: 0 },
        };
        for i in 0..self.limits.covering(group).len() {
            let l = self.limits.covering(group)[i];
            let (was, will) = (parked.lines & (1 << i) != 0, lines & (1 << i) != 0);
            if will && !was {
                self.limits.join(l, parked.place, g as u32);
            } else if was && !will {
                self.limits.leave(l, parked.place, g as u32);
                self.wake_front(l, now, wake);
            }
        }
        self.numbers[g].parked = Some(Parked { lines, ..parked });
    }

    /// Number `g`'s head, if it has one.
    #[inline]
    pub(crate) fn head(&self, g: usize) -> Option<&Message> {
        self.numbers[g].head().map(|(m, _)| m)
    }

    /// Remove number `g`'s head without sending it.
    pub(crate) fn drop_head(&mut self, g: usize, customers: &Customers) -> Option<Message> {
        let num = &mut self.numbers[g];
        let m = num.pop(&mut self.batches, customers)?;
        self.pools[num.pool as usize].loads.set(num.index, num.queued_parts(), num.free_at());
        Some(m)
    }

    /// Number `g` sends its head `m` at `now`: dequeue, pace the number and every limit
    /// that covers it.
    pub(crate) fn transmit(&mut self, g: usize, now: SimTime, m: &Message, customers: &Customers) {
        let nowu = now.as_micros();
        let parts = m.parts as u64;
        let num = &mut self.numbers[g];
        num.remove(m, &mut self.batches, customers);
        num.pace(nowu, parts);
        let ps = &mut self.pools[num.pool as usize];
        ps.loads.set(num.index, num.queued_parts(), num.free_at());
        let group = self.limits.group(num.pool, m.carrier);
        self.limits.take(group, nowu, parts);
    }

    /// After number `g` sent a message to `carrier`: the next number in each line of the
    /// limits that cover it gets its turn, and `g` is woken for its own next part.
    #[inline]
    pub(crate) fn after_transmit(&mut self, g: usize, carrier: u8, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        let group = self.limits.group(self.numbers[g].pool, carrier);
        for i in 0..self.limits.covering(group).len() {
            let l = self.limits.covering(group)[i];
            self.wake_front(l, now, wake);
        }
        if !self.numbers[g].is_empty() {
            self.wake(g, SimTime::from_micros(self.numbers[g].free_at()), wake);
        }
    }

    /// Take number `g` out of the lines it waits in, and wake the next in each.
    fn unpark(&mut self, g: usize, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        let Some(parked) = self.numbers[g].parked.take() else { return };
        for i in 0..self.limits.covering(parked.group).len() {
            if parked.lines & (1 << i) != 0 {
                let l = self.limits.covering(parked.group)[i];
                self.limits.leave(l, parked.place, g as u32);
                self.wake_front(l, now, wake);
            }
        }
    }

    /// Wake the first number in limit `l`'s line, when it and every rate it waits for are
    /// free (an early wake is harmless: it looks again).
    fn wake_front(&mut self, l: u16, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        if let Some(f) = self.limits.front(l) {
            let num = &self.numbers[f as usize];
            let mut free = self.limits.free_at(l).max(num.free_at());
            if let Some(p) = num.parked {
                for (i, &x) in self.limits.covering(p.group).iter().enumerate() {
                    if p.lines & (1 << i) != 0 {
                        free = free.max(self.limits.free_at(x));
                    }
                }
            }
            self.wake(f as usize, SimTime::from_micros(free).max(now), wake);
        }
    }
}

#[cfg(test)]
mod tests;
