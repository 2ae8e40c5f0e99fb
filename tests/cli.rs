//! The binary run as a user runs it: bad input gives exit 1 and one line naming the
//! file, line, column and key; usage errors exit 2; good input works.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const GOOD: &str = r#"[simulation]
horizon = "1h"

[[number]]
id = "lc"
kind = "long_code"
count = 2

[[carrier]]
id = "att"
share = 0.5

[[carrier]]
id = "tmo"
share = 0.5

[customers]
count = 10

[[campaign]]
id = "c"
from = "lc"
body = "Hello"
"#;

fn smsim() -> Command {
    Command::cargo_bin("smsim").expect("binary built")
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("x.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Run `check` on `text` (GOOD with `from` replaced by `to`) and return stderr, asserting
/// exit 1, a single line, and the `file:line:col:` prefix at the line holding `marker`.
fn bad(from: &str, to: &str, marker: &str, key: &str) -> String {
    assert!(GOOD.contains(from) || from.is_empty(), "fixture lacks {from:?}");
    let text = if from.is_empty() { format!("{GOOD}{to}") } else { GOOD.replacen(from, to, 1) };
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &text);
    let out = smsim().arg("check").arg(&path).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "exit status for {to:?}: {err}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    let line = text.lines().position(|l| l.contains(marker)).expect("marker in text") + 1;
    let prefix = format!("error: {}:{line}:", path.display());
    assert!(err.starts_with(&prefix), "expected {prefix}... got: {err}");
    assert!(err.contains(key), "message names {key:?}: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
    err
}

#[test]
fn unknown_key_names_key_and_alternatives() {
    let e = bad("count = 2", "mpss = 2", "mpss", "number.lc.mpss");
    assert!(e.contains("unknown field") && e.contains("expected one of"), "{e}");
}

#[test]
fn negative_duration() {
    bad("horizon = \"1h\"", "horizon = \"-5m\"", "horizon", "simulation.horizon");
}

#[test]
fn an_empty_body_is_an_error_at_its_line() {
    let e = bad("body = \"Hello\"", "body = \"\"", "body = \"\"", "campaign.c.body: body is empty");
    assert!(e.contains("providers refuse a message with no text"), "{e}");
}

#[test]
fn bad_duration_unit() {
    bad("horizon = \"1h\"", "horizon = \"1 fortnight\"", "horizon", "simulation.horizon");
}

#[test]
fn probability_outside_unit_interval() {
    let e = bad("count = 10", "count = 10\nunreachable = 1.5", "unreachable", "customers.unreachable");
    assert!(e.contains("[0, 1]"), "{e}");
}

#[test]
fn shares_not_summing_to_one() {
    let e = bad("share = 0.5\n\n[customers]", "share = 0.4\n\n[customers]", "share = 0.5", "carrier.att.share");
    assert!(e.contains("sum to 0.9"), "{e}");
}

#[test]
fn duplicate_id() {
    bad("id = \"tmo\"", "id = \"att\" # again", "# again", "id \"att\" is used twice");
}

#[test]
fn reference_to_missing_number() {
    let e = bad("from = \"lc\"", "from = \"sc\"", "from = ", "campaign.c.from");
    assert!(e.contains("no [[number]] with id \"sc\""), "{e}");
}

#[test]
fn reference_to_missing_carrier_in_limit() {
    bad(
        "count = 2\n",
        "count = 2\n[[number.carrier_limit]]\ncarrier = \"vz\"\nmps = 1\n",
        "carrier = \"vz\"",
        "number.lc.carrier_limit[0].carrier",
    );
}

#[test]
fn sender_id_cannot_be_two_way() {
    bad("kind = \"long_code\"", "kind = \"sender_id\"\ntwo_way = true", "two_way", "number.lc.two_way");
}

#[test]
fn wrong_kind_is_rejected() {
    bad("kind = \"long_code\"", "kind = \"longcode\"", "kind =", "number.lc.kind");
}

#[test]
fn template_over_ten_parts() {
    let long = "x".repeat(1531);
    bad("body = \"Hello\"", &format!("body = \"{long}\""), "body =", "campaign.c.body");
}

#[test]
fn reply_probabilities_over_one() {
    bad(
        "body = \"Hello\"",
        "body = \"Hello\"\nreplies = [\n { body = \"1\", p = 0.7, after = \"1m\" },\n { body = \"2\", p = 0.6, after = \"1m\" },\n]",
        "replies",
        "campaign.c.replies",
    );
}

#[test]
fn bad_distribution() {
    bad(
        "share = 0.5\n\n[[carrier]]",
        "share = 0.5\nlatency = { dist = \"lognormal\", median = \"2s\" }\n\n[[carrier]]",
        "lognormal",
        "needs \"sigma\"",
    );
}

#[test]
fn missing_required_key() {
    bad("horizon = \"1h\"\n", "", "[simulation]", "missing field");
}

#[test]
fn toml_syntax_error() {
    bad("count = 10", "count = = 10", "count = =", "");
}

#[test]
fn bad_set_names_the_override() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), GOOD);
    let out = smsim().args(["check"]).arg(&path).args(["--set", "number.nope.count=3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--set number.nope.count=3") && err.contains("no [[number]] with id \"nope\""), "{err}");
    let out = smsim().args(["check"]).arg(&path).args(["--set", "number.lc.mps=0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--set number.lc.mps=0") && err.contains("at least"), "{err}");
}

