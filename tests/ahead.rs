//! Ends told ahead against ends told at their instant.
//!
//! When a transmitted message's outcome has no consequence in the world (a delivery,
//! whose reply if any is drawn and queued apart; an expiry on the way; within the
//! horizon), the world may tell it to
//! an observer that asks for it at the transmission, instead of queueing an outcome
//! event; the metrics count it into the interval it falls in. An observer that does not
//! ask (as `--events` does not) gets every end at its instant. For an observer that
//! asks, the world also makes a lone subscriber delivery due at once, with nothing else
//! due, at once rather than through the queue. And `smsim run` keeps its metrics on a
//! second thread (`simulate_beside`), told what the world observes, in order. The runs
//! must agree on every metric and on the event count, in every shipped scenario and in
//! worlds chosen to exercise what could tell them apart.

mod common;
use common::{run_with, scenario};
use smsim::engine::{self, Scheduler, SimTime};
use smsim::model::observe::{DeliveryState, Side};
use smsim::model::{EndState, Obs, Observer, World};
use smsim::run::simulate_beside;
use smsim::scenario::load_all;

/// Asks for nothing ahead: every end comes at its instant.
struct InTime;
impl Observer for InTime {
    fn observe(&mut self, _: &Obs) {}
}

/// Takes every end it may be told ahead, and counts them.
#[derive(Default)]
struct Ahead {
    told: u64,
}
impl Observer for Ahead {
    fn observe(&mut self, _: &Obs) {}
    fn ahead_until(&self) -> SimTime {
        SimTime::MAX
    }
    fn ahead(&mut self, _: &Obs) {
        self.told += 1;
    }
}

/// Takes every end ahead, and records every observation in order; offers a thread for
/// the draws made ahead if it has one.
#[derive(Default)]
struct Log {
    side: Option<Side>,
    seen: Vec<String>,
}
impl Observer for Log {
    fn observe(&mut self, o: &Obs) {
        self.seen.push(format!("{o:?}"));
    }
    fn ahead_until(&self) -> SimTime {
        SimTime::MAX
    }
    fn ahead(&mut self, o: &Obs) {
        self.seen.push(format!("ahead {o:?}"));
    }
    fn side(&self) -> Option<Side> {
        self.side.clone()
    }
    fn inbound(&mut self, i: &smsim::model::observe::InboundObs<'_>) {
        self.seen.push(format!("{i:?}"));
    }
    fn delivery(&mut self, d: &smsim::model::observe::DeliveryObs) {
        self.seen.push(format!("{d:?}"));
    }
}

/// The events of `sc` under `seed` that the world made at once (a lone delivery due now),
/// with observer `obs`.
fn made_at_once<O: Observer>(sc: &smsim::scenario::Scenario, seed: u64, obs: O) -> u64 {
    let mut sched = Scheduler::new();
    let mut world = World::new(sc, seed, obs, &mut sched);
    engine::run(&mut world, &mut sched, sc.horizon, u64::MAX, |_, _, _| {}).at_once
}

/// Both ways under `seed`: the number of ends told ahead, after checking that the runs
/// agree.
fn both_ways(sc: &smsim::scenario::Scenario, seed: u64, what: &str) -> u64 {
    let (in_time, _) = run_with(sc, seed, InTime);
    let (ahead, a) = run_with(sc, seed, Ahead::default());
    assert_eq!(ahead.events, in_time.events, "{what}, seed {seed}: events");
    assert!(format!("{:?}", ahead.metrics) == format!("{:?}", in_time.metrics), "{what}, seed {seed}: metrics differ");
    let beside = simulate_beside(sc, seed, |_| {});
    assert_eq!(beside.events, in_time.events, "{what}, seed {seed}: events, metrics kept beside");
    assert!(
        format!("{:?}", beside.metrics) == format!("{:?}", in_time.metrics),
        "{what}, seed {seed}: metrics kept beside differ"
    );
    a.told
}

#[test]
fn shipped_scenarios_agree_both_ways() {
    let mut told = 0;
    for path in &common::shipped_scenarios() {
        for sc in load_all(path, &[]).unwrap_or_else(|e| panic!("{e}")) {
            told += both_ways(&sc, sc.seed, &format!("{} ({})", path.display(), sc.variant));
        }
    }
    assert!(told > 10_000, "ends told ahead in the shipped scenarios: {told}");
}

