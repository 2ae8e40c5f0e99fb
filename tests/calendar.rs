//! Calendar and geography (SPEC 7): traffic profiles against the integral of their rate, countries by
//! share, destination prices and unroutable requests. Expectations are worked out here
//! from the scenario's own numbers (wall-clock arithmetic, Poisson and binomial laws),
//! apart from the simulator.

mod common;
use common::window::{H, Log, windows};
use common::{ended, run_with, scenario};
use smsim::model::{EndState, Obs, ObsKind, Observer};

#[test]
fn a_profile_gives_each_hour_of_a_week_the_integral_of_its_rate() {
    // One request per second at factor 1; 0.1 from midnight, 1 from 07:00, 0.3 from 22:00;
    // Saturday at half and Sunday at zero. Counts in each hour are Poisson with mean
    // 3600 x factor: each must be within 5 sd (the chance that any of 168 independent
    // hours is outside by luck is about 1e-4, and the seed is fixed), and Sunday has none.
    let text = r#"
[simulation]
horizon = "7d"
metrics_interval = "1h"
start = "2026-12-07 00:00"
time_zone = "America/Chicago"
[account]
monthly_spend_limit_usd = 1000000
[[carrier]]
id = "c"
share = 1
[customers]
count = 1000
[[number]]
id = "sc"
kind = "short_code"
[[traffic]]
id = "logins"
from = "sc"
body = "Your code is 123456"
rate = 1
profile = [{ from = "00:00", factor = 0.1 }, { from = "07:00", factor = 1.0 }, { from = "22:00", factor = 0.3 }]
days = { sat = 0.5, sun = 0 }
"#;
    let sc = scenario(text);
    let (o, log) = run_with(&sc, 11, Log::default());
    let mut per_hour = [0u64; 168];
    for &(t, _) in &log.requested {
        per_hour[(t / H) as usize] += 1;
    }
    let (mut expected_total, mut seen_total) = (0.0, 0.0);
    for (h, &n) in per_hour.iter().enumerate() {
        let hour_of_day = h % 24;
        let day = h / 24; // 0 is Monday
        let f = if hour_of_day < 7 {
            0.1
        } else if hour_of_day < 22 {
            1.0
        } else {
            0.3
        };
        let d = match day {
            5 => 0.5,
            6 => 0.0,
            _ => 1.0,
        };
        let mu = 3600.0 * f * d;
        expected_total += mu;
        seen_total += n as f64;
        if mu == 0.0 {
            assert_eq!(n, 0, "hour {h}: a zero factor gives no request");
        } else {
            assert!((n as f64 - mu).abs() < 5.0 * mu.sqrt(), "hour {h}: {n} requests, expected {mu}");
        }
    }
    assert!((seen_total - expected_total).abs() < 5.0 * expected_total.sqrt(), "{seen_total} vs {expected_total}");
    assert_eq!(ended(&o), log.requested.len() as u64);
}

fn countries(extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "1h"
[account]
monthly_spend_limit_usd = 1000000
[[carrier]]
id = "us"
share = 1
fee_per_part_usd = {{ ten_dlc = 0.003 }}
[[carrier]]
id = "uk"
share = 1
[[country]]
id = "US"
share = 0.7
carriers = ["us"]
[[country]]
id = "GB"
share = 0.3
carriers = ["uk"]
price_per_part_usd = 0.04
[customers]
count = 4000
[[number]]
id = "tdlc"
kind = "ten_dlc"
count = 50
[[number]]
id = "alpha"
kind = "sender_id"
country = "GB"
count = 50
{extra}
"#
    )
}

#[test]
fn customers_split_by_country_and_each_message_costs_its_destination_price() {
    let sc = scenario(&countries(
        "[[campaign]]\nid = \"all\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"Your order has shipped.\"\n",
    ));
    let (o, log) = run_with(&sc, 5, Log::default());
    let gb = log.requested.iter().filter(|r| r.1 == 1).count() as f64;
    // Binomial: sd sqrt(4000 x 0.3 x 0.7) = 29; 5 sd is 145.
    assert!((gb - 1200.0).abs() < 145.0, "{gb} customers in GB");
    // US messages: the ten_dlc default price plus AT&T-like fee 0.003; GB: 0.04, no fee.
    let us_price = sc.pools[0].price_per_part.0 as u64 + 3_000;
    for &(_, country, cost) in &log.sent {
        assert_eq!(cost, if country == 0 { us_price } else { 40_000 }, "country {country}");
    }
    assert_eq!(log.sent.len() as u64, o.metrics.count(EndState::Delivered));
    assert_eq!(o.metrics.count(EndState::Unroutable), 0);
}

