//! The account: what the month has cost so far and the spend limit that stops sending
//! (SPEC 4.5).

use crate::sms::Money;
use crate::sms::price::Charge;

/// The account's spend against its monthly limit.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    spent: Money,
    limit: Money,
}

impl Account {
    /// An account that has spent `spent` of `limit` this month.
    pub(crate) fn new(spent: Money, limit: Money) -> Self {
        Self { spent, limit }
    }

    /// The month's spend so far.
    #[cfg(test)]
    pub(crate) fn spent(&self) -> Money {
        self.spent
    }

    /// Charge `c` if it keeps the spend within the limit; false (and nothing charged) if
    /// it would pass it.
    #[inline]
    pub(crate) fn try_charge(&mut self, c: Charge) -> bool {
        let after = self.spent + c.total();
        if after > self.limit {
            return false;
        }
        self.spent = after;
        true
    }

    /// Charge `m` whatever the limit: inbound messages arrive whether or not the account
    /// can afford them.
    pub(crate) fn charge(&mut self, m: Money) {
        self.spent += m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::price::outbound;

    #[test]
    fn the_limit_is_inclusive_and_inbound_passes_it() {
        let mut a = Account::new(Money(990_000), Money(1_000_000));
        let part = outbound(Money(5_000), Money(0), 1);
        assert!(a.try_charge(part));
        assert!(a.try_charge(part), "exactly at the limit is allowed");
        assert!(!a.try_charge(outbound(Money(1), Money(0), 1)));
        assert_eq!(a.spent(), Money(1_000_000));
        a.charge(Money(7));
        assert_eq!(a.spent(), Money(1_000_007));
    }
}
