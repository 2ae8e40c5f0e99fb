//! What every chart is drawn with: a title, the plot, and its legend in a column beside
//! the plot (never over the data); axes that are linear from zero, with whole-number
//! ticks for counts, or log10 where the values span orders of magnitude; and line styles
//! (width, dash, marker) that keep identical lines of several variants all visible.

use super::FONT;
use crate::scenario::units::thousands;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// What drawing returns.
pub(super) type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The plot's coordinates: both axes in f64 (log axes hold log10 of the value).
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Colour `i` of the palette (matplotlib's tab10, which reads well in print and to most
/// colour-blind readers when paired with dashes and markers).
pub(super) fn color(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    PALETTE[i % PALETTE.len()]
}

/// A sweep point that meets every target.
pub(super) const PASS: RGBColor = RGBColor(44, 160, 44);
/// A sweep point that misses a target.
pub(super) const FAIL: RGBColor = RGBColor(214, 39, 40);

/// A point marker along a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    None,
    Circle,
    Triangle,
    Square,
    Cross,
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    pub(super) color: RGBColor,
    /// Dash and gap lengths in pixels; none for a solid line.
    pub(super) dash: Option<(u32, u32)>,
    pub(super) width: u32,
    pub(super) marker: Marker,
}

impl Style {
    /// A solid line of width 2.
    pub(super) fn solid(color: RGBColor) -> Self {
        Style { color, dash: None, width: 2, marker: Marker::None }
    }

    /// A dashed reference line (a limit, a target).
    pub(super) fn reference(color: RGBColor) -> Self {
        Style { color, dash: Some((10, 6)), width: 2, marker: Marker::None }
    }

    /// Line `i` of several that may lie on one another (the variants of a comparison):
    /// the first solid and wider, each other one dashed with its own marker, so that
    /// where they coincide every one still shows.
    pub(super) fn nth(i: usize) -> Self {
        const DASH: [(u32, u32); 3] = [(14, 6), (4, 4), (22, 6)];
        const MARK: [Marker; 4] = [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Cross];
        if i == 0 {
            return Style { width: 3, ..Style::solid(color(0)) };
        }
        Style { color: color(i), dash: Some(DASH[(i - 1) % 3]), width: 2, marker: MARK[(i - 1) % 4] }
    }
}

/// A legend entry's sample.
#[derive(Debug, Clone, Copy)]
pub(super) enum Key {
    /// A line in this style.
    Line(Style),
    /// A vertical dashed mark.
    Mark(RGBColor),
    /// A filled box (a bar).
    Swatch(RGBColor),
    /// A filled dot (a point).
    Dot(RGBColor),
    /// A ring around a point (the best one).
    Ring,
    /// An outlined box (the best bar).
    Outline,
    /// An error bar.
    Whisker,
}

/// One axis: linear from zero, or log10 over the decades of its positive values.
#[derive(Debug, Clone, Copy)]
pub(super) struct Axis {
    log: bool,
    counts: bool,
    lo: f64,
    hi: f64,
}

/// Whether positive values span orders of magnitude: the largest at least `ratio` times
/// the smallest.
pub(super) fn spans(values: impl IntoIterator<Item = f64>, ratio: f64) -> bool {
    let (lo, hi) =
        values.into_iter().filter(|v| *v > 0.0).fold((f64::INFINITY, 0f64), |(a, b), v| (a.min(v), b.max(v)));
    hi > 0.0 && hi >= lo * ratio
}

impl Axis {
    /// A linear axis from zero past the largest of `values` (`pad` times it; counts round
    /// up to a whole number), or with `log` a log10 axis over the whole decades that hold
    /// the positive `values`.
    pub(super) fn new(values: impl IntoIterator<Item = f64>, log: bool, counts: bool, pad: f64) -> Axis {
        let values: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if log {
            let pos = values.iter().copied().filter(|v| *v > 0.0);
            let (lo, hi) = pos.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            if lo.is_finite() {
                let (lo, hi) = (lo.log10().floor(), hi.log10().ceil());
                return Axis { log, counts, lo, hi: if hi > lo { hi } else { lo + 1.0 } };
            }
        }
        let top = values.iter().copied().fold(0f64, f64::max);
        let hi = if top > 0.0 { top * pad } else { 1.0 };
        Axis { log: false, counts, lo: 0.0, hi: if counts { hi.ceil().max(1.0) } else { hi } }
    }

    /// Where `v` is drawn; none for a value a log axis cannot show.
    pub(super) fn at(&self, v: f64) -> Option<f64> {
        if self.log { (v > 0.0).then(|| v.log10()) } else { Some(v) }
    }

