//! `smsim check`: the resolved scenario and quick analytic estimates at nominal rates.

use crate::scenario::units::thousands;
use crate::scenario::{Limit, LimitScope, Money, Scenario};
use std::fmt::Write as _;

fn secs(t: crate::engine::SimTime) -> String {
    let s = t.as_secs_f64();
    if s >= 3600.0 { format!("{} s ({:.2} h)", thousands(s.round() as u64), s / 3600.0) } else { format!("{s:.3} s") }
}

/// A share as a percentage, to a millionth of a percent without trailing zeros: 29%,
/// 12.5%, not 28.999999999999996%.
fn pct(share: f64) -> String {
    let s = crate::scenario::units::six_decimals(share * 100.0);
    if s == "0" && share > 0.0 {
        // Not none: under a millionth of a percent.
        return "under 0.000001%".into();
    }
    format!("{s}%")
}

pub use crate::scenario::warnings::{effective_rate, hold_traps};

/// A limit in words: its carrier (or every carrier), its rate, caps and what happens at
/// them.
fn describe_limit(sc: &Scenario, l: &Limit) -> String {
    let mut s = format!(
        "{}: {}",
        l.carrier.map_or("every carrier".into(), |c| sc.carriers[c].id.clone()),
        l.mps.map_or("no MPS cap".into(), |m| format!("{m} MPS shared"))
    );
    for c in &l.caps {
        let per = match c.window {
            crate::scenario::Window::Day => "day",
            crate::scenario::Window::Week => "week",
            crate::scenario::Window::Month => "month",
        };
        s.push_str(&format!(", {} parts per {per}", c.parts));
    }
    match l.on_cap {
        crate::scenario::OnCap::Block => {}
        crate::scenario::OnCap::BlockCharged => s.push_str(" (over a cap: blocked and billed)"),
        crate::scenario::OnCap::Hold => s.push_str(" (over a cap: held to the next window)"),
    }
    // A blast that alone passes a cap: how many the cap stops depends on when each part's
    // turn comes, window by window, which the run counts (blocked_daily_cap).
    let least = l.caps.iter().min_by_key(|c| c.parts);
    for c in sc.campaigns.iter().filter(|c| c.recipients > 0) {
        let through = crate::scenario::warnings::parts_through(sc, c, l);
        if let Some(cap) = least.filter(|cap| through > cap.parts as f64) {
            s.push_str(&format!(
                "; one blast of campaign {} puts about {} parts through it, more than its {} cap: {}",
                c.id,
                thousands(through.round() as u64),
                cap.window.name(),
                match l.on_cap {
                    crate::scenario::OnCap::Hold => "a run shows how long the cap holds them (queue wait, drain)",
                    _ => "a run counts what the cap stops (blocked_daily_cap)",
                }
            ));
        }
    }
    s
}

/// Erlang's C formula: the probability that an arrival waits in an M/M/c queue with
/// offered load `a` = lambda / mu erlangs (requires a < c).
fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by its stable recursion, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / c as f64;
    b / (1.0 - rho * (1.0 - b))
}

/// Analytic mean wait before transmission for Poisson arrivals at `lambda` per second
/// with service times of mean `es` and second moment `es2` (seconds), on `c` numbers
/// served as one queue: Pollaczek-Khinchine for c = 1, otherwise the Allen-Cunneen
/// approximation W = (1 + cv^2) / 2 * W(M/M/c), exact for c = 1. None when overloaded.
pub fn mean_wait(lambda: f64, es: f64, es2: f64, c: u32) -> Option<f64> {
    let a = lambda * es;
    if lambda <= 0.0 || a >= c as f64 {
        return None;
    }
    if c == 1 {
        return Some(lambda * es2 / (2.0 * (1.0 - a)));
    }
    let cv2 = (es2 - es * es) / (es * es);
    let mmc = erlang_c(c, a) * es / (c as f64 - a);
    Some((1.0 + cv2) / 2.0 * mmc)
}

fn usd(m: Money) -> String {
    m.dollars()
}

