//! Outages longer than a pool's TTL (SPEC 1, 6.3): the traffic that meets them expires.

use super::super::Scenario;
use super::{routed_shares, span};
use crate::scenario::units::thousands;

/// Carrier outages, and pool outages without a failover, longer than the TTL of a pool
/// whose traffic meets them. A message handed to a carrier in its outage is held until
/// the outage ends, and one made while its pool is down waits in its queue: either
/// expires when the outage ends more than its TTL after its request. So about the
/// traffic requested from the outage's start until a TTL before its end expires (each
/// source at its mean rate, its pool's routed share, and the carrier's share for a
/// carrier's outage); a pool outage's backlog, sent after it at the pool's rate, can add
/// more. Campaign blasts are left out (their drain against the TTL is warned of apart).
pub(super) fn outage_expiries(sc: &Scenario) -> Vec<String> {
    // (what is down, its share of a pool's traffic, the pools it concerns, [from, to)).
    let mut down: Vec<(String, f64, Vec<usize>, f64, f64)> = Vec::new();
    for c in &sc.carriers {
        for &(from, to) in &c.outages {
            let pools = (0..sc.pools.len()).collect();
            down.push((format!("carrier {}", c.id), c.share, pools, from.as_secs_f64(), to.as_secs_f64()));
        }
    }
    for (p, pool) in sc.pools.iter().enumerate().filter(|(_, p)| p.failover.is_none()) {
        for &(from, to) in &pool.outages {
            down.push((format!("pool {}", pool.id), 1.0, vec![p], from.as_secs_f64(), to.as_secs_f64()));
        }
    }
    let mut out = Vec::new();
    for (what, share, pools, from, to) in down {
        for &p in &pools {
            let ttl = sc.pools[p].ttl.as_secs_f64();
            if to - from <= ttl {
                continue;
            }
            // Requests in [from, to - ttl) expire, those of each traffic source that
            // reach pool p.
            let mut expiring = 0.0;
            let mut sources = Vec::new();
            for tr in &sc.traffic {
                let routed: f64 = tr
                    .from
                    .iter()
                    .zip(routed_shares(sc, &tr.from, tr.fraud))
                    .filter(|(q, _)| **q == p)
                    .map(|(_, s)| s)
                    .sum();
                let (start, end) = (from.max(tr.start.as_secs_f64()), (to - ttl).min(tr.end.as_secs_f64()));
                let mean = tr.shape.as_ref().map_or(1.0, |s| s.mean());
                let n = tr.rate * mean * routed * share * (end - start).max(0.0);
                if n >= 0.5 {
                    expiring += n;
                    sources.push(tr.id.as_str());
                }
            }
            if expiring < 1.0 {
                continue;
            }
            out.push(format!(
                "{what} is down from {} to {} ({}), longer than pool {}'s TTL ({}): about {} of the messages of traffic {} made in it would expire before it ends; lengthen the TTL{}",
                span(from),
                span(to),
                span(to - from),
                sc.pools[p].id,
                span(ttl),
                thousands(expiring.round() as u64),
                sources.join(", "),
                if what.starts_with("pool") { ", or give the pool a failover" } else { "" }
            ));
        }
    }
    out
}