    /// The drawn range.
    pub(super) fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }

    /// How many ticks at most: one per decade on a log axis, and never a fraction between
    /// two whole counts.
    pub(super) fn ticks(&self) -> usize {
        if self.log {
            ((self.hi - self.lo) as usize + 1).min(11)
        } else if self.counts {
            (self.hi as usize + 1).min(10)
        } else {
            10
        }
    }

    /// The label of a tick at drawn position `v`.
    pub(super) fn label(&self, v: f64) -> String {
        let whole = (v - v.round()).abs() < 1e-9;
        if self.log {
            if !whole {
                return String::new();
            }
            let d = v.round() as i32;
            return match d {
                ..0 => format!("{:.*}", (-d) as usize, 10f64.powi(d)),
                0..=2 => thousands(10u64.pow(d as u32)),
                3..=5 => format!("{}k", 10u64.pow(d as u32 - 3)),
                6..=8 => format!("{}M", 10u64.pow(d as u32 - 6)),
                _ => format!("1e{d}"),
            };
        }
        if self.counts {
            return if whole && v >= 0.0 { thousands(v.round() as u64) } else { String::new() };
        }
        if self.hi >= 20.0 {
            if v >= 0.0 { thousands(v.round() as u64) } else { format!("{v:.0}") }
        } else if self.hi >= 2.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    }

    /// The axis description, saying when it is a log scale.
    pub(super) fn desc(&self, what: &str) -> String {
        if self.log { format!("{what}, log scale") } else { what.to_string() }
    }
}

/// The legend's text style.
fn key_font<'a>() -> TextStyle<'a> {
    TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center))
}

/// The plot's area and the legend's.
pub(super) type Split<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// A line to draw: its legend label, its points, its style.
pub(super) type Line<'a> = (String, &'a [(f64, f64)], Style);

/// Width of the legend's sample, before its text.
const SAMPLE: i32 = 52;

/// Fill the chart white, title it, and split what is left into the plot (left) and a
/// legend column (right) as wide as its longest label needs, up to a third of the width.
pub(super) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    keys: &[(String, Key)],
) -> std::result::Result<Split<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    // A title wider than the chart shrinks to fit (down to a readable 14 px).
    let (width, _) = root.dim_in_pixel();
    let mut size = 26.0;
    while size > 14.0 && root.estimate_text_size(title, &TextStyle::from((FONT, size).into_font()))?.0 + 20 > width {
        size -= 1.0;
    }
    let area = root.titled(title, (FONT, size))?;
    let (w, _) = area.dim_in_pixel();
    let font = key_font();
    let mut longest = 0u32;
    for (label, _) in keys {
        longest = longest.max(area.estimate_text_size(label, &font)?.0);
    }
    let side = if keys.is_empty() { 0 } else { (longest + SAMPLE as u32 + 24).clamp(140, w / 3) };
    Ok(area.split_horizontally(w - side))
}

/// Draw the legend down the column `side`: each entry's sample, then its label, wrapped
/// at spaces to the column's width.
pub(super) fn legend<DB: DrawingBackend>(side: &DrawingArea<DB, Shift>, keys: &[(String, Key)]) -> Drawn<DB> {
    let font = key_font();
    let room = side.dim_in_pixel().0.saturating_sub(SAMPLE as u32 + 8);
    let mut y = 40;
    for (label, key) in keys {
        draw_key(side, (0, y), *key)?;
        let mut line = String::new();
        for word in label.split(' ') {
            let wider = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if !line.is_empty() && side.estimate_text_size(&wider, &font)?.0 > room {
                side.draw(&Text::new(std::mem::take(&mut line), (SAMPLE, y), font.clone()))?;
                y += 18;
                line = word.to_string();
            } else {
                line = wider;
            }
        }
        side.draw(&Text::new(line, (SAMPLE, y), font.clone()))?;
        y += 28;
    }
    Ok(())
}