#[test]
fn a_pool_that_cannot_reach_a_country_ends_its_requests_unroutable() {
    let sc =
        scenario(&countries("[[campaign]]\nid = \"us-only\"\nfrom = \"tdlc\"\nbody = \"Your order has shipped.\"\n"));
    let (o, log) = run_with(&sc, 5, Log::default());
    let gb = log.requested.iter().filter(|r| r.1 == 1).count() as u64;
    let unroutable: Vec<u8> = log.ends.iter().filter(|e| e.0 == EndState::Unroutable).map(|e| e.1).collect();
    assert_eq!(unroutable.len() as u64, gb, "every GB customer, and only they");
    assert!(unroutable.iter().all(|&c| c == 1));
    assert_eq!(o.summary(&sc, 0).count(EndState::Unroutable), gb);
    assert_eq!(ended(&o), o.metrics.requested, "conservation counts unroutable");
    assert_eq!(o.metrics.count(EndState::Delivered), 4000 - gb);
}

/// The warnings of a scenario, one string.
fn warnings(text: &str) -> String {
    smsim::scenario::warnings::all(&scenario(text)).join("\n")
}

#[test]
fn each_planner_warning_appears_when_it_should_and_not_otherwise() {
    let base = |kind: &str, extra: &str| {
        format!(
            "[simulation]\nhorizon = \"2h\"\n[account]\nmonthly_spend_limit_usd = 1000\n\
             [[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 1000\n\
             [[number]]\nid = \"p\"\nkind = \"{kind}\"\ncount = 2\n{extra}\
             [[campaign]]\nid = \"blast\"\nfrom = \"p\"\nbody = \"Sale today\"\n"
        )
    };
    // A US long code carrying a campaign; a 10DLC pool does not warn.
    assert!(warnings(&base("long_code", "")).contains("blast sends from p, a US long_code"));
    assert!(warnings(&base("ten_dlc", "")).is_empty(), "{}", warnings(&base("ten_dlc", "")));
    // A pool in a country without customers.
    let gb = base("ten_dlc", "country = \"GB\"\n");
    assert!(warnings(&gb).contains("number pool p (GB ten_dlc) can reach no customer: customers are in US"));
    // Its campaign's customers are then all unroutable.
    let w = warnings(&gb);
    assert!(w.contains("campaign blast: customers in US (100% of them) are reached by none of its pools (p)"), "{w}");
    // A campaign at the horizon sends nothing.
    let late = base("ten_dlc", "").replace("body = \"Sale today\"\n", "body = \"Sale today\"\nat = \"2h\"\n");
    let w = warnings(&late);
    assert!(w.contains("campaign blast starts at 2h00, not before the horizon (2h00): it sends nothing"), "{w}");
    // ...and nothing of it is unroutable, even from a pool that reaches no customer.
    let w = warnings(&gb.replace("body = \"Sale today\"\n", "body = \"Sale today\"\nat = \"2h\"\n"));
    assert!(w.contains("it sends nothing") && !w.contains("reached by none"), "{w}");
    // A horizon too short to drain: 1,000 parts at 2 parts/s take 8 min 20 s.
    let short = base("ten_dlc", "").replace("horizon = \"2h\"", "horizon = \"5m\"");
    assert!(warnings(&short).contains("campaign blast needs about 8 min to send 1,000 parts at 2 parts/s (numbers)"));
    // A horizon under half a minute is told in seconds, not "0 min".
    let w = warnings(&base("ten_dlc", "").replace("horizon = \"2h\"", "horizon = \"5s\""));
    assert!(w.contains("but the horizon ends 5 s after its blast"), "{w}");
    // A spend limit the nominal cost passes: 1,000 parts at the 10DLC price pass $1.
    let limited = base("ten_dlc", "").replace("monthly_spend_limit_usd = 1000", "monthly_spend_limit_usd = 1");
    let w = warnings(&limited);
    assert!(w.contains("the spend limit ($1.00 a month, $0.00 already spent) is passed"), "{w}");
    // At 2 parts/s and $0.0083 a part (10DLC default), $1 is spent after 120.5 parts: 60 s.
    assert!(w.contains("about 1 min after t=0"), "{w}");
}

