//! Throughput as providers enforce it (SPEC 6): the account's MPS, pools' carrier limits
//! and `[[limit]]`s as one list of shared limits; pool outages, failover (one hop, no
//! cycles) and opt-out lists.

use super::raw::{OnCap, RawCarrierLimit, RawLimit, RawOutage, RawScenario};
use super::resolve::{Fail, at, index_ids};
use super::units::Rate;
use super::*;
use std::collections::HashMap;

/// The slowest pacing rate accepted, parts per second.
pub(super) const MIN_RATE: f64 = 1e-6;

/// Outages `[from, to)`, checked and sorted; `path` names the list.
pub(super) fn outages(raw: &[RawOutage], path: &dyn Fn(usize) -> Vec<Seg>) -> Result<Vec<(SimTime, SimTime)>, Fail> {
    let mut out = Vec::with_capacity(raw.len());
    for (j, o) in raw.iter().enumerate() {
        if o.from.0 >= o.to.0 {
            let mut p = path(j);
            p.push(Seg::Key("to".into()));
            return Err((p, "an outage must end after it starts (to > from)".into()));
        }
        out.push((o.from.0, o.to.0));
    }
    out.sort();
    Ok(out)
}

/// The caps of a limit's `daily_parts`, `weekly_parts` and `monthly_parts`.
fn caps(daily: Option<u64>, weekly: Option<u64>, monthly: Option<u64>) -> Vec<Cap> {
    [(Window::Day, daily), (Window::Week, weekly), (Window::Month, monthly)]
        .into_iter()
        .filter_map(|(window, parts)| parts.map(|parts| Cap { window, parts }))
        .collect()
}

fn rate(mps: Option<Rate>, path: Vec<Seg>) -> Result<Option<f64>, Fail> {
    match mps {
        Some(r) if r.0 < MIN_RATE => Err((path, format!("mps must be at least {MIN_RATE} (one part in 11.6 days)"))),
        _ => Ok(mps.map(|r| r.0)),
    }
}

/// `on_cap` on a limit without a cap: it would say what a cap does, and there is none.
const NO_CAP: &str = "on_cap says what happens to a message at a cap, and this limit has none (only mps): add daily_parts, weekly_parts or monthly_parts, or remove on_cap";

/// Pool `i`'s carrier limits.
pub(super) fn carrier_limits(
    raw: &RawScenario,
    i: usize,
    list: &[RawCarrierLimit],
    carrier_ids: &HashMap<&str, usize>,
) -> Result<Vec<Limit>, Fail> {
    let n = &raw.number[i];
    let mut limits: Vec<Limit> = Vec::with_capacity(list.len());
    for (j, l) in list.iter().enumerate() {
        let path = |k: &str| at(&[&"number", &i, &"carrier_limit", &j, &k]);
        let carrier = *carrier_ids.get(l.carrier.as_str()).ok_or_else(|| {
            let known: Vec<&str> = raw.carrier.iter().map(|c| c.id.as_str()).collect();
            (path("carrier"), format!("no [[carrier]] with id \"{}\" (known: {})", l.carrier, known.join(", ")))
        })?;
        let caps = caps(l.daily_parts, l.weekly_parts, l.monthly_parts);
        if l.mps.is_none() && caps.is_empty() {
            return Err((
                at(&[&"number", &i, &"carrier_limit", &j]),
                "a carrier_limit needs mps, daily_parts, weekly_parts or monthly_parts".into(),
            ));
        }
        if l.on_cap.is_some() && caps.is_empty() {
            return Err((path("on_cap"), NO_CAP.into()));
        }
        let mps = rate(l.mps, path("mps"))?;
        if mps.is_some() && limits.iter().any(|x| x.carrier == Some(carrier) && x.mps.is_some()) {
            return Err((
                path("mps"),
                format!("number \"{}\" already has an mps limit toward carrier \"{}\"", n.id, l.carrier),
            ));
        }
        limits.push(Limit {
            id: format!("{}.{}", n.id, l.carrier),
            scope: LimitScope::Pool,
            pools: vec![i],
            carrier: Some(carrier),
            mps,
            caps,
            on_cap: l.on_cap.unwrap_or_default(),
        });
    }
    Ok(limits)
}

/// The `[[limit]]`s shared by several pools.
pub(super) fn shared_limits(
    raw: &RawScenario,
    pool_ids: &HashMap<&str, usize>,
    carrier_ids: &HashMap<&str, usize>,
) -> Result<Vec<Limit>, Fail> {
    index_ids("limit", raw.limit.iter().map(|l| l.id.as_str()))?;
    raw.limit.iter().enumerate().map(|(i, l)| shared_limit(i, l, pool_ids, carrier_ids)).collect()
}

