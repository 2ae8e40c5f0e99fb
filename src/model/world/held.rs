//! A blast's requests that its sending window holds (SPEC 7.1), kept as a description
//! rather than a list: "the requests of this blast whose customers are in these zones",
//! one entry and one event for each instant its zones open. At the opening they are made
//! again, in the blast's order, and enter their pools exactly as the requests held one
//! by one would have (each its own event, at that instant, in that order): their
//! observations, ids and draws are the same. A blast held for its window then takes
//! memory for its numbers' queues, not for its recipients.
//!
//! Only a number's wake can be scheduled between two held requests of a blast (by a
//! request that entered its pool between them). One due at a group's opening instant
//! would have come between the group's earlier requests and its later ones: the later
//! ones start a new group, whose event comes after the wake, as theirs would have.

use super::{Event, World};
use crate::engine::{Scheduler, SimTime};
use crate::model::batch::{Tag, made};
use crate::model::message::{Message, Request};
use crate::model::observe::{EndState, NO_POOL, Observer};
use crate::scenario::Scenario;
use crate::scenario::warnings::window_spans;

/// The requests of one blast held until one instant: those of its customers in `zones`.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeldBlast {
    /// The campaign.
    campaign: u32,
    /// The blast's offset-0 message (see `batch`): its requests are `proto`'s customer
    /// and id plus their offset.
    proto: Message,
    /// Its first request's customer.
    from: u32,
    /// How many it holds.
    held: u32,
    /// The time zones whose requests it holds, as a bit set (256 zones at most).
    zones: [u64; 4],
}

impl HeldBlast {
    fn holds(&self, zone: u8) -> bool {
        self.zones[zone as usize / 64] & (1 << (zone % 64)) != 0
    }
}

/// A blast being made whose template has a window: its held requests, by opening.
#[derive(Debug)]
pub(super) struct Holding {
    campaign: u32,
    proto: Message,
    /// Each opening instant met so far, with the slot of the `HeldBlast` that takes its
    /// requests.
    opens: Vec<(SimTime, u32)>,
}

impl Holding {
    pub(super) fn new(campaign: usize, proto: Message) -> Self {
        Holding { campaign: campaign as u32, proto, opens: Vec::new() }
    }

    /// A number's wake was scheduled at `at`: a request held until `at` from now on
    /// starts a new group (its event after the wake).
    #[inline]
    pub(super) fn woken_at(&mut self, at: SimTime) {
        if !self.opens.is_empty() {
            self.opens.retain(|o| o.0 != at);
        }
    }
}

impl<O: Observer> World<'_, O> {
    /// Hold the request of the blast being made for `customer` until `at`; false if no
    /// blast with a window is being made (the request is then held on its own).
    pub(super) fn hold_in_blast(&mut self, customer: u32, at: SimTime, sched: &mut Scheduler<Event>) -> bool {
        let Some(h) = self.holding.as_mut() else { return false };
        let zone = self.customers.zone(customer);
        let slot = match h.opens.iter().find(|o| o.0 == at) {
            Some(&(_, slot)) => slot,
            None => {
                let held = HeldBlast { campaign: h.campaign, proto: h.proto, from: customer, held: 0, zones: [0; 4] };
                let slot = self.held_blasts.insert(held);
                h.opens.push((at, slot));
                sched.at(at, Event::BlastWindowOpens(slot));
                slot
            }
        };
        let held = self.held_blasts.get_mut(slot);
        held.held += 1;
        held.zones[zone as usize / 64] |= 1 << (zone % 64);
        true
    }

    /// The first customer from `customer` on whose request `h` holds.
    fn next_held(&self, h: &HeldBlast, customer: u32) -> u32 {
        let mut customer = customer.max(h.from);
        while !h.holds(self.customers.zone(customer)) {
            customer += 1;
        }
        customer
    }

    /// The request `h` holds for `customer`, as it was requested: its message and request.
    fn held_request(&self, h: &HeldBlast, customer: u32) -> (Message, Request) {
        let c = &self.sc.campaigns[h.campaign as usize];
        let mut r = Request::new(c.template, c.source, h.proto.origin, customer, c.pool);
        match self.route(&c.from, customer) {
            Some(p) => r.pool = p,
            None => r.unroutable = true,
        }
        (made(&h.proto, customer - h.proto.customer, &self.customers), r)
    }

    /// Slot `slot`'s requests enter their pools, at their opening `now`, in the blast's
    /// order: queued ones are kept as runs of a blast again (see `batch`), the others
    /// listed as not queued.
    pub(super) fn blast_window_opens(&mut self, now: SimTime, slot: u32, sched: &mut Scheduler<Event>) {
        let h = self.held_blasts.take(slot);
        let b = self.pools.batches.open(h.proto);
        let from = h.proto.customer;
        let (mut queued, mut customer) = (0, from);
        for _ in 0..h.held {
            let next = self.next_held(&h, customer);
            // The requests before it that it does not hold were not queued in this blast.
            for c in customer..next {
                self.pools.batches.reject(b, c - from);
            }
            let (m, r) = self.held_request(&h, next);
            let offset = next - from;
            self.tag = Some(Tag { batch: b, j: queued, offset });
            self.window_opens(now, m, r, sched);
            match self.tag.take() {
                Some(_) => self.pools.batches.reject(b, offset),
                None => queued += 1,
            }
            customer = next + 1;
        }
        self.pools.batches.close(b);
        self.held_together += u64::from(h.held);
        sched.handled_together(u64::from(h.held) - 1);
    }

    /// Slot `slot`'s requests at the horizon, their window still closed: pending, or
    /// expired past their TTL.
    pub(super) fn blast_window_unopened(&mut self, horizon: SimTime, slot: u32) {
        let h = self.held_blasts.take(slot);
        let mut customer = h.proto.customer;
        for _ in 0..h.held {
            customer = self.next_held(&h, customer);
            let (m, r) = self.held_request(&h, customer);
            self.window_unopened(horizon, &m, &r);
            customer += 1;
        }
    }

    /// A request held for its window may go at `now`: its TTL counts from the original
    /// request, and past it, it never enters.
    pub(super) fn window_opens(&mut self, now: SimTime, m: Message, r: Request, sched: &mut Scheduler<Event>) {
        if r.unroutable {
            self.end(now, EndState::Unroutable, false, &m, (NO_POOL, 0));
        } else if now - m.t_req > self.pools.ttl(r.pool as u32) {
            self.end(now, EndState::Expired, false, &m, (NO_POOL, 0));
        } else {
            self.enter(now, m, r, sched);
        }
    }

    /// A request still waiting for its window at the horizon: pending, or expired past
    /// its TTL.
    pub(super) fn window_unopened(&mut self, horizon: SimTime, m: &Message, r: &Request) {
        let ttl = self.pools.ttl(r.pool as u32);
        let state = if horizon - m.t_req > ttl { EndState::Expired } else { EndState::Pending };
        self.end(horizon, state, false, m, (NO_POOL, 0));
    }
}

/// The open spans of every template's sending window in every time zone of `sc` (empty
/// for a template without a window), as `check`'s warnings see them.
pub(super) fn windows(sc: &Scenario) -> Vec<Vec<Vec<(u64, u64)>>> {
    // A template has spans in every zone or in none.
    (0..sc.templates.len()).map(|t| (0..sc.zones.len()).map_while(|z| window_spans(sc, t, z)).collect()).collect()
}
