//! Topics and their subscriptions (SPEC 4.3-4.4): every inbound message of a pool is
//! published to its topics, and delivered to each subscription under its retry policy,
//! its outages, its transient failures and its concurrency.
//!
//! A delivery's deciding attempt (the one that succeeds, or the last) is worked out when
//! it is published ([`Schedule::decide`]): one event for it, however many retries come
//! before.

use super::draws::Draws;
use super::message::{Inbound, Slab};
use super::observe::DeliveryState;
use crate::engine::SimTime;
use crate::engine::rng;
use crate::scenario::Scenario;
use crate::sms::retry::Schedule;
use std::collections::VecDeque;
use std::sync::Arc;

/// One publish being delivered to one subscription.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Delivery {
    /// The inbound message.
    pub(crate) msg: Inbound,
    /// Global subscription index.
    pub(crate) sub: u32,
    /// When it was published.
    pub(crate) start: SimTime,
    /// The attempt that succeeds, or the last one.
    pub(crate) attempt: u64,
    /// Whether that attempt succeeds.
    pub(crate) success: bool,
    /// How long processing takes, or the keys to draw it from.
    processing: Processing,
}

/// A delivery's processing time: drawn with its reply ahead of the world, or to be drawn
/// from its streams' keys ([`Draws::delivery_keys`]).
#[derive(Debug, Clone, Copy)]
enum Processing {
    Drawn(SimTime),
    Keys(rng::Keys),
}

#[derive(Debug)]
struct Subscription {
    topic: u32,
    index: u32,
    schedule: Schedule,
    outages: Vec<(SimTime, SimTime)>,
    concurrency: u32,
    dead_letter_queue: bool,
    handler: Option<usize>,
    in_use: u32,
    waiting: VecDeque<u32>,
}

/// What a delivery's deciding attempt led to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attempted {
    /// Every attempt failed: dead-lettered or dropped.
    Exhausted(Delivery, DeliveryState),
    /// The subscriber started processing it; it finishes at `at`.
    Started {
        /// When processing ends.
        at: SimTime,
    },
    /// The subscriber is at its concurrency: it waits its turn.
    Waiting,
}

/// A delivery the subscriber finished.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Processed {
    /// The delivery.
    pub(crate) delivery: Delivery,
    /// The next waiting delivery started, with its slot and end of processing.
    pub(crate) next: Option<(u32, SimTime)>,
    /// The flow the subscription runs on each message, if any.
    pub(crate) handler: Option<usize>,
}

/// Every subscription, globally indexed topic by topic, and the deliveries in progress.
#[derive(Debug)]
pub(crate) struct Topics {
    /// The deliveries' draws.
    draws: Arc<Draws>,
    subs: Vec<Subscription>,
    /// First global subscription index of each topic, and the end.
    sub_base: Vec<u32>,
    topics_of_pool: Vec<Vec<usize>>,
    /// Per pool, the subscription a publish goes to if it makes exactly one delivery.
    lone: Vec<Option<u32>>,
    deliveries: Slab<Delivery>,
    /// Deliveries whose draws came made with their reply (for tests and profiles).
    pub(crate) predrawn: u64,
}

impl Topics {
    /// The topics of `sc`, drawing with `draws`.
    pub(crate) fn new(sc: &Scenario, draws: Arc<Draws>) -> Self {
        let mut sub_base = vec![0u32];
        let mut subs = Vec::new();
        for (ti, t) in sc.topics.iter().enumerate() {
            for (si, s) in t.subscriptions.iter().enumerate() {
                subs.push(Subscription {
                    topic: ti as u32,
                    index: si as u32,
                    schedule: Schedule::new(&s.retry),
                    outages: s.outages.clone(),
                    concurrency: s.concurrency,
                    dead_letter_queue: s.dead_letter_queue,
                    handler: s.handler,
                    in_use: 0,
                    waiting: VecDeque::new(),
                });
            }
            sub_base.push(subs.len() as u32);
        }
        let topics_of_pool: Vec<Vec<usize>> = (0..sc.pools.len())
            .map(|p| sc.topics.iter().enumerate().filter(|(_, t)| t.pools.contains(&p)).map(|(i, _)| i).collect())
            .collect();
        let lone = topics_of_pool
            .iter()
            .map(|ts| {
                let mut subs = ts.iter().flat_map(|&t| sub_base[t]..sub_base[t + 1]);
                subs.next().filter(|_| subs.next().is_none())
            })
            .collect();
        Self { draws, subs, sub_base, lone, topics_of_pool, deliveries: Slab::new(), predrawn: 0 }
    }