fn shared_limit(
    i: usize,
    l: &RawLimit,
    pool_ids: &HashMap<&str, usize>,
    carrier_ids: &HashMap<&str, usize>,
) -> Result<Limit, Fail> {
    let path = |k: &str| at(&[&"limit", &i, &k]);
    if l.pools.is_empty() {
        return Err((path("pools"), "a limit covers at least one pool".into()));
    }
    let mut pools = Vec::with_capacity(l.pools.len());
    for (k, id) in l.pools.iter().enumerate() {
        let p = *pool_ids.get(id.as_str()).ok_or_else(|| (at(&[&"limit", &i, &"pools", &k]), no_pool(id, pool_ids)))?;
        if pools.contains(&p) {
            return Err((at(&[&"limit", &i, &"pools", &k]), format!("pool \"{id}\" is listed twice")));
        }
        pools.push(p);
    }
    let carrier = match &l.carrier {
        Some(c) => Some(
            *carrier_ids.get(c.as_str()).ok_or_else(|| (path("carrier"), format!("no [[carrier]] with id \"{c}\"")))?,
        ),
        None => None,
    };
    let caps = caps(l.daily_parts, l.weekly_parts, l.monthly_parts);
    if l.mps.is_none() && caps.is_empty() {
        return Err((at(&[&"limit", &i]), "a limit needs mps, daily_parts, weekly_parts or monthly_parts".into()));
    }
    if l.on_cap.is_some() && caps.is_empty() {
        return Err((path("on_cap"), NO_CAP.into()));
    }
    Ok(Limit {
        id: l.id.clone(),
        scope: LimitScope::Shared,
        pools,
        carrier,
        mps: rate(l.mps, path("mps"))?,
        caps,
        on_cap: l.on_cap.unwrap_or(OnCap::Block),
    })
}

fn no_pool(id: &str, pool_ids: &HashMap<&str, usize>) -> String {
    let mut known: Vec<&&str> = pool_ids.keys().collect();
    known.sort();
    let known: Vec<&str> = known.into_iter().copied().collect();
    format!("no [[number]] with id \"{id}\" (known: {})", known.join(", "))
}

/// The account's MPS as a limit over every pool and carrier.
pub(super) fn account_limit(raw: &RawScenario, pools: usize) -> Result<Option<Limit>, Fail> {
    let Some(mps) = rate(raw.account.mps, at(&[&"account", &"mps"]))? else { return Ok(None) };
    Ok(Some(Limit {
        id: "account".into(),
        scope: LimitScope::Account,
        pools: (0..pools).collect(),
        carrier: None,
        mps: Some(mps),
        caps: Vec::new(),
        on_cap: OnCap::Block,
    }))
}

/// Each pool's failover pool, checked: known, not itself, and no cycle.
pub(super) fn failovers(raw: &RawScenario, pool_ids: &HashMap<&str, usize>) -> Result<Vec<Option<usize>>, Fail> {
    let mut out = Vec::with_capacity(raw.number.len());
    for (i, n) in raw.number.iter().enumerate() {
        let path = || at(&[&"number", &i, &"failover"]);
        out.push(match &n.failover {
            Some(f) if f == &n.id => return Err((path(), format!("number \"{f}\" cannot fail over to itself"))),
            Some(f) => Some(*pool_ids.get(f.as_str()).ok_or_else(|| (path(), no_pool(f, pool_ids)))?),
            None => None,
        });
    }
    for start in 0..out.len() {
        let mut seen = vec![start];
        let mut at_pool = start;
        while let Some(next) = out[at_pool] {
            if seen.contains(&next) {
                let names: Vec<&str> = seen.iter().chain([&next]).map(|&p| raw.number[p].id.as_str()).collect();
                return Err((
                    at(&[&"number", &start, &"failover"]),
                    format!("failover cycle: {} (failover is one hop, and never back)", names.join(" -> ")),
                ));
            }
            seen.push(next);
            at_pool = next;
        }
    }
    Ok(out)
}

/// The most opt-out lists a scenario may name.
pub(super) const MAX_OPT_OUT_LISTS: usize = 7;

/// The most limits that may cover one pool's messages to one carrier (a number keeps its
/// place in their lines as bits of a 64-bit word).
pub(super) const MAX_COVERING: usize = 64;

/// Every pool's messages to every carrier are covered by at most [`MAX_COVERING`] limits.
pub(super) fn check_coverage(limits: &[Limit], pools: usize, carriers: usize) -> Result<(), Fail> {
    for p in 0..pools {
        for c in 0..carriers {
            let n = limits.iter().filter(|l| l.pools.contains(&p) && l.carrier.is_none_or(|x| x == c)).count();
            if n > MAX_COVERING {
                return Err((
                    at(&[&"limit"]),
                    format!("more than {MAX_COVERING} limits cover one pool's messages to one carrier"),
                ));
            }
        }
    }
    Ok(())
}
