//! A campaign's event (SPEC 3.7): its blast's requests, made one by one as any request,
//! kept as runs in the queues (see `batch`); and, when nothing about its plain part
//! depends on the customer, that part queued at once.

use super::held::Holding;
use super::{Event, World};
use crate::engine::{Scheduler, SimTime};
use crate::model::batch::Tag;
use crate::model::message::{Message, Request};
use crate::model::observe::{BlastObs, Observer};
use crate::scenario::Campaign;

impl<O: Observer> World<'_, O> {
    pub(super) fn campaign(&mut self, now: SimTime, i: usize, sched: &mut Scheduler<Event>) {
        // Requests first, then the campaign's next event (scheduling order is part of the
        // answers; `traffic` does the opposite, as it always has).
        let blast = self.workload.campaign(self.sc, i);
        let c = &self.sc.campaigns[i];
        // A blast of more than one is kept as runs in the queues (see `batch`): its
        // requests are made here, one by one, exactly as alone.
        let from = blast.customers.start;
        let proto = Message {
            id: self.next_id,
            t_req: now,
            customer: from,
            origin: blast.occurrence,
            template: c.template as u16,
            source: c.source as u16,
            carrier: 0,
            country: 0,
            parts: self.sc.templates[c.template].parts as u8,
            root: now,
        };
        let batch = (blast.customers.len() > 1).then(|| self.pools.batches.open(proto));
        // With one country, every request goes to the same pool.
        let pool = if self.sc.countries.len() == 1 { self.sc.route(&c.from, 0) } else { Some(c.pool) };
        if let (Some(la), Some(_)) = (self.lookahead.as_mut(), batch) {
            // Replies come back to the pool that sent: with one pool, to its topics.
            let sub = pool.filter(|_| self.sc.countries.len() == 1).and_then(|p| self.topics.lone_sub(p));
            la.begin(proto.template, proto.origin, (from, blast.customers.end), sub);
        }
        let cycle = match (batch, pool) {
            (Some(_), Some(p)) => self.pools.begin_blast(p, proto.parts as u64, blast.customers.len()),
            _ => None,
        };
        // Once every number of the cycle has had its first request, the rest may go at once.
        let at_once =
            cycle.zip(pool).filter(|&(_, p)| self.plain(now, c, &proto, p)).map(|(k, p)| (from + k as u32, p));
        let mut queued = 0;
        let end = blast.customers.end;
        // Its requests that a window holds are kept as a description too (see `held`), as
        // one event per opening when the observer takes ends ahead (`quick`); the other
        // observers see each held request's own event, and the two can be compared.
        if self.quick && batch.is_some() && !self.windows[c.template].is_empty() {
            self.holding = Some(Holding::new(i, proto));
        }
        for customer in blast.customers {
            if let (Some((first, p)), Some(b)) = (at_once, batch) {
                if customer == first {
                    self.rest_at_once(now, c, (customer, end), (b, queued), p);
                    break;
                }
            }
            let mut r = Request::new(c.template, c.source, blast.occurrence, customer, c.pool);
            match self.route(&c.from, customer) {
                Some(p) => r.pool = p,
                None => r.unroutable = true,
            }
            let offset = customer - from;
            self.tag = batch.map(|batch| Tag { batch, j: queued, offset });
            self.request(now, r, sched);
            if let Some(b) = batch {
                match self.tag.take() {
                    Some(_) => self.pools.batches.reject(b, offset),
                    None => queued += 1,
                }
            }
        }
        self.holding = None;
        if let Some(b) = batch {
            self.pools.batches.close(b);
            self.pools.end_blast();
        }
        if let Some(at) = blast.next {
            sched.at(at, Event::Campaign(i as u32));
        }
    }

    /// Whether a blast of campaign `c` (its first message `proto`) into pool `p` at `now` is plain: each of its requests
    /// would be queued in `p` on the pool's pick, whoever the customer, and the observer
    /// takes them at once. No sending window, one country, no failover at `now`, no queue
    /// limit, nobody on the pool's opt-out list, no protect rule that could stop one.
    fn plain(&self, now: SimTime, c: &Campaign, proto: &Message, p: usize) -> bool {
        let (sc, pool) = (self.sc, &self.sc.pools[p]);
        self.obs.bulk()
            && sc.countries.len() == 1
            && self.windows[c.template].is_empty()
            && (pool.failover.is_none() || self.pools.outage_end(p, now).is_none())
            && pool.queue_limit.is_none()
            && self.customers.list_empty(pool.opt_out_list)
            && !sc.protect.blocked[0]
            && sc.protect.filter.is_none()
            && (0..sc.carriers.len()).all(|k| !self.over_price(&Message { carrier: k as u8, ..*proto }, p))
    }

    /// The requests of customers `from..end` of a plain blast (`plain`), queued requests
    /// `j, j + 1, ...` of batch `b`, all queued in pool `p` at once, on the cycle's picks.
    fn rest_at_once(&mut self, now: SimTime, c: &Campaign, (from, end): (u32, u32), (b, j): (u32, u32), p: usize) {
        let n = end - from;
        self.next_id += n as u64;
        let mut by_carrier = vec![0u64; self.sc.carriers.len()];
        for customer in from..end {
            by_carrier[self.customers.carrier(customer) as usize] += 1;
        }
        self.obs.blast(&BlastObs { t: now, source: c.source as u16, pool: p as u32, by_carrier: &by_carrier });
        self.pools.blast_tail(b, j, n, c.template, &self.customers);
    }
}
