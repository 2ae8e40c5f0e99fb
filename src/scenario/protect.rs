//! SMS pumping and protection (SPEC 8): fraud sources, `[account] protect` (blocked
//! countries and a fraud filter), resolved against the scenario's countries.

use super::raw::RawScenario;
use super::resolve::{Fail, at};
use super::{Country, Money, Traffic};

/// `[account] protect`: what the provider refuses to send before it picks a number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Protect {
    /// The country codes of `block_countries`, as written.
    pub block_countries: Vec<String>,
    /// Whether each country of the scenario (by index) is blocked.
    pub blocked: Vec<bool>,
    /// The fraud filter, if any.
    pub filter: Option<Filter>,
}

/// A fraud filter: every request that reaches it is screened and pays its fee; a fraud
/// request is caught with `catch_rate`, a genuine one with `false_positive_rate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    /// Probability that a fraud request is caught.
    pub catch_rate: f64,
    /// Probability that a genuine request is caught.
    pub false_positive_rate: f64,
    /// Fee per screened request.
    pub fee: Money,
}

impl Protect {
    /// The probability that a request (of a fraud source or not) is caught by the filter.
    pub fn catch(&self, fraud: bool) -> f64 {
        self.filter.map_or(0.0, |f| if fraud { f.catch_rate } else { f.false_positive_rate })
    }
}

pub(super) fn is_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// `[account] protect` of `raw`. A blocked code need not be one of the scenario's
/// countries (a block list is usually longer than the countries a business serves), but
/// it must be an ISO 3166 alpha-2 code.
pub(super) fn protect(raw: &RawScenario, countries: &[Country]) -> Result<Protect, Fail> {
    let Some(p) = &raw.account.protect else {
        return Ok(Protect { blocked: vec![false; countries.len()], ..Protect::default() });
    };
    let codes = p.block_countries.clone().unwrap_or_default();
    for (j, code) in codes.iter().enumerate() {
        if !is_code(code) {
            return Err((
                at(&[&"account", &"protect", &"block_countries", &j]),
                format!("\"{code}\" is not an ISO 3166 alpha-2 country code such as \"AZ\""),
            ));
        }
    }
    Ok(Protect {
        blocked: countries.iter().map(|c| codes.contains(&c.id)).collect(),
        block_countries: codes,
        filter: p.filter.as_ref().map(|f| Filter {
            catch_rate: f.catch_rate.0,
            false_positive_rate: f.false_positive_rate.0,
            fee: f.fee_per_message_usd.0,
        }),
    })
}

/// Each fraud source's country (`fraud = true` needs `country`, one of the scenario's).
pub(super) fn fraud(raw: &RawScenario, countries: &[Country], traffic: &mut [Traffic]) -> Result<(), Fail> {
    for (i, (r, t)) in raw.traffic.iter().zip(traffic.iter_mut()).enumerate() {
        match (r.fraud.unwrap_or(false), &r.country) {
            (false, None) => {}
            (false, Some(_)) => {
                return Err((
                    at(&[&"traffic", &i, &"country"]),
                    "country is the destination of a fraud source: set fraud = true, or remove it".into(),
                ));
            }
            (true, None) => {
                return Err((
                    at(&[&"traffic", &i, &"fraud"]),
                    "a fraud source needs country: the country whose numbers it sends to, e.g. country = \"AZ\"".into(),
                ));
            }
            (true, Some(code)) => {
                let k = countries.iter().position(|c| &c.id == code).ok_or_else(|| {
                    let known: Vec<&str> = countries.iter().map(|c| c.id.as_str()).collect();
                    (
                        at(&[&"traffic", &i, &"country"]),
                        format!(
                            "country \"{code}\" is not one of the scenario's ({}): declare it with [[country]] (share = 0 if no genuine customer lives there)",
                            known.join(", ")
                        ),
                    )
                })?;
                t.fraud = Some(k);
            }
        }
    }
    Ok(())
}
