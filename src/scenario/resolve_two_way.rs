//! The two-way part of resolving a scenario (SPEC 3.8-3.10): keywords (built-in and
//! declared), flows and their outcomes, topics and subscriptions with their retry
//! policies checked against the provider's limits.

use super::defaults;
use super::raw::{Action, RawRetry, RawScenario, RawSubscription, Words};
use super::resolve::{DEFAULT_PRIORITY, Fail, at, index_ids, template};
use super::units::thousands;
use super::*;
use crate::sms::segments::segment;
use std::collections::HashMap;

fn builtin_template(body: &str) -> Template {
    let seg = segment(body);
    Template {
        body: body.to_string(),
        encoding: seg.encoding,
        parts: seg.parts as u32,
        replies: Vec::new(),
        priority: DEFAULT_PRIORITY,
        window: None,
        max_price: None,
    }
}

/// Built-in keywords on every two-way pool, then the declared ones (which replace a
/// built-in of the same word on their number).
pub(super) fn keywords(
    raw: &RawScenario,
    pool_ids: &HashMap<&str, usize>,
    pools: &mut [Pool],
    templates: &mut Vec<Template>,
) -> Result<(), Fail> {
    let base = templates.len();
    templates.push(builtin_template(defaults::OPT_OUT_RESPONSE));
    templates.push(builtin_template(defaults::HELP_RESPONSE));
    templates.push(builtin_template(defaults::OPT_IN_RESPONSE));
    for p in pools.iter_mut().filter(|p| p.two_way) {
        let out = defaults::OPT_OUT_WORDS.iter().map(|w| (w, Action::OptOut, base));
        let help = std::iter::once((&"HELP", Action::AutoReply, base + 1));
        let opt_in = defaults::OPT_IN_WORDS.iter().map(|w| (w, Action::OptIn, base + 2));
        p.keywords = out
            .chain(help)
            .chain(opt_in)
            .map(|(w, action, template)| Keyword { word: w.to_string(), action, template, source: 0 })
            .collect();
    }
    let mut declared = vec![0usize; pools.len()];
    let mut seen: HashMap<(usize, String), usize> = HashMap::new();
    for (i, k) in raw.keyword.iter().enumerate() {
        let pool = *pool_ids
            .get(k.number.as_str())
            .ok_or_else(|| (at(&[&"keyword", &i, &"number"]), format!("no [[number]] with id \"{}\"", k.number)))?;
        if !pools[pool].two_way {
            return Err((
                at(&[&"keyword", &i, &"number"]),
                format!("number \"{}\" cannot receive (two_way = false), so it has no keywords", k.number),
            ));
        }
        let word = k.word.trim();
        if word.is_empty() || word.chars().count() > 30 || word.contains(char::is_whitespace) {
            return Err((at(&[&"keyword", &i, &"word"]), "a keyword is one word of 1 to 30 characters".into()));
        }
        declared[pool] += 1;
        if declared[pool] > 30 {
            return Err((at(&[&"keyword", &i, &"word"]), format!("more than 30 keywords on number \"{}\"", k.number)));
        }
        let mut t = template("keyword", i, (&k.body, k.smart_encoding), &k.replies, k.priority)?;
        t.max_price = k.max_price_per_message_usd.map(|u| u.0);
        templates.push(t);
        let word = word.to_uppercase();
        if let Some(first) = seen.insert((pool, word.clone()), i) {
            return Err((
                at(&[&"keyword", &i, &"word"]),
                format!(
                    "keyword \"{word}\" is declared twice on number \"{}\" ([[keyword]] entries {} and {})",
                    k.number,
                    first + 1,
                    i + 1
                ),
            ));
        }
        let kw = Keyword {
            word: word.clone(),
            action: k.action.unwrap_or_default(),
            template: templates.len() - 1,
            source: 0,
        };
        let list = &mut pools[pool].keywords;
        match list.iter_mut().find(|x| x.word == word) {
            Some(existing) => *existing = kw,
            None => list.push(kw),
        }
    }
    Ok(())
}

