//! The typed summary of one run: every `summary.csv` value as a named field. Replications,
//! sweeps, shards and merge carry it; one writer prints it. The column names and their
//! order come from [`Summary::visit`], the one list of them.

use super::Metrics;
use super::stat::Stat;
use crate::engine::SimTime;
use crate::model::EndState;
use crate::model::observe::{DeliveryState, PerDelivery, PerEnd};
use crate::scenario::Scenario;
use crate::sms::Money;
use crate::sms::price::{self, CostPart, Costs};
use crate::table::Key;
use std::fmt;

/// Mean, quantiles and maximum of a distribution of durations (none when it is empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Quantiles {
    /// Exact mean, to the microsecond.
    pub mean: Option<SimTime>,
    /// Median.
    pub p50: Option<SimTime>,
    /// 95th percentile.
    pub p95: Option<SimTime>,
    /// 99th percentile.
    pub p99: Option<SimTime>,
    /// Exact maximum.
    pub max: Option<SimTime>,
}

impl Quantiles {
    /// The figures of `s`.
    pub fn of(s: &Stat) -> Self {
        let q = s.quantiles(&[0.5, 0.95, 0.99]);
        Self { mean: s.mean(), p50: q[0], p95: q[1], p99: q[2], max: s.max() }
    }

    fn visit(&self, prefix: &str, f: &mut impl FnMut(&str, Value<'_>)) {
        for (name, v) in
            [("mean", self.mean), ("p50", self.p50), ("p95", self.p95), ("p99", self.p99), ("max", self.max)]
        {
            f(&format!("{prefix}_{name}_s"), Value::Time(v));
        }
    }
}

/// Inbound message counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct InboundCounts {
    /// Inbound messages that reached a number (dropped ones included).
    pub inbound: u64,
    /// That matched a keyword.
    pub keyword: u64,
    /// Dropped by a number that cannot receive.
    pub dropped: u64,
    /// Customers put on the opt-out list.
    pub opt_outs: u64,
    /// Keyword responses requested.
    pub auto_responses: u64,
    /// Publishes (once per topic).
    pub published: u64,
}

/// One run's `summary.csv` row.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// `simulation.name`.
    pub scenario: String,
    /// `base`, a variant's name, or a sweep point's overrides.
    pub variant: String,
    /// The run's seed.
    pub seed: u64,
    /// Replication index.
    pub replication: u32,
    /// Outbound requests.
    pub requested: u64,
    /// Parts transmitted.
    pub parts_sent: u64,
    /// Requests by end state.
    pub ends: PerEnd<u64>,
    /// Inbound counts.
    pub inbound: InboundCounts,
    /// Subscriber deliveries by end state.
    pub subscribers: PerDelivery<u64>,
    /// Retries made by every delivery.
    pub subscriber_retries: u64,
    /// Request to first part transmitted.
    pub queue_wait: Quantiles,
    /// Request to delivery.
    pub latency: Quantiles,
    /// Cost by part.
    pub costs: Costs,
    /// Cost in all.
    pub cost_total: Money,
    /// Cost per delivered message.
    pub cost_per_delivered: Option<Money>,
    /// First message blocked by the spend limit.
    pub spend_limit_hit: Option<SimTime>,
    /// Events handled (the kernel's, and the outcome events that ends told ahead stood
    /// for).
    pub events: u64,
    /// Last transmission of a message that a campaign or traffic source requested.
    pub drain: Option<SimTime>,
    /// Requests handed to a failover pool.
    pub failed_over: u64,
    /// Requests held for their sending window.
    pub held_for_window: u64,
    /// What this workload costs per 30-day month if the horizon repeats (SPEC 8).
    pub cost_monthly_run_rate: Money,
    /// The run rate's fixed part: leases and monthly fees for a month, setup amortised.
    pub cost_monthly_fixed: Money,
    /// Of the message costs: the fraud filter's fees.
    #[serde(default)]
    pub cost_protect_fees: Money,
    /// Messages transmitted outside their template's sending window (SPEC 7.1 holds
    /// requests, not queues).
    #[serde(default)]
    pub sent_outside_window: u64,
    /// The month's spend limit (not a column: what the run rate is read against).
    #[serde(default)]
    pub spend_limit: Money,
    /// Spent this month at t = 0 (`[account] spent_usd`; not a column: what the month's
    /// limit has left is read against it).
    #[serde(default)]
    pub spent: Money,
}

