//! SMS pumping and protection (SPEC 8): fraud sources, blocked countries, the fraud
//! filter and its fee, `max_price_per_message_usd`, and the spend limit under an attack.
//! Expectations come from the scenario's own prices and binomial laws, worked out here.

mod common;
use common::{ended, run_with, scenario};
use smsim::model::{EndState, Obs, ObsKind, Observer};

/// Requests, screenings, transmissions and ends, with each one's source and country.
#[derive(Default)]
struct Log {
    requested: Vec<(u32, u8)>,
    customers: Vec<(u32, u32)>,
    screened: Vec<(u32, i64)>,
    sent: Vec<(u32, u8, i64)>,
    ends: Vec<(u32, u8, EndState)>,
}

impl Observer for Log {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            ObsKind::Requested => {
                self.requested.push((o.source as u32, o.country));
                self.customers.push((o.source as u32, o.customer));
            }
            ObsKind::Screened => self.screened.push((o.source as u32, (o.cost + o.fee).micros())),
            ObsKind::Transmitted => self.sent.push((o.source as u32, o.country, (o.cost + o.fee).micros())),
            ObsKind::End { state, .. } => self.ends.push((o.source as u32, o.country, state)),
            _ => {}
        }
    }
}

impl Log {
    fn count(&self, source: u32, state: EndState) -> usize {
        self.ends.iter().filter(|e| e.0 == source && e.2 == state).count()
    }
    fn requests(&self, source: u32) -> usize {
        self.requested.iter().filter(|r| r.0 == source).count()
    }
}

/// Sources: 0 genuine sign-ups (US customers), 1 the pumping attack (new numbers in AZ).
/// Toll-free numbers reach the US (3 parts/s each: 20 carry the 2 requests/s), a sender ID
/// at 10 parts/s reaches AZ (the 5 fraud requests/s).
fn attack(account: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "1h"
[account]
monthly_spend_limit_usd = 100000
{account}
[[carrier]]
id = "us"
share = 1
[[carrier]]
id = "az"
share = 1
[[country]]
id = "US"
share = 1
carriers = ["us"]
price_per_part_usd = 0.01
[[country]]
id = "AZ"
share = 0
carriers = ["az"]
price_per_part_usd = 0.1462
[customers]
count = 2000
[[number]]
id = "tf"
kind = "toll_free"
count = 20
[[number]]
id = "global"
kind = "sender_id"
countries = ["AZ"]
mps = 10
[[traffic]]
id = "signups"
from = ["tf", "global"]
body = "Your code is 123456"
rate = 2
replies = [{{ body = "thanks", p = 0.5, after = "5s" }}]
[[traffic]]
id = "pumping"
from = ["tf", "global"]
body = "Your code is 123456"
rate = 5
fraud = true
country = "AZ"
{extra}
"#
    )
}

#[test]
fn a_fraud_source_sends_to_new_numbers_in_its_country_at_its_price_and_they_never_answer() {
    let sc = scenario(&attack("", ""));
    let (o, log) = run_with(&sc, 5, Log::default());
    let fraud = log.requests(1);
    // Poisson, mean 5/s over an hour = 18,000: sd 134, so 5 sd is 671.
    assert!((fraud as i64 - 18_000).abs() < 671, "{fraud} fraud requests");
    assert!(log.requested.iter().all(|&(s, c)| (s == 1) == (c == 1)), "fraud to AZ only, genuine to the US only");
    let to_az: Vec<_> = log.sent.iter().filter(|s| s.0 == 1).collect();
    assert!(to_az.len() as f64 > 0.99 * fraud as f64, "sent: {}", to_az.len());
    assert!(to_az.iter().all(|s| s.2 == 146_200), "each at AZ's price");
    assert_eq!(o.metrics.count(EndState::Unroutable), 0);
    assert_eq!(log.count(1, EndState::Unreachable), 0, "always reachable");
    // Only genuine customers answer: inbound at most the genuine deliveries.
    assert!(o.metrics.inbound.inbound <= log.count(0, EndState::Delivered) as u64);
    assert!(o.metrics.inbound.inbound > 0);
    assert_eq!(ended(&o), o.metrics.requested);
    // Each fraud request is a new destination: past customers.count, all different.
    let fraud_customers: std::collections::HashSet<u32> =
        log.customers.iter().filter(|c| c.0 == 1).map(|c| c.1).collect();
    assert_eq!(fraud_customers.len(), fraud);
    assert!(fraud_customers.iter().all(|&c| c >= 2000));
    assert!(log.customers.iter().filter(|c| c.0 == 0).all(|c| c.1 < 2000));
    let s = o.summary(&sc, 0);
    assert_eq!(s.count(EndState::BlockedProtect), 0, "no protection, nothing blocked");
}