pub(super) fn flows(raw: &RawScenario, templates: &mut Vec<Template>) -> Result<(Vec<Flow>, Vec<String>), Fail> {
    index_ids("flow", raw.flow.iter().map(|f| f.id.as_str()))?;
    let mut outcomes: Vec<String> = Vec::new();
    let mut flows = Vec::with_capacity(raw.flow.len());
    for (i, f) in raw.flow.iter().enumerate() {
        let mut rules = Vec::with_capacity(f.rule.len());
        for (j, r) in f.rule.iter().enumerate() {
            let words: Vec<String> = match &r.when {
                Words::One(w) => vec![w.clone()],
                Words::Many(ws) => ws.clone(),
            };
            if words.is_empty() || words.iter().any(|w| w.trim().is_empty() || w.trim().contains(char::is_whitespace)) {
                return Err((
                    at(&[&"flow", &i, &"rule", &j, &"when"]),
                    "when is a word or a list of words (\"*\" matches anything)".into(),
                ));
            }
            let template = match &r.body {
                Some(body) => {
                    let mut t = template("flow", i, (body, r.smart_encoding), &r.replies, r.priority)
                        .map_err(|(_, m)| (at(&[&"flow", &i, &"rule", &j, &"body"]), m))?;
                    t.max_price = r.max_price_per_message_usd.map(|u| u.0);
                    templates.push(t);
                    Some(templates.len() - 1)
                }
                None if !r.replies.is_empty() => {
                    return Err((at(&[&"flow", &i, &"rule", &j, &"replies"]), "replies need a body to answer".into()));
                }
                None => None,
            };
            if r.outcome.as_deref().is_some_and(|o| o.trim().is_empty() || o.contains([',', '"', '\n', '\r'])) {
                return Err((
                    at(&[&"flow", &i, &"rule", &j, &"outcome"]),
                    "an outcome label is a non-empty name without commas, quotes or line breaks".into(),
                ));
            }
            let outcome = r.outcome.as_ref().map(|o| match outcomes.iter().position(|x| x == o) {
                Some(k) => k,
                None => {
                    outcomes.push(o.clone());
                    outcomes.len() - 1
                }
            });
            rules.push(Rule { when: words.iter().map(|w| w.trim().to_uppercase()).collect(), template, outcome });
        }
        flows.push(Flow { id: f.id.clone(), rules, source: 0 });
    }
    Ok((flows, outcomes))
}

fn retry(raw: &RawRetry, protocol: Protocol, path: &dyn Fn(&str) -> Vec<Seg>) -> Result<RetryPolicy, Fail> {
    let d = &protocol.defaults().retry;
    let p = RetryPolicy {
        num_retries: raw.num_retries,
        num_no_delay_retries: raw.num_no_delay_retries.unwrap_or(0),
        num_min_delay_retries: raw.num_min_delay_retries.unwrap_or(0),
        min_delay: raw.min_delay_target.map_or(d.min_delay, |x| x.0),
        num_max_delay_retries: raw.num_max_delay_retries.unwrap_or(0),
        max_delay: raw.max_delay_target.map_or(d.max_delay, |x| x.0),
        backoff: raw.backoff_function.unwrap_or_default(),
    };
    let phases = p.num_no_delay_retries as u64 + p.num_min_delay_retries as u64 + p.num_max_delay_retries as u64;
    if phases > p.num_retries as u64 {
        return Err((
            path("num_retries"),
            format!("num_retries ({}) is less than the retries of its phases ({phases})", p.num_retries),
        ));
    }
    if p.min_delay > p.max_delay {
        return Err((path("min_delay_target"), "min_delay_target is greater than max_delay_target".into()));
    }
    if p.num_retries > 10_000_000 {
        return Err((path("num_retries"), "num_retries is over 10,000,000".into()));
    }
    if let Some(lim) = protocol.defaults().custom_limits {
        let fmt_s = |t: SimTime| thousands(t.as_micros() / 1_000_000);
        if p.num_retries > lim.max_retries {
            return Err((path("num_retries"), format!("an HTTP/S policy allows at most {} retries", lim.max_retries)));
        }
        if p.max_delay > lim.max_delay {
            return Err((
                path("max_delay_target"),
                format!("an HTTP/S policy allows delays up to {} s", fmt_s(lim.max_delay)),
            ));
        }
        let total = crate::sms::retry::Schedule::new(&p).total();
        if total > lim.max_total {
            return Err((
                path("num_retries"),
                format!("an HTTP/S policy's retries must fit in {} s; this one takes {total} s", fmt_s(lim.max_total)),
            ));
        }
    }
    Ok(p)
}

