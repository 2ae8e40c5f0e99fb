//! Delivery retry schedules (SPEC 4.4): when each attempt of a delivery happens.
//!
//! Attempt 0 is at the publish; retry r (1-based) follows after `delay(r)`. The offset of
//! attempt k is monotone in k, so "the first attempt at or after t" is a binary search:
//! a ten-day outage under a 100,000-retry policy costs a few dozen arithmetic steps and
//! no events.

use crate::engine::SimTime;

/// A delivery retry policy in the provider's terms: after the first attempt, immediate
/// retries, then retries `min_delay` apart, then backoff from `min_delay` to `max_delay`,
/// then retries `max_delay` apart, `num_retries` in all.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub num_retries: u32,
    /// Retries with no delay.
    pub num_no_delay_retries: u32,
    /// Retries `min_delay` apart.
    pub num_min_delay_retries: u32,
    /// Shortest delay.
    pub min_delay: SimTime,
    /// Retries `max_delay` apart, at the end.
    pub num_max_delay_retries: u32,
    /// Longest delay.
    pub max_delay: SimTime,
    /// How backoff delays grow.
    pub backoff: Backoff,
}

/// How delays grow in the backoff phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Evenly from the shortest to the longest delay.
    #[default]
    Linear,
    /// By the square of the step.
    Arithmetic,
    /// By a constant ratio.
    Geometric,
    /// By powers of two.
    Exponential,
}

/// A policy turned into attempt offsets.
#[derive(Debug, Clone)]
pub struct Schedule {
    n0: u64,
    n1: u64,
    min: u64,
    nb: u64,
    max: u64,
    total_retries: u64,
    /// Offsets of the backoff retries relative to the end of the pre-backoff phase.
    backoff: Vec<u64>,
}

impl Schedule {
    /// The schedule of `p`.
    pub fn new(p: &RetryPolicy) -> Self {
        let n0 = p.num_no_delay_retries as u64;
        let n1 = p.num_min_delay_retries as u64;
        let n3 = p.num_max_delay_retries as u64;
        let total_retries = p.num_retries as u64;
        let nb = total_retries.saturating_sub(n0 + n1 + n3);
        let (min, max) = (p.min_delay.as_micros(), p.max_delay.as_micros());
        let mut backoff = Vec::with_capacity(nb as usize);
        let mut acc = 0u64;
        for i in 1..=nb {
            acc = acc.saturating_add(backoff_delay(p.backoff, min, max, i, nb));
            backoff.push(acc);
        }
        Self { n0, n1, min, nb, max, total_retries, backoff }
    }

    /// Attempts in all (the first plus every retry).
    pub fn attempts(&self) -> u64 {
        1 + self.total_retries
    }

    /// Offset of attempt `k` from the first attempt.
    pub fn offset(&self, k: u64) -> SimTime {
        let mut k = k.min(self.total_retries);
        let mut t = 0u64;
        // Immediate retries add nothing.
        let a = k.min(self.n0);
        k -= a;
        // Saturating throughout, so that absurd policies stay monotone rather than wrap.
        let b = k.min(self.n1);
        t = t.saturating_add(b.saturating_mul(self.min));
        k -= b;
        let c = k.min(self.nb);
        if c > 0 {
            t = t.saturating_add(self.backoff[c as usize - 1]);
        }
        k -= c;
        t = t.saturating_add(k.saturating_mul(self.max));
        SimTime::from_micros(t)
    }

    /// Offset of the last attempt: how long the policy lasts.
    pub fn total(&self) -> SimTime {
        self.offset(self.total_retries)
    }

    /// The first attempt index `>= from` whose offset is `>= t`, if the policy has one.
    pub fn first_at_or_after(&self, from: u64, t: SimTime) -> Option<u64> {
        let (mut lo, mut hi) = (from, self.attempts());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.offset(mid) >= t { hi = mid } else { lo = mid + 1 }
        }
        (lo < self.attempts()).then_some(lo)
    }
}

