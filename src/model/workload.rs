//! The workload (SPEC 3.7): campaigns (blasts to the first N customers, spread evenly and
//! repeated) and traffic (Poisson streams to random customers). A campaign is a
//! description: each of its events says which customers to request now and when to come
//! back.

use super::message::stream;
use crate::engine::SimTime;
use crate::engine::rng::{self, Stream, unit};
use crate::scenario::{Calendar, Scenario, Shape, Traffic, Zone};
use rand_distr::{Distribution, Exp, Exp1};
use std::ops::Range;

#[derive(Debug, Default, Clone, Copy)]
struct CampaignState {
    occurrence: u64,
    next: u32,
    start: SimTime,
}

#[derive(Debug)]
struct TrafficState {
    stream: Stream,
    sequence: u64,
    gaps: Option<Exp<f64>>,
    /// With a shape: the rate's pieces `(start, requests per second)`, in time order, and
    /// the piece the last arrival fell in.
    pieces: Vec<(u64, f64)>,
    piece: usize,
}

/// The pieces of traffic `t`'s rate (SPEC 7.2): its rate times the profile's factor of
/// the local time of day and the weekday's factor, from t = 0 to its end.
fn pieces(sc: &Scenario, t: &Traffic, shape: &Shape) -> Vec<(u64, f64)> {
    let times: Vec<u32> = shape.profile.iter().map(|s| s.0).collect();
    // Without a calendar, Part I's clock: `start_time_of_day` at t = 0 on a UTC day (no
    // daylight saving; weekday factors need `start`, so they are all 1 here).
    let part_one = || {
        let sod = (sc.start_time_of_day.as_micros() / 1_000_000) as i32;
        let start = jiff::civil::date(1970, 1, 1).at((sod / 3600) as i8, (sod / 60 % 60) as i8, (sod % 60) as i8, 0);
        Calendar::new(start, Zone::get("UTC").expect("UTC is a zone")).expect("1970 is in range")
    };
    let marks = sc.calendar.clone().unwrap_or_else(part_one).daily_marks(&times, t.end);
    marks.into_iter().map(|(at, wd, k)| (at, t.rate * shape.profile[k].1 * shape.days[wd as usize])).collect()
}

/// The first instant after `from` at which the integral of the piecewise rate `pieces`
/// from `from` reaches `e` (a unit exponential: the next arrival of the non-homogeneous
/// Poisson process, by inverting its cumulative rate), starting the search at piece `*i`.
fn invert(pieces: &[(u64, f64)], i: &mut usize, from: u64, mut e: f64) -> Option<u64> {
    let mut t = from;
    while *i + 1 < pieces.len() && pieces[*i + 1].0 <= t {
        *i += 1;
    }
    loop {
        let rate = pieces[*i].1;
        let end = pieces.get(*i + 1).map(|p| p.0);
        let room = end.map_or(f64::INFINITY, |end| (end - t) as f64 / 1e6 * rate);
        if room >= e {
            return (rate > 0.0).then(|| t + SimTime::from_secs_f64(e / rate).as_micros());
        }
        e -= room;
        t = end?;
        *i += 1;
    }
}

/// A source of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Campaign index.
    Campaign(u32),
    /// Traffic source index.
    Traffic(u32),
}

/// What a campaign event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blast {
    /// The customers to request now.
    pub(crate) customers: Range<u32>,
    /// Which repeat of the campaign this is.
    pub(crate) occurrence: u64,
    /// When the campaign's next event is, if it has one.
    pub(crate) next: Option<SimTime>,
}

/// One arrival of a traffic source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrival {
    /// The customer.
    pub(crate) customer: u32,
    /// Its sequence number in the source.
    pub(crate) origin: u64,
    /// The source's next arrival, if before its end.
    pub(crate) next: Option<SimTime>,
}

/// The state of every campaign and traffic source.
#[derive(Debug)]
pub(crate) struct Workload {
    campaigns: Vec<CampaignState>,
    traffic: Vec<TrafficState>,
}

