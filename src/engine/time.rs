//! Simulated time: an integer count of microseconds, used for instants and spans alike.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds in one second.
pub const MICROS_PER_SEC: u64 = 1_000_000;

/// An instant or a span of simulated time, in whole microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SimTime(u64);

impl SimTime {
    /// Time zero, and the empty span.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time (used as "never").
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// From whole microseconds.
    #[inline]
    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }
    /// From whole seconds.
    #[inline]
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * MICROS_PER_SEC)
    }
    /// From seconds as a float, rounded to the nearest microsecond; negative and NaN give
    /// zero, values past the range saturate.
    #[inline]
    pub fn from_secs_f64(s: f64) -> Self {
        let us = (s * MICROS_PER_SEC as f64).round();
        if us.is_nan() || us <= 0.0 {
            SimTime(0)
        } else if us >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(us as u64)
        }
    }
    /// Whole microseconds.
    #[inline]
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Seconds as a float.
    #[inline]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SEC as f64
    }
    /// Addition that stops at [`SimTime::MAX`].
    #[inline]
    pub const fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
    /// Subtraction that stops at zero.
    #[inline]
    pub const fn saturating_sub(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    #[inline]
    fn add(self, d: SimTime) -> SimTime {
        self.saturating_add(d)
    }
}

impl AddAssign for SimTime {
    #[inline]
    fn add_assign(&mut self, d: SimTime) {
        *self = self.saturating_add(d);
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    #[inline]
    fn sub(self, d: SimTime) -> SimTime {
        self.saturating_sub(d)
    }
}

/// Seconds with six decimals, exact: `90.000250`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / MICROS_PER_SEC, self.0 % MICROS_PER_SEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_exact_seconds() {
        assert_eq!(SimTime::from_micros(90_000_250).to_string(), "90.000250");
        assert_eq!(SimTime::ZERO.to_string(), "0.000000");
    }

    #[test]
    fn float_conversion_rounds_and_clamps() {
        assert_eq!(SimTime::from_secs_f64(0.0000015).as_micros(), 2);
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::INFINITY), SimTime::MAX);
        assert_eq!(SimTime::MAX + SimTime::from_secs(1), SimTime::MAX);
    }
}
