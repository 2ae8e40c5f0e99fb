//! Observers that turn the world's observations into statistics: end-state counts, cost,
//! queue-wait and latency distributions, and the per-interval time series.

pub mod relay;
pub mod stat;
pub mod stats;
pub mod summary;
mod timeseries;

use crate::engine::SimTime;
use crate::model::observe::{BlastObs, DeliveryObs, EndState, InboundObs, Obs, ObsKind, Observer, PerDelivery, PerEnd};
use crate::scenario::Scenario;
use crate::sms::Money;
pub use stat::Stat;
pub use summary::{InboundCounts, Summary};
pub use timeseries::{Timeseries, TsRow};

/// What the metrics read of an observation ([`Obs`]): the metrics kept beside the world
/// are told these, a note two thirds the size of an [`Obs`] that both threads move.
#[derive(Debug, Clone, Copy)]
struct Seen {
    t: SimTime,
    t_req: SimTime,
    cost: Money,
    fee: Money,
    pool: u32,
    carrier: u32,
    parts: u32,
    source: u16,
    kind: ObsKind,
}

impl Seen {
    #[inline]
    fn of(o: &Obs) -> Self {
        let Obs { t, t_req, cost, fee, pool, carrier, parts, source, kind, .. } = *o;
        Seen { t, t_req, cost, fee, pool, carrier, parts, source, kind }
    }
}

/// Everything `summary.csv` and `timeseries.csv` need from one run.
#[derive(Debug, Clone)]
pub struct Metrics {
    /// Outbound requests.
    pub requested: u64,
    /// Parts transmitted.
    pub parts_sent: u64,
    /// Requests by end state.
    pub ends: PerEnd<u64>,
    /// Outbound base price charged.
    pub cost_messages: Money,
    /// Of `cost_messages`: the fraud filter's fees (SPEC 8).
    pub cost_protect_fees: Money,
    /// Outbound carrier fees charged.
    pub cost_carrier_fees: Money,
    /// Inbound charges (price and fees).
    pub cost_inbound: Money,
    /// Request to first part transmitted (from the sources', once the run is over).
    pub queue_wait: Stat,
    /// Request to delivery (from the sources', once the run is over).
    pub latency: Stat,
    /// First `blocked_spend_limit`.
    pub spend_limit_hit: Option<SimTime>,
    /// The last observation of any kind (a request, an end of any state, an inbound
    /// message, a subscriber delivery): how far the charts reach.
    pub last_activity: SimTime,
    /// Last transmission: when the outbound queues last drained.
    pub last_transmit: Option<SimTime>,
    /// The time series.
    pub timeseries: Timeseries,
    /// Inbound message counts.
    pub inbound: InboundCounts,
    /// Subscriber deliveries by end state.
    pub deliveries: PerDelivery<u64>,
    /// Retries made by every delivery.
    pub subscriber_retries: u64,
    /// Per flow outcome: count and time from the conversation's first request.
    pub outcomes: Vec<Stat>,
    /// Requests handed to a failover pool.
    pub failed_over: u64,
    /// Requests held for their sending window.
    pub held_for_window: u64,
    /// Messages transmitted outside their sending window.
    pub sent_outside_window: u64,
    /// Per source of requests (`sources.csv`).
    pub sources: Vec<SourceMetrics>,
}

/// What `sources.csv` needs of one source.
#[derive(Debug, Clone, Default)]
pub struct SourceMetrics {
    /// Requests made.
    pub requested: u64,
    /// Requests by end state.
    pub ends: PerEnd<u64>,
    /// Request to first part transmitted.
    pub queue_wait: Stat,
    /// Request to delivery.
    pub latency: Stat,
    /// Its first request.
    pub first_request: Option<SimTime>,
    /// Its last transmission.
    pub last_transmit: Option<SimTime>,
    /// What its messages were charged.
    pub cost: Money,
    /// Requests handed to a failover pool.
    pub failed_over: u64,
    /// Requests held for their sending window.
    pub held_for_window: u64,
    /// Messages transmitted outside their sending window.
    pub sent_outside_window: u64,
}