    /// The topics that pool `p` publishes to.
    pub(crate) fn topics_of(&self, p: usize) -> &[usize] {
        &self.topics_of_pool[p]
    }

    /// Topic and index within it of global subscription `sub`.
    pub(crate) fn ids(&self, sub: u32) -> (u32, u32) {
        let s = &self.subs[sub as usize];
        (s.topic, s.index)
    }

    /// Publish `m`, arrived at pool `p` at `now`, to every subscription of its topics;
    /// `schedule(at, slot)` is called for each delivery's deciding attempt.
    pub(crate) fn publish(&mut self, now: SimTime, m: Inbound, p: usize, mut schedule: impl FnMut(SimTime, u32)) {
        for ti in 0..self.topics_of_pool[p].len() {
            let topic = self.topics_of_pool[p][ti];
            for sub in self.sub_base[topic]..self.sub_base[topic + 1] {
                let (slot, at) = self.deliver(now, m, sub);
                schedule(at, slot);
            }
        }
    }

    /// Start the delivery of `m` to subscription `sub`: work out at once which attempt
    /// succeeds (or that none does), skipping over outages arithmetically. Its draws were
    /// made with the reply if it carries them for `sub`.
    fn deliver(&mut self, now: SimTime, m: Inbound, sub: u32) -> (u32, SimTime) {
        let (failures, processing) = match m.predrawn {
            Some(p) if p.sub == sub => {
                self.predrawn += 1;
                (p.failures, Processing::Drawn(p.processing))
            }
            _ => {
                let keys = self.draws.delivery_keys_of(sub, &m);
                (self.draws.failures(sub, keys), Processing::Keys(keys))
            }
        };
        let st = &self.subs[sub as usize];
        let (attempt, success) = st.schedule.decide(now, &st.outages, failures);
        let at = now + st.schedule.offset(attempt);
        (self.deliveries.insert(Delivery { msg: m, sub, start: now, attempt, success, processing }), at)
    }

    /// The subscription publishes of pool `p` go to, if a publish makes exactly one
    /// delivery (one subscription in all of its topics).
    pub(crate) fn lone_sub(&self, p: usize) -> Option<u32> {
        self.lone[p]
    }

    /// The deciding attempt of the delivery in `slot` happens.
    pub(crate) fn attempt(&mut self, now: SimTime, slot: u32) -> Attempted {
        let d = self.deliveries.get(slot);
        let st = &mut self.subs[d.sub as usize];
        if !d.success {
            self.deliveries.take(slot);
            let state = if st.dead_letter_queue { DeliveryState::DeadLettered } else { DeliveryState::Dropped };
            return Attempted::Exhausted(d, state);
        }
        if st.in_use < st.concurrency {
            st.in_use += 1;
            Attempted::Started { at: self.processing_end(now, slot) }
        } else {
            st.waiting.push_back(slot);
            Attempted::Waiting
        }
    }

    fn processing_end(&self, now: SimTime, slot: u32) -> SimTime {
        let d = self.deliveries.get(slot);
        now + match d.processing {
            Processing::Drawn(t) => t,
            Processing::Keys(keys) => self.draws.processing(d.sub, keys),
        }
    }

    /// The subscriber finished the delivery in `slot`; the next waiting one starts.
    pub(crate) fn processed(&mut self, now: SimTime, slot: u32) -> Processed {
        let d = self.deliveries.take(slot);
        let st = &mut self.subs[d.sub as usize];
        let handler = st.handler;
        let next = match st.waiting.pop_front() {
            Some(next) => Some((next, self.processing_end(now, next))),
            None => {
                st.in_use -= 1;
                None
            }
        };
        Processed { delivery: d, next, handler }
    }

