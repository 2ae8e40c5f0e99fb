//! Calendar keys of a scenario (SPEC 7.1-7.2): moments written as a duration or a local
//! date-time, sending windows, time-zone shares, and traffic profiles by time of day and
//! weekday. Each checks its own value as it is read; `resolve` turns them into times.

use super::units::{Probability, TimeOfDay, parse_duration};
use crate::calendar::{WEEKDAYS, looks_local, parse_local};
use crate::engine::SimTime;
use jiff::civil::DateTime;
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// When something happens: a span after t = 0, or a local date-time (needs `start`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Moment {
    /// Seconds after t = 0.
    After(SimTime),
    /// A wall-clock date and time in `[simulation] time_zone`.
    Local(DateTime),
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(d)? {
            toml::Value::String(s) if looks_local(&s) => parse_local(&s).map(Moment::Local).map_err(de::Error::custom),
            toml::Value::Datetime(t) => parse_local(&t.to_string()).map(Moment::Local).map_err(de::Error::custom),
            toml::Value::String(s) => parse_duration(&s).map(Moment::After).map_err(de::Error::custom),
            toml::Value::Integer(n) => parse_duration(&n.to_string()).map(Moment::After).map_err(de::Error::custom),
            toml::Value::Float(x) => parse_duration(&x.to_string()).map(Moment::After).map_err(de::Error::custom),
            other => Err(de::Error::custom(format!(
                "expected a duration (\"2h\") or a local date-time (\"2026-12-08 09:00\"), found {other}"
            ))),
        }
    }
}

/// A set of weekdays, bit 0 Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Days(pub(crate) u8);

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut mask = 0u8;
        for n in &names {
            let i = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(n)).ok_or_else(|| {
                de::Error::custom(format!("unknown day \"{n}\" (expected one of {})", WEEKDAYS.join(", ")))
            })?;
            if mask & (1 << i) != 0 {
                return Err(de::Error::custom(format!("\"{n}\" is listed twice in days")));
            }
            mask |= 1 << i;
        }
        if mask == 0 {
            return Err(de::Error::custom("days is empty: the window would never open"));
        }
        Ok(Days(mask))
    }
}

/// A time of day that may also be `"24:00"` (the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClockTime(pub(crate) u32);

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "24:00" || s == "24:00:00" {
            return Ok(ClockTime(86_400));
        }
        let t = TimeOfDay::deserialize(de::value::StrDeserializer::<D::Error>::new(&s)).map_err(|e| {
            // An hour past 23 meant the end of the day, or past it: say how it is written.
            let hint = if s.starts_with("24") { "; \"24:00\" is the end of the day" } else { "" };
            de::Error::custom(format!("{}{hint}", e.to_string().trim_end()))
        })?;
        Ok(ClockTime((t.0.as_micros() / 1_000_000) as u32))
    }
}

/// `window = { from, to, days }` of a campaign or traffic source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWindow {
    pub(crate) from: ClockTime,
    pub(crate) to: ClockTime,
    pub(crate) days: Option<Days>,
}

/// `{ zone, share }` of `time_zones`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawZoneShare {
    pub(crate) zone: String,
    pub(crate) share: Probability,
}

/// `{ from, factor }` of a traffic `profile`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStep {
    pub(crate) from: ClockTime,
    pub(crate) factor: f64,
}

/// `days = { sat = 0.5, ... }` of a traffic source: factors by weekday, 1 when absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayFactors(pub(crate) [f64; 7]);

impl<'de> Deserialize<'de> for DayFactors {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = toml::Table::deserialize(d)?;
        let mut f = [1.0; 7];
        for (k, v) in &table {
            let i = WEEKDAYS.iter().position(|w| w == k).ok_or_else(|| {
                de::Error::custom(format!("unknown day \"{k}\" (expected one of {})", WEEKDAYS.join(", ")))
            })?;
            let x = match v {
                toml::Value::Integer(n) => *n as f64,
                toml::Value::Float(x) => *x,
                other => return Err(de::Error::custom(format!("day factor of {k} must be a number, found {other}"))),
            };
            if !x.is_finite() || x < 0.0 {
                return Err(de::Error::custom(format!("day factor of {k} must be a finite number >= 0, found {x}")));
            }
            f[i] = x;
        }
        Ok(DayFactors(f))
    }
}

/// A sending window in the recipient's local time (SPEC 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    /// Opens, seconds after local midnight.
    pub from: u32,
    /// Closes, seconds after local midnight (86,400 for midnight at the end of the day).
    pub to: u32,
    /// Days it opens on, bit 0 Monday.
    pub days: u8,
}

/// How a traffic source's rate varies (SPEC 7.2): factors by local time of day in
/// `[simulation] time_zone`, and by weekday.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// `(seconds after midnight, factor)`, the first at 0, increasing.
    pub profile: Vec<(u32, f64)>,
    /// Factors Monday to Sunday.
    pub days: [f64; 7],
}

impl Shape {
    /// The largest factor the rate is multiplied by.
    pub fn peak(&self) -> f64 {
        let p = self.profile.iter().map(|s| s.1).fold(0.0, f64::max);
        p * self.days.iter().copied().fold(0.0, f64::max)
    }

    /// The mean factor over a week.
    pub fn mean(&self) -> f64 {
        let mut day = 0.0;
        for (i, &(from, f)) in self.profile.iter().enumerate() {
            let to = self.profile.get(i + 1).map_or(86_400, |s| s.0);
            day += f * (to - from) as f64 / 86_400.0;
        }
        day * self.days.iter().sum::<f64>() / 7.0
    }
}