/// One value of a summary row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Text (names).
    Text(&'a str),
    /// A count.
    Count(u64),
    /// A duration or instant, if defined.
    Time(Option<SimTime>),
    /// An amount, if defined.
    Usd(Option<Money>),
}

impl Value<'_> {
    /// The value as a number: seconds, dollars or a count; none for text or a missing value.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Text(_) => None,
            Value::Count(n) => Some(n as f64),
            Value::Time(t) => t.map(|t| t.as_micros() as f64 / 1e6),
            Value::Usd(m) => m.map(|m| m.micros() as f64 / 1e6),
        }
    }
}

/// As written in the CSV: seconds and dollars with six decimals, empty when missing.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Count(n) => write!(f, "{n}"),
            Value::Time(Some(t)) => write!(f, "{t}"),
            Value::Usd(Some(m)) => write!(f, "{m}"),
            Value::Time(None) | Value::Usd(None) => Ok(()),
        }
    }
}

/// One source's row of `sources.csv` (SPEC 6.4).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SourceSummary {
    /// `campaign:<id>`, `traffic:<id>`, `keyword:<WORD>` or `flow:<id>`.
    pub name: String,
    /// Its template's priority.
    pub priority: u8,
    /// A campaign or traffic source (not a response).
    pub workload: bool,
    /// Requests made.
    pub requested: u64,
    /// Requests by end state.
    pub ends: PerEnd<u64>,
    /// Request to first part transmitted.
    pub queue_wait: Quantiles,
    /// Request to delivery.
    pub latency: Quantiles,
    /// From its first request to the first part of its last transmitted message.
    pub drain: Option<SimTime>,
    /// What its messages were charged.
    pub cost: Money,
    /// Requests held for their sending window.
    pub held_for_window: u64,
    /// Messages transmitted outside their sending window.
    #[serde(default)]
    pub sent_outside_window: u64,
}

impl SourceSummary {
    /// Every source of run `m` of `sc`, in scenario order.
    pub fn all(sc: &Scenario, m: &Metrics) -> Vec<SourceSummary> {
        sc.sources
            .iter()
            .zip(&m.sources)
            .map(|(s, x)| SourceSummary {
                name: s.name.clone(),
                priority: s.priority,
                workload: s.workload,
                requested: x.requested,
                ends: x.ends,
                queue_wait: Quantiles::of(&x.queue_wait),
                latency: Quantiles::of(&x.latency),
                drain: x.first_request.zip(x.last_transmit).map(|(a, b)| b - a),
                cost: x.cost,
                held_for_window: x.held_for_window,
                sent_outside_window: x.sent_outside_window,
            })
            .collect()
    }

