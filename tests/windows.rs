//! Sending windows (SPEC 7.1): each recipient held until the window opens on their own
//! clock, across daylight saving; what the window does not hold (a number's queue past
//! its close: `sent_outside_window`); the warnings when it keeps requests out of their
//! pool; local date-times as TOML and `--set` give them. Expectations are worked out here
//! from the scenario's own numbers (wall-clock arithmetic, rates, binomial laws), apart
//! from the simulator.

mod common;
use common::window::{H, Log, new_york_only, windows};
use common::{ended, run_with, scenario};
use smsim::model::EndState;
use smsim::scenario::load_str;

#[test]
fn a_window_holds_each_recipient_until_eight_on_their_own_clock() {
    // t = 0 is 06:00 in New York: 08:00 there is t = 2 h, 08:00 in Los Angeles is 11:00
    // in New York, t = 5 h. A short code sends 100 parts/s: 1,000 one-part messages take
    // 10 s, so each zone's messages leave within 10 s of its opening.
    let sc = scenario(&windows("2026-12-07 06:00", ""));
    let (o, log) = run_with(&sc, 3, Log::default());
    assert_eq!(log.held, 1000, "every request was made at 06:00, outside the window");
    assert_eq!(o.summary(&sc, 0).held_for_window, 1000);
    assert_eq!(log.sent.len(), 1000);
    let before_eight = log.sent.iter().filter(|s| s.0 < 2 * H).count();
    assert_eq!(before_eight, 0, "nothing before 08:00 Eastern");
    let eastern = log.sent.iter().filter(|s| s.0 < 2 * H + 10_000_000).count();
    let between = log.sent.iter().filter(|s| s.0 >= 2 * H + 10_000_000 && s.0 < 5 * H).count();
    let pacific = log.sent.iter().filter(|s| s.0 >= 5 * H && s.0 < 5 * H + 10_000_000).count();
    assert_eq!(between, 0, "no one waits past their own opening, and Los Angeles waits for 11:00 Eastern");
    assert_eq!(eastern + pacific, 1000);
    // Zones are drawn by share 0.5: binomial sd sqrt(1000 * 0.25) = 15.8; 5 sd is 79.
    assert!((eastern as i64 - 500).abs() < 79, "{eastern} in New York");
    // Queue wait counts from the original request: at least the 2 h hold.
    assert!(o.summary(&sc, 0).queue_wait.p50.unwrap().as_micros() >= 2 * H);
    assert_eq!(ended(&o), 1000);
}

#[test]
fn windows_and_daily_repeats_keep_local_time_across_the_spring_change() {
    // 2026-03-08 in New York is 23 hours long. A daily blast at 06:00 local (t = 0 and
    // Sunday 06:00 EDT, 23 h later) is held to 08:00 local: t = 2 h on Saturday and t = 25 h
    // (not 26 h) on Sunday. Everyone is in New York.
    let text =
        new_york_only(&windows("2026-03-07 06:00", "every = \"1d\"\nuntil = \"2026-03-08 12:00\"\nrecipients = 100\n"));
    let sc = scenario(&text);
    let (_, log) = run_with(&sc, 3, Log::default());
    let requested: Vec<u64> = log.requested.iter().map(|r| r.0).collect();
    assert_eq!(requested.iter().filter(|&&t| t == 0).count(), 100);
    assert_eq!(requested.iter().filter(|&&t| t == 23 * H).count(), 100, "06:00 EDT is 23 h after 06:00 EST");
    assert_eq!(log.held, 200);
    let first = log.sent.iter().map(|s| s.0).filter(|&t| t < 24 * H).min().unwrap();
    let second = log.sent.iter().map(|s| s.0).filter(|&t| t >= 24 * H).min().unwrap();
    assert_eq!(first, 2 * H);
    assert_eq!(second, 25 * H);
}

