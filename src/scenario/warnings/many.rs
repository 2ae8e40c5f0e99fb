//! Campaigns with more blasts than the warnings work out one by one (a repeat every few
//! milliseconds over days: hundreds of millions): their nominal spend in closed form, and
//! an even sample of their blasts for the window warnings, so that `check` answers at
//! once and keeps nothing per blast.

use super::super::{Campaign, Scenario};
use crate::engine::SimTime;

/// Blasts of a campaign worked out one by one at most; past it, the spend is taken evenly
/// over each blast's drain as if no window held it, and the window warnings look at an
/// even sample of this many blasts.
pub(super) const WORKED_OUT: usize = 10_000;

/// Whether campaign `c` has more than [`WORKED_OUT`] blasts.
pub(super) fn many_blasts(sc: &Scenario, c: &Campaign) -> bool {
    sc.campaign_starts(c).nth(WORKED_OUT).is_some()
}

/// How many blasts campaign `c` makes before the horizon.
pub(crate) fn blasts(sc: &Scenario, c: &Campaign) -> u64 {
    match c.every.filter(|&e| e > SimTime::ZERO && c.every_days.is_none()) {
        // Repeats `every` from `at` while at most `until` and before the horizon.
        Some(e) => match sc.repeat(c, 0) {
            Some(at) => {
                let last = c.until.min(sc.horizon - SimTime::from_micros(1));
                (last - at).as_micros() / e.as_micros() + 1
            }
            None => 0,
        },
        None => sc.campaign_starts(c).count() as u64,
    }
}

/// The starts of campaign `c`'s blasts to look at: all of them when there are at most
/// [`WORKED_OUT`], else that many spread evenly over them, first and last included; with
/// how many blasts there are.
pub(super) fn looked_at(sc: &Scenario, c: &Campaign) -> (Vec<SimTime>, u64) {
    let n = blasts(sc, c);
    if n <= WORKED_OUT as u64 {
        return (sc.campaign_starts(c).collect(), n);
    }
    let k = WORKED_OUT as u64;
    let picks = (0..k).map(|i| (i as u128 * (n - 1) as u128 / (k - 1) as u128) as u64);
    let picks = picks.filter_map(|j| sc.repeat(c, j)).collect();
    (picks, n)
}

/// The cost campaign `c` (with [`many_blasts`], each blast costing `cost` and drained
/// evenly over `drain` seconds from its start) has sent by `t`: in closed form when it
/// repeats every fixed span, else blast by blast.
pub(super) fn spend_by(sc: &Scenario, c: &Campaign, cost: f64, drain: f64, t: f64) -> f64 {
    let sent = |s: f64| super::part(t, (s, s + drain));
    let Some(e) = c.every.filter(|&e| e > SimTime::ZERO && c.every_days.is_none()) else {
        return cost * sc.campaign_starts(c).map(|s| sent(s.as_secs_f64())).sum::<f64>();
    };
    let Some(at) = sc.repeat(c, 0) else { return 0.0 };
    let (at, e, n) = (at.as_secs_f64(), e.as_secs_f64(), blasts(sc, c) as f64);
    // Blasts 0..n start at at + k e: those started by t (k <= last), those drained by t
    // (k <= done), and the ones between part sent, (t - at - k e) / drain each.
    let last = ((t - at) / e).floor().min(n - 1.0);
    if last < 0.0 {
        return 0.0;
    }
    if drain <= 0.0 {
        return cost * (last + 1.0);
    }
    let done = ((t - drain - at) / e).floor().min(last);
    let (a, b) = (done.max(-1.0) + 1.0, last);
    let between = if b >= a { (b - a + 1.0) * (t - at) - e * (a + b) * (b - a + 1.0) / 2.0 } else { 0.0 };
    cost * ((done + 1.0).max(0.0) + between / drain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(every: &str, extra: &str) -> Scenario {
        let text = format!(
            "[simulation]\nhorizon = \"2h\"\n[[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 10\n[[number]]\nid = \"n\"\nkind = \"short_code\"\n[[campaign]]\nid = \"c\"\nfrom = \"n\"\nbody = \"x\"\nevery = \"{every}\"\n{extra}"
        );
        crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn blasts_counted_in_closed_form_are_the_starts_counted() {
        for (every, extra) in [("1s", ""), ("7s", "at = \"13s\""), ("1ms", "until = \"1h\""), ("2h", ""), ("59m", "")] {
            let sc = campaign(every, extra);
            let c = &sc.campaigns[0];
            assert_eq!(blasts(&sc, c), sc.campaign_starts(c).count() as u64, "every {every} {extra}");
        }
    }

    #[test]
    fn spend_in_closed_form_is_the_sum_over_blasts() {
        // Against the blast-by-blast sum, at many instants, drains shorter and longer than
        // the repeat; to a millionth of the total (sums of 7,200 float terms).
        for (every, drain) in [("1s", 0.0), ("1s", 0.4), ("1s", 37.5), ("7s", 100.0), ("3s", 3.0)] {
            let sc = campaign(every, "at = \"5s\"");
            let c = &sc.campaigns[0];
            for t in [0.0, 4.9, 5.0, 5.2, 60.0, 61.7, 3_599.0, 7_199.9, 7_200.0, 9_000.0] {
                let sum: f64 = sc
                    .campaign_starts(c)
                    .map(|s| 2.0 * super::super::part(t, (s.as_secs_f64(), s.as_secs_f64() + drain)))
                    .sum();
                let closed = spend_by(&sc, c, 2.0, drain, t);
                assert!(
                    (closed - sum).abs() <= 1e-6 * sum.max(1.0),
                    "every {every}, drain {drain}, t {t}: {closed} against {sum}"
                );
            }
        }
    }

    #[test]
    fn a_sample_spreads_over_the_blasts_first_and_last_included() {
        let sc = campaign("10ms", "");
        let c = &sc.campaigns[0];
        let (picks, n) = looked_at(&sc, c);
        assert_eq!(n, 720_000);
        assert_eq!(picks.len(), WORKED_OUT);
        assert_eq!(picks.first(), sc.campaign_starts(c).next().as_ref());
        assert_eq!(picks.last(), sc.campaign_starts(c).last().as_ref());
    }
}
