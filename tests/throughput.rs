//! Throughput as providers enforce it (SPEC 6): priorities, the account's MPS, `[[limit]]`s
//! across pools, what happens at a cap, pool outages and failover, each checked against a
//! closed form or a small event-by-event model written here, apart from the simulator.

mod common;
use common::{ended, run, run_with, scenario};
use smsim::engine::SimTime;
use smsim::metrics::Summary;
use smsim::model::{EndState, Obs, ObsKind, Observer};
use std::collections::HashMap;

const HEAD: &str = r#"
[simulation]
horizon = "3d"
metrics_interval = "1h"
[account]
monthly_spend_limit_usd = 1000000
[[carrier]]
id = "c"
share = 1
latency = "1s"
"#;

/// Every request (id, time, source) and transmission (id, time) of a run.
#[derive(Default)]
struct Log {
    requested: Vec<(u64, u64, u16)>,
    sent: HashMap<u64, u64>,
}

impl Observer for Log {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            ObsKind::Requested => self.requested.push((o.msg, o.t.as_micros(), o.source)),
            ObsKind::Transmitted => {
                self.sent.insert(o.msg, o.t.as_micros());
            }
            _ => {}
        }
    }
}

fn summary(text: &str) -> Summary {
    let sc = scenario(text);
    let o = run(&sc, sc.seed);
    assert_eq!(ended(&o), o.metrics.requested, "every request ends once");
    o.summary(&sc, 0)
}

/// One number at 10 MPS; a blast of 2,000 single-part messages at t = 0 of priority
/// `blast`, and passcodes (Poisson, 0.5/s for 150 s) of priority `otp`.
fn busy_pool(blast: u8, otp: u8) -> String {
    format!(
        r#"{HEAD}
[customers]
count = 5000
[[number]]
id = "n"
kind = "long_code"
mps = 10
[[campaign]]
id = "blast"
from = "n"
body = "Sale"
recipients = 2000
priority = {blast}
[[traffic]]
id = "otp"
from = "n"
body = "Code 123456"
rate = 0.5
end = "150s"
priority = {otp}
"#
    )
}

/// The reference: one server sending one part every `interval_us`, non-preemptive, taking
/// the most urgent waiting message and the earliest requested among equals. Returns each
/// message's transmission time.
fn priority_queue_reference(requests: &[(u64, u64, u8)], interval_us: u64) -> HashMap<u64, u64> {
    let mut pending: Vec<(u64, u64, u8)> = requests.to_vec();
    pending.sort_by_key(|r| (r.1, r.0));
    let (mut free, mut out, mut next) = (0u64, HashMap::new(), 0usize);
    let mut waiting: Vec<(u8, u64, u64)> = Vec::new();
    while out.len() < requests.len() {
        if waiting.is_empty() {
            free = free.max(pending[next].1);
        }
        while next < pending.len() && pending[next].1 <= free {
            let (id, t, p) = pending[next];
            waiting.push((p, id, t));
            next += 1;
        }
        waiting.sort();
        let (_, id, _) = waiting.remove(0);
        out.insert(id, free);
        free += interval_us;
    }
    out
}

#[test]
fn urgent_messages_overtake_a_blast_message_by_message() {
    let sc = scenario(&busy_pool(5, 1));
    let (o, log) = run_with(&sc, 3, Log::default());
    let priority = |src: u16| sc.sources[src as usize].priority;
    let requests: Vec<(u64, u64, u8)> = log.requested.iter().map(|&(id, t, s)| (id, t, priority(s))).collect();
    let want = priority_queue_reference(&requests, 100_000);
    assert_eq!(log.sent.len(), requests.len());
    for (id, t) in &want {
        assert_eq!(log.sent.get(id), Some(t), "message {id}");
    }
    // What a planner reads: passcodes wait at most for the part in progress and for each
    // other (0.1 s each), never for the blast.
    let otp = &o.metrics.sources[1];
    assert!(otp.requested > 50, "{} passcodes", otp.requested);
    let p95 = otp.queue_wait.quantile(0.95).unwrap();
    assert!(p95 <= SimTime::from_micros(200_000), "passcode queue wait p95 {p95} s");
}