fn subscription(ti: usize, si: usize, s: &RawSubscription, flows: &[Flow]) -> Result<Subscription, Fail> {
    let path = |k: &str| at(&[&"topic", &ti, &"subscription", &si, &k]);
    let retry = match &s.retry {
        Some(r) => retry(r, s.protocol, &|k| at(&[&"topic", &ti, &"subscription", &si, &"retry", &k]))?,
        None => s.protocol.defaults().retry.clone(),
    };
    let mut outages = Vec::with_capacity(s.outages.len());
    for (j, o) in s.outages.iter().enumerate() {
        if o.from.0 >= o.to.0 {
            return Err((
                at(&[&"topic", &ti, &"subscription", &si, &"outages", &j, &"to"]),
                "an outage must end after it starts (to > from)".into(),
            ));
        }
        outages.push((o.from.0, o.to.0));
    }
    outages.sort();
    let concurrency = match s.concurrency {
        Some(0) => return Err((path("concurrency"), "concurrency must be at least 1".into())),
        Some(c) => c,
        None => s.protocol.defaults().concurrency,
    };
    let handler = match &s.handler {
        Some(h) => Some(
            flows
                .iter()
                .position(|f| &f.id == h)
                .ok_or_else(|| (path("handler"), format!("no [[flow]] with id \"{h}\"")))?,
        ),
        None => None,
    };
    Ok(Subscription {
        id: s.id.clone(),
        protocol: s.protocol,
        latency: s.latency.clone().unwrap_or(Dist::Constant(crate::sms::protocol::SUBSCRIBER_LATENCY)),
        failure_rate: s.failure_rate.map_or(0.0, |p| p.0),
        outages,
        concurrency,
        retry,
        dead_letter_queue: s.dead_letter_queue.unwrap_or(false),
        handler,
    })
}

pub(super) fn topics(
    raw: &RawScenario,
    pool_ids: &HashMap<&str, usize>,
    pools: &[Pool],
    flows: &[Flow],
) -> Result<Vec<Topic>, Fail> {
    index_ids("topic", raw.topic.iter().map(|t| t.id.as_str()))?;
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut topics = Vec::with_capacity(raw.topic.len());
    for (ti, t) in raw.topic.iter().enumerate() {
        let mut tpools = Vec::with_capacity(t.numbers.len());
        for (k, n) in t.numbers.iter().enumerate() {
            let p = *pool_ids
                .get(n.as_str())
                .ok_or_else(|| (at(&[&"topic", &ti, &"numbers", &k]), format!("no [[number]] with id \"{n}\"")))?;
            if !pools[p].two_way {
                return Err((
                    at(&[&"topic", &ti, &"numbers", &k]),
                    format!("number \"{n}\" cannot receive (two_way = false)"),
                ));
            }
            if !tpools.contains(&p) {
                tpools.push(p);
            }
        }
        let mut subs = Vec::with_capacity(t.subscription.len());
        for (si, s) in t.subscription.iter().enumerate() {
            if s.id.is_empty() || !s.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err((
                    at(&[&"topic", &ti, &"subscription", &si, &"id"]),
                    format!("id \"{}\" must be non-empty and use only letters, digits, '_' and '-'", s.id),
                ));
            }
            if let Some(first) = seen.insert(s.id.as_str(), (ti, si)) {
                return Err((
                    at(&[&"topic", &ti, &"subscription", &si, &"id"]),
                    format!("subscription id \"{}\" is used twice (also in topic \"{}\")", s.id, raw.topic[first.0].id),
                ));
            }
            subs.push(subscription(ti, si, s, flows)?);
        }
        topics.push(Topic { id: t.id.clone(), pools: tpools, subscriptions: subs });
    }
    Ok(topics)
}
