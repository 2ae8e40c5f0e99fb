//! Conservation as a property over generated small scenarios: every request ends in
//! exactly one end state (held for a window or not, routed by country or unroutable); spend never passes the limit; no number sends faster
//! than its MPS and no pool faster than a carrier limit; daily caps hold.

mod common;
use common::{ended, run_with, scenario};
use proptest::prelude::*;
use smsim::model::{EndState, Obs, ObsKind, Observer};
use smsim::scenario::Scenario;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// A pool: kind, count, MPS, queue limit, TTL (s), carrier limits (carrier, MPS, daily parts).
type GenPool = (u8, u32, f64, Option<u64>, u32, Vec<(usize, Option<f64>, Option<u64>)>);
/// A subscription: failure rate, outage (from, length), concurrency, protocol, dead-letter queue.
type GenSub = (f64, Option<(u32, u32)>, Option<u32>, u8, bool);
/// A campaign: pool, at, recipients, spread, every, body.
type GenCampaign = (usize, u32, u32, u32, Option<u32>, u8);

#[derive(Debug, Clone)]
struct Gen {
    pools: Vec<GenPool>,
    weights: Vec<u32>,
    failure: Vec<f64>,
    outage: Vec<Option<(u32, u32)>>,
    customers: u32,
    unreachable: f64,
    opted_out: f64,
    limit_cents: u32,
    horizon: u32,
    campaigns: Vec<GenCampaign>,
    traffic: Vec<(usize, f64)>,
    /// Reply probabilities (answer "1", "STOP", "HELP") and subscriptions: failure rate,
    /// outage (from, length), concurrency, protocol, dead-letter queue.
    replies: (f64, f64, f64),
    subs: Vec<GenSub>,
    part2: GenPart2,
    part3: GenPart3,
}

/// SPEC 7: a calendar (t = 0 two minutes before a New York midnight, customers in New
/// York and Los Angeles, shaped traffic); a sending window on campaigns (none, the first
/// five minutes of the day, across midnight, Sundays only); countries (US and GB, with
/// `from` lists and sender IDs in GB). SPEC 8: protection (0 none; 1 a GB block and a
/// filter; 2 a filter and a price bound on campaigns; 3 a GB block), with a fraud source
/// (into GB with countries, else the US) whenever there is protection.
type GenPart3 = (bool, u8, bool, u8);

/// SPEC 6: account MPS; a limit over every pool (mps, daily parts, on_cap); on_cap of the
/// carrier limits; an outage of pool 0 (failing over to pool 1 if there is one); a second
/// opt-out list for pool 0; priorities of campaigns and traffic.
type GenPart2 = (Option<f64>, Option<(Option<f64>, Option<u64>, u8)>, u8, Option<(u32, u32)>, bool, Vec<u8>);

const ON_CAP: [&str; 3] = ["block", "block_charged", "hold"];

const KINDS: [&str; 5] = ["long_code", "ten_dlc", "toll_free", "short_code", "sender_id"];