    /// At the horizon, a delivery whose deciding attempt was still to come: it and the
    /// retries made by then.
    pub(crate) fn unfinished_attempt(&mut self, slot: u32, horizon: SimTime) -> (Delivery, u64) {
        let d = self.deliveries.take(slot);
        let s = &self.subs[d.sub as usize].schedule;
        let made = s.first_at_or_after(0, horizon - d.start + SimTime::from_micros(1)).unwrap_or(s.attempts());
        (d, made.saturating_sub(1))
    }

    /// At the horizon, a delivery still being processed.
    pub(crate) fn unfinished_processing(&mut self, slot: u32) -> Delivery {
        self.deliveries.take(slot)
    }

    /// At the horizon, the next delivery still waiting for a subscriber, subscription by
    /// subscription.
    pub(crate) fn pop_waiting(&mut self) -> Option<Delivery> {
        let slot = self.subs.iter_mut().find_map(|s| s.waiting.pop_front())?;
        Some(self.deliveries.take(slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(sub: &str) -> Topics {
        let text = format!(
            "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
             [[carrier]]\nid = \"a\"\nshare = 1\n[[number]]\nid = \"n\"\nkind = \"long_code\"\n\
             [[topic]]\nid = \"t\"\nnumbers = [\"n\"]\n[[topic.subscription]]\nid = \"s\"\n{sub}"
        );
        let sc = crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap();
        let draws = Arc::new(Draws::new(&sc, 1));
        Topics::new(&sc, draws)
    }

    fn inbound(customer: u32) -> Inbound {
        Inbound::for_test(customer)
    }

    #[test]
    fn an_outage_moves_the_deciding_attempt_past_it() {
        // HTTPS: attempts at +0, 20, 40, 60 s; down from 0 to 30 s: the attempt at 40 s.
        let mut t = topics("protocol = \"https\"\nlatency = \"1s\"\noutages = [{ from = \"0s\", to = \"30s\" }]\n");
        let mut at = Vec::new();
        t.publish(SimTime::ZERO, inbound(1), 0, |a, slot| at.push((a, slot)));
        assert_eq!(at.len(), 1);
        assert_eq!(at[0].0, SimTime::from_secs(40));
        let Attempted::Started { at: end } = t.attempt(at[0].0, at[0].1) else { panic!() };
        assert_eq!(end, SimTime::from_secs(41));
        let p = t.processed(end, at[0].1);
        assert_eq!(p.delivery.attempt, 2);
        assert!(p.next.is_none());
    }

    #[test]
    fn exhausted_deliveries_are_dead_lettered_or_dropped() {
        for (dlq, want) in [("true", DeliveryState::DeadLettered), ("false", DeliveryState::Dropped)] {
            let mut t = topics(&format!("protocol = \"https\"\nfailure_rate = 1\ndead_letter_queue = {dlq}\n"));
            let mut at = Vec::new();
            t.publish(SimTime::ZERO, inbound(1), 0, |a, slot| at.push((a, slot)));
            assert_eq!(at[0].0, SimTime::from_secs(60), "the last of 4 attempts");
            let Attempted::Exhausted(d, state) = t.attempt(at[0].0, at[0].1) else { panic!() };
            assert_eq!((d.attempt, state), (3, want));
        }
    }

    #[test]
    fn concurrency_makes_deliveries_wait_their_turn() {
        let mut t = topics("protocol = \"lambda\"\nconcurrency = 1\nlatency = \"2s\"\n");
        let mut at = Vec::new();
        for c in 0..3 {
            t.publish(SimTime::ZERO, inbound(c), 0, |a, slot| at.push((a, slot)));
        }
        assert!(matches!(t.attempt(SimTime::ZERO, at[0].1), Attempted::Started { .. }));
        assert!(matches!(t.attempt(SimTime::ZERO, at[1].1), Attempted::Waiting));
        assert!(matches!(t.attempt(SimTime::ZERO, at[2].1), Attempted::Waiting));
        let p = t.processed(SimTime::from_secs(2), at[0].1);
        assert_eq!(p.next, Some((at[1].1, SimTime::from_secs(4))));
        assert_eq!(t.pop_waiting().map(|d| d.msg.customer), Some(2));
        assert!(t.pop_waiting().is_none());
    }
}