#[test]
fn run_prints_warnings_to_stderr_and_run_json_keeps_them_even_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lc.toml");
    std::fs::write(
        &file,
        "[simulation]\nhorizon = \"1h\"\n[account]\nmonthly_spend_limit_usd = 1000\n\
         [[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 10\n\
         [[number]]\nid = \"p\"\nkind = \"long_code\"\n\
         [[campaign]]\nid = \"blast\"\nfrom = \"p\"\nbody = \"Sale today\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |quiet: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("smsim").unwrap();
        cmd.arg("run").arg(&file).arg("--out").arg(&out).arg("--no-charts");
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.assert().success().get_output().clone()
    };
    let loud = String::from_utf8(run(false).stderr).unwrap();
    assert_eq!(loud.lines().filter(|l| l.starts_with("warning: campaign blast sends from p")).count(), 1, "{loud}");
    let quiet = String::from_utf8(run(true).stderr).unwrap();
    assert!(!quiet.contains("warning"), "{quiet}");
    let json = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(json.contains("\"warnings\": [") && json.contains("a US long_code"), "{json}");
}

/// Transmissions as (pool, country).
#[derive(Default)]
struct Routes(Vec<(u32, u8)>);
impl Observer for Routes {
    fn observe(&mut self, o: &Obs) {
        if o.kind == ObsKind::Transmitted {
            self.0.push((o.pool, o.country));
        }
    }
}

#[test]
fn failover_never_sends_to_a_country_the_failover_pool_cannot_reach() {
    // The 10DLC pool is down for the first 10 minutes and fails over to the GB sender ID:
    // US customers wait for the 10DLC pool; only GB customers go out from the sender ID.
    let text =
        countries("[[campaign]]\nid = \"all\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"Your order has shipped.\"\n")
            .replace(
                "count = 50\n[[number]]",
                "count = 50\noutages = [{ from = 0, to = 600 }]\nfailover = \"alpha\"\n[[number]]",
            );
    let sc = scenario(&text);
    let (o, r) = run_with(&sc, 5, Routes::default());
    assert!(r.0.iter().all(|&(pool, country)| (pool == 1) == (country == 1)), "pool 1 (GB) sends to GB only");
    assert_eq!(o.metrics.failed_over, 0, "no US request can fail over to a GB-only pool");
    assert_eq!(o.metrics.count(EndState::Delivered), 4000);
}

#[test]
fn country_kinds_own_prices_and_inbound_prices_are_honoured() {
    // GB accepts only short codes: the sender ID cannot reach it, so GB is unroutable.
    let sc = scenario(
        &countries("[[campaign]]\nid = \"all\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"Shipped.\"\n")
            .replace("price_per_part_usd = 0.04", "price_per_part_usd = 0.04\nkinds = [\"short_code\"]"),
    );
    let (o, log) = run_with(&sc, 5, Log::default());
    let gb = log.requested.iter().filter(|r| r.1 == 1).count() as u64;
    assert_eq!(o.metrics.count(EndState::Unroutable), gb);
    // A pool's own explicit price wins over the destination price.
    let sc = scenario(
        &countries("[[campaign]]\nid = \"all\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"Shipped.\"\n")
            .replace("country = \"GB\"\ncount = 50", "country = \"GB\"\ncount = 50\nprice_per_part_usd = 0.05"),
    );
    let (_, log) = run_with(&sc, 5, Log::default());
    assert!(log.sent.iter().filter(|s| s.1 == 1).all(|s| s.2 == 50_000), "GB at the pool's own $0.05");
    // Replies from US customers are charged the US inbound destination price per part.
    let sc = scenario(
        &countries(
            "[[campaign]]\nid = \"all\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"Shipped.\"\n\
             replies = [{ body = \"THANKS\", p = 0.5, after = \"10s\" }]\n",
        )
        .replace("carriers = [\"us\"]\n", "carriers = [\"us\"]\ninbound_price_per_part_usd = 0.001\n"),
    );
    let (o, _) = run_with(&sc, 5, Log::default());
    // GB customers answer the sender ID, which cannot receive: dropped, not charged.
    let received = o.metrics.inbound.inbound - o.metrics.inbound.dropped;
    assert!(received > 1000 && o.metrics.inbound.dropped > 0);
    assert_eq!(o.metrics.cost_inbound.0, received as i64 * 1_000, "one part each at $0.001");
}