#[test]
fn missing_file_is_exit_1() {
    let out = smsim().args(["run", "no/such/file.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("no/such/file.toml"));
}

#[test]
fn usage_errors_are_exit_2() {
    smsim().args(["run"]).assert().code(2);
    smsim().args(["frobnicate"]).assert().code(2);
    smsim().args(["run", "x.toml", "--seed", "minus-one"]).assert().code(2);
    smsim().args(["--help"]).assert().code(0);
    // A --set without PATH=VALUE's shape, under every command that takes one.
    for cmd in ["run", "check", "compare", "sweep"] {
        let out =
            smsim().args([cmd, "scenarios/dental-appointments.toml", "--set", "number.lc.count"]).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(err.contains("--set number.lc.count: expected PATH="), "{cmd}: {err}");
    }
}

#[test]
fn segments_json() {
    let out = smsim().args(["segments", "--json", "Hello €"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"encoding\":\"GSM-7\",\"characters\":7,\"units\":8,\"parts\":1}\n"
    );
    let out = smsim().args(["segments", "--json"]).write_stdin("ça va\n").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"encoding\":\"UCS-2\",\"characters\":5,\"units\":5,\"parts\":1}\n"
    );
}

#[test]
fn check_prints_drain_time_and_utilisation() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), GOOD);
    let out = smsim().arg("check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    // 10 single-part messages over 2 numbers at 1 MPS: 5 s.
    assert!(s.contains("drain 5.000 s at 2.00 parts/s"), "{s}");
    assert!(s.contains("utilisation"), "{s}");
    // The blast has no spread: a burst of 10 parts, 5 s at the pool's 2 parts/s.
    assert!(s.contains("campaign c's blast without spread: about 10 parts, at capacity for about 5.000 s\n"), "{s}");
    // Repeated every 10 s, two campaigns: each its own, with its period.
    let text = format!(
        "{GOOD}every = \"10s\"\n[[campaign]]\nid = \"d\"\nfrom = \"lc\"\nbody = \"Hi\"\nrecipients = 4\nat = \"40m\"\n"
    );
    let path = write(dir.path(), &text);
    let s = String::from_utf8(smsim().arg("check").arg(&path).output().unwrap().stdout).unwrap();
    assert!(
        s.contains("; campaign c's blast without spread: about 10 parts, at capacity for about 5.000 s, every 10.000 s; campaign d's blast without spread: about 4 parts, at capacity for about 2.000 s\n"),
        "{s}"
    );
}

