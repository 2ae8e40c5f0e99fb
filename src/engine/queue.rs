//! The future event list: a binary heap ordered by (time, sequence number), so that events
//! scheduled for the same instant come out in the order they were scheduled (FIFO), never in
//! heap order.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// A heap entry: `item` at `key`, time in the high 64 bits and sequence in the low, so
/// that one integer comparison orders both.
struct Entry<T> {
    key: u128,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// No group (in [`EventQueue`]'s `recent`).
const NONE: u32 = u32::MAX;

/// A priority queue of events keyed by (time, insertion sequence).
///
/// Two binary heaps: events due within [`NEAR`] of the last one taken (a number's next
/// turn, a carrier's outcome, a subscriber's processing) and events further off (a
/// customer's reply minutes away, a retry's back-off). The earliest is the earlier of
/// the two heads, so the order is the one heap's, to the tie; but the many near events
/// sift through a small heap, not past every far one.
///
/// A near entry is a group: its first event, and events at its time scheduled after it
/// while it is the newest entry at that time, which join the group instead of the heap
/// and come out after the first in their order. That is their order by (time,
/// sequence): every other event at that time was scheduled before the group began (an
/// older entry, or one in the far heap, which takes an instant only while it is further
/// off than any near event at it: the last time taken never goes back, as no event is
/// scheduled before it), or after its last member (a newer entry, which this one's group
/// no longer takes). The twenty numbers of a blast taking their turns each second are
/// one heap entry.
///
/// Taking an event of a group leaves the heap as it was: the entry's own event is read
/// (a copy) and marked taken, the others come from the group, and the entry leaves the
/// heap with the group's last event. (Writing the group's next event into the entry
/// made the heap restore its order, and read back at once what it had just written.)
pub struct EventQueue<E> {
    /// Near entries: the first event of a group, and the group.
    near: BinaryHeap<Entry<(E, u32)>>,
    far: BinaryHeap<Entry<E>>,
    /// Each group's events after its entry's, in order, and whether the entry's own
    /// event was taken; empty ones are reused.
    groups: Vec<(VecDeque<E>, bool)>,
    free: Vec<u32>,
    /// Near events not yet taken.
    near_len: usize,
    /// The newest entries at the two times scheduled at most lately, as (time, group),
    /// the last scheduled first; `NONE` for none.
    recent: [(u64, u32); 2],
    seq: u64,
    /// The time of the last event taken, in microseconds.
    now: u64,
}

/// How far ahead (microseconds) an event still goes into the near heap.
pub const NEAR: u64 = 30_000_000;

impl<E> std::fmt::Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue").field("len", &(self.far.len() + self.near_len)).field("seq", &self.seq).finish()
    }
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            near: BinaryHeap::new(),
            far: BinaryHeap::new(),
            groups: Vec::new(),
            free: Vec::new(),
            near_len: 0,
            recent: [(0, NONE); 2],
            seq: 0,
            now: 0,
        }
    }

    /// Add `event` at `time`, which is no earlier than the last event taken (the
    /// [`super::Scheduler`] clamps it so): the groups' order rests on it.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_micros();
        debug_assert!(t >= self.now, "an event scheduled before the last one taken");
        let key = ((t as u128) << 64) | self.seq as u128;
        self.seq += 1;
        if t > self.now.saturating_add(NEAR) {
            self.far.push(Entry { key, item: event });
            return;
        }
        self.near_len += 1;
        let [a, b] = self.recent;
        if a.1 != NONE && a.0 == t {
            return self.groups[a.1 as usize].0.push_back(event);
        }
        if b.1 != NONE && b.0 == t {
            self.recent = [b, a];
            return self.groups[b.1 as usize].0.push_back(event);
        }
        let group = self.free.pop().unwrap_or_else(|| {
            self.groups.push((VecDeque::new(), false));
            (self.groups.len() - 1) as u32
        });
        self.groups[group as usize].1 = false;
        self.recent = [(t, group), a];
        self.near.push(Entry { key, item: (event, group) });
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
        if self.far_first() {
            let e = self.far.pop()?;
            self.now = (e.key >> 64) as u64;
            return Some((SimTime::from_micros(self.now), e.item));
        }
        let top = self.near.peek()?;
        self.now = (top.key >> 64) as u64;
        let (first, group) = top.item;
        self.near_len -= 1;
        let (events, taken) = &mut self.groups[group as usize];
        let e = if *taken {
            events.pop_front().expect("a taken entry's group holds the rest")
        } else if events.is_empty() {
            first
        } else {
            *taken = true;
            return Some((SimTime::from_micros(self.now), first));
        };
        if events.is_empty() {
            // Its last event: the entry goes, and its group is free for another.
            self.near.pop();
            self.free.push(group);
            for r in &mut self.recent {
                if r.1 == group {
                    r.1 = NONE;
                }
            }
        }
        Some((SimTime::from_micros(self.now), e))
    }

    /// Time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = if self.far_first() { self.far.peek()?.key } else { self.near.peek()?.key };
        Some(SimTime::from_micros((key >> 64) as u64))
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.far.len() + self.near_len
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

    /// An instant first scheduled while far off, then again once near (a group): the far
    /// event, scheduled first, comes out first, then the group in order.
    #[test]
    fn a_far_event_precedes_a_later_group_at_its_instant() {
        let mut q = EventQueue::new();
        let at = |s: u64| SimTime::from_secs(s);
        q.push(at(40), "far");
        q.push(at(15), "step");
        assert_eq!(q.far.len(), 1, "40 s is further than 30 s off");
        assert_eq!(q.pop().map(|e| e.1), Some("step"));
        for e in ["g1", "g2", "g3"] {
            q.push(at(40), e);
        }
        assert_eq!(q.near.len(), 1, "one entry heads the three");
        let out: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(t, e)| (t.as_micros() / 1_000_000, e)).collect();
        assert_eq!(out, vec![(40, "far"), (40, "g1"), (40, "g2"), (40, "g3")]);
    }

    /// Against a sorted list: random pushes and pops, many ties, every size up to 300.
    #[test]
    fn matches_a_sorted_reference() {
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new(); // (time, push order), kept sorted
        let (mut x, mut now, mut far_used, mut grouped) = (7u64, 0u64, 0usize, 0usize);
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
            grouped = grouped.max(q.groups.iter().map(|g| g.0.len()).max().unwrap_or(0));
        }
        assert!(far_used > 10, "both heaps held events at once");
        assert!(grouped > 3, "groups of events at one time formed");
    }
}
