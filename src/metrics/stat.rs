//! A distribution of durations: exact count, sum and maximum, and counts in the buckets
//! of an HDR histogram with three significant digits for percentiles.
//!
//! The buckets and the percentile rule are those of `hdrhistogram` (7.6, three
//! significant digits, lowest discernible value 1, auto-resizing), written out here
//! because a record is on the metrics' path twice a message: leaving out the crate's
//! checks, its minimum and maximum and its `Result` cut the metrics thread's instructions
//! by a quarter. A test records the same values in both and asks both the same
//! percentiles, merges included; the answers are the crate's to the microsecond.

use crate::engine::SimTime;

/// Below this, a bucket's sub-buckets are one microsecond wide (2,048 = the power of two
/// at or above 2 x 10^3, for three significant digits).
const SUB_BUCKETS: u64 = 2048;
/// log2 of half the sub-buckets: where a bucket's index starts.
const HALF_MAGNITUDE: u32 = 10;
const HALF: u64 = 1 << HALF_MAGNITUDE;
/// 64 less the bits of the largest value in bucket 0 (`SUB_BUCKETS - 1`).
const ZEROS_BASE: u32 = 64 - (HALF_MAGNITUDE + 1);

/// The bucket of `v`: how many doublings it lies past what bucket 0 holds.
#[inline]
fn bucket_of(v: u64) -> u32 {
    ZEROS_BASE - (v | (SUB_BUCKETS - 1)).leading_zeros()
}

/// The counts' index of `v`.
#[inline]
fn index_of(v: u64) -> usize {
    let b = bucket_of(v);
    (((b as u64 + 1) << HALF_MAGNITUDE) + (v >> b) - HALF) as usize
}

/// The lowest value that index `i` counts.
fn value_at(i: usize) -> u64 {
    let (b, sub) = match (i as u64 >> HALF_MAGNITUDE).checked_sub(1) {
        Some(b) => (b, (i as u64 & (HALF - 1)) + HALF),
        None => (0, i as u64 & (HALF - 1)),
    };
    sub << b
}

/// The highest value counted with `v` (its bucket's last).
fn highest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    ((v >> b) << b).saturating_add(1 << b).wrapping_sub(1).max(v)
}

/// A distribution of durations: exact count, sum and maximum, and HDR buckets with three
/// significant digits for percentiles (within 0.1%).
#[derive(Debug, Clone, Default)]
pub struct Stat {
    /// Per bucket index ([`index_of`]), how many were recorded; as long as the largest
    /// index recorded needs.
    counts: Vec<u64>,
    sum: u128,
    max: u64,
    count: u64,
}

impl Stat {
    /// Record one duration.
    #[inline]
    pub fn record(&mut self, d: SimTime) {
        let us = d.as_micros();
        let i = index_of(us);
        match self.counts.get_mut(i) {
            Some(c) => *c += 1,
            None => self.grow(i),
        }
        self.sum += us as u128;
        self.max = self.max.max(us);
        self.count += 1;
    }

    /// Count one at index `i`, past the counts so far.
    #[cold]
    fn grow(&mut self, i: usize) {
        self.counts.resize(i + 1, 0);
        self.counts[i] = 1;
    }

