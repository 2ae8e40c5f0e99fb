//! A campaign's requests at one instant, kept as a description rather than a list
//! (SPEC 3.7): the world makes every request of the blast at its instant, as always (its
//! decisions, observations and order are unchanged), but a number's queue keeps the
//! blast's queued requests as runs: "every `stride`-th request of this blast that was
//! queued, `left` of them", and makes each message again when it reaches the head.
//!
//! A blast's requests have ids `base_id + offset` and customers `from + offset`, offset
//! running over the blast; those that were not queued (ended at once, held for a window,
//! throttled) are kept in `rejected`, and the others are the blast's *queued* requests,
//! counted by `j`. Memory follows numbers and what broke a run (rejections cost four
//! bytes each while few, an eighth of a byte per request at most), not recipients: a
//! blast of ten million to twenty idle numbers is twenty runs.

use super::customer::Customers;
use rejected::Rejected;

mod rejected;
use super::message::Message;

/// Where a queued request sits in its blast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag {
    /// The blast.
    pub(crate) batch: u32,
    /// Which of the blast's queued requests it is (0, 1, ...).
    pub(crate) j: u32,
    /// Its offset in the blast (customer `from + offset`, id `base_id + offset`).
    pub(crate) offset: u32,
}

/// One blast: what its messages share, and which of its requests were not queued.
#[derive(Debug)]
struct Batch {
    /// The first request's message: every field but id, customer, carrier and country is
    /// every message's.
    proto: Message,
    /// Offsets of the requests that were not queued, ascending.
    rejected: Rejected,
    /// Runs still holding some of its messages.
    runs: u32,
    /// Still being made (the world is inside the blast's event).
    open: bool,
}

/// Every blast still in some queue, in reusable slots.
#[derive(Debug, Default)]
pub(crate) struct Batches {
    slots: Vec<Option<Batch>>,
    free: Vec<u32>,
}

impl Batches {
    /// A blast whose offset-0 request is `proto` begins.
    pub(crate) fn open(&mut self, proto: Message) -> u32 {
        let b = Batch { proto, rejected: Rejected::default(), runs: 0, open: true };
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(b);
                i
            }
            None => {
                self.slots.push(Some(b));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn get(&self, b: u32) -> &Batch {
        self.slots[b as usize].as_ref().expect("a live batch")
    }

    fn get_mut(&mut self, b: u32) -> &mut Batch {
        self.slots[b as usize].as_mut().expect("a live batch")
    }

    /// The request at `offset` was not queued.
    pub(crate) fn reject(&mut self, b: u32, offset: u32) {
        self.get_mut(b).rejected.push(offset);
    }

    /// The blast's event is over: no more requests join it.
    pub(crate) fn close(&mut self, b: u32) {
        self.get_mut(b).open = false;
        self.release(b);
    }

    /// Free blast `b` once it is closed and no run holds it.
    fn release(&mut self, b: u32) {
        let batch = self.get(b);
        if !batch.open && batch.runs == 0 {
            self.slots[b as usize] = None;
            self.free.push(b);
        }
    }

    /// Whether no blast is kept.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The message of the request at `offset` of blast `b`.
    pub(crate) fn message(&self, b: u32, offset: u32, customers: &Customers) -> Message {
        self.get(b).message(offset, customers)
    }
}

/// The message of the request at `offset` of a blast whose offset-0 request is `proto`.
#[inline]
pub(crate) fn made(proto: &Message, offset: u32, customers: &Customers) -> Message {
    let customer = proto.customer + offset;
    Message {
        id: proto.id + offset as u64,
        customer,
        carrier: customers.carrier(customer),
        country: customers.country(customer),
        ..*proto
    }
}

impl Batch {
    /// The message of its request at `offset`.
    #[inline]
    fn message(&self, offset: u32, customers: &Customers) -> Message {
        made(&self.proto, offset, customers)
    }
}

/// Queued requests `j, j + stride, ...` of one blast, waiting on one number: the head
/// made, the rest described.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    tag: Tag,
    stride: u32,
    /// Messages left, the head included.
    left: u32,
    /// How many of the blast's rejected offsets lie before the head's.
    rejected_before: u32,
    /// The head, made.
    pub(crate) head: Message,
}

impl Run {
    /// A run of one: message `m`, queued as `tag`.
    pub(crate) fn new(tag: Tag, m: Message, batches: &mut Batches) -> Self {
        let batch = batches.get_mut(tag.batch);
        batch.runs += 1;
        debug_assert!(batch.open);
        let rejected_before = batch.rejected.len();
        Run { tag, stride: 0, left: 1, rejected_before, head: m }
    }

    /// Take `tag` as the run's next message if it continues the run's stride.
    pub(crate) fn extend(&mut self, tag: Tag) -> bool {
        if tag.batch != self.tag.batch {
            return false;
        }
        if self.left == 1 {
            self.stride = tag.j - self.tag.j;
        } else if tag.j as u64 != self.tag.j as u64 + self.stride as u64 * self.left as u64 {
            return false;
        }
        self.left += 1;
        true
    }

    /// Take `count` more: queued requests `j, j + stride, ...`, if they continue the run.
    pub(crate) fn extend_by(&mut self, batch: u32, j: u32, count: u32, stride: u32) -> bool {
        let next = self.tag.j as u64 + stride as u64 * self.left as u64;
        if batch != self.tag.batch || j as u64 != next || (self.left > 1 && stride != self.stride) {
            return false;
        }
        self.stride = stride;
        self.left += count;
        true
    }

    /// A run of `count` queued requests `j, j + stride, ...` of blast `b`, in which every
    /// request before the `j`-th queued one's offset that was not queued is already listed.
    pub(crate) fn starting(
        b: u32,
        j: u32,
        count: u32,
        stride: u32,
        batches: &mut Batches,
        customers: &Customers,
    ) -> Self {
        let batch = batches.get_mut(b);
        batch.runs += 1;
        let rejected_before = batch.rejected.len();
        let offset = j + rejected_before;
        let head = batches.message(b, offset, customers);
        Run { tag: Tag { batch: b, j, offset }, stride, left: count, rejected_before, head }
    }

    /// Whether it holds one message only.
    pub(crate) fn single(&self) -> bool {
        self.left == 1
    }

    /// Give up this run of one (its message stays queued on its own).
    pub(crate) fn dissolve(self, batches: &mut Batches) -> Message {
        debug_assert!(self.single());
        self.finish(batches)
    }

    /// The run's last message: the run is over.
    pub(crate) fn finish(self, batches: &mut Batches) -> Message {
        batches.get_mut(self.tag.batch).runs -= 1;
        batches.release(self.tag.batch);
        self.head
    }

    /// Make the next message the head, the head itself not wanted (its caller holds a
    /// copy); false if the head is the run's last message (take it with `finish`).
    #[inline]
    pub(crate) fn step_on(&mut self, batches: &Batches, customers: &Customers) -> bool {
        if self.left == 1 {
            return false;
        }
        let batch = batches.get(self.tag.batch);
        // The queued request `stride` further on: step over the rejected offsets on the way.
        let j = self.tag.j + self.stride;
        let r = batch.rejected.before(self.rejected_before, self.tag.offset, j);
        let offset = j + r;
        self.tag = Tag { j, offset, ..self.tag };
        self.rejected_before = r;
        self.left -= 1;
        self.head = batch.message(offset, customers);
        true
    }
}