    /// Every column's name and value, in `sources.csv` order (after `variant`).
    pub fn visit(&self, mut f: impl FnMut(&str, Value<'_>)) {
        f("source", Value::Text(&self.name));
        f("priority", Value::Count(self.priority as u64));
        f("requested", Value::Count(self.requested));
        for &state in EndState::PART_I {
            f(state.name(), Value::Count(self.ends[state]));
        }
        f("queue_wait_p50_s", Value::Time(self.queue_wait.p50));
        f("queue_wait_p95_s", Value::Time(self.queue_wait.p95));
        f("latency_p50_s", Value::Time(self.latency.p50));
        f("latency_p95_s", Value::Time(self.latency.p95));
        f("latency_p99_s", Value::Time(self.latency.p99));
        f("drain_s", Value::Time(self.drain));
        f("cost_usd", Value::Usd(Some(self.cost)));
        f("unroutable", Value::Count(self.ends[EndState::Unroutable]));
        f("held_for_window", Value::Count(self.held_for_window));
        f("blocked_protect", Value::Count(self.ends[EndState::BlockedProtect]));
        f("sent_outside_window", Value::Count(self.sent_outside_window));
    }

    /// The column names, `variant` first.
    pub fn columns() -> Vec<String> {
        let mut names = vec!["variant".to_string()];
        SourceSummary::default().visit(|name, _| names.push(name.to_string()));
        names
    }
}

/// Columns that identify a row rather than measure it.
pub const IDENTITY: [&str; 4] = ["scenario", "variant", "seed", "replication"];

impl Summary {
    /// The summary of run `m` of `sc` under `seed`, replication `replication`.
    pub fn of(sc: &Scenario, seed: u64, replication: u32, m: &Metrics, events: u64) -> Self {
        let costs = costs(sc, m);
        let cost_total = price::total(&costs);
        Self {
            scenario: sc.name.clone(),
            variant: sc.variant.clone(),
            seed,
            replication,
            requested: m.requested,
            parts_sent: m.parts_sent,
            ends: m.ends,
            inbound: m.inbound,
            subscribers: m.deliveries,
            subscriber_retries: m.subscriber_retries,
            queue_wait: Quantiles::of(&m.queue_wait),
            latency: Quantiles::of(&m.latency),
            costs,
            cost_total,
            cost_per_delivered: price::per_item(cost_total, m.ends[EndState::Delivered]),
            spend_limit_hit: m.spend_limit_hit,
            events,
            drain: sc
                .sources
                .iter()
                .zip(&m.sources)
                .filter(|(s, _)| s.workload)
                .filter_map(|(_, x)| x.last_transmit)
                .max(),
            failed_over: m.failed_over,
            held_for_window: m.held_for_window,
            sent_outside_window: m.sent_outside_window,
            cost_monthly_run_rate: run_rate(sc, &costs),
            cost_protect_fees: m.cost_protect_fees,
            spend_limit: sc.spend_limit,
            spent: sc.spent,
            cost_monthly_fixed: {
                let (monthly, setup) = sc.monthly_fixed_costs();
                monthly + setup
            },
        }
    }

