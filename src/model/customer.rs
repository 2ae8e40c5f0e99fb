//! Customers: each one's carrier, whether their handset receives, and whether they are on
//! the opt-out list (SPEC 3.5); how they answer a message is drawn in `draws` (SPEC 3.6).

use super::message::stream;
use crate::engine::rng::{self, unit};
use crate::scenario::Scenario;
use std::sync::Arc;

const UNREACHABLE: u8 = 1;
/// Bits 1 to 7: on opt-out list 0 to 6.
const LISTS_SHIFT: u8 = 1;

/// The customer population as plain arrays indexed by customer.
#[derive(Debug)]
pub(crate) struct Customers {
    /// The population's carriers, fixed once drawn (shared with the draws made ahead).
    carrier: Arc<Vec<u8>>,
    /// Fraud destinations' carriers, customers from `customers.count` on.
    fraud_carrier: Vec<u8>,
    flags: Vec<u8>,
    /// Country index by customer; empty with one country.
    country: Vec<u8>,
    /// Time-zone index (into `Scenario::zones`) by customer; empty with one zone.
    zone: Vec<u8>,
    /// How each country's customers are drawn (for fraud destinations).
    draws: Vec<CountryDraw>,
    /// Whether customers' zones are kept (`zone` is in use).
    zoned: bool,
    /// The opt-out lists someone may be on (flag bits; set, never cleared).
    lists_used: u8,
    /// The run's seed and the customers' domain: each customer's stream continues it.
    keys: rng::Keys,
}

/// A country's carriers and zones with their cumulative shares.
#[derive(Debug)]
struct CountryDraw {
    carriers: Vec<u8>,
    carrier_cum: Vec<f64>,
    zones: Vec<u8>,
    zone_cum: Vec<f64>,
}

/// By cumulative share: the first entry whose cumulative share passes `u`. A draw past
/// the last (shares summing to 1 less rounding) goes to the last entry with a share, never
/// to a zero-share one.
///
/// Shares are never negative, so the cumulative shares never fall and the first entry
/// past `u` is the count of those at or below it: counted without a branch, as the draws
/// are uniform and a search would mispredict about once a customer.
#[inline]
fn pick(cum: &[f64], u: f64) -> usize {
    let k = cum.iter().map(|&x| (x <= u) as usize).sum::<usize>();
    if k < cum.len() {
        return k;
    }
    (0..cum.len()).rev().find(|&i| cum[i] > if i == 0 { 0.0 } else { cum[i - 1] }).unwrap_or(0)
}

/// Slices of the customer table from one index on (`country` and `zone` empty when not kept).
struct Table<'a> {
    carrier: &'a mut [u8],
    flags: &'a mut [u8],
    country: &'a mut [u8],
    zone: &'a mut [u8],
}

/// Fill `t`, whose first customer is `first`, by halves in parallel (rayon) down to
/// slices of 64 Ki customers, each filled by `leaf(first, slices)`.
fn fill(first: usize, t: Table<'_>, leaf: &(impl Fn(usize, Table<'_>) + Sync)) {
    let n = t.carrier.len();
    if n <= 1 << 16 {
        return leaf(first, t);
    }
    let mid = n / 2;
    let (c0, c1) = t.carrier.split_at_mut(mid);
    let (f0, f1) = halves(t.flags, mid);
    let (k0, k1) = halves(t.country, mid);
    let (z0, z1) = halves(t.zone, mid);
    rayon::join(
        || fill(first, Table { carrier: c0, flags: f0, country: k0, zone: z0 }, leaf),
        || fill(first + mid, Table { carrier: c1, flags: f1, country: k1, zone: z1 }, leaf),
    );
}

/// Each customer of `t` (the first `first`) by `draw`: carrier, flags, country, zone.
fn draw_each(first: usize, t: Table<'_>, draw: impl Fn(usize) -> [u8; 4]) {
    for i in 0..t.carrier.len() {
        let [c, f, k, z] = draw(first + i);
        t.carrier[i] = c;
        t.flags[i] = f;
        if let Some(x) = t.country.get_mut(i) {
            *x = k;
        }
        if let Some(x) = t.zone.get_mut(i) {
            *x = z;
        }
    }
}

