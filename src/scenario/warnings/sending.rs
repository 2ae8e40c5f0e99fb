//! When a campaign's blasts are sent: zones a sending window holds out (pending past the
//! horizon, expired past the TTL), a blast as the window lets it go, zone by zone, and
//! blasts that take longer to send than their pool's TTL.

use super::super::{Campaign, Scenario};
use super::{effective_rate, groups, many, sends_nothing, span};
use crate::engine::SimTime;
use crate::scenario::units::thousands;

/// The open spans of template `template`'s sending window in zone `z` over the horizon;
/// none without a window or a calendar (always open). The run holds requests to the
/// same spans (`model::world::held`).
pub fn window_spans(sc: &Scenario, template: usize, z: usize) -> Option<Vec<(u64, u64)>> {
    let (Some(w), Some(cal)) = (sc.templates[template].window, &sc.calendar) else { return None };
    Some(cal.open_spans(&sc.zones[z], w.from, w.to, w.days, sc.horizon))
}

/// When the window of template `template` next opens at or after `t` in zone `z`: `t`
/// itself when open, none when not before the horizon.
pub(super) fn opening(sc: &Scenario, template: usize, z: usize, t: SimTime) -> Option<SimTime> {
    opening_in(sc, window_spans(sc, template, z).as_deref(), t)
}

/// [`opening`] in a window's open `spans` ([`window_spans`]).
fn opening_in(sc: &Scenario, spans: Option<&[(u64, u64)]>, t: SimTime) -> Option<SimTime> {
    let Some(spans) = spans else { return Some(t) };
    match crate::calendar::next_open(spans, t.as_micros()) {
        Ok(()) => Some(t),
        Err(at) => at.map(SimTime::from_micros).filter(|&at| at < sc.horizon),
    }
}

/// What a window does to a request made at `t` in zone `z`, routed to `pool`: it never
/// opens before the horizon ([`PENDING`], or [`PAST_TTL`] when the horizon is past the
/// request's TTL), it opens after the pool's TTL ([`EXPIRED`]), or the request enters
/// (`None`).
fn held_out(sc: &Scenario, c: &Campaign, z: usize, pool: usize, t: SimTime) -> Option<usize> {
    held_out_in(sc, window_spans(sc, c.template, z).as_deref(), pool, t)
}

/// [`held_out`] in a window's open `spans` ([`window_spans`]).
fn held_out_in(sc: &Scenario, spans: Option<&[(u64, u64)]>, pool: usize, t: SimTime) -> Option<usize> {
    match opening_in(sc, spans, t) {
        // Still held at the horizon: expired there if its TTL has passed.
        None if sc.horizon - t > sc.pools[pool].ttl => Some(PAST_TTL),
        None => Some(PENDING),
        Some(at) if at - t > sc.pools[pool].ttl => Some(EXPIRED),
        Some(_) => None,
    }
}

/// A request's fate under [`held_out`]: its window does not open before the horizon.
const PENDING: usize = 0;
/// Its window opens only after its TTL: it expires at the opening.
const EXPIRED: usize = 1;
/// Its window does not open before the horizon, which is past its TTL: it expires there.
const PAST_TTL: usize = 2;