    /// Add every duration recorded in `other`: the result is the same as recording them
    /// here (buckets of one precision add one by one).
    pub fn merge(&mut self, other: &Stat) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
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
        (self.count > 0).then(|| self.scan(q, &mut (0, 0)))
    }

    /// The quantiles `qs` (0 to 1), as [`Stat::quantile`] gives each: in one pass over the
    /// buckets when asked in increasing order (a smaller one starts the pass again).
    pub fn quantiles(&self, qs: &[f64]) -> Vec<Option<SimTime>> {
        let mut at = (0, 0);
        qs.iter().map(|&q| (self.count > 0).then(|| self.scan(q, &mut at))).collect()
    }

    /// The `q` quantile of a recorded `Stat`, scanning on from `at`: the running count
    /// below bucket `at.1`, left where the answer was found.
    fn scan(&self, q: f64, at: &mut (u64, usize)) -> SimTime {
        // hdrhistogram's `value_at_quantile`: the first bucket whose running count
        // reaches ceil(q x count) (at least one), and its highest value (its lowest for
        // q = 0).
        let q = if q > 1.0 { 1.0 } else { q };
        let target = ((q * self.count as f64).ceil() as u64).max(1);
        if target > self.count {
            // Past every count (a count above 2^53, rounded up): the crate answers 0.
            return SimTime::ZERO;
        }
        let (below, i) = at;
        if target <= *below {
            // Reached before bucket `i`: asked out of order.
            (*below, *i) = (0, 0);
        }
        while *below + self.counts[*i] < target {
            *below += self.counts[*i];
            *i += 1;
        }
        let v = value_at(*i);
        let v = if q == 0.0 { v } else { highest_equivalent(v) };
        SimTime::from_micros(v.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    fn hdr() -> Histogram<u64> {
        Histogram::new(3).expect("3 significant digits is valid")
    }

    /// The same values recorded here and in the crate: the same answer to every
    /// quantile, the largest value included (the crate's own answer, capped at the
    /// exact maximum, as this type always did).
    fn agree(values: &[u64], qs: &[f64]) {
        let (mut s, mut h) = (Stat::default(), hdr());
        for &v in values {
            s.record(SimTime::from_micros(v));
            h.record(v).unwrap_or_else(|_| h.saturating_record(v));
        }
        let max = values.iter().copied().max().unwrap_or(0);
        let mut sorted = qs.to_vec();
        sorted.sort_by(f64::total_cmp);
        // In one pass (increasing), and as given (out of order: the pass starts again).
        for asks in [&sorted, qs] {
            let all = s.quantiles(asks);
            for (k, &q) in asks.iter().enumerate() {
                let want = (!values.is_empty()).then(|| SimTime::from_micros(h.value_at_quantile(q).min(max)));
                assert_eq!(s.quantile(q), want, "q {q} over {} values", values.len());
                assert_eq!(all[k], want, "q {q} of {} asked at once", asks.len());
            }
        }
        assert_eq!(s.count(), h.len());
        // Each value's bucket: its lowest and highest values are the crate's.
        for &v in values {
            assert_eq!(value_at(index_of(v)), h.lowest_equivalent(v), "lowest of {v}'s bucket");
            assert_eq!(highest_equivalent(v), h.highest_equivalent(v), "highest of {v}'s bucket");
        }
    }

    fn qs(x: &mut u64) -> Vec<f64> {
        let mut q = vec![0.0, 1e-9, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 - 1e-12, 1.0, 1.5, -0.5, f64::NAN];
        q.extend((1..=200).map(|i| i as f64 / 200.0));
        q.extend((0..100).map(|_| (next(x) >> 11) as f64 / (1u64 << 53) as f64));
        q
    }

    fn next(x: &mut u64) -> u64 {
        *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::engine::rng::mix64(*x)
    }

    #[test]
    fn buckets_and_percentiles_are_hdrhistograms() {
        let mut x = 7u64;
        let q = qs(&mut x);
        agree(&[], &q);
        agree(&[0], &q);
        agree(&[u64::MAX], &q);
        agree(&[0, u64::MAX, 1, 2047, 2048, 2049, 4095, 4096, 4097, 1 << 40, (1 << 40) - 1], &q);
        // Every edge of the first buckets, and each side of every power of two.
        let edges: Vec<u64> = (0..64).flat_map(|b| [(1u64 << b) - 1, 1 << b, (1 << b) + 1]).collect();
        agree(&edges, &q);
        agree(&(0..5000).collect::<Vec<_>>(), &q);
        for scale in [10u32, 24, 33, 45, 64] {
            let values: Vec<u64> =
                (0..20_000).map(|_| if scale == 64 { next(&mut x) } else { next(&mut x) >> (64 - scale) }).collect();
            agree(&values, &q);
        }
        // Latency-like: a skewed spread from three seconds up, in microseconds.
        let values: Vec<u64> = (0..50_000).map(|_| 3_000_000 + (next(&mut x) >> 42) * (next(&mut x) >> 60)).collect();
        agree(&values, &q);
    }

    #[test]
    fn a_merge_is_the_crates_addition() {
        let mut x = 11u64;
        let q = qs(&mut x);
        let parts: Vec<Vec<u64>> =
            [12u32, 30, 50, 20].iter().map(|&bits| (0..3000).map(|_| next(&mut x) >> (64 - bits)).collect()).collect();
        let (mut s, mut h) = (Stat::default(), hdr());
        for p in &parts {
            let (mut sp, mut hp) = (Stat::default(), hdr());
            for &v in p {
                sp.record(SimTime::from_micros(v));
                hp.record(v).expect("auto-resizing");
            }
            s.merge(&sp);
            h.add(&hp).expect("auto-resizing histograms add");
        }
        let max = parts.iter().flatten().copied().max().expect("values");
        for &v in &q {
            assert_eq!(s.quantile(v), Some(SimTime::from_micros(h.value_at_quantile(v).min(max))), "q {v}");
        }
        let all: Vec<u64> = parts.concat();
        assert_eq!(s.count(), all.len() as u64);
        assert_eq!(s.max(), Some(SimTime::from_micros(max)));
        let sum: u128 = all.iter().map(|&v| v as u128).sum();
        assert_eq!(s.mean(), Some(SimTime::from_micros(((sum + all.len() as u128 / 2) / all.len() as u128) as u64)));
    }
}
