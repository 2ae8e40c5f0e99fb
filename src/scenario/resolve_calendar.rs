//! Resolving the calendar keys (SPEC 7.1-7.2): `start` and `time_zone`, zones by share,
//! moments, sending windows and traffic shapes.

use super::resolve::{Fail, at};
use super::when::{DayFactors, Moment, RawStep, RawWindow, RawZoneShare, SendWindow, Shape};
use super::{Calendar, Seg, SimTime, Zone};
use crate::calendar::parse_local;
use crate::scenario::raw::RawScenario;

/// The longest horizon with a calendar, in days (its days, windows and profile steps are
/// laid out before the run).
const MAX_CALENDAR_DAYS: u64 = 36_525;

/// The most time zones a scenario may name.
const MAX_ZONES: usize = 64;

/// The calendar of `[simulation]` (with `start`) and the scenario's zone, first of the list.
pub(super) fn calendar(raw: &RawScenario) -> Result<(Option<Calendar>, Vec<Zone>), Fail> {
    let sim = &raw.simulation;
    let zone =
        Zone::get(sim.time_zone.as_deref().unwrap_or("UTC")).map_err(|m| (at(&[&"simulation", &"time_zone"]), m))?;
    let Some(start) = &sim.start else { return Ok((None, vec![zone])) };
    if sim.start_time_of_day.is_some() {
        return Err((
            at(&[&"simulation", &"start_time_of_day"]),
            "start_time_of_day and start cannot both be given: start already says the time of day".into(),
        ));
    }
    let dt = parse_local(start).map_err(|m| (at(&[&"simulation", &"start"]), m))?;
    if !(1900..=9000).contains(&dt.year()) {
        return Err((
            at(&[&"simulation", &"start"]),
            format!("start's year must be from 1900 to 9000, not {}", dt.year()),
        ));
    }
    if sim.horizon.0 > SimTime::from_secs(MAX_CALENDAR_DAYS * 86_400) {
        return Err((
            at(&[&"simulation", &"horizon"]),
            format!("with start, the horizon may be at most {MAX_CALENDAR_DAYS} days (100 years)"),
        ));
    }
    let cal = Calendar::new(dt, zone.clone()).map_err(|m| (at(&[&"simulation", &"start"]), m))?;
    Ok((Some(cal), vec![zone]))
}

/// Time-zone shares at `path` as `(zone index, share)`, adding new zones to `zones`.
pub(super) fn zone_shares(
    list: &[RawZoneShare],
    zones: &mut Vec<Zone>,
    calendar: bool,
    path: &[Seg],
) -> Result<Vec<(usize, f64)>, Fail> {
    let here = |more: &[Seg]| [path, more].concat();
    if !calendar {
        return Err((here(&[]), "time_zones needs [simulation] start (a date to put the clocks on)".into()));
    }
    if list.is_empty() {
        return Err((here(&[]), "time_zones is empty".into()));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, z) in list.iter().enumerate() {
        let key = |k: &str| here(&[Seg::Index(i), Seg::Key(k.into())]);
        let zone = Zone::get(&z.zone).map_err(|m| (key("zone"), m))?;
        let idx = match zones.iter().position(|x| *x == zone) {
            Some(k) => k,
            None if zones.len() == MAX_ZONES => {
                return Err((key("zone"), format!("at most {MAX_ZONES} time zones in a scenario")));
            }
            None => {
                zones.push(zone);
                zones.len() - 1
            }
        };
        out.push((idx, z.share.0));
    }
    let sum: f64 = out.iter().map(|z| z.1).sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err((here(&[]), format!("time zone shares sum to {}, not 1", crate::sms::money::six_decimals(sum))));
    }
    Ok(out)
}

/// The simulated time of moment `m` at `path`.
pub(super) fn moment(m: Moment, calendar: Option<&Calendar>, path: Vec<Seg>) -> Result<SimTime, Fail> {
    match (m, calendar) {
        (Moment::After(t), _) => Ok(t),
        (Moment::Local(_), None) => Err((path, "a local date-time needs [simulation] start".into())),
        (Moment::Local(dt), Some(cal)) => cal
            .time_of(dt)
            .ok_or_else(|| (path, format!("{dt} is before [simulation] start ({})", cal.start()).replace('T', " "))),
    }
}

/// A sending window at `path`.
pub(super) fn window(w: &RawWindow, calendar: bool, path: Vec<Seg>) -> Result<SendWindow, Fail> {
    if !calendar {
        return Err((path, "a window needs [simulation] start (its days and hours are on a calendar)".into()));
    }
    if w.from.0 >= w.to.0 {
        let hm = |s: u32| {
            let secs = if s % 60 == 0 { String::new() } else { format!(":{:02}", s % 60) };
            format!("{:02}:{:02}{secs}", s / 3600, s % 3600 / 60)
        };
        let (from, to) = (hm(w.from.0), hm(w.to.0));
        let why = if w.to.0 == 0 {
            format!(
                "a window from {from} to 00:00 would close at the start of its day; write to = \"24:00\" for midnight at its end"
            )
        } else if w.from.0 == w.to.0 {
            format!("a window from {from} to {to} never opens")
        } else {
            format!("a window from {from} to {to} runs past midnight, and a window cannot")
        };
        return Err((
            [path, vec![Seg::Key("to".into())]].concat(),
            format!("{why}: it must close after it opens on the same day (to > from; \"24:00\" is the end of the day)"),
        ));
    }
    Ok(SendWindow { from: w.from.0, to: w.to.0, days: w.days.map_or(0x7f, |d| d.0) })
}

/// A traffic shape from `profile` and `days` at `path` (the traffic entry).
pub(super) fn shape(
    profile: Option<&[RawStep]>,
    days: Option<DayFactors>,
    calendar: bool,
    path: &[Seg],
) -> Result<Option<Shape>, Fail> {
    if profile.is_none() && days.is_none() {
        return Ok(None);
    }
    let key = |k: &str| [path, &[Seg::Key(k.into())]].concat();
    if days.is_some() && !calendar {
        return Err((key("days"), "days needs [simulation] start (weekdays are on a calendar)".into()));
    }
    let steps = profile.unwrap_or(&[]);
    let mut out: Vec<(u32, f64)> = Vec::with_capacity(steps.len().max(1));
    for (i, s) in steps.iter().enumerate() {
        let at_step = |k: &str| [key("profile"), vec![Seg::Index(i), Seg::Key(k.into())]].concat();
        if i == 0 && s.from.0 != 0 {
            return Err((at_step("from"), "the first profile step must start at \"00:00\"".into()));
        }
        if s.from.0 >= 86_400 || out.last().is_some_and(|p| p.0 >= s.from.0) {
            return Err((at_step("from"), "profile steps must go forward through the day".into()));
        }
        if !s.factor.is_finite() || s.factor < 0.0 {
            return Err((at_step("factor"), format!("factor must be a finite number >= 0, found {}", s.factor)));
        }
        out.push((s.from.0, s.factor));
    }
    if out.is_empty() {
        if profile.is_some() {
            return Err((key("profile"), "profile is empty".into()));
        }
        out.push((0, 1.0));
    }
    Ok(Some(Shape { profile: out, days: days.map_or([1.0; 7], |d| d.0) }))
}
