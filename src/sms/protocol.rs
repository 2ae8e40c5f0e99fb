//! Subscription protocols and the one table of their defaults: the provider's delivery
//! retry policy, concurrency and limits on custom policies (source tags as in
//! `sms::kind`).
//!
//! A new protocol is a variant here and its row in [`PROTOCOL_DEFAULTS`].

use super::retry::{Backoff, RetryPolicy};
use crate::engine::SimTime;
use crate::table::{Key, Table};

/// Subscription protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// An HTTP endpoint.
    Http,
    /// An HTTPS endpoint.
    Https,
    /// A queue.
    Sqs,
    /// A function.
    Lambda,
    /// A delivery stream.
    Firehose,
    /// Email, as text.
    Email,
    /// Email, as JSON.
    EmailJson,
    /// A text message.
    Sms,
}

/// How many protocols there are.
pub const PROTOCOLS: usize = 8;

/// A value per protocol.
pub type ProtocolTable<T> = Table<Protocol, T, PROTOCOLS>;

impl Key for Protocol {
    const ALL: &'static [Protocol] = &[
        Protocol::Http,
        Protocol::Https,
        Protocol::Sqs,
        Protocol::Lambda,
        Protocol::Firehose,
        Protocol::Email,
        Protocol::EmailJson,
        Protocol::Sms,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

const _: () = assert!(<Protocol as Key>::ALL.len() == PROTOCOLS);

impl Protocol {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        self.defaults().name
    }

    /// Whether the provider's HTTP/S policy limits apply.
    pub fn is_http(self) -> bool {
        self.defaults().custom_limits.is_some()
    }

    /// This protocol's defaults.
    pub fn defaults(self) -> &'static ProtocolDefaults {
        &PROTOCOL_DEFAULTS.values()[self.index()]
    }
}

/// Limits the provider puts on a custom delivery policy (doc).
#[derive(Debug, Clone, Copy)]
pub struct PolicyLimits {
    /// Most retries.
    pub max_retries: u32,
    /// Longest delay between attempts.
    pub max_delay: SimTime,
    /// Longest span from the first attempt to the last.
    pub max_total: SimTime,
}

/// The defaults of one protocol.
#[derive(Debug, Clone)]
pub struct ProtocolDefaults {
    /// The name used in scenario files.
    pub name: &'static str,
    /// The provider's default delivery policy.
    pub retry: RetryPolicy,
    /// Deliveries in progress at once (`u32::MAX`: unlimited).
    pub concurrency: u32,
    /// Limits on a custom policy, where the provider sets them.
    pub custom_limits: Option<PolicyLimits>,
    /// Where the figures come from.
    pub source: &'static str,
}

/// Default processing time of one subscriber delivery, any protocol (assumed).
pub const SUBSCRIBER_LATENCY: SimTime = SimTime::from_micros(100_000);

// AWS-managed endpoints: 3 immediate, 2 pre-backoff 1 s apart, 10 backoff exponential
// 1 s to 20 s, 100,000 post-backoff 20 s apart: about 23 days (doc).
const MANAGED: RetryPolicy = RetryPolicy {
    num_retries: 100_015,
    num_no_delay_retries: 3,
    num_min_delay_retries: 2,
    min_delay: SimTime::from_secs(1),
    num_max_delay_retries: 100_000,
    max_delay: SimTime::from_secs(20),
    backoff: Backoff::Exponential,
};

// Customer-managed email/SMS: 2 pre-backoff 10 s apart, 10 backoff exponential 10 s to
// 600 s, 38 post-backoff 600 s apart: about 6 hours (doc).
const CUSTOMER_MANAGED: RetryPolicy = RetryPolicy {
    num_retries: 50,
    num_no_delay_retries: 0,
    num_min_delay_retries: 2,
    min_delay: SimTime::from_secs(10),
    num_max_delay_retries: 38,
    max_delay: SimTime::from_secs(600),
    backoff: Backoff::Exponential,
};

// HTTP/S default: 3 retries 20 s apart, linear; 4 attempts in all (doc).
const HTTP: RetryPolicy = RetryPolicy {
    num_retries: 3,
    num_no_delay_retries: 0,
    num_min_delay_retries: 0,
    min_delay: SimTime::from_secs(20),
    num_max_delay_retries: 0,
    max_delay: SimTime::from_secs(20),
    backoff: Backoff::Linear,
};

// An HTTP/S policy allows at most 100 retries, delays up to 3,600 s, and must fit in
// 3,600 s (doc).
const HTTP_LIMITS: Option<PolicyLimits> =
    Some(PolicyLimits { max_retries: 100, max_delay: SimTime::from_secs(3600), max_total: SimTime::from_secs(3600) });

const UNLIMITED: u32 = u32::MAX;

const fn row(name: &'static str, retry: RetryPolicy, concurrency: u32, source: &'static str) -> ProtocolDefaults {
    ProtocolDefaults { name, retry, concurrency, custom_limits: None, source }
}

/// The table of per-protocol defaults, in [`Key::ALL`] order.
pub const PROTOCOL_DEFAULTS: ProtocolTable<ProtocolDefaults> = Table::new([
    ProtocolDefaults { custom_limits: HTTP_LIMITS, ..row("http", HTTP, UNLIMITED, "HTTP/S delivery policy (doc)") },
    ProtocolDefaults { custom_limits: HTTP_LIMITS, ..row("https", HTTP, UNLIMITED, "HTTP/S delivery policy (doc)") },
    row("sqs", MANAGED, UNLIMITED, "AWS-managed endpoint policy (doc)"),
    // 1,000 concurrent executions per region (doc).
    row("lambda", MANAGED, 1_000, "AWS-managed endpoint policy (doc); 1,000 concurrent executions (doc)"),
    row("firehose", MANAGED, UNLIMITED, "AWS-managed endpoint policy (doc)"),
    row("email", CUSTOMER_MANAGED, UNLIMITED, "customer-managed endpoint policy (doc)"),
    row("email-json", CUSTOMER_MANAGED, UNLIMITED, "customer-managed endpoint policy (doc)"),
    row("sms", CUSTOMER_MANAGED, UNLIMITED, "customer-managed endpoint policy (doc)"),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_index_their_own_position() {
        for (i, &p) in <Protocol as Key>::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
    }

    #[test]
    fn rows_are_in_key_order() {
        for &p in Protocol::ALL {
            // The name in the table is the serde name of the variant.
            let parsed: Protocol = serde_json::from_str(&format!("\"{}\"", p.name())).unwrap();
            assert_eq!(parsed, p);
        }
        assert!(Protocol::Https.is_http() && !Protocol::Sqs.is_http());
        assert_eq!(Protocol::Lambda.defaults().concurrency, 1_000);
    }
}
