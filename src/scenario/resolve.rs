//! Raw structs -> a validated [`Scenario`]: defaults filled, ids resolved, every
//! cross-field check of SPEC 3. An error is the path of the key at fault and a message.

use super::defaults;
use super::raw::{From, RawCampaign, RawReply, RawScenario, RawTraffic, Recipients};
use super::resolve_calendar::{self, moment, shape, window, zone_shares};
use super::resolve_countries;
use super::resolve_limits::{
    MAX_OPT_OUT_LISTS, MIN_RATE, account_limit, carrier_limits, check_coverage, failovers, outages, shared_limits,
};
use super::resolve_two_way::{flows, keywords, topics};
use super::units::{Dist, Duration, Priority};
use super::when::Moment;
use super::*;
use crate::sms::segments::segment;
use std::collections::HashMap;

pub(super) type Fail = (Vec<Seg>, String);

/// The priority of a template that does not say (SPEC 6.1).
pub(super) const DEFAULT_PRIORITY: u8 = 5;

/// The fastest Poisson traffic accepted, requests per second.
const MAX_TRAFFIC_RATE: f64 = 1e6;
/// The largest customer population accepted.
const MAX_CUSTOMERS: u32 = 200_000_000;
/// The most `timeseries.csv` rows a run may produce.
const MAX_TIMESERIES_ROWS: u64 = 50_000_000;

pub(super) fn at(path: &[&dyn PathPart]) -> Vec<Seg> {
    path.iter().map(|p| p.seg()).collect()
}

pub(super) trait PathPart {
    fn seg(&self) -> Seg;
}
impl PathPart for &str {
    fn seg(&self) -> Seg {
        Seg::Key((*self).to_string())
    }
}
impl PathPart for usize {
    fn seg(&self) -> Seg {
        Seg::Index(*self)
    }
}

/// Map ids to indices, rejecting duplicates.
pub(super) fn index_ids<'a>(
    section: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<&'a str, usize>, Fail> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err((
                at(&[&section, &i, &"id"]),
                format!("id \"{id}\" must be non-empty and use only letters, digits, '_' and '-'"),
            ));
        }
        if let Some(first) = map.insert(id, i) {
            return Err((
                at(&[&section, &i, &"id"]),
                format!("id \"{id}\" is used twice ([[{section}]] entries {} and {})", first + 1, i + 1),
            ));
        }
    }
    Ok(map)
}

pub(super) fn template(
    section: &str,
    i: usize,
    (body, smart): (&str, Option<bool>),
    replies: &[RawReply],
    priority: Option<Priority>,
) -> Result<Template, Fail> {
    // With smart encoding, what is sent (and segmented) is the replaced text (SPEC 8).
    let body = &*if smart == Some(true) { crate::sms::smart::apply(body) } else { body.into() };
    if body.is_empty() {
        return Err((at(&[&section, &i, &"body"]), "body is empty: providers refuse a message with no text".into()));
    }
    let seg = segment(body);
    if seg.parts > 10 {
        return Err((
            at(&[&section, &i, &"body"]),
            format!(
                "body takes {} parts ({} {} units); a message may take at most 10",
                seg.parts,
                seg.units,
                seg.encoding.name()
            ),
        ));
    }
    let total: f64 = replies.iter().map(|r| r.p.0).sum();
    if total > 1.0 + 1e-9 {
        return Err((at(&[&section, &i, &"replies"]), format!("reply probabilities sum to {total}, more than 1")));
    }
    Ok(Template {
        body: body.to_string(),
        encoding: seg.encoding,
        parts: seg.parts as u32,
        replies: replies
            .iter()
            .map(|r| Reply {
                body: r.body.clone(),
                p: r.p.0,
                after: r.after.clone(),
                parts: segment(&r.body).parts as u32,
                word: first_word(&r.body).to_uppercase(),
            })
            .collect(),
        priority: priority.map_or(DEFAULT_PRIORITY, |p| p.0),
        max_price: None,
        window: None,
    })
}

fn dur(d: Option<Duration>, default: SimTime) -> SimTime {
    d.map_or(default, |d| d.0)
}