impl Schedule {
    /// The attempt that decides a delivery published at `start`: every attempt inside an
    /// outage `[from, to)` fails, and `failures` more fail transiently outside outages.
    /// Returns the attempt index and whether it succeeds (else it is the last, failed).
    /// Runs of attempts between outages are crossed in one step each, so the cost is
    /// about (outages + 1) binary searches whatever the number of retries or failures.
    pub fn decide(&self, start: SimTime, outages: &[(SimTime, SimTime)], mut failures: u64) -> (u64, bool) {
        let n = self.attempts();
        let mut k = 0u64;
        while k < n {
            let t = start + self.offset(k);
            if let Some(&(_, to)) = outages.iter().find(|&&(from, to)| t >= from && t < to) {
                match self.first_at_or_after(k, to - start) {
                    Some(next) => {
                        k = next;
                        continue;
                    }
                    None => break,
                }
            }
            // Attempts from k up to the next outage's start all fall outside outages.
            let run_end = outages
                .iter()
                .filter(|&&(from, _)| from > t)
                .map(|&(from, _)| self.first_at_or_after(k, from - start).unwrap_or(n))
                .min()
                .unwrap_or(n);
            let run = run_end - k;
            if failures < run {
                return (k + failures, true);
            }
            failures -= run;
            k = run_end;
        }
        (n - 1, false)
    }
}

/// How many transient failures, each with probability `p`, come before the first success:
/// a geometric draw by inversion (`u64::MAX` when `p >= 1`).
pub fn failures_before_success(p: f64, u: f64) -> u64 {
    if p <= 0.0 {
        0
    } else if p >= 1.0 {
        u64::MAX
    } else {
        // u in [0, 1): 1 - u in (0, 1], so the logarithm is finite.
        let k = ((1.0 - u).ln() / p.ln()).floor();
        if k >= u64::MAX as f64 { u64::MAX } else { k as u64 }
    }
}

