//! Money in exact micro-dollars: every price, fee and total is an integer sum.

use std::fmt;

/// Money in whole micro-dollars: sums are exact integers, never a running float. Serialised
/// as the integer; scenario files give dollars (`scenario::units::Usd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);
    /// From dollars given with at most six decimals.
    pub fn from_usd(usd: f64) -> Result<Money, String> {
        if !usd.is_finite() || usd < 0.0 {
            return Err(format!("amount {usd} must be a finite number of dollars >= 0"));
        }
        if usd > 1.0e9 {
            return Err(format!("amount {usd} is over the largest supported, $1,000,000,000"));
        }
        let micros = (usd * 1e6).round();
        // A TOML float such as 0.00581 is not exact in binary: allow for that, not for a
        // seventh decimal digit.
        if (usd * 1e6 - micros).abs() > 1e-3 {
            return Err(format!("amount {usd} has more than 6 decimals (money is counted in micro-dollars)"));
        }
        Ok(Money(micros as i64))
    }
    /// Whole micro-dollars.
    pub const fn micros(self) -> i64 {
        self.0
    }
    /// For people: `$20,000.00`, `$0.00581`, `$0.033333`: thousands separators, at least
    /// two decimals, and beyond them the exact micro-dollars without trailing zeros.
    pub fn dollars(self) -> String {
        let a = self.0.unsigned_abs();
        let grouped = thousands(a / 1_000_000);
        let frac = format!("{:06}", a % 1_000_000);
        let keep = frac.trim_end_matches('0').len().max(2);
        format!("{}${grouped}.{}", if self.0 < 0 { "-" } else { "" }, &frac[..keep])
    }
    /// To the cent, as totals are read: `$1.33` for $1.333333, half a cent up
    /// ($0.005 is `$0.01`), with thousands separators; exact, never through a float.
    pub fn cents(self) -> String {
        let c = (self.0.unsigned_abs() + 5_000) / 10_000;
        format!("{}${}.{:02}", if self.0 < 0 { "-" } else { "" }, thousands(c / 100), c % 100)
    }
    /// [`Money::dollars`] of an amount in dollars, rounded to the micro-dollar (an
    /// estimate, such as an average price).
    pub fn dollars_f64(usd: f64) -> String {
        Money((usd * 1e6).round() as i64).dollars()
    }
    /// `self * n`, saturating: inputs are capped at $1e9, so only absurd totals saturate.
    pub const fn times(self, n: u64) -> Money {
        let n = if n > i64::MAX as u64 { i64::MAX } else { n as i64 };
        Money(self.0.saturating_mul(n))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}
impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 = self.0.saturating_add(o.0);
    }
}

/// `x` to six decimals without trailing zeros, as the files round it: 0.29 x 100 ->
/// "29", 3.03 -> "3.03", not 28.999999999999996 or 3.030000.
pub fn six_decimals(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// `n` with comma thousands separators, as messages and tables print counts: 113599 ->
/// "113,599".
pub fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::with_capacity(d.len() + d.len() / 3);
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Dollars with six decimals, exact: `12.345678`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(it: I) -> Money {
        it.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_half_a_cent_up_exactly() {
        assert_eq!(Money(1_333_333).cents(), "$1.33");
        assert_eq!(Money(5_000).cents(), "$0.01", "half a cent up");
        assert_eq!(Money(4_999).cents(), "$0.00");
        assert_eq!(Money(1_234_567_895_000).cents(), "$1,234,567.90");
        assert_eq!(Money(-1_995_000).cents(), "-$2.00");
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(Money::from_usd(0.00581).unwrap(), Money(5810));
        assert_eq!(Money::from_usd(995.0).unwrap().to_string(), "995.000000");
        assert!(Money::from_usd(0.0000001).is_err());
        assert!(Money::from_usd(-1.0).is_err());
        assert_eq!(Money(5810).times(3), Money(17430));
    }

    #[test]
    fn dollars_read_as_people_write_them() {
        assert_eq!(Money(20_000_000_000).dollars(), "$20,000.00");
        assert_eq!(Money(5_810).dollars(), "$0.00581");
        assert_eq!(Money(33_333).dollars(), "$0.033333");
        assert_eq!(Money(1_500_000).dollars(), "$1.50");
        assert_eq!(Money(0).dollars(), "$0.00");
        assert_eq!(Money(-1_234_567_890).dollars(), "-$1,234.56789");
        assert_eq!(Money::dollars_f64(4260.4012), "$4,260.4012");
    }
}