impl Workload {
    /// The workload of `sc` under `seed`; `first(at, source)` is called for each
    /// source's first event, campaigns first.
    pub(crate) fn new(sc: &Scenario, seed: u64, mut first: impl FnMut(SimTime, Source)) -> Self {
        let mut campaigns = Vec::with_capacity(sc.campaigns.len());
        for (i, c) in sc.campaigns.iter().enumerate() {
            if c.recipients > 0 && c.at <= sc.horizon {
                first(c.at, Source::Campaign(i as u32));
            }
            campaigns.push(CampaignState { occurrence: 0, next: 0, start: c.at });
        }
        let mut sources = Vec::with_capacity(sc.traffic.len());
        for (i, t) in sc.traffic.iter().enumerate() {
            let stream = rng::stream(seed, &[stream::TRAFFIC, i as u64]);
            let gaps = (t.rate > 0.0).then(|| Exp::new(t.rate).expect("rate > 0"));
            let mut st = TrafficState { stream, sequence: 0, gaps, pieces: Vec::new(), piece: 0 };
            let at = match (&t.shape, &st.gaps) {
                (Some(shape), Some(_)) => {
                    st.pieces = pieces(sc, t, shape);
                    let e: f64 = Exp1.sample(&mut st.stream);
                    invert(&st.pieces, &mut st.piece, t.start.as_micros(), e).map(SimTime::from_micros)
                }
                (None, Some(e)) => Some(t.start + SimTime::from_secs_f64(e.sample(&mut st.stream))),
                (_, None) => None,
            };
            if let Some(at) = at.filter(|&at| at <= t.end) {
                first(at, Source::Traffic(i as u32));
            }
            sources.push(st);
        }
        Self { campaigns, traffic: sources }
    }

    /// Campaign `i`'s event: every recipient at once without a spread, else the next one;
    /// then its next recipient's time, or its next repeat if the blast is done.
    pub(crate) fn campaign(&mut self, sc: &Scenario, i: usize) -> Blast {
        let c = &sc.campaigns[i];
        let st = &mut self.campaigns[i];
        let n = c.recipients;
        let from = st.next;
        let to = if c.spread == SimTime::ZERO { n } else { from + 1 };
        let occurrence = st.occurrence;
        let next = if to < n {
            st.next = to;
            let offset = (c.spread.as_micros() as u128 * to as u128 / n as u128) as u64;
            Some(st.start + SimTime::from_micros(offset))
        } else {
            // This blast is done: the next repeat, if any.
            sc.repeat(c, st.occurrence + 1).inspect(|&start| {
                *st = CampaignState { occurrence: st.occurrence + 1, next: 0, start };
            })
        };
        Blast { customers: from..to, occurrence, next }
    }

    /// Traffic source `i`'s arrival at `now`: a random customer, and the next arrival.
    pub(crate) fn traffic(&mut self, sc: &Scenario, i: usize, now: SimTime) -> Arrival {
        let t = &sc.traffic[i];
        let st = &mut self.traffic[i];
        let customer = (unit(&mut st.stream) * sc.customers.count as f64) as u32 % sc.customers.count;
        let origin = st.sequence;
        st.sequence += 1;
        let next = if st.pieces.is_empty() {
            let gap = st.gaps.as_ref().expect("scheduled only with rate > 0").sample(&mut st.stream);
            Some(now + SimTime::from_secs_f64(gap))
        } else {
            let e: f64 = Exp1.sample(&mut st.stream);
            invert(&st.pieces, &mut st.piece, now.as_micros(), e).map(SimTime::from_micros)
        };
        Arrival { customer, origin, next: next.filter(|&n| n <= t.end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(campaign: &str) -> Scenario {
        let text = format!(
            "[simulation]\nhorizon = \"10h\"\n[customers]\ncount = 100\n\
             [[carrier]]\nid = \"a\"\nshare = 1\n[[number]]\nid = \"n\"\nkind = \"long_code\"\n\
             [[campaign]]\nid = \"c\"\nfrom = \"n\"\nbody = \"hi\"\n{campaign}"
        );
        crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap()
    }

    #[test]
    fn a_blast_without_spread_is_one_event_and_repeats_until_the_end() {
        let sc = scenario("recipients = 10\nevery = \"4h\"\n");
        let mut first = Vec::new();
        let mut w = Workload::new(&sc, 1, |at, s| first.push((at, s)));
        assert_eq!(first, vec![(SimTime::ZERO, Source::Campaign(0))]);
        let b = w.campaign(&sc, 0);
        assert_eq!(b, Blast { customers: 0..10, occurrence: 0, next: Some(SimTime::from_secs(4 * 3600)) });
        assert_eq!(w.campaign(&sc, 0).next, Some(SimTime::from_secs(8 * 3600)));
        let last = w.campaign(&sc, 0);
        assert_eq!((last.occurrence, last.next), (2, None), "a repeat at 12 h is past the horizon");
    }

    #[test]
    fn a_spread_blast_requests_one_customer_an_event_evenly() {
        let sc = scenario("recipients = 4\nspread = \"4s\"\n");
        let mut w = Workload::new(&sc, 1, |_, _| {});
        let nexts: Vec<Option<SimTime>> = (0..4).map(|_| w.campaign(&sc, 0).next).collect();
        let s = |x| Some(SimTime::from_secs(x));
        assert_eq!(nexts, vec![s(1), s(2), s(3), None]);
    }
}