fn scenarios() -> impl Strategy<Value = Gen> {
    let carriers = 1usize..=3;
    carriers.prop_flat_map(|nc| {
        let pool = (
            0u8..5,
            1u32..=3,
            prop_oneof![Just(0.5), Just(1.0), Just(3.0), Just(7.5)],
            prop::option::of(1u64..20),
            1u32..400,
            prop::collection::vec((0..nc, prop::option::of(0.3f64..4.0), prop::option::of(1u64..40)), 0..=2),
        );
        (
            prop::collection::vec(pool, 1..=3),
            prop::collection::vec(1u32..10, nc),
            prop::collection::vec(0.0f64..0.3, nc),
            prop::collection::vec(prop::option::of((0u32..300, 1u32..300)), nc),
            1u32..60,
            0.0f64..0.3,
            // Nobody opted out half the time (a blast can then be queued at once).
            prop_oneof![Just(0.0f64), 0.0f64..0.3],
            1u32..200,
            10u32..900,
            prop::collection::vec(
                // Half the blasts all at once (no spread).
                (
                    0usize..3,
                    0u32..60,
                    0u32..100,
                    prop_oneof![Just(0u32), 1u32..200],
                    prop::option::of(20u32..200),
                    0u8..3,
                ),
                0..=3,
            ),
            prop::collection::vec((0usize..3, 0.01f64..2.0), 0..=2),
            (
                (0.0f64..0.5, 0.0f64..0.2, 0.0f64..0.2),
                prop::collection::vec(
                    (
                        0.0f64..0.6,
                        prop::option::of((0u32..400, 1u32..600)),
                        prop::option::of(1u32..4),
                        0u8..3,
                        any::<bool>(),
                    ),
                    0..=2,
                ),
                (
                    prop::option::of(0.5f64..20.0),
                    prop::option::of((prop::option::of(0.3f64..5.0), prop::option::of(1u64..50), 0u8..3)),
                    0u8..3,
                    prop::option::of((0u32..300, 1u32..300)),
                    any::<bool>(),
                    prop::collection::vec(1u8..=9, 5),
                ),
                (any::<bool>(), 0u8..4, any::<bool>(), 0u8..4),
            ),
        )
            .prop_map(
                |(
                    pools,
                    weights,
                    failure,
                    outage,
                    customers,
                    unreachable,
                    opted_out,
                    limit_cents,
                    horizon,
                    campaigns,
                    traffic,
                    (replies, subs, part2, part3),
                )| {
                    Gen {
                        part2,
                        replies,
                        subs,
                        pools,
                        weights,
                        failure,
                        outage,
                        customers,
                        unreachable,
                        opted_out,
                        limit_cents,
                        horizon,
                        campaigns,
                        traffic,
                        part3,
                    }
                },
            )
    })
}

