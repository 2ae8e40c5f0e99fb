//! Campaigns whose blasts pass a limit's cap on parts per window (SPEC 6.2): what the cap
//! does to the parts past it, found before the run.

use super::super::{OnCap, Scenario, Window};
use super::{blasts, campaign_drain, routed_shares, span};
use crate::scenario::units::thousands;

/// Seconds of a cap's window (a day from midnight, a week from Monday, 30 days).
fn window_secs(w: Window) -> f64 {
    match w {
        Window::Day => 86_400.0,
        Window::Week => 7.0 * 86_400.0,
        Window::Month => 30.0 * 86_400.0,
    }
}

/// Limits whose caps the campaigns pass, at nominal rates. A campaign puts through a limit
/// its blast's parts times the share routed to the limit's pools (and the carrier's share
/// for a carrier's limit), once for each of its blasts that starts within one window of
/// its first; the campaigns whose first blasts start within one window of the earliest
/// share it. Past the cap of every window their sending spans (from the earliest start to
/// the latest end of a drain), the rest is what the cap does something to. An estimate:
/// windows start at midnight (or Monday, or t = 0), not at a blast, and traffic and
/// responses, which share the cap too, are left out.
pub(super) fn cap_overruns(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for l in &sc.limits {
        let carrier = l.carrier.map_or(1.0, |k| sc.carriers[k].share);
        for cap in &l.caps {
            let window = window_secs(cap.window);
            // (campaign id, parts through the limit in one window, first start, drain).
            let mut each: Vec<(&str, f64, f64, f64)> = Vec::new();
            for c in sc.campaigns.iter().filter(|c| c.recipients > 0) {
                let Some(first) = sc.campaign_starts(c).next() else { continue };
                let parts = c.recipients as f64 * sc.templates[c.template].parts as f64;
                let shares = routed_shares(sc, &c.from, None);
                let routed: f64 = c.from.iter().zip(&shares).filter(|(p, _)| l.pools.contains(p)).map(|(_, s)| s).sum();
                // Its blasts at 0, e, 2e, ... before the window's end.
                let n = match (c.every, c.every_days) {
                    (_, Some(days)) if days > 0 => (window / 86_400.0 / days as f64).ceil() as u64,
                    (Some(e), None) if e.as_secs_f64() > 0.0 => (window / e.as_secs_f64()).ceil() as u64,
                    _ => 1,
                }
                .min(blasts(sc, c));
                let through = parts * routed * carrier * n as f64;
                if through >= 1.0 {
                    each.push((c.id.as_str(), through, first.as_secs_f64(), campaign_drain(sc, c).0));
                }
            }
            let Some(earliest) = each.iter().map(|e| e.2).min_by(f64::total_cmp) else { continue };
            each.retain(|e| e.2 < earliest + window);
            let through: f64 = each.iter().map(|e| e.1).sum();
            let end = each.iter().map(|e| e.2 + e.3).fold(earliest, f64::max);
            let windows = ((end - earliest) / window).ceil().max(1.0);
            let over = through - cap.parts as f64 * windows;
            if over < 1.0 {
                continue;
            }
            let ids: Vec<&str> = each.iter().map(|e| e.0).collect();
            let who = match ids.as_slice() {
                [one] => format!("campaign {one}"),
                [rest @ .., last] => format!("campaigns {} and {last}", rest.join(", ")),
                [] => unreachable!("a campaign passes the cap"),
            };
            let (fate, name) = match l.on_cap {
                OnCap::Block => ("end blocked_daily_cap, uncharged", "block"),
                OnCap::BlockCharged => ("end blocked_daily_cap, charged as if sent", "block_charged"),
                OnCap::Hold => (
                    "wait at their numbers' heads for the window to reset, or expire if their TTL passes first",
                    "hold",
                ),
            };
            let within = if windows > 1.0 {
                format!(
                    "over the {windows} {} windows its sending spans (about {}), past their cap of {} parts each",
                    cap.window.name(),
                    span(end - earliest),
                    thousands(cap.parts)
                )
            } else {
                format!("within one {} window, past its cap of {} parts", cap.window.name(), thousands(cap.parts))
            };
            out.push(format!(
                "{who}: {} about {} parts through limit {} {within}: about {} of them {fate} (on_cap = \"{name}\"); raise the cap, or spread the sending over more windows",
                if ids.len() > 1 { "together send" } else { "sends" },
                thousands(through.round() as u64),
                l.id,
                thousands(over.round() as u64),
            ));
        }
    }
    out
}
