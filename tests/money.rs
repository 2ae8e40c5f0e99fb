//! Money as planners account for it (SPEC 8): smart encoding against an independent table
//! of replacements, in templates and in `smsim segments --smart`.

mod common;
use common::scenario;

/// Replacements written here apart from the simulator's table (the common ones providers
/// document: curly quotes, dashes, the ellipsis, the no-break space).
const REPLACED: [(char, &str); 8] = [
    ('\u{2018}', "'"),
    ('\u{2019}', "'"),
    ('\u{201C}', "\""),
    ('\u{201D}', "\""),
    ('\u{2013}', "-"),
    ('\u{2014}', "-"),
    ('\u{2026}', "..."),
    ('\u{00A0}', " "),
];

/// GSM-7 parts of a text of `n` basic-table characters: 1 up to 160, else 153 a part.
fn gsm7_parts(n: usize) -> u32 {
    if n <= 160 { 1 } else { n.div_ceil(153) as u32 }
}

#[test]
fn smart_encoding_turns_curly_quotes_and_dashes_back_into_gsm7() {
    // 150 characters of ASCII with each replaced character in it: UCS-2 without smart
    // encoding (units = characters, 67 a part), GSM-7 with it.
    for (c, r) in REPLACED {
        let body = format!("Reminder{c}{}", "x".repeat(141));
        let plain_len = body.chars().count();
        let replaced: String = body.chars().map(|x| if x == c { r.to_string() } else { x.to_string() }).collect();
        let text = |smart: bool| {
            format!(
                "[simulation]\nhorizon = \"1h\"\n[[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 1\n\
                 [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\n\
                 [[campaign]]\nid = \"x\"\nfrom = \"p\"\nsmart_encoding = {smart}\nbody = \"{}\"\n",
                body.replace('"', "\\\"")
            )
        };
        let without = scenario(&text(false));
        assert_eq!(without.templates[0].parts, plain_len.div_ceil(67) as u32, "{c:?} forces UCS-2");
        let with = scenario(&text(true));
        assert_eq!(with.templates[0].parts, gsm7_parts(replaced.chars().count()), "{c:?} smart");
        assert_eq!(with.templates[0].body, replaced);
        assert_eq!(with.templates[0].encoding.name(), "GSM-7");
    }
}