/// A legend sample in pixels, its left end at `at`.
fn draw_key<DB: DrawingBackend>(side: &DrawingArea<DB, Shift>, at: (i32, i32), key: Key) -> Drawn<DB> {
    let (x, y) = at;
    match key {
        Key::Line(st) => {
            let shape = st.color.stroke_width(st.width);
            let path = [(x + 4, y), (x + 44, y)];
            match st.dash {
                Some((d, g)) => side.draw(&DashedPathElement::new(path, d.min(12), g, shape))?,
                None => side.draw(&PathElement::new(path, shape))?,
            }
            marker(side, (x + 24, y), st)?;
        }
        Key::Mark(c) => {
            side.draw(&DashedPathElement::new([(x + 24, y - 10), (x + 24, y + 10)], 4, 3, c.stroke_width(2)))?
        }
        Key::Swatch(c) => side.draw(&Rectangle::new([(x + 14, y - 7), (x + 34, y + 7)], c.filled()))?,
        Key::Dot(c) => side.draw(&Circle::new((x + 24, y), 6, c.filled()))?,
        Key::Ring => side.draw(&Circle::new((x + 24, y), 11, BLACK.stroke_width(2)))?,
        Key::Outline => side.draw(&Rectangle::new([(x + 12, y - 9), (x + 36, y + 9)], BLACK.stroke_width(3)))?,
        Key::Whisker => {
            side.draw(&PathElement::new([(x + 24, y - 9), (x + 24, y + 9)], BLACK.stroke_width(2)))?;
            side.draw(&PathElement::new([(x + 19, y - 9), (x + 29, y - 9)], BLACK.stroke_width(2)))?;
            side.draw(&PathElement::new([(x + 19, y + 9), (x + 29, y + 9)], BLACK.stroke_width(2)))?;
        }
    }
    Ok(())
}

/// A marker of style `st` at pixel `p` of an area.
fn marker<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: (i32, i32), st: Style) -> Drawn<DB> {
    let s = st.color.stroke_width(2);
    match st.marker {
        Marker::None => {}
        Marker::Circle => area.draw(&Circle::new(p, 5, s))?,
        Marker::Triangle => area.draw(&TriangleMarker::new(p, 6, s))?,
        Marker::Square => area.draw(&Rectangle::new([(p.0 - 4, p.1 - 4), (p.0 + 4, p.1 + 4)], s))?,
        Marker::Cross => area.draw(&Cross::new(p, 5, s))?,
    }
    Ok(())
}

/// Pixels `px` without repeats and without the points where the line goes straight on
/// (each in line with its neighbours, between them): the vertices where it turns, and
/// its ends.
fn turns(px: impl Iterator<Item = (i32, i32)>) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    for p in px {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let d = |p: (i32, i32), q: (i32, i32)| (q.0 as i64 - p.0 as i64, q.1 as i64 - p.1 as i64);
            let ((u, v), (s, t)) = (d(a, b), d(b, p));
            if u * t == v * s && u * s + v * t > 0 {
                *out.last_mut().expect("two points") = p;
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// Draw line `pts` (drawn coordinates) in style `st`; the `nth` line of a chart puts its
/// ten markers a little further along than the line before, so they do not coincide.
pub(super) fn draw_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    pts: &[(f64, f64)],
    st: Style,
    nth: usize,
) -> Drawn<DB> {
    let shape = st.color.stroke_width(st.width);
    // Drawn in the plot's pixels, through the vertices where it turns: the rasteriser
    // offsets a point where a line goes straight on by truncating, and one where it
    // turns by rounding, so a flat or straight stretch drawn through every data point
    // wobbles by a pixel (a spend line that seems to fall though it never does).
    let area = chart.plotting_area();
    let base = area.get_base_pixel();
    let px = turns(
        pts.iter().map(|p| chart.backend_coord(p)).map(|(x, y)| (x.saturating_sub(base.0), y.saturating_sub(base.1))),
    );
    let flat = area.strip_coord_spec();
    match st.dash {
        Some((d, g)) => flat.draw(&DashedPathElement::new(px, d, g, shape))?,
        None => flat.draw(&PathElement::new(px, shape))?,
    };
    if st.marker == Marker::None || pts.is_empty() {
        return Ok(());
    }
    let n = pts.len();
    let at: Vec<(f64, f64)> =
        (0..10).map(|k| pts[((k as f64 + 0.2 + 0.15 * (nth % 5) as f64) / 10.0 * n as f64) as usize % n]).collect();
    let s = st.color.stroke_width(2);
    match st.marker {
        Marker::None => {}
        Marker::Circle => {
            chart.draw_series(at.into_iter().map(|p| Circle::new(p, 5, s)))?;
        }
        Marker::Triangle => {
            chart.draw_series(at.into_iter().map(|p| TriangleMarker::new(p, 6, s)))?;
        }
        Marker::Square => {
            chart.draw_series(at.into_iter().map(|p| EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], s)))?;
        }
        Marker::Cross => {
            chart.draw_series(at.into_iter().map(|p| Cross::new(p, 5, s)))?;
        }
    }
    Ok(())
}