#[test]
fn a_profile_without_start_follows_the_start_time_of_day_clock() {
    // t = 0 is 12:00; nothing from 00:00 to 18:00 then 2 a second: no request in the first
    // 6 hours, then 6 h x 7,200 = 43,200 expected (Poisson sd 208; 5 sd is 1,039).
    let text = r#"
[simulation]
horizon = "12h"
start_time_of_day = "12:00"
[account]
monthly_spend_limit_usd = 1000000
[[carrier]]
id = "c"
share = 1
[customers]
count = 100
[[number]]
id = "sc"
kind = "short_code"
[[traffic]]
id = "t"
from = "sc"
body = "Code 1"
rate = 2
profile = [{ from = "00:00", factor = 0 }, { from = "18:00", factor = 1 }]
"#;
    let (_, log) = run_with(&scenario(text), 2, Log::default());
    assert_eq!(log.requested.iter().filter(|r| r.0 < 6 * H).count(), 0);
    let n = log.requested.len() as f64;
    assert!((n - 43_200.0).abs() < 1_039.0, "{n}");
}

#[test]
fn calendar_keys_are_checked_with_their_location() {
    let err = |text: &str| smsim::scenario::load_str(text, "t.toml", "t", &[]).unwrap_err().to_string();
    let base = windows("2026-12-07 06:00", "");
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases: [(String, &str, &str); 15] = [
        (
            base.replace("start = ", "start_time_of_day = \"06:00\"\nstart = "),
            "start_time_of_day",
            "start_time_of_day and start cannot both be given",
        ),
        (base.replace("time_zone = \"America/New_York\"", "time_zone = \"Mars/Olympus\""), "time_zone", "unknown time zone"),
        (base.replace("share = 0.5 }]", "share = 0.4 }]"), "time_zones", "time zone shares sum to 0.9, not 1"),
        (base.replace("2026-12-07 06:00", "2026-02-30 06:00"), "start = ", "2026-02-30 is not a date: February 2026 has 28 days"),
        (base.replace("2026-12-07 06:00", "2026-13-01 06:00"), "start = ", "2026-13-01 is not a date: there is no month 13"),
        (base.replace("start = \"2026-12-07 06:00\"\n", ""), "time_zones", "time_zones needs [simulation] start"),
        (
            base.replace("start = \"2026-12-07 06:00\"\n", "").replace("time_zones = [{ zone = \"America/New_York\", share = 0.5 }, { zone = \"America/Los_Angeles\", share = 0.5 }]", ""),
            "window",
            "a window needs [simulation] start",
        ),
        (
            base.replace("to = \"21:00\"", "to = \"07:00\""),
            "window",
            "window.to: a window from 08:00 to 07:00 runs past midnight, and a window cannot: it must close after it \
             opens on the same day (to > from; \"24:00\" is the end of the day)",
        ),
        (base.replace("to = \"21:00\"", "to = \"08:00\""), "window", "a window from 08:00 to 08:00 never opens"),
        (
            base.replace("to = \"21:00\"", "to = \"24:30\""),
            "window",
            "invalid time of day \"24:30\" (expected \"HH:MM\" or \"HH:MM:SS\", 00:00 to 23:59:59); \"24:00\" is the \
             end of the day",
        ),
        (
            base.replace("to = \"21:00\"", "to = \"21:00\", days = [\"mon\", \"tue\", \"Mon\"]"),
            "window",
            "\"Mon\" is listed twice in days",
        ),
        (
            base.replace("to = \"21:00\"", "to = \"00:00\""),
            "window",
            "a window from 08:00 to 00:00 would close at the start of its day; write to = \"24:00\" for midnight at its end",
        ),
        (base.replace("to = \"21:00\"", "to = \"07:59:30\""), "window", "a window from 08:00 to 07:59:30 runs past midnight"),
        (base.replace("to = \"21:00\"", "to = \"9pm\""), "window", "invalid time of day \"9pm\""),
        (base.replace("[[campaign]]\n", "[[campaign]]\nat = \"2026-12-06 09:00\"\n"), "at = ", "is before [simulation] start"),
    ];
    for (text, key, message) in cases {
        let e = err(&text);
        assert!(e.contains(message), "{e}");
        assert!(e.starts_with(&format!("t.toml:{}:", line_of(&text, key))), "{key}: {e}");
    }
    // How to write the end of the day is said only to an hour past 23.
    assert!(!err(&base.replace("to = \"21:00\"", "to = \"9pm\"")).contains("24:00"));
    let end = base.replace("to = \"21:00\"", "to = \"24:00:00\"");
    assert!(smsim::scenario::load_str(&end, "t.toml", "t", &[]).is_ok(), "24:00:00 is the end of the day too");
    let c = countries("[[campaign]]\nid = \"x\"\nfrom = \"tdlc\"\nbody = \"hi\"\n");
    let e = err(&c.replace("kind = \"ten_dlc\"\ncount = 50", "kind = \"ten_dlc\"\ncount = 50\ncountries = [\"GB\"]"));
    assert!(e.contains("countries is for sender_id pools"), "{e}");
    let e = err(&c.replace("id = \"GB\"", "id = \"ZZ\""));
    assert!(e.contains("no built-in calling code for \"ZZ\""), "{e}");
    let e = err(&c.replace("share = 0.3", "share = 0.2"));
    assert!(e.contains("country shares sum to 0.9 (US 0.7 + GB 0.2), not 1"), "{e}");
    // 0.7 + 0.4 in floating point is 1.0999999999999999: written as people write it.
    let e = err(&c.replace("share = 0.3", "share = 0.4"));
    assert!(e.contains("country shares sum to 1.1 (US 0.7 + GB 0.4), not 1"), "{e}");
    // A sender ID's countries are ISO codes, as a block list's are.
    let e = err(&c.replace("kind = \"sender_id\"", "kind = \"sender_id\"\ncountries = [\"GB\", \"Azerbaijan\"]"));
    assert!(e.contains("number.alpha.countries[1]: \"Azerbaijan\" is not an ISO 3166 alpha-2 country code"), "{e}");
}

