//! Warnings a planner needs (SPEC 7.4): what the real world would not allow, or what
//! makes an answer meaningless, found from the scenario alone before it runs.

use super::Scenario;
use crate::engine::SimTime;
use crate::sms::Money;
pub(crate) use many::blasts;
use many::many_blasts;
pub use sending::window_spans;
pub(crate) use sending::windowed_finish;
use sending::{ZoneRun, closed_windows, opening, ttl_drains, windowed_runs};

mod many;
mod sending;

/// Effective parts per second of pool `p` alone, when its traffic splits over carriers
/// by share: the pool's nominal rate, capped by each shared rate that covers it (the
/// account's, its carrier limits, `[[limit]]`s) over the share of its traffic that passes
/// through it; with what binds (`numbers`, the account's rate, or the limit's id).
pub fn effective_rate(sc: &Scenario, p: usize) -> (f64, String) {
    let pool = &sc.pools[p];
    let mut rate = (pool.count as f64 * pool.mps, "numbers".to_string());
    for l in sc.limits.iter().filter(|l| l.pools.contains(&p)) {
        if let Some(mps) = l.mps {
            let share = l.carrier.map_or(1.0, |c| carrier_share(sc, p, c));
            if share > 0.0 && mps / share < rate.0 {
                let name = match l.scope {
                    super::LimitScope::Account => "the account's rate".to_string(),
                    _ => format!("limit {}", l.id),
                };
                rate = (mps / share, name);
            }
        }
    }
    rate
}

/// The share of pool `p`'s messages that go to carrier `c`: over the countries the pool
/// reaches, by their customers' shares, the carrier's share of each it serves (a carrier
/// serves its countries only: with `[[country]]`, its share is of theirs).
pub fn carrier_share(sc: &Scenario, p: usize, c: usize) -> f64 {
    let reached = || (0..sc.countries.len()).filter(|&k| sc.pools[p].reaches[k]);
    let all: f64 = reached().map(|k| sc.countries[k].share).sum();
    let to_c: f64 = reached().map(|k| sc.countries[k].share * share_in(sc, k, c)).sum();
    if all > 0.0 { to_c / all } else { 0.0 }
}

/// Carrier `c`'s share of country `k`'s customers: its share if it serves the country
/// (with `[[country]]`, shares are within each country's carriers), else none.
fn share_in(sc: &Scenario, k: usize, c: usize) -> f64 {
    if sc.countries[k].carriers.contains(&c) { sc.carriers[c].share } else { 0.0 }
}

/// Messages a `hold` limit can never let through: more parts than its cap. Held, each
/// blocks its number (head of line) until its TTL passes.
pub fn hold_traps(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (_, id, from, template) in workload(sc) {
        let parts = sc.templates[template].parts as u64;
        let holds = |l: &&super::Limit| l.on_cap == super::OnCap::Hold && from.iter().any(|p| l.pools.contains(p));
        for l in sc.limits.iter().filter(holds) {
            if let Some(cap) = l.caps.iter().find(|c| c.parts < parts) {
                out.push(format!(
                    "{id}'s messages take {parts} part{}, over limit {}'s cap of {} part{} {}: held, they can never be sent and block their number until their TTL",
                    if parts == 1 { "" } else { "s" },
                    l.id,
                    cap.parts,
                    if cap.parts == 1 { "" } else { "s" },
                    cap.window.name()
                ));
            }
        }
    }
    out
}

/// Every warning for `sc`, one line each, in a stable order (SPEC 7.4): US long codes
/// carrying application-to-person traffic, pools that can reach no customer, sources with
/// customers none of their pools reaches, campaigns that start at or after the horizon,
/// campaigns the horizon cuts short, a spend limit the nominal cost passes, and messages a hold
/// limit can never let through.
pub fn all(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(long_codes(sc));
    out.extend(unreachable_pools(sc));
    out.extend(unroutable_countries(sc));
    out.extend(late_campaigns(sc));
    out.extend(closed_windows(sc));
    out.extend(ttl_drains(sc));
    out.extend(short_horizons(sc));
    out.extend(spend_limit(sc));
    out.extend(hold_traps(sc));
    out.extend(fixed_zones(sc));
    out.extend(zero_delay_loops(sc));
    out
}

/// The share of campaign `c`'s routable customers whose window is closed at `s` (held).
pub(crate) fn held_share(sc: &Scenario, c: &super::Campaign, s: SimTime) -> f64 {
    groups(sc, c).iter().filter(|g| opening(sc, c.template, g.1, s) != Some(s)).map(|g| g.0).sum()
}

