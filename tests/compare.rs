//! `compare` on the long-versus-short-code blast: the short code drains fastest and costs
//! most; carrier fees follow the kind; the same customers are delivered in every variant.

mod common;
use smsim::model::{EndState, Obs, ObsKind, Observer};
use smsim::run::simulate;
use smsim::scenario::{Money, load_all};
use std::collections::BTreeSet;
use std::path::Path;

/// Delivered customers, and parts transmitted per carrier.
#[derive(Default)]
struct Watch {
    delivered: BTreeSet<u32>,
    parts_by_carrier: Vec<u64>,
}
impl Observer for Watch {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            ObsKind::End { state: EndState::Delivered, .. } => {
                self.delivered.insert(o.customer);
            }
            ObsKind::Transmitted => {
                let c = o.carrier as usize;
                if self.parts_by_carrier.len() <= c {
                    self.parts_by_carrier.resize(c + 1, 0);
                }
                self.parts_by_carrier[c] += o.parts as u64;
            }
            _ => {}
        }
    }
}

#[test]
fn short_code_drains_fastest_costs_most_and_customers_are_paired() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/long-vs-short-code.toml");
    let all = load_all(&path, &[]).unwrap();
    assert_eq!(all.iter().map(|s| s.variant.as_str()).collect::<Vec<_>>(), ["base", "toll_free", "short_code"]);
    let seed = all[0].seed;
    let runs: Vec<_> = all.iter().map(|sc| (sc, simulate(sc, seed, Watch::default(), |_| {}))).collect();

    let drain = |i: usize| runs[i].1.0.metrics.last_transmit.unwrap();
    let total = |i: usize| smsim::sms::price::total(&smsim::metrics::summary::costs(runs[i].0, &runs[i].1.0.metrics));
    let sc = runs.iter().position(|(s, _)| s.variant == "short_code").unwrap();
    for (i, (s, _)) in runs.iter().enumerate().filter(|&(i, _)| i != sc) {
        assert!(drain(sc) < drain(i), "short code drains before {}", s.variant);
        assert!(total(sc) > total(i), "short code costs more than {}", s.variant);
    }
    // The short code's 100 parts/s drain 50,000 single-part texts in (50,000 - 1) / 100 s.
    assert_eq!(drain(sc).to_string(), "499.990000");

    // Carrier fees: parts to each carrier times that carrier's fee for the pool's kind.
    for (s, (o, w)) in &runs {
        let kind = s.pools[0].kind;
        let expect: i64 = w
            .parts_by_carrier
            .iter()
            .enumerate()
            .map(|(c, &p)| p as i64 * s.carriers[c].fee_per_part[kind].micros())
            .sum();
        assert_eq!(o.metrics.cost_carrier_fees, Money(expect), "{}", s.variant);
    }
    let fees: Vec<i64> = runs.iter().map(|(_, (o, _))| o.metrics.cost_carrier_fees.micros()).collect();
    assert!(fees[1] < fees[0] && fees[0] < fees[2], "toll-free < 10DLC (the base) < short code fees: {fees:?}");

    // Common random numbers: the very same customers are delivered in every variant.
    let base = &runs[0].1.1.delivered;
    assert!(base.len() > 49_000);
    for (s, (_, w)) in &runs[1..] {
        assert_eq!(&w.delivered, base, "{}", s.variant);
    }
}

#[test]
fn a_bad_variant_value_is_located_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/long-vs-short-code.toml"))
        .unwrap()
        .replace("\"number.pool.count\" = 3 }", "\"number.pool.count\" = 0 }");
    let p = dir.path().join("v.toml");
    std::fs::write(&p, &text).unwrap();
    let err = load_all(&p, &[]).unwrap_err().to_string();
    let line = text.lines().position(|l| l.contains("\"number.pool.count\" = 0")).unwrap() + 1;
    assert!(err.starts_with(&format!("{}:{line}:", p.display())), "{err}");
    assert!(err.contains("variant \"toll_free\"") && err.contains("number.pool.count"), "{err}");
}

