//! Number pools: which number a request goes to (selection, queue limits), and when a
//! number may send its head under its own rate, its TTL and the pool's carrier limits
//! (SPEC 4.1.2-5). The price and the spend limit are the account's; the caller asks it
//! between [`Pools::step`] and [`Pools::transmit`].
//!
//! A number has at most one pending `NumberReady` event: the pools ask for one through a
//! `wake(number, at)` callback, and never twice for the same number.

use super::limit::{CarrierLimit, DAY_US};
use super::message::Message;
use super::number::Number;
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
    rr: u32,
    loads: MinTree,
    /// Limit indices by carrier.
    limits_by_carrier: Vec<Vec<u16>>,
    /// The one limit with an MPS toward each carrier, if any.
    mps_limit: Vec<Option<u16>>,
    limits: Vec<CarrierLimit>,
}

/// What a number's head does next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// Nothing to send now (a wake was asked for if there is something later).
    Wait,
    /// The head left the queue in this end state.
    Ended(Message, EndState),
    /// The head may go now if the account pays for it: then [`Pools::transmit`], else
    /// [`Pools::drop_head`].
    Send(Message),
}

/// Every pool and every number, numbers indexed globally (pool by pool).
#[derive(Debug)]
pub(crate) struct Pools {
    numbers: Vec<Number>,
    pools: Vec<PoolState>,
    /// Wall-clock time of day at t = 0, microseconds: daily caps reset at midnight.
    start_of_day: u64,
}