/// A chart that can draw itself on either backend.
pub(super) trait ChartTarget: Sync {
    fn bitmap(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> std::result::Result<(), String>;
    fn svg(&self, root: &DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>;
}

/// Implement [`ChartTarget`] for a chart by one generic drawing function.
macro_rules! chart_target {
    ($ty:ty, $f:ident) => {
        impl $crate::report::charts::draw::ChartTarget for $ty {
            fn bitmap(
                &self,
                root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
            ) -> std::result::Result<(), String> {
                $f(self, root).map_err(|e| e.to_string())
            }
            fn svg(
                &self,
                root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
            ) -> std::result::Result<(), String> {
                $f(self, root).map_err(|e| e.to_string())
            }
        }
    };
}
pub(super) use chart_target;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_axes_tick_whole_numbers_only() {
        // Three messages at most: ticks 0..=3, never 0.5.
        let a = Axis::new([0.0, 3.0, 1.0], false, true, 1.08);
        assert_eq!(a.range(), 0.0..4.0);
        assert_eq!(a.ticks(), 5);
        assert_eq!(a.label(0.5), "");
        assert_eq!(a.label(2.0), "2");
        assert_eq!(Axis::new([12_345.0], false, true, 1.0).label(12_345.0), "12,345");
    }

    #[test]
    fn log_axes_cover_whole_decades_and_label_them() {
        let a = Axis::new([3.0, 250_000.0, 0.0], true, false, 1.0);
        assert_eq!(a.range(), 0.0..6.0);
        assert_eq!(a.at(1000.0), Some(3.0));
        assert_eq!(a.at(0.0), None);
        assert_eq!(a.ticks(), 7);
        let labels: Vec<String> = (0..=6).map(|d| a.label(d as f64)).collect();
        assert_eq!(labels, ["1", "10", "100", "1k", "10k", "100k", "1M"]);
        assert_eq!(a.label(2.5), "");
        assert_eq!(Axis::new([0.05, 2.0], true, false, 1.0).label(-2.0), "0.01");
        assert!(spans([1.0, 100.0], 100.0) && !spans([1.0, 99.0], 100.0) && !spans([0.0, 0.0], 2.0));
    }

    #[test]
    fn turns_keeps_ends_and_corners_only() {
        let px = [(0, 5), (0, 5), (2, 5), (4, 5), (6, 4), (8, 3), (9, 3), (9, 3), (7, 3), (7, 9)];
        // Repeats and points along a straight stretch go; a reversal is a turn.
        assert_eq!(turns(px.into_iter()), [(0, 5), (4, 5), (8, 3), (9, 3), (7, 3), (7, 9)]);
        assert_eq!(turns([(1, 1)].into_iter()), [(1, 1)]);
        assert!(turns(std::iter::empty()).is_empty());
    }

    /// A line that never falls is drawn never falling: in every pixel column its top edge
    /// is at or above the column before's (a slow rise, then a plateau to the end, each
    /// point drawn, as the spend chart draws them), at each width a chart uses. Drawn
    /// through every point, the thick line dipped by a pixel where the rasteriser
    /// truncated.
    #[test]
    fn a_line_that_never_falls_is_drawn_never_falling() {
        let (w, h) = (400u32, 200u32);
        let mut pts: Vec<(f64, f64)> = (0..=30).map(|i| (i as f64, 40.0 * (1.0 - (-(i as f64) / 6.0).exp()))).collect();
        pts.extend((31..=60).map(|i| (i as f64, 40.0 + 0.01 * (i as f64).min(45.0))));
        for width in [2, 3] {
            let mut buf = vec![255u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                let mut chart = ChartBuilder::on(&root).margin(10).build_cartesian_2d(0.0..60.0, 0.0..50.0).unwrap();
                draw_line(&mut chart, &pts, Style { width, ..Style::solid(RGBColor(0, 0, 255)) }, 0).unwrap();
                root.present().unwrap();
            }
            let blue = |x: u32, y: u32| buf[((y * w + x) * 3) as usize..][..3] == [0, 0, 255];
            let tops: Vec<u32> = (0..w).filter_map(|x| (0..h).find(|&y| blue(x, y))).collect();
            assert!(tops.len() > 300, "width {width}: the line is drawn across the plot ({} columns)", tops.len());
            for (i, p) in tops.windows(2).enumerate() {
                assert!(p[1] <= p[0], "width {width}, column {i}: the top falls from row {} to {}", p[0], p[1]);
            }
        }
    }

    #[test]
    fn overlapping_lines_differ_in_more_than_colour() {
        let (a, b, c) = (Style::nth(0), Style::nth(1), Style::nth(2));
        assert!(a.dash.is_none() && a.width > b.width);
        assert!(b.dash.is_some() && b.dash != c.dash && b.marker != c.marker && b.marker != Marker::None);
    }
}