/// Delay of backoff retry `i` of `n`, growing from `min` to `max`. The provider names the
/// shapes but publishes no formula: with f = (i - 1) / (n - 1), linear is
/// min + (max - min) f, arithmetic min + (max - min) f^2, geometric min (max/min)^f and
/// exponential min + (max - min) (2^(10 f) - 1) / 1023.
fn backoff_delay(shape: Backoff, min: u64, max: u64, i: u64, n: u64) -> u64 {
    let f = if n <= 1 { 1.0 } else { (i - 1) as f64 / (n - 1) as f64 };
    let (lo, hi) = (min as f64, max as f64);
    let d = match shape {
        Backoff::Linear => lo + (hi - lo) * f,
        Backoff::Arithmetic => lo + (hi - lo) * f * f,
        Backoff::Geometric if lo > 0.0 => lo * (hi / lo).powf(f),
        Backoff::Geometric => hi * f,
        Backoff::Exponential => lo + (hi - lo) * ((2f64).powf(10.0 * f) - 1.0) / 1023.0,
    };
    (d.round() as u64).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::Protocol;

    fn retry_policy(p: Protocol) -> RetryPolicy {
        p.defaults().retry.clone()
    }

    #[test]
    fn https_default_is_four_attempts_20_s_apart() {
        let s = Schedule::new(&retry_policy(Protocol::Https));
        assert_eq!(s.attempts(), 4);
        let offs: Vec<u64> = (0..4).map(|k| s.offset(k).as_micros() / 1_000_000).collect();
        assert_eq!(offs, vec![0, 20, 40, 60]);
    }

    #[test]
    fn managed_default_lasts_about_23_days() {
        let s = Schedule::new(&retry_policy(Protocol::Lambda));
        assert_eq!(s.attempts(), 100_016);
        // 3 immediate, 2 x 1 s, backoff from 1 s to 20 s, then 100,000 x 20 s.
        assert_eq!(s.offset(3), SimTime::ZERO);
        assert_eq!(s.offset(5), SimTime::from_secs(2));
        let days = s.total().as_secs_f64() / 86_400.0;
        assert!((23.0..23.3).contains(&days), "{days} days");
    }

    #[test]
    fn skip_ahead_finds_first_attempt_after_an_outage() {
        let s = Schedule::new(&retry_policy(Protocol::Lambda));
        let ten_days = SimTime::from_secs(10 * 86_400);
        let k = s.first_at_or_after(0, ten_days).unwrap();
        assert!(s.offset(k) >= ten_days && s.offset(k - 1) < ten_days);
        assert_eq!(s.first_at_or_after(0, SimTime::from_secs(30 * 86_400)), None);
    }

    #[test]
    fn decide_skips_outages_and_counts_failures_outside_them() {
        let s = Schedule::new(&retry_policy(Protocol::Https)); // attempts at +0, 20, 40, 60 s
        let t0 = SimTime::from_secs(100);
        let sec = SimTime::from_secs;
        assert_eq!(s.decide(t0, &[], 0), (0, true));
        assert_eq!(s.decide(t0, &[], 2), (2, true));
        assert_eq!(s.decide(t0, &[], 4), (3, false));
        // Down over the first two attempts: the third is the first outside.
        assert_eq!(s.decide(t0, &[(sec(90), sec(130))], 0), (2, true));
        // One failure after the outage, then success on the last attempt.
        assert_eq!(s.decide(t0, &[(sec(90), sec(130))], 1), (3, true));
        // An outage in the middle: attempt 0 fails transiently, 1 and 2 are down.
        assert_eq!(s.decide(t0, &[(sec(110), sec(141))], 1), (3, true));
        // Outage ends exactly at an attempt: that attempt is outside it.
        assert_eq!(s.decide(t0, &[(sec(0), sec(140))], 0), (2, true));
        // Down past the policy: the last attempt fails.
        assert_eq!(s.decide(t0, &[(sec(0), sec(1000))], 0), (3, false));
    }

    #[test]
    fn geometric_failures_have_the_right_mean() {
        // Mean failures before success is p / (1 - p) = 3 for p = 0.75; over 100,000
        // draws the standard error is sqrt(p)/(1-p)/sqrt(n) = 0.011, so 0.06 is 5 sigma.
        let mut r = crate::engine::rng::stream(5, &[]);
        let n = 100_000;
        let mean = (0..n).map(|_| failures_before_success(0.75, crate::engine::rng::unit(&mut r)) as f64).sum::<f64>()
            / n as f64;
        assert!((mean - 3.0).abs() < 0.06, "{mean}");
        assert_eq!(failures_before_success(0.0, 0.5), 0);
        assert_eq!(failures_before_success(1.0, 0.5), u64::MAX);
    }

    #[test]
    fn absurd_policies_saturate_instead_of_wrapping() {
        let mut p = retry_policy(Protocol::Sqs);
        p.num_retries = 10_000_000;
        p.num_max_delay_retries = 9_999_000;
        p.max_delay = SimTime::from_secs(100_000_000 * 86_400);
        let s = Schedule::new(&p);
        assert!(s.offset(s.attempts() - 1) >= s.offset(s.attempts() - 2));
        assert!(s.first_at_or_after(0, SimTime::from_secs(1)).is_some());
    }

    #[test]
    fn backoff_runs_from_min_to_max() {
        for shape in [Backoff::Linear, Backoff::Arithmetic, Backoff::Geometric, Backoff::Exponential] {
            let ds: Vec<u64> = (1..=10).map(|i| backoff_delay(shape, 1_000_000, 20_000_000, i, 10)).collect();
            assert_eq!(ds[0], 1_000_000, "{shape:?}");
            assert_eq!(ds[9], 20_000_000, "{shape:?}");
            assert!(ds.windows(2).all(|w| w[0] <= w[1]), "{shape:?} grows: {ds:?}");
        }
    }
}
