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
        let us = s * MICROS_PER_SEC as f64;
        // What `f64::round` (half away from zero) gives, without its library call: below
        // 0.5 (or NaN) nothing; at 2^64 or more (no double lies between 2^64 - 0.5 and
        // 2^64) the most; else the whole part, plus one if the fraction (exact: both are
        // doubles within 1 of each other, or the value is whole) is a half or more.
        if us.is_nan() || us < 0.5 {
            SimTime(0)
        } else if us >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            let whole = us as u64;
            SimTime(whole + (us - whole as f64 >= 0.5) as u64)
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

    /// The same microseconds as rounding with `f64::round`, the conversion as first
    /// written: halves, the largest double below a half, values near 2^52 and 2^53
    /// (where doubles become whole and then even), near 2^64, and a million others
    /// spread over every magnitude.
    #[test]
    fn float_conversion_is_round_to_nearest_half_away() {
        let reference = |s: f64| -> u64 {
            let us = (s * MICROS_PER_SEC as f64).round();
            if us.is_nan() || us <= 0.0 {
                0
            } else if us >= u64::MAX as f64 {
                u64::MAX
            } else {
                us as u64
            }
        };
        let mut cases = vec![
            0.0,
            -0.0,
            0.5e-6,
            1.5e-6,
            2.5e-6,
            f64::from_bits(0.5f64.to_bits() - 1) * 1e-6,
            f64::NAN,
            f64::MAX,
            f64::MIN,
        ];
        for p in [52, 53, 63, 64] {
            let x = 2f64.powi(p) / 1e6;
            cases.extend((0..5).map(|k| f64::from_bits(x.to_bits() + k - 2)));
        }
        let mut z = 1u64;
        for _ in 0..1_000_000 {
            z = crate::engine::rng::mix64(z.wrapping_add(0x9e37_79b9_7f4a_7c15));
            // A random double of any magnitude from 2^-60 to 2^70 seconds, or a whole
            // number of microseconds and a half.
            let x = if z & 1 == 0 {
                (z >> 11) as f64 / (1u64 << 53) as f64 * 2f64.powi((z % 130) as i32 - 60)
            } else {
                ((z >> 20) as f64 + 0.5) / 1e6
            };
            cases.push(x);
        }
        for x in cases {
            assert_eq!(SimTime::from_secs_f64(x).as_micros(), reference(x), "{x:e} s");
        }
    }
}