#[test]
fn a_window_that_never_reopens_before_the_horizon_leaves_requests_pending() {
    // Weekdays only, t = 0 on Saturday 06:00, horizon 1 day: nothing opens.
    let text = windows("2026-12-05 06:00", "recipients = 10\n")
        .replace("to = \"21:00\" }", "to = \"21:00\", days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"] }")
        .replace("horizon = \"3d\"", "horizon = \"1d\"");
    let sc = scenario(&text);
    let (o, log) = run_with(&sc, 3, Log::default());
    assert!(log.sent.is_empty());
    assert_eq!(o.metrics.count(EndState::Pending), 10);
    assert_eq!(ended(&o), 10);
}

#[test]
fn a_request_held_past_its_ttl_expires_at_the_opening_without_entering_its_pool() {
    // TTL 1 h; the window opens 2 h after the request (08:00 New York, t = 0 at 06:00).
    let text = new_york_only(&windows("2026-12-07 06:00", "recipients = 50\n"))
        .replace("kind = \"short_code\"", "kind = \"short_code\"\nttl = \"1h\"");
    let sc = scenario(&text);
    let (o, log) = run_with(&sc, 3, Log::default());
    assert_eq!(log.queued, 0, "nothing enters the pool past its TTL");
    assert!(log.sent.is_empty());
    assert_eq!(o.metrics.count(EndState::Expired), 50);
    assert_eq!(log.held, 50);
}

#[test]
fn a_date_time_written_without_quotes_or_given_to_set_reads_as_the_quoted_one() {
    // TOML reads 2026-12-07T06:00:00 (and, through --set, 2026-12-07 06:00) as a date-time
    // value, not a string: each is the same local date-time as the quoted form.
    let quoted = windows("2026-12-07 06:00", "at = \"2026-12-07 07:00\"\n");
    let run = |text: &str, sets: &[String]| {
        let sc = load_str(text, "test.toml", "test", sets).unwrap_or_else(|e| panic!("{e}"));
        let (_, log) = run_with(&sc, 3, Log::default());
        (log.requested, log.sent)
    };
    let reference = run(&quoted, &[]);
    assert_eq!(reference.0[0].0, H, "requested at 07:00, an hour after t = 0");
    let bare = quoted
        .replace("\"2026-12-07 06:00\"", "2026-12-07T06:00:00")
        .replace("\"2026-12-07 07:00\"", "2026-12-07T07:00:00");
    assert!(bare.contains("start = 2026-12-07T06:00:00") && bare.contains("at = 2026-12-07T07:00:00"));
    assert!(reference == run(&bare, &[]), "written without quotes");
    let sets = ["simulation.start=2026-12-07 06:00".to_string(), "campaign.reminders.at=2026-12-07 07:00".to_string()];
    assert!(reference == run(&windows("2026-12-01 00:00", ""), &sets), "given to --set");
    // A date-time with a UTC offset is refused, saying where the zone comes from.
    let e = load_str(&quoted.replace("\"2026-12-07 06:00\"", "2026-12-07T11:00:00Z"), "test.toml", "test", &[])
        .unwrap_err();
    assert!(e.to_string().contains("UTC offset") && e.to_string().contains("simulation.start"), "{e}");
}