#[test]
fn with_equal_priorities_passcodes_wait_behind_the_blast() {
    let sc = scenario(&busy_pool(5, 5));
    let (o, log) = run_with(&sc, 3, Log::default());
    let requests: Vec<(u64, u64, u8)> = log.requested.iter().map(|&(id, t, _)| (id, t, 5)).collect();
    assert_eq!(log.sent, priority_queue_reference(&requests, 100_000));
    // A passcode at 100 s waits for what remains of the 200 s blast.
    let otp = &o.metrics.sources[1];
    assert!(otp.queue_wait.mean().unwrap() > SimTime::from_secs(50), "{:?}", otp.queue_wait.mean());
}

/// Two pools of one short code each (100 MPS), 15,000 messages each at t = 0.
fn two_short_codes(account_mps: u32) -> String {
    let mut s = format!("{HEAD}\n[customers]\ncount = 30000\n");
    s = s.replace(
        "monthly_spend_limit_usd = 1000000",
        &format!("monthly_spend_limit_usd = 1000000\nmps = {account_mps}"),
    );
    for p in ["a", "b"] {
        s.push_str(&format!("[[number]]\nid = \"{p}\"\nkind = \"short_code\"\n"));
        s.push_str(&format!("[[campaign]]\nid = \"blast_{p}\"\nfrom = \"{p}\"\nbody = \"Hi\"\nrecipients = 15000\n"));
    }
    s
}

#[test]
fn the_account_mps_paces_every_pool_together() {
    // 30,000 parts at 50 per second: the last leaves at 29,999 / 50 = 599.98 s, so the
    // parts take exactly 600 s of the account's throughput.
    let s = summary(&two_short_codes(50));
    assert_eq!(s.count(EndState::Delivered), 30_000);
    assert_eq!(s.drain, Some(SimTime::from_micros(599_980_000)));
    // Above the pools' own 2 x 100 MPS, the pools' rates bind: 15,000 at 100/s each, the
    // second pool 1 ms behind the first (the account spaces parts 1 ms apart, no burst).
    let s = summary(&two_short_codes(1000));
    assert_eq!(s.drain, Some(SimTime::from_micros(149_991_000)));
}

#[test]
fn a_limit_over_two_pools_sends_at_its_rate_exactly() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 2000\n\
         [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\ncount = 5\n\
         [[number]]\nid = \"q\"\nkind = \"ten_dlc\"\ncount = 5\n\
         [[limit]]\nid = \"brand\"\npools = [\"p\", \"q\"]\nmps = 4\n\
         [[campaign]]\nid = \"a\"\nfrom = \"p\"\nbody = \"Hi\"\nrecipients = 1000\n\
         [[campaign]]\nid = \"b\"\nfrom = \"q\"\nbody = \"Hi\"\nrecipients = 1000\n"
    );
    let sc = scenario(&text);
    let (_, log) = run_with(&sc, 1, Log::default());
    // The closed form, message by message: the k-th part through the limit leaves at k/4 s.
    let mut times: Vec<u64> = log.sent.values().copied().collect();
    times.sort();
    let want: Vec<u64> = (0..2000).map(|k| k * 250_000).collect();
    assert_eq!(times, want);
}

/// One short code, 3,000 messages at t = 0 (midnight), a daily cap of 1,000 parts.
fn capped(on_cap: &str) -> Summary {
    summary(&format!(
        "{HEAD}\n[customers]\ncount = 3000\n\
         [[number]]\nid = \"sc\"\nkind = \"short_code\"\n\
         carrier_limit = [{{ carrier = \"c\", daily_parts = 1000, on_cap = \"{on_cap}\" }}]\n\
         [[campaign]]\nid = \"blast\"\nfrom = \"sc\"\nbody = \"Hi\"\nrecipients = 3000\n"
    ))
}

