//! A blast queued at once against the same blast made request by request.
//!
//! When nothing about a campaign event's requests depends on the customer, the world
//! queues them at once: one observation for all, runs appended to the numbers' queues,
//! no pick per request. An observer that wants every request (as `--events` does) makes
//! the world take the request-by-request path instead. The two runs must agree on every
//! metric and every event count, in scenarios chosen to exercise what could tell them
//! apart: uneven loads before the blast, priorities, repeats, shared rates, caps, the
//! spend limit, expiry, replies that opt out before a repeat, and the selections and
//! settings that must not be taken at once.

mod common;
use common::{run_with, scenario};
use smsim::model::observe::BlastObs;
use smsim::model::{Obs, Observer};

/// Wants every request: the world reports each one.
struct EachRequest;
impl Observer for EachRequest {
    fn observe(&mut self, _: &Obs) {}
}

/// Takes blasts at once, and counts the requests it was given that way.
#[derive(Default)]
struct AtOnce {
    requests: u64,
}
impl Observer for AtOnce {
    fn observe(&mut self, _: &Obs) {}
    fn bulk(&self) -> bool {
        true
    }
    fn blast(&mut self, b: &BlastObs<'_>) {
        self.requests += b.by_carrier.iter().sum::<u64>();
    }
}

const WORLD: &str = "[simulation]\nhorizon = \"3h\"\nmetrics_interval = \"5m\"\n\
    [account]\nmonthly_spend_limit_usd = 100000\n\
    [customers]\ncount = 3000\nunreachable = 0.05\n\
    [[carrier]]\nid = \"a\"\nshare = 0.5\nlatency = { dist = \"lognormal\", median = \"3s\", sigma = 0.5 }\nfailure_rate = 0.02\n\
    [[carrier]]\nid = \"b\"\nshare = 0.3\n\
    [[carrier]]\nid = \"c\"\nshare = 0.2\n";

/// (what it exercises, the rest of the scenario, whether a blast may be taken at once)
fn cases() -> Vec<(&'static str, String, bool)> {
    let lc =
        |count: u32, extra: &str| format!("[[number]]\nid = \"lc\"\nkind = \"long_code\"\ncount = {count}\n{extra}\n");
    let campaign = |id: &str, n: u32, extra: &str| {
        format!(
            "[[campaign]]\nid = \"{id}\"\nfrom = \"lc\"\nbody = \"Your appointment is tomorrow.\"\nrecipients = {n}\n{extra}\n"
        )
    };
    vec![
        ("a plain blast", lc(7, "") + &campaign("c", 2500, ""), true),
        ("one number", lc(1, "") + &campaign("c", 500, ""), true),
        (
            "a second blast on uneven loads, more urgent, at the same instant",
            lc(3, "") + &campaign("first", 7, "") + &campaign("second", 900, "priority = 1"),
            true,
        ),
        (
            "two blasts, the second after the first has partly gone",
            lc(4, "") + &campaign("first", 1000, "") + &campaign("second", 1000, "at = \"90s\"\npriority = 9"),
            true,
        ),
        ("repeats", lc(5, "") + &campaign("c", 400, "every = \"20m\""), true),
        (
            "two parts, a shared carrier rate and a daily cap",
            lc(6, "mps = 3\ncarrier_limit = [{ carrier = \"a\", mps = 4 }, { carrier = \"b\", daily_parts = 300 }]")
                + &campaign("c", 2000, "").replace("Your appointment is tomorrow.", &"Long reminder text. ".repeat(10)),
            true,
        ),
        ("the spend limit reached within the blast", lc(8, "") + &campaign("c", 2500, ""), true),
        ("expiry in the queue", lc(2, "ttl = \"10m\"") + &campaign("c", 3000, ""), true),
        (
            "traffic into the same pool",
            lc(3, "")
                + &campaign("c", 1000, "at = \"1m\"")
                + "[[traffic]]\nid = \"t\"\nfrom = \"lc\"\nbody = \"hi\"\nrate = \"2/s\"\n",
            true,
        ),
        (
            "replies that opt out before the repeat",
            lc(3, "")
                + &campaign(
                    "c",
                    600,
                    "every = \"1h\"\nreplies = [{ body = \"STOP\", p = 0.2, after = { dist = \"exponential\", mean = \"2m\" } }]",
                ),
            true,
        ),
        ("round robin", lc(4, "selection = \"round_robin\"") + &campaign("c", 800, ""), false),
        ("sticky", lc(4, "selection = \"sticky\"") + &campaign("c", 800, ""), false),
        ("a queue limit", lc(4, "queue_limit = 50") + &campaign("c", 800, ""), false),
    ]
}

#[test]
fn a_blast_at_once_is_the_blast_request_by_request() {
    for (what, rest, at_once) in cases() {
        let mut text = format!("{WORLD}{rest}");
        if what.starts_with("the spend limit") {
            text = text.replace("monthly_spend_limit_usd = 100000", "monthly_spend_limit_usd = 5");
        }
        let sc = scenario(&text);
        for seed in [1, 2] {
            let (each, _) = run_with(&sc, seed, EachRequest);
            let (bulk, counted) = run_with(&sc, seed, AtOnce::default());
            assert!(each.metrics.requested > 0, "{what}: nothing requested");
            assert_eq!(counted.requests > 0, at_once, "{what}: taken at once or not as expected");
            assert_eq!(bulk.events, each.events, "{what}, seed {seed}: events");
            assert!(
                format!("{:?}", bulk.metrics) == format!("{:?}", each.metrics),
                "{what}, seed {seed}: metrics differ"
            );
        }
    }
}