#[test]
fn a_country_block_stops_every_fraud_request_to_it_and_charges_nothing_for_them() {
    let sc = scenario(&attack("protect = { block_countries = [\"AZ\", \"NG\"] }", ""));
    let (o, log) = run_with(&sc, 5, Log::default());
    let fraud = log.requests(1);
    assert!(fraud > 17_000);
    assert_eq!(log.count(1, EndState::BlockedProtect), fraud, "every fraud request ends blocked_protect");
    assert_eq!(log.count(0, EndState::BlockedProtect), 0, "no genuine one does");
    assert!(log.sent.iter().all(|s| s.0 == 0), "nothing transmitted to AZ");
    assert_eq!(o.metrics.sources[1].cost.micros(), 0, "blocked requests cost nothing");
    assert!(log.screened.is_empty(), "no filter, no fee");
    let s = o.summary(&sc, 0);
    assert_eq!(s.count(EndState::BlockedProtect), fraud as u64);
    assert_eq!(ended(&o), o.metrics.requested);
}

#[test]
fn the_filter_catches_by_its_rates_and_charges_its_fee_for_every_screened_request() {
    let filter = "protect = { filter = { catch_rate = 0.9, false_positive_rate = 0.05, fee_per_message_usd = 0.002 } }";
    let sc = scenario(&attack(filter, ""));
    let (o, log) = run_with(&sc, 11, Log::default());
    let (fraud, genuine) = (log.requests(1) as f64, log.requests(0) as f64);
    // Every request reaches the filter (no window, route or opt-out stops one first).
    assert_eq!(log.screened.len() as f64, fraud + genuine);
    assert!(log.screened.iter().all(|s| s.1 == 2_000), "the fee, per request, whatever its parts");
    // Caught counts are binomial: 5 sd of n p (1 - p) each.
    let caught = log.count(1, EndState::BlockedProtect) as f64;
    let sd = (fraud * 0.9 * 0.1).sqrt();
    assert!((caught - 0.9 * fraud).abs() < 5.0 * sd, "{caught} of {fraud} fraud caught (sd {sd:.1})");
    let false_pos = log.count(0, EndState::BlockedProtect) as f64;
    let sd = (genuine * 0.05 * 0.95).sqrt();
    assert!((false_pos - 0.05 * genuine).abs() < 5.0 * sd, "{false_pos} of {genuine} genuine caught (sd {sd:.1})");
    // The fee is a message cost: cost_messages is the fees plus the transmitted prices.
    let fees: i64 = log.screened.iter().map(|s| s.1).sum();
    let sent: i64 = log.sent.iter().map(|s| s.2).sum();
    let m = &o.metrics;
    assert_eq!(m.cost_messages.micros() + m.cost_carrier_fees.micros(), fees + sent);
    let per_source: i64 = m.sources.iter().map(|x| x.cost.micros()).sum();
    assert_eq!(per_source, fees + sent);
    assert_eq!(o.summary(&sc, 0).cost_protect_fees.micros(), fees, "the fees' own column");
    assert_eq!(ended(&o), m.requested);
}

#[test]
fn max_price_blocks_exactly_the_messages_dearer_than_it() {
    // A two-part passcode: 0.02 to the US (exactly the bound, so it goes), 0.2924 to AZ.
    let body = "Your code is 123456. Never share it with anyone. We will never call you or text you to ask for it. If you did not ask for this code, someone may have your password: change it now.";
    let text = attack("", "")
        .replace("body = \"Your code is 123456\"", &format!("body = \"{body}\"\nmax_price_per_message_usd = 0.02"));
    let sc = scenario(&text);
    assert_eq!(sc.templates[0].parts, 2);
    let (o, log) = run_with(&sc, 5, Log::default());
    let to_az = log.requested.iter().filter(|r| r.1 == 1).count();
    let blocked: Vec<_> = log.ends.iter().filter(|e| e.2 == EndState::BlockedProtect).collect();
    assert_eq!(blocked.len(), to_az, "every AZ message, and only those");
    assert!(blocked.iter().all(|e| e.1 == 1));
    assert!(log.sent.iter().all(|s| s.2 == 20_000), "US messages at exactly the bound go");
    assert_eq!(o.metrics.sources[1].cost.micros(), 0);
}

