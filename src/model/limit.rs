//! Limits shared by the numbers of a pool toward one carrier (SPEC 4.1.5): a shared
//! parts-per-second rate, served to waiting numbers first come, first served, and a daily
//! cap on parts that resets at each local midnight.

use super::pacing::Pacer;
use std::collections::VecDeque;

/// Microseconds in a day.
pub(crate) const DAY_US: u64 = 86_400_000_000;

/// One carrier limit's state.
#[derive(Debug)]
pub(crate) struct CarrierLimit {
    /// The carrier it limits traffic to.
    pub(crate) carrier: u8,
    pacer: Option<Pacer>,
    daily: Option<u64>,
    day: u64,
    used: u64,
    /// Numbers whose head waits for this limit's MPS, served first come, first served.
    waiters: VecDeque<u32>,
}

impl CarrierLimit {
    /// A limit toward `carrier` of `mps` parts per second and `daily` parts a day.
    pub(crate) fn new(carrier: u8, mps: Option<f64>, daily: Option<u64>) -> Self {
        Self { carrier, pacer: mps.map(Pacer::new), daily, day: 0, used: 0, waiters: VecDeque::new() }
    }

    /// The earliest microsecond at which its rate lets the next part go (0 without one).
    #[inline]
    pub(crate) fn free_at(&self) -> u64 {
        self.pacer.as_ref().map_or(0, Pacer::next_free)
    }

    /// Whether `parts` more on `day` would pass the daily cap (a new day starts at zero).
    #[inline]
    pub(crate) fn over_daily(&mut self, day: u64, parts: u64) -> bool {
        let Some(cap) = self.daily else { return false };
        if self.day != day {
            self.day = day;
            self.used = 0;
        }
        self.used + parts > cap
    }

    /// Count `parts` sent at `now` (microseconds) against the rate and the day.
    #[inline]
    pub(crate) fn take(&mut self, now: u64, parts: u64) {
        if let Some(p) = &mut self.pacer {
            p.take(now, parts as u32);
        }
        self.used += parts;
    }

    /// The number first in line, if any.
    #[inline]
    pub(crate) fn front(&self) -> Option<u32> {
        self.waiters.front().copied()
    }

    /// Number `g` joins the line.
    pub(crate) fn join(&mut self, g: u32) {
        self.waiters.push_back(g);
    }

    /// The first in line leaves it (its turn came).
    pub(crate) fn serve_front(&mut self) {
        self.waiters.pop_front();
    }

    /// Number `g` leaves the line wherever it is.
    pub(crate) fn leave(&mut self, g: u32) {
        if let Some(i) = self.waiters.iter().position(|&x| x == g) {
            self.waiters.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_cap_resets_each_day() {
        let mut l = CarrierLimit::new(0, None, Some(3));
        assert!(!l.over_daily(0, 2));
        l.take(0, 2);
        assert!(!l.over_daily(0, 1));
        assert!(l.over_daily(0, 2), "2 + 2 > 3");
        assert!(!l.over_daily(1, 3), "a new day");
        assert_eq!(l.free_at(), 0, "no rate");
    }

    #[test]
    fn shared_rate_and_first_come_first_served_line() {
        let mut l = CarrierLimit::new(0, Some(2.0), None);
        l.take(0, 1);
        assert_eq!(l.free_at(), 500_000, "2 parts per second");
        for g in [7, 3, 9] {
            l.join(g);
        }
        assert_eq!(l.front(), Some(7));
        l.leave(3);
        l.serve_front();
        assert_eq!(l.front(), Some(9), "7 served, 3 left the line");
    }
}