const WORLD: &str = "[simulation]\nhorizon = \"2h\"\nmetrics_interval = \"1m\"\n\
    [account]\nmonthly_spend_limit_usd = 100000\n\
    [customers]\ncount = 2000\nunreachable = 0.05\n\
    [[carrier]]\nid = \"a\"\nshare = 0.5\nlatency = { dist = \"lognormal\", median = \"3s\", sigma = 0.5 }\nfailure_rate = 0.02\n\
    [[carrier]]\nid = \"b\"\nshare = 0.3\nlatency = { dist = \"exponential\", mean = \"10m\" }\n\
    [[carrier]]\nid = \"c\"\nshare = 0.2\nlatency = \"0s\"\n\
    [[number]]\nid = \"lc\"\nkind = \"long_code\"\ncount = 4\n";

/// (what it exercises, the whole scenario)
fn cases() -> Vec<(&'static str, String)> {
    let campaign = |extra: &str| {
        format!(
            "{WORLD}[[campaign]]\nid = \"c\"\nfrom = \"lc\"\nbody = \"Your appointment is tomorrow.\"\n\
             recipients = 1500\n{extra}\n"
        )
    };
    vec![
        ("deliveries, failures, a zero latency", campaign("")),
        ("outcomes past the horizon stay pending", campaign("").replace("horizon = \"2h\"", "horizon = \"8m\"")),
        (
            "a one-second interval: ends far past the open interval",
            campaign("")
                .replace("metrics_interval = \"1m\"", "metrics_interval = \"1s\"")
                .replace("mean = \"10m\"", "mean = \"40m\""),
        ),
        ("expiry on the way, and in the queue", campaign("").replace("count = 4\n", "count = 4\nttl = \"6m\"\n")),
        (
            "a carrier outage holds the hand-offs",
            campaign("").replace(
                "id = \"b\"\nshare = 0.3\n",
                "id = \"b\"\nshare = 0.3\noutages = [{ from = \"2m\", to = \"20m\" }]\n",
            ),
        ),
        (
            "replies drawn by some, answered by STOP and a keyword",
            campaign(
                "replies = [{ body = \"STOP\", p = 0.2, after = { dist = \"exponential\", mean = \"2m\" } }, \
                 { body = \"HELP\", p = 0.3, after = \"30s\" }]\nevery = \"30m\"",
            ),
        ),
        (
            "replies published to a lone subscriber, one at a time, with failures",
            campaign("replies = [{ body = \"ok\", p = 0.4, after = { dist = \"exponential\", mean = \"1m\" } }]")
                + "[[topic]]\nid = \"t\"\nnumbers = [\"lc\"]\n\
                   [[topic.subscription]]\nid = \"s\"\nprotocol = \"https\"\nconcurrency = 1\nfailure_rate = 0.3\n\
                   latency = { dist = \"exponential\", mean = \"5s\" }\n",
        ),
        (
            "a horizon that is not a whole number of intervals",
            campaign("").replace("horizon = \"2h\"", "horizon = \"125s\""),
        ),
        (
            "one interval, longer than the horizon",
            campaign("").replace("metrics_interval = \"1m\"", "metrics_interval = \"3h\""),
        ),
        ("ends at the horizon itself", campaign("at = \"2h\"").replace("count = 4\n", "count = 4\nmps = 1000\n")),
        (
            "traffic beside the blast",
            campaign("at = \"1m\"") + "[[traffic]]\nid = \"t\"\nfrom = \"lc\"\nbody = \"hi\"\nrate = \"1/s\"\n",
        ),
    ]
}

#[test]
fn ends_told_ahead_are_the_ends_told_in_time() {
    for (what, text) in cases() {
        let sc = scenario(&text);
        for seed in [1, 2, 3] {
            let told = both_ways(&sc, seed, what);
            // At the horizon, only the first texts (at its very instant) end within it.
            let least = if what.starts_with("ends at the horizon") { 1 } else { 100 };
            assert!(told >= least, "{what}, seed {seed}: only {told} ends told ahead");
            // Each case changes what it says it changes.
            let m = common::run(&sc, seed).metrics;
            let count = |s| m.count(s);
            let check = match what.split(':').next().unwrap_or_default() {
                // The metrics take ends up to 4,096 intervals ahead: past that, in time.
                "a one-second interval" => told + 30 < count(EndState::Delivered),
                "outcomes past the horizon stay pending" | "ends at the horizon itself" => {
                    count(EndState::Pending) > 100
                }
                "expiry on the way, and in the queue" => count(EndState::Expired) > 100,
                "replies drawn by some, answered by STOP and a keyword" => m.inbound.opt_outs > 10,
                "replies published to a lone subscriber, one at a time, with failures" => {
                    // Deliveries made at once for an observer that takes ends ahead; none
                    // for one that does not.
                    let quick = made_at_once(&sc, seed, Ahead::default());
                    m.deliveries[DeliveryState::Delivered] > 100
                        && m.subscriber_retries > 10
                        && quick > 100
                        && made_at_once(&sc, seed, InTime) == 0
                }
                _ => true,
            };
            assert!(check, "{what}, seed {seed}: not exercised ({told} told ahead)");
        }
    }
}