#[test]
fn hold_sends_the_rest_when_the_window_resets() {
    let s = capped("hold");
    assert_eq!(s.count(EndState::Delivered), 3000);
    assert_eq!(s.count(EndState::BlockedDailyCap), 0);
    // 1,000 a day at 100 MPS: the last thousand start at the second midnight and take 10 s.
    assert_eq!(s.drain, Some(SimTime::from_micros(2 * 86_400_000_000 + 9_990_000)));
}

#[test]
fn block_and_block_charged_end_the_rest_and_only_one_bills_them() {
    let b = capped("block");
    assert_eq!((b.count(EndState::Delivered), b.count(EndState::BlockedDailyCap)), (1000, 2000));
    let c = capped("block_charged");
    assert_eq!((c.count(EndState::Delivered), c.count(EndState::BlockedDailyCap)), (1000, 2000));
    assert_eq!(b.parts_sent, c.parts_sent, "nothing more is transmitted");
    use smsim::sms::price::CostPart;
    let per_part = smsim::sms::Kind::ShortCode.defaults().price_per_part;
    assert_eq!(b.costs[CostPart::Messages], per_part.times(1000));
    assert_eq!(c.costs[CostPart::Messages], per_part.times(3000), "the 2,000 blocked are billed");
}

#[test]
fn a_pool_in_an_outage_hands_its_requests_to_its_failover() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 100\n\
         [[number]]\nid = \"lc\"\nkind = \"long_code\"\nfailover = \"sc\"\noutages = [{{ from = \"0s\", to = \"1h\" }}]\n\
         [[number]]\nid = \"sc\"\nkind = \"short_code\"\n\
         [[campaign]]\nid = \"alert\"\nfrom = \"lc\"\nbody = \"Down\"\nrecipients = 100\n\
         [[campaign]]\nid = \"later\"\nfrom = \"lc\"\nbody = \"Up\"\nrecipients = 10\nat = \"2h\"\n"
    );
    let s = summary(&text);
    assert_eq!(s.failed_over, 100, "the alerts in the outage, not the later ones");
    assert_eq!(s.count(EndState::Delivered), 110);
    // Through the short code at 100 MPS, not the long code's 1 MPS (which would wait 1 h).
    assert!(s.latency.max.unwrap() < SimTime::from_secs(7201), "{:?}", s.latency.max);
}

#[test]
fn on_cap_without_a_cap_is_an_error_at_its_key() {
    let pool = "[[number]]\nid = \"a\"\nkind = \"ten_dlc\"\n";
    let err = |extra: &str| {
        let text = format!("{HEAD}\n[customers]\ncount = 1\n{pool}{extra}");
        smsim::scenario::load_str(&text, "t.toml", "t", &[]).unwrap_err().to_string()
    };
    let e = err("carrier_limit = [{ carrier = \"c\", mps = 1, on_cap = \"hold\" }]\n");
    assert!(e.contains("number.a.carrier_limit[0].on_cap") && e.contains("this limit has none"), "{e}");
    let e = err("[[limit]]\nid = \"brand\"\npools = [\"a\"]\nmps = 2\non_cap = \"block_charged\"\n");
    assert!(e.contains("limit.brand.on_cap") && e.contains("this limit has none"), "{e}");
    // With a cap, the same keys load.
    let text = format!(
        "{HEAD}\n[customers]\ncount = 1\n{pool}[[limit]]\nid = \"brand\"\npools = [\"a\"]\nmps = 2\ndaily_parts = 5\non_cap = \"hold\"\n"
    );
    assert!(smsim::scenario::load_str(&text, "t.toml", "t", &[]).is_ok());
}

#[test]
fn a_failover_cycle_is_an_error_at_its_line() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 1\n\
         [[number]]\nid = \"a\"\nkind = \"long_code\"\nfailover = \"b\"\n\
         [[number]]\nid = \"b\"\nkind = \"long_code\"\nfailover = \"a\"\n"
    );
    let e = smsim::scenario::load_str(&text, "t.toml", "t", &[]).unwrap_err().to_string();
    assert!(e.starts_with("t.toml:") && e.contains("number.a.failover") && e.contains("a -> b -> a"), "{e}");
}