impl Metrics {
    /// Empty metrics for `sc`.
    pub fn new(sc: &Scenario) -> Self {
        Self {
            requested: 0,
            parts_sent: 0,
            ends: PerEnd::default(),
            cost_messages: Money::ZERO,
            cost_protect_fees: Money::ZERO,
            cost_carrier_fees: Money::ZERO,
            cost_inbound: Money::ZERO,
            queue_wait: Stat::default(),
            latency: Stat::default(),
            spend_limit_hit: None,
            last_activity: SimTime::ZERO,
            last_transmit: None,
            timeseries: Timeseries::new(sc),
            inbound: InboundCounts::default(),
            deliveries: PerDelivery::default(),
            subscriber_retries: 0,
            outcomes: vec![Stat::default(); sc.outcomes.len()],
            failed_over: 0,
            held_for_window: 0,
            sent_outside_window: 0,
            sources: vec![SourceMetrics::default(); sc.sources.len()],
        }
    }

    /// Requests in `state`.
    pub fn count(&self, state: EndState) -> u64 {
        self.ends[state]
    }

    /// Outbound requests that reached an end state so far.
    pub fn settled(&self) -> u64 {
        self.ends.values().iter().sum()
    }

    /// Close the time series at the horizon.
    pub fn finish(&mut self) {
        self.timeseries.finish();
    }

    /// After the run: the run's queue-wait and latency distributions from its sources'.
    pub fn gather(&mut self) {
        let (mut q, mut l) = (Stat::default(), Stat::default());
        for s in &self.sources {
            q.merge(&s.queue_wait);
            l.merge(&s.latency);
        }
        (self.queue_wait, self.latency) = (q, l);
    }
}

/// What the metrics count of an inbound message ([`InboundObs`]).
#[derive(Debug, Clone, Copy)]
struct Tally {
    t: SimTime,
    pool: u32,
    carrier: u32,
    cost: Money,
    dropped: bool,
    keyword: bool,
    opted_out: bool,
    auto_response: bool,
    published: u64,
}

impl Tally {
    fn of(i: &InboundObs<'_>) -> Self {
        Tally {
            t: i.t,
            pool: i.pool,
            carrier: i.carrier,
            cost: i.cost,
            dropped: i.dropped,
            keyword: i.keyword.is_some(),
            opted_out: i.opted_out,
            auto_response: i.auto_response,
            published: i.topics.len() as u64,
        }
    }
}

impl Metrics {
    /// Count an inbound message.
    fn tally(&mut self, i: &Tally) {
        self.timeseries.advance(i.t);
        self.last_activity = self.last_activity.max(i.t);
        let n = &mut self.inbound;
        n.inbound += 1;
        n.dropped += i.dropped as u64;
        n.keyword += i.keyword as u64;
        n.opt_outs += i.opted_out as u64;
        n.auto_responses += i.auto_response as u64;
        n.published += i.published;
        self.cost_inbound += i.cost;
        let cost = i.cost;
        self.timeseries.each_at(i.pool, i.carrier, |s| {
            s.inbound += 1;
            s.spend += cost;
        });
    }
}

/// What an end in `state` counts, told in time or ahead: the run's and its source's end
/// states, and a delivery's latency.
#[inline]
fn count_end(ends: &mut PerEnd<u64>, src: &mut SourceMetrics, o: &Seen, state: EndState) {
    ends[state] += 1;
    src.ends[state] += 1;
    if state == EndState::Delivered {
        src.latency.record(o.t - o.t_req);
    }
}