#[test]
fn addresses_carry_their_country_calling_code() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .arg("run")
        .arg(root.join("scenarios/international-senders.toml"))
        .args(["--quiet", "--no-charts", "--events", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let events = std::fs::read_to_string(dir.path().join("events.csv")).unwrap();
    let has = |cc: &str| events.lines().any(|l| l.split(',').nth(5).is_some_and(|c| c.starts_with(&format!("+{cc}2"))));
    assert!(has("1") && has("44") && has("91"), "US, GB and IN customers by their codes");
    assert!(events.lines().any(|l| l.contains(",unroutable,") && l.split(',').nth(5).unwrap().starts_with("+912")));
}

#[test]
fn nominal_prices_and_drains_follow_the_routes_by_country() {
    use smsim::scenario::warnings::{campaign_drain, expected_price, routed_shares};
    // From the 10DLC pool only: GB (30%) is unroutable and costs nothing; US messages at
    // the 10DLC price plus the US carrier's $0.003 fee.
    let sc = scenario(&countries("[[campaign]]\nid = \"x\"\nfrom = \"tdlc\"\nbody = \"hi\"\n"));
    let us = sc.pools[0].price_per_part.0 as f64 / 1e6 + 0.003;
    assert!((expected_price(&sc, &sc.campaigns[0].from, 0, None) - 0.7 * us).abs() < 1e-12);
    assert_eq!(routed_shares(&sc, &sc.campaigns[0].from, None), vec![0.7]);
    // With the sender ID after it: GB at $0.04; the drain is the slower pool's share over
    // its rate (2,800 parts over 50 x 1 MPS = 56 s; 1,200 over 50 x 10 MPS = 2.4 s).
    let sc = scenario(&countries("[[campaign]]\nid = \"x\"\nfrom = [\"tdlc\", \"alpha\"]\nbody = \"hi\"\n"));
    assert!((expected_price(&sc, &sc.campaigns[0].from, 0, None) - (0.7 * us + 0.3 * 0.04)).abs() < 1e-12);
    let (drain, rate, _) = campaign_drain(&sc, &sc.campaigns[0]);
    assert!((drain - 56.0).abs() < 1e-9 && rate == 50.0, "{drain} s at {rate}");
}

#[test]
fn a_window_holds_a_request_before_it_is_routed() {
    // SPEC 8's order: the window first, then routing. At 06:00 New York every request is
    // held, GB ones included; those end unroutable when the window opens.
    let text = countries(
        "[[campaign]]\nid = \"x\"\nfrom = \"tdlc\"\nbody = \"hi\"\nwindow = { from = \"08:00\", to = \"21:00\" }\n",
    )
    .replace("horizon = \"1h\"", "horizon = \"4h\"\nstart = \"2026-12-07 06:00\"\ntime_zone = \"America/New_York\"");
    let sc = scenario(&text);
    let (o, log) = run_with(&sc, 5, Log::default());
    let gb = log.requested.iter().filter(|r| r.1 == 1).count() as u64;
    assert_eq!(log.held, 4000, "held before routing, GB customers too");
    assert_eq!(o.metrics.count(EndState::Unroutable), gb);
    assert_eq!(ended(&o), 4000);
}

#[test]
fn the_monthly_run_rate_follows_spec_8_to_the_micro_dollar() {
    // One day: 100 one-part messages from ten 10DLC numbers at $0.00581 plus a $0.003
    // carrier fee = $0.881 charged; x 30 days = $26.43. Leases 10 x $1 and the $10 monthly
    // fee for a full month: $20. Setup $44 over 12 months: $3.666667 (rounded). Total
    // $50.096667; with 4 months of amortisation only the setup term changes: $11.
    let text = |extra: &str| {
        format!(
            "[simulation]\nhorizon = \"1d\"\n[account]\nmonthly_spend_limit_usd = 100\n{extra}\n\
             [[carrier]]\nid = \"c\"\nshare = 1\nfee_per_part_usd = {{ ten_dlc = 0.003 }}\n\
             [customers]\ncount = 100\n[[number]]\nid = \"p\"\nkind = \"ten_dlc\"\ncount = 10\n\
             [[campaign]]\nid = \"x\"\nfrom = \"p\"\nbody = \"hi\"\n"
        )
    };
    let sc = scenario(&text(""));
    let (o, _) = run_with(&sc, 1, ());
    let s = o.summary(&sc, 0);
    assert_eq!(s.cost_total.0, 881_000 + 666_667 + 44_000_000, "the horizon's own cost: $20 a month over one day");
    assert_eq!(s.cost_monthly_run_rate.0, 26_430_000 + 20_000_000 + 3_666_667);
    let sc = scenario(&text("amortize_setup_months = 4"));
    let (o, _) = run_with(&sc, 1, ());
    assert_eq!(o.summary(&sc, 0).cost_monthly_run_rate.0, 26_430_000 + 20_000_000 + 11_000_000);
    let e = smsim::scenario::load_str(&text("amortize_setup_months = 0"), "t.toml", "t", &[]).unwrap_err();
    assert!(e.to_string().starts_with("t.toml:5:") && e.to_string().contains("at least 1"), "{e}");
}

#[test]
fn cost_per_outcome_is_the_total_over_each_outcomes_count() {
    let sc = common::scenario(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/dental-appointments.toml")).unwrap(),
    );
    let (o, _) = run_with(&sc, sc.seed, ());
    let mut csv = String::new();
    smsim::report::tables::outcome_rows(&mut csv, &sc, &o.metrics, "base");
    let total = o.summary(&sc, 0).cost_total.0 as f64;
    for line in csv.lines() {
        let f: Vec<&str> = line.split(',').collect();
        let count: u64 = f[1].parse().unwrap();
        if count == 0 {
            assert_eq!(f[5], "", "no outcome, no cost per outcome");
        } else {
            let per: f64 = f[5].parse().unwrap();
            assert!((per * 1e6 - total / count as f64).abs() <= 0.5, "{line}");
        }
    }
}

/// A campaign over two countries' pools warns of what each pool's TTL cuts, with that
/// pool's share: 30% of 4,000 (1,200) to GB through one sender ID at 1 part/s, a 20-min
/// drain against a 10-min TTL: about 600 expire; the US pool's 2,800 go in a minute.
/// The run agrees to within 150 (the GB count is binomial, sd 29: 5 sd).
#[test]
fn a_ttl_warning_takes_each_pool_of_a_campaign_with_its_share() {
    let text =
        countries("[[campaign]]\nid = \"all\"\nfrom = [\"alpha\", \"tdlc\"]\nbody = \"Your order has shipped.\"\n");
    let sets = ["number.alpha.count=1", "number.alpha.mps=1", "number.alpha.ttl=10m"].map(String::from);
    let sc = smsim::scenario::load_str(&text, "t.toml", "t", &sets).unwrap();
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    assert!(w.contains("at nominal rates its blast takes about 20 min to send, longer than pool alpha's TTL (10 min): about 600 of its messages would expire before delivery"), "{w}");
    let (o, _) = run_with(&sc, 5, Log::default());
    let expired = o.metrics.count(EndState::Expired);
    assert!(expired.abs_diff(600) <= 150, "{expired} expired");
}