    /// Every column's name and value, in `summary.csv` order: the one list of columns.
    pub fn visit(&self, mut f: impl FnMut(&str, Value<'_>)) {
        f("scenario", Value::Text(&self.scenario));
        f("variant", Value::Text(&self.variant));
        f("seed", Value::Count(self.seed));
        f("replication", Value::Count(self.replication as u64));
        f("requested", Value::Count(self.requested));
        f("parts_sent", Value::Count(self.parts_sent));
        for &state in EndState::PART_I {
            f(state.name(), Value::Count(self.ends[state]));
        }
        let i = &self.inbound;
        f("inbound", Value::Count(i.inbound));
        f("inbound_keyword", Value::Count(i.keyword));
        f("inbound_dropped", Value::Count(i.dropped));
        f("opt_outs", Value::Count(i.opt_outs));
        f("auto_responses", Value::Count(i.auto_responses));
        f("published", Value::Count(i.published));
        let sub = |s: DeliveryState| Value::Count(self.subscribers[s]);
        f("subscriber_delivered", sub(DeliveryState::Delivered));
        f("subscriber_retries", Value::Count(self.subscriber_retries));
        f("subscriber_dead_lettered", sub(DeliveryState::DeadLettered));
        f("subscriber_dropped", sub(DeliveryState::Dropped));
        f("subscriber_pending", sub(DeliveryState::Pending));
        self.queue_wait.visit("queue_wait", &mut f);
        self.latency.visit("latency", &mut f);
        for &part in CostPart::ALL {
            f(part.column(), Value::Usd(Some(self.costs[part])));
        }
        f("cost_total_usd", Value::Usd(Some(self.cost_total)));
        f("cost_per_delivered_usd", Value::Usd(self.cost_per_delivered));
        f("spend_limit_hit_s", Value::Time(self.spend_limit_hit));
        f("events", Value::Count(self.events));
        f("drain_s", Value::Time(self.drain));
        f("failed_over", Value::Count(self.failed_over));
        f("unroutable", Value::Count(self.ends[EndState::Unroutable]));
        f("held_for_window", Value::Count(self.held_for_window));
        f("cost_monthly_run_rate_usd", Value::Usd(Some(self.cost_monthly_run_rate)));
        f("blocked_protect", Value::Count(self.ends[EndState::BlockedProtect]));
        f("cost_monthly_fixed_usd", Value::Usd(Some(self.cost_monthly_fixed)));
        f("cost_protect_fees_usd", Value::Usd(Some(self.cost_protect_fees)));
        f("sent_outside_window", Value::Count(self.sent_outside_window));
    }

    /// The column names, in order.
    pub fn columns() -> Vec<String> {
        let mut names = Vec::new();
        Summary::default().visit(|name, _| names.push(name.to_string()));
        names
    }

    /// The value of column `column` as a number (see [`Value::as_f64`]).
    pub fn number(&self, column: &str) -> Option<f64> {
        let mut out = None;
        self.visit(|name, v| {
            if name == column {
                out = v.as_f64();
            }
        });
        out
    }

    /// The row's fields as the CSV writes them.
    pub fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit(|_, v| out.push(v.to_string()));
        out
    }

    /// Requests in `state`.
    pub fn count(&self, state: EndState) -> u64 {
        self.ends[state]
    }
}

/// The monthly run rate of a run of `sc` that cost `costs` (SPEC 8): what it charged
/// (messages, carrier fees, inbound) scaled from the horizon to a 30-day month, every lease
/// and monthly fee for a full month, and setup fees over `amortize_setup_months`.
pub fn run_rate(sc: &Scenario, costs: &Costs) -> Money {
    let charged = costs[CostPart::Messages] + costs[CostPart::CarrierFees] + costs[CostPart::Inbound];
    let (monthly, setup) = sc.monthly_fixed_costs();
    price::per_month(charged, sc.horizon) + monthly + setup
}

/// What run `m` of `sc` cost, by part: what it charged, and the leases, monthly fees and
/// setup fees of its pools over the horizon.
pub fn costs(sc: &Scenario, m: &Metrics) -> Costs {
    let (leases, setup) = sc.fixed_costs();
    let mut c = Costs::default();
    c[CostPart::Messages] = m.cost_messages;
    c[CostPart::CarrierFees] = m.cost_carrier_fees;
    c[CostPart::Inbound] = m.cost_inbound;
    c[CostPart::Leases] = leases;
    c[CostPart::Setup] = setup;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_unique_and_values_print_as_the_csv_does() {
        let cols = Summary::columns();
        let mut sorted = cols.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), cols.len(), "no column twice");
        assert_eq!(&cols[..4], &IDENTITY);
        assert_eq!(cols.last().map(String::as_str), Some("sent_outside_window"));
        let s = Summary {
            latency: Quantiles { p95: Some(SimTime::from_micros(2_500_000)), ..Quantiles::default() },
            cost_total: Money(1_234_567),
            ..Summary::default()
        };
        assert_eq!(s.number("latency_p95_s"), Some(2.5));
        assert_eq!(s.number("latency_p99_s"), None);
        assert_eq!(s.number("cost_total_usd"), Some(1.234567));
        let f = s.fields();
        let at = |c: &str| cols.iter().position(|x| x == c).unwrap();
        assert_eq!(f[at("latency_p95_s")], "2.500000");
        assert_eq!(f[at("latency_p99_s")], "");
        assert_eq!(f[at("cost_total_usd")], "1.234567");
    }
}
