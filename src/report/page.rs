//! `report.html` (SPEC 9): one self-contained page, the answer first. Built with `maud`'s
//! compile-time templates (every value escaped), styled by one inline style sheet, with
//! the charts inlined as SVG: no script, no external style, font or image.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::path::Path;

/// What the page shows, in order.
#[derive(Debug, Clone, Default)]
pub struct Page<'a> {
    /// `simulation.name`.
    pub name: &'a str,
    /// One line under the title: the command, seed and what was compared.
    pub heading: String,
    /// The key table, as the terminal prints it: a header row, then label and values.
    pub answer: Vec<Vec<String>>,
    /// A row of `answer` to highlight (a sweep's best point).
    pub highlight: Option<usize>,
    /// Lines after the table (break-even, the best point).
    pub notes: Vec<String>,
    /// Warnings (SPEC 7.4).
    pub warnings: &'a [String],
    /// `sources.csv`.
    pub sources: &'a str,
    /// `outcomes.csv`.
    pub outcomes: &'a str,
    /// Charts as (title, SVG document), in order.
    pub charts: Vec<(String, String)>,
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
       margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
p.heading { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.best td { background: #e3f4e1; font-weight: 600; }
ul.warnings li { color: #8a4b00; }
p.note { margin: 0.2rem 0; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.scroll { overflow-x: auto; }
";

/// Whether a cell reads as a number (figures are right-aligned).
fn numeric(cell: &str) -> bool {
    let c = cell.trim_start_matches(['$', '-']);
    c.chars().next().is_some_and(|ch| ch.is_ascii_digit())
}

fn table(rows: &[Vec<String>], highlight: Option<usize>) -> Markup {
    let Some((head, body)) = rows.split_first() else { return html! {} };
    html! {
        div.scroll {
            table {
                thead { tr { @for h in head { th { (h) } } } }
                tbody {
                    @for (i, r) in body.iter().enumerate() {
                        tr class=[(highlight == Some(i + 1)).then_some("best")] {
                            @for (j, c) in r.iter().enumerate() {
                                @if j > 0 && numeric(c) { td.num { (c) } } @else { td { (c) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The rows of a CSV text, header first; `keep` chooses the data rows shown.
fn csv_rows(text: &str, keep: impl Fn(&csv::StringRecord, &csv::StringRecord) -> bool) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let Ok(head) = r.headers().cloned() else { return Vec::new() };
    let mut out = vec![head.iter().map(str::to_string).collect()];
    for rec in r.records().flatten() {
        if keep(&head, &rec) {
            out.push(rec.iter().map(str::to_string).collect());
        }
    }
    out
}

/// A CSV table as a reader sees it: columns that are zero (or empty) in every row left
/// out, after the first two, which name the row; seconds (`_s`) to the millisecond,
/// dollars (`_usd`) as the terminal writes them, counts with separators. The files keep
/// every column and digit.
fn readable(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let Some((head, body)) = rows.split_first() else { return rows };
    let zero = |c: &str| c.is_empty() || c.parse::<f64>().is_ok_and(|x| x == 0.0);
    let keep: Vec<usize> = (0..head.len()).filter(|&j| j < 2 || body.iter().any(|r| !zero(&r[j]))).collect();
    let cell = |name: &str, c: &str| -> String {
        let Ok(x) = c.parse::<f64>() else { return c.to_string() };
        if name.ends_with("_s") {
            format!("{x:.3}")
        } else if name.ends_with("_usd") {
            super::terminal::per_unit(x)
        } else if x >= 0.0 && x == x.trunc() && x < 1e15 {
            crate::scenario::units::thousands(x as u64)
        } else {
            c.to_string()
        }
    };
    let mut out = vec![keep.iter().map(|&j| head[j].clone()).collect()];
    out.extend(body.iter().map(|r| keep.iter().map(|&j| cell(&head[j], &r[j])).collect()));
    out
}

/// An SVG document as an inline element (without an XML declaration).
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or("", |i| &svg[i..])
}

/// The page's HTML.
pub fn render(p: &Page<'_>) -> String {
    let sources = readable(csv_rows(p.sources, |h, r| {
        let at = h.iter().position(|c| c == "requested");
        at.and_then(|i| r.get(i)).is_some_and(|v| v != "0")
    }));
    let outcomes = readable(csv_rows(p.outcomes, |_, _| true));
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "smsim: " (p.name) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (p.name) }
                p.heading { (p.heading) }
                h2 { "The answer" }
                (table(&p.answer, p.highlight))
                @for n in &p.notes { p.note { (n) } }
                @if !p.warnings.is_empty() {
                    h2 { "Warnings" }
                    ul.warnings { @for w in p.warnings { li { (w) } } }
                }
                @if sources.len() > 1 {
                    h2 { "By source" }
                    p { "Each campaign, traffic source, keyword and flow that made a request (sources.csv; columns that are zero in every row left out)." }
                    (table(&sources, None))
                }
                @if outcomes.len() > 1 {
                    h2 { "Outcomes" }
                    p { "Flow outcomes, time to outcome and cost per outcome (outcomes.csv)." }
                    (table(&outcomes, None))
                }
                @if !p.charts.is_empty() {
                    h2 { "Charts" }
                    @for (title, svg) in &p.charts {
                        figure {
                            (PreEscaped(inline_svg(svg)))
                            figcaption { (title) }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// The charts of `run` and `compare`, as (file stem, caption), in the page's order.
pub const RUN_CHARTS: [(&str, &str); 5] = [
    ("delivered", "Messages delivered, and those that were not, over time"),
    ("latency_cdf", "Delivery latency: the share delivered within each time"),
    ("spend", "The month's spend against the spend limit"),
    ("cost_breakdown", "What the horizon cost, by part"),
    ("queue_depth", "Messages waiting for a number"),
];

/// The charts in `dir` named by `names` (file stems, in order), as (title, SVG) pairs;
/// those not written are left out.
pub fn charts(dir: &Path, names: &[(&str, &str)]) -> Vec<(String, String)> {
    names
        .iter()
        .filter_map(|(stem, title)| {
            std::fs::read_to_string(dir.join(format!("{stem}.svg"))).ok().map(|svg| (title.to_string(), svg))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_the_best_row_is_marked() {
        let p = Page {
            name: "a<b",
            answer: vec![vec!["".into(), "x".into()], vec!["delivered".into(), "1,000".into()]],
            highlight: Some(1),
            ..Page::default()
        };
        let html = render(&p);
        assert!(html.contains("a&lt;b") && !html.contains("a<b"));
        assert!(html.contains("<tr class=\"best\"><td>delivered</td><td class=\"num\">1,000</td></tr>"), "{html}");
        assert!(html.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn tables_drop_columns_zero_throughout_and_read_as_the_terminal_writes() {
        let csv = "variant,source,failed,requested,latency_p95_s,cost_usd,expired\n\
                   base,campaign:a,0,12000,7.4869871,1234.5,0\n\
                   base,keyword:STOP,0,42,,0.0818333,0\n";
        let rows = readable(csv_rows(csv, |_, _| true));
        assert_eq!(rows[0], ["variant", "source", "requested", "latency_p95_s", "cost_usd"]);
        assert_eq!(rows[1], ["base", "campaign:a", "12,000", "7.487", "$1,234.50"]);
        assert_eq!(rows[2], ["base", "keyword:STOP", "42", "", "$0.0818"]);
    }
}
