//! A message's draws (SPEC 3.5, 3.6, 4.1.6, 4.4): whether the carrier fails it, its
//! latency, the customer's reply with its delay and way back, and a subscriber's
//! delivery of the reply (how many attempts fail, how long processing takes). Each is a
//! pure function of the customer, the template and the occurrence (and the customer's
//! carrier, the reply, the subscription), never of arrival order, so that variants stay
//! paired, and so that they can be made anywhere, in any order, with the same result:
//! [`Draws`] makes them, [`Lookahead`] makes a blast's ahead of the world on the thread
//! beside it.

use super::message::{Inbound, Message, stream};
use crate::engine::SimTime;
use crate::engine::rng::{self, unit};
use crate::scenario::Scenario;
use crate::scenario::units::Sampler;
use crate::sms::retry::failures_before_success;

mod ahead;
pub(crate) use ahead::Lookahead;
pub use ahead::{Side, Worker};

/// What the carrier drew for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// It fails it.
    Failed,
    /// It carries it, taking this long from its hand-off.
    Latency(SimTime),
}

/// The customer's answer to a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    /// Which of the template's replies.
    pub(crate) reply: u16,
    /// How long after delivery the customer sends it.
    pub(crate) after: SimTime,
    /// How long the carrier takes it back (from its hand-off).
    pub(crate) travel: SimTime,
    /// Its delivery to the lone subscriber of the blast's pool, drawn ahead with it.
    pub(crate) delivery: Option<Predrawn>,
}

/// A delivery's draws, made before its publish (for the subscription `sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Predrawn {
    /// Global subscription index.
    pub(crate) sub: u32,
    /// Attempts that fail before one succeeds ([`failures_before_success`]).
    pub(crate) failures: u64,
    /// How long the subscriber takes to process it.
    pub(crate) processing: SimTime,
}

/// A delivery's stream purposes: how many attempts fail, then how long processing takes.
const FAILURES: u64 = 0;
const PROCESSING: u64 = 1;

/// A message's draws: the carrier's, and the reply's if the template draws replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    /// The carrier's.
    pub(crate) fate: Fate,
    /// The customer's answer if delivered (`None` too when the template draws none).
    pub(crate) reply: Option<Reply>,
}

/// The draws' parameters, from the scenario and the seed.
#[derive(Debug)]
pub(crate) struct Draws {
    /// The run's seed and the messages' domain: each message's stream continues it.
    message_keys: rng::Keys,
    /// The run's seed and the replies' domain.
    reply_keys: rng::Keys,
    failure_rate: Vec<f64>,
    latency: Vec<Sampler>,
    inbound_latency: Vec<Sampler>,
    /// Per template, its replies' probabilities and delays.
    replies: Vec<Vec<(f64, Sampler)>>,
    /// `customers.count`: customers from here on are fraud destinations, who never answer.
    population: u32,
    /// The run's seed and the deliveries' domain.
    delivery_keys: rng::Keys,
    /// Per global subscription (topic by topic), its failure rate and processing time.
    subs: Vec<(f64, Sampler)>,
}

impl Draws {
    /// The draws of `sc` under `seed`.
    pub(crate) fn new(sc: &Scenario, seed: u64) -> Self {
        Self {
            message_keys: rng::Keys::new(seed).then(&[stream::MESSAGE]),
            reply_keys: rng::Keys::new(seed).then(&[stream::REPLY]),
            failure_rate: sc.carriers.iter().map(|c| c.failure_rate).collect(),
            latency: sc.carriers.iter().map(|c| c.latency.sampler()).collect(),
            inbound_latency: sc.carriers.iter().map(|c| c.inbound_latency.sampler()).collect(),
            replies: sc
                .templates
                .iter()
                .map(|t| t.replies.iter().map(|r| (r.p, r.after.sampler())).collect())
                .collect(),
            population: sc.customers.count,
            delivery_keys: rng::Keys::new(seed).then(&[stream::DELIVERY]),
            subs: sc
                .topics
                .iter()
                .flat_map(|t| t.subscriptions.iter().map(|s| (s.failure_rate, s.latency.sampler())))
                .collect(),
        }
    }

    /// The carrier's draws for message `m`: from a stream keyed by the customer and the
    /// message's origin, never by the number, so that variants that change numbers see
    /// the same customers fail and the same latencies.
    #[inline]
    pub(crate) fn fate(&self, m: &Message) -> Fate {
        let c = m.carrier as usize;
        let mut r = self.message_keys.then(&[m.customer as u64, m.template as u64, m.origin]).stream();
        if unit(&mut r) < self.failure_rate[c] {
            return Fate::Failed;
        }
        Fate::Latency(self.latency[c].sample(&mut r))
    }