/// Each customer's carrier in `carrier` (the first `first`) when it is the only draw (one
/// country, one zone, nobody unreachable or opted out at t = 0): `unit_of(i)`, customer
/// `i`'s first uniform, made for four customers at a time, whose hashes are independent
/// and so overlap in the processor; then `carrier_of(u)`.
fn draw_carriers(first: usize, carrier: &mut [u8], unit_of: impl Fn(usize) -> f64, carrier_of: impl Fn(f64) -> u8) {
    let n = carrier.len();
    let mut quads = carrier.chunks_exact_mut(4);
    for (q, out) in (&mut quads).enumerate() {
        let i = first + 4 * q;
        let u = [unit_of(i), unit_of(i + 1), unit_of(i + 2), unit_of(i + 3)];
        for (o, u) in out.iter_mut().zip(u) {
            *o = carrier_of(u);
        }
    }
    let done = n - quads.into_remainder().len();
    for (i, o) in carrier.iter_mut().enumerate().skip(done) {
        *o = carrier_of(unit_of(first + i));
    }
}

/// `s` split at `mid`, or two empty slices if `s` is empty (a column not kept).
fn halves(s: &mut [u8], mid: usize) -> (&mut [u8], &mut [u8]) {
    if s.is_empty() { (&mut [], &mut []) } else { s.split_at_mut(mid) }
}

