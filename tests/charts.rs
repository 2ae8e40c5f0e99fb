//! Charts are real images: PNGs of at least 800 x 500 pixels with text actually rendered
//! (from the bundled font, no system fonts needed), and SVGs with text elements.

use assert_cmd::Command;
use smsim::report::charts::CHARTS;
use std::path::Path;

fn check_charts(dir: &Path, title_word: &str) {
    for name in CHARTS {
        let png = dir.join(format!("{name}.png"));
        let img = image::open(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display())).to_rgb8();
        assert!(img.width() >= 800 && img.height() >= 500, "{name}: {}x{}", img.width(), img.height());
        // The caption is centred in the top 50 pixels: rendered text leaves dark pixels
        // there; a missing font would leave the band white.
        let dark = (img.width() / 5..img.width() * 4 / 5)
            .flat_map(|x| (5..50).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 100))
            .count();
        assert!(dark > 300, "{name}.png: only {dark} dark pixels in the title band: is the text rendered?");
        // The y-axis labels too: dark pixels left of the plot area.
        let labels = (10..75)
            .flat_map(|x| (60..500).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 100)
            .count();
        assert!(labels > 100, "{name}.png: no axis text");
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<text"), "{name}.svg has text elements");
        assert!(svg.contains(title_word), "{name}.svg names the scenario");
    }
}

#[test]
fn run_and_compare_draw_every_chart() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let bin = || Command::cargo_bin("smsim").unwrap();
    bin()
        .arg("run")
        .arg(root.join("scenarios/reminders-long-codes.toml"))
        .args(["--quiet", "--out"])
        .arg(dir.path().join("r"))
        .assert()
        .success();
    check_charts(&dir.path().join("r/charts"), "reminders-long-codes");
    bin()
        .arg("compare")
        .arg(root.join("scenarios/long-vs-short-code.toml"))
        .args(["--quiet", "--out"])
        .arg(dir.path().join("c"))
        .assert()
        .success();
    check_charts(&dir.path().join("c/charts"), "long-vs-short-code");
    let svg = std::fs::read_to_string(dir.path().join("c/charts/latency_cdf.svg")).unwrap();
    for v in ["base", "toll_free", "short_code"] {
        assert!(svg.contains(v), "the compare CDF's legend names {v}");
    }
    // With [simulation] start, time axes read in local wall-clock time (SPEC 7.1).
    bin()
        .arg("run")
        .arg(root.join("scenarios/national-reminders.toml"))
        .args(["--quiet", "--out"])
        .arg(dir.path().join("k"))
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("k/charts/delivered.svg")).unwrap();
    assert!(svg.contains("local date and time (America/New_York)"), "the axis names the zone");
    assert!(svg.contains("12-07 06:00"), "the first tick is t = 0 on the wall clock");
    // --no-charts skips them.
    bin()
        .arg("run")
        .arg(root.join("scenarios/reminders-long-codes.toml"))
        .args(["--quiet", "--no-charts", "--out"])
        .arg(dir.path().join("n"))
        .assert()
        .success();
    assert!(!dir.path().join("n/charts").exists());
}

/// An alert every 5 minutes to 15 engineers through a 10DLC number for `incident`, under
/// the given account keys.
fn alerts(incident: &str, account: &str) -> smsim::scenario::Scenario {
    let text = format!(
        "[simulation]\nhorizon = \"6h\"\nmetrics_interval = \"5m\"\n[account]\n{account}\n\
         [[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 15\n\
         [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\n\
         [[campaign]]\nid = \"alert\"\nfrom = \"p\"\nbody = \"ALERT: checkout errors\"\nevery = \"5m\"\nuntil = \"{incident}\"\n"
    );
    smsim::scenario::load_str(&text, "alerts.toml", "alerts", &[]).unwrap()
}

fn chart_input(sc: &smsim::scenario::Scenario) -> smsim::report::charts::ChartInput {
    let o = smsim::run::simulate(sc, 1, (), |_| {}).0;
    smsim::report::charts::ChartInput::of(sc, &o.metrics)
}

