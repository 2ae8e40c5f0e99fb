//! What the world reports as it runs. Metrics, the event log and tests are observers; the
//! world knows none of them.

pub use super::draws::{Side, Worker};
use crate::engine::SimTime;
use crate::sms::Money;
use crate::table::{Key, Table};

/// The end states of an outbound request (SPEC 4.1.7, 7.3): Part I's nine in `summary.csv`
/// order, then those Part II added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndState {
    /// Reached the handset.
    Delivered,
    /// The carrier failed it.
    Failed,
    /// The handset never receives.
    Unreachable,
    /// Past its TTL before transmission or delivery.
    Expired,
    /// Over the number's queue limit.
    Throttled,
    /// The destination had opted out.
    BlockedOptOut,
    /// Sending it would have passed the spend limit.
    BlockedSpendLimit,
    /// The carrier's daily parts were used up.
    BlockedDailyCap,
    /// Still in flight at the horizon.
    Pending,
    /// No pool of its source may send to the customer's country (SPEC 7.3).
    Unroutable,
    /// Refused by `[account] protect` or the template's `max_price_per_message_usd`
    /// (SPEC 8).
    BlockedProtect,
}

/// How many end states there are.
pub const END_STATES: usize = 11;

/// A value per end state.
pub type PerEnd<T> = Table<EndState, T, END_STATES>;

impl Key for EndState {
    const ALL: &'static [EndState] = &EndState::ALL;
    fn index(self) -> usize {
        self as usize
    }
}

impl EndState {
    /// All states, in column order.
    pub const ALL: [EndState; END_STATES] = [
        EndState::Delivered,
        EndState::Failed,
        EndState::Unreachable,
        EndState::Expired,
        EndState::Throttled,
        EndState::BlockedOptOut,
        EndState::BlockedSpendLimit,
        EndState::BlockedDailyCap,
        EndState::Pending,
        EndState::Unroutable,
        EndState::BlockedProtect,
    ];
    /// Part I's nine, whose columns follow `parts_sent` in `summary.csv`; later states'
    /// columns come after Part I's (SPEC Part II).
    pub const PART_I: &'static [EndState] = EndState::ALL.split_at(9).0;
    /// The column / event name.
    pub fn name(self) -> &'static str {
        match self {
            EndState::Delivered => "delivered",
            EndState::Failed => "failed",
            EndState::Unreachable => "unreachable",
            EndState::Expired => "expired",
            EndState::Throttled => "throttled",
            EndState::BlockedOptOut => "blocked_opt_out",
            EndState::BlockedSpendLimit => "blocked_spend_limit",
            EndState::BlockedDailyCap => "blocked_daily_cap",
            EndState::Pending => "pending",
            EndState::Unroutable => "unroutable",
            EndState::BlockedProtect => "blocked_protect",
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObsKind {
    /// A request was made.
    Requested,
    /// It joined a number's queue.
    Queued,
    /// Its pool could not take it (an outage, or over its queue limit): it goes to the
    /// pool's failover pool (`pool` is the pool it left).
    FailedOver,
    /// It was made outside its template's sending window: it waits, before any number,
    /// until the window opens for its recipient (SPEC 7.1).
    Held,
    /// The fraud filter screened it; it was charged the filter's fee (SPEC 8).
    Screened,
    /// Its first part left the number; it was charged.
    Transmitted,
    /// Just transmitted, outside its template's sending window for its recipient: the
    /// window holds requests, not a queue's messages (SPEC 7.1), and this one waited in
    /// its number's queue past the window's close.
    OutsideWindow,
    /// It ended; `queued` says whether it left a number's queue at that moment. A message
    /// blocked at a cap that bills it carries its charge.
    End {
        /// The end state.
        state: EndState,
        /// Whether it was still in a number's queue.
        queued: bool,
    },
}

/// No pool (the request ended before a number was picked).
pub const NO_POOL: u32 = u32::MAX;

/// One observation, by value: small and copyable.
#[derive(Debug, Clone, Copy)]
pub struct Obs {
    /// When.
    pub t: SimTime,
    /// What.
    pub kind: ObsKind,
    /// Message id, unique in the run.
    pub msg: u64,
    /// Pool index, or [`NO_POOL`].
    pub pool: u32,
    /// Number index within the pool.
    pub number: u32,
    /// Customer index.
    pub customer: u32,
    /// Customer's carrier index.
    pub carrier: u32,
    /// Customer's country index.
    pub country: u8,
    /// Message parts.
    pub parts: u32,
    /// Base price charged (with `Transmitted`).
    pub cost: Money,
    /// Carrier fee charged (with `Transmitted`).
    pub fee: Money,
    /// Request time.
    pub t_req: SimTime,
    /// Source index (`sources.csv`).
    pub source: u16,
}

/// An inbound message reaching a number (SPEC 4.2).
#[derive(Debug, Clone, Copy)]
pub struct InboundObs<'a> {
    /// Arrival time.
    pub t: SimTime,
    /// Inbound id, unique in the run.
    pub id: u64,
    /// Pool index.
    pub pool: u32,
    /// Number index within the pool.
    pub number: u32,
    /// Sending customer.
    pub customer: u32,
    /// Customer's carrier.
    pub carrier: u32,
    /// Customer's country index.
    pub country: u8,
    /// Parts.
    pub parts: u32,
    /// Inbound charge (price and carrier fee); zero when dropped.
    pub cost: Money,
    /// Dropped: the number cannot receive.
    pub dropped: bool,
    /// The keyword it matched, if any.
    pub keyword: Option<&'a str>,
    /// Its text.
    pub body: &'a str,
    /// The outbound message it answers.
    pub answers: u64,
    /// The customer went onto the opt-out list.
    pub opted_out: bool,
    /// A keyword response was requested.
    pub auto_response: bool,
    /// Topics it was published to.
    pub topics: &'a [usize],
}

/// How a subscriber delivery ended (SPEC 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Processed by the subscriber.
    Delivered,
    /// Retries exhausted, kept in the dead-letter queue.
    DeadLettered,
    /// Retries exhausted, discarded.
    Dropped,
    /// Still in progress at the horizon.
    Pending,
}