#[test]
fn segments_smart_names_what_forces_ucs2_and_json_stays_the_contract() {
    let run = |args: &[&str]| {
        let o = assert_cmd::Command::cargo_bin("smsim").unwrap().arg("segments").args(args).output().unwrap();
        assert!(o.status.success());
        (String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
    };
    let text = "It\u{2019}s \u{201C}fine\u{201D} \u{1F642}";
    let (plain, _) = run(&[text]);
    assert!(plain.contains("forces UCS-2: \u{2019} (U+2019, smart-encodable) at 3"), "{plain}");
    assert!(plain.contains("\u{1F642} (U+1F642) at 13"), "{plain}");
    let (smart, _) = run(&["--smart", text]);
    assert!(smart.contains("smart encoding replaced 3 character(s)"), "{smart}");
    assert!(smart.contains("sent as: It's \"fine\" \u{1F642}\n"), "{smart}");
    assert!(smart.contains("forces UCS-2: \u{1F642} (U+1F642) at 13") && !smart.contains("U+2019"), "{smart}");
    let (json, err) = run(&["--smart", "--json", "It\u{2019}s \u{201C}fine\u{201D}"]);
    assert_eq!(json, "{\"encoding\":\"GSM-7\",\"characters\":11,\"units\":11,\"parts\":1}\n");
    assert!(err.is_empty());
}

/// A summary row with what the break-even reads: fixed monthly cost, charged cost over
/// the horizon, requests, and the run rate for `months` horizons a month.
fn row(variant: &str, fixed_usd: i64, charged_usd_micros: i64, requested: u64, months: i64) -> smsim::metrics::Summary {
    use smsim::sms::{Money, price::CostPart};
    let mut s = smsim::metrics::Summary { variant: variant.into(), requested, ..Default::default() };
    s.costs[CostPart::Messages] = Money(charged_usd_micros);
    s.cost_monthly_fixed = Money(fixed_usd * 1_000_000);
    s.cost_monthly_run_rate = Money(fixed_usd * 1_000_000 + months * charged_usd_micros);
    s
}

#[test]
fn break_even_is_where_the_two_monthly_cost_lines_cross() {
    use smsim::report::terminal::break_even;
    // Base: $24 a month fixed, $0.01 a request; 100 requests per horizon, 15 horizons a
    // month (1,500 requests a month). Cheap: $1,024 fixed, $0.005 a request: the lines
    // 24 + 0.01 q and 1024 + 0.005 q cross at q = 1000 / 0.005 = 200,000.
    let rows = vec![
        row("base", 24, 1_000_000, 100, 15),
        row("cheap", 1024, 500_000, 100, 15),
        row("dear", 1024, 2_000_000, 100, 15),
        row("lean", 4, 900_000, 100, 15),
        row("same_numbers", 24, 500_000, 100, 15),
    ];
    let names: Vec<String> = rows.iter().map(|r| r.variant.clone()).collect();
    let out = break_even(&names, &names, &rows).expect("variants with other fixed costs");
    assert!(out.starts_with("break-even against base (this run is 1,500 requests a month"), "{out}");
    assert!(out.contains("cheap: cheaper per month above 200,000 requests a month"), "{out}");
    assert!(out.contains("dear: never cheaper per month"), "{out}");
    assert!(out.contains("lean: cheaper per month at any volume"), "{out}");
    assert!(!out.contains("same_numbers"), "same fixed cost: no break-even line\n{out}");
    // A variant dearer fixed but... below: cheaper fixed, dearer per request, crossing at
    // q = (4 - 24) / (0.01 - 0.012) = 10,000: cheaper below it.
    let rows = vec![row("base", 24, 1_000_000, 100, 15), row("small", 4, 1_200_000, 100, 15)];
    let names: Vec<String> = rows.iter().map(|r| r.variant.clone()).collect();
    let out = break_even(&names, &names, &rows).unwrap();
    assert!(out.contains("small: cheaper per month below 10,000 requests a month"), "{out}");
}

#[test]
fn a_sweep_axis_named_variant_runs_the_files_variants_as_compare_does() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], out: &str| {
        let o = assert_cmd::Command::cargo_bin("smsim")
            .unwrap()
            .args(args)
            .args(["--no-charts", "--quiet", "--out"])
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).unwrap(),
            std::fs::read_to_string(dir.path().join(out).join("summary.csv")).unwrap(),
        )
    };
    let file = "scenarios/run-rate-by-volume.toml";
    let (stdout, sweep) =
        run(&["sweep", file, "--set", "customers.count=2000", "--set", "variant=base,short_code"], "sweep");
    let (_, compare) = run(&["compare", file, "--set", "customers.count=2000"], "compare");
    let rows = |text: &str| -> Vec<Vec<String>> {
        text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
    };
    let (sweep, compare) = (rows(&sweep), rows(&compare));
    assert_eq!(sweep[0][1], "customers.count=2000;variant=base");
    assert_eq!(sweep[1][1], "customers.count=2000;variant=short_code");
    // Every column but the variant's name is the compare's row of that variant.
    assert_eq!(sweep[0][2..], compare[0][2..]);
    assert_eq!(sweep[1][2..], compare[2][2..], "short_code is the file's second variant");
    assert!(stdout.contains("break-even against base at customers.count=2000"), "{stdout}");
    assert!(stdout.contains("short_code: never cheaper per month"), "{stdout}");
    let o = assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .args(["sweep", file, "--set", "variant=base,nope", "--no-charts", "--out"])
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no [[variant]] named \"nope\" (known: base, toll_free, short_code)"), "{err}");
}

