//! Scenario-wide defaults: TTL, carrier latency, spend limit, metrics interval and the
//! built-in keywords. Per-kind and per-protocol defaults are tables of their own
//! (`sms::kind`, `sms::protocol`). Source tags as in `sms::kind`.

use crate::sms::Money;

/// Default message TTL: 72 h (doc).
pub const TTL_SECS: u64 = 72 * 3600;
/// Default carrier latency: 3 s constant (SPEC 3.4).
pub const CARRIER_LATENCY_SECS: u64 = 3;
/// Default monthly spend limit: 1.00 USD (doc).
pub const SPEND_LIMIT: Money = Money(1_000_000);
/// Default months over which setup fees are spread in the monthly run rate (SPEC 8).
pub const AMORTIZE_SETUP_MONTHS: u32 = 12;
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