#[test]
fn messages_a_queue_holds_past_the_window_are_counted_as_sent_outside_it() {
    // Everyone in New York, a five-minute window from 08:00 (t = 2 h) and one long code
    // at 1 part/s: the k-th message leaves at 2 h + k s, so 300 leave inside the window
    // and the other 700 after it closes at 2 h + 300 s. A window holds requests, not a
    // number's queue (SPEC 7.1): they are sent, and counted.
    let text = new_york_only(&windows("2026-12-07 06:00", ""))
        .replace("kind = \"short_code\"", "kind = \"ten_dlc\"")
        .replace("window = { from = \"08:00\", to = \"21:00\" }", "window = { from = \"08:00\", to = \"08:05\" }");
    let sc = scenario(&text);
    let (o, log) = run_with(&sc, 3, Log::default());
    let sent: Vec<u64> = log.sent.iter().map(|s| s.0).collect();
    assert_eq!(sent.len(), 1000);
    assert_eq!(sent.iter().min(), Some(&(2 * H)));
    let close = 2 * H + 300_000_000;
    assert_eq!(sent.iter().filter(|&&t| t >= close).count(), 700, "the k-th leaves at 2 h + k s");
    let s = o.summary(&sc, 0);
    assert_eq!(s.sent_outside_window, 700);
    assert_eq!(o.metrics.sources[0].sent_outside_window, 700);
    // run's summary says both: the last leaves at 2 h + 999 s = 2:16:39.
    let said = smsim::report::terminal::run_summary(&sc, &s, &o.metrics, std::path::Path::new("out"), &[]);
    assert!(said.contains("\n  window:   700 messages sent after their sending window closed"), "{said}");
    assert!(said.contains("\n  drain:    2:16:39.0 (from t=0 to the last requested message sent)\n"), "{said}");
    // Inside its window, nothing is counted: the same run with the whole day open.
    let open = scenario(&text.replace("to = \"08:05\"", "to = \"21:00\""));
    assert_eq!(run_with(&open, 3, Log::default()).0.summary(&open, 0).sent_outside_window, 0);
}

/// A sending window that keeps requests out of their pool warns before the run, and the
/// run agrees: not opening before the horizon leaves them pending, opening past the TTL
/// expires them, and a horizon too short after the opening leaves the rest pending.
#[test]
fn windows_that_keep_requests_out_of_their_pool_warn_and_the_run_agrees() {
    // t = 0 is 06:00 in New York: the window opens at t = 2 h there, t = 5 h in Los
    // Angeles (half the customers each, drawn by share).
    let with = |set: &[&str]| {
        let sets: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        let sc = load_str(&windows("2026-12-07 06:00", ""), "test.toml", "test", &sets).unwrap();
        let w = smsim::scenario::warnings::all(&sc).join("\n");
        let (o, _) = run_with(&sc, 3, Log::default());
        (w, o)
    };
    // Horizon 1 h: no one's window opens.
    let (w, o) = with(&["simulation.horizon=1h"]);
    assert!(
        w.contains("campaign reminders: its sending window does not open before the horizon for customers in America/New_York (50% of them) and America/Los_Angeles (50% of them): their requests stay pending"),
        "{w}"
    );
    assert_eq!(o.metrics.count(EndState::Pending), 1000);
    // Horizon 3 h: New York's opens, Los Angeles' does not; those stay pending.
    let (w, o) = with(&["simulation.horizon=3h"]);
    assert!(w.contains("before the horizon for customers in America/Los_Angeles (50% of them): their"), "{w}");
    assert!(!w.contains("America/New_York"), "{w}");
    let pending = o.metrics.count(EndState::Pending);
    assert_eq!(pending + o.metrics.count(EndState::Delivered), 1000);
    // Binomial(1000, 0.5): sd 15.8, 5 sd is 79.
    assert!((pending as i64 - 500).abs() < 79, "{pending} pending");
    // Horizon 3 h and a TTL of 2 h 30 min: Los Angeles's window opens after the horizon,
    // and its requests are past their TTL there: expired at the horizon, not pending.
    let (w, o) = with(&["simulation.horizon=3h", "number.sc.ttl=2h30m"]);
    assert!(w.contains("does not open before the horizon for customers in America/Los_Angeles (50% of them; pool sc's TTL 2h30), and the horizon is past their pool's TTL: their requests expire; move its `at`"), "{w}");
    assert!(!w.contains("stay pending"), "{w}");
    assert_eq!(o.metrics.count(EndState::Pending), 0);
    assert_eq!(o.metrics.count(EndState::Expired) + o.metrics.count(EndState::Delivered), 1000);
    // A TTL of 1 h: both windows open after it; every request expires before its pool.
    let (w, o) = with(&["number.sc.ttl=1h"]);
    assert!(w.contains("opens for customers in America/New_York (50% of them; pool sc's TTL 1h00) and America/Los_Angeles (50% of them; pool sc's TTL 1h00) only after their pool's TTL has passed: their requests expire"), "{w}");
    assert_eq!(o.metrics.count(EndState::Expired), 1000);
    // Daily blasts at 06:00 with a horizon of 49 h: the third (t = 48 h) is held until
    // 08:00 New York (t = 50 h) and 08:00 Los Angeles, past the horizon; the first two go.
    let (w, o) = with(&["simulation.horizon=49h", "campaign.reminders.every=1d"]);
    assert!(w.contains("America/New_York (50% of them, in 1 of its 3 blasts) and America/Los_Angeles (50% of them, in 1 of its 3 blasts): their requests stay pending"), "{w}");
    assert_eq!(o.metrics.count(EndState::Pending), 1000);
    assert_eq!(o.metrics.count(EndState::Delivered), 2000);
    // One 10DLC number (1 part/s): New York's ~500 go from t = 2 h, done by about 2 h
    // 8 min; Los Angeles' ~500 from 08:00 there (t = 5 h), done by about 5 h 8 min 20 s,
    // after a horizon of 5 h 5 min.
    let (w, o) = with(&["simulation.horizon=5h5m", "number.sc.kind=ten_dlc"]);
    assert!(
        w.contains("campaign reminders: its blast, held by its sending window until it opens in each zone, would be sent by about 5h08 after t=0 at 1 part/s (numbers), after the horizon (5h05): the rest stays pending"),
        "{w}"
    );
    assert!(o.metrics.count(EndState::Pending) > 0);
    // With 95% in New York, Los Angeles' ~50 take under a minute from t = 5 h: no warning,
    // and nothing is left (the whole blast counted from the last opening would need
    // 17 min and warn wrongly).
    let text = windows("2026-12-07 06:00", "")
        .replace("share = 0.5 }, {", "share = 0.95 }, {")
        .replace("share = 0.5 }]", "share = 0.05 }]");
    let sets = ["simulation.horizon=5h5m".to_string(), "number.sc.kind=ten_dlc".to_string()];
    let sc = load_str(&text, "test.toml", "test", &sets).unwrap();
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    assert!(!w.contains("would be sent by"), "{w}");
    let (o, _) = run_with(&sc, 3, Log::default());
    assert_eq!(o.metrics.count(EndState::Delivered), 1000);
    // With every window open in time and room to drain, none of these.
    let (w, o) = with(&[]);
    assert!(!w.contains("sending window"), "{w}");
    assert_eq!(o.metrics.count(EndState::Delivered), 1000);
}

