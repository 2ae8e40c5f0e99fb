//! Defaults by number kind: the one table behind every per-kind default.
//!
//! Figures from `shared/REFERENCE.md` (gathered 2026; prices change, so every figure is a
//! default a scenario overrides). Tags: doc = the provider's current docs, doc-2023 = its
//! docs as archived in 2023, blog = a provider blog post, 3p = a third-party page,
//! assumed = no public source confirmed it.

use super::raw::Kind;
use super::units::Money;

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
}

// Base price 0.00581 USD per part for every kind (assumed; a 2016 provider log shows
// 0.00645, doc). Inbound assumed equal to outbound base price (REFERENCE.md).
const PRICE: Money = Money(5_810);

/// The table, indexed by [`Kind::index`].
pub const KIND_DEFAULTS: [KindDefaults; 5] = [
    // long_code: 1 MPS for US/CA long codes (doc); lease 1.00/month (assumed).
    KindDefaults {
        mps: 1.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(1_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(0),
    },
    // ten_dlc: 1 MPS until raised on request (doc); lease 1.00 (assumed); campaign fee
    // 10.00/month (3p); setup 44.00 = brand registration 4 + vetting 40 (doc-2023).
    KindDefaults {
        mps: 1.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(1_000_000),
        monthly_fee: Money(10_000_000),
        setup_fee: Money(44_000_000),
    },
    // toll_free: 3 MPS (doc); lease 2.00 (assumed).
    KindDefaults {
        mps: 3.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(2_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(0),
    },
    // short_code: 100 MPS (doc); lease 995.00/month (doc-2023, blog); setup 650.00 (doc-2023).
    KindDefaults {
        mps: 100.0,
        two_way: true,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(995_000_000),
        monthly_fee: Money(0),
        setup_fee: Money(650_000_000),
    },
    // sender_id: 10 MPS (doc-2023); cannot receive, ever (doc); no lease.
    KindDefaults {
        mps: 10.0,
        two_way: false,
        price_per_part: PRICE,
        inbound_price_per_part: PRICE,
        monthly_lease: Money(0),
        monthly_fee: Money(0),
        setup_fee: Money(0),
    },
];

/// The defaults of `kind`.
pub fn for_kind(kind: Kind) -> &'static KindDefaults {
    &KIND_DEFAULTS[kind.index()]
}

/// Default message TTL: 72 h (doc).
pub const TTL_SECS: u64 = 72 * 3600;
/// Default carrier latency: 3 s constant (SPEC 3.4).
pub const CARRIER_LATENCY_SECS: u64 = 3;
/// Default monthly spend limit: 1.00 USD (doc).
pub const SPEND_LIMIT: Money = Money(1_000_000);
/// Default metrics interval: 1 minute (SPEC 3.1).
pub const METRICS_INTERVAL_SECS: u64 = 60;

/// The opt-out words built into every two-way number (doc).
pub const OPT_OUT_WORDS: [&str; 10] =
    ["ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "TD", "UNSUBSCRIBE"];
/// The opt-in words built into every two-way number (doc).
pub const OPT_IN_WORDS: [&str; 2] = ["START", "UNSTOP"];
/// Built-in response to an opt-out word (our wording; the provider lets users set it).
pub const OPT_OUT_RESPONSE: &str =
    "You are unsubscribed and will receive no further messages. Reply START to resubscribe.";
/// Built-in response to HELP.
pub const HELP_RESPONSE: &str = "For help, contact the sender. Reply STOP to unsubscribe. Msg&data rates may apply.";
/// Built-in response to START and UNSTOP.
pub const OPT_IN_RESPONSE: &str = "You are resubscribed. Reply STOP to unsubscribe.";

/// Default processing time of one subscriber delivery (assumed).
pub const SUBSCRIBER_LATENCY_MS: u64 = 100;
/// Default concurrency of a `lambda` subscriber: 1,000 concurrent executions per region (doc).
pub const LAMBDA_CONCURRENCY: u32 = 1_000;

/// The provider's default delivery policy of `protocol` (doc), in its own terms.
pub fn retry_policy(protocol: super::Protocol) -> super::RetryPolicy {
    use super::{Backoff, Protocol, RetryPolicy};
    use crate::engine::SimTime;
    match protocol {
        // AWS-managed endpoints: 3 immediate, 2 pre-backoff 1 s apart, 10 backoff
        // exponential 1 s to 20 s, 100,000 post-backoff 20 s apart: about 23 days.
        Protocol::Sqs | Protocol::Lambda | Protocol::Firehose => RetryPolicy {
            num_retries: 100_015,
            num_no_delay_retries: 3,
            num_min_delay_retries: 2,
            min_delay: SimTime::from_secs(1),
            num_max_delay_retries: 100_000,
            max_delay: SimTime::from_secs(20),
            backoff: Backoff::Exponential,
        },
        // Customer-managed email/SMS: 2 pre-backoff 10 s apart, 10 backoff exponential
        // 10 s to 600 s, 38 post-backoff 600 s apart: about 6 hours.
        Protocol::Email | Protocol::EmailJson | Protocol::Sms => RetryPolicy {
            num_retries: 50,
            num_no_delay_retries: 0,
            num_min_delay_retries: 2,
            min_delay: SimTime::from_secs(10),
            num_max_delay_retries: 38,
            max_delay: SimTime::from_secs(600),
            backoff: Backoff::Exponential,
        },
        // HTTP/S default: 3 retries 20 s apart, linear; 4 attempts in all.
        Protocol::Http | Protocol::Https => RetryPolicy {
            num_retries: 3,
            num_no_delay_retries: 0,
            num_min_delay_retries: 0,
            min_delay: SimTime::from_secs(20),
            num_max_delay_retries: 0,
            max_delay: SimTime::from_secs(20),
            backoff: Backoff::Linear,
        },
    }
}
