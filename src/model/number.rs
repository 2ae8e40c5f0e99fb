//! An origination number: its waiting messages, by priority and then in request order,
//! and the pacing of its own rate (SPEC 4.1.3-4, 6.1).

use super::batch::{Batches, Run, Tag};
use super::customer::Customers;
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
    lanes: Vec<Lane>,
    queued_parts: u64,
    pacer: Pacer,
    /// A `NumberReady` event is in the queue.
    pub(crate) pending: bool,
    /// Its head is held at a cap until a window resets.
    pub(crate) held: bool,
    /// Waiting in the lines of shared limits.
    pub(crate) parked: Option<Parked>,
}

/// The messages of one priority, in request order. A blast's runs (see `batch`) wait in
/// `runs`, each stood for in `queue` by a marker (a message of no parts) where its turn is.
#[derive(Debug)]
struct Lane {
    priority: u8,
    queue: VecDeque<Message>,
    runs: VecDeque<Run>,
}

/// A marker's parts: no real message has none.
const MARKER: u8 = 0;

impl Lane {
    fn new(priority: u8) -> Self {
        Lane { priority, queue: VecDeque::new(), runs: VecDeque::new() }
    }

    fn head(&self) -> Option<&Message> {
        let m = self.queue.front()?;
        Some(if m.parts == MARKER { &self.runs[0].head } else { m })
    }

    fn push(&mut self, m: Message, tag: Option<Tag>, batches: &mut Batches) {
        let Some(tag) = tag else {
            self.queue.push_back(m);
            return;
        };
        let last = self.queue.back().is_some_and(|b| b.parts == MARKER);
        if last {
            let run = self.runs.back_mut().expect("a marker has its run");
            if run.extend(tag) {
                return;
            }
            if run.single() {
                // A run of one that goes no further is a plain message again.
                let run = self.runs.pop_back().expect("just seen");
                *self.queue.back_mut().expect("just seen") = run.dissolve(batches);
            }
        }
        self.runs.push_back(Run::new(tag, m, batches));
        self.queue.push_back(Message { parts: MARKER, ..m });
    }

    fn extend(&mut self, b: u32, j: u32, count: u32, stride: u32, batches: &mut Batches, customers: &Customers) {
        let last = self.queue.back().is_some_and(|b| b.parts == MARKER);
        if last && self.runs.back_mut().expect("a marker has its run").extend_by(b, j, count, stride) {
            return;
        }
        let run = Run::starting(b, j, count, stride, batches, customers);
        self.queue.push_back(Message { parts: MARKER, ..run.head });
        self.runs.push_back(run);
    }

    /// Remove the head (a run's next message is made from its blast and `customers`; only
    /// its last takes the run and its marker out).
    fn discard(&mut self, batches: &mut Batches, customers: &Customers) {
        let Some(front) = self.queue.front() else { return };
        if front.parts != MARKER {
            self.queue.pop_front();
            return;
        }
        let run = self.runs.front_mut().expect("a marker has its run");
        if !run.step_on(batches, customers) {
            self.queue.pop_front();
            self.runs.pop_front().expect("just seen").finish(batches);
        }
    }
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

    /// The lane of `priority`, made if there is none.
    fn lane(&mut self, priority: u8) -> &mut Lane {
        let i = match self.lanes.iter().position(|l| l.priority == priority) {
            Some(i) => i,
            None => {
                let at = self.lanes.iter().position(|l| l.priority > priority).unwrap_or(self.lanes.len());
                self.lanes.insert(at, Lane::new(priority));
                at
            }
        };
        &mut self.lanes[i]
    }

    /// Queue `m` of priority `priority` behind the others of its priority; `tag` if it is
    /// a blast's queued request (kept in a run where it can be).
    #[inline]
    pub(crate) fn push(&mut self, m: Message, priority: u8, tag: Option<Tag>, batches: &mut Batches) {
        debug_assert!(m.parts != MARKER);
        self.queued_parts += m.parts as u64;
        self.lane(priority).push(m, tag, batches);
    }

    /// Queue `count` more of blast `b`'s queued requests, `j, j + stride, ...`, of
    /// `parts` parts each and priority `priority`, behind the others (a run).
    pub(crate) fn push_run(
        &mut self,
        priority: u8,
        parts: u8,
        (b, j, count, stride): (u32, u32, u32, u32),
        batches: &mut Batches,
        customers: &Customers,
    ) {
        self.queued_parts += count as u64 * parts as u64;
        self.lane(priority).extend(b, j, count, stride, batches, customers);
    }

    /// The most urgent waiting message and its priority.
    #[inline]
    pub(crate) fn head(&self) -> Option<(&Message, u8)> {
        self.lanes.iter().find_map(|l| l.head().map(|m| (m, l.priority)))
    }