fn render(g: &Gen) -> String {
    let mut s = String::new();
    let (calendar, window, countries, protect) = g.part3;
    let clock = if calendar {
        "start = \"2026-03-07 23:58\"\ntime_zone = \"America/New_York\""
    } else {
        "start_time_of_day = \"23:58\""
    };
    let _ = write!(s, "[simulation]\nhorizon = {}\nmetrics_interval = 7\n{clock}\n", g.horizon);
    let _ = write!(s, "[account]\nmonthly_spend_limit_usd = {}\n", g.limit_cents as f64 / 100.0);
    let (account_mps, shared, carrier_on_cap, outage0, list0, priorities) = &g.part2;
    if let Some(m) = account_mps {
        let _ = writeln!(s, "mps = {m}");
    }
    let filter = "filter = { catch_rate = 0.7, false_positive_rate = 0.1, fee_per_message_usd = 0.001 }";
    match protect {
        1 => {
            let _ = writeln!(s, "protect = {{ block_countries = [\"GB\"], {filter} }}");
        }
        2 => {
            let _ = writeln!(s, "protect = {{ {filter} }}");
        }
        3 => s.push_str("protect = { block_countries = [\"GB\"] }\n"),
        _ => {}
    }
    for (i, (kind, count, mps, ql, ttl, limits)) in g.pools.iter().enumerate() {
        let _ = write!(
            s,
            "[[number]]\nid = \"p{i}\"\nkind = \"{}\"\ncount = {count}\nmps = {mps}\nttl = {ttl}\n",
            KINDS[*kind as usize]
        );
        let _ = writeln!(s, "selection = \"{}\"", ["least_loaded", "round_robin", "sticky"][i % 3]);
        if countries && *kind == 4 {
            let _ = writeln!(s, "country = \"GB\"");
        }
        if let Some(q) = ql {
            let _ = writeln!(s, "queue_limit = {q}");
        }
        if i == 0 {
            if let Some((from, len)) = outage0 {
                let _ = writeln!(s, "outages = [{{ from = {from}, to = {} }}]", from + len);
                if g.pools.len() > 1 {
                    let _ = writeln!(s, "failover = \"p1\"");
                }
            }
            if *list0 {
                let _ = writeln!(s, "opt_out_list = \"other\"");
            }
        }
        let mut with_mps = Vec::new();
        for (c, lmps, daily) in limits {
            // At most one MPS limit per carrier and pool (a second is a scenario error).
            let lmps = lmps.filter(|_| !with_mps.contains(c));
            if lmps.is_some() {
                with_mps.push(*c);
            }
            if lmps.is_none() && daily.is_none() {
                continue;
            }
            let _ = write!(s, "[[number.carrier_limit]]\ncarrier = \"c{c}\"\n");
            if let Some(m) = lmps {
                let _ = writeln!(s, "mps = {m}");
            }
            if let Some(d) = daily {
                let _ = writeln!(s, "daily_parts = {d}\non_cap = \"{}\"", ON_CAP[*carrier_on_cap as usize]);
            }
        }
    }
    if let Some((mps, daily, on_cap)) = shared {
        if mps.is_some() || daily.is_some() {
            let pools: Vec<String> = (0..g.pools.len()).map(|i| format!("\"p{i}\"")).collect();
            let _ = writeln!(s, "[[limit]]\nid = \"brand\"\npools = [{}]", pools.join(", "));
            if let Some(m) = mps {
                let _ = writeln!(s, "mps = {m}");
            }
            // on_cap only with a cap (an error without one).
            if let Some(d) = daily {
                let _ = writeln!(s, "daily_parts = {d}\non_cap = \"{}\"", ON_CAP[*on_cap as usize]);
            }
        }
    }
    let total: u32 = g.weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in g.weights.iter().enumerate() {
        let share = if i + 1 == g.weights.len() { 1.0 - acc } else { *w as f64 / total as f64 };
        acc += share;
        let _ = write!(
            s,
            "[[carrier]]\nid = \"c{i}\"\nshare = {share}\nfailure_rate = {}\nlatency = {{ dist = \"exponential\", mean = \"5s\" }}\nfee_per_part_usd = {{ ten_dlc = 0.003, short_code = 0.0045 }}\n",
            g.failure[i]
        );
        if let Some((from, len)) = g.outage[i] {
            let _ = writeln!(s, "outages = [{{ from = {from}, to = {} }}]", from + len);
        }
    }
    let _ = write!(
        s,
        "[customers]\ncount = {}\nunreachable = {}\nopted_out = {}\n",
        g.customers, g.unreachable, g.opted_out
    );
    if calendar {
        s.push_str("time_zones = [{ zone = \"America/New_York\", share = 0.6 }, { zone = \"America/Los_Angeles\", share = 0.4 }]\n");
    }
    if countries {
        s.push_str(
            "[[country]]\nid = \"US\"\nshare = 0.8\n[[country]]\nid = \"GB\"\nshare = 0.2\nprice_per_part_usd = 0.04\n",
        );
    }
    let windows = [
        "",
        "window = { from = \"00:00\", to = \"00:05\" }\n",
        "window = { from = \"23:59\", to = \"24:00\" }\n",
        "window = { from = \"00:00\", to = \"24:00\", days = [\"sun\"] }\n",
    ];
    let bodies = [
        "Hi",
        "A reminder that is long enough to need two parts when padded out: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore",
        "Ünïcödé ✓",
    ];
    for (i, (p, at, rec, spread, every, body)) in g.campaigns.iter().enumerate() {
        let pool = p % g.pools.len();
        let from = if countries {
            format!("[\"p{pool}\", \"p{}\"]", (pool + 1) % g.pools.len())
        } else {
            format!("\"p{pool}\"")
        };
        let _ = write!(
            s,
            "[[campaign]]\nid = \"k{i}\"\nfrom = {from}\nbody = \"{}\"\nat = {at}\nrecipients = {}\nspread = {spread}\npriority = {}\n",
            bodies[*body as usize],
            rec % (g.customers + 1),
            priorities[i % 5],
        );
        if calendar {
            s.push_str(windows[window as usize]);
        }
        if protect == 2 {
            s.push_str("max_price_per_message_usd = 0.02\n");
        }
        if let Some(e) = every {
            // A repeat may not start before the previous blast's requests are made.
            let _ = writeln!(s, "every = {}", (*e).max(*spread).max(1));
        }
    }
    for (i, (p, rate)) in g.traffic.iter().enumerate() {
        let _ = write!(
            s,
            "[[traffic]]\nid = \"t{i}\"\nfrom = \"p{}\"\nbody = \"Code 1234\"\nrate = {rate}\npriority = {}\n",
            p % g.pools.len(),
            priorities[(i + 3) % 5]
        );
        if calendar {
            s.push_str("profile = [{ from = \"00:00\", factor = 0.5 }, { from = \"00:01\", factor = 2 }]\ndays = { sun = 0.5 }\n");
        }
    }
    if protect > 0 {
        // From every pool in turn: with countries, the first that reaches GB sends it.
        let pools: Vec<String> = (0..g.pools.len()).map(|i| format!("\"p{i}\"")).collect();
        let _ = write!(
            s,
            "[[traffic]]\nid = \"pump\"\nfrom = [{}]\nbody = \"Code 9\"\nrate = 0.7\nfraud = true\ncountry = \"{}\"\n",
            pools.join(", "),
            if countries { "GB" } else { "US" }
        );
    }
    // Every campaign and traffic template draws the same replies.
    let (one, stop, help) = g.replies;
    let replies = format!(
        "replies = [{{ body = \"1\", p = {one} , after = \"20s\" }}, {{ body = \"stop\", p = {stop}, after = 5 }}, {{ body = \"HELP me\", p = {help}, after = {{ dist = \"exponential\", mean = \"30s\" }} }}]\n"
    );
    s = s
        .replace("[[traffic]]", "[[traffic]]\n__R__")
        .replace("[[campaign]]", "[[campaign]]\n__R__")
        .replace("__R__\n", &replies);
    let receiving: Vec<String> =
        g.pools.iter().enumerate().filter(|(_, p)| p.0 != 4).map(|(i, _)| format!("\"p{i}\"")).collect();
    if !receiving.is_empty() && !g.subs.is_empty() {
        let _ = write!(s, "[[topic]]\nid = \"in\"\nnumbers = [{}]\n", receiving.join(", "));
        for (i, (fail, outage, conc, proto, dlq)) in g.subs.iter().enumerate() {
            let _ = write!(
                s,
                "[[topic.subscription]]\nid = \"s{i}\"\nprotocol = \"{}\"\nfailure_rate = {fail}\ndead_letter_queue = {dlq}\nlatency = \"3s\"\nhandler = \"f\"\n",
                ["https", "lambda", "sms"][*proto as usize]
            );
            if let Some(c) = conc {
                let _ = writeln!(s, "concurrency = {c}");
            }
            if let Some((from, len)) = outage {
                let _ = writeln!(s, "outages = [{{ from = {from}, to = {} }}]", from + len);
            }
        }
        s.push_str("[[flow]]\nid = \"f\"\n[[flow.rule]]\nwhen = \"1\"\nbody = \"Thanks\"\noutcome = \"ok\"\n");
    }
    s
}