impl Metrics {
    /// What `observe` makes of an observation, from what it reads of it.
    #[inline]
    fn seen(&mut self, o: &Seen) {
        self.timeseries.advance(o.t);
        self.last_activity = self.last_activity.max(o.t);
        let src = &mut self.sources[o.source as usize];
        match o.kind {
            ObsKind::Requested => {
                self.requested += 1;
                src.requested += 1;
                src.first_request.get_or_insert(o.t);
            }
            ObsKind::Queued => self.timeseries.each(o, |s| s.queue_depth += 1),
            // (`blast` below counts what these two count, for many at once.)
            ObsKind::FailedOver => {
                self.failed_over += 1;
                src.failed_over += 1;
            }
            ObsKind::Held => {
                self.held_for_window += 1;
                src.held_for_window += 1;
            }
            ObsKind::OutsideWindow => {
                self.sent_outside_window += 1;
                src.sent_outside_window += 1;
            }
            ObsKind::Screened => {
                // The fraud filter's fee: a message cost (SPEC 8).
                src.cost += o.cost;
                self.cost_messages += o.cost;
                self.cost_protect_fees += o.cost;
                let fee = o.cost;
                self.timeseries.each(o, |s| s.spend += fee);
            }
            ObsKind::Transmitted => {
                // Recorded per source only; the run's distribution is their merge
                // (`gather`), the same numbers at half the cost per message.
                src.last_transmit = Some(o.t);
                src.queue_wait.record(o.t - o.t_req);
                src.cost += o.cost + o.fee;
                self.last_transmit = Some(o.t);
                self.parts_sent += o.parts as u64;
                self.cost_messages += o.cost;
                self.cost_carrier_fees += o.fee;
                let charge = o.cost + o.fee;
                let parts = o.parts as u64;
                self.timeseries.each(o, |s| {
                    s.queue_depth -= 1;
                    s.sent_parts += parts;
                    s.spend += charge;
                });
            }
            ObsKind::End { state, queued } => {
                count_end(&mut self.ends, src, o, state);
                if queued {
                    self.timeseries.each(o, |s| s.queue_depth -= 1);
                }
                if o.cost != Money::ZERO || o.fee != Money::ZERO {
                    // Blocked at a cap that bills it (SPEC 6.2).
                    src.cost += o.cost + o.fee;
                    self.cost_messages += o.cost;
                    self.cost_carrier_fees += o.fee;
                    let charge = o.cost + o.fee;
                    self.timeseries.each(o, |s| s.spend += charge);
                }
                match state {
                    EndState::Delivered => self.timeseries.each(o, |s| s.delivered += 1),
                    EndState::Failed => self.timeseries.each(o, |s| s.failed += 1),
                    EndState::Unreachable => self.timeseries.each(o, |s| s.unreachable += 1),
                    EndState::Expired => self.timeseries.expired(o),
                    EndState::Pending => {}
                    EndState::Throttled
                    | EndState::BlockedOptOut
                    | EndState::BlockedSpendLimit
                    | EndState::BlockedDailyCap
                    | EndState::Unroutable
                    | EndState::BlockedProtect => {
                        if state == EndState::BlockedSpendLimit {
                            self.spend_limit_hit.get_or_insert(o.t);
                        }
                        self.timeseries.each(o, |s| s.blocked += 1);
                    }
                }
            }
        }
    }

    /// What `ahead` makes of an end told ahead, from what it reads of it.
    fn seen_ahead(&mut self, o: &Seen) {
        // What `observe` makes of an end with no charge that was not queued.
        debug_assert!(o.cost == Money::ZERO && o.fee == Money::ZERO);
        debug_assert!(matches!(o.kind, ObsKind::End { queued: false, state: EndState::Delivered | EndState::Expired }));
        debug_assert!(o.t < self.timeseries.ahead_until(), "told ahead past what the series holds");
        let ObsKind::End { state, .. } = o.kind else { return };
        self.last_activity = self.last_activity.max(o.t);
        count_end(&mut self.ends, &mut self.sources[o.source as usize], o, state);
        self.timeseries.ahead(o, state == EndState::Delivered);
    }
}

impl Observer for Metrics {
    #[inline]
    fn observe(&mut self, o: &Obs) {
        self.seen(&Seen::of(o));
    }

    fn bulk(&self) -> bool {
        true
    }

    fn blast(&mut self, b: &BlastObs<'_>) {
        self.timeseries.advance(b.t);
        self.last_activity = self.last_activity.max(b.t);
        let n: u64 = b.by_carrier.iter().sum();
        self.requested += n;
        let src = &mut self.sources[b.source as usize];
        src.requested += n;
        src.first_request.get_or_insert(b.t);
        for (carrier, &k) in b.by_carrier.iter().enumerate() {
            if k > 0 {
                self.timeseries.each_at(b.pool, carrier as u32, |s| s.queue_depth += k);
            }
        }
    }

    #[inline]
    fn ahead_until(&self) -> SimTime {
        self.timeseries.ahead_until()
    }

    fn ahead(&mut self, o: &Obs) {
        self.seen_ahead(&Seen::of(o));
    }

    fn inbound(&mut self, i: &InboundObs<'_>) {
        self.tally(&Tally::of(i));
    }

    fn delivery(&mut self, d: &DeliveryObs) {
        self.timeseries.advance(d.t);
        self.last_activity = self.last_activity.max(d.t);
        self.deliveries[d.state] += 1;
        self.subscriber_retries += d.retries;
    }

    fn outcome(&mut self, t: SimTime, outcome: usize, since: SimTime) {
        self.timeseries.advance(t);
        self.outcomes[outcome].record(t - since);
    }
}
