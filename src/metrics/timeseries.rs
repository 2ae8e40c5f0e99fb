//! The per-interval time series (`timeseries.csv`), streamed: an interval's rows are
//! closed as soon as time passes it; ends told ahead wait in the intervals after it.

use super::Seen;
use crate::engine::SimTime;
use crate::model::observe::NO_POOL;
use crate::scenario::Scenario;
use crate::sms::Money;
use std::collections::VecDeque;

/// One row of `timeseries.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsRow {
    /// Interval start.
    pub t: SimTime,
    /// Scope index: 0 total, then pools, then carriers.
    pub scope: u32,
    /// Messages waiting at the interval's end.
    pub queue_depth: u64,
    /// Parts transmitted in the interval.
    pub sent_parts: u64,
    /// Delivered in the interval.
    pub delivered: u64,
    /// Failed in the interval.
    pub failed: u64,
    /// Inbound messages in the interval.
    pub inbound: u64,
    /// Cumulative spend at the interval's end.
    pub spend: Money,
    /// Ended unreachable in the interval.
    pub unreachable: u64,
    /// Expired in the interval.
    pub expired: u64,
    /// Refused before sending in the interval: throttled, unroutable or a blocked state.
    pub blocked: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ScopeNow {
    pub(super) queue_depth: u64,
    pub(super) sent_parts: u64,
    pub(super) delivered: u64,
    pub(super) failed: u64,
    pub(super) inbound: u64,
    pub(super) spend: Money,
    pub(super) unreachable: u64,
    pub(super) expired: u64,
    pub(super) blocked: u64,
}

/// The time series, streamed: an interval's rows are closed as soon as time passes it.
#[derive(Debug, Clone)]
pub struct Timeseries {
    pub(super) interval: u64,
    pub(super) buckets: u64,
    pub(super) current: u64,
    /// The first microsecond after the open interval (or `u64::MAX` in the last one).
    pub(super) open_until: u64,
    pools: u32,
    scopes: Vec<ScopeNow>,
    /// Ends told ahead for the intervals after the open one, as (delivered, expired) by
    /// scope: the first `scopes.len()` are the next interval's, and so on.
    ahead: VecDeque<(u64, u64)>,
    /// Closed rows, in time then scope order.
    pub rows: Vec<TsRow>,
}

/// How many intervals past the open one ends may be told ahead: a bound on what they
/// hold (16 bytes per scope and interval), not on what the run may do (an end further
/// ahead is told at its instant).
const AHEAD: u64 = 4096;

