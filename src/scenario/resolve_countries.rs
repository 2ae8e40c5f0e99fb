//! Resolving `[[country]]` (SPEC 7.3): shares, calling codes, the carriers and zones of
//! each country, destination prices, and which pools reach which countries.

use super::raw::RawScenario;
use super::resolve::{Fail, at, index_ids};
use super::resolve_calendar::zone_shares;
use super::{Country, Kind, Pool, Zone};
use crate::sms::address::calling_code;
use crate::sms::money::six_decimals;
use std::collections::HashMap;

/// The countries of `raw`: its `[[country]]`s, or the US alone with every customer.
/// `customer_zones` are `[customers] time_zones`, the default of each country's.
pub(super) fn countries(
    raw: &RawScenario,
    carrier_ids: &HashMap<&str, usize>,
    zones: &mut Vec<Zone>,
    customer_zones: &[(usize, f64)],
    calendar: bool,
) -> Result<Vec<Country>, Fail> {
    let all_carriers: Vec<usize> = (0..raw.carrier.len()).collect();
    if raw.country.is_empty() {
        let share_sum: f64 = raw.carrier.iter().map(|c| c.share.0).sum();
        if (share_sum - 1.0).abs() > 1e-6 {
            let each: Vec<String> =
                raw.carrier.iter().map(|c| format!("{} {}", c.id, six_decimals(c.share.0))).collect();
            return Err((
                at(&[&"carrier", &0usize, &"share"]),
                format!("carrier shares sum to {} ({}), not 1", six_decimals(share_sum), each.join(" + ")),
            ));
        }
        return Ok(vec![Country {
            id: "US".into(),
            share: 1.0,
            calling_code: "1".into(),
            carriers: all_carriers,
            time_zones: customer_zones.to_vec(),
            kinds: Kind::ALL.to_vec(),
        }]);
    }
    if raw.country.len() > 255 {
        return Err((at(&[&"country"]), "at most 255 countries".into()));
    }
    index_ids("country", raw.country.iter().map(|c| c.id.as_str()))?;
    let mut out = Vec::with_capacity(raw.country.len());
    for (i, c) in raw.country.iter().enumerate() {
        let key = |k: &str| at(&[&"country", &i, &k]);
        if c.id.len() != 2 || !c.id.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err((
                key("id"),
                format!("country id \"{}\" must be an ISO 3166 alpha-2 code such as \"GB\"", c.id),
            ));
        }
        let code = match &c.calling_code {
            Some(cc) if !cc.is_empty() && cc.len() <= 3 && cc.bytes().all(|b| b.is_ascii_digit()) => cc.clone(),
            Some(cc) => {
                return Err((key("calling_code"), format!("calling_code \"{cc}\" must be 1 to 3 digits, e.g. \"44\"")));
            }
            None => calling_code(&c.id).map(str::to_string).ok_or_else(|| {
                (key("calling_code"), format!("no built-in calling code for \"{}\": give calling_code", c.id))
            })?,
        };
        let carriers = match &c.carriers {
            None => all_carriers.clone(),
            Some(ids) => {
                let mut v = Vec::with_capacity(ids.len());
                for (j, id) in ids.iter().enumerate() {
                    let k = *carrier_ids.get(id.as_str()).ok_or_else(|| {
                        let known: Vec<&str> = raw.carrier.iter().map(|c| c.id.as_str()).collect();
                        (
                            at(&[&"country", &i, &"carriers", &j]),
                            format!("no [[carrier]] with id \"{id}\" (known: {})", known.join(", ")),
                        )
                    })?;
                    v.push(k);
                }
                v
            }
        };
        let sum: f64 = carriers.iter().map(|&k| raw.carrier[k].share.0).sum();
        if carriers.is_empty() || (sum - 1.0).abs() > 1e-6 {
            return Err((
                key("carriers"),
                format!(
                    "the shares of {}'s carriers sum to {sum}, not 1 (each country's carriers share it whole)",
                    c.id
                ),
            ));
        }
        let time_zones = match &c.time_zones {
            Some(list) => zone_shares(list, zones, calendar, &key("time_zones"))?,
            None => customer_zones.to_vec(),
        };
        let kinds = c.kinds.clone().unwrap_or_else(|| Kind::ALL.to_vec());
        if kinds.is_empty() {
            return Err((key("kinds"), "kinds is empty: no number could send to this country".into()));
        }
        out.push(Country { id: c.id.clone(), share: c.share.0, calling_code: code, carriers, time_zones, kinds });
    }
    let sum: f64 = out.iter().map(|c| c.share).sum();
    if (sum - 1.0).abs() > 1e-6 {
        let each: Vec<String> = out.iter().map(|c| format!("{} {}", c.id, six_decimals(c.share))).collect();
        return Err((
            at(&[&"country", &0usize, &"share"]),
            format!("country shares sum to {} ({}), not 1", six_decimals(sum), each.join(" + ")),
        ));
    }
    Ok(out)
}

/// Which countries each pool reaches, and its prices to and from each (a pool's own
/// explicit price wins over a country's, which wins over the kind's default).
pub(super) fn routes(raw: &RawScenario, countries: &[Country], pools: &mut [Pool]) -> Result<(), Fail> {
    for (i, (p, n)) in pools.iter_mut().zip(&raw.number).enumerate() {
        let own: Vec<String> = match &n.countries {
            Some(_) if p.kind != Kind::SenderId => {
                return Err((
                    at(&[&"number", &i, &"countries"]),
                    "countries is for sender_id pools; other numbers send only within their own country".into(),
                ));
            }
            Some(list) if list.is_empty() => {
                return Err((at(&[&"number", &i, &"countries"]), "countries is empty".into()));
            }
            Some(list) => {
                if let Some(j) = list.iter().position(|c| !super::protect::is_code(c)) {
                    return Err((
                        at(&[&"number", &i, &"countries", &j]),
                        format!("\"{}\" is not an ISO 3166 alpha-2 country code such as \"GB\"", list[j]),
                    ));
                }
                list.clone()
            }
            None => vec![p.country.clone()],
        };
        let raw_country = |id: &str| raw.country.iter().find(|c| c.id == id);
        p.reaches = countries.iter().map(|c| own.contains(&c.id) && c.kinds.contains(&p.kind)).collect();
        p.price_to = countries
            .iter()
            .map(|c| match (n.price_per_part_usd, raw_country(&c.id).and_then(|r| r.price_per_part_usd)) {
                (Some(own), _) => own.0,
                (None, Some(dest)) => dest.0,
                (None, None) => p.price_per_part,
            })
            .collect();
        p.inbound_price_from = countries
            .iter()
            .map(|c| {
                match (n.inbound_price_per_part_usd, raw_country(&c.id).and_then(|r| r.inbound_price_per_part_usd)) {
                    (Some(own), _) => own.0,
                    (None, Some(dest)) => dest.0,
                    (None, None) => p.inbound_price_per_part,
                }
            })
            .collect();
        p.calling_code = countries
            .iter()
            .find(|c| c.id == p.country)
            .map(|c| c.calling_code.clone())
            .or_else(|| calling_code(&p.country).map(str::to_string))
            .unwrap_or_else(|| "1".into());
    }
    Ok(())
}
