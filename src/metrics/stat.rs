//! A distribution of durations: exact count, sum and maximum, and an HDR histogram for
//! percentiles.

use crate::engine::SimTime;
use hdrhistogram::Histogram;

/// A distribution of durations: exact count, sum and maximum, and an HDR histogram with
/// three significant digits for percentiles (within 0.1%).
#[derive(Debug, Clone)]
pub struct Stat {
    hist: Histogram<u64>,
    sum: u128,
    max: u64,
    count: u64,
}

impl Default for Stat {
    fn default() -> Self {
        Self { hist: Histogram::new(3).expect("3 significant digits is valid"), sum: 0, max: 0, count: 0 }
    }
}

impl Stat {
    /// Record one duration.
    #[inline]
    pub fn record(&mut self, d: SimTime) {
        let us = d.as_micros();
        // The histogram resizes itself; `saturating_record` would clamp to its initial range.
        if self.hist.record(us).is_err() {
            self.hist.saturating_record(us);
        }
        self.sum += us as u128;
        self.max = self.max.max(us);
        self.count += 1;
    }
    /// Add every duration recorded in `other`: the result is the same as recording them
    /// here (HDR histograms of one precision add bucket by bucket).
    pub fn merge(&mut self, other: &Stat) {
        // Both auto-resize, so the addition cannot run out of range.
        self.hist.add(&other.hist).expect("auto-resizing histograms add");
        self.sum += other.sum;
        self.max = self.max.max(other.max);
        self.count += other.count;
    }

    /// How many were recorded.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// Exact mean, rounded to the microsecond.
    pub fn mean(&self) -> Option<SimTime> {
        (self.count > 0)
            .then(|| SimTime::from_micros(((self.sum + self.count as u128 / 2) / self.count as u128) as u64))
    }
    /// Exact mean in seconds, unrounded.
    pub fn mean_secs(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64 / 1e6)
    }
    /// Exact maximum.
    pub fn max(&self) -> Option<SimTime> {
        (self.count > 0).then_some(SimTime::from_micros(self.max))
    }
    /// The `q` quantile (0 to 1), within 0.1%.
    pub fn quantile(&self, q: f64) -> Option<SimTime> {
        (self.count > 0).then(|| SimTime::from_micros(self.hist.value_at_quantile(q).min(self.max)))
    }
}