/// The spend limit's warning and `check`'s campaign line count from each zone's opening
/// when a sending window holds the blast, and the run agrees.
#[test]
fn a_window_held_blast_passes_the_spend_limit_after_the_window_opens() {
    // Everyone in New York, one 10DLC number (1 part/s), t = 0 at 06:00: the window opens
    // at t = 2 h and the k-th message leaves at 2 h + k s. A limit of 300.5 messages'
    // price pays for 300: the 301st (k = 300) is refused at 2 h + 300 s. Counted from
    // t = 0 as if nothing held it, the warning said 5 min.
    let text = new_york_only(&windows("2026-12-07 06:00", "")).replace("kind = \"short_code\"", "kind = \"ten_dlc\"");
    let each = {
        let sc = scenario(&text);
        smsim::scenario::warnings::expected_price(&sc, &sc.campaigns[0].from, sc.campaigns[0].template, None)
    };
    let limit = format!("account.monthly_spend_limit_usd={}", 300.5 * each);
    let sc = load_str(&text, "test.toml", "test", &[limit]).unwrap();
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    assert!(w.contains("about 2h05 after t=0"), "{w}");
    let (o, _) = run_with(&sc, 3, Log::default());
    assert_eq!(o.summary(&sc, 0).spend_limit_hit.map(|t| t.as_micros()), Some(2 * H + 300_000_000));
    assert_eq!(o.metrics.count(EndState::Delivered), 300);
    // Starting at noon (the window open) with requests spread over an hour: they arrive
    // at 1,000 an hour, slower than the number sends, so the 301st arrives, and is
    // refused, at about 300.5 / 1,000 of the hour (1,082 s; the warning said 5 min, as if
    // all had come at once).
    let spread = new_york_only(&windows("2026-12-07 12:00", "spread = \"1h\""))
        .replace("kind = \"short_code\"", "kind = \"ten_dlc\"");
    let sc =
        load_str(&spread, "test.toml", "test", &[format!("account.monthly_spend_limit_usd={}", 300.5 * each)]).unwrap();
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    assert!(w.contains("about 18 min after t=0"), "{w}");
    let hit = run_with(&sc, 3, Log::default()).0.summary(&sc, 0).spend_limit_hit.unwrap().as_secs_f64();
    assert!((hit - 1082.0).abs() < 120.0, "{hit}");
    // check: New York's 500 from t = 2 h, Los Angeles' 500 from t = 5 h (08:00 there),
    // each at 1 part/s: all sent by 5 h + 500 s = 18,500 s.
    let both = scenario(&windows("2026-12-07 06:00", "").replace("kind = \"short_code\"", "kind = \"ten_dlc\""));
    let report = smsim::check::report(&both);
    assert!(report.contains("its sending window holds it: sent by about 18,500 s (5.14 h) after t=0"), "{report}");
    // Daily, the clause is of the first blast; starting at noon New York (09:00 in Los
    // Angeles), every window is open and nothing is held: no clause.
    let daily = load_str(&windows("2026-12-07 06:00", "every = \"1d\""), "t.toml", "t", &[]).unwrap();
    assert!(smsim::check::report(&daily).contains("its sending window holds it: its first blast sent by about"));
    let noon = scenario(&windows("2026-12-07 12:00", ""));
    assert!(!smsim::check::report(&noon).contains("its sending window holds it"));
}