#[test]
fn the_table_names_every_end_state_that_happened_with_thousands_separators() {
    let tmp = tempfile::tempdir().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-limits.toml");
    let out = assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .arg("compare")
        .arg(&path)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |label: &str| text.lines().find(|l| l.split("  ").next() == Some(label)).map(str::to_string);
    // block_charged refuses T-Mobile's customers over the cap: the row is there, in both
    // columns, and counts carry separators.
    let blocked = row("blocked_daily_cap").unwrap_or_else(|| panic!("no blocked_daily_cap row:\n{text}"));
    assert!(blocked.trim_end().ends_with("1,130") && blocked.contains(" 0 "), "{blocked}");
    assert!(row("delivered").unwrap().contains("9,000"), "{text}");
    assert!(row("expired").is_none(), "no row for a state that never happened:\n{text}");
    assert!(row("campaign:billing drain from its start").is_some(), "{text}");
}

fn compare_text(scenario: &str) -> (String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .args(["compare", scenario, "--quiet", "--no-charts", "--no-report", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), std::fs::read_to_string(tmp.path().join("summary.csv")).unwrap())
}

/// The values of `column` in `summary.csv`, by row.
fn values(summary: &str, column: &str) -> Vec<String> {
    let head: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let at = head.iter().position(|h| *h == column).unwrap();
    summary.lines().skip(1).map(|l| l.split(',').nth(at).unwrap().to_string()).collect()
}

#[test]
fn the_table_shows_subscriber_results_when_they_differ_and_expired_messages() {
    // The outage scenario: the base drops what the variant dead-letters.
    let (text, summary) = compare_text("scenarios/carrier-and-webhook-outage.toml");
    let row = |label: &str| text.lines().find(|l| l.starts_with(label)).map(str::to_string);
    for (label, column) in
        [("subscriber dead-lettered", "subscriber_dead_lettered"), ("subscriber dropped", "subscriber_dropped")]
    {
        let r = row(label).unwrap_or_else(|| panic!("no {label} row:\n{text}"));
        let shown: Vec<String> = r[label.len()..].split_whitespace().map(|c| c.replace(',', "")).collect();
        assert_eq!(shown, values(&summary, column), "{r}");
    }
    // A blast that outlives its TTL: expired, with its count.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ttl.toml");
    std::fs::write(
        &file,
        "[simulation]\nhorizon = \"2h\"\n[account]\nmonthly_spend_limit_usd = 1000\n[[carrier]]\nid = \"c\"\nshare = 1\n\
         [customers]\ncount = 5000\n[[number]]\nid = \"p\"\nkind = \"ten_dlc\"\ncount = 1\nttl = \"10m\"\n\
         [[campaign]]\nid = \"b\"\nfrom = \"p\"\nbody = \"hi\"\n[[variant]]\nname = \"more\"\nset = { \"number.p.count\" = 5 }\n",
    )
    .unwrap();
    let (text, summary) = compare_text(file.to_str().unwrap());
    let expired = text.lines().find(|l| l.starts_with("expired")).unwrap_or_else(|| panic!("no expired row:\n{text}"));
    let shown: Vec<String> = expired["expired".len()..].split_whitespace().map(|c| c.replace(',', "")).collect();
    assert_eq!(shown, values(&summary, "expired"));
    // One number sends about 600 in its 10-minute TTL and 5 about 3,000: the rest expire
    // (a few more, sent just inside the TTL but delivered after it, expire at the carrier).
    let n: Vec<u64> = shown.iter().map(|x| x.parse().unwrap()).collect();
    assert!((4_399..4_450).contains(&n[0]) && (1_995..2_050).contains(&n[1]), "{n:?}");
}

#[test]
fn a_weekly_repeat_with_a_one_week_horizon_is_one_blast() {
    let text = "[simulation]\nhorizon = \"7d\"\n[account]\nmonthly_spend_limit_usd = 1000\n[[carrier]]\nid = \"c\"\nshare = 1\n\
                [customers]\ncount = 100\n[[number]]\nid = \"p\"\nkind = \"short_code\"\n\
                [[campaign]]\nid = \"weekly\"\nfrom = \"p\"\nbody = \"hi\"\nevery = \"7d\"\n";
    let sc = common::scenario(text);
    assert_eq!(sc.campaign_starts(&sc.campaigns[0]).count(), 1);
    assert_eq!(common::run(&sc, 1).metrics.requested, 100, "no second blast at the horizon");
    // A day longer, and the repeat at day 7 happens.
    let sc = common::scenario(&text.replace("\"7d\"\n[account]", "\"8d\"\n[account]"));
    assert_eq!(common::run(&sc, 1).metrics.requested, 200);
}