pub(super) fn resolve(raw: RawScenario, file: &str, stem: &str) -> Result<Scenario, Fail> {
    let sim = &raw.simulation;
    let horizon = sim.horizon.0;
    if horizon == SimTime::ZERO {
        return Err((at(&[&"simulation", &"horizon"]), "horizon must be greater than 0".into()));
    }
    let metrics_interval = dur(sim.metrics_interval, SimTime::from_secs(defaults::METRICS_INTERVAL_SECS));
    if metrics_interval == SimTime::ZERO {
        return Err((at(&[&"simulation", &"metrics_interval"]), "metrics_interval must be greater than 0".into()));
    }
    if horizon.as_micros() / metrics_interval.as_micros() > 10_000_000 {
        return Err((
            at(&[&"simulation", &"metrics_interval"]),
            "more than 10,000,000 intervals before the horizon; use a wider metrics_interval".into(),
        ));
    }

    let carrier_ids = index_ids("carrier", raw.carrier.iter().map(|c| c.id.as_str()))?;
    if raw.carrier.len() > 255 {
        return Err((at(&[&"carrier"]), "at most 255 carriers".into()));
    }
    if raw.carrier.is_empty() {
        return Err((
            at(&[&"carrier"]),
            "at least one [[carrier]] is required (with share = 1 for a single carrier)".into(),
        ));
    }
    let mut carriers = Vec::with_capacity(raw.carrier.len());
    for (i, c) in raw.carrier.iter().enumerate() {
        let latency = c.latency.clone().unwrap_or(Dist::Constant(SimTime::from_secs(defaults::CARRIER_LATENCY_SECS)));
        let mut outages = Vec::with_capacity(c.outages.len());
        for (j, o) in c.outages.iter().enumerate() {
            if o.from.0 >= o.to.0 {
                return Err((
                    at(&[&"carrier", &i, &"outages", &j, &"to"]),
                    "an outage must end after it starts (to > from)".into(),
                ));
            }
            outages.push((o.from.0, o.to.0));
        }
        outages.sort();
        carriers.push(Carrier {
            id: c.id.clone(),
            share: c.share.0,
            inbound_latency: c.inbound_latency.clone().unwrap_or_else(|| latency.clone()),
            latency,
            failure_rate: c.failure_rate.map_or(0.0, |p| p.0),
            fee_per_part: c.fee_per_part_usd.0,
            inbound_fee_per_part: c.inbound_fee_per_part_usd.0,
            outages,
        });
    }

    let (calendar, mut zones) = resolve_calendar::calendar(&raw)?;
    let pool_ids = index_ids("number", raw.number.iter().map(|n| n.id.as_str()))?;
    let mut pools = Vec::with_capacity(raw.number.len());
    let mut pool_limits = Vec::new();
    let mut opt_out_lists: Vec<String> = Vec::new();
    for (i, n) in raw.number.iter().enumerate() {
        let d = n.kind.defaults();
        let count = n.count.unwrap_or(1);
        if count == 0 {
            return Err((at(&[&"number", &i, &"count"]), "count must be at least 1".into()));
        }
        let mps = n.mps.map_or(d.mps, |r| r.0);
        if mps < MIN_RATE {
            return Err((
                at(&[&"number", &i, &"mps"]),
                format!("mps must be at least {MIN_RATE} (one part in 11.6 days)"),
            ));
        }
        if count > 1_000_000 {
            return Err((at(&[&"number", &i, &"count"]), "at most 1,000,000 numbers in a pool".into()));
        }
        if n.kind == Kind::SenderId && n.two_way == Some(true) {
            return Err((
                at(&[&"number", &i, &"two_way"]),
                "a sender_id cannot receive: two_way = true is not possible".into(),
            ));
        }
        pool_limits.extend(carrier_limits(&raw, i, &n.carrier_limit, &carrier_ids)?);
        let list = n.opt_out_list.clone().unwrap_or_else(|| "default".into());
        // An error about the list is at its key, or at the pool when it took the default.
        let list_at =
            || if n.opt_out_list.is_some() { at(&[&"number", &i, &"opt_out_list"]) } else { at(&[&"number", &i]) };
        if list.trim().is_empty() {
            return Err((list_at(), "an opt-out list needs a name".into()));
        }
        let opt_out_list = match opt_out_lists.iter().position(|l| *l == list) {
            Some(k) => k,
            None if opt_out_lists.len() == MAX_OPT_OUT_LISTS => {
                return Err((
                    list_at(),
                    format!("at most {MAX_OPT_OUT_LISTS} opt-out lists in a scenario (\"{list}\" would be the 8th)"),
                ));
            }
            None => {
                opt_out_lists.push(list);
                opt_out_lists.len() - 1
            }
        };
        pools.push(Pool {
            id: n.id.clone(),
            kind: n.kind,
            count,
            country: n.country.clone().unwrap_or_else(|| "US".into()),
            mps,
            two_way: n.two_way.unwrap_or(d.two_way),
            selection: n.selection.unwrap_or_default(),
            queue_limit: n.queue_limit,
            ttl: dur(n.ttl, SimTime::from_secs(defaults::TTL_SECS)),
            price_per_part: n.price_per_part_usd.map_or(d.price_per_part, |u| u.0),
            inbound_price_per_part: n.inbound_price_per_part_usd.map_or(d.inbound_price_per_part, |u| u.0),
            monthly_lease: n.monthly_lease_usd.map_or(d.monthly_lease, |u| u.0),
            monthly_fee: n.monthly_fee_usd.map_or(d.monthly_fee, |u| u.0),
            setup_fee: n.setup_fee_usd.map_or(d.setup_fee, |u| u.0),
            outages: outages(&n.outages, &|j| at(&[&"number", &i, &"outages", &j]))?,
            failover: None,
            opt_out_list,
            keywords: Vec::new(),
            calling_code: String::new(),
            reaches: Vec::new(),
            price_to: Vec::new(),
            inbound_price_from: Vec::new(),
        });
    }
    for (pool, f) in pools.iter_mut().zip(failovers(&raw, &pool_ids)?) {
        pool.failover = f;
    }
    let mut limits: Vec<Limit> = account_limit(&raw, pools.len())?.into_iter().collect();
    limits.extend(pool_limits);
    limits.extend(shared_limits(&raw, &pool_ids, &carrier_ids)?);
    check_coverage(&limits, pools.len(), carriers.len())?;

    let cust = &raw.customers;
    if cust.count == 0 || cust.count > MAX_CUSTOMERS {
        return Err((at(&[&"customers", &"count"]), format!("count must be from 1 to {MAX_CUSTOMERS}")));
    }
    let scopes = 1 + pools.len() as u64 + carriers.len() as u64;
    if horizon.as_micros().div_ceil(metrics_interval.as_micros()) * scopes > MAX_TIMESERIES_ROWS {
        return Err((
            at(&[&"simulation", &"metrics_interval"]),
            format!("timeseries.csv would have over {MAX_TIMESERIES_ROWS} rows; use a wider metrics_interval"),
        ));
    }
    let time_zones = match &cust.time_zones {
        Some(list) => zone_shares(list, &mut zones, calendar.is_some(), &at(&[&"customers", &"time_zones"]))?,
        None => vec![(0, 1.0)],
    };
    let countries = resolve_countries::countries(&raw, &carrier_ids, &mut zones, &time_zones, calendar.is_some())?;
    resolve_countries::routes(&raw, &countries, &mut pools)?;
    let customers = Customers {
        count: cust.count,
        unreachable: cust.unreachable.map_or(0.0, |p| p.0),
        opted_out: cust.opted_out.map_or(0.0, |p| p.0),
        time_zones,
    };

    let pool_id = |section: &str, i: usize, (j, n): (usize, usize), from: &str| -> Result<usize, Fail> {
        pool_ids.get(from).copied().ok_or_else(|| {
            let known: Vec<&str> = raw.number.iter().map(|n| n.id.as_str()).collect();
            (
                if n > 1 { at(&[&section, &i, &"from", &j]) } else { at(&[&section, &i, &"from"]) },
                format!(
                    "no [[number]] with id \"{from}\" (known: {})",
                    if known.is_empty() { "none".into() } else { known.join(", ") }
                ),
            )
        })
    };
    let pool_of = |section: &str, i: usize, from: &From| -> Result<Vec<usize>, Fail> {
        from.0.iter().enumerate().map(|(j, id)| pool_id(section, i, (j, from.0.len()), id)).collect()
    };

    let mut templates = Vec::new();
    index_ids("campaign", raw.campaign.iter().map(|c| c.id.as_str()))?;
    let mut campaigns = Vec::with_capacity(raw.campaign.len());
    for (i, c) in raw.campaign.iter().enumerate() {
        campaigns.push(campaign(i, c, &pool_of, &mut templates, &customers, (horizon, calendar.as_ref()))?);
    }
    index_ids("traffic", raw.traffic.iter().map(|t| t.id.as_str()))?;
    let mut traffic = Vec::with_capacity(raw.traffic.len());
    for (i, t) in raw.traffic.iter().enumerate() {
        traffic.push(traffic_source(i, t, &pool_of, &mut templates, (horizon, calendar.as_ref()))?);
    }
    super::protect::fraud(&raw, &countries, &mut traffic)?;
    let protect = super::protect::protect(&raw, &countries)?;

    keywords(&raw, &pool_ids, &mut pools, &mut templates)?;
    let (mut flows, outcomes) = flows(&raw, &mut templates)?;
    let topics = topics(&raw, &pool_ids, &pools, &flows)?;
    let sources = sources(&mut campaigns, &mut traffic, &mut pools, &mut flows, &templates);
    if templates.len() > u16::MAX as usize {
        return Err((at(&[&"campaign"]), "more than 65,535 message templates".into()));
    }

    let name = sim.name.clone().unwrap_or_else(|| stem.to_string());
    if name.is_empty()
        || name.starts_with('.')
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err((
            at(&[&"simulation", &"name"]),
            format!("name \"{name}\" names the output folder: use letters, digits, '_', '-' and '.' (not first)"),
        ));
    }

    Ok(Scenario {
        file: file.to_string(),
        name,
        seed: sim.seed.unwrap_or(1),
        horizon,
        metrics_interval,
        start_time_of_day: match &calendar {
            Some(c) => {
                SimTime::from_micros(c.start().time().duration_since(jiff::civil::Time::midnight()).as_micros() as u64)
            }
            None => sim.start_time_of_day.map_or(SimTime::ZERO, |t| t.0),
        },
        calendar,
        zones,
        declares_countries: !raw.country.is_empty(),
        countries,
        spend_limit: raw.account.monthly_spend_limit_usd.map_or(defaults::SPEND_LIMIT, |u| u.0),
        spent: raw.account.spent_usd.map_or(Money::ZERO, |u| u.0),
        amortize_setup_months: match raw.account.amortize_setup_months {
            Some(0) => {
                return Err((
                    at(&[&"account", &"amortize_setup_months"]),
                    "amortize_setup_months must be at least 1".into(),
                ));
            }
            Some(n) => n,
            None => defaults::AMORTIZE_SETUP_MONTHS,
        },
        protect,
        pools,
        carriers,
        customers,
        templates,
        campaigns,
        traffic,
        topics,
        flows,
        outcomes,
        limits,
        opt_out_lists,
        sources,
        variant: "base".to_string(),
        variants: Vec::new(),
    })
}