#[test]
fn a_stop_adds_to_the_list_of_the_pool_texted_only() {
    // Everyone opts out of "promo" (opted_out = 1 puts them on every list, so start clean
    // and use STOP): replies STOP to the promo pool, then a second campaign from the
    // service pool (another list) still reaches them.
    let text = format!(
        "{HEAD}\n[customers]\ncount = 50\n\
         [[number]]\nid = \"promo\"\nkind = \"short_code\"\nopt_out_list = \"marketing\"\n\
         [[number]]\nid = \"service\"\nkind = \"short_code\"\n\
         [[campaign]]\nid = \"sale\"\nfrom = \"promo\"\nbody = \"Sale\"\nrecipients = 50\n\
         replies = [{{ body = \"STOP\", p = 1, after = \"1s\" }}]\n\
         [[campaign]]\nid = \"notice\"\nfrom = \"service\"\nbody = \"Your order\"\nrecipients = 50\nat = \"1h\"\n\
         [[campaign]]\nid = \"sale2\"\nfrom = \"promo\"\nbody = \"Sale again\"\nrecipients = 50\nat = \"2h\"\n"
    );
    let s = summary(&text);
    assert_eq!(s.inbound.opt_outs, 50);
    // 50 sale + 50 confirmations + 50 notices delivered; the second sale is blocked.
    assert_eq!(s.count(EndState::Delivered), 150);
    assert_eq!(s.count(EndState::BlockedOptOut), 50);
}

#[test]
fn check_names_the_limit_that_binds() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 100\n\
         [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\ncount = 10\n\
         [[limit]]\nid = \"brand\"\npools = [\"p\"]\nmps = 4\n\
         [[campaign]]\nid = \"a\"\nfrom = \"p\"\nbody = \"Hi\"\nrecipients = 100\nspread = \"50s\"\n"
    );
    let r = smsim::check::report(&scenario(&text));
    // 100 messages at 4 parts/s (not the numbers' 10): 25 s, spread over 50 s.
    assert!(r.contains("at 4.00 parts/s (bound by limit brand"), "{r}");
    // 25 s of sending spread over 50 s: the spread decides the drain.
    assert!(r.contains("drain 50.000 s at 4.00 parts/s (bound by limit brand; its spread decides"), "{r}");
    assert!(r.contains("limit brand: 2.000 parts/s offered through it, 4.000 MPS, utilisation 50.0%"), "{r}");
    let r = smsim::check::report(&scenario(&text.replace("mps = 4", "mps = 40")));
    assert!(r.contains("at 10.00 parts/s (its spread decides"), "the numbers bind, and the spread: {r}");
    // The account's rate binds by its name and rate.
    let account = text.replace("monthly_spend_limit_usd = 1000000", "monthly_spend_limit_usd = 1000000\nmps = 2.5");
    let r = smsim::check::report(&scenario(&account));
    assert!(r.contains("at 2.50 parts/s (bound by the account's rate; its spread decides"), "{r}");
}

/// Two numbers at 10 MPS under an account MPS of 1, ten messages, a daily cap of 2 parts
/// toward the one carrier with `on_cap`: a number that takes its turn at the account's
/// rate and is then capped must hand the turn on (no message may be left behind).
fn turn_then_cap(on_cap: &str) -> Summary {
    summary(
        &format!(
            "{HEAD}\n[customers]\ncount = 100\n\
         [[number]]\nid = \"lc\"\nkind = \"long_code\"\ncount = 2\nmps = 10\n\
         carrier_limit = [{{ carrier = \"c\", daily_parts = 2, on_cap = \"{on_cap}\" }}]\n\
         [[campaign]]\nid = \"blast\"\nfrom = \"lc\"\nbody = \"Sale\"\nrecipients = 10\n"
        )
        .replace("monthly_spend_limit_usd = 1000000", "monthly_spend_limit_usd = 1000000\nmps = 1"),
    )
}