/// The text `smsim check` prints.
pub fn report(sc: &Scenario) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "scenario {} ({}): valid", sc.name, sc.file);
    // With a calendar, its line below says when t=0 is (in a gap of the clocks, the
    // instant after it, not the time written).
    let clock = format!(
        ", t=0 at {:02}:{:02} wall clock",
        sc.start_time_of_day.as_micros() / 3_600_000_000,
        sc.start_time_of_day.as_micros() / 60_000_000 % 60
    );
    let _ = writeln!(
        w,
        "  seed {}, horizon {}, metrics every {}{}",
        sc.seed,
        secs(sc.horizon),
        secs(sc.metrics_interval),
        if sc.calendar.is_some() { "" } else { &clock }
    );
    if let Some(cal) = &sc.calendar {
        let start = cal.start();
        let _ = writeln!(
            w,
            "  calendar: t=0 is {:?} {} {} ({}); days, weeks and windows follow its clock",
            start.weekday(),
            start.date(),
            cal.label(crate::engine::SimTime::ZERO, false),
            cal.zone().name
        );
    }
    let _ = writeln!(w, "account: spend limit {} per month, {} already spent", usd(sc.spend_limit), usd(sc.spent));
    for l in sc.limits.iter().filter(|l| l.scope == LimitScope::Account) {
        let _ = writeln!(w, "  account throughput: {} MPS shared by every number", l.mps.unwrap_or_default());
    }
    for l in sc.limits.iter().filter(|l| l.scope == LimitScope::Shared) {
        let pools: Vec<&str> = l.pools.iter().map(|&p| sc.pools[p].id.as_str()).collect();
        let _ = writeln!(w, "limit {} over {}: {}", l.id, pools.join(", "), describe_limit(sc, l));
    }
    let _ = writeln!(w, "numbers:");
    for (i, p) in sc.pools.iter().enumerate() {
        let _ = writeln!(
            w,
            "  {}: {} x {} ({}), {} MPS each = {} MPS; two-way {}; selection {}; ttl {}; queue limit {}",
            p.id,
            p.count,
            p.kind.name(),
            p.country,
            p.mps,
            p.mps * p.count as f64,
            if p.two_way { "yes" } else { "no" },
            match p.selection {
                crate::scenario::Selection::LeastLoaded => "least_loaded",
                crate::scenario::Selection::RoundRobin => "round_robin",
                crate::scenario::Selection::Sticky => "sticky",
            },
            secs(p.ttl),
            p.queue_limit.map_or("none".into(), |q| format!("{q} parts")),
        );
        // The prices of the countries it reaches (`way`: out or in): one, or each by
        // country where they differ.
        let by_country = |prices: &[Money], base: Money, way: &str| {
            let reached: Vec<(usize, Money)> = prices
                .iter()
                .enumerate()
                .filter(|&(k, _)| p.reaches.get(k) == Some(&true))
                .map(|(k, &m)| (k, m))
                .collect();
            match reached.first() {
                None if p.reaches.is_empty() => format!("{}/part {way}", usd(base)),
                None => format!("no price {way} (it reaches no country)"),
                Some(&(_, first)) if reached.iter().all(|&(_, m)| m == first) => format!("{}/part {way}", usd(first)),
                Some(_) => {
                    let each: Vec<String> =
                        reached.iter().map(|&(k, m)| format!("{} {}", sc.countries[k].id, usd(m))).collect();
                    format!("({})/part {way}", each.join(", "))
                }
            }
        };
        let inbound = if p.two_way {
            by_country(&p.inbound_price_from, p.inbound_price_per_part, "in")
        } else {
            "no inbound (one-way)".into()
        };
        let _ = writeln!(
            w,
            "      price {}, {inbound}; lease {}/number/month; fee {}/month; setup {}",
            by_country(&p.price_to, p.price_per_part, "out"),
            usd(p.monthly_lease),
            usd(p.monthly_fee),
            usd(p.setup_fee)
        );
        for l in sc.limits.iter().filter(|l| l.scope == LimitScope::Pool && l.pools.contains(&i)) {
            let _ = writeln!(w, "      carrier limit toward {}", describe_limit(sc, l));
        }
        if let Some(f) = p.failover {
            let _ = writeln!(w, "      fails over to {} (in an outage, or over its queue limit)", sc.pools[f].id);
        }
        if !p.outages.is_empty() || sc.opt_out_lists.len() > 1 {
            let _ =
                writeln!(w, "      outages: {}; opt-out list {}", p.outages.len(), sc.opt_out_lists[p.opt_out_list]);
        }
    }
    let _ = writeln!(w, "carriers:");
    for c in &sc.carriers {
        let fees: Vec<String> = crate::scenario::Kind::ALL
            .iter()
            .filter(|k| c.fee_per_part[**k] != Money::ZERO)
            .map(|k| format!("{} {}", k.name(), usd(c.fee_per_part[*k])))
            .collect();
        let _ = writeln!(
            w,
            "  {}: share {}, latency mean {:.3} s, failure rate {}, outbound fees per part: {}, outages: {}",
            c.id,
            c.share,
            c.latency.mean_secs(),
            c.failure_rate,
            if fees.is_empty() { "none".into() } else { fees.join(", ") },
            c.outages.len()
        );
    }
    let _ = writeln!(
        w,
        "customers: {} ({} unreachable, {} opted out at t=0)",
        thousands(sc.customers.count as u64),
        pct(sc.customers.unreachable),
        pct(sc.customers.opted_out)
    );
    let zones = |z: &[(usize, f64)]| {
        z.iter().map(|&(k, share)| format!("{} {}", sc.zones[k].name, pct(share))).collect::<Vec<_>>().join(", ")
    };
    for c in sc.countries.iter().filter(|_| sc.declares_countries || sc.zones.len() > 1) {
        let carriers: Vec<&str> = c.carriers.iter().map(|&k| sc.carriers[k].id.as_str()).collect();
        let k = sc.countries.iter().position(|x| x.id == c.id).unwrap_or(0);
        let pools: Vec<String> = sc
            .pools
            .iter()
            .filter(|p| p.reaches[k])
            .map(|p| format!("{} at {}/part", p.id, usd(p.price_to[k])))
            .collect();
        let _ = writeln!(
            w,
            "  country {} (+{}): {} of customers; carriers {}; time zones {}; reached by {}",
            c.id,
            c.calling_code,
            pct(c.share),
            carriers.join(", "),
            zones(&c.time_zones),
            if pools.is_empty() { "no pool (its requests end unroutable)".into() } else { pools.join(", ") }
        );
    }
    for (id, t) in
        sc.campaigns.iter().map(|c| (&c.id, c.template)).chain(sc.traffic.iter().map(|t| (&t.id, t.template)))
    {
        if let Some(win) = sc.templates[t].window {
            let hm = |s: u32| format!("{:02}:{:02}", s / 3600, s / 60 % 60);
            let days: Vec<&str> = crate::calendar::WEEKDAYS
                .iter()
                .enumerate()
                .filter(|(i, _)| win.days & (1 << i) != 0)
                .map(|x| *x.1)
                .collect();
            let _ = writeln!(
                w,
                "  {id}: sent only {} to {} ({}) in the recipient's local time",
                hm(win.from),
                hm(win.to),
                days.join(" ")
            );
        }
    }
    let pr = &sc.protect;
    if !pr.block_countries.is_empty() || pr.filter.is_some() {
        let mut what = Vec::new();
        if !pr.block_countries.is_empty() {
            what.push(format!("blocks {}", pr.block_countries.join(", ")));
        }
        if let Some(f) = pr.filter {
            what.push(format!(
                "a filter catches {} of fraud and {} of genuine requests, {} per screened request",
                pct(f.catch_rate),
                pct(f.false_positive_rate),
                usd(f.fee)
            ));
        }
        let _ = writeln!(w, "protect: {}", what.join("; "));
    }
    let (leases, setup) = sc.fixed_costs();
    // Prorated to the horizon's microsecond: shown to the cent, as the run's costs are.
    let _ = writeln!(
        w,
        "fixed costs over the horizon: leases and monthly fees {}, setup {}",
        leases.cents(),
        setup.cents()
    );

    let mut offered = vec![0.0f64; sc.pools.len()];
    // Each campaign without spread, and the parts a blast of it puts on each pool at once.
    let mut burst: Vec<Vec<(&crate::scenario::Campaign, f64)>> = vec![Vec::new(); sc.pools.len()];
    if !sc.campaigns.is_empty() {
        let _ = writeln!(
            w,
            "campaigns (drain time alone at the pool's nominal rate, under every shared rate that covers it):"
        );
    }
    let pools_of = |from: &[usize]| from.iter().map(|&p| sc.pools[p].id.as_str()).collect::<Vec<_>>().join(" then ");
    for c in &sc.campaigns {
        let t = &sc.templates[c.template];
        let (drain, rate, binds) = crate::scenario::warnings::campaign_drain(sc, c);
        let parts = c.recipients as f64 * t.parts as f64;
        let per_msg = crate::scenario::warnings::expected_price(sc, &c.from, c.template, None);
        let repeats = crate::scenario::warnings::blasts(sc, c);
        let affordable = if per_msg > 0.0 {
            thousands(((sc.spend_limit.micros() - sc.spent.micros()).max(0) as f64 / 1e6 / per_msg).floor() as u64)
        } else {
            "any number of".to_string()
        };
        let _ = writeln!(
            w,
            "  {}: {} recipients x {} part(s) ({}) from {} at {}, {} blast(s); drain {} at {:.2} parts/s{}; about {} a message; the spend limit allows about {} messages",
            c.id,
            thousands(c.recipients as u64),
            t.parts,
            t.encoding.name(),
            pools_of(&c.from),
            secs(c.at),
            thousands(repeats),
            secs(crate::engine::SimTime::from_secs_f64(drain)),
            rate,
            {
                let mut why: Vec<String> = Vec::new();
                if binds != "numbers" {
                    why.push(format!("bound by {binds}"));
                }
                if drain <= c.spread.as_secs_f64() && c.spread > crate::engine::SimTime::ZERO {
                    why.push("its spread decides: at that rate it would be sent sooner".into());
                }
                // A sending window that is closed somewhere at the first blast holds those
                // customers until it opens there (those it holds out are warned of apart).
                let first = sc.campaign_starts(c).next().filter(|_| t.window.is_some() && sc.calendar.is_some());
                if let Some(first) = first.filter(|&s| crate::scenario::warnings::held_share(sc, c, s) > 0.0) {
                    let first_blast = if repeats > 1 { "its first blast " } else { "" };
                    why.push(match crate::scenario::warnings::windowed_finish(sc, c, first) {
                        Some((finish, ..)) => format!(
                            "its sending window holds it: {first_blast}sent by about {} after t=0",
                            secs(crate::engine::SimTime::from_secs_f64(finish))
                        ),
                        None => format!(
                            "its sending window holds {} out in every zone: see the warnings",
                            if repeats > 1 { "its first blast" } else { "it" }
                        ),
                    });
                }
                if why.is_empty() { String::new() } else { format!(" ({})", why.join("; ")) }
            },
            Money::dollars_f64(per_msg),
            affordable
        );
        for (&p, share) in c.from.iter().zip(crate::scenario::warnings::routed_shares(sc, &c.from, None)) {
            if c.spread > crate::engine::SimTime::ZERO {
                offered[p] += share * parts / c.spread.as_secs_f64();
            } else if share > 0.0 {
                burst[p].push((c, share * parts));
            }
        }
    }
    if !sc.traffic.is_empty() {
        let _ = writeln!(w, "traffic:");
    }
    for tr in &sc.traffic {
        let t = &sc.templates[tr.template];
        let mean = tr.shape.as_ref().map_or(1.0, |s| s.mean());
        for (&p, share) in tr.from.iter().zip(crate::scenario::warnings::routed_shares(sc, &tr.from, tr.fraud)) {
            offered[p] += share * tr.rate * mean * t.parts as f64;
        }
        let _ = writeln!(
            w,
            "  {}: {} requests/s x {} part(s) from {}, from {} to {}{}; about {} a request",
            tr.id,
            tr.rate,
            t.parts,
            pools_of(&tr.from),
            secs(tr.start),
            secs(tr.end),
            tr.fraud.map_or(String::new(), |k| format!(
                " (fraud: new numbers in {} that never answer)",
                sc.countries[k].id
            )) + &t.max_price.map_or(String::new(), |m| format!(", max price {} a message", usd(m))),
            Money::dollars_f64(crate::scenario::warnings::expected_price(sc, &tr.from, tr.template, tr.fraud))
        );
    }
    for p in sc.pools.iter().filter(|p| p.two_way) {
        let words: Vec<&str> = p.keywords.iter().map(|k| k.word.as_str()).collect();
        let _ = writeln!(w, "keywords on {}: {}", p.id, words.join(" "));
    }
    for t in &sc.topics {
        let pools: Vec<&str> = t.pools.iter().map(|&p| sc.pools[p].id.as_str()).collect();
        let _ = writeln!(w, "topic {} (inbound of {}):", t.id, pools.join(", "));
        for s in &t.subscriptions {
            let sched = crate::sms::retry::Schedule::new(&s.retry);
            let _ = writeln!(
                w,
                "  {}: {}, latency mean {:.3} s, failure rate {}, concurrency {}, {} attempts over {}, then {}{}",
                s.id,
                s.protocol.name(),
                s.latency.mean_secs(),
                s.failure_rate,
                if s.concurrency == u32::MAX { "unlimited".to_string() } else { s.concurrency.to_string() },
                thousands(sched.attempts()),
                secs(sched.total()),
                if s.dead_letter_queue { "dead-letter queue" } else { "dropped" },
                s.handler.map_or(String::new(), |f| format!(", handler flow {}", sc.flows[f].id)),
            );
        }
    }
    for f in &sc.flows {
        let rules: Vec<String> = f
            .rules
            .iter()
            .map(|r| {
                let mut x = r.when.join("|");
                if r.template.is_some() {
                    x.push_str(" -> reply");
                }
                if let Some(o) = r.outcome {
                    x.push_str(&format!(" -> {}", sc.outcomes[o]));
                }
                x
            })
            .collect();
        let _ = writeln!(w, "flow {}: {}", f.id, rules.join("; "));
    }
    let mut queues = Vec::new();
    for (i, p) in sc.pools.iter().enumerate() {
        // Poisson traffic into this pool: total rate and the moments of a message's
        // service time (parts / mps).
        // (Each source's share routed to this pool, by country.)
        let routed = |t: &crate::scenario::Traffic| {
            let shares = crate::scenario::warnings::routed_shares(sc, &t.from, t.fraud);
            t.from.iter().zip(shares).filter(|x| *x.0 == i).map(|x| x.1).sum::<f64>()
        };
        let feeds: Vec<(f64, f64)> = sc
            .traffic
            .iter()
            .map(|t| (t.rate * routed(t), sc.templates[t.template].parts as f64 / p.mps))
            .filter(|f| f.0 > 0.0)
            .collect();
        let lambda: f64 = feeds.iter().map(|f| f.0).sum();
        if lambda <= 0.0 {
            continue;
        }
        let es = feeds.iter().map(|f| f.0 * f.1).sum::<f64>() / lambda;
        let es2 = feeds.iter().map(|f| f.0 * f.1 * f.1).sum::<f64>() / lambda;
        let model = if es2 - es * es < 1e-12 { "D" } else { "G" };
        let line = match p.selection {
            crate::scenario::Selection::LeastLoaded => {
                let name = if p.count == 1 {
                    format!("M/{model}/1, Pollaczek-Khinchine")
                } else {
                    // least_loaded commits a message to a number on arrival; with equal
                    // service times it deals them like one shared queue would.
                    format!(
                        "M/{model}/{} shared queue, Allen-Cunneen; simulated waits come out at or a little above it",
                        p.count
                    )
                };
                match mean_wait(lambda, es, es2, p.count) {
                    Some(wq) => format!("mean wait before transmission {wq:.3} s ({name})"),
                    None => format!("overloaded ({name}): the queue grows while this traffic lasts"),
                }
            }
            _ => match mean_wait(lambda / p.count as f64, es, es2, 1) {
                Some(wq) => format!(
                    "mean wait before transmission {wq:.3} s (each number M/{model}/1 at lambda/{}, Pollaczek-Khinchine; an upper bound for round_robin)",
                    p.count
                ),
                None => "overloaded: the queues grow while this traffic lasts".to_string(),
            },
        };
        queues.push(format!(
            "  {}: Poisson {lambda:.3} requests/s, service {es:.3} s a message: {line}; carrier limits and campaigns not included",
            p.id
        ));
    }
    if !queues.is_empty() {
        let _ = writeln!(w, "queueing at nominal rates (compare with queue_wait_mean_s in summary.csv):");
        for q in queues {
            let _ = writeln!(w, "{q}");
        }
    }
    let _ = writeln!(
        w,
        "utilisation at nominal rates (steady parts/s offered over capacity; a blast without spread is a burst: how long each keeps the pool at capacity):"
    );
    for (i, p) in sc.pools.iter().enumerate() {
        let (cap, binds) = effective_rate(sc, i);
        let rho = offered[i] / cap;
        let _ = writeln!(
            w,
            "  {}: {:.3} parts/s offered, {:.3} parts/s capacity{}, utilisation {:.1}%{}{}",
            p.id,
            offered[i],
            cap,
            if binds == "numbers" { String::new() } else { format!(" (bound by {binds})") },
            rho * 100.0,
            if rho >= 1.0 { " (over capacity: its queue grows while this load lasts)" } else { "" },
            burst[i]
                .iter()
                .map(|&(c, parts)| {
                    let every = match (c.every, c.every_days) {
                        (Some(_), Some(d)) if sc.calendar.is_some() => format!(", every {d} day(s)"),
                        (Some(e), _) => format!(", every {}", secs(e)),
                        _ => String::new(),
                    };
                    format!(
                        "; campaign {}'s blast without spread: about {} parts, at capacity for about {}{every}",
                        c.id,
                        thousands(parts.round() as u64),
                        secs(crate::engine::SimTime::from_secs_f64(parts / cap))
                    )
                })
                .collect::<String>()
        );
    }
    // A shared rate carries every covered pool's offer through it (by carrier share).
    for l in sc.limits.iter().filter(|l| l.scope != LimitScope::Pool || l.pools.len() > 1) {
        let Some(mps) = l.mps else { continue };
        let share = |p: usize| l.carrier.map_or(1.0, |c| crate::scenario::warnings::carrier_share(sc, p, c));
        let load: f64 = l.pools.iter().map(|&p| offered[p] * share(p)).sum();
        let rho = load / mps;
        let _ = writeln!(
            w,
            "  limit {}: {load:.3} parts/s offered through it, {mps:.3} MPS, utilisation {:.1}%{}",
            l.id,
            rho * 100.0,
            if rho >= 1.0 { " (binds: the pools it covers cannot all run at their own rate)" } else { "" }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pollaczek_khinchine_and_erlang_c() {
        // M/D/1 at rho = 0.8 with 1 s service: 0.8 / (2 * 0.2) = 2 s.
        assert!((mean_wait(0.8, 1.0, 1.0, 1).unwrap() - 2.0).abs() < 1e-12);
        // M/M/1 (es2 = 2 es^2) at rho = 0.5, service 1 s: rho / (mu - lambda) = 1 s.
        assert!((mean_wait(0.5, 1.0, 2.0, 1).unwrap() - 1.0).abs() < 1e-12);
        // Erlang C for c = 2, a = 1: 1/3 (textbook value).
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // M/M/2 at lambda = mu = 1: C / (c mu - lambda) = (1/3) / 1 = 1/3 s, which is also
        // the closed form rho^2 / (mu (1 - rho^2)) with rho = 0.5.
        assert!((mean_wait(1.0, 1.0, 2.0, 2).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(mean_wait(1.0, 1.0, 1.0, 1), None, "rho = 1 is overloaded");
    }

    #[test]
    fn shares_read_as_percentages_without_float_noise() {
        assert_eq!(pct(0.29), "29%", "0.29 x 100 is 28.999999999999996 in floating point");
        assert_eq!(pct(0.07), "7%");
        assert_eq!(pct(0.125), "12.5%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.000000004), "under 0.000001%", "not none");
        assert_eq!(pct(0.0000123), "0.00123%");
    }
}
