//! Serde structs mirroring the scenario file (SPEC 3). Unknown keys are rejected; values
//! check themselves (see `units`); cross-field checks happen in `resolve`.

use super::units::{Dist, Duration, Probability, Rate, TimeOfDay, Usd};
use crate::sms::{Backoff, Kind, KindTable, Money, Protocol};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: RawSimulation,
    #[serde(default)]
    pub account: RawAccount,
    #[serde(default)]
    pub number: Vec<RawNumber>,
    #[serde(default)]
    pub carrier: Vec<RawCarrier>,
    pub customers: RawCustomers,
    #[serde(default)]
    pub campaign: Vec<RawCampaign>,
    #[serde(default)]
    pub traffic: Vec<RawTraffic>,
    #[serde(default)]
    pub keyword: Vec<RawKeyword>,
    #[serde(default)]
    pub topic: Vec<RawTopic>,
    #[serde(default)]
    pub flow: Vec<RawFlow>,
    #[serde(default)]
    pub variant: Vec<RawVariant>,
}

/// A named set of overrides, compared against the base scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    pub name: String,
    #[serde(default)]
    pub set: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub name: Option<String>,
    pub seed: Option<u64>,
    pub horizon: Duration,
    pub metrics_interval: Option<Duration>,
    pub start_time_of_day: Option<TimeOfDay>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub monthly_spend_limit_usd: Option<Usd>,
    pub spent_usd: Option<Usd>,
}

/// How a pool picks a number for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    #[default]
    LeastLoaded,
    RoundRobin,
    Sticky,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNumber {
    pub id: String,
    pub kind: Kind,
    pub count: Option<u32>,
    pub country: Option<String>,
    pub mps: Option<Rate>,
    pub two_way: Option<bool>,
    pub selection: Option<Selection>,
    pub queue_limit: Option<u64>,
    pub ttl: Option<Duration>,
    pub price_per_part_usd: Option<Usd>,
    pub inbound_price_per_part_usd: Option<Usd>,
    pub monthly_lease_usd: Option<Usd>,
    pub monthly_fee_usd: Option<Usd>,
    pub setup_fee_usd: Option<Usd>,
    #[serde(default)]
    pub carrier_limit: Vec<RawCarrierLimit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCarrierLimit {
    pub carrier: String,
    pub mps: Option<Rate>,
    pub daily_parts: Option<u64>,
}

/// A money amount per number kind, in dollars; kinds left out are 0.
#[derive(Debug, Clone, Default)]
pub struct RawKindTable(pub KindTable<Money>);

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
pub struct RawOutage {
    pub from: Duration,
    pub to: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCarrier {
    pub id: String,
    pub share: Probability,
    pub latency: Option<Dist>,
    pub inbound_latency: Option<Dist>,
    pub failure_rate: Option<Probability>,
    #[serde(default)]
    pub fee_per_part_usd: RawKindTable,
    #[serde(default)]
    pub inbound_fee_per_part_usd: RawKindTable,
    #[serde(default)]
    pub outages: Vec<RawOutage>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCustomers {
    pub count: u32,
    pub unreachable: Option<Probability>,
    pub opted_out: Option<Probability>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReply {
    pub body: String,
    pub p: Probability,
    pub after: Dist,
}

/// `"all"` or the first N customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    All,
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
pub struct RawCampaign {
    pub id: String,
    pub from: String,
    pub body: String,
    #[serde(default)]
    pub replies: Vec<RawReply>,
    pub at: Option<Duration>,
    pub recipients: Option<Recipients>,
    pub spread: Option<Duration>,
    pub every: Option<Duration>,
    pub until: Option<Duration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    pub id: String,
    pub from: String,
    pub body: String,
    #[serde(default)]
    pub replies: Vec<RawReply>,
    pub rate: Rate,
    pub start: Option<Duration>,
    pub end: Option<Duration>,
}

/// What a keyword does besides answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    #[default]
    AutoReply,
    OptOut,
    OptIn,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeyword {
    pub number: String,
    pub word: String,
    pub body: String,
    #[serde(default)]
    pub replies: Vec<RawReply>,
    pub action: Option<Action>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub num_retries: u32,
    pub num_no_delay_retries: Option<u32>,
    pub num_min_delay_retries: Option<u32>,
    pub min_delay_target: Option<Duration>,
    pub num_max_delay_retries: Option<u32>,
    pub max_delay_target: Option<Duration>,
    pub backoff_function: Option<Backoff>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubscription {
    pub id: String,
    pub protocol: Protocol,
    pub latency: Option<Dist>,
    pub failure_rate: Option<Probability>,
    #[serde(default)]
    pub outages: Vec<RawOutage>,
    pub concurrency: Option<u32>,
    pub retry: Option<RawRetry>,
    pub dead_letter_queue: Option<bool>,
    pub handler: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: String,
    pub numbers: Vec<String>,
    #[serde(default)]
    pub subscription: Vec<RawSubscription>,
}

/// One word or a list of words.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Words {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub when: Words,
    pub body: Option<String>,
    #[serde(default)]
    pub replies: Vec<RawReply>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlow {
    pub id: String,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}
