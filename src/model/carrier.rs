//! Carriers: the network between numbers and handsets, both ways (SPEC 4.1.6, 4.2). A
//! carrier fails a message or carries it with a latency, holds hand-offs during its
//! outages, and carries replies back.

use super::draws::Fate;
use super::message::{Inbound, Message, Slab};
use crate::engine::SimTime;
use crate::scenario::Scenario;

/// A transmitted message at its carrier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InFlight {
    /// The message.
    pub(crate) message: Message,
    /// Global index of the number that sent it.
    pub(crate) number: u32,
    /// Whether it reaches the handset (else it expires at its TTL on the way).
    pub(crate) delivered: bool,
}

/// What the carrier does with a transmitted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handoff {
    /// The carrier failed it.
    Failed,
    /// In flight until `at`: delivered then, or expired at its TTL on the way.
    InFlight {
        /// When it reaches its outcome.
        at: SimTime,
        /// Whether it reaches the handset.
        delivered: bool,
    },
}

/// Every carrier, and what is in flight on them.
#[derive(Debug)]
pub(crate) struct Carriers {
    outages: Vec<Vec<(SimTime, SimTime)>>,
    in_flight: Slab<InFlight>,
    replies: Slab<Inbound>,
}

/// Hold `t` to the end of any outage it falls in.
pub(crate) fn hold(outages: &[(SimTime, SimTime)], mut t: SimTime) -> SimTime {
    for &(from, to) in outages {
        if t >= from && t < to {
            t = to;
        }
    }
    t
}

impl Carriers {
    /// The carriers of `sc`.
    pub(crate) fn new(sc: &Scenario) -> Self {
        Self {
            outages: sc.carriers.iter().map(|c| c.outages.clone()).collect(),
            in_flight: Slab::new(),
            replies: Slab::new(),
        }
    }

    /// What becomes of message `m`, transmitted at `now` with `ttl` from its request, with
    /// its carrier's draws `fate` ([`super::draws::Draws::fate`]).
    pub(crate) fn accept(&self, now: SimTime, m: &Message, ttl: SimTime, fate: Fate) -> Handoff {
        let latency = match fate {
            Fate::Failed => return Handoff::Failed,
            Fate::Latency(l) => l,
        };
        let handoff = hold(&self.outages[m.carrier as usize], now);
        let deadline = m.t_req + ttl;
        let at = handoff + latency;
        let (at, delivered) = if at > deadline { (deadline, false) } else { (at, true) };
        Handoff::InFlight { at, delivered }
    }

    /// Hold `f` in flight until its outcome; its slot, for [`Carriers::done`].
    pub(crate) fn carry(&mut self, f: InFlight) -> u32 {
        self.in_flight.insert(f)
    }

    /// The message in `slot` reached its outcome.
    pub(crate) fn done(&mut self, slot: u32) -> InFlight {
        self.in_flight.take(slot)
    }

    /// Carry reply `m`, which the customer sends at `sent` (held through the carrier's
    /// outages) and which takes `travel` from its hand-off; returns its slot and arrival
    /// time.
    pub(crate) fn carry_reply(&mut self, m: Inbound, sent: SimTime, travel: SimTime) -> (u32, SimTime) {
        let sent = hold(&self.outages[m.carrier as usize], sent);
        (self.replies.insert(m), sent + travel)
    }

    /// The reply in `slot` reached its number.
    pub(crate) fn reply_arrives(&mut self, slot: u32) -> Inbound {
        self.replies.take(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::draws::Draws;

    const SEED: u64 = 1;

    fn scenario(carrier: &str) -> Scenario {
        let text = format!(
            "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
             [[carrier]]\nid = \"a\"\nshare = 1\n{carrier}\n\
             [[number]]\nid = \"n\"\nkind = \"long_code\"\n"
        );
        crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap()
    }

    fn message(t_req: u64) -> Message {
        let t_req = SimTime::from_secs(t_req);
        Message { t_req, customer: 1, root: t_req, ..Message::for_test(0) }
    }

    #[test]
    fn outages_hold_the_handoff_and_the_ttl_cuts_it_short() {
        let sc = scenario("latency = \"5s\"\noutages = [{ from = \"100s\", to = \"200s\" }]");
        let (c, d) = (Carriers::new(&sc), Draws::new(&sc, SEED));
        let ttl = SimTime::from_secs(3600);
        let sec = SimTime::from_secs;
        let accept = |now, m: &Message, ttl| c.accept(now, m, ttl, d.fate(m));
        assert_eq!(accept(sec(10), &message(10), ttl), Handoff::InFlight { at: sec(15), delivered: true });
        // Transmitted during the outage: handed off at its end.
        let Handoff::InFlight { at, .. } = accept(sec(150), &message(150), ttl) else { panic!() };
        assert_eq!(at, sec(205));
        // A TTL of 50 s from a request at 150 s ends it at 200 s, before it could arrive at 205 s.
        let Handoff::InFlight { at, delivered } = accept(sec(150), &message(150), sec(50)) else { panic!() };
        assert_eq!(at, sec(200), "expires at its TTL, 200 s, before its delivery at 205 s");
        assert!(!delivered);
        assert_eq!(c.accept(sec(10), &message(10), ttl, Fate::Failed), Handoff::Failed);
    }

    #[test]
    fn failures_follow_the_rate() {
        let sc = scenario("failure_rate = 0.2");
        let (c, d) = (Carriers::new(&sc), Draws::new(&sc, SEED));
        let ttl = SimTime::from_secs(3600);
        let failed = (0..10_000u32)
            .filter(|&i| {
                let m = Message { customer: i, ..message(0) };
                c.accept(SimTime::ZERO, &m, ttl, d.fate(&m)) == Handoff::Failed
            })
            .count();
        // Binomial(10,000, 0.2): sd 40, so 5 sd is 200.
        assert!((failed as i64 - 2_000).abs() < 200, "{failed}");
    }
}