#[test]
fn a_number_capped_after_its_turn_hands_the_turn_on() {
    for on_cap in ["block", "block_charged"] {
        let s = turn_then_cap(on_cap);
        assert_eq!((s.count(EndState::Delivered), s.count(EndState::BlockedDailyCap)), (2, 8), "{on_cap}");
        assert_eq!(s.count(EndState::Pending), 0, "{on_cap}");
    }
    // Held: 2 a day, days starting at midnight (t = 0), the account spacing each pair 1 s
    // apart: 6 delivered; at the third midnight (the horizon, inclusive) one more leaves
    // and expires on the way (its 72 h TTL ends then); 3 still wait.
    let s = turn_then_cap("hold");
    let ends = (s.count(EndState::Delivered), s.count(EndState::Expired), s.count(EndState::Pending));
    assert_eq!(ends, (6, 1, 3));
    assert_eq!(s.drain, Some(SimTime::from_secs(3 * 86_400)));
}

#[test]
fn a_rate_that_never_binds_changes_nothing() {
    // Pool p1 waits for a 1 MPS carrier limit toward att; pool p2 has no limit. An account
    // MPS far above both must not make p2 wait for p1's line.
    let text = |account: &str| {
        format!(
            "{HEAD}\n[customers]\ncount = 200\n\
             [[carrier]]\nid = \"att\"\nshare = 0\n\
             [[number]]\nid = \"p1\"\nkind = \"long_code\"\ncount = 10\nmps = 10\n\
             carrier_limit = [{{ carrier = \"c\", mps = 1 }}]\n\
             [[number]]\nid = \"p2\"\nkind = \"long_code\"\ncount = 10\nmps = 10\n\
             [[campaign]]\nid = \"b1\"\nfrom = \"p1\"\nbody = \"Hi\"\nrecipients = 100\n\
             [[campaign]]\nid = \"b2\"\nfrom = \"p2\"\nbody = \"Hi\"\nrecipients = 100\n"
        )
        .replace("monthly_spend_limit_usd = 1000000", &format!("monthly_spend_limit_usd = 1000000\n{account}"))
    };
    let sources = |t: &str| {
        let sc = scenario(t);
        let o = run(&sc, 1);
        smsim::metrics::summary::SourceSummary::all(&sc, &o.metrics)
    };
    let (free, with) = (sources(&text("")), sources(&text("mps = 1000")));
    // 100 messages over 10 numbers at 10 MPS: the last at 0.9 s, the account's 1 ms
    // spacing aside.
    assert_eq!(free[1].drain, Some(SimTime::from_micros(900_000)));
    assert!(with[1].drain.unwrap() < SimTime::from_secs(1), "p2 waited for p1's line: {:?}", with[1].drain);
    assert_eq!(free[0].drain, Some(SimTime::from_secs(99)), "p1 at its carrier limit's 1 MPS");
}

#[test]
fn at_a_window_reset_the_most_urgent_held_head_goes_first() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 10\n\
         [[number]]\nid = \"a\"\nkind = \"long_code\"\nttl = \"5d\"\n\
         [[number]]\nid = \"b\"\nkind = \"long_code\"\nttl = \"5d\"\n\
         [[limit]]\nid = \"cap\"\npools = [\"a\", \"b\"]\ndaily_parts = 1\non_cap = \"hold\"\n\
         [[campaign]]\nid = \"blast\"\nfrom = \"a\"\nbody = \"Sale\"\nrecipients = 3\n\
         [[campaign]]\nid = \"otp\"\nfrom = \"b\"\nbody = \"Code\"\nrecipients = 1\nat = \"1h\"\npriority = 1\n"
    );
    let sc = scenario(&text);
    let (_, log) = run_with(&sc, 1, Log::default());
    let otp = log.requested.iter().find(|r| r.2 == 1).unwrap().0;
    assert_eq!(log.sent.get(&otp), Some(&86_400_000_000), "the passcode takes the next day's part");
}