type PoolOf<'a> = dyn Fn(&str, usize, &From) -> Result<Vec<usize>, Fail> + 'a;

fn campaign(
    i: usize,
    c: &RawCampaign,
    pool_of: &PoolOf,
    templates: &mut Vec<Template>,
    customers: &Customers,
    (horizon, calendar): (SimTime, Option<&Calendar>),
) -> Result<Campaign, Fail> {
    let from = pool_of("campaign", i, &c.from)?;
    let mut t = template("campaign", i, (&c.body, c.smart_encoding), &c.replies, c.priority)?;
    t.max_price = c.max_price_per_message_usd.map(|u| u.0);
    t.window =
        c.window.as_ref().map(|w| window(w, calendar.is_some(), at(&[&"campaign", &i, &"window"]))).transpose()?;
    templates.push(t);
    let recipients = match c.recipients.unwrap_or(Recipients::All) {
        Recipients::All => customers.count,
        Recipients::First(n) if n > customers.count => {
            return Err((
                at(&[&"campaign", &i, &"recipients"]),
                format!("{n} recipients but customers.count is {}", customers.count),
            ));
        }
        Recipients::First(n) => n,
    };
    let moment_at =
        |m: Option<Moment>, key: &str| m.map(|m| moment(m, calendar, at(&[&"campaign", &i, &key]))).transpose();
    let at_t = moment_at(c.at, "at")?.unwrap_or(SimTime::ZERO);
    let until = moment_at(c.until, "until")?;
    if c.every.is_some_and(|e| e.0 == SimTime::ZERO) {
        return Err((at(&[&"campaign", &i, &"every"]), "every must be greater than 0".into()));
    }
    if c.until.is_some() && c.every.is_none() {
        return Err((at(&[&"campaign", &i, &"until"]), "until needs every (the repeat period)".into()));
    }
    if until.is_some_and(|u| u < at_t) {
        return Err((at(&[&"campaign", &i, &"until"]), "until is before at".into()));
    }
    if let (Some(every), Some(spread)) = (c.every, c.spread) {
        if every.0 < spread.0 {
            return Err((
                at(&[&"campaign", &i, &"every"]),
                "every is shorter than spread: a repeat would start before the previous blast's requests are made"
                    .into(),
            ));
        }
    }
    const DAY_US: u64 = 86_400_000_000;
    let every_days = c
        .every
        .filter(|e| calendar.is_some() && e.0.as_micros() % DAY_US == 0)
        .map(|e| (e.0.as_micros() / DAY_US) as i64);
    Ok(Campaign {
        id: c.id.clone(),
        source: 0,
        pool: from[0],
        from,
        template: templates.len() - 1,
        at: at_t,
        recipients,
        spread: dur(c.spread, SimTime::ZERO),
        every: c.every.map(|e| e.0),
        every_days,
        until: until.unwrap_or(horizon),
    })
}

