//! The future event list: a binary heap ordered by (time, sequence number), so that events
//! scheduled for the same instant come out in the order they were scheduled (FIFO), never in
//! heap order.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    // Time in the high 64 bits, sequence in the low: one integer comparison orders both.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A priority queue of events keyed by (time, insertion sequence).
///
/// Two binary heaps: events due within [`NEAR`] of the last one taken (a number's next
/// turn, a carrier's outcome, a subscriber's processing) and events further off (a
/// customer's reply minutes away, a retry's back-off). The earliest is the earlier of
/// the two heads, so the order is the one heap's, to the tie; but the many near events
/// sift through a small heap, not past every far one.
pub struct EventQueue<E> {
    near: BinaryHeap<Entry<E>>,
    far: BinaryHeap<Entry<E>>,
    seq: u64,
    /// The time of the last event taken, in microseconds.
    now: u64,
}

/// How far ahead (microseconds) an event still goes into the near heap.
pub const NEAR: u64 = 30_000_000;

impl<E> std::fmt::Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue").field("len", &self.len()).field("seq", &self.seq).finish()
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self { near: BinaryHeap::new(), far: BinaryHeap::new(), seq: 0, now: 0 }
    }

    /// Add `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_micros();
        let key = ((t as u128) << 64) | self.seq as u128;
        self.seq += 1;
        if t <= self.now.saturating_add(NEAR) {
            self.near.push(Entry { key, event });
        } else {
            self.far.push(Entry { key, event });
        }
    }

    /// Whether the earliest event is in the far heap.
    #[inline]
    fn far_first(&self) -> bool {
        let Some(f) = self.far.peek() else { return false };
        self.near.peek().is_none_or(|n| f.key < n.key)
    }

    /// Remove and return the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = if self.far_first() { self.far.pop() } else { self.near.pop() }?;
        self.now = (e.key >> 64) as u64;
        Some((SimTime::from_micros(self.now), e.event))
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let e = if self.far_first() { self.far.peek() } else { self.near.peek() }?;
        Some(SimTime::from_micros((e.key >> 64) as u64))
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.near.len() + self.far.len()
    }

    /// Whether no event is pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.near.is_empty() && self.far.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_micros(5), "c");
        q.push(SimTime::from_micros(1), "a");
        q.push(SimTime::from_micros(5), "d");
        q.push(SimTime::from_micros(1), "b");
        let out: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(t, e)| (t.as_micros(), e)).collect();
        assert_eq!(out, vec![(1, "a"), (1, "b"), (5, "c"), (5, "d")]);
    }

    /// Against a sorted list: random pushes and pops, many ties, every size up to 300.
    #[test]
    fn matches_a_sorted_reference() {
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new(); // (time, push order), kept sorted
        let (mut x, mut now, mut far_used) = (7u64, 0u64, 0usize);
        for step in 0..20_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (x >> 60) < 9 || reference.is_empty() {
                // From the last taken: mostly within microseconds (many ties), a third of
                // them up to 100 s on, past the near heap's reach.
                let t = now + (x >> 20) % 5 + if (x >> 8) % 3 == 0 { (x >> 30) % 100_000_000 } else { 0 };
                q.push(SimTime::from_micros(t), step);
                let at = reference.partition_point(|&(rt, _)| rt <= t);
                reference.insert(at, (t, step));
            } else {
                let (t, e) = q.pop().expect("not empty");
                assert_eq!((t.as_micros(), e), reference.remove(0), "step {step}");
                now = t.as_micros();
            }
            assert_eq!(q.len(), reference.len());
            far_used = far_used.max(q.far.len().min(q.near.len()));
        }
        assert!(far_used > 10, "both heaps held events at once");
    }
}