/// What `smsim check` prints for shipped scenario `name` with `args`; it must pass.
fn check_shipped(name: &str, args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = smsim().arg("check").arg(root.join("scenarios").join(name)).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_shows_fixed_costs_to_the_cent() {
    let s = check_shipped("long-vs-short-code.toml", &[]);
    // Ten 10DLC numbers at $1 a month and the pool's $10 monthly fee, over 48 hours of a
    // 30-day month: $20 x 48 / 720 = $1.3333..., shown as people read money; setup $44.
    let fees = 20.0 * 48.0 / 720.0;
    let line = format!("fixed costs over the horizon: leases and monthly fees ${fees:.2}, setup $44.00");
    assert!(s.contains(&line), "{s}");
    // Its two variants, named apart from the base (compare counts three columns).
    assert!(s.ends_with("variants besides the base (all valid): toll_free, short_code\n"), "{s}");
}

#[test]
fn check_prices_a_one_way_sender_id_by_its_countries_with_no_inbound() {
    // The price to country `c` that check's customers' line gives.
    let price_to = |s: &str, c: &str| {
        let line = s.lines().find(|l| l.contains(&format!("country {c}"))).unwrap();
        line.rsplit("at ").next().unwrap().trim_end_matches("/part").to_string()
    };
    let s = check_shipped("international-senders.toml", &[]);
    let lines: Vec<&str> = s.lines().collect();
    let after = |head: &str| lines[lines.iter().position(|l| l.starts_with(head)).unwrap() + 1];
    // The sender ID pool sends to GB only, at GB's price, and takes no replies; the 10DLC
    // pool is two-way at one price both ways.
    let gb = price_to(&s, "GB");
    assert_eq!(gb, "$0.04", "{s}");
    assert!(after("  alpha:").starts_with(&format!("      price {gb}/part out, no inbound (one-way);")), "{s}");
    assert!(after("  us:").starts_with("      price $0.00581/part out, $0.00581/part in;"), "{s}");
    // Sent to India too (the scenario's india_route variant): each country at its price.
    let s = check_shipped("international-senders.toml", &["--set", "number.alpha.countries=[\"GB\", \"IN\"]"]);
    let (gb, india) = (price_to(&s, "GB"), price_to(&s, "IN"));
    assert_ne!(gb, india, "{s}");
    assert!(s.contains(&format!("      price (GB {gb}, IN {india})/part out, no inbound (one-way);")), "{s}");
}

#[test]
fn run_writes_outputs_and_is_byte_identical_per_seed() {
    // Every shipped scenario, run twice with one seed and once with another.
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 3);
    for (k, scenario) in scenarios.iter().enumerate() {
        let run = |out: &str, seed: &str| {
            let o = dir.path().join(format!("{k}-{out}"));
            smsim()
                .arg("run")
                .arg(scenario)
                .args(["--seed", seed, "--events", "--quiet", "--out"])
                .arg(&o)
                .assert()
                .success();
            o
        };
        let (a, b, c) = (run("a", "3"), run("b", "3"), run("c", "4"));
        for f in ["summary.csv", "timeseries.csv", "outcomes.csv", "events.csv", "inbound.jsonl"] {
            let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
            assert!(x == y, "{}: {f} differs between two runs of seed 3", scenario.display());
        }
        let summary_a = std::fs::read_to_string(a.join("summary.csv")).unwrap();
        let summary_c = std::fs::read_to_string(c.join("summary.csv")).unwrap();
        assert_ne!(summary_a, summary_c, "{}: another seed, another summary", scenario.display());
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
        assert_eq!(json["seed"], 3);
        assert!(json["events"].as_u64().unwrap() > 0);
    }
}

#[test]
fn output_pipe_closed_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), GOOD);
    // `check` output read by nobody: no panic, no message.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("smsim"))
        .arg("check")
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn absurd_money_is_refused_not_wrapped() {
    let e = bad(
        "count = 2",
        "count = 2\nprice_per_part_usd = 5000000000000",
        "price_per_part_usd",
        "number.lc.price_per_part_usd",
    );
    assert!(e.contains("largest supported"), "{e}");
}

#[test]
fn tiny_rates_are_refused() {
    bad("count = 2", "count = 2\nmps = 1e-15", "mps =", "number.lc.mps");
}

#[test]
fn repeats_may_not_overlap_their_spread() {
    bad("body = \"Hello\"", "body = \"Hello\"\nspread = \"10s\"\nevery = \"5s\"", "every", "campaign.c.every");
}

#[test]
fn two_mps_limits_toward_one_carrier_are_refused() {
    bad(
        "count = 2\n",
        "count = 2\n[[number.carrier_limit]]\ncarrier = \"att\"\nmps = 1\n[[number.carrier_limit]]\ncarrier = \"att\"\nmps = 2 # second\n",
        "# second",
        "number.lc.carrier_limit[1].mps",
    );
}

#[test]
fn output_folder_name_cannot_escape() {
    bad("horizon = \"1h\"", "horizon = \"1h\"\nname = \"../../etc\"", "name =", "simulation.name");
}

