//! The spend limit stops sending exactly where spent + cost would pass the limit.

mod common;
use common::{ended, run, scenario};
use smsim::model::EndState;
use smsim::scenario::Money;

fn text(spent: &str, fee: &str, campaigns: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "1d"
[account]
monthly_spend_limit_usd = 1.00
spent_usd = {spent}
[[number]]
id = "lc"
kind = "long_code"
price_per_part_usd = 0.00581
[[carrier]]
id = "c"
share = 1
fee_per_part_usd = {{ long_code = {fee} }}
[customers]
count = 1000
{campaigns}
"#
    )
}

const ONE_BLAST: &str = r#"
[[campaign]]
id = "blast"
from = "lc"
body = "Hello"
"#;

#[test]
fn default_limit_stops_after_172_messages() {
    // $1.00 / $0.00581 = 172.1: 172 messages cost $0.99932; the 173rd would make
    // $1.00513 > $1.00, so it and every later one is blocked, at its turn: t = 172 s.
    let o = run(&scenario(&text("0", "0", ONE_BLAST)), 1);
    let m = &o.metrics;
    assert_eq!(m.parts_sent, 172);
    assert_eq!(m.count(EndState::BlockedSpendLimit), 1000 - 172);
    assert_eq!(m.cost_messages, Money(172 * 5810));
    assert_eq!(m.spend_limit_hit.unwrap().to_string(), "172.000000");
    assert_eq!(ended(&o), m.requested);
}

#[test]
fn carrier_fees_count_toward_the_limit() {
    // Each part costs 0.00581 + 0.0025 = 0.00831: floor(1 / 0.00831) = 120 messages.
    let o = run(&scenario(&text("0", "0.0025", ONE_BLAST)), 1);
    assert_eq!(o.metrics.parts_sent, 120);
    assert_eq!(o.metrics.cost_carrier_fees, Money(120 * 2500));
    assert!(o.metrics.cost_messages.micros() + o.metrics.cost_carrier_fees.micros() <= 1_000_000);
}

#[test]
fn exact_boundary_is_allowed_and_bigger_messages_are_blocked_alone() {
    // Already spent 0.98838 leaves exactly 0.01162 = two parts. A 3-part message at the
    // head would pass the limit and is blocked; the 1-part ones behind it are then sent
    // (spent + cost <= limit, with equality allowed on the second).
    let three_parts = "x".repeat(307); // 307 GSM-7 septets: 153 + 153 + 1
    let campaigns = format!(
        r#"
[[campaign]]
id = "long"
from = "lc"
body = "{three_parts}"
recipients = 1
[[campaign]]
id = "short"
from = "lc"
body = "Hi"
recipients = 3
"#
    );
    let o = run(&scenario(&text("0.98838", "0", &campaigns)), 1);
    let m = &o.metrics;
    assert_eq!(m.count(EndState::BlockedSpendLimit), 2, "the 3-part one and the third 1-part one");
    assert_eq!(m.parts_sent, 2);
    assert_eq!(m.cost_messages, Money(2 * 5810));
    assert_eq!(m.spend_limit_hit.unwrap().to_string(), "0.000000");
}