fn traffic_source(
    i: usize,
    t: &RawTraffic,
    pool_of: &PoolOf,
    templates: &mut Vec<Template>,
    (horizon, calendar): (SimTime, Option<&Calendar>),
) -> Result<Traffic, Fail> {
    let from = pool_of("traffic", i, &t.from)?;
    let mut tpl = template("traffic", i, (&t.body, t.smart_encoding), &t.replies, t.priority)?;
    tpl.max_price = t.max_price_per_message_usd.map(|u| u.0);
    tpl.window =
        t.window.as_ref().map(|w| window(w, calendar.is_some(), at(&[&"traffic", &i, &"window"]))).transpose()?;
    templates.push(tpl);
    let moment_at =
        |m: Option<Moment>, key: &str| m.map(|m| moment(m, calendar, at(&[&"traffic", &i, &key]))).transpose();
    let start = moment_at(t.start, "start")?.unwrap_or(SimTime::ZERO);
    let end = moment_at(t.end, "end")?.unwrap_or(horizon);
    let shape = shape(t.profile.as_deref(), t.days, calendar.is_some(), &at(&[&"traffic", &i]))?;
    if start > end {
        let key = if t.end.is_some() { "end" } else { "start" };
        return Err((at(&[&"traffic", &i, &key]), format!("start ({start} s) is after end ({end} s)")));
    }
    let peak = t.rate.0 * shape.as_ref().map_or(1.0, |s| s.peak());
    if peak > MAX_TRAFFIC_RATE {
        return Err((
            at(&[&"traffic", &i, &"rate"]),
            format!("rate (times its largest profile and day factors) is over {MAX_TRAFFIC_RATE} requests per second"),
        ));
    }
    let (pool, template) = (from[0], templates.len() - 1);
    Ok(Traffic { id: t.id.clone(), source: 0, pool, from, template, rate: t.rate.0, shape, start, end, fraud: None })
}

