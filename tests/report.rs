//! `report.html` (SPEC 9): self-contained, the key figures and every variant's name in
//! it, written by run, compare and sweep (not with `--no-report`), and rendered by
//! headless Chromium into a non-blank screenshot without console messages.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn smsim(args: &[&str], out: &Path) -> String {
    let o = Command::cargo_bin("smsim").unwrap().args(args).args(["--quiet", "--out"]).arg(out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn column(csv: &str, variant: &str, name: &str) -> String {
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let at = head.iter().position(|h| *h == name).unwrap();
    let line = csv.lines().find(|l| l.split(',').nth(1) == Some(variant)).unwrap();
    line.split(',').nth(at).unwrap().to_string()
}

/// What would make a browser fetch something: the page must have none of it.
fn external_references(html: &str) -> Vec<&'static str> {
    ["<script", "<link", " src=", "href=", "url(", "@import", "<iframe", "<object", "<embed"]
        .into_iter()
        .filter(|p| html.contains(p))
        .collect()
}

#[test]
fn the_compare_page_is_self_contained_with_every_variant_and_the_key_figures() {
    let dir = tempfile::tempdir().unwrap();
    smsim(&["compare", "scenarios/long-vs-short-code.toml"], dir.path());
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(external_references(&html), Vec::<&str>::new());
    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    for v in ["base", "toll_free", "short_code"] {
        assert!(html.contains(&format!("<th>{v}</th>")), "variant {v} is a column");
        use smsim::report::terminal::{cents, per_unit};
        let value = |col: &str| column(&summary, v, col).parse::<f64>().unwrap();
        for shown in [
            cents(value("cost_total_usd")),
            cents(value("cost_monthly_run_rate_usd")),
            per_unit(value("cost_per_delivered_usd")),
        ] {
            assert!(html.contains(&shown), "{v}: {shown} is on the page");
        }
        let delivered: u64 = column(&summary, v, "delivered").parse().unwrap();
        assert!(html.contains(&smsim::scenario::units::thousands(delivered)));
    }
    assert!(html.contains("break-even against base"), "the break-even notes");
    assert_eq!(html.matches("<svg").count(), 5, "the five charts inline");
    assert!(html.contains("campaign:promo"), "the per-source table");
}

#[test]
fn run_and_sweep_write_the_page_and_no_report_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    smsim(&["run", "scenarios/dental-appointments.toml", "--no-charts"], &run);
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("confirmed") && html.contains("cost_per_outcome_usd"), "outcomes with cost per outcome");
    assert!(!html.contains("<svg"), "no charts drawn, none shown");
    // The terminal's note on the monthly run rate against the limit is on the page too.
    assert!(html.contains("<p class=\"note\">at this run rate the messages would cost $5,351.86 a month, past the $50.00 monthly spend limit"), "the run rate's note");
    // run --replications: the intervals the terminal prints, and its note.
    let reps = dir.path().join("reps");
    let stdout = smsim(&["run", "scenarios/spend-limit-default.toml", "--replications", "3", "--no-charts"], &reps);
    let html = std::fs::read_to_string(reps.join("report.html")).unwrap();
    for line in stdout.lines().filter(|l| l.contains("95% CI") || l.contains("note: ")) {
        let said = line.trim().trim_start_matches("note: ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(html.contains(&format!("<p class=\"note\">{said}</p>")), "{said} not on the page");
    }
    assert!(stdout.matches("95% CI").count() == 4 && stdout.contains("note: "), "{stdout}");
    let sweep = dir.path().join("sweep");
    let stdout = smsim(
        &[
            "sweep",
            "scenarios/long-vs-short-code.toml",
            "--set",
            "number.pool.count=5,10,20",
            "--target",
            "drain_s<=3600",
            "--no-charts",
        ],
        &sweep,
    );
    let best = stdout.lines().last().unwrap().strip_prefix("best: ").unwrap();
    let html = std::fs::read_to_string(sweep.join("report.html")).unwrap();
    assert!(html.contains(&format!("<tr class=\"best\"><td>{best}</td>")), "the best point is highlighted");
    assert_eq!(html.matches("class=\"best\"").count(), 1);
    let none = dir.path().join("none");
    smsim(&["run", "scenarios/dental-appointments.toml", "--no-charts", "--no-report"], &none);
    assert!(!none.join("report.html").exists());
    assert!(none.join("summary.csv").exists());
}

/// A headless Chromium, if the machine has one (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Screenshot `page` at 1000 x 1400: the share of pixels that are not near-white, and the
/// browser's console lines.
fn screenshot(browser: &Path, page: &Path, png: &Path) -> (f64, Vec<String>) {
    let o = std::process::Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400"])
        .arg(format!("--screenshot={}", png.display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let console =
        String::from_utf8_lossy(&o.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(String::from).collect();
    let img = image::open(png).unwrap_or_else(|e| panic!("no screenshot of {}: {e}", page.display())).to_rgb8();
    let inked = img.pixels().filter(|p| p.0.iter().any(|&c| c < 200)).count();
    (inked as f64 / (img.width() * img.height()) as f64, console)
}

#[test]
fn the_page_renders_in_headless_chromium_without_console_messages() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have Chromium: .ci/run installs it");
        eprintln!("skipped: no Chromium on this machine (CI installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    smsim(&["compare", "scenarios/sms-pumping.toml"], dir.path());
    let (inked, console) = screenshot(&browser, &dir.path().join("report.html"), &dir.path().join("page.png"));
    assert!(console.is_empty(), "console: {console:?}");
    // Text, table rules and the first chart cover several percent of the first screen.
    assert!(inked > 0.02, "the page looks blank: {:.4} of its pixels are inked", inked);
    // The checks can fail: a blank page, and a page with a script error.
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    assert!(screenshot(&browser, &blank, &dir.path().join("blank.png")).0 < 0.001);
    let broken = dir.path().join("broken.html");
    std::fs::write(&broken, "<!DOCTYPE html><html><body><script>nope();</script></body></html>").unwrap();
    assert!(!screenshot(&browser, &broken, &dir.path().join("broken.png")).1.is_empty());
}