/// Large blasts have their draws made ahead beside the world (`smsim run`): the same runs,
/// whether the world finds a message's draws made or makes them itself: in order, when a
/// new occurrence replaces the blast made ahead before the last one is sent, with
/// unreachable customers, failures, expiries, carrier outages, replies delivered to a
/// lone subscriber one at a time with retries, and traffic.
#[test]
fn draws_made_ahead_are_the_draws_made_in_place() {
    let text = WORLD.replace("count = 2000\n", "count = 30000\n").replace("horizon = \"2h\"", "horizon = \"6h\"")
        + "ttl = \"3h\"\n\
           [[campaign]]\nid = \"c\"\nfrom = \"lc\"\nbody = \"Your appointment is tomorrow.\"\nevery = \"1h\"\n\
           replies = [{ body = \"ok\", p = 0.3, after = { dist = \"exponential\", mean = \"5m\" } }]\n\
           [[traffic]]\nid = \"t\"\nfrom = \"lc\"\nbody = \"hi\"\nrate = \"1/s\"\n\
           [[topic]]\nid = \"t\"\nnumbers = [\"lc\"]\n\
           [[topic.subscription]]\nid = \"s\"\nprotocol = \"https\"\nconcurrency = 1\nfailure_rate = 0.3\n\
           latency = { dist = \"exponential\", mean = \"2s\" }\n";
    let text = text.replace(
        "id = \"b\"\nshare = 0.3\n",
        "id = \"b\"\nshare = 0.3\noutages = [{ from = \"20m\", to = \"50m\" }]\n",
    );
    let sc = scenario(&text);
    for seed in [1, 2] {
        both_ways(&sc, seed, "large blasts");
        // Every observation, in order, with the draws made in place and with them made
        // ahead; the first blast begins at t = 0, and once its first 8,000 draws are made
        // the world finds them made (4 numbers at 1 a second take them in order).
        let mut logs = Vec::new();
        for ahead in [false, true] {
            let mut sched = Scheduler::new();
            // Through a reference, as `smsim run` hands its relay to the world.
            let mut log = Log { side: ahead.then(Side::lone), seen: Vec::new() };
            let mut world = World::new(&sc, seed, &mut log, &mut sched);
            engine::run(&mut world, &mut sched, SimTime::ZERO, u64::MAX, |_, _, _| {});
            assert_eq!(world.await_draws_made(8_000), ahead, "seed {seed}: the first blast's draws made ahead");
            engine::run(&mut world, &mut sched, sc.horizon, u64::MAX, |_, _, _| {});
            world.finish(sc.horizon, &mut sched);
            let (found, predrawn) = (world.drawn_ahead(), world.deliveries_drawn_ahead());
            if ahead {
                // The reachable among customers 4 to 7,999: 95%, 7,596 on average (the
                // binomial's sd is 19); 5 sd below is 7,500.
                assert!(found >= 7_500, "seed {seed}: {found} drawn ahead");
                // About 30% of those delivered answer (2,250; sd 40): each reply's
                // delivery to the lone subscriber comes drawn with it.
                assert!(predrawn > 2_000, "seed {seed}: {predrawn} deliveries drawn ahead");
            } else {
                assert_eq!((found, predrawn), (0, 0));
            }
            drop(world);
            logs.push(log.seen);
        }
        assert!(logs[0].len() > 50_000, "seed {seed}: {} observations", logs[0].len());
        let first = logs[0].iter().zip(&logs[1]).position(|(a, b)| a != b);
        assert!(first.is_none() && logs[0].len() == logs[1].len(), "seed {seed}: observations differ at {first:?}");
    }
}