/// A blast a sending window holds is kept as a description until each zone opens, one
/// event per opening (`model::world::held`), when the observer takes ends ahead (the
/// metrics alone, as `smsim run`); an observer that takes none (`--events`, this test's
/// `Log`) sees each request held on its own, as the world made them before. The two must
/// be the same run, to the last metric and event: with some zones past the horizon
/// (pending), some requests past their TTL at the opening (expired) or in the queue, and
/// a repeat that is held again while the first blast is queued.
#[test]
fn a_blast_held_as_a_description_is_the_blast_held_request_by_request() {
    use smsim::engine::{self, Scheduler};
    use smsim::model::World;
    // 06:00 New York, 10,000 customers over four zones: each zone opens at its own 08:00. A short horizon leaves zones pending; a short TTL
    // expires the later zones at their opening; a daily repeat meets queued messages.
    let base = windows("2026-12-07 06:00", "every = \"1d\"\n").replace("count = 1000\n", "count = 10000\n").replace(
        "time_zones = [{ zone = \"America/New_York\", share = 0.5 }, { zone = \"America/Los_Angeles\", share = 0.5 }]",
        "time_zones = [{ zone = \"America/New_York\", share = 0.4 }, { zone = \"America/Chicago\", share = 0.3 }, { zone = \"America/Denver\", share = 0.1 }, { zone = \"America/Los_Angeles\", share = 0.2 }]",
    );
    let cases = [
        ("the whole run", vec![]),
        ("zones pending at the horizon", vec!["simulation.horizon=3h30m".to_string()]),
        ("expired at the opening", vec!["number.sc.ttl=2h30m".to_string()]),
        ("a slow number, queued past the next blast", vec!["number.sc.kind=long_code".to_string()]),
    ];
    for (what, set) in cases {
        let sc = load_str(&base, "test.toml", "test", &set).unwrap();
        let (each, log) = run_with(&sc, 5, Log::default());
        let (together, ()) = run_with(&sc, 5, ());
        assert!(log.held > 0, "{what}: some were held");
        assert_eq!(format!("{:?}", together.metrics), format!("{:?}", each.metrics), "{what}: the same run");
        assert_eq!(together.events, each.events, "{what}: the same events");
        // The held requests were taken together (some of them may still be held at the
        // horizon).
        let mut sched = Scheduler::new();
        let mut world = World::new(&sc, 5, (smsim::metrics::Metrics::new(&sc), ()), &mut sched);
        engine::run(&mut world, &mut sched, sc.horizon, u64::MAX, |_, _, _| {});
        let together = world.held_together();
        assert!(together > 0 && together <= log.held, "{what}: {together} taken together of {} held", log.held);
    }
}

