//! Warnings a planner needs (SPEC 7.4): what the real world would not allow, or what
//! makes an answer meaningless, found from the scenario alone before it runs.

use super::Scenario;

/// Effective parts per second of pool `p` alone, when its traffic splits over carriers
/// by share: the pool's nominal rate, capped by each shared rate that covers it (the
/// account's, its carrier limits, `[[limit]]`s) over the share of its traffic that passes
/// through it; with what binds (`numbers`, or the limit's id).
pub fn effective_rate(sc: &Scenario, p: usize) -> (f64, String) {
    let pool = &sc.pools[p];
    let mut rate = (pool.count as f64 * pool.mps, "numbers".to_string());
    for l in sc.limits.iter().filter(|l| l.pools.contains(&p)) {
        if let Some(mps) = l.mps {
            let share = l.carrier.map_or(1.0, |c| sc.carriers[c].share);
            if share > 0.0 && mps / share < rate.0 {
                rate = (mps / share, format!("limit {}", l.id));
            }
        }
    }
    rate
}

/// Messages a `hold` limit can never let through: more parts than its cap. Held, each
/// blocks its number (head of line) until its TTL passes.
pub fn hold_traps(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let sources = sc.campaigns.iter().map(|c| (c.id.as_str(), c.pool, c.template));
    let sources = sources.chain(sc.traffic.iter().map(|t| (t.id.as_str(), t.pool, t.template)));
    for (id, pool, template) in sources {
        let parts = sc.templates[template].parts as u64;
        for l in sc.limits.iter().filter(|l| l.on_cap == super::OnCap::Hold && l.pools.contains(&pool)) {
            if let Some(cap) = l.caps.iter().find(|c| c.parts < parts) {
                out.push(format!(
                    "{id}'s messages take {parts} parts, over limit {}'s cap of {} parts {}: held, they can never be sent and block their number until their TTL",
                    l.id,
                    cap.parts,
                    cap.window.name()
                ));
            }
        }
    }
    out
}
