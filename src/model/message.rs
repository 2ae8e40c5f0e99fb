//! What moves through the world: outbound requests and messages, replies on their way
//! back, and the slab that holds whatever is in flight.

use crate::engine::SimTime;

/// Domain tags of random streams: one per kind of entity, so that no two draws share a
/// stream and each is keyed by what it is about (a customer, a message), never by the
/// order in which the world happens to reach it.
pub(crate) mod stream {
    /// A customer's carrier, reachability and opt-out at t = 0.
    pub(crate) const CUSTOMER: u64 = 1;
    /// The carrier's handling of one message.
    pub(crate) const MESSAGE: u64 = 2;
    /// A traffic source's arrivals.
    pub(crate) const TRAFFIC: u64 = 3;
    /// A customer's answer to one message.
    pub(crate) const REPLY: u64 = 4;
    /// A subscriber's handling of one delivery.
    pub(crate) const DELIVERY: u64 = 5;
    /// The fraud filter's verdict on one request.
    pub(crate) const PROTECT: u64 = 6;
}

/// A request for an outbound message: who, from where, and the conversation it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request {
    /// Template index.
    pub(crate) template: usize,
    /// Source index (`sources.csv`).
    pub(crate) source: u16,
    /// Which occurrence of its source it is (campaign repeat, traffic sequence, or a
    /// response's derived origin).
    pub(crate) origin: u64,
    /// The customer.
    pub(crate) customer: u32,
    /// Pool index.
    pub(crate) pool: usize,
    /// A specific number of the pool (responses go out from the number texted).
    pub(crate) pin: Option<u32>,
    /// Sent even to a customer on the opt-out list (the opt-out confirmation).
    pub(crate) exempt: bool,
    /// When the conversation began, if this answers one.
    pub(crate) root: Option<SimTime>,
    /// No pool of its source may send to the customer's country.
    pub(crate) unroutable: bool,
}

impl Request {
    /// A fresh request of a campaign or traffic source, from the pool's selection.
    pub(crate) fn new(template: usize, source: usize, origin: u64, customer: u32, pool: usize) -> Self {
        Request {
            template,
            source: source as u16,
            origin,
            customer,
            pool,
            pin: None,
            exempt: false,
            root: None,
            unroutable: false,
        }
    }
}

/// An outbound message: waiting in a number's queue, then at the carrier. Kept small: a
/// blast can queue millions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Message {
    /// Unique id in the run.
    pub(crate) id: u64,
    /// When it was requested.
    pub(crate) t_req: SimTime,
    /// The customer.
    pub(crate) customer: u32,
    /// Which occurrence (campaign repeat, traffic sequence) of its source it is.
    pub(crate) origin: u64,
    /// Template index.
    pub(crate) template: u16,
    /// Source index (`sources.csv`).
    pub(crate) source: u16,
    /// The customer's carrier.
    pub(crate) carrier: u8,
    /// The customer's country.
    pub(crate) country: u8,
    /// Parts.
    pub(crate) parts: u8,
    /// When the conversation began: the first outbound request it answers back to.
    pub(crate) root: SimTime,
}

/// A reply on its way to a number, then a publish being delivered to subscribers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inbound {
    /// Unique id in the run, given on arrival.
    pub(crate) id: u64,
    /// The customer who sent it.
    pub(crate) customer: u32,
    /// The customer's carrier.
    pub(crate) carrier: u8,
    /// The customer's country.
    pub(crate) country: u8,
    /// Global index of the number it answers.
    pub(crate) number: u32,
    /// Template it answers.
    pub(crate) template: u16,
    /// Which of the template's replies it is.
    pub(crate) reply: u16,
    /// Id of the outbound message it answers.
    pub(crate) answers: u64,
    /// Origin of the outbound message it answers.
    pub(crate) answers_origin: u64,
    /// When the conversation began.
    pub(crate) root: SimTime,
    /// Its delivery's draws, made with it for the lone subscriber of a blast made ahead.
    pub(crate) predrawn: Option<super::draws::Predrawn>,
}

#[cfg(test)]
impl Message {
    /// A one-part message `id` to customer 0 on carrier 0, requested at t = 0 (tests
    /// change what they need with struct update syntax).
    pub(crate) fn for_test(id: u64) -> Self {
        Message {
            id,
            t_req: SimTime::ZERO,
            customer: 0,
            origin: 0,
            template: 0,
            source: 0,
            carrier: 0,
            country: 0,
            parts: 1,
            root: SimTime::ZERO,
        }
    }
}

#[cfg(test)]
impl Inbound {
    /// A reply of `customer` to outbound message 1 (origin 8) of template 0.
    pub(crate) fn for_test(customer: u32) -> Self {
        Inbound {
            id: 0,
            customer,
            carrier: 0,
            country: 0,
            number: 0,
            template: 0,
            reply: 0,
            answers: 1,
            answers_origin: 8,
            root: SimTime::ZERO,
            predrawn: None,
        }
    }
}

/// Values in slots reused after they are freed: memory follows what is in flight.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T: Copy> Slab<T> {
    /// An empty slab.
    pub(crate) fn new() -> Self {
        Self { items: Vec::new(), free: Vec::new() }
    }

    /// Store `v`; returns its slot.
    pub(crate) fn insert(&mut self, v: T) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.items[s as usize] = v;
                s
            }
            None => {
                self.items.push(v);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Remove the value in `slot`.
    pub(crate) fn take(&mut self, slot: u32) -> T {
        self.free.push(slot);
        self.items[slot as usize]
    }

    /// The value in `slot`.
    pub(crate) fn get(&self, slot: u32) -> T {
        self.items[slot as usize]
    }

    /// The value in `slot`, to change.
    pub(crate) fn get_mut(&mut self, slot: u32) -> &mut T {
        &mut self.items[slot as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slab_reuses_freed_slots() {
        let mut s = Slab::new();
        let (a, b) = (s.insert(1u8), s.insert(2));
        assert_eq!((a, b), (0, 1));
        assert_eq!(s.take(a), 1);
        assert_eq!(s.insert(3), 0, "slot 0 is reused");
        assert_eq!(s.get(1), 2);
    }
}