/// Campaigns whose sending window keeps some customers' requests from ever entering a
/// pool: it does not open before the horizon (they stay `pending`), or it opens after
/// their pool's TTL has passed (they `expire`). Every blast is looked at (an even sample
/// of [`many::WORKED_OUT`] of them past that many), at its first and its last request (a
/// `spread`).
pub(super) fn closed_windows(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let windowed = |c: &&Campaign| sc.templates[c.template].window.is_some() && c.recipients > 0;
    for c in sc.campaigns.iter().filter(windowed).filter(|c| !sends_nothing(sc, c)) {
        let (starts, n) = many::looked_at(sc, c);
        let mut lists: [Vec<String>; 3] = Default::default();
        for (share, z, pool, label) in groups(sc, c) {
            let spans = window_spans(sc, c.template, z);
            // For each fate, in how many blasts, and whether for every request of them.
            let mut hit = [(0usize, true); 3];
            for &s in &starts {
                let ends = [s, s + c.spread].map(|t| held_out_in(sc, spans.as_deref(), pool, t));
                for (fate, hit) in hit.iter_mut().enumerate() {
                    if ends.contains(&Some(fate)) {
                        hit.0 += 1;
                        hit.1 &= ends.iter().all(|&e| e == Some(fate));
                    }
                }
            }
            for (i, list) in lists.iter_mut().enumerate() {
                let (k, all) = hit[i];
                if k == 0 {
                    continue;
                }
                let mut what = format!("{label} ({}% of them", (share * 1000.0).round() / 10.0);
                if starts.len() as u64 != n {
                    let about = (k as f64 * n as f64 / starts.len() as f64).round() as u64;
                    what += &format!(", in about {} of its {} blasts", thousands(about), thousands(n));
                } else if n > 1 {
                    what += &format!(", in {k} of its {n} blasts");
                }
                if !all {
                    what += ", part of each spread";
                }
                if i != PENDING {
                    what += &format!("; pool {}'s TTL {}", sc.pools[pool].id, span(sc.pools[pool].ttl.as_secs_f64()));
                }
                list.push(what + ")");
            }
        }
        let says = [
            "its sending window does not open before the horizon for customers in {}: their requests stay pending; lengthen the horizon or move its `at`",
            "its sending window opens for customers in {} only after their pool's TTL has passed: their requests expire before entering it; lengthen the TTL or move its `at`",
            "its sending window does not open before the horizon for customers in {}, and the horizon is past their pool's TTL: their requests expire; move its `at`",
        ];
        for (list, says) in lists.iter().zip(says) {
            if !list.is_empty() {
                out.push(format!("campaign {}: {}", c.id, says.replace("{}", &list.join(" and "))));
            }
        }
    }
    out
}

/// A zone's share of a blast as a pool sends it: (from, to, share), times in seconds.
pub(super) type ZoneRun = (f64, f64, f64);

/// Campaign `c`'s blast at `s` at nominal rates with its sending window holding each
/// zone's customers until it opens there: for each pool, the zones routed to it in the
/// order their windows open, as (from, to, share of the blast) in seconds, each sent at
/// the pool's rate from its opening or once the zone before it is sent (zones it holds
/// out, `held_out`, send nothing).
pub(super) fn windowed_runs(sc: &Scenario, c: &Campaign, s: SimTime) -> Vec<(usize, Vec<ZoneRun>)> {
    let parts = c.recipients as f64 * sc.templates[c.template].parts as f64;
    let mut by_pool: Vec<(usize, Vec<(f64, f64)>)> = Vec::new();
    for (share, z, pool, _) in groups(sc, c) {
        let Some(open) = opening(sc, c.template, z, s).filter(|_| held_out(sc, c, z, pool, s).is_none()) else {
            continue;
        };
        match by_pool.iter_mut().find(|x| x.0 == pool) {
            Some(x) => x.1.push((open.as_secs_f64(), share)),
            None => by_pool.push((pool, vec![(open.as_secs_f64(), share)])),
        }
    }
    let mut runs = Vec::new();
    for (pool, mut zones) in by_pool {
        zones.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rate = effective_rate(sc, pool).0;
        let mut free = f64::NEG_INFINITY;
        let list = zones
            .into_iter()
            .map(|(open, share)| {
                let from = free.max(open);
                free = from + parts * share / rate;
                (from, free, share)
            })
            .collect();
        runs.push((pool, list));
    }
    runs
}