    /// Whether and how the customer answers `m` if it is delivered: from a stream keyed by
    /// the customer and the message, never by the number, so that variants changing
    /// numbers see the same customers answer the same way. The reply's way back goes on
    /// from the same stream.
    #[inline]
    pub(crate) fn reply(&self, m: &Message) -> Option<Reply> {
        let replies = &self.replies[m.template as usize];
        if replies.is_empty() || m.customer >= self.population {
            return None; // nothing to answer, or a fraud destination, who never answers
        }
        let mut r = self.reply_keys.then(&[m.customer as u64, m.template as u64, m.origin]).stream();
        let u = unit(&mut r);
        let mut acc = 0.0;
        let k = replies.iter().position(|&(p, _)| {
            acc += p;
            u < acc
        })?;
        let after = replies[k].1.sample(&mut r);
        let travel = self.inbound_latency[m.carrier as usize].sample(&mut r);
        Some(Reply { reply: k as u16, after, travel, delivery: None })
    }

    /// Both.
    #[inline]
    pub(crate) fn drawn(&self, m: &Message) -> Drawn {
        Drawn { fate: self.fate(m), reply: self.reply(m) }
    }

    /// Both, and the reply's delivery to subscription `sub` if given.
    fn drawn_for(&self, m: &Message, sub: Option<u32>) -> Drawn {
        let mut d = self.drawn(m);
        if let (Some(r), Some(sub)) = (d.reply.as_mut(), sub) {
            let keys = self.delivery_keys(sub, m.customer, m.origin, m.template, r.reply);
            let (failures, processing) = (self.failures(sub, keys), self.processing(sub, keys));
            r.delivery = Some(Predrawn { sub, failures, processing });
        }
        d
    }

    /// A delivery's keys: the subscription and the conversation (customer, the message
    /// answered, its template and the answer), never arrival order, so that variants
    /// stay paired through the subscribers too. Its streams add their purpose.
    #[inline]
    pub(crate) fn delivery_keys(&self, sub: u32, customer: u32, origin: u64, template: u16, reply: u16) -> rng::Keys {
        self.delivery_keys.then(&[sub as u64, customer as u64, origin, template as u64, reply as u64])
    }

    /// The keys of the delivery of inbound `m` to subscription `sub`.
    #[inline]
    pub(crate) fn delivery_keys_of(&self, sub: u32, m: &Inbound) -> rng::Keys {
        self.delivery_keys(sub, m.customer, m.answers_origin, m.template, m.reply)
    }

    /// How many attempts of a delivery (its `keys`) to subscription `sub` fail before one
    /// succeeds.
    #[inline]
    pub(crate) fn failures(&self, sub: u32, keys: rng::Keys) -> u64 {
        failures_before_success(self.subs[sub as usize].0, unit(&mut keys.then(&[FAILURES]).stream()))
    }

    /// How long subscription `sub` takes to process a delivery (its `keys`).
    #[inline]
    pub(crate) fn processing(&self, sub: u32, keys: rng::Keys) -> SimTime {
        self.subs[sub as usize].1.sample(&mut keys.then(&[PROCESSING]).stream())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A population of 20,000 over two carriers, a blast that draws replies.
    pub(super) fn scenario() -> Scenario {
        let text = "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 20000\n\
             [[carrier]]\nid = \"a\"\nshare = 0.25\nfailure_rate = 0.1\n\
             latency = { dist = \"lognormal\", median = \"3s\", sigma = 0.5 }\n\
             [[carrier]]\nid = \"b\"\nshare = 0.75\n\
             [[number]]\nid = \"n\"\nkind = \"long_code\"\n\
             [[campaign]]\nid = \"c\"\nfrom = \"n\"\nbody = \"hi\"\n\
             replies = [{ body = \"YES\", p = 0.5, after = { dist = \"exponential\", mean = \"60s\" } }]\n";
        crate::scenario::load_str(text, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn answers_depend_on_customer_and_message_only() {
        let sc = scenario();
        let d = Draws::new(&sc, 7);
        let m = Message { customer: 5, ..Message::for_test(0) };
        let a = d.reply(&m);
        // Another id (another arrival order) changes nothing.
        assert_eq!(a, d.reply(&Message { id: 99, ..m }));
        // Another customer, template or occurrence draws afresh: over 200 of each, the
        // answers are not all the same (p = 0.5 each time: all equal has chance 2^-199).
        let answers = |f: &dyn Fn(u64) -> Message| {
            (0..200u64).map(|k| d.reply(&f(k)).is_some()).collect::<std::collections::HashSet<_>>().len()
        };
        assert_eq!(answers(&|k| Message { customer: k as u32, ..m }), 2);
        assert_eq!(answers(&|k| Message { origin: k, ..m }), 2);
        let answered = (0..10_000u32).filter(|&i| d.reply(&Message { customer: i, ..m }).is_some()).count();
        // p = 0.5 over 10,000 customers: sd 50, so 5 sd is 250.
        assert!((answered as i64 - 5_000).abs() < 250, "{answered}");
        // A fraud destination (past the population) never answers.
        assert_eq!(d.reply(&Message { customer: 20_000, ..m }), None);
    }
}