#[test]
fn the_spend_chart_starts_at_the_accounts_spend_at_t0_and_the_hit_is_marked() {
    use smsim::report::charts::spend_points;
    // The default $1 limit: the first point is $0 at t = 0, not the first interval's spend.
    let c = chart_input(&alerts("4h", ""));
    assert_eq!(spend_points(&c)[0], (0.0, 0.0));
    assert!(spend_points(&c)[1].1 > 0.0, "the first interval spends");
    assert!(c.limit_hit_us.is_some(), "the hit is there to mark");
    // Already $0.40 spent: the line starts there.
    let c = chart_input(&alerts("4h", "spent_usd = 0.40"));
    assert_eq!(spend_points(&c)[0], (0.0, 0.40));
}

#[test]
fn charts_span_an_incident_whose_messages_are_blocked_after_the_first_hour() {
    use smsim::report::charts::span_s;
    // $1 at about 1.4 cents an alert of 15 lasts some 70 texts: the limit blocks from the
    // first hour on, and the 4-hour incident's later alerts are all blocked. Nothing is
    // delivered after the first hour, but the charts must show the whole incident.
    let sc = alerts("4h", "");
    let c = chart_input(&sc);
    let hit = c.limit_hit_us.unwrap() as f64 / 3.6e9;
    assert!(hit < 1.5, "blocked from {hit:.2} h");
    let span = span_s(std::slice::from_ref(&c)) / 3600.0;
    assert!(span >= 4.0, "the charts end at {span:.2} h, before the incident's last alert at 4 h");
    assert!(span <= 6.0, "never past the horizon");
    // A 1-hour incident: the charts end a little after it, not at the 6-hour horizon.
    let short = chart_input(&alerts("1h", "monthly_spend_limit_usd = 100"));
    let span = span_s(std::slice::from_ref(&short)) / 3600.0;
    assert!((1.0..2.0).contains(&span), "{span:.2} h");
}

/// The `<text>` elements of an SVG as (x, text-anchor, content).
fn texts(svg: &str) -> Vec<(f64, String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let i = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let content = rest.split("</text>").next()?.trim().to_string();
            Some((attr(tag, "x")?.parse().ok()?, attr(tag, "text-anchor").unwrap_or_default(), content))
        })
        .collect()
}

/// The largest x of any line point in an SVG's polylines.
fn rightmost_line_point(svg: &str) -> f64 {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next().map(str::to_string))
        .flat_map(|pts| {
            pts.split_whitespace().filter_map(|xy| xy.split(',').next()?.parse::<f64>().ok()).collect::<Vec<_>>()
        })
        .fold(0.0, f64::max)
}

#[test]
fn blocked_messages_are_charted_beside_a_legend_outside_the_plot_with_whole_counts() {
    // The default $1 limit blocks most of a 4-hour incident's alerts.
    let sc = alerts("4h", "");
    let dir = tempfile::tempdir().unwrap();
    smsim::report::charts::write_inputs(dir.path(), &[chart_input(&sc)]).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("delivered.svg")).unwrap();
    let t = texts(&svg);
    let blocked = t.iter().find(|x| x.2.starts_with("blocked")).expect("the delivered chart shows blocked messages");
    assert!(t.iter().any(|x| x.2 == "delivered"));
    // The legend stands right of everything plotted.
    let right = rightmost_line_point(&svg);
    assert!(right > 300.0, "lines are drawn ({right})");
    assert!(blocked.0 > right, "legend at x = {} inside the plot (lines reach {right})", blocked.0);
    // Counts: every y tick (right-aligned labels) is a whole number.
    for chart in ["delivered", "queue_depth"] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{chart}.svg"))).unwrap();
        let ticks: Vec<String> = texts(&svg).into_iter().filter(|x| x.1 == "end").map(|x| x.2).collect();
        assert!(ticks.len() >= 2, "{chart}: {ticks:?}");
        for v in &ticks {
            assert!(!v.contains('.') && v.replace(',', "").parse::<u64>().is_ok(), "{chart}: tick {v:?}");
        }
    }
    // Lines of a comparison that coincide are drawn in different styles: the second
    // variant's (identical) line is dashed, with markers.
    let mut other = chart_input(&sc);
    other.variant = "twin".into();
    smsim::report::charts::write_inputs(dir.path(), &[chart_input(&sc), other]).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("spend.svg")).unwrap();
    assert!(svg.contains("twin") && svg.contains("<circle"), "markers on the second line");
    let solid = svg.split("<polyline").skip(1).filter(|p| p.contains("stroke-width=\"3\"")).count();
    assert!(solid >= 1, "the first variant's line is the wider solid one");
}