/// How many delivery end states there are.
pub const DELIVERY_STATES: usize = 4;

/// A value per delivery end state.
pub type PerDelivery<T> = Table<DeliveryState, T, DELIVERY_STATES>;

const _: () = assert!(<DeliveryState as Key>::ALL.len() == DELIVERY_STATES);

impl Key for DeliveryState {
    const ALL: &'static [DeliveryState] =
        &[DeliveryState::Delivered, DeliveryState::DeadLettered, DeliveryState::Dropped, DeliveryState::Pending];
    fn index(self) -> usize {
        self as usize
    }
}

impl DeliveryState {
    /// The event name.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Delivered => "delivered",
            DeliveryState::DeadLettered => "dead_lettered",
            DeliveryState::Dropped => "dropped",
            DeliveryState::Pending => "pending",
        }
    }
}

/// The end of one delivery of one publish to one subscription.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryObs {
    /// When it ended.
    pub t: SimTime,
    /// Inbound id of the publish.
    pub inbound: u64,
    /// Topic index.
    pub topic: u32,
    /// Subscription index within the topic.
    pub subscription: u32,
    /// How it ended.
    pub state: DeliveryState,
    /// Retries made (attempts after the first).
    pub retries: u64,
    /// Pool, number, customer and carrier of the inbound message.
    pub pool: u32,
    /// Number index within the pool.
    pub number: u32,
    /// The customer.
    pub customer: u32,
    /// The customer's carrier.
    pub carrier: u32,
    /// Customer's country index.
    pub country: u8,
}

/// The plain part of a blast, reported at once: requests made at `t` by source `source`
/// and queued at once in pool `pool` (each one [`ObsKind::Requested`] then
/// [`ObsKind::Queued`]), `by_carrier[c]` of them to customers of carrier `c`.
#[derive(Debug, Clone, Copy)]
pub struct BlastObs<'a> {
    /// When.
    pub t: SimTime,
    /// Source index.
    pub source: u16,
    /// Pool index.
    pub pool: u32,
    /// Requests by carrier.
    pub by_carrier: &'a [u64],
}

