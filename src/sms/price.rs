//! The price of a message, and of keeping numbers: the one place that turns parts, prices,
//! carrier fees, leases and setup fees into money (SPEC 4.5).

use super::Money;
use crate::engine::SimTime;
use crate::table::{Key, Table};

/// What a transmitted message costs: the provider's base price and the carrier's fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Charge {
    /// Base price for its parts.
    pub base: Money,
    /// Carrier fee for its parts.
    pub fee: Money,
}

impl Charge {
    /// Base price and fee together.
    pub fn total(self) -> Money {
        self.base + self.fee
    }
}

/// The charge for `parts` outbound parts at `price_per_part` and a carrier fee of
/// `fee_per_part`.
#[inline]
pub fn outbound(price_per_part: Money, fee_per_part: Money, parts: u64) -> Charge {
    Charge { base: price_per_part.times(parts), fee: fee_per_part.times(parts) }
}

/// The charge for `parts` inbound parts: price and carrier fee in one amount.
#[inline]
pub fn inbound(price_per_part: Money, fee_per_part: Money, parts: u64) -> Money {
    (price_per_part + fee_per_part).times(parts)
}

/// The expected charge in dollars of `parts` outbound parts at `price_per_part` when the
/// carrier fee is `fee` with probability `share` (for estimates, not for charging).
pub fn expected_outbound_usd(price_per_part: Money, fees: impl Iterator<Item = (f64, Money)>, parts: u64) -> f64 {
    let mean_fee = fees.map(|(share, fee)| share * fee.micros() as f64).sum::<f64>() / 1e6;
    parts as f64 * (price_per_part.micros() as f64 / 1e6 + mean_fee)
}

/// The length of the month that leases and monthly fees are quoted for: 30 days.
pub const MONTH: SimTime = SimTime::from_secs(30 * 86_400);

/// A monthly amount prorated over `span` (30-day month), rounded to the micro-dollar.
pub fn prorated(monthly: Money, span: SimTime) -> Money {
    let month = MONTH.as_micros() as u128;
    let m = monthly.micros().max(0) as u128;
    Money(((m * span.as_micros() as u128 + month / 2) / month).min(i64::MAX as u128) as i64)
}

/// What `amount`, spent over `span`, comes to per 30-day month if the span repeats,
/// rounded to the micro-dollar (zero for an empty span).
pub fn per_month(amount: Money, span: SimTime) -> Money {
    let s = span.as_micros() as i128;
    if s == 0 {
        return Money::ZERO;
    }
    let num = amount.micros() as i128 * MONTH.as_micros() as i128;
    Money(((2 * num + s).div_euclid(2 * s)) as i64)
}

/// `total` shared over `n` items, rounded to the micro-dollar (none for no items).
pub fn per_item(total: Money, n: u64) -> Option<Money> {
    (n > 0).then(|| {
        let d = n as i128;
        Money(((total.micros() as i128 * 2 + d) / (2 * d)) as i64)
    })
}

/// The parts of a run's cost, in `summary.csv` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostPart {
    /// Base price of outbound parts.
    Messages,
    /// Carrier fees of outbound parts.
    CarrierFees,
    /// Inbound price and fees.
    Inbound,
    /// Leases and monthly fees, prorated.
    Leases,
    /// One-time setup fees.
    Setup,
}

/// How many cost parts there are.
pub const COST_PARTS: usize = 5;

/// An amount per cost part.
pub type Costs = Table<CostPart, Money, COST_PARTS>;

impl Key for CostPart {
    const ALL: &'static [CostPart] =
        &[CostPart::Messages, CostPart::CarrierFees, CostPart::Inbound, CostPart::Leases, CostPart::Setup];
    fn index(self) -> usize {
        self as usize
    }
}

const _: () = assert!(<CostPart as Key>::ALL.len() == COST_PARTS);

impl CostPart {
    /// Its `summary.csv` column.
    pub fn column(self) -> &'static str {
        match self {
            CostPart::Messages => "cost_messages_usd",
            CostPart::CarrierFees => "cost_carrier_fees_usd",
            CostPart::Inbound => "cost_inbound_usd",
            CostPart::Leases => "cost_leases_usd",
            CostPart::Setup => "cost_setup_usd",
        }
    }

    /// Its label in charts.
    pub fn label(self) -> &'static str {
        match self {
            CostPart::Messages => "messages",
            CostPart::CarrierFees => "carrier fees",
            CostPart::Inbound => "inbound",
            CostPart::Leases => "leases and monthly fees",
            CostPart::Setup => "setup fees",
        }
    }
}

/// The sum of every part.
pub fn total(c: &Costs) -> Money {
    c.values().iter().copied().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_index_their_own_position() {
        for (i, &c) in <CostPart as Key>::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }

    #[test]
    fn price_of_a_message() {
        let c = outbound(Money(5_810), Money(3_000), 3);
        assert_eq!(c, Charge { base: Money(17_430), fee: Money(9_000) });
        assert_eq!(c.total(), Money(26_430));
        assert_eq!(inbound(Money(5_810), Money(2_500), 2), Money(16_620));
    }

    #[test]
    fn proration_and_sharing_round_half_up() {
        // A $995 lease for 2 days of a 30-day month: 66.333333...
        assert_eq!(prorated(Money(995_000_000), SimTime::from_secs(2 * 86_400)), Money(66_333_333));
        assert_eq!(prorated(Money(1_000_000), MONTH), Money(1_000_000));
        assert_eq!(per_item(Money(10), 4), Some(Money(3)), "2.5 rounds up");
        assert_eq!(per_item(Money(10), 0), None);
    }
}