/// When campaign `c`'s blast at `s` would be sent at nominal rates with its sending window
/// holding each zone's customers until it opens there ([`windowed_runs`]), and the rate
/// and what binds of the pool that finishes last; none when the window holds it out in
/// every zone (nothing is sent).
pub(crate) fn windowed_finish(sc: &Scenario, c: &Campaign, s: SimTime) -> Option<(f64, f64, String)> {
    let mut last: Option<(f64, usize)> = None;
    for (pool, runs) in windowed_runs(sc, c, s) {
        if let Some(&(_, to, _)) = runs.last() {
            if last.is_none_or(|l| to > l.0) {
                last = Some((to, pool));
            }
        }
    }
    let (finish, pool) = last?;
    let (rate, binds) = effective_rate(sc, pool);
    Some((finish.max((s + c.spread).as_secs_f64()), rate, binds))
}

/// Campaigns whose first blast, at nominal rates (from each zone's opening when a sending
/// window holds it), takes longer to send than its pool's TTL: about how many of its
/// messages would expire. A request arriving at fraction `f` of the spread leaves at
/// fraction `f` of the drain (with a window, of its zone's run from the zone's opening),
/// and is late past its TTL. That is the run's count when a message that leaves near its
/// TTL lands after it (a carrier latency longer than the gap between requests); with
/// none, a queue that drops its expired heads without sending them sends more.
pub(super) fn ttl_drains(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for c in sc.campaigns.iter().filter(|c| c.recipients > 0) {
        let Some(s) = sc.campaign_starts(c).next() else { continue };
        let n = c.recipients as f64;
        let spread = c.spread.as_secs_f64();
        let windowed = sc.templates[c.template].window.is_some() && sc.calendar.is_some();
        // (pool, expiring messages, the longest wait) over the blast's runs.
        let mut worst: Option<(usize, f64, f64)> = None;
        let mut add = |pool: usize, expiring: f64, wait: f64| {
            let w = worst.get_or_insert((pool, 0.0, 0.0));
            w.1 += expiring;
            if wait > w.2 {
                (w.0, w.2) = (pool, wait);
            }
        };
        if windowed {
            for (pool, runs) in windowed_runs(sc, c, s) {
                let ttl = sc.pools[pool].ttl.as_secs_f64();
                for (from, to, share) in runs {
                    // The zone's request at fraction f of it was made at s + f spread and
                    // leaves at from + f (to - from): too late when f (to - from - spread)
                    // > s + ttl - from.
                    let (late, room) = (to - from - spread, s.as_secs_f64() + ttl - from);
                    let gone = match (late > 0.0, room < 0.0) {
                        (true, _) => 1.0 - room / late,
                        (false, true) if late < 0.0 => room / late,
                        (false, true) => 1.0,
                        (false, false) => 0.0,
                    };
                    if gone > 0.0 {
                        add(pool, n * share * gone.clamp(0.0, 1.0), to - s.as_secs_f64());
                    }
                }
            }
        } else {
            // Each pool its routed share, at its own rate and TTL.
            let parts = sc.templates[c.template].parts as f64;
            for (&p, share) in c.from.iter().zip(super::routed_shares(sc, &c.from, None)) {
                let drain = (n * share * parts / effective_rate(sc, p).0).max(spread);
                let (ttl, wait) = (sc.pools[p].ttl.as_secs_f64(), drain - spread);
                if share > 0.0 && wait > ttl {
                    add(p, n * share * (1.0 - ttl / wait), drain);
                }
            }
        }
        let Some((pool, expiring, wait)) = worst.filter(|w| w.1 >= 1.0) else { continue };
        let p = &sc.pools[pool];
        out.push(format!(
            "campaign {}: at nominal rates its {}blast takes about {} to send{}, longer than pool {}'s TTL ({}): about {} of its messages would expire before delivery; add throughput, spread the blast, or lengthen the TTL",
            c.id,
            if sc.campaign_starts(c).nth(1).is_some() { "first " } else { "" },
            span(wait),
            if windowed { " (from the blast, its window holding it)" } else { "" },
            p.id,
            span(p.ttl.as_secs_f64()),
            thousands(expiring.round() as u64),
        ));
    }
    out
}