#[test]
fn check_warns_of_messages_a_hold_can_never_let_through() {
    let text = format!(
        "{HEAD}\n[customers]\ncount = 10\n\
         [[number]]\nid = \"p\"\nkind = \"long_code\"\n\
         carrier_limit = [{{ carrier = \"c\", daily_parts = 1, on_cap = \"hold\" }}]\n\
         [[campaign]]\nid = \"long\"\nfrom = \"p\"\nrecipients = 1\n\
         body = \"{}\"\n",
        "x".repeat(200)
    );
    let r = smsim::scenario::warnings::all(&scenario(&text)).join("\n");
    assert!(r.contains("long's messages take 2 parts, over limit p.c's cap of 1 part daily"), "{r}");
    let r = smsim::scenario::warnings::hold_traps(&scenario(&text.replace("daily_parts = 1", "daily_parts = 2")));
    assert!(r.is_empty(), "{r:?}");
}

/// Check names a campaign whose one blast puts more parts through a limit than its least
/// cap, counting only the countries the limit's pools reach and, for a carrier's limit,
/// that carrier's share of each; what the cap then does is left to a run.
#[test]
fn check_names_a_blast_that_alone_passes_a_cap() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let check = |file: &str, set: &str| {
        let sets: Vec<String> = if set.is_empty() { vec![] } else { vec![set.to_string()] };
        smsim::check::report(&smsim::scenario::load(&root.join(file), &sets).unwrap())
    };
    // 10,000 texts, T-Mobile's share 0.35: 3,500 parts against 2,000 a day.
    let r = check("ten-dlc-carrier-limits.toml", "");
    assert!(r.contains("carrier limit toward tmobile: no MPS cap, 2000 parts per day; one blast of campaign launch puts about 3,500 parts through it, more than its daily cap: a run counts what the cap stops (blocked_daily_cap)\n"), "{r}");
    let r = check(
        "ten-dlc-carrier-limits.toml",
        "number.brand.carrier_limit=[{ carrier = \"tmobile\", daily_parts = 2000, on_cap = \"hold\" }]",
    );
    assert!(
        r.contains("more than its daily cap: a run shows how long the cap holds them (queue wait, drain)\n"),
        "{r}"
    );
    // Under the cap (the vetted variant's 200,000 a day): no line.
    let r = check(
        "ten-dlc-carrier-limits.toml",
        "number.brand.carrier_limit=[{ carrier = \"tmobile\", daily_parts = 200000 }]",
    );
    assert!(!r.contains("one blast of"), "{r}");
    // EE serves GB alone (a quarter of the customers, all its own): through the GB sender
    // ID, 2,500 parts; through the US pool, which reaches no GB customer, none.
    let r = check("international-senders.toml", "number.alpha.carrier_limit=[{ carrier = \"ee\", daily_parts = 100 }]");
    assert!(
        r.contains("one blast of campaign order-updates puts about 2,500 parts through it, more than its daily cap"),
        "{r}"
    );
    let r = check("international-senders.toml", "number.us.carrier_limit=[{ carrier = \"ee\", daily_parts = 100 }]");
    assert!(!r.contains("one blast of"), "{r}");
    // Nor does a rate toward EE bind the US pool's drain (it was taken as EE's whole
    // share of the pool's messages); toward AT&T (0.55 of the US) it does: 1 / 0.55.
    let r = check("international-senders.toml", "number.us.carrier_limit=[{ carrier = \"ee\", mps = 1 }]");
    assert!(!r.contains("bound by limit us.ee"), "{r}");
    assert!(r.contains("  us: 0.000 parts/s offered, 10.000 parts/s capacity, utilisation"), "{r}");
    let r = check("international-senders.toml", "number.us.carrier_limit=[{ carrier = \"att\", mps = 1 }]");
    assert!(r.contains("  us: 0.000 parts/s offered, 1.818 parts/s capacity (bound by limit us.att)"), "{r}");
}
