//! A transmitted message at its carrier (SPEC 4.1.6): failed, or in flight to its end
//! (told ahead or queued), and the customer's reply it draws, carried back (SPEC 3.6, 4.2).

use super::{Event, World, obs};
use crate::engine::{Scheduler, SimTime};
use crate::model::carrier::{Handoff, InFlight};
use crate::model::draws::Reply;
use crate::model::message::{Inbound, Message};
use crate::model::observe::{EndState, ObsKind, Observer};
use crate::sms::price;

impl<O: Observer> World<'_, O> {
    /// The carrier's side of a transmitted message (SPEC 4.1.6). A message delivered by
    /// the horizon may draw its customer's reply (SPEC 3.6, 4.2): its draws are the
    /// customer's and the message's alone, so it is drawn here and its arrival scheduled
    /// now, after the carrier's own event (a tie at the reply's microsecond runs in this
    /// order).
    pub(super) fn carrier_accepts(&mut self, now: SimTime, g: usize, m: Message, sched: &mut Scheduler<Event>) {
        let at = self.pools.address(g);
        if self.customers.unreachable(m.customer) {
            return self.end(now, EndState::Unreachable, false, &m, at);
        }
        let drawn = match &mut self.lookahead {
            Some(l) => l.drawn(&m),
            None => self.draws.drawn(&m),
        };
        match self.carriers.accept(now, &m, self.pools.ttl(at.0), drawn.fate) {
            Handoff::Failed => self.end(now, EndState::Failed, false, &m, at),
            Handoff::InFlight { at: when, delivered } => {
                let when = when.max(now);
                // An outcome is told now, if the observer takes it, rather than queued.
                if when <= self.sc.horizon && when < self.obs.ahead_until() {
                    self.told_ahead += 1;
                    let state = if delivered { EndState::Delivered } else { EndState::Expired };
                    let kind = ObsKind::End { state, queued: false };
                    self.obs.ahead(&obs(when, kind, &m, at, price::Charge::default()));
                } else {
                    let slot = self.carriers.carry(InFlight { message: m, number: g as u32, delivered });
                    sched.at(when, Event::CarrierDone(slot));
                }
                if let Some(r) = drawn.reply.filter(|_| delivered && when <= self.sc.horizon) {
                    self.reply(when, &m, g as u32, r, sched);
                }
            }
        }
    }

    pub(super) fn carrier_done(&mut self, now: SimTime, slot: u32) {
        let f = self.carriers.done(slot);
        let state = if f.delivered { EndState::Delivered } else { EndState::Expired };
        self.end(now, state, false, &f.message, self.pools.address(f.number as usize));
    }

    /// The customer's reply `r` to message `m` from number `number`, delivered at
    /// `delivered`: carried back by the carrier to arrive at its number.
    fn reply(&mut self, delivered: SimTime, m: &Message, number: u32, r: Reply, sched: &mut Scheduler<Event>) {
        let reply = Inbound {
            id: 0,
            customer: m.customer,
            carrier: m.carrier,
            country: m.country,
            number,
            template: m.template,
            reply: r.reply,
            answers: m.id,
            answers_origin: m.origin,
            root: m.root,
            predrawn: r.delivery,
        };
        let (slot, at) = self.carriers.carry_reply(reply, delivered + r.after, r.travel);
        sched.at(at, Event::InboundArrive(slot));
    }
}