#[test]
fn a_keyword_declared_twice_on_a_number_is_refused() {
    bad(
        "",
        "[[keyword]]\nnumber = \"lc\"\nword = \"info\"\nbody = \"a\"\n[[keyword]]\nnumber = \"lc\"\nword = \"INFO\" # twice\nbody = \"b\"\n",
        "# twice",
        "keyword[1].word",
    );
}

#[test]
fn check_predicts_the_md1_mean_wait() {
    let text = "[simulation]\nhorizon = 1000\n[[number]]\nid = \"lc\"\nkind = \"long_code\"\n[[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 100\n[[traffic]]\nid = \"t\"\nfrom = \"lc\"\nbody = \"x\"\nrate = 0.8\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), text);
    let out = smsim().arg("check").arg(&path).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("mean wait before transmission 2.000 s (M/D/1, Pollaczek-Khinchine)"), "{s}");
    let out = smsim()
        .arg("check")
        .arg(&path)
        .args(["--set", "number.lc.count=3", "--set", "traffic.t.rate=2.4"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    // Erlang C(3, 2.4) = 0.6472; M/M/3 wait 0.6472 / 0.6 = 1.0787 s; half for D: 0.539 s.
    assert!(s.contains("mean wait before transmission 0.539 s (M/D/3 shared queue, Allen-Cunneen"), "{s}");
}

#[test]
fn output_headers_are_the_contracts_and_no_progress_leaks_without_a_terminal() {
    // SPEC 5's columns, copied from the contract: names and order are promises (new
    // columns may only follow them).
    const SUMMARY: &str = "scenario,variant,seed,replication,\
        requested,parts_sent,delivered,failed,unreachable,expired,throttled,blocked_opt_out,blocked_spend_limit,blocked_daily_cap,pending,\
        inbound,inbound_keyword,inbound_dropped,opt_outs,auto_responses,\
        published,subscriber_delivered,subscriber_retries,subscriber_dead_lettered,subscriber_dropped,subscriber_pending,\
        queue_wait_mean_s,queue_wait_p50_s,queue_wait_p95_s,queue_wait_p99_s,queue_wait_max_s,\
        latency_mean_s,latency_p50_s,latency_p95_s,latency_p99_s,latency_max_s,\
        cost_messages_usd,cost_carrier_fees_usd,cost_inbound_usd,cost_leases_usd,cost_setup_usd,cost_total_usd,cost_per_delivered_usd,\
        spend_limit_hit_s,events";
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dental-appointments.toml");
    let out = dir.path().join("o");
    let o = smsim().arg("run").arg(&scenario).args(["--events", "--out"]).arg(&out).output().unwrap();
    assert!(o.status.success());
    // Not a terminal and no --quiet: still nothing on standard error.
    assert!(o.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let header = |f: &str| std::fs::read_to_string(out.join(f)).unwrap().lines().next().unwrap().to_string();
    assert!(header("summary.csv").starts_with(SUMMARY), "{}", header("summary.csv"));
    assert_eq!(
        header("timeseries.csv"),
        "t_s,scope,queue_depth,sent_parts,delivered,failed,inbound,spend_usd,variant,unreachable,expired,blocked"
    );
    // The contract's columns first; Part II's after them (SPEC 8: cost_per_outcome_usd).
    assert_eq!(header("outcomes.csv"), "outcome,count,p50_s,p95_s,variant,cost_per_outcome_usd");
    assert!(header("events.csv").starts_with("t_s,message_id,direction,event,number,customer,carrier,parts,cost_usd"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    for key in ["version", "scenario", "seed", "replications", "wall_seconds", "events", "events_per_second"] {
        assert!(json.get(key).is_some(), "run.json has {key}");
    }
}

/// A TOML syntax error, a duplicate key and a table defined twice name what is at their
/// line; a single `[number]` for `[[number]]` gets a hint.
#[test]
fn parse_errors_name_the_key_of_their_line() {
    bad(
        "horizon = \"1h\"",
        "horizon = \"1h\"\nhorizon = \"2h\"",
        "horizon = \"2h\"",
        "simulation.horizon: duplicate key",
    );
    bad("count = 2", "count = 2 2", "count = 2 2", "number.count: ");
    // A second [customers] header, at the file's last line but one.
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{GOOD}\n[customers]\ncount = 3\n");
    let path = write(dir.path(), &text);
    let out = smsim().arg("check").arg(&path).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let line = text.lines().count() - 1;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err, format!("error: {}:{line}:2: [customers]: a table defined twice\n", path.display()));
    let err = bad("[[number]]", "[number]", "[number]", "number: invalid type: map, expected a sequence");
    assert!(err.contains("write each entry's header as [[number]]"), "{err}");
    let err = bad("count = 2", "count = \"two\"", "count = \"two\"", "number.lc.count: ");
    assert!(err.contains("expected a whole number (0 or more)"), "{err}");
}

/// `run --replications` writes its figures as a plain run does: counts with separators,
/// money in dollars and cents; and says when the spend limit refused messages.
#[test]
fn replications_read_like_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = |text: &str| {
        let path = write(dir.path(), text);
        let out = smsim()
            .args(["run", "--replications", "3", "--quiet", "--out"])
            .arg(dir.path().join("o"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    // 2,000 texts against the default $1 limit: it refuses most, in every replication.
    let limited = run(&GOOD.replace("count = 10", "count = 2000"));
    assert!(
        limited.contains("  note: the $1.00 monthly spend limit refused messages in 3 of 3 replications:"),
        "{limited}"
    );
    let text = run(&GOOD
        .replace("count = 10", "count = 2000")
        .replace("[[number]]", "[account]\nmonthly_spend_limit_usd = 100000\n\n[[number]]"));
    assert!(!text.contains("note:"), "{text}");
    let line =
        |label: &str| text.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("{text}"));
    // A thousands separator: a digit, a comma, three digits (about 1,980 of 2,000 delivered).
    let separated = |l: &str| {
        l.as_bytes().windows(5).any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2..].iter().all(u8::is_ascii_digit))
    };
    assert!(line("delivered").contains("(95% CI ") && separated(line("delivered")), "{text}");
    assert!(line("total cost").contains(" $") && line("total cost").contains("to $"), "{text}");
    assert!(line("latency p95").contains(" s  (95% CI "), "{text}");
}

/// An output folder that cannot be made is named as the user gave it, not by the staging
/// folder beside it.
#[cfg(target_os = "linux")]
#[test]
fn an_output_folder_that_cannot_be_made_is_named_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), GOOD);
    // Nothing can make a folder in /proc, root included.
    let out = smsim().args(["run", "--quiet", "--out", "/proc/smsim-cannot-be-here"]).arg(&path).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: /proc/smsim-cannot-be-here: cannot create the output folder: "), "{err}");
    assert!(!err.contains("smsim-tmp") && err.trim_end().lines().count() == 1, "{err}");
}