/// Every source of outbound requests, and each one's index on what makes its requests:
/// campaigns, traffic, keywords (one per word, across pools) and flows.
fn sources(
    campaigns: &mut [Campaign],
    traffic: &mut [Traffic],
    pools: &mut [Pool],
    flows: &mut [Flow],
    templates: &[Template],
) -> Vec<RequestSource> {
    let mut out = Vec::new();
    let mut add = |name: String, priority: u8, (workload, fraud): (bool, bool)| {
        out.push(RequestSource { name, priority, workload, fraud });
        out.len() - 1
    };
    for c in campaigns {
        c.source = add(format!("campaign:{}", c.id), templates[c.template].priority, (true, false));
    }
    for t in traffic {
        t.source = add(format!("traffic:{}", t.id), templates[t.template].priority, (true, t.fraud.is_some()));
    }
    let mut words: HashMap<String, usize> = HashMap::new();
    for p in pools.iter_mut() {
        for k in &mut p.keywords {
            k.source = *words
                .entry(k.word.clone())
                .or_insert_with(|| add(format!("keyword:{}", k.word), templates[k.template].priority, (false, false)));
        }
    }
    for f in flows {
        let priority = f.rules.iter().find_map(|r| r.template).map_or(DEFAULT_PRIORITY, |t| templates[t].priority);
        f.source = add(format!("flow:{}", f.id), priority, (false, false));
    }
    out
}