/// A reply loop with no delay stalls the run; ends told ahead at the same instant (a
/// blast whose texts draw no reply) are no events in the kernel's stall window, so the
/// error is the one a run that tells none says, word for word.
#[test]
fn a_stall_says_the_same_either_way() {
    let sc = scenario(
        "[simulation]\nhorizon = \"1h\"\n[account]\nmonthly_spend_limit_usd = 1000000\n\
         [[number]]\nid = \"sc\"\nkind = \"short_code\"\nmps = 1000000\n\
         [[carrier]]\nid = \"c\"\nshare = 1\nlatency = \"0s\"\ninbound_latency = \"0s\"\n[customers]\ncount = 300\n\
         [[campaign]]\nid = \"hello\"\nfrom = \"sc\"\nbody = \"Hi\"\nat = \"30s\"\nrecipients = 1\n\
         replies = [{ body = \"again\", p = 1, after = \"0s\" }]\n\
         [[campaign]]\nid = \"news\"\nfrom = \"sc\"\nbody = \"News\"\nat = \"30s\"\n\
         [[topic]]\nid = \"t\"\nnumbers = [\"sc\"]\n\
         [[topic.subscription]]\nid = \"f\"\nprotocol = \"lambda\"\nlatency = \"0s\"\nhandler = \"echo\"\n\
         [[flow]]\nid = \"echo\"\n[[flow.rule]]\nwhen = \"*\"\nbody = \"Say again?\"\n\
         replies = [{ body = \"again\", p = 1, after = \"0s\" }]\n",
    );
    let (in_time, _) = run_with(&sc, 1, InTime);
    let (ahead, a) = run_with(&sc, 1, Ahead::default());
    assert!(a.told > 100, "ends told ahead at the stall's instant: {}", a.told);
    let said = in_time.stalled.expect("the loop stalls the run");
    assert!(said.contains("flow:echo"), "{said}");
    assert_eq!(ahead.stalled.as_deref(), Some(said.as_str()));
    assert_eq!(simulate_beside(&sc, 1, |_| {}).stalled.as_deref(), Some(said.as_str()));
}

/// Records, in order, what each message does at its instant: transmitted, delivered
/// (told ahead or in time), answered (its reply arrives at the number).
struct Order {
    ahead: bool,
    seen: Vec<(SimTime, &'static str, u64)>,
}
impl Observer for Order {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            smsim::model::ObsKind::Transmitted => self.seen.push((o.t, "transmitted", o.msg)),
            smsim::model::ObsKind::End { state: EndState::Delivered, .. } => self.seen.push((o.t, "delivered", o.msg)),
            _ => {}
        }
    }
    fn ahead_until(&self) -> SimTime {
        if self.ahead { SimTime::MAX } else { SimTime::ZERO }
    }
    fn ahead(&mut self, o: &Obs) {
        self.observe(o);
    }
    fn inbound(&mut self, i: &smsim::model::observe::InboundObs<'_>) {
        self.seen.push((i.t, "answered", i.answers));
    }
}

/// A reply drawn when its message is handed to the carrier, with no delay and no way
/// back, arrives at the microsecond its message is delivered, which is also when the
/// number sends its next message. The order at that instant is the one the world
/// documents (`carrier_accepts`): the carrier's own event first (the delivery), then the
/// reply, both scheduled at the hand-off, then the number's next turn, scheduled after
/// them. Told ahead (at the hand-off) or told in time, the same order, and the same
/// run.
#[test]
fn a_reply_at_its_delivery_instant_comes_after_the_delivery_and_before_the_next_send() {
    let sc = scenario(
        "[simulation]\nhorizon = \"1h\"\n[account]\nmonthly_spend_limit_usd = 1000\n\
         [[number]]\nid = \"lc\"\nkind = \"long_code\"\n\
         [[carrier]]\nid = \"c\"\nshare = 1\nlatency = \"1s\"\ninbound_latency = \"0s\"\n[customers]\ncount = 20\n\
         [[campaign]]\nid = \"c\"\nfrom = \"lc\"\nbody = \"Reply OK\"\n\
         replies = [{ body = \"ok\", p = 1, after = \"0s\" }]\n\
         [[topic]]\nid = \"t\"\nnumbers = [\"lc\"]\n\
         [[topic.subscription]]\nid = \"f\"\nprotocol = \"lambda\"\nlatency = \"0s\"\n",
    );
    let mut orders = Vec::new();
    for ahead in [false, true] {
        let (_, o) = run_with(&sc, 1, Order { ahead, seen: Vec::new() });
        // At each whole second k from 1 to 19: message k-1 delivered, its reply, then
        // message k transmitted (one part a second from one long code).
        let at =
            |k: u64| o.seen.iter().filter(|e| e.0 == SimTime::from_secs(k)).map(|e| (e.1, e.2)).collect::<Vec<_>>();
        let (first, last) = (o.seen.iter().map(|e| e.2).min().unwrap(), o.seen.iter().map(|e| e.2).max().unwrap());
        assert_eq!(last - first, 19, "twenty messages");
        for k in 1..20u64 {
            let (before, next) = (first + k - 1, first + k);
            let order = vec![("delivered", before), ("answered", before), ("transmitted", next)];
            assert_eq!(at(k), order, "ahead {ahead}, second {k}");
        }
        orders.push(o.seen);
    }
    // Told at the hand-off, a delivery is still told before anything at the next second.
    assert_eq!(orders[0], orders[1], "the same order either way");
    assert_eq!(both_ways(&sc, 1, "a reply at its delivery instant"), 20, "every delivery told ahead");
}
