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