#[test]
fn compare_shows_each_outcome_with_its_p50_and_cost_per_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let o = assert_cmd::Command::cargo_bin("smsim")
        .unwrap()
        .args(["compare", "scenarios/fraud-verification.toml", "--no-charts", "--quiet", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let outcomes = std::fs::read_to_string(dir.path().join("outcomes.csv")).unwrap();
    // Each outcomes.csv row's cost per outcome is in the table's row for that outcome.
    for line in outcomes.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("outcome {} cost per outcome", f[0])))
            .unwrap_or_else(|| panic!("no row for {}\n{stdout}", f[0]));
        // The table shows it to a hundredth of a cent ($0.0818 for 0.081833), in the
        // column of the row's variant.
        let column = ["base", "slow_webhook"].iter().position(|v| *v == f[4]).unwrap();
        let shown: f64 = row.split('$').nth(1 + column).unwrap().trim().parse().unwrap();
        let exact: f64 = f[5].parse().unwrap();
        assert!((shown - exact).abs() <= 0.00005 + 1e-12, "{row}: {shown} against {exact}");
        assert!(stdout.contains(&format!("outcome {} p50", f[0])));
    }
}

#[test]
fn a_run_rate_past_the_spend_limit_says_so() {
    use smsim::report::terminal::over_limit;
    use smsim::sms::Money;
    // $1,024 of messages a month ($1,048 run rate less $24 fixed) against a $512 limit:
    // repeated, the traffic would stop after 30 x 512 / 1024 = 15 days.
    let mut r = row("base", 24, 1_000_000, 100, 1024);
    r.spend_limit = Money(512_000_000);
    let names = vec!["base".to_string()];
    let out = over_limit(&names, std::slice::from_ref(&r));
    assert!(out.contains("$1,024.00 a month, past the $512.00 monthly spend limit"), "{out}");
    assert!(out.contains("about 15.0 days"), "{out}");
    assert!(out.contains("about 15.0 days of a month") && !out.contains("already spent"), "{out}");
    // $256 already spent at t = 0 leaves $256 this month: 30 x 256 / 1024 = 7.5 days.
    r.spent = Money(256_000_000);
    let out = over_limit(&names, std::slice::from_ref(&r));
    assert!(
        out.contains("about 15.0 days of a month ($256.00 already spent this month: after about 7.5 days)"),
        "{out}"
    );
    // Within a $2,000 limit, but $1,500 spent leaves $500: 30 x 500 / 1024 = 14.6 days.
    r.spend_limit = Money(2_000_000_000);
    r.spent = Money(1_500_000_000);
    let out = over_limit(&names, std::slice::from_ref(&r));
    assert_eq!(
        out,
        "base: at this run rate the messages would cost $1,024.00 a month, within the $2,000.00 monthly spend limit, \
         but with $1,500.00 already spent this month this traffic would be stopped after about 14.6 days\n"
    );
    // $500 spent leaves $1,500, more than a month of the traffic needs.
    r.spent = Money(500_000_000);
    assert_eq!(over_limit(&names, std::slice::from_ref(&r)), "", "within what is left: nothing to say");
    r.spent = Money::ZERO;
    assert_eq!(over_limit(&names, std::slice::from_ref(&r)), "", "within the limit: nothing to say");
}

/// A limit that refused messages in the run caps the run rate's message charges near the
/// limit per horizon: extrapolated, they would say a repeat stops after about one horizon.
/// The note says the limit refused messages instead, and what the run rate leaves out.
#[test]
fn a_limit_hit_in_the_run_is_said_as_such() {
    use smsim::engine::SimTime;
    use smsim::report::terminal::over_limit;
    use smsim::sms::Money;
    // $1 a horizon of 2 h, capped by a $1 limit: $360 a month.
    let mut r = row("base", 0, 1_000_000, 172, 360);
    r.spend_limit = Money(1_000_000);
    let names = vec!["base".to_string()];
    assert!(over_limit(&names, std::slice::from_ref(&r)).contains("stopped after about 2.0 hours"));
    r.spend_limit_hit = Some(SimTime::from_secs(172));
    let out = over_limit(&names, std::slice::from_ref(&r));
    assert_eq!(
        out,
        "base: the $1.00 monthly spend limit refused messages in this run: the run rate's message charges stop near \
         the limit, so they say nothing of what the traffic asked for\n"
    );
    // Replications: how many hit it.
    let mut missed = r.clone();
    missed.spend_limit_hit = None;
    let out = over_limit(&names, &[r.clone(), r, missed]);
    assert!(out.contains("refused messages in 2 of 3 replications:"), "{out}");
}
