//! An origination number: its queue of messages, in request order, and the pacing of its
//! own rate (SPEC 4.1.3-4).

use super::message::Message;
use super::pacing::Pacer;
use crate::engine::SimTime;
use std::collections::VecDeque;

/// One number's state.
#[derive(Debug)]
pub(crate) struct Number {
    /// Its pool.
    pub(crate) pool: u32,
    /// Its index within the pool.
    pub(crate) index: u32,
    queue: VecDeque<Message>,
    queued_parts: u64,
    pacer: Pacer,
    /// A `NumberReady` event is in the queue (at most one at a time).
    pub(crate) pending: bool,
    /// Waiting in this carrier limit's line for its turn (limit index within the pool).
    pub(crate) parked: Option<u16>,
}

impl Number {
    /// Number `index` of pool `pool`, sending `mps` parts per second.
    pub(crate) fn new(pool: u32, index: u32, mps: f64) -> Self {
        Self {
            pool,
            index,
            queue: VecDeque::new(),
            queued_parts: 0,
            pacer: Pacer::new(mps),
            pending: false,
            parked: None,
        }
    }

    /// The earliest microsecond at which its next part may leave.
    #[inline]
    pub(crate) fn free_at(&self) -> u64 {
        self.pacer.next_free()
    }

    /// Parts waiting in its queue.
    #[inline]
    pub(crate) fn queued_parts(&self) -> u64 {
        self.queued_parts
    }

    /// The parts that would wait ahead of and with a new message of `parts` parts at
    /// `now`: none when the number is idle and can send it at once.
    #[inline]
    pub(crate) fn would_wait(&self, now: SimTime, parts: u64) -> u64 {
        let idle = self.queue.is_empty() && self.free_at() <= now.as_micros();
        if idle { 0 } else { self.queued_parts + parts }
    }

    /// Queue `m` behind the others.
    #[inline]
    pub(crate) fn push(&mut self, m: Message) {
        self.queue.push_back(m);
        self.queued_parts += m.parts as u64;
    }

    /// The message at the head of the queue.
    #[inline]
    pub(crate) fn head(&self) -> Option<Message> {
        self.queue.front().copied()
    }

    /// Whether anything waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Remove the head (it was sent or it ended).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Message> {
        let m = self.queue.pop_front()?;
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
        Message { id, t_req: SimTime::ZERO, customer: 0, origin: 0, source: 0, carrier: 0, parts, root: SimTime::ZERO }
    }

    #[test]
    fn fifo_with_parts_counted_and_paced() {
        let mut n = Number::new(0, 0, 2.0);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 0, "idle: sent at once");
        n.push(msg(1, 2));
        n.push(msg(2, 1));
        assert_eq!(n.queued_parts(), 3);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 4);
        assert_eq!(n.pop().unwrap().id, 1);
        n.pace(0, 2);
        assert_eq!(n.free_at(), 1_000_000, "2 parts at 2 per second");
        assert_eq!(n.head().unwrap().id, 2);
        assert_eq!(n.queued_parts(), 1);
    }
}