/// A consumer of observations, called in simulated time order (save for ends told ahead,
/// [`Observer::ahead`], to an observer that asks for them).
pub trait Observer {
    /// An outbound message event.
    fn observe(&mut self, o: &Obs);
    /// Whether it takes the plain part of a blast at once ([`Observer::blast`]); if not
    /// (the default), the world reports each request of it.
    fn bulk(&self) -> bool {
        false
    }
    /// The plain part of a blast (only if [`Observer::bulk`]).
    fn blast(&mut self, _b: &BlastObs<'_>) {}
    /// Until when (exclusive) it takes ends told ahead ([`Observer::ahead`]); the default,
    /// zero, takes none, and the world reports every end at its instant.
    fn ahead_until(&self) -> SimTime {
        SimTime::ZERO
    }
    /// An end that nothing else in the world depends on (a delivery, whose reply if any
    /// is drawn and queued apart; an expiry on the way), told when it became certain, at
    /// its transmission: `o.t`
    /// may lie ahead of observations still to come, though before
    /// [`Observer::ahead_until`]. An observer that takes it must make of it what it
    /// would have made of it in time order.
    fn ahead(&mut self, _o: &Obs) {}
    /// A thread beside the world's, on a machine with a core to spare for it, with time
    /// for the world's helpers (the draws of a large blast made ahead, see `draws`): the
    /// default, none, keeps the run in its own thread.
    fn side(&self) -> Option<Side> {
        None
    }
    /// An inbound message reached a number.
    fn inbound(&mut self, _i: &InboundObs<'_>) {}
    /// A subscriber delivery ended.
    fn delivery(&mut self, _d: &DeliveryObs) {}
    /// A flow recorded `outcome` at `t` for a conversation that began at `since`.
    fn outcome(&mut self, _t: SimTime, _outcome: usize, _since: SimTime) {}
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        self.0.observe(o);
        self.1.observe(o);
    }
    fn side(&self) -> Option<Side> {
        self.0.side().or_else(|| self.1.side())
    }
    fn bulk(&self) -> bool {
        self.0.bulk() && self.1.bulk()
    }
    fn blast(&mut self, b: &BlastObs<'_>) {
        self.0.blast(b);
        self.1.blast(b);
    }
    #[inline]
    fn ahead_until(&self) -> SimTime {
        self.0.ahead_until().min(self.1.ahead_until())
    }
    #[inline]
    fn ahead(&mut self, o: &Obs) {
        self.0.ahead(o);
        self.1.ahead(o);
    }
    fn inbound(&mut self, i: &InboundObs<'_>) {
        self.0.inbound(i);
        self.1.inbound(i);
    }
    fn delivery(&mut self, d: &DeliveryObs) {
        self.0.delivery(d);
        self.1.delivery(d);
    }
    fn outcome(&mut self, t: SimTime, outcome: usize, since: SimTime) {
        self.0.outcome(t, outcome, since);
        self.1.outcome(t, outcome, since);
    }
}

impl<A: Observer> Observer for Option<A> {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        if let Some(a) = self {
            a.observe(o);
        }
    }
    fn side(&self) -> Option<Side> {
        self.as_ref().and_then(|a| a.side())
    }
    fn bulk(&self) -> bool {
        self.as_ref().is_none_or(|a| a.bulk())
    }
    fn blast(&mut self, b: &BlastObs<'_>) {
        if let Some(a) = self {
            a.blast(b);
        }
    }
    #[inline]
    fn ahead_until(&self) -> SimTime {
        self.as_ref().map_or(SimTime::MAX, |a| a.ahead_until())
    }
    #[inline]
    fn ahead(&mut self, o: &Obs) {
        if let Some(a) = self {
            a.ahead(o);
        }
    }
    fn inbound(&mut self, i: &InboundObs<'_>) {
        if let Some(a) = self {
            a.inbound(i);
        }
    }
    fn delivery(&mut self, d: &DeliveryObs) {
        if let Some(a) = self {
            a.delivery(d);
        }
    }
    fn outcome(&mut self, t: SimTime, outcome: usize, since: SimTime) {
        if let Some(a) = self {
            a.outcome(t, outcome, since);
        }
    }
}

impl<A: Observer + ?Sized> Observer for &mut A {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        (**self).observe(o);
    }
    fn side(&self) -> Option<Side> {
        (**self).side()
    }
    fn bulk(&self) -> bool {
        (**self).bulk()
    }
    fn blast(&mut self, b: &BlastObs<'_>) {
        (**self).blast(b);
    }
    #[inline]
    fn ahead_until(&self) -> SimTime {
        (**self).ahead_until()
    }
    #[inline]
    fn ahead(&mut self, o: &Obs) {
        (**self).ahead(o);
    }
    fn inbound(&mut self, i: &InboundObs<'_>) {
        (**self).inbound(i);
    }
    fn delivery(&mut self, d: &DeliveryObs) {
        (**self).delivery(d);
    }
    fn outcome(&mut self, t: SimTime, outcome: usize, since: SimTime) {
        (**self).outcome(t, outcome, since);
    }
}

/// The observer that ignores everything.
impl Observer for () {
    #[inline]
    fn observe(&mut self, _: &Obs) {}
    fn bulk(&self) -> bool {
        true
    }
    fn ahead_until(&self) -> SimTime {
        SimTime::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_index_their_own_position() {
        for (i, &s) in <EndState as Key>::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
        }
        for (i, &s) in <DeliveryState as Key>::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }
}
