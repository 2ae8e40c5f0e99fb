//! Origination number kinds and the one table of their defaults.
//!
//! Figures from `shared/REFERENCE.md` (gathered 2026; prices change, so every figure is a
//! default a scenario overrides). Source tags: doc = the provider's current docs, doc-2023 =
//! its docs as archived in 2023, blog = a provider blog post, 3p = a third-party page,
//! assumed = no public source confirmed it.
//!
//! A new kind is a variant here, its row in [`KIND_DEFAULTS`], and its address form in
//! `sms::address`; every per-kind table elsewhere follows from [`Kind::ALL`].

use super::Money;
use crate::table::{Key, Table};

/// Origination number kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A US/CA 10-digit long code without registration.
    LongCode,
    /// A long code registered for application-to-person traffic (10DLC).
    TenDlc,
    /// A toll-free number.
    TollFree,
    /// A short code.
    ShortCode,
    /// An alphanumeric sender ID (one-way).
    SenderId,
}

/// How many kinds there are.
pub const KINDS: usize = 5;

/// A value per number kind.
pub type KindTable<T> = Table<Kind, T, KINDS>;

impl Key for Kind {
    const ALL: &'static [Kind] = &Kind::ALL;
    fn index(self) -> usize {
        self as usize
    }
}

impl Kind {
    /// Every kind, in table order.
    pub const ALL: [Kind; KINDS] = [Kind::LongCode, Kind::TenDlc, Kind::TollFree, Kind::ShortCode, Kind::SenderId];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        Kind::NAMES[self.index()]
    }

    /// Every kind's name in scenario files, in table order.
    pub const NAMES: [&'static str; KINDS] = ["long_code", "ten_dlc", "toll_free", "short_code", "sender_id"];

    /// The kind named `name` in scenario files.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// This kind's defaults.
    pub fn defaults(self) -> &'static KindDefaults {
        &KIND_DEFAULTS.values()[self.index()]
    }
}

/// The defaults of one number kind.
#[derive(Debug, Clone, Copy)]
pub struct KindDefaults {
    /// Message parts per second per number.
    pub mps: f64,
    /// Whether it can receive.
    pub two_way: bool,
    /// Outbound base price per part.
    pub price_per_part: Money,
    /// Inbound price per part.
    pub inbound_price_per_part: Money,
    /// Monthly lease per number.
    pub monthly_lease: Money,
    /// Monthly fee per pool.
    pub monthly_fee: Money,
    /// One-time setup fee per pool.
    pub setup_fee: Money,
    /// Where the figures come from (tags as in the module doc).
    pub source: &'static str,
}

// Base price 0.00581 USD per part for every kind (assumed; a 2016 provider log shows
// 0.00645, doc). Inbound assumed equal to outbound base price (REFERENCE.md).
const PRICE: Money = Money(5_810);

/// The table of per-kind defaults, one row per kind in [`Kind::ALL`] order.
pub const KIND_DEFAULTS: KindTable<KindDefaults> = Table::new([
    KindDefaults {
        mps: 1.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(1_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(0),
        source: "1 MPS for US/CA long codes (doc); lease 1.00/month (assumed)",
    },
    KindDefaults {
        mps: 1.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(1_000_000),
        monthly_fee: Money(10_000_000),
        setup_fee: Money(44_000_000),
        source: "1 MPS until raised on request (doc); lease 1.00 (assumed); campaign fee 10.00/month (3p); \
                 setup 44.00 = brand registration 4 + vetting 40 (doc-2023)",
    },
    KindDefaults {
        mps: 3.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(2_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(0),
        source: "3 MPS (doc); lease 2.00 (assumed)",
    },
    KindDefaults {
        mps: 100.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(995_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(650_000_000),
        source: "100 MPS (doc); lease 995.00/month (doc-2023, blog); setup 650.00 (doc-2023)",
    },
    KindDefaults {
        mps: 10.0,
        two_way: false,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(0),
        monthly_fee: Money(0),
        setup_fee: Money(0),
        source: "10 MPS (doc-2023); cannot receive, ever (doc); no lease",
    },
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_scenario_files_and_rows_follow_key_order() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(k.index(), i);
            // The name table and serde's names of the variants agree.
            let parsed: Kind = serde_json::from_str(&format!("\"{}\"", k.name())).unwrap();
            assert_eq!(parsed, k);
        }
        // Rows in key order: a spot check of each kind's distinctive figure.
        assert_eq!(Kind::LongCode.defaults().mps, 1.0);
        assert_eq!(Kind::TenDlc.defaults().setup_fee, Money(44_000_000));
        assert_eq!(Kind::TollFree.defaults().mps, 3.0);
        assert_eq!(Kind::ShortCode.defaults().mps, 100.0);
        assert!(!Kind::SenderId.defaults().two_way);
    }
}