/// Time zones named by a legacy IANA name that is a fixed offset all year where the place
/// keeps daylight saving (EST, MST; HST is Honolulu's clock all year): a planner writing
/// `EST` for New York gets no daylight saving, an hour off from March to November.
fn fixed_zones(sc: &Scenario) -> Vec<String> {
    let fixed = [("EST", "-05:00", "America/New_York"), ("MST", "-07:00", "America/Denver")];
    let mut out = Vec::new();
    for z in &sc.zones {
        if let Some((name, offset, city)) = fixed.iter().find(|f| f.0.eq_ignore_ascii_case(&z.name)) {
            out.push(format!(
                "time zone {} is a fixed UTC{offset} all year, with no daylight saving; for a place's local time name its zone (\"{city}\"{})",
                z.name,
                if *name == "MST" { ", or \"America/Phoenix\" where no daylight saving is kept" } else { "" }
            ));
        }
    }
    out
}

/// Flows that can answer their own replies with no delay at all: a rule whose message's
/// reply comes back after a constant 0 s, matched again by a rule of the same flow that
/// sends, through a subscriber with a constant 0 s latency, while some carrier delivers
/// in a constant 0 s both ways. Such a loop goes on at the number's pace to the horizon,
/// or stops the run if its time stops advancing (a number fast enough).
fn zero_delay_loops(sc: &Scenario) -> Vec<String> {
    use super::units::Dist;
    let zero = |d: &Dist| matches!(d, Dist::Constant(t) if *t == crate::engine::SimTime::ZERO);
    let Some(carrier) = sc.carriers.iter().find(|c| zero(&c.latency) && zero(&c.inbound_latency)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &sc.topics {
        for sub in t.subscriptions.iter().filter(|s| zero(&s.latency)) {
            let Some(flow) = sub.handler.map(|f| &sc.flows[f]) else { continue };
            let matches = |body: &str| {
                let word = super::first_word(body).to_uppercase();
                flow.rules
                    .iter()
                    .find(|r| r.template.is_some() && r.when.iter().any(|w| w == "*" || w.to_uppercase() == word))
            };
            let echo = flow
                .rules
                .iter()
                .filter_map(|r| r.template)
                .flat_map(|t| &sc.templates[t].replies)
                .find(|r| zero(&r.after) && matches(&r.body).is_some());
            if let Some(reply) = echo {
                out.push(format!(
                    "flow {} can answer its own replies with no delay: its reply \"{}\" comes back after 0 s, through carrier {} (latency 0 s) and subscription {} (latency 0 s), and the flow answers it again: the loop goes on as fast as the number sends, to the horizon, or stops the run if its time stops advancing. Give one of them a delay",
                    flow.id, reply.body, carrier.id, sub.id
                ));
            }
        }
    }
    out
}

/// The countries a source's requests go to, by share: the customers' countries, or a
/// fraud source's one country (SPEC 8).
fn destinations(sc: &Scenario, fraud: Option<usize>) -> Vec<(usize, f64)> {
    match fraud {
        Some(k) => vec![(k, 1.0)],
        None => sc.countries.iter().enumerate().map(|(k, c)| (k, c.share)).collect(),
    }
}

/// The parts one blast of campaign `c` puts through limit `l`, on average: its parts to
/// each country whose requests go to a pool `l` covers, times, for a carrier's limit,
/// that carrier's share of the country's customers (none where it serves none).
pub fn parts_through(sc: &Scenario, c: &super::Campaign, l: &super::Limit) -> f64 {
    let parts = c.recipients as f64 * sc.templates[c.template].parts as f64;
    let through: f64 = destinations(sc, None)
        .into_iter()
        .filter(|&(k, _)| !sc.protect.blocked[k])
        .filter(|&(k, _)| sc.route(&c.from, k).is_some_and(|p| l.pools.contains(&p)))
        .map(|(k, share)| share * l.carrier.map_or(1.0, |x| share_in(sc, k, x)))
        .sum();
    parts * through
}

/// The share of requests each pool of `from` sends to (SPEC 7.3 routing by country),
/// aligned with `from`, for a source whose destinations are the customers (`fraud`
/// `None`) or a fraud source's country; what is left is unroutable or blocked by protect.
pub fn routed_shares(sc: &Scenario, from: &[usize], fraud: Option<usize>) -> Vec<f64> {
    let mut shares = vec![0.0; from.len()];
    // A blocked country's requests end at protect, before any pool.
    for (k, share) in destinations(sc, fraud).into_iter().filter(|&(k, _)| !sc.protect.blocked[k]) {
        if let Some(p) = sc.route(from, k) {
            shares[from.iter().position(|&x| x == p).expect("routed to a pool of from")] += share;
        }
    }
    shares
}

/// The expected charge in dollars of one request of `template` from `from` (to the
/// customers, or to a fraud source's country), over its countries by share: each at its
/// route's destination price and its own carriers' fees, by share. What protect refuses
/// costs nothing (a blocked country, a message dearer than the template's bound); with a
/// filter, every other request pays its fee and only those it lets through are sent.
/// An unroutable request costs nothing.
pub fn expected_price(sc: &Scenario, from: &[usize], template: usize, fraud: Option<usize>) -> f64 {
    use crate::sms::price::outbound;
    let t = &sc.templates[template];
    let usd = |m: super::Money| m.micros() as f64 / 1e6;
    let pass = 1.0 - sc.protect.catch(fraud.is_some());
    let mut total = 0.0;
    for (k, share) in destinations(sc, fraud) {
        let Some(p) = sc.route(from, k).filter(|_| !sc.protect.blocked[k]) else { continue };
        let pool = &sc.pools[p];
        for &c in &sc.countries[k].carriers {
            let charge = outbound(pool.price_to[k], sc.carriers[c].fee_per_part[pool.kind], t.parts as u64).total();
            if t.max_price.is_some_and(|max| charge > max) {
                continue;
            }
            let fee = sc.protect.filter.map_or(0.0, |f| usd(f.fee));
            total += share * sc.carriers[c].share * (fee + pass * usd(charge));
        }
    }
    total
}

/// How long campaign `c`'s blast takes at nominal rates: its recipients split over its
/// pools by route, each pool at its effective rate; with the rate and what binds of the
/// pool that takes longest.
pub fn campaign_drain(sc: &Scenario, c: &super::Campaign) -> (f64, f64, String) {
    let parts = c.recipients as f64 * sc.templates[c.template].parts as f64;
    let mut worst = (0.0, effective_rate(sc, c.pool));
    for (&p, share) in c.from.iter().zip(routed_shares(sc, &c.from, None)) {
        let rate = effective_rate(sc, p);
        let drain = parts * share / rate.0;
        if share > 0.0 && drain > worst.0 {
            worst = (drain, rate);
        }
    }
    (worst.0.max(c.spread.as_secs_f64()), worst.1.0, worst.1.1)
}

/// Campaigns and traffic as `(what, id, from pools, template)`.
fn workload(sc: &Scenario) -> impl Iterator<Item = (&'static str, &str, &[usize], usize)> {
    let c = sc.campaigns.iter().map(|c| ("campaign", c.id.as_str(), c.from.as_slice(), c.template));
    c.chain(sc.traffic.iter().map(|t| ("traffic", t.id.as_str(), t.from.as_slice(), t.template)))
}

/// Application-to-person traffic from a US long code: US carriers block it unregistered.
fn long_codes(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (what, id, from, _) in workload(sc) {
        for &p in from {
            let pool = &sc.pools[p];
            if pool.kind == super::Kind::LongCode && pool.country == "US" {
                out.push(format!(
                    "{what} {id} sends from {}, a US long_code: US carriers block unregistered application-to-person traffic on long codes; register the numbers for 10DLC (kind = \"ten_dlc\")",
                    pool.id
                ));
            }
        }
    }
    out
}

/// Pools that may send to no country that has customers (or a fraud source's numbers).
fn unreachable_pools(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let fraud: Vec<usize> = sc.traffic.iter().filter_map(|t| t.fraud).collect();
    for p in &sc.pools {
        let reaches = p
            .reaches
            .iter()
            .zip(&sc.countries)
            .enumerate()
            .any(|(k, (&r, c))| r && (c.share > 0.0 || fraud.contains(&k)));
        if !reaches {
            let have: Vec<&str> = sc.countries.iter().filter(|c| c.share > 0.0).map(|c| c.id.as_str()).collect();
            out.push(format!(
                "number pool {} ({} {}) can reach no customer: customers are in {}",
                p.id,
                p.country,
                p.kind.name(),
                have.join(", ")
            ));
        }
    }
    out
}

/// Campaigns and traffic with customers (or, for a fraud source, destinations) in a
/// country that none of their pools may send to: those requests end `unroutable` (SPEC
/// 7.3; routing comes before protect, so a blocked country counts too).
fn unroutable_countries(sc: &Scenario) -> Vec<String> {
    // (what, id, from, a fraud source's country); a campaign that sends nothing has its
    // own warning.
    let campaigns = sc.campaigns.iter().filter(|c| !sends_nothing(sc, c)).map(|c| ("campaign", &c.id, &c.from, None));
    let traffic = sc.traffic.iter().map(|t| ("traffic", &t.id, &t.from, t.fraud));
    let mut out = Vec::new();
    for (what, id, from, fraud) in campaigns.chain(traffic) {
        let lost: Vec<String> = destinations(sc, fraud)
            .into_iter()
            .filter(|&(k, share)| share > 0.0 && sc.route(from, k).is_none())
            .map(|(k, share)| format!("{} ({}% of them)", sc.countries[k].id, (share * 1000.0).round() / 10.0))
            .collect();
        if !lost.is_empty() {
            let pools: Vec<&str> = from.iter().map(|&p| sc.pools[p].id.as_str()).collect();
            out.push(format!(
                "{what} {id}: {} in {} are reached by none of its pools ({}): those requests end unroutable; add to its `from` a pool that may send there if that is not intended",
                if fraud.is_some() { "destinations" } else { "customers" },
                lost.join(" and "),
                pools.join(", ")
            ));
        }
    }
    out
}

/// Whether campaign `c`'s first blast is at or after the horizon.
fn sends_nothing(sc: &Scenario, c: &super::Campaign) -> bool {
    c.at >= sc.horizon
}

/// Campaigns whose first blast is at or after the horizon: they send nothing.
fn late_campaigns(sc: &Scenario) -> Vec<String> {
    sc.campaigns
        .iter()
        .filter(|c| sends_nothing(sc, c))
        .map(|c| {
            format!(
                "campaign {} starts at {}, not before the horizon ({}): it sends nothing; lengthen [simulation] horizon or move its `at`",
                c.id,
                span(c.at.as_secs_f64()),
                span(sc.horizon.as_secs_f64())
            )
        })
        .collect()
}

/// The customers of campaign `c` by where its window holds them (SPEC 7.1, 7.3): each
/// (country, time zone) with customers, as its share of them, the pool it is routed to
/// and its label (the zone, and the country when the scenario declares several).
fn groups(sc: &Scenario, c: &super::Campaign) -> Vec<(f64, usize, usize, String)> {
    let mut out = Vec::new();
    for (k, country) in sc.countries.iter().enumerate() {
        let Some(pool) = sc.route(&c.from, k) else { continue }; // unroutable: warned apart
        for &(z, share) in country.time_zones.iter().filter(|z| country.share * z.1 > 0.0) {
            let label = match sc.declares_countries && sc.countries.len() > 1 {
                true => format!("{} ({})", sc.zones[z].name, country.id),
                false => sc.zones[z].name.clone(),
            };
            out.push((country.share * share, z, pool, label));
        }
    }
    out
}

/// A blast's nominal sending ([`sendings`]): its whole cost, its runs as (from, to, share
/// of the cost), and the span its requests arrive over (`spread`), in seconds.
struct Sending {
    cost: f64,
    runs: Vec<ZoneRun>,
    arrive: (f64, f64),
}

/// How much of `from..to` has passed at `t`: 0 before, 1 after.
fn part(t: f64, (from, to): (f64, f64)) -> f64 {
    if t < from {
        0.0
    } else if to > from {
        ((t - from) / (to - from)).min(1.0)
    } else {
        1.0
    }
}

impl Sending {
    /// The cost sent by `t`: no faster than the runs send nor than requests arrive.
    fn by(&self, t: f64) -> f64 {
        let runs: f64 = self.runs.iter().map(|&(from, to, share)| share * part(t, (from, to))).sum();
        self.cost * runs.min(part(t, self.arrive))
    }
}

/// Every campaign blast's [`Sending`] (campaigns with [`many_blasts`] apart): with a sending window (and a calendar), zone by
/// zone as [`windowed_runs`] sends them, each zone's share of what its routable customers
/// cost (zones the window holds out send nothing; the price is the campaign's average);
/// without, evenly over its drain.
fn sendings(sc: &Scenario) -> Vec<Sending> {
    let mut out = Vec::new();
    for c in sc.campaigns.iter().filter(|c| !many_blasts(sc, c)) {
        let cost = c.recipients as f64 * expected_price(sc, &c.from, c.template, None);
        let windowed = sc.templates[c.template].window.is_some() && sc.calendar.is_some();
        // `expected_price` charges unroutable customers nothing: shares are of the rest.
        let routable: f64 = groups(sc, c).iter().map(|g| g.0).sum();
        for start in sc.campaign_starts(c) {
            let s = start.as_secs_f64();
            let runs = if windowed && routable > 0.0 {
                let runs = windowed_runs(sc, c, start).into_iter().flat_map(|(_, r)| r);
                runs.map(|(from, to, share)| (from, to, share / routable)).collect()
            } else {
                vec![(s, s + campaign_drain(sc, c).0, 1.0)]
            };
            out.push(Sending { cost, runs, arrive: (s, s + c.spread.as_secs_f64()) });
        }
    }
    out
}

/// Hours and minutes of `secs` (whole seconds under half a minute), for warnings.
fn span(secs: f64) -> String {
    // Under half a minute in seconds: a 5 s horizon is not "0 min".
    if secs < 30.0 {
        return if secs > 0.0 && secs < 0.5 { "under 1 s".into() } else { format!("{} s", secs.round() as u64) };
    }
    let m = (secs / 60.0).round() as u64;
    if m < 60 { format!("{m} min") } else { format!("{}h{:02}", m / 60, m % 60) }
}

/// Campaigns whose last blast cannot be sent before the horizon at nominal rates (with a
/// sending window, from its opening in each zone: `windowed_finish`).
fn short_horizons(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for c in &sc.campaigns {
        let Some(last) = many::blasts(sc, c).checked_sub(1).and_then(|k| sc.repeat(c, k)) else { continue };
        let parts = c.recipients as f64 * sc.templates[c.template].parts as f64;
        let plural = |x: f64| if x == 1.0 { "" } else { "s" };
        let again = if c.every.is_some() { "last " } else { "" };
        if sc.templates[c.template].window.is_some() && sc.calendar.is_some() {
            // A blast held out in every zone is warned of by `closed_windows`.
            let Some((finish, rate, binds)) = windowed_finish(sc, c, last) else { continue };
            if finish > sc.horizon.as_secs_f64() {
                out.push(format!(
                    "campaign {}: its {again}blast, held by its sending window until it opens in each zone, would be sent by about {} after t=0 at {rate} part{}/s ({binds}), after the horizon ({}): the rest stays pending; lengthen the horizon or add throughput",
                    c.id,
                    span(finish),
                    plural(rate),
                    span(sc.horizon.as_secs_f64())
                ));
            }
            continue;
        }
        let (drain, rate, binds) = campaign_drain(sc, c);
        let left = sc.horizon.as_secs_f64() - last.as_secs_f64();
        if drain > left {
            out.push(format!(
                "campaign {} needs about {} to send {} part{} at {rate} part{}/s ({binds}), but the horizon ends {} after its {again}blast: the rest stays pending; lengthen the horizon or add throughput",
                c.id,
                span(drain),
                super::units::thousands(parts as u64),
                plural(parts),
                plural(rate),
                span(left),
            ));
        }
    }
    out
}

/// Nominal outbound spend by `t` (seconds): campaigns as `blasts` send them
/// ([`sendings`]), traffic at its mean rate, each request at its expected price (routed
/// by country).
fn nominal_spend(sc: &Scenario, blasts: &[Sending], t: f64) -> f64 {
    let mut spend: f64 = blasts.iter().map(|b| b.by(t)).sum();
    for c in sc.campaigns.iter().filter(|c| many_blasts(sc, c)) {
        let (cost, drain) =
            (c.recipients as f64 * expected_price(sc, &c.from, c.template, None), campaign_drain(sc, c).0);
        spend += many::spend_by(sc, c, cost, drain, t);
    }
    for tr in &sc.traffic {
        let span = (t.min(tr.end.as_secs_f64()) - tr.start.as_secs_f64()).max(0.0);
        let mean = tr.shape.as_ref().map_or(1.0, |s| s.mean());
        spend += span * tr.rate * mean * expected_price(sc, &tr.from, tr.template, tr.fraud);
    }
    spend
}

/// A spend limit the nominal outbound cost passes, with about when.
fn spend_limit(sc: &Scenario) -> Option<String> {
    let budget = (sc.spend_limit.micros() - sc.spent.micros()) as f64 / 1e6;
    let horizon = sc.horizon.as_secs_f64();
    let blasts = sendings(sc);
    let total = nominal_spend(sc, &blasts, horizon);
    if total <= budget {
        return None;
    }
    let (mut lo, mut hi) = (0.0, horizon);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if nominal_spend(sc, &blasts, mid) > budget { hi = mid } else { lo = mid }
    }
    Some(format!(
        "the spend limit ({} a month, {} already spent) is passed by the nominal cost of the messages (about {} over the horizon) about {} after t=0: later messages end blocked_spend_limit; raise [account] monthly_spend_limit_usd if that is not intended",
        sc.spend_limit.dollars(),
        sc.spent.dollars(),
        Money::dollars_f64((total * 100.0).round() / 100.0),
        span(hi)
    ))
}