impl Timeseries {
    pub(super) fn new(sc: &Scenario) -> Self {
        let interval = sc.metrics_interval.as_micros();
        let buckets = sc.horizon.as_micros().div_ceil(interval).max(1);
        let mut scopes = vec![ScopeNow::default(); 1 + sc.pools.len() + sc.carriers.len()];
        scopes[0].spend = sc.spent;
        let open_until = open_until(interval, buckets, 0);
        Self {
            interval,
            buckets,
            current: 0,
            open_until,
            pools: sc.pools.len() as u32,
            scopes,
            ahead: VecDeque::new(),
            rows: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn advance(&mut self, t: SimTime) {
        // Nearly every observation falls in the open interval: one comparison, no division.
        if t.as_micros() < self.open_until {
            return;
        }
        let k = index_of(self.interval, self.buckets, t.as_micros());
        while self.current < k {
            self.close();
        }
    }

    fn close(&mut self) {
        let t = SimTime::from_micros(self.current * self.interval);
        for (i, s) in self.scopes.iter_mut().enumerate() {
            self.rows.push(TsRow {
                t,
                scope: i as u32,
                queue_depth: s.queue_depth,
                sent_parts: s.sent_parts,
                delivered: s.delivered,
                failed: s.failed,
                inbound: s.inbound,
                spend: s.spend,
                unreachable: s.unreachable,
                expired: s.expired,
                blocked: s.blocked,
            });
            *s = ScopeNow { queue_depth: s.queue_depth, spend: s.spend, ..ScopeNow::default() };
        }
        self.current += 1;
        self.open_until = open_until(self.interval, self.buckets, self.current);
        if !self.ahead.is_empty() {
            let n = self.scopes.len();
            for (s, (delivered, expired)) in self.scopes.iter_mut().zip(self.ahead.drain(..n)) {
                s.delivered += delivered;
                s.expired += expired;
            }
        }
    }

    /// Until when ends may be told ahead: the end of the `AHEAD`-th interval after the
    /// open one.
    pub(super) fn ahead_until(&self) -> SimTime {
        ahead_until(self.interval, self.buckets, self.current)
    }

    /// Count a delivery (or, if not `delivered`, an expiry) told ahead, at `o.t`, which
    /// lies in the open interval or after it, before [`Timeseries::ahead_until`].
    pub(super) fn ahead(&mut self, o: &Seen, delivered: bool) {
        let t = o.t.as_micros();
        if t < self.open_until {
            return self.each(o, |s| if delivered { s.delivered += 1 } else { s.expired += 1 });
        }
        let n = self.scopes.len();
        let k = index_of(self.interval, self.buckets, t);
        let at = (k - self.current - 1) as usize * n;
        if self.ahead.len() < at + n {
            self.ahead.resize(at + n, (0, 0));
        }
        let ahead = &mut self.ahead;
        scopes_of(self.pools, o.pool, o.carrier, |i| {
            let e = &mut ahead[at + i];
            if delivered {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        });
    }

    /// Close every remaining interval up to the horizon.
    pub(super) fn finish(&mut self) {
        while self.current < self.buckets {
            self.close();
        }
    }

    /// Scope names in index order: `total`, `number:<id>`, `carrier:<id>`.
    pub fn scope_names(sc: &Scenario) -> Vec<String> {
        std::iter::once("total".to_string())
            .chain(sc.pools.iter().map(|p| format!("number:{}", p.id)))
            .chain(sc.carriers.iter().map(|c| format!("carrier:{}", c.id)))
            .collect()
    }

    /// Count an expiry: in the open interval, or, when found at the horizon after the
    /// series closed (queued past its TTL), in the last interval, which holds the
    /// horizon's events.
    pub(super) fn expired(&mut self, o: &Seen) {
        if self.current < self.buckets {
            return self.each(o, |s| s.expired += 1);
        }
        let last = self.rows.len() - self.scopes.len();
        let rows = &mut self.rows;
        scopes_of(self.pools, o.pool, o.carrier, |i| rows[last + i].expired += 1);
    }

    #[inline]
    pub(super) fn each(&mut self, o: &Seen, f: impl FnMut(&mut ScopeNow)) {
        self.each_at(o.pool, o.carrier, f);
    }

    /// `f` on each scope of `pool` and `carrier` ([`scopes_of`]).
    #[inline]
    pub(super) fn each_at(&mut self, pool: u32, carrier: u32, mut f: impl FnMut(&mut ScopeNow)) {
        let scopes = &mut self.scopes;
        scopes_of(self.pools, pool, carrier, |i| f(&mut scopes[i]));
    }
}

/// `f` on the index of each scope an observation of `pool` (or none) and `carrier`
/// counts in, of a series with `pools` pools: the total, its pool, its carrier (written
/// out, not as an array of options: the metrics' thread does this twice a message).
#[inline]
fn scopes_of(pools: u32, pool: u32, carrier: u32, mut f: impl FnMut(usize)) {
    f(0);
    if pool != NO_POOL {
        f(1 + pool as usize);
    }
    f(1 + pools as usize + carrier as usize);
}

/// The index of the interval holding `t` (microseconds), of `buckets` intervals of
/// `interval`: the last holds everything after.
#[inline]
pub(super) fn index_of(interval: u64, buckets: u64, t: u64) -> u64 {
    (t / interval).min(buckets - 1)
}

/// The first microsecond after interval `current` (or `u64::MAX` in the last one).
#[inline]
pub(super) fn open_until(interval: u64, buckets: u64, current: u64) -> u64 {
    if current + 1 < buckets { (current + 1) * interval } else { u64::MAX }
}

/// Until when ends may be told ahead with interval `current` open: the end of the
/// `AHEAD`-th interval after it.
#[inline]
pub(super) fn ahead_until(interval: u64, buckets: u64, current: u64) -> SimTime {
    let k = current + 1 + AHEAD;
    if k >= buckets { SimTime::MAX } else { SimTime::from_micros(k * interval) }
}
