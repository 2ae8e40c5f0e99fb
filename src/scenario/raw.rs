//! Serde structs mirroring the scenario file (SPEC 3). Unknown keys are rejected; values
//! check themselves (see `units`); cross-field checks happen in `resolve`.

use super::units::{Dist, Duration, Priority, Probability, Rate, TimeOfDay, Usd};
use super::when::{DayFactors, Moment, RawStep, RawWindow, RawZoneShare};
use crate::sms::{Backoff, Kind, KindTable, Money, Protocol};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub(crate) simulation: RawSimulation,
    #[serde(default)]
    pub(crate) account: RawAccount,
    #[serde(default)]
    pub(crate) number: Vec<RawNumber>,
    #[serde(default)]
    pub(crate) carrier: Vec<RawCarrier>,
    pub(crate) customers: RawCustomers,
    #[serde(default)]
    pub(crate) campaign: Vec<RawCampaign>,
    #[serde(default)]
    pub(crate) traffic: Vec<RawTraffic>,
    #[serde(default)]
    pub(crate) keyword: Vec<RawKeyword>,
    #[serde(default)]
    pub(crate) topic: Vec<RawTopic>,
    #[serde(default)]
    pub(crate) flow: Vec<RawFlow>,
    #[serde(default)]
    pub(crate) variant: Vec<RawVariant>,
    #[serde(default)]
    pub(crate) limit: Vec<RawLimit>,
    #[serde(default)]
    pub(crate) country: Vec<RawCountry>,
}

/// A destination country (SPEC 7.3).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCountry {
    pub(crate) id: String,
    pub(crate) share: Probability,
    pub(crate) calling_code: Option<String>,
    pub(crate) carriers: Option<Vec<String>>,
    pub(crate) time_zones: Option<Vec<RawZoneShare>>,
    pub(crate) price_per_part_usd: Option<Usd>,
    pub(crate) inbound_price_per_part_usd: Option<Usd>,
    pub(crate) kinds: Option<Vec<Kind>>,
}

/// `from`: one pool id, or a list tried in order.
#[derive(Debug, Clone)]
pub(crate) struct From(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for From {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bad =
            |v: &toml::Value| serde::de::Error::custom(format!("expected a pool id or a list of pool ids, found {v}"));
        match toml::Value::deserialize(d)? {
            toml::Value::String(s) => Ok(From(vec![s])),
            toml::Value::Array(a) if !a.is_empty() => a
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(|| bad(v)))
                .collect::<Result<_, _>>()
                .map(From),
            other => Err(bad(&other)),
        }
    }
}

/// A named set of overrides, compared against the base scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    pub(crate) name: String,
    #[serde(default)]
    // Checked for its shape here; applied from the TOML document (`variant.rs`).
    #[allow(dead_code)]
    pub(crate) set: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    pub(crate) name: Option<String>,
    pub(crate) seed: Option<u64>,
    pub(crate) horizon: Duration,
    pub(crate) metrics_interval: Option<Duration>,
    pub(crate) start_time_of_day: Option<TimeOfDay>,
    pub(crate) start: Option<String>,
    pub(crate) time_zone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccount {
    pub(crate) monthly_spend_limit_usd: Option<Usd>,
    pub(crate) spent_usd: Option<Usd>,
    pub(crate) mps: Option<Rate>,
    pub(crate) amortize_setup_months: Option<u32>,
    pub(crate) protect: Option<RawProtect>,
}

/// `[account] protect` (SPEC 8): SMS pumping protection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProtect {
    pub(crate) block_countries: Option<Vec<String>>,
    pub(crate) filter: Option<RawFilter>,
}

/// A fraud filter: what it catches and what it costs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFilter {
    pub(crate) catch_rate: Probability,
    pub(crate) false_positive_rate: Probability,
    pub(crate) fee_per_message_usd: Usd,
}

