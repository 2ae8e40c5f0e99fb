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
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> std::fmt::Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue").field("len", &self.heap.len()).field("seq", &self.seq).finish()
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
        Self { heap: BinaryHeap::new(), seq: 0 }
    }

    /// Add `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let key = ((time.as_micros() as u128) << 64) | self.seq as u128;
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Remove and return the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (SimTime::from_micros((e.key >> 64) as u64), e.event))
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime::from_micros((e.key >> 64) as u64))
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
        let mut x = 7u64;
        for step in 0..20_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            if (x >> 60) < 9 || reference.is_empty() {
                let t = (x >> 20) % 50;
                q.push(SimTime::from_micros(t), step);
                let at = reference.partition_point(|&(rt, _)| rt <= t);
                reference.insert(at, (t, step));
            } else {
                let (t, e) = q.pop().expect("not empty");
                assert_eq!((t.as_micros(), e), reference.remove(0), "step {step}");
            }
            assert_eq!(q.len(), reference.len());
        }
    }
}