impl Pools {
    /// The pools of `sc`, every number idle.
    pub(crate) fn new(sc: &Scenario) -> Self {
        let mut numbers = Vec::new();
        let mut pools = Vec::with_capacity(sc.pools.len());
        for (p, pool) in sc.pools.iter().enumerate() {
            let first = numbers.len() as u32;
            numbers.extend((0..pool.count).map(|n| Number::new(p as u32, n, pool.mps)));
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
                    CarrierLimit::new(l.carrier as u8, l.mps, l.daily_parts)
                })
                .collect();
            pools.push(PoolState {
                first,
                count: pool.count,
                selection: pool.selection,
                queue_limit: pool.queue_limit,
                ttl: pool.ttl,
                rr: 0,
                loads: MinTree::new(pool.count as usize),
                limits_by_carrier,
                mps_limit,
                limits,
            });
        }
        Self { numbers, pools, start_of_day: sc.start_time_of_day.as_micros() }
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

    /// The number of pool `pool` a message to `customer` goes to: `pin` if given, else
    /// the pool's selection.
    pub(crate) fn select(&mut self, pool: usize, customer: u32, pin: Option<u32>) -> u32 {
        let ps = &mut self.pools[pool];
        match (pin, ps.selection) {
            (Some(n), _) => n,
            (None, Selection::LeastLoaded) => ps.loads.min(),
            (None, Selection::RoundRobin) => {
                let i = ps.rr;
                ps.rr = (ps.rr + 1) % ps.count;
                i
            }
            (None, Selection::Sticky) => (rng::mix64(customer as u64 ^ 0x5354_4943_4b59) % ps.count as u64) as u32,
        }
    }

    /// Queue `m` on number `idx` of `pool` at `now`; false (nothing queued) when it would
    /// pass the pool's queue limit.
    pub(crate) fn enqueue(
        &mut self,
        now: SimTime,
        pool: usize,
        idx: u32,
        m: Message,
        wake: &mut impl FnMut(u32, SimTime),
    ) -> bool {
        let ps = &mut self.pools[pool];
        let g = (ps.first + idx) as usize;
        let num = &mut self.numbers[g];
        if ps.queue_limit.is_some_and(|lim| num.would_wait(now, m.parts as u64) > lim) {
            return false;
        }
        num.push(m);
        ps.loads.set(idx, num.queued_parts(), num.free_at());
        let at = SimTime::from_micros(num.free_at()).max(now);
        if num.parked.is_none() {
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
        self.numbers[g].pending = false;
        let free = self.numbers[g].free_at();
        if free > now.as_micros() {
            self.wake(g, SimTime::from_micros(free), wake);
            return false;
        }
        true
    }

    /// What number `g`'s head does at `now`: it expires past its TTL, waits its turn at
    /// the pool's shared MPS toward its carrier (head-of-line blocking, first come first
    /// served), is blocked by a daily cap, or may be sent.
    pub(crate) fn step(&mut self, g: usize, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) -> Step {
        let nowu = now.as_micros();
        let p = self.numbers[g].pool as usize;
        let ttl = self.pools[p].ttl;
        let Some(head) = self.numbers[g].head() else {
            if let Some(l) = self.numbers[g].parked {
                self.unpark(p, g, l, now, wake);
            }
            return Step::Wait;
        };
        if now - head.t_req > ttl {
            self.drop_head(g);
            return Step::Ended(head, EndState::Expired);
        }
        let lim = self.pools[p].mps_limit[head.carrier as usize];
        if let Some(l) = self.numbers[g].parked.filter(|&l| Some(l) != lim) {
            self.unpark(p, g, l, now, wake);
        }
        if let Some(l) = lim {
            let ls = &mut self.pools[p].limits[l as usize];
            let free_at = ls.free_at();
            let behind = ls.front().is_some_and(|f| f as usize != g);
            if free_at > nowu || behind {
                if self.numbers[g].parked != Some(l) {
                    ls.join(g as u32);
                    self.numbers[g].parked = Some(l);
                }
                if ls.front() == Some(g as u32) {
                    // Wake when the limit frees, or when the head expires if sooner.
                    let expiry = head.t_req + ttl + SimTime::from_micros(1);
                    self.wake(g, SimTime::from_micros(free_at).min(expiry), wake);
                }
                return Step::Wait;
            }
            if self.numbers[g].parked == Some(l) {
                self.numbers[g].parked = None;
                ls.serve_front();
            }
        }
        let day = (nowu + self.start_of_day) / DAY_US;
        let PoolState { limits_by_carrier, limits, .. } = &mut self.pools[p];
        let mut capped = false;
        for &l in &limits_by_carrier[head.carrier as usize] {
            capped |= limits[l as usize].over_daily(day, head.parts as u64);
        }
        if capped {
            self.drop_head(g);
            return Step::Ended(head, EndState::BlockedDailyCap);
        }
        Step::Send(head)
    }

    /// Remove number `g`'s head without sending it.
    pub(crate) fn drop_head(&mut self, g: usize) -> Option<Message> {
        let num = &mut self.numbers[g];
        let m = num.pop()?;
        self.pools[num.pool as usize].loads.set(num.index, num.queued_parts(), num.free_at());
        Some(m)
    }

    /// Number `g` sends its head `m` at `now`: dequeue, pace the number and every limit
    /// toward the head's carrier.
    pub(crate) fn transmit(&mut self, g: usize, now: SimTime, m: &Message) {
        let nowu = now.as_micros();
        let parts = m.parts as u64;
        let num = &mut self.numbers[g];
        num.pop();
        num.pace(nowu, parts);
        let ps = &mut self.pools[num.pool as usize];
        ps.loads.set(num.index, num.queued_parts(), num.free_at());
        for &l in &ps.limits_by_carrier[m.carrier as usize] {
            let ls = &mut ps.limits[l as usize];
            debug_assert_eq!(ls.carrier, m.carrier);
            ls.take(nowu, parts);
        }
    }

    /// After number `g` sent a message to `carrier`: the next number in line for the
    /// carrier's shared MPS gets its turn, and `g` is woken for its own next part.
    pub(crate) fn after_transmit(&mut self, g: usize, carrier: u8, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        let p = self.numbers[g].pool as usize;
        if let Some(l) = self.pools[p].mps_limit[carrier as usize] {
            self.wake_front(p, l, now, wake);
        }
        if !self.numbers[g].is_empty() {
            self.wake(g, SimTime::from_micros(self.numbers[g].free_at()), wake);
        }
    }

    /// Take number `g` out of limit `l`'s line and wake the next in line.
    fn unpark(&mut self, p: usize, g: usize, l: u16, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        self.numbers[g].parked = None;
        self.pools[p].limits[l as usize].leave(g as u32);
        self.wake_front(p, l, now, wake);
    }

    /// Wake the first number in limit `l`'s line, when both it and the limit are free.
    fn wake_front(&mut self, p: usize, l: u16, now: SimTime, wake: &mut impl FnMut(u32, SimTime)) {
        let ls = &self.pools[p].limits[l as usize];
        if let Some(f) = ls.front() {
            let free = ls.free_at().max(self.numbers[f as usize].free_at());
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
        Message { id, t_req: SimTime::ZERO, customer: 0, origin: 0, source: 0, carrier, parts: 1, root: SimTime::ZERO }
    }

    /// Drive the pools as the world does, with a tiny event list of wakes, and return
    /// (time in s, message id) of every transmission.
    fn drain(p: &mut Pools, horizon: u64) -> Vec<(f64, u64)> {
        let mut events: Vec<(SimTime, u32)> = Vec::new();
        let mut sent = Vec::new();
        for g in 0..p.numbers() {
            if p.numbers[g].head().is_some() {
                p.numbers[g].pending = true;
                events.push((SimTime::ZERO, g as u32));
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
                match p.step(g as usize, now, &mut wake) {
                    Step::Wait => break,
                    Step::Ended(..) => continue,
                    Step::Send(m) => {
                        p.transmit(g as usize, now, &m);
                        sent.push((now.as_secs_f64(), m.id));
                        p.after_transmit(g as usize, m.carrier, now, &mut wake);
                        break;
                    }
                }
            }
        }
        sent
    }

    #[test]
    fn a_number_paces_its_queue_in_order() {
        let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nmps = 2\n");
        for id in 0..4 {
            assert!(p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut |_, _| {}));
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
            p.enqueue(SimTime::ZERO, 0, i, msg(id, 0), &mut |_, _| {});
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
        let ok: Vec<bool> = (0..4).map(|id| p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut |_, _| {})).collect();
        // The first is sent at once (waits for nothing); then 2 parts may wait.
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
            p.enqueue(SimTime::ZERO, 0, (id % 2) as u32, msg(id, 0), &mut |_, _| {});
        }
        let sent = drain(&mut p, 100);
        let times: Vec<f64> = sent.iter().map(|s| s.0).collect();
        assert_eq!(times, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let ids: Vec<u64> = sent.iter().map(|s| s.1).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 5], "the numbers take turns");
        // Toward carrier b nothing is shared: both numbers send at their own 10 MPS.
        for id in 0..4 {
            p.enqueue(SimTime::from_secs(200), 0, (id % 2) as u32, msg(10 + id, 1), &mut |_, _| {});
        }
        let mut p2 = p;
        let sent = drain(&mut p2, 300);
        assert_eq!(sent.len(), 4);
        assert!(sent.iter().all(|s| s.0 <= 200.1), "{sent:?}");
    }

    #[test]
    fn daily_cap_blocks_and_ttl_expires() {
        let mut p = pools(
            "[[number]]\nid = \"n\"\nkind = \"long_code\"\nttl = \"2s\"\n\
             carrier_limit = [{ carrier = \"a\", daily_parts = 1 }]\n",
        );
        for id in 0..4 {
            p.enqueue(SimTime::ZERO, 0, 0, msg(id, (id == 3) as u8), &mut |_, _| {});
        }
        let mut ends = Vec::new();
        let mut now = SimTime::ZERO;
        let mut wake = |_: u32, _: SimTime| {};
        for _ in 0..4 {
            match p.step(0, now, &mut wake) {
                Step::Send(m) => {
                    p.transmit(0, now, &m);
                    ends.push((m.id, None));
                }
                Step::Ended(m, s) => ends.push((m.id, Some(s))),
                Step::Wait => break,
            }
            now = SimTime::from_secs(3);
        }
        assert_eq!(
            ends,
            vec![(0, None), (1, Some(EndState::Expired)), (2, Some(EndState::Expired)), (3, Some(EndState::Expired))]
        );
        // Within the TTL, the second part toward carrier a passes the daily cap of 1.
        let mut p = pools(
            "[[number]]\nid = \"n\"\nkind = \"long_code\"\ncarrier_limit = [{ carrier = \"a\", daily_parts = 1 }]\n",
        );
        p.enqueue(SimTime::ZERO, 0, 0, msg(0, 0), &mut |_, _| {});
        p.enqueue(SimTime::ZERO, 0, 0, msg(1, 0), &mut |_, _| {});
        let Step::Send(m) = p.step(0, SimTime::ZERO, &mut wake) else { panic!() };
        p.transmit(0, SimTime::ZERO, &m);
        assert!(matches!(p.step(0, SimTime::from_secs(1), &mut wake), Step::Ended(_, EndState::BlockedDailyCap)));
    }
}
