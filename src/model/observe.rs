//! What the world reports as it runs. Metrics, the event log and tests are observers; the
//! world knows none of them.

use crate::engine::SimTime;
use crate::scenario::Money;

/// The nine end states of an outbound request (SPEC 4.1.7), in `summary.csv` order.
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
}

impl EndState {
    /// All states, in column order.
    pub const ALL: [EndState; 9] = [
        EndState::Delivered,
        EndState::Failed,
        EndState::Unreachable,
        EndState::Expired,
        EndState::Throttled,
        EndState::BlockedOptOut,
        EndState::BlockedSpendLimit,
        EndState::BlockedDailyCap,
        EndState::Pending,
    ];
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
    /// Its first part left the number; it was charged.
    Transmitted,
    /// It ended; `queued` says whether it left a number's queue at that moment.
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
    /// Message parts.
    pub parts: u32,
    /// Base price charged (with `Transmitted`).
    pub cost: Money,
    /// Carrier fee charged (with `Transmitted`).
    pub fee: Money,
    /// Request time.
    pub t_req: SimTime,
}

/// A consumer of observations.
pub trait Observer {
    /// Record one observation; called in simulated time order.
    fn observe(&mut self, o: &Obs);
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        self.0.observe(o);
        self.1.observe(o);
    }
}

impl<A: Observer> Observer for Option<A> {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        if let Some(a) = self {
            a.observe(o);
        }
    }
}

impl<A: Observer + ?Sized> Observer for &mut A {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        (**self).observe(o);
    }
}

/// The observer that ignores everything.
impl Observer for () {
    #[inline]
    fn observe(&mut self, _: &Obs) {}
}