/// A run's summary counts the requests no pool could take among its messages' end states,
/// and prints no `calendar:` or `requests:` line for them (a scenario without a calendar
/// holds nothing for a window).
#[test]
fn unroutable_requests_are_counted_once() {
    let text = "[simulation]\nhorizon = \"1h\"\n[[number]]\nid = \"lc\"\nkind = \"ten_dlc\"\n\
                [[carrier]]\nid = \"att\"\nshare = 1\n\
                [[country]]\nid = \"US\"\nshare = 0.5\ncarriers = [\"att\"]\n\
                [[country]]\nid = \"GB\"\nshare = 0.5\ncarriers = [\"att\"]\n\
                [customers]\ncount = 200\n[[campaign]]\nid = \"c\"\nfrom = \"lc\"\nbody = \"Hello\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), text);
    let out = smsim().args(["run", "--quiet", "--out"]).arg(dir.path().join("o")).arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = std::fs::read_to_string(dir.path().join("o/summary.csv")).unwrap();
    let (head, row) = summary.split_once('\n').unwrap();
    let col = head.split(',').position(|h| h == "unroutable").unwrap();
    let n: u64 = row.split(',').nth(col).unwrap().parse().unwrap();
    assert!(n > 50, "about half of 200 customers are in GB: {n}");
    assert_eq!(stdout.matches("unroutable").count(), 1, "{stdout}");
    assert!(stdout.contains(&format!(", {n} unroutable\n")), "{stdout}");
    assert!(!stdout.contains("calendar:") && !stdout.contains("requests:"), "{stdout}");
}