/// Records every transmission to check pacing afterwards, and checks each message ends once.
#[derive(Default)]
struct Audit {
    tx: Vec<(u64, u32, u32, u32, u32)>,
    ended: HashSet<u64>,
    requested: HashSet<u64>,
    twice: u64,
    deliveries: u64,
    /// Messages screened by the fraud filter, and those screened twice or after their end.
    screened: HashSet<u64>,
    screened_wrongly: u64,
    fees: i64,
    charged: i64,
    unroutable: HashSet<u64>,
    failed_over: HashSet<u64>,
}

impl Observer for Audit {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            ObsKind::Requested => {
                self.requested.insert(o.msg);
            }
            ObsKind::Transmitted => {
                self.tx.push((o.t.as_micros(), o.pool, o.number, o.carrier, o.parts));
                self.charged += (o.cost + o.fee).micros();
            }
            ObsKind::End { state, .. } => {
                if !self.ended.insert(o.msg) {
                    self.twice += 1;
                }
                self.charged += (o.cost + o.fee).micros();
                // Ended before protect: unroutable, or on the first pool's opt-out list (a
                // failover pool's list applies after protect, SPEC 8).
                let opted_out_first = state == EndState::BlockedOptOut && !self.failed_over.contains(&o.msg);
                if state == EndState::Unroutable || opted_out_first {
                    self.unroutable.insert(o.msg);
                }
            }
            ObsKind::Screened => {
                // Once per request, before it ends (SPEC 8: the filter screens a request
                // once; what ends before protect pays no fee).
                if !self.screened.insert(o.msg) || self.ended.contains(&o.msg) {
                    self.screened_wrongly += 1;
                }
                self.fees += (o.cost + o.fee).micros();
            }
            ObsKind::FailedOver => {
                self.failed_over.insert(o.msg);
            }
            ObsKind::Queued | ObsKind::Held | ObsKind::OutsideWindow => {}
        }
    }
    fn delivery(&mut self, _: &smsim::model::observe::DeliveryObs) {
        self.deliveries += 1;
    }
}