#[test]
fn a_latency_tail_orders_past_the_median_is_drawn_on_a_log_axis() {
    use smsim::report::charts::{ChartInput, write_inputs};
    let dir = tempfile::tempdir().unwrap();
    let mut c = chart_input(&alerts("1h", "monthly_spend_limit_usd = 100"));
    // A quick CDF: 1 s for most, and an hour for the last 2%.
    c.cdf_us = (1..=200).map(|i| if i <= 196 { 1_000_000 + i * 1000 } else { 3_600_000_000 }).collect();
    write_inputs(dir.path(), std::slice::from_ref(&c)).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("latency_cdf.svg")).unwrap();
    assert!(svg.contains("log scale"), "a tail 3,600 times the median");
    // An even spread (a blast's queue) stays linear.
    let even = ChartInput { cdf_us: (1..=200).map(|i| i * 10_000_000).collect(), ..c };
    write_inputs(dir.path(), &[even]).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("latency_cdf.svg")).unwrap();
    assert!(!svg.contains("log scale"));
}

#[test]
fn sweep_charts_draw_lines_with_targets_pass_fail_best_and_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blast.toml");
    std::fs::write(
        &file,
        "[simulation]\nname = \"blast\"\nhorizon = \"4h\"\n[account]\nmonthly_spend_limit_usd = 10000\n\
         [[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 2000\n\
         [[number]]\nid = \"p\"\nkind = \"long_code\"\ncount = 1\n\
         [[campaign]]\nid = \"b\"\nfrom = \"p\"\nbody = \"Hi\"\n",
    )
    .unwrap();
    let sweep = |args: &[&str], out: &str| {
        Command::cargo_bin("smsim")
            .unwrap()
            .arg("sweep")
            .arg(&file)
            .args(args)
            .args(["--quiet", "--out"])
            .arg(dir.path().join(out))
            .assert()
            .success();
        std::fs::read_to_string(dir.path().join(out).join("charts/sweep_drain_s.svg")).unwrap()
    };
    // One numeric axis: a line through the points, the target as a dashed line, the
    // points coloured by whether they meet it, the best ringed, and intervals.
    let svg = sweep(&["--set", "number.p.count=1,2,4", "--target", "drain_s<=1200", "--replications", "2"], "n");
    let t: Vec<String> = texts(&svg).into_iter().map(|x| x.2).collect();
    for label in ["target drain_s &lt;= 1200", "meets every target", "misses a target", "95% interval of the mean"] {
        assert!(t.iter().any(|x| x == label), "{label} in {t:?}");
    }
    assert!(t.iter().any(|x| x.starts_with("best")));
    assert!(svg.contains("fill=\"#2CA02C\"") && svg.contains("fill=\"#D62728\""), "pass and fail colours");
    let line = svg
        .split("<polyline")
        .skip(1)
        .map(|p| p.split("points=\"").nth(1).unwrap_or(""))
        .find(|p| p.split('"').next().unwrap_or("").split_whitespace().count() == 3);
    assert!(line.is_some(), "a line through the three points");
    // A count spanning three decades: log axes.
    let svg = sweep(&["--set", "customers.count=10,100,1000,10000"], "l");
    assert!(svg.contains("customers.count, log scale"));
    // Values that are not numbers: bars.
    let svg = sweep(&["--set", "number.p.kind=long_code,toll_free"], "b");
    assert!(svg.contains("by sweep point") && svg.contains("<rect"));
}