#[test]
fn the_spend_limit_stops_an_attack_and_the_genuine_traffic_with_it() {
    // $50: AZ messages cost 0.1462 each at 5/s, so the budget lasts about 70 s of attack.
    let sc = scenario(&attack("", "").replace("monthly_spend_limit_usd = 100000", "monthly_spend_limit_usd = 50"));
    let (o, log) = run_with(&sc, 5, Log::default());
    let s = o.summary(&sc, 0);
    let hit = s.spend_limit_hit.expect("the attack hits the limit").as_secs_f64();
    assert!(hit < 120.0, "hit at {hit} s");
    assert!(log.count(0, EndState::BlockedSpendLimit) > 6_000, "genuine passcodes stop with it");
    let spent = o.metrics.cost_messages.micros() + o.metrics.cost_carrier_fees.micros();
    assert!(spent <= 50_000_000);
    // A country block keeps the budget for genuine traffic: at 2 requests/s, c dollars
    // each (price and carrier fee) and half of them answered at i dollars (inbound spend
    // counts too), $50 lasts 50 / (2 (c + i / 2)) s. Poisson counts by then
    // (about 3,800) have an sd under 2%: 10% is over 5 sd.
    let sc = scenario(&attack("protect = { block_countries = [\"AZ\"] }", "").replace("100000", "50"));
    let (o, log) = run_with(&sc, 5, Log::default());
    let each = log.sent[0].2 as f64 / 1e6;
    let inbound = sc.pools[0].inbound_price_from[0].micros() as f64 / 1e6;
    let expected = 50.0 / (2.0 * (each + inbound / 2.0));
    let hit = o.summary(&sc, 0).spend_limit_hit.unwrap().as_secs_f64();
    assert!((hit / expected - 1.0).abs() < 0.1, "hit at {hit} s, expected about {expected} s");
}

#[test]
fn a_filter_fee_the_account_cannot_pay_ends_the_request_at_the_spend_limit() {
    // Spent up to one cent below the limit: a $0.02 fee can never be paid.
    let filter = "spent_usd = 49.99\nprotect = { filter = { catch_rate = 0.9, false_positive_rate = 0, fee_per_message_usd = 0.02 } }";
    let sc = scenario(&attack(filter, "").replace("100000", "50"));
    let (o, log) = run_with(&sc, 5, Log::default());
    assert!(log.screened.is_empty());
    assert_eq!(o.metrics.count(EndState::BlockedSpendLimit), o.metrics.requested);
}

fn err(text: &str) -> String {
    match smsim::scenario::load_str(text, "f.toml", "f", &[]) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn protect_and_fraud_keys_are_checked_with_their_location() {
    let base = attack("", "");
    let e = err(&base.replace("fraud = true\ncountry = \"AZ\"\n", "fraud = true\n"));
    assert!(e.starts_with("f.toml:") && e.contains("traffic.pumping.fraud") && e.contains("needs country"), "{e}");
    let e = err(&base.replace("fraud = true\n", ""));
    assert!(e.contains("traffic.pumping.country") && e.contains("set fraud = true"), "{e}");
    let e = err(&base.replace("country = \"AZ\"\n[[country]]", "").replace("country = \"AZ\"", "country = \"NG\""));
    assert!(e.contains("\"NG\" is not one of the scenario's") && e.contains("[[country]]"), "{e}");
    let e = err(&attack("protect = { block_countries = [\"Azerbaijan\"] }", ""));
    assert!(e.contains("account.protect.block_countries") && e.contains("alpha-2"), "{e}");
    let e = err(&attack(
        "protect = { filter = { catch_rate = 1.5, false_positive_rate = 0, fee_per_message_usd = 0 } }",
        "",
    ));
    assert!(e.contains("catch_rate") && e.contains("outside [0, 1]"), "{e}");
    let e = err(&attack("protect = { filter = { catch_rate = 0.9 } }", ""));
    assert!(e.contains("false_positive_rate"), "{e}");
}

#[test]
fn compare_shows_the_genuine_traffic_a_spend_limit_stops_with_an_attack() {
    let dir = tempfile::tempdir().unwrap();
    let o = assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .args(["compare", "scenarios/sms-pumping.toml", "--no-charts", "--quiet", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let sources = std::fs::read_to_string(dir.path().join("sources.csv")).unwrap();
    let header: Vec<&str> = sources.lines().next().unwrap().split(',').collect();
    let col = |c: &str| header.iter().position(|h| *h == c).unwrap();
    let field = |variant: &str, source: &str, c: &str| -> String {
        let line = sources.lines().find(|l| l.starts_with(&format!("{variant},{source},"))).unwrap();
        line.split(',').nth(col(c)).unwrap().to_string()
    };
    let blocked: u64 = field("spend_limit_only", "traffic:signups", "blocked_spend_limit").parse().unwrap();
    assert!(blocked > 1000, "the limit stops genuine passcodes too: {blocked}");
    let row = stdout.lines().find(|l| l.starts_with("traffic:signups blocked_spend_limit")).expect(&stdout);
    let cells: Vec<&str> = row.split_whitespace().collect();
    // Cells: the source, the row's name, then base, spend_limit_only, country_block,
    // filter, max_price.
    assert_eq!(cells[3].replace(',', "").parse::<u64>().unwrap(), blocked, "{row}");
    let row = stdout.lines().find(|l| l.starts_with("traffic:pumping cost")).expect(&stdout);
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[4], "$0.00", "a country block costs nothing for the attack: {row}");
    let filter: f64 = field("filter", "traffic:pumping", "cost_usd").parse().unwrap();
    let shown: f64 = cells[5].trim_start_matches('$').replace(',', "").parse().unwrap();
    assert!((shown - filter).abs() <= 0.005, "{row}: dollars and cents of {filter}");
}
