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
    /// The head may go now if the account pays for it: then [`Pools::transmit`], else
    /// [`Pools::drop_head`].
    Send(Message),
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
        if now - head.t_req > ttl {
            self.drop_head(g, customers);
            return Step::Ended(head, EndState::Expired);
        }
        let expiry = head.t_req + ttl + SimTime::from_micros(1);
        if let Some(end) = self.outage_end(p, now) {
            self.unpark(g, now, wake);
            self.wake(g, end.min(expiry), wake);
            return Step::Wait;
        }
        let group = self.limits.group(p as u32, head.carrier);
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
        match self.limits.capped(group, nowu, head.parts as u64) {
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
                Step::Send(head)
            }
            Capped::Block { charged } => {
                self.drop_head(g, customers);
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
mod tests {
    use super::*;

    fn pools(numbers: &str) -> Pools {
        let text = format!(
            "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
             [[carrier]]\nid = \"a\"\nshare = 0.5\n[[carrier]]\nid = \"b\"\nshare = 0.5\n{numbers}"
        );
        Pools::new(&crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap())
    }

    fn msg(id: u64, carrier: u8) -> Message {
        Message { carrier, ..Message::for_test(id) }
    }

    /// Drive the pools as the world does, with a tiny event list of wakes, and return
    /// (time in s, message id) of every transmission.
    /// Drive the pools from `start` as the world does, with a tiny event list of wakes,
    /// and return (time in s, message id) of every transmission.
    fn drain_from(p: &mut Pools, start: SimTime, horizon: u64) -> Vec<(f64, u64)> {
        let mut events: Vec<(SimTime, u32)> = Vec::new();
        let mut sent = Vec::new();
        for g in 0..p.numbers() {
            if p.numbers[g].head().is_some() {
                p.numbers[g].pending = true;
                events.push((start, g as u32));
            }
        }
        while let Some(i) = (0..events.len()).min_by_key(|&i| (events[i].0, i)) {
            let (now, g) = events.remove(i);
            if now > SimTime::from_secs(horizon) {
                break;
            }
            let mut wake = |n: u32, at: SimTime| events.push((at, n));
            if !p.ready(g as usize, now, &mut wake) {
                continue;
            }
            loop {
                match p.step(g as usize, now, &Customers::for_test(1), &mut wake) {
                    Step::Wait => break,
                    Step::Ended(..) | Step::BlockedCharged(_) => continue,
                    Step::Send(m) => {
                        p.transmit(g as usize, now, &m, &Customers::for_test(1));
                        sent.push((now.as_secs_f64(), m.id));
                        p.after_transmit(g as usize, m.carrier, now, &mut wake);
                        break;
                    }
                }
            }
        }
        sent
    }

    fn drain(p: &mut Pools, horizon: u64) -> Vec<(f64, u64)> {
        drain_from(p, SimTime::ZERO, horizon)
    }

    #[test]
    fn a_number_paces_its_queue_in_order() {
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nmps = 2\n");
        for id in 0..4 {
            assert!(p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut None, &mut |_, _| {}));
        }
        assert_eq!(drain(&mut p, 10), vec![(0.0, 0), (0.5, 1), (1.0, 2), (1.5, 3)]);
    }

    #[test]
    fn least_loaded_then_round_robin_and_sticky_selection() {
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\n");
        let mut picks = Vec::new();
        for id in 0..6 {
            let i = p.select(0, 0, None);
            picks.push(i);
            p.enqueue(SimTime::ZERO, 0, i, msg(id, 0), &mut None, &mut |_, _| {});
        }
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2], "fewest parts waiting, ties to the lowest index");
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\nselection = \"round_robin\"\n");
        assert_eq!((0..4).map(|_| p.select(0, 0, None)).collect::<Vec<_>>(), vec![0, 1, 2, 0]);
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\nselection = \"sticky\"\n");
        let first = p.select(0, 42, None);
        assert!((0..5).all(|_| p.select(0, 42, None) == first), "a customer keeps its number");
        assert_eq!(p.select(0, 42, Some(2)), 2, "a pin wins");
    }

    #[test]
    fn queue_limit_throttles() {
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nqueue_limit = 2\n");
        let ok: Vec<bool> =
            (0..4).map(|id| p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut None, &mut |_, _| {})).collect();
        // An idle number takes the first whatever the limit; it is still queued (its
        // wake-up has not run), so the second makes 2 parts waiting and the third 3.
        assert_eq!(ok, vec![true, true, false, false]);
    }

    #[test]
    fn a_shared_carrier_limit_serves_numbers_first_come_first_served() {
        // Two numbers at 10 MPS each, 1 MPS shared toward carrier a: one part a second in
        // all, alternating between the numbers as they joined the line.
        let mut p = pools(
            "[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 2\nmps = 10\n\
             carrier_limit = [{ carrier = \"a\", mps = 1 }]\n",
        );
        for id in 0..6 {
            p.enqueue(SimTime::ZERO, 0, (id % 2) as u32, msg(id, 0), &mut None, &mut |_, _| {});
        }
        let sent = drain(&mut p, 100);
        let times: Vec<f64> = sent.iter().map(|s| s.0).collect();
        assert_eq!(times, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let ids: Vec<u64> = sent.iter().map(|s| s.1).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 5], "the numbers take turns");
        // Toward carrier b nothing is shared: both numbers send at their own 10 MPS.
        let t = SimTime::from_secs(200);
        for id in 0..4 {
            p.enqueue(t, 0, (id % 2) as u32, msg(10 + id, 1), &mut None, &mut |_, _| {});
        }
        let mut times: Vec<f64> = drain_from(&mut p, t, 300).iter().map(|s| s.0).collect();
        times.sort_by(f64::total_cmp);
        assert_eq!(times, vec![200.0, 200.0, 200.1, 200.1]);
    }

    #[test]
    fn ttl_expires_heads_and_a_daily_cap_blocks() {
        let mut wake = |_: u32, _: SimTime| {};
        // A 2 s TTL: at 3 s every waiting head has expired, whatever its carrier.
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nttl = \"2s\"\n");
        for id in 0..3 {
            p.enqueue(SimTime::ZERO, 0, 0, msg(id, (id % 2) as u8), &mut None, &mut |_, _| {});
        }
        let Step::Send(m) = p.step(0, SimTime::ZERO, &Customers::for_test(1), &mut wake) else { panic!() };
        p.transmit(0, SimTime::ZERO, &m, &Customers::for_test(1));
        let t = SimTime::from_secs(3);
        assert!(
            matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::Expired) if m.id == 1)
        );
        assert!(
            matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::Expired) if m.id == 2)
        );
        assert!(matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Wait));
        // Within the TTL, the second part toward carrier a passes the daily cap of 1, while
        // a message to carrier b is not counted against it.
        let mut p = pools(
            "[[number]]\nid = \"n\"\nkind = \"long_code\"\ncarrier_limit = [{ carrier = \"a\", daily_parts = 1 }]\n",
        );
        for (id, carrier) in [(0, 0), (1, 1), (2, 0)] {
            p.enqueue(SimTime::ZERO, 0, 0, msg(id, carrier), &mut None, &mut |_, _| {});
        }
        for id in 0..2 {
            let Step::Send(m) = p.step(0, SimTime::from_secs(id), &Customers::for_test(1), &mut wake) else {
                panic!("{id}")
            };
            assert_eq!(m.id, id);
            p.transmit(0, SimTime::from_secs(id), &m, &Customers::for_test(1));
        }
        assert!(
            matches!(p.step(0, SimTime::from_secs(2), &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::BlockedDailyCap) if m.id == 2)
        );
    }
}