impl Customers {
    /// Draw every customer of `sc` under `seed`: a uniform for the carrier, then the
    /// unreachable and opted-out shares (each drawn only if above zero or if a later draw
    /// follows), then (with several) the country and the time zone, each from the
    /// customer's own stream so that they never depend on numbers or
    /// workload. The carrier is picked by share among the carriers of the customer's
    /// country (every carrier in Part I, so Part I draws are unchanged).
    pub(crate) fn new(sc: &Scenario, seed: u64) -> Self {
        let n = sc.customers.count as usize;
        let cumulative = |shares: &mut dyn Iterator<Item = f64>| -> Vec<f64> {
            shares
                .scan(0.0, |acc, x| {
                    *acc += x;
                    Some(*acc)
                })
                .collect()
        };
        let countries = &sc.countries;
        let country_cum = cumulative(&mut countries.iter().map(|c| c.share));
        let carrier_cum: Vec<Vec<f64>> =
            countries.iter().map(|c| cumulative(&mut c.carriers.iter().map(|&k| sc.carriers[k].share))).collect();
        let zone_cum: Vec<Vec<f64>> =
            countries.iter().map(|c| cumulative(&mut c.time_zones.iter().map(|z| z.1))).collect();
        let many_zones = countries.iter().any(|c| c.time_zones.iter().any(|z| z.0 != 0));
        let every_list = (((1u16 << sc.opt_out_lists.len().max(1)) - 1) as u8) << LISTS_SHIFT;
        let multi = countries.len() > 1;
        let opted_out_draw = sc.customers.opted_out > 0.0 || multi || many_zones;
        // Customer i's draws, from its own stream: each is independent of every other, so
        // the table is filled in parallel slices and is the same whatever the threads.
        let keys = rng::Keys::new(seed).then(&[stream::CUSTOMER]);
        let stream_of = |i: usize| keys.then(&[i as u64]).stream();
        // The carrier of a customer of country `k` whose first uniform is `u`.
        let carrier_of = |k: usize, u: f64| countries[k].carriers[pick(&carrier_cum[k], u)] as u8;
        // Whether anyone's flags are drawn (else every draw is the carrier's).
        let flags_drawn = opted_out_draw || sc.customers.unreachable > 0.0;
        let draw = |i: usize| -> [u8; 4] {
            let mut r = stream_of(i);
            let u = unit(&mut r);
            let mut f = 0;
            // A share of zero is never drawn below (`unit` >= 0): its draw is made only if
            // a later one depends on where the stream is.
            if flags_drawn && unit(&mut r) < sc.customers.unreachable {
                f |= UNREACHABLE;
            }
            if opted_out_draw && unit(&mut r) < sc.customers.opted_out {
                // On every list at t = 0.
                f |= every_list;
            }
            let k = if multi { pick(&country_cum, unit(&mut r)) } else { 0 };
            let zone = if many_zones {
                let z = &countries[k].time_zones;
                (if z.len() > 1 { z[pick(&zone_cum[k], unit(&mut r))].0 } else { z[0].0 }) as u8
            } else {
                0
            };
            [carrier_of(k, u), f, k as u8, zone]
        };
        let mut carrier = vec![0; n];
        let mut flags = vec![0; n];
        let mut country = vec![0; if multi { n } else { 0 }];
        let mut zone = vec![0; if many_zones { n } else { 0 }];
        if flags_drawn {
            let t = Table { carrier: &mut carrier, flags: &mut flags, country: &mut country, zone: &mut zone };
            fill(0, t, &|first, t| draw_each(first, t, draw));
        } else {
            // What `draw` makes of a customer then: its carrier, and zeros (the flags are
            // left as allocated, zero, and their pages untouched).
            let unit_of = |i: usize| unit(&mut stream_of(i));
            let t = Table { carrier: &mut carrier, flags: &mut [], country: &mut [], zone: &mut [] };
            fill(0, t, &|first, t: Table<'_>| draw_carriers(first, t.carrier, unit_of, |u| carrier_of(0, u)));
        }
        let draws = (0..countries.len())
            .map(|k| CountryDraw {
                carriers: countries[k].carriers.iter().map(|&c| c as u8).collect(),
                carrier_cum: carrier_cum[k].clone(),
                zones: countries[k].time_zones.iter().map(|z| z.0 as u8).collect(),
                zone_cum: zone_cum[k].clone(),
            })
            .collect();
        let lists_used = if sc.customers.opted_out > 0.0 { every_list } else { 0 };
        Self {
            carrier: Arc::new(carrier),
            fraud_carrier: Vec::new(),
            flags,
            country,
            zone,
            draws,
            zoned: many_zones,
            lists_used,
            keys,
        }
    }

    /// A new customer in country `k`, beyond the population: a fraud source's destination
    /// (SPEC 8), always reachable, on no opt-out list, who never answers. Its carrier and
    /// zone are drawn by share from its own stream, as a genuine customer's are. (Past
    /// 2^32 customers, the last one is used again.)
    pub(crate) fn add_fraud(&mut self, k: usize) -> u32 {
        let i = self.carrier.len() + self.fraud_carrier.len();
        if i > u32::MAX as usize {
            return u32::MAX;
        }
        let mut r = self.keys.then(&[i as u64]).stream();
        let d = &self.draws[k];
        self.fraud_carrier.push(d.carriers[pick(&d.carrier_cum, unit(&mut r))]);
        self.flags.push(0);
        if self.draws.len() > 1 {
            self.country.push(k as u8);
        }
        if self.zoned {
            self.zone.push(if d.zones.len() > 1 { d.zones[pick(&d.zone_cum, unit(&mut r))] } else { d.zones[0] });
        }
        i as u32
    }

    /// The customer's country index.
    #[inline]
    pub(crate) fn country(&self, c: u32) -> u8 {
        self.country.get(c as usize).copied().unwrap_or(0)
    }

    /// The customer's time-zone index.
    #[inline]
    pub(crate) fn zone(&self, c: u32) -> u8 {
        self.zone.get(c as usize).copied().unwrap_or(0)
    }

    /// The customer's carrier index.
    #[inline]
    pub(crate) fn carrier(&self, c: u32) -> u8 {
        match self.carrier.get(c as usize) {
            Some(&k) => k,
            None => self.fraud_carrier[c as usize - self.carrier.len()],
        }
    }

    /// The population's carriers, by customer.
    pub(crate) fn carriers(&self) -> Arc<Vec<u8>> {
        Arc::clone(&self.carrier)
    }

    /// Whether the customer's handset never receives.
    #[inline]
    pub(crate) fn unreachable(&self, c: u32) -> bool {
        self.flags[c as usize] & UNREACHABLE != 0
    }

    /// Whether the customer is on opt-out list `list`.
    #[inline]
    pub(crate) fn opted_out(&self, c: u32, list: usize) -> bool {
        self.flags[c as usize] & (1 << (LISTS_SHIFT as usize + list)) != 0
    }

    /// Whether nobody has been on opt-out list `list` (so none need be looked up).
    #[inline]
    pub(crate) fn list_empty(&self, list: usize) -> bool {
        self.lists_used & (1 << (LISTS_SHIFT as usize + list)) == 0
    }

    /// Put the customer on opt-out list `list`; true if they were not on it.
    pub(crate) fn opt_out(&mut self, c: u32, list: usize) -> bool {
        self.lists_used |= 1 << (LISTS_SHIFT as usize + list);
        let was = self.opted_out(c, list);
        self.flags[c as usize] |= 1 << (LISTS_SHIFT as usize + list);
        !was
    }

    /// Take the customer off opt-out list `list`.
    pub(crate) fn opt_in(&mut self, c: u32, list: usize) {
        self.flags[c as usize] &= !(1 << (LISTS_SHIFT as usize + list));
    }
}

#[cfg(test)]
impl Customers {
    /// `n` customers: customer `c` on carrier `c % 3`, all reachable, on no list.
    pub(crate) fn for_test(n: u32) -> Self {
        Customers {
            carrier: Arc::new((0..n).map(|c| (c % 3) as u8).collect()),
            fraud_carrier: Vec::new(),
            flags: vec![0; n as usize],
            country: Vec::new(),
            zone: Vec::new(),
            draws: Vec::new(),
            zoned: false,
            lists_used: 0,
            keys: rng::Keys::new(0).then(&[stream::CUSTOMER]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        crate::scenario::load_str(&text(extra), "t.toml", "t", &[]).unwrap()
    }

    fn text(extra: &str) -> String {
        format!(
            "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 20000\n{extra}\n\
             [[carrier]]\nid = \"a\"\nshare = 0.25\n[[carrier]]\nid = \"b\"\nshare = 0.75\n\
             [[number]]\nid = \"n\"\nkind = \"long_code\"\n\
             [[campaign]]\nid = \"c\"\nfrom = \"n\"\nbody = \"hi\"\nreplies = [{{ body = \"YES\", p = 0.5, after = \"1s\" }}]\n"
        )
    }

    /// With the carrier the only draw, the table is filled four customers at a time: the
    /// same carriers as one by one from each customer's stream (over the parallel
    /// slices' edges and a count that is no multiple of four).
    #[test]
    fn a_carrier_only_population_is_drawn_as_one_by_one() {
        let n = 200_003u32;
        let text = text("").replace("count = 20000", &format!("count = {n}"));
        let sc = crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap();
        let c = Customers::new(&sc, 7);
        let keys = rng::Keys::new(7).then(&[stream::CUSTOMER]);
        for i in 0..n {
            let u = unit(&mut keys.then(&[i as u64]).stream());
            assert_eq!(c.carrier(i), if u < 0.25 { 0 } else { 1 }, "customer {i}");
        }
    }

    /// The count at or below the draw picks as the search it replaced, the first entry
    /// whose cumulative share passes the draw, including zero shares (equal cumulative
    /// shares), draws on an edge, and shares that sum to 1 less rounding.
    #[test]
    fn pick_is_the_first_cumulative_share_past_the_draw() {
        let search = |cum: &[f64], u: f64| {
            cum.iter().position(|&x| u < x).unwrap_or_else(|| {
                (0..cum.len()).rev().find(|&i| cum[i] > if i == 0 { 0.0 } else { cum[i - 1] }).unwrap_or(0)
            })
        };
        let tables: [&[f64]; 6] = [
            &[1.0],
            &[0.4, 0.7, 1.0],
            &[0.0, 0.5, 0.5, 1.0],
            &[0.3, 0.3, 0.3],
            &[0.25, 0.5, 0.75, 0.999_999_9],
            &[0.0, 0.0, 0.0],
        ];
        let mut x = 11u64;
        for cum in tables {
            // Each edge, the double just below it, and a little further below.
            let below = |c: f64| if c > 0.0 { f64::from_bits(c.to_bits() - 1) } else { c };
            let edges = cum.iter().flat_map(|&c| [c, below(c), (c - 1e-12).max(0.0)]);
            let draws = (0..20_000).map(|_| {
                x = rng::mix64(x);
                (x >> 11) as f64 / (1u64 << 53) as f64
            });
            for u in edges.chain([0.0, 0.999_999_95, 1.0 - f64::EPSILON / 2.0]).chain(draws) {
                assert_eq!(pick(cum, u), search(cum, u), "{cum:?} at {u}");
            }
        }
    }

    #[test]
    fn carriers_by_share_and_the_opt_out_list() {
        let sc = scenario("unreachable = 0.1");
        let mut c = Customers::new(&sc, 7);
        let n = 20_000.0;
        // Binomial: sd of the count of carrier 0 is sqrt(n p (1-p)) = 61; 5 sd is 306.
        let on_a = (0..20_000).filter(|&i| c.carrier(i) == 0).count() as f64;
        assert!((on_a - 0.25 * n).abs() < 306.0, "{on_a}");
        let unreachable = (0..20_000).filter(|&i| c.unreachable(i)).count() as f64;
        assert!((unreachable - 0.1 * n).abs() < 5.0 * (n * 0.09f64).sqrt(), "{unreachable}");
        assert!(!c.opted_out(3, 0));
        assert!(c.opt_out(3, 0), "newly opted out");
        assert!(!c.opt_out(3, 0), "already on the list");
        assert!(!c.opted_out(3, 1), "another list is another list");
        c.opt_in(3, 0);
        assert!(!c.opted_out(3, 0));
    }
}