/// A number's wake due at a held group's opening instant comes between the requests held
/// before the request that asked for it and those held after (`model::world::held`):
/// one number at 0.5 parts/s with room for one part sends at 08:59:58 New York, so it is
/// free again at 09:00:00, Chicago's 08:00. A blast at 08:59:59 queues its first New York
/// request (the rest of New York is throttled) and holds Chicago's to 09:00:00. There,
/// the Chicago requests held before that New York request find its part queued and are
/// throttled; the wake sends it; the first held after it finds room. Taken together or
/// one by one, the run is the same: three delivered.
#[test]
fn a_wake_at_the_opening_comes_between_the_held_requests_as_it_did() {
    let text = r#"
[simulation]
horizon = "1h"
start = "2026-12-07 08:59:58"
time_zone = "America/New_York"
[account]
monthly_spend_limit_usd = 1000
[[carrier]]
id = "c"
share = 1
latency = "1s"
[customers]
count = 200
time_zones = [{ zone = "America/New_York", share = 0.5 }, { zone = "America/Chicago", share = 0.5 }]
[[number]]
id = "n"
kind = "ten_dlc"
mps = 0.5
queue_limit = 1
[[campaign]]
id = "first"
from = "n"
recipients = 1
body = "One."
[[campaign]]
id = "held"
from = "n"
at = "2026-12-07 08:59:59"
body = "Reminder."
window = { from = "08:00", to = "20:00" }
"#;
    let sc = scenario(text);
    let (each, log) = run_with(&sc, 1, Log::default());
    let (together, ()) = run_with(&sc, 1, ());
    // The first, New York's first, and the first Chicago request held after it.
    assert_eq!(log.sent.iter().map(|s| s.0).collect::<Vec<_>>(), [0, 2_000_000, 4_000_000]);
    assert!(log.held > 0 && log.held < 200, "{} held", log.held);
    assert_eq!(format!("{:?}", together.metrics), format!("{:?}", each.metrics));
    assert_eq!(together.metrics.count(EndState::Delivered), 3);
}

/// A campaign repeated every millisecond over two days has 172,800,000 blasts: the
/// warnings take its spend in closed form and look at an even sample of its blasts for
/// the window (a check of it took minutes and gigabytes, blast by blast). The sample's
/// share is the share of all blasts: 06:00 New York, a 08:00-21:00 window, a 3-day
/// horizon from the `windows` scenario cut to 2 days: Los Angeles's last window closes at
/// t = 42 h (21:00 Pacific on Tuesday), so blasts from then to t = 48 h (6 of 48 hours,
/// 21,600,000 blasts) never see it open again.
#[test]
fn a_repeat_every_millisecond_is_checked_from_a_sample_of_its_blasts() {
    let text = windows("2026-12-07 06:00", "every = \"1ms\"\n").replace("horizon = \"3d\"", "horizon = \"2d\"");
    let sc = scenario(&text);
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    let la = w.split("America/Los_Angeles (50% of them, in about ").nth(1).expect(&w);
    let about: u64 = la.split(' ').next().unwrap().replace(',', "").parse().unwrap();
    // An even sample of 10,000 blasts: each stands for 17,280, so the estimate is within
    // one sample's worth of the exact count.
    assert!(about.abs_diff(21_600_000) <= 17_280, "{about}");
    assert!(la.contains("of its 172,800,000 blasts"), "{w}");
    // A thousand messages a millisecond pass the $1,000,000 limit, found in closed form.
    assert!(w.contains("the spend limit ($1,000,000.00 a month, $0.00 already spent) is passed"), "{w}");
}

