//! An origination number: its waiting messages, by priority and then in request order,
//! and the pacing of its own rate (SPEC 4.1.3-4, 6.1).

use super::limit::Place;
use super::message::Message;
use super::pacing::Pacer;
use crate::engine::SimTime;
use std::collections::VecDeque;

/// Where a number waits in the lines of shared limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parked {
    /// The group of limits (pool and carrier) of its head.
    pub(crate) group: u32,
    /// Its place in the lines (the same in each).
    pub(crate) place: Place,
    /// The lines it is in, as bits over the group's covering limits.
    pub(crate) lines: u64,
}

/// One number's state.
#[derive(Debug)]
pub(crate) struct Number {
    /// Its pool.
    pub(crate) pool: u32,
    /// Its index within the pool.
    pub(crate) index: u32,
    /// Waiting messages by priority, most urgent first (lanes stay once made).
    lanes: Vec<(u8, VecDeque<Message>)>,
    queued_parts: u64,
    pacer: Pacer,
    /// A `NumberReady` event is in the queue.
    pub(crate) pending: bool,
    /// Its head is held at a cap until a window resets.
    pub(crate) held: bool,
    /// Waiting in the lines of shared limits.
    pub(crate) parked: Option<Parked>,
}

impl Number {
    /// Number `index` of pool `pool`, sending `mps` parts per second.
    pub(crate) fn new(pool: u32, index: u32, mps: f64) -> Self {
        Self {
            pool,
            index,
            lanes: Vec::new(),
            queued_parts: 0,
            pacer: Pacer::new(mps),
            pending: false,
            held: false,
            parked: None,
        }
    }

    /// The earliest microsecond at which its next part may leave.
    #[inline]
    pub(crate) fn free_at(&self) -> u64 {
        self.pacer.next_free()
    }

    /// Parts waiting.
    #[inline]
    pub(crate) fn queued_parts(&self) -> u64 {
        self.queued_parts
    }

    /// The parts that would wait ahead of and with a new message of `parts` parts at
    /// `now`: none when the number is idle and can send it at once.
    #[inline]
    pub(crate) fn would_wait(&self, now: SimTime, parts: u64) -> u64 {
        let idle = self.queued_parts == 0 && self.is_empty() && self.free_at() <= now.as_micros();
        if idle { 0 } else { self.queued_parts + parts }
    }

    /// Queue `m` of priority `priority` behind the others of its priority.
    #[inline]
    pub(crate) fn push(&mut self, m: Message, priority: u8) {
        self.queued_parts += m.parts as u64;
        match self.lanes.iter_mut().find(|l| l.0 == priority) {
            Some(lane) => lane.1.push_back(m),
            None => {
                let at = self.lanes.iter().position(|l| l.0 > priority).unwrap_or(self.lanes.len());
                self.lanes.insert(at, (priority, VecDeque::from([m])));
            }
        }
    }

    /// The most urgent waiting message and its priority.
    #[inline]
    pub(crate) fn head(&self) -> Option<(Message, u8)> {
        self.lanes.iter().find_map(|(p, q)| q.front().map(|&m| (m, *p)))
    }

    /// Whether nothing waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.lanes.iter().all(|l| l.1.is_empty())
    }

    /// Remove the head (it was sent or it ended).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Message> {
        let m = self.lanes.iter_mut().find_map(|(_, q)| q.pop_front())?;
        self.queued_parts -= m.parts as u64;
        Some(m)
    }

    /// Pace `parts` parts sent at `now` (microseconds).
    #[inline]
    pub(crate) fn pace(&mut self, now: u64, parts: u64) {
        self.pacer.take(now, parts as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64, parts: u8) -> Message {
        Message { parts, ..Message::for_test(id) }
    }

    #[test]
    fn fifo_with_parts_counted_and_paced() {
        let mut n = Number::new(0, 0, 2.0);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 0, "idle: sent at once");
        n.push(msg(1, 2), 5);
        n.push(msg(2, 1), 5);
        assert_eq!(n.queued_parts(), 3);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 4);
        assert_eq!(n.pop().unwrap().id, 1);
        n.pace(0, 2);
        assert_eq!(n.free_at(), 1_000_000, "2 parts at 2 per second");
        assert_eq!(n.head().unwrap().0.id, 2);
        assert_eq!(n.queued_parts(), 1);
    }

    #[test]
    fn priority_order_then_request_order() {
        let mut n = Number::new(0, 0, 1.0);
        for (id, p) in [(1, 5), (2, 9), (3, 1), (4, 5), (5, 1)] {
            n.push(msg(id, 1), p);
        }
        assert_eq!(n.head().map(|h| h.1), Some(1));
        let order: Vec<u64> = std::iter::from_fn(|| n.pop().map(|m| m.id)).collect();
        assert_eq!(order, vec![3, 5, 1, 4, 2]);
        assert!(n.is_empty() && n.queued_parts() == 0);
    }
}