/// How a pool picks a number for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// The number with the fewest parts waiting, then the one free soonest.
    #[default]
    LeastLoaded,
    /// Each number in turn.
    RoundRobin,
    /// The same number for the same customer.
    Sticky,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNumber {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    pub(crate) count: Option<u32>,
    pub(crate) country: Option<String>,
    pub(crate) mps: Option<Rate>,
    pub(crate) two_way: Option<bool>,
    pub(crate) selection: Option<Selection>,
    pub(crate) queue_limit: Option<u64>,
    pub(crate) ttl: Option<Duration>,
    pub(crate) price_per_part_usd: Option<Usd>,
    pub(crate) inbound_price_per_part_usd: Option<Usd>,
    pub(crate) monthly_lease_usd: Option<Usd>,
    pub(crate) monthly_fee_usd: Option<Usd>,
    pub(crate) setup_fee_usd: Option<Usd>,
    #[serde(default)]
    pub(crate) carrier_limit: Vec<RawCarrierLimit>,
    #[serde(default)]
    pub(crate) outages: Vec<RawOutage>,
    pub(crate) failover: Option<String>,
    pub(crate) opt_out_list: Option<String>,
    pub(crate) countries: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCarrierLimit {
    pub(crate) carrier: String,
    pub(crate) mps: Option<Rate>,
    pub(crate) daily_parts: Option<u64>,
    pub(crate) weekly_parts: Option<u64>,
    pub(crate) monthly_parts: Option<u64>,
    pub(crate) on_cap: Option<OnCap>,
}

/// A limit shared by several pools (`[[limit]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLimit {
    pub(crate) id: String,
    pub(crate) pools: Vec<String>,
    pub(crate) carrier: Option<String>,
    pub(crate) mps: Option<Rate>,
    pub(crate) daily_parts: Option<u64>,
    pub(crate) weekly_parts: Option<u64>,
    pub(crate) monthly_parts: Option<u64>,
    pub(crate) on_cap: Option<OnCap>,
}

/// What happens to a message whose parts would pass a cap when its turn comes (SPEC 6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnCap {
    /// `blocked_daily_cap`, not charged.
    #[default]
    Block,
    /// `blocked_daily_cap`, charged as if transmitted.
    BlockCharged,
    /// Held at the head of its number until the window resets (or its TTL passes).
    Hold,
}

/// A money amount per number kind, in dollars; kinds left out are 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawKindTable(pub KindTable<Money>);