/// A blast that takes longer to send than its pool's TTL: the scenario warns with about
/// how many would expire before delivery, and the run agrees. One 10DLC number (1 part/s),
/// 10,000 customers. A request at fraction f of the spread leaves at fraction f of the
/// drain (with a window, from its zone's opening) and is late past its TTL. The
/// estimate is the fluid count; the run differs by whole messages and by deliveries that
/// land past the TTL (a second's latency at one message a second): 1% of the blast, 100
/// messages, is ample and still fails a count off by a tenth.
#[test]
fn a_blast_slower_than_its_ttl_warns_of_its_expiries_and_the_run_agrees() {
    let about = |w: &str| -> u64 {
        let head =
            w.split(" of its messages would expire before delivery").next().filter(|h| h.len() < w.len()).expect(w);
        head.rsplit("about ").next().unwrap().replace(',', "").parse().expect(w)
    };
    let base = new_york_only(&windows("2026-12-07 06:00", "")).replace("count = 1000\n", "count = 10000\n");
    let no_window = base.replace("window = { from = \"08:00\", to = \"21:00\" }\n", "");
    let cases = [
        // Held to 08:00 (t = 2 h), then 10,000 s at 1/s; TTL 2 h 30 min from t = 0: 1,800
        // go, 8,200 expire.
        ("a window, no spread", base.clone(), vec!["number.sc.ttl=2h30m"], 8_200),
        // No window, spread over 30 min: late when f (10,000 - 1,800) > 3,600, so 56.1%.
        ("no window, a spread", no_window.clone(), vec!["number.sc.ttl=1h", "campaign.reminders.spread=30m"], 5_610),
        // No window, no spread: 1 - 3,600 / 10,000.
        ("no window, no spread", no_window, vec!["number.sc.ttl=1h"], 6_400),
    ];
    for (what, text, set, expect) in cases {
        let mut sets: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        sets.push("number.sc.kind=ten_dlc".into());
        let sc = load_str(&text, "test.toml", "test", &sets).unwrap();
        let w = smsim::scenario::warnings::all(&sc).join("\n");
        let estimate = about(&w);
        assert!(estimate.abs_diff(expect) <= 1, "{what}: {estimate} against {expect}: {w}");
        let (o, _) = run_with(&sc, 3, Log::default());
        let expired = o.metrics.count(EndState::Expired);
        assert!(
            expired.abs_diff(estimate) <= 100,
            "{what}: the run expired {expired}, the warning said about {estimate}"
        );
    }
    // Room to drain within the TTL: no such warning.
    let sc = load_str(&base, "test.toml", "test", &["number.sc.kind=ten_dlc".to_string()]).unwrap();
    let w = smsim::scenario::warnings::all(&sc).join("\n");
    assert!(!w.contains("would expire before delivery"), "{w}");
}

/// `EST` is a legal IANA name, but a fixed UTC-05:00 all year: a planner who writes it for
/// New York's clock is an hour off from March to November. The scenario says so.
#[test]
fn a_fixed_offset_legacy_zone_warns() {
    let text = windows("2026-07-06 06:00", "").replace("zone = \"America/New_York\"", "zone = \"EST\"");
    let w = smsim::scenario::warnings::all(&scenario(&text)).join("\n");
    assert!(w.contains("time zone EST is a fixed UTC-05:00 all year, with no daylight saving; for a place's local time name its zone (\"America/New_York\")"), "{w}");
    let w = smsim::scenario::warnings::all(&scenario(&windows("2026-07-06 06:00", ""))).join("\n");
    assert!(!w.contains("fixed UTC"), "{w}");
}