/// Check that transmissions `(t, parts)`, in time order, never outpace `mps`: for every
/// i < j, t_j - t_i >= (parts sent from i up to j) / mps, less 1 us of rounding. With S_k
/// the parts sent before k, that is t_j - S_j/mps >= max over i < j of (t_i - S_i/mps) - 1,
/// which one pass with a running maximum checks for all pairs.
fn paced(tx: &[(u64, u32)], mps: f64) -> Result<(), String> {
    let interval = 1e6 / mps;
    let mut sent = 0.0f64;
    let mut best = f64::NEG_INFINITY;
    for (k, &(t, parts)) in tx.iter().enumerate() {
        let slack = t as f64 - sent * interval;
        if slack < best - 1.0 - 1e-6 {
            return Err(format!("transmission {k} at {t} us is {:.1} us early for {mps} MPS", best - slack));
        }
        best = best.max(slack);
        sent += parts as f64;
    }
    Ok(())
}

fn check(sc: &Scenario, audit: &Audit) -> Result<(), String> {
    // Per number.
    let mut by_number: HashMap<(u32, u32), Vec<(u64, u32)>> = HashMap::new();
    for &(t, p, n, _, parts) in &audit.tx {
        by_number.entry((p, n)).or_default().push((t, parts));
    }
    for ((p, n), tx) in &by_number {
        paced(tx, sc.pools[*p as usize].mps).map_err(|e| format!("number {p}/{n}: {e}"))?;
    }
    // Per shared limit: the account's, carrier limits and [[limit]]s.
    for l in &sc.limits {
        let tx: Vec<(u64, u32)> = audit
            .tx
            .iter()
            .filter(|x| l.pools.contains(&(x.1 as usize)) && l.carrier.is_none_or(|c| x.3 == c as u32))
            .map(|x| (x.0, x.4))
            .collect();
        if let Some(m) = l.mps {
            paced(&tx, m).map_err(|e| format!("limit {}: {e}", l.id))?;
        }
        for c in &l.caps {
            let cap = c.parts;
            let mut per_day: HashMap<u64, u64> = HashMap::new();
            for &(t, parts) in &tx {
                let day = match &sc.calendar {
                    // With a calendar: the local date in the scenario's zone, days since
                    // 2026-03-07 (the generated start), from jiff's civil dates.
                    Some(cal) => {
                        let d = cal.local(smsim::engine::SimTime::from_micros(t), cal.zone()).date();
                        (d - jiff::civil::date(2026, 3, 7)).get_days() as u64
                    }
                    None => (t + sc.start_time_of_day.as_micros()) / 86_400_000_000,
                };
                let window = match c.window {
                    smsim::scenario::Window::Day => day,
                    // Weeks from Monday with a calendar (2026-03-09 is day 2), else from the
                    // first midnight.
                    smsim::scenario::Window::Week if sc.calendar.is_some() => (day + 5) / 7,
                    smsim::scenario::Window::Week => day.div_ceil(7),
                    smsim::scenario::Window::Month => t / (30 * 86_400_000_000),
                };
                *per_day.entry(window).or_default() += parts as u64;
            }
            if let Some((w, n)) = per_day.iter().find(|(_, n)| **n > cap) {
                return Err(format!("limit {}: {n} parts in {} window {w}, over its cap {cap}", l.id, c.window.name()));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_request_ends_once_and_limits_hold(g in scenarios(), seed in 0u64..1000) {
        let text = render(&g);
        let sc = scenario(&text);
        let (o, audit) = run_with(&sc, seed, Audit::default());
        let m = &o.metrics;
        // The audit sees every request and every end at its instant, so the world made this
        // run request by request and queued every outcome; an observer that takes a
        // blast's plain part at once and ends told ahead (the metrics alone, as `smsim
        // run` without --events) must see the very same run.
        let (at_once, ()) = run_with(&sc, seed, ());
        prop_assert!(format!("{:?}", at_once.metrics) == format!("{:?}", m), "a blast at once, or ends told ahead, differ\n{}", text);
        prop_assert_eq!(at_once.events, o.events);
        prop_assert_eq!(m.requested, ended(&o), "the end states must sum to requested\n{}", text);
        prop_assert_eq!(audit.twice, 0, "a message ended twice");
        prop_assert_eq!(&audit.ended, &audit.requested, "every requested message ends");
        prop_assert_eq!(audit.screened_wrongly, 0, "screened twice, or after its end");
        prop_assert!(audit.screened.is_disjoint(&audit.unroutable), "an unroutable or opted-out request paid the filter's fee");
        prop_assert_eq!(audit.fees + audit.charged, m.cost_messages.micros() + m.cost_carrier_fees.micros(), "fees and charges are the message costs");
        // Outbound charges never pass the limit (inbound is charged but never blocked, so
        // only outbound sending is held to it).
        let spent = sc.spent.micros() + m.cost_messages.micros() + m.cost_carrier_fees.micros();
        prop_assert!(spent <= sc.spend_limit.micros() || m.cost_inbound.micros() > 0, "spent {} over limit {}", spent, sc.spend_limit.micros());
        if m.cost_inbound.micros() == 0 {
            prop_assert!(spent <= sc.spend_limit.micros());
        }
        // Every publish to every subscription ends in exactly one of four states.
        let subs: u64 = sc.topics.iter().map(|t| t.subscriptions.len() as u64).sum();
        let d = &m.deliveries;
        prop_assert_eq!(d.values().iter().sum::<u64>(), m.inbound.published * subs, "deliveries conserve publishes\n{}", text);
        prop_assert_eq!(audit.deliveries, d.values().iter().sum::<u64>());
        let i = &m.inbound;
        prop_assert!(i.keyword <= i.inbound && i.auto_responses == i.keyword);
        // Per-source counts sum to the summary's.
        let src = &m.sources;
        prop_assert_eq!(src.iter().map(|x| x.requested).sum::<u64>(), m.requested);
        prop_assert_eq!(src.iter().map(|x| x.failed_over).sum::<u64>(), m.failed_over);
        for st in EndState::ALL {
            prop_assert_eq!(src.iter().map(|x| x.ends[st]).sum::<u64>(), m.count(st), "{:?}", st);
        }
        for x in src {
            prop_assert_eq!(x.ends.values().iter().sum::<u64>(), x.requested, "a source's requests end once");
        }
        let cost: i64 = src.iter().map(|x| x.cost.micros()).sum();
        prop_assert_eq!(cost, m.cost_messages.micros() + m.cost_carrier_fees.micros());
        // The time series' end-state columns sum, over the intervals of the total scope,
        // to the summary's counts: every end but `pending` is in exactly one interval.
        let total = |f: fn(&smsim::metrics::TsRow) -> u64| -> u64 {
            m.timeseries.rows.iter().filter(|r| r.scope == 0).map(f).sum()
        };
        prop_assert_eq!(total(|r| r.delivered), m.count(EndState::Delivered));
        prop_assert_eq!(total(|r| r.failed), m.count(EndState::Failed));
        prop_assert_eq!(total(|r| r.unreachable), m.count(EndState::Unreachable));
        prop_assert_eq!(total(|r| r.expired), m.count(EndState::Expired));
        let refused = [EndState::Throttled, EndState::BlockedOptOut, EndState::BlockedSpendLimit,
            EndState::BlockedDailyCap, EndState::Unroutable, EndState::BlockedProtect];
        prop_assert_eq!(total(|r| r.blocked), refused.iter().map(|&s| m.count(s)).sum::<u64>());
        prop_assert_eq!(
            total(|r| r.delivered + r.failed + r.unreachable + r.expired + r.blocked) + m.count(EndState::Pending),
            m.requested,
            "the time series' end states and pending make up every request"
        );
        if let Err(e) = check(&sc, &audit) {
            prop_assert!(false, "{}\n{}", e, text);
        }
    }
}