impl<'de> Deserialize<'de> for RawKindTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawKindTable;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of dollar amounts by number kind")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<RawKindTable, A::Error> {
                let mut t = KindTable::<Money>::default();
                while let Some(key) = m.next_key::<String>()? {
                    let Some(kind) = Kind::from_name(&key) else {
                        return Err(serde::de::Error::unknown_field(&key, &Kind::NAMES));
                    };
                    t[kind] = m.next_value::<Usd>()?.0;
                }
                Ok(RawKindTable(t))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutage {
    pub(crate) from: Duration,
    pub(crate) to: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCarrier {
    pub(crate) id: String,
    pub(crate) share: Probability,
    pub(crate) latency: Option<Dist>,
    pub(crate) inbound_latency: Option<Dist>,
    pub(crate) failure_rate: Option<Probability>,
    #[serde(default)]
    pub(crate) fee_per_part_usd: RawKindTable,
    #[serde(default)]
    pub(crate) inbound_fee_per_part_usd: RawKindTable,
    #[serde(default)]
    pub(crate) outages: Vec<RawOutage>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCustomers {
    pub(crate) count: u32,
    pub(crate) unreachable: Option<Probability>,
    pub(crate) opted_out: Option<Probability>,
    pub(crate) time_zones: Option<Vec<RawZoneShare>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReply {
    pub(crate) body: String,
    pub(crate) p: Probability,
    pub(crate) after: Dist,
}

/// `"all"` or the first N customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// Every customer.
    All,
    /// Customers 0 to N - 1.
    First(u32),
}

impl<'de> Deserialize<'de> for Recipients {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(d)? {
            toml::Value::String(s) if s == "all" => Ok(Recipients::All),
            toml::Value::Integer(n) if (0..=u32::MAX as i64).contains(&n) => Ok(Recipients::First(n as u32)),
            other => Err(serde::de::Error::custom(format!("expected \"all\" or a number of customers, found {other}"))),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCampaign {
    pub(crate) id: String,
    pub(crate) from: From,
    pub(crate) body: String,
    pub(crate) smart_encoding: Option<bool>,
    pub(crate) max_price_per_message_usd: Option<Usd>,
    pub(crate) priority: Option<Priority>,
    #[serde(default)]
    pub(crate) replies: Vec<RawReply>,
    pub(crate) at: Option<Moment>,
    pub(crate) recipients: Option<Recipients>,
    pub(crate) spread: Option<Duration>,
    pub(crate) every: Option<Duration>,
    pub(crate) until: Option<Moment>,
    pub(crate) window: Option<RawWindow>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTraffic {
    pub(crate) id: String,
    pub(crate) from: From,
    pub(crate) body: String,
    pub(crate) smart_encoding: Option<bool>,
    pub(crate) max_price_per_message_usd: Option<Usd>,
    pub(crate) priority: Option<Priority>,
    #[serde(default)]
    pub(crate) replies: Vec<RawReply>,
    pub(crate) rate: Rate,
    pub(crate) start: Option<Moment>,
    pub(crate) end: Option<Moment>,
    pub(crate) window: Option<RawWindow>,
    pub(crate) profile: Option<Vec<RawStep>>,
    pub(crate) days: Option<DayFactors>,
    pub(crate) fraud: Option<bool>,
    pub(crate) country: Option<String>,
}

/// What a keyword does besides answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Only the response.
    #[default]
    AutoReply,
    /// Put the customer on the opt-out list.
    OptOut,
    /// Take the customer off the opt-out list.
    OptIn,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKeyword {
    pub(crate) number: String,
    pub(crate) word: String,
    pub(crate) body: String,
    #[serde(default)]
    pub(crate) replies: Vec<RawReply>,
    pub(crate) action: Option<Action>,
    pub(crate) smart_encoding: Option<bool>,
    pub(crate) max_price_per_message_usd: Option<Usd>,
    pub(crate) priority: Option<Priority>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRetry {
    pub(crate) num_retries: u32,
    pub(crate) num_no_delay_retries: Option<u32>,
    pub(crate) num_min_delay_retries: Option<u32>,
    pub(crate) min_delay_target: Option<Duration>,
    pub(crate) num_max_delay_retries: Option<u32>,
    pub(crate) max_delay_target: Option<Duration>,
    pub(crate) backoff_function: Option<Backoff>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubscription {
    pub(crate) id: String,
    pub(crate) protocol: Protocol,
    pub(crate) latency: Option<Dist>,
    pub(crate) failure_rate: Option<Probability>,
    #[serde(default)]
    pub(crate) outages: Vec<RawOutage>,
    pub(crate) concurrency: Option<u32>,
    pub(crate) retry: Option<RawRetry>,
    pub(crate) dead_letter_queue: Option<bool>,
    pub(crate) handler: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopic {
    pub(crate) id: String,
    pub(crate) numbers: Vec<String>,
    #[serde(default)]
    pub(crate) subscription: Vec<RawSubscription>,
}

/// One word or a list of words.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Words {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) when: Words,
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) replies: Vec<RawReply>,
    pub(crate) outcome: Option<String>,
    pub(crate) smart_encoding: Option<bool>,
    pub(crate) max_price_per_message_usd: Option<Usd>,
    pub(crate) priority: Option<Priority>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFlow {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) rule: Vec<RawRule>,
}