    /// Whether nothing waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.lanes.iter().all(|l| l.queue.is_empty())
    }

    /// Remove the head and hand it back; a run's next message is made from its blast and
    /// `customers`.
    #[inline]
    pub(crate) fn pop(&mut self, batches: &mut Batches, customers: &Customers) -> Option<Message> {
        let m = *self.head()?.0;
        self.remove(&m, batches, customers);
        Some(m)
    }

    /// Remove the head `m`, which the caller has from [`Number::head`] (a message sent
    /// leaves so, without another copy).
    #[inline]
    pub(crate) fn remove(&mut self, m: &Message, batches: &mut Batches, customers: &Customers) {
        debug_assert_eq!(self.head().map(|(h, _)| h.id), Some(m.id), "the head is the message removed");
        if let Some(lane) = self.lanes.iter_mut().find(|l| !l.queue.is_empty()) {
            lane.discard(batches, customers);
            self.queued_parts -= m.parts as u64;
        }
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

    fn pop(n: &mut Number) -> Option<Message> {
        n.pop(&mut Batches::default(), &Customers::for_test(1))
    }

    fn push(n: &mut Number, m: Message, priority: u8) {
        n.push(m, priority, None, &mut Batches::default());
    }

    #[test]
    fn fifo_with_parts_counted_and_paced() {
        let mut n = Number::new(0, 0, 2.0);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 0, "idle: sent at once");
        push(&mut n, msg(1, 2), 5);
        push(&mut n, msg(2, 1), 5);
        assert_eq!(n.queued_parts(), 3);
        assert_eq!(n.would_wait(SimTime::ZERO, 1), 4);
        assert_eq!(pop(&mut n).unwrap().id, 1);
        n.pace(0, 2);
        assert_eq!(n.free_at(), 1_000_000, "2 parts at 2 per second");
        assert_eq!(n.head().unwrap().0.id, 2);
        assert_eq!(n.queued_parts(), 1);
    }

    #[test]
    fn priority_order_then_request_order() {
        let mut n = Number::new(0, 0, 1.0);
        for (id, p) in [(1, 5), (2, 9), (3, 1), (4, 5), (5, 1)] {
            push(&mut n, msg(id, 1), p);
        }
        assert_eq!(n.head().map(|h| h.1), Some(1));
        let order: Vec<u64> = std::iter::from_fn(|| pop(&mut n).map(|m| m.id)).collect();
        assert_eq!(order, vec![3, 5, 1, 4, 2]);
        assert!(n.is_empty() && n.queued_parts() == 0);
    }

    /// A blast of 40 to three numbers in turn, some requests not queued (every seventh),
    /// a plain message and a more urgent one in between: each number gives back exactly
    /// the messages it was given, in order, from a handful of runs.
    #[test]
    fn runs_give_back_the_blast_they_describe() {
        let customers = Customers::for_test(100);
        let mut batches = Batches::default();
        let proto = Message { id: 1000, customer: 50, origin: 3, t_req: SimTime::from_secs(9), ..msg(0, 2) };
        let b = batches.open(proto);
        let mut numbers: Vec<Number> = (0..3).map(|i| Number::new(0, i, 1.0)).collect();
        let mut given: Vec<Vec<Message>> = vec![Vec::new(); 3];
        let mut queued = 0;
        for offset in 0..40u32 {
            let m = batches.message(b, offset, &customers);
            assert_eq!(
                (m.id, m.customer, m.carrier, m.origin),
                (1000 + offset as u64, 50 + offset, ((50 + offset) % 3) as u8, 3)
            );
            if offset % 7 == 3 {
                batches.reject(b, offset);
                continue;
            }
            let k = (queued % 3) as usize;
            numbers[k].push(m, 5, Some(Tag { batch: b, j: queued, offset }), &mut batches);
            given[k].push(m);
            queued += 1;
            if offset == 20 {
                // A message of no blast and a more urgent one, on number 0.
                let (plain, urgent) = (msg(1, 1), msg(2, 1));
                numbers[0].push(plain, 5, None, &mut batches);
                numbers[0].push(urgent, 1, None, &mut batches);
                given[0].push(plain);
                given[0].insert(0, urgent);
            }
        }
        batches.close(b);
        let runs: usize = numbers.iter().map(|n| n.lanes.iter().map(|l| l.runs.len()).sum::<usize>()).sum();
        assert_eq!(runs, 4, "one run a number, and one more where the plain message broke number 0's");
        for (n, given) in numbers.iter_mut().zip(&given) {
            let parts: u64 = given.iter().map(|m| m.parts as u64).sum();
            assert_eq!(n.queued_parts(), parts);
            let back: Vec<Message> = std::iter::from_fn(|| n.pop(&mut batches, &customers)).collect();
            assert_eq!(&back, given);
            assert_eq!(n.queued_parts(), 0);
        }
        assert!(batches.is_empty(), "the blast is freed with its last run");
    }
}
