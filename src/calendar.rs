//! Dates and time zones (SPEC 7.1): simulated time (microseconds from t = 0) against the
//! local wall clock of IANA time zones, daylight saving included. The zone rules are the
//! IANA database bundled into the binary by `jiff`, so that a run's answers never depend on
//! the machine's own copy.
//!
//! Everything the model asks of the calendar is computed once, before the run, as sorted
//! instants (day starts, week starts, the spans a sending window is open): the hot path
//! only compares integers.

use crate::engine::SimTime;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Days of the week as they are written in scenario files, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A named IANA time zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Its IANA name, as written in the scenario.
    pub name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Zone {
    /// The zone called `name` (an IANA name such as `"America/New_York"`, or `"UTC"`).
    pub fn get(name: &str) -> Result<Zone, String> {
        let tz = TimeZone::get(name).map_err(|_| {
            format!("unknown time zone \"{name}\" (expected an IANA name such as \"America/New_York\" or \"UTC\")")
        })?;
        Ok(Zone { name: name.to_string(), tz })
    }
}

/// Why a date written as `YYYY-MM-DD` is not on the calendar (`2026-02-30`, a 13th
/// month), if it is written so.
fn no_such_day(date: &str) -> Option<String> {
    let mut it = date.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if it.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    let (y, m, d): (i16, i8, i8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let Ok(first) = Date::new(y, m, 1) else {
        return Some(format!("{date} is not a date: there is no month {m}"));
    };
    match d {
        0 => Some(format!("{date} is not a date: there is no day 0")),
        d if d > first.days_in_month() => {
            Some(format!("{date} is not a date: {} {y} has {} days", first.strftime("%B"), first.days_in_month()))
        }
        _ => None,
    }
}

/// Parse a local date and time, `"2026-12-07 06:00"` (seconds optional), or TOML's
/// form of it, `2026-12-07T06:00:00` (as a value written without quotes reads).
pub fn parse_local(s: &str) -> Result<DateTime, String> {
    let bad = || format!("invalid local date-time \"{s}\" (expected \"YYYY-MM-DD HH:MM\", e.g. \"2026-12-07 06:00\")");
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T']).ok_or_else(bad)?;
    // A time of day followed by `Z` or `+HH:MM` / `-HH:MM` (as TOML's offset date-times
    // have it) is an instant, not a local date-time.
    let clock = |t: &str| t.len() >= 5 && t.bytes().all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
    let offset = |o: &str| o.len() == 6 && (o.starts_with(['+', '-'])) && clock(&o[1..]);
    let zoned = time.strip_suffix(['Z', 'z']).is_some_and(clock)
        || time.len() > 6 && time.is_char_boundary(time.len() - 6) && {
            let (t, o) = time.split_at(time.len() - 6);
            clock(t.trim_end()) && offset(o)
        };
    if zoned {
        return Err(format!(
            "\"{s}\" has a UTC offset: write the local date-time, \"YYYY-MM-DD HH:MM\", in [simulation] time_zone"
        ));
    }
    let date: Date = date.parse().map_err(|_| no_such_day(date).unwrap_or_else(bad))?;
    let parts: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let n: Vec<i8> = parts.iter().map(|p| p.parse::<i8>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    let time = Time::new(n[0], n[1], n.get(2).copied().unwrap_or(0), 0).map_err(|_| bad())?;
    Ok(date.to_datetime(time))
}

/// Whether `s` is written as a local date-time rather than a duration (it starts with a
/// four-digit year and a dash).
pub fn looks_local(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() > 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// The calendar of a run: the instant of t = 0 and the scenario's own time zone.
#[derive(Debug, Clone)]
pub struct Calendar {
    origin: Timestamp,
    start: DateTime,
    zone: Zone,
}

impl Calendar {
    /// The calendar whose t = 0 is `start` on the wall clock of `zone` (a time in a
    /// daylight-saving gap moves forward, one in a fold takes the earlier instant).
    pub fn new(start: DateTime, zone: Zone) -> Result<Calendar, String> {
        let origin = zone.tz.to_timestamp(start).map_err(|e| format!("start {start} in {}: {e}", zone.name))?;
        Ok(Calendar { origin, start, zone })
    }

    /// The scenario's time zone.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The local date-time at t = 0.
    pub fn start(&self) -> DateTime {
        self.start
    }

    /// Microseconds from t = 0 to the instant `dt` names on the wall clock of `zone`
    /// (negative before t = 0); daylight-saving gaps resolve forward. None outside the
    /// range of instants the calendar can name (years 9999 and beyond).
    pub fn offset_of(&self, dt: DateTime, zone: &Zone) -> Option<i64> {
        let ts = zone.tz.to_timestamp(dt).ok()?;
        Some(ts.as_microsecond() - self.origin.as_microsecond())
    }

    /// The simulated time of local date-time `dt` in the scenario's zone; None before t = 0
    /// or out of range.
    pub fn time_of(&self, dt: DateTime) -> Option<SimTime> {
        u64::try_from(self.offset_of(dt, &self.zone)?).ok().map(SimTime::from_micros)
    }

    /// The wall clock of `zone` at simulated time `t`.
    pub fn local(&self, t: SimTime, zone: &Zone) -> DateTime {
        let ts = self.origin.checked_add(SignedDuration::from_micros(t.as_micros() as i64)).unwrap_or(self.origin);
        zone.tz.to_datetime(ts)
    }

    /// The same wall-clock time as `t` (in the scenario's zone), `days` days later.
    pub fn days_later(&self, t: SimTime, days: i64) -> Option<SimTime> {
        let local = self.local(t, &self.zone);
        let later = local.date().checked_add(jiff::Span::new().try_days(days).ok()?).ok()?.to_datetime(local.time());
        self.time_of(later)
    }

    /// The local dates (in `zone`) from the day before t = 0 to the day after `end`.
    fn dates(&self, zone: &Zone, end: SimTime) -> impl Iterator<Item = Date> {
        let first = self.local(SimTime::ZERO, zone).date().yesterday().unwrap_or(self.start.date());
        let last = self.local(end, zone).date().tomorrow().unwrap_or(first);
        first.series(jiff::Span::new().days(1)).take_while(move |d| *d <= last)
    }

    /// Instants after t = 0 and up to `end` + a week at which a local day (or, with
    /// `mondays`, a week) begins in the scenario's zone: its local midnights.
    pub fn period_starts(&self, end: SimTime, mondays: bool) -> Vec<u64> {
        let end = end.saturating_add(SimTime::from_secs(8 * 86_400));
        self.dates(&self.zone, end)
            .filter(|d| !mondays || d.weekday() == Weekday::Monday)
            .filter_map(|d| self.offset_of(d.to_datetime(Time::midnight()), &self.zone))
            .filter(|&t| t > 0 && t <= end.as_micros() as i64)
            .map(|t| t as u64)
            .collect()
    }

    /// The spans `[open, close)` (microseconds, clipped at t = 0) in which the wall clock of
    /// `zone` reads from `from` to `to` (seconds after midnight) on a day of `days` (bit 0
    /// Monday), up to `end`. A `to` of 86,400 is the next midnight.
    pub fn open_spans(&self, zone: &Zone, from: u32, to: u32, days: u8, end: SimTime) -> Vec<(u64, u64)> {
        // "24:00" is the next day's midnight (23 or 25 hours later on a change of clocks).
        let at = |d: Date, secs: u32| match secs {
            86_400.. => self.offset_of(d.tomorrow().ok()?.to_datetime(Time::midnight()), zone),
            _ => self.offset_of(d.to_datetime(clock(secs)), zone),
        };
        let mut spans: Vec<(u64, u64)> = Vec::new();
        for d in self.dates(zone, end) {
            if days & (1 << d.weekday().to_monday_zero_offset()) == 0 {
                continue;
            }
            let (Some(open), Some(close)) = (at(d, from), at(d, to)) else { continue };
            let open = open.max(0);
            if close <= open || open > end.as_micros() as i64 {
                continue;
            }
            let (open, close) = (open as u64, close as u64);
            match spans.last_mut() {
                Some(last) if last.1 >= open => last.1 = last.1.max(close),
                _ => spans.push((open, close)),
            }
        }
        spans
    }

    /// The pieces of a daily schedule on the scenario's wall clock: each instant in
    /// `[0, end]` at which it reads one of `times` (seconds after midnight, increasing,
    /// the first 0), with the weekday (0 Monday) and the index into `times`; first the
    /// piece in force at t = 0.
    pub fn daily_marks(&self, times: &[u32], end: SimTime) -> Vec<(u64, u8, usize)> {
        let local0 = self.local(SimTime::ZERO, &self.zone);
        let secs0 = (local0.hour() as u32) * 3600 + (local0.minute() as u32) * 60 + local0.second() as u32;
        let first = times.iter().rposition(|&x| x <= secs0).unwrap_or(0);
        let mut out = vec![(0, local0.weekday().to_monday_zero_offset() as u8, first)];
        for d in self.dates(&self.zone, end) {
            // A step in a daylight-saving gap resolves forward, possibly past the next
            // step: each step starts no later than the one after it, so that the steps of
            // a day stay in order (a step skipped by the gap then lasts no time).
            let mut next = i64::MAX;
            let mut day: Vec<(i64, usize)> = Vec::with_capacity(times.len());
            for (k, &secs) in times.iter().enumerate().rev() {
                let Some(at) = self.offset_of(d.to_datetime(clock(secs)), &self.zone) else { continue };
                next = at.min(next);
                day.push((next, k));
            }
            let wd = d.weekday().to_monday_zero_offset() as u8;
            for &(at, k) in day.iter().rev() {
                if at > 0 && at <= end.as_micros() as i64 {
                    out.push((at as u64, wd, k));
                }
            }
        }
        out.sort_by_key(|m| m.0);
        out
    }

    /// A label of simulated time `t` on the scenario's wall clock: `"Mon 06:00"` with the
    /// weekday, or `"12-07 06:00"` with the date.
    pub fn label(&self, t: SimTime, date: bool) -> String {
        let l = self.local(t, &self.zone);
        if date {
            format!("{:02}-{:02} {:02}:{:02}", l.month(), l.day(), l.hour(), l.minute())
        } else {
            format!("{:02}:{:02}", l.hour(), l.minute())
        }
    }
}

/// The wall-clock time `secs` seconds after midnight (below 86,400).
fn clock(secs: u32) -> Time {
    Time::new((secs / 3600) as i8, (secs / 60 % 60) as i8, (secs % 60) as i8, 0).expect("a time of day")
}

/// The first span of `spans` (sorted, disjoint) that has not closed by `t`: `Ok(())` when
/// `t` is inside one, `Err(Some(open))` when the next opens later, `Err(None)` when none
/// does.
pub fn next_open(spans: &[(u64, u64)], t: u64) -> Result<(), Option<u64>> {
    let i = spans.partition_point(|&(_, close)| close <= t);
    match spans.get(i) {
        Some(&(open, _)) if open <= t => Ok(()),
        Some(&(open, _)) => Err(Some(open)),
        None => Err(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny(start: &str) -> Calendar {
        Calendar::new(parse_local(start).unwrap(), Zone::get("America/New_York").unwrap()).unwrap()
    }

    const H: u64 = 3_600_000_000;

    #[test]
    fn local_date_times_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!(parse_local("2026-12-07 06:00").unwrap().to_string(), "2026-12-07T06:00:00");
        assert_eq!(parse_local("2026-12-07 06:00:30").unwrap().second(), 30);
        // TOML's own form, as a value written without quotes reads.
        assert_eq!(parse_local("2026-12-07T06:00:00"), parse_local("2026-12-07 06:00"));
        for offset in
            ["2026-12-07T06:00:00Z", "2026-12-07 06:00:00-05:00", "2026-12-07T06:00+01:00", "2026-12-07 06:00 -05:00"]
        {
            let e = parse_local(offset).unwrap_err();
            assert!(e.contains("UTC offset") && e.contains("time_zone"), "{e}");
        }
        // A typo is not an offset.
        for typo in ["2026-12-07 06-00", "2026-12-07 06:00+1"] {
            assert!(parse_local(typo).unwrap_err().contains("YYYY-MM-DD HH:MM\", e.g."), "{typo}");
        }
        for bad in ["2026-12-07", "2026-12-07 6:00", "2026-12-07 24:00", "x y", "2026-2-07 06:00", "2026-+2-10 06:00"] {
            assert!(parse_local(bad).unwrap_err().contains("YYYY-MM-DD HH:MM"), "{bad}");
        }
        // Written right, but not on the calendar: said so.
        for (bad, why) in [
            ("2026-13-07 06:00", "2026-13-07 is not a date: there is no month 13"),
            ("2026-02-29 06:00", "2026-02-29 is not a date: February 2026 has 28 days"),
            ("2028-02-30 06:00", "2028-02-30 is not a date: February 2028 has 29 days"),
            ("2026-04-31 06:00", "2026-04-31 is not a date: April 2026 has 30 days"),
            ("2026-12-00 06:00", "2026-12-00 is not a date: there is no day 0"),
        ] {
            assert_eq!(parse_local(bad).unwrap_err(), why);
        }
        assert!(parse_local("2028-02-29 06:00").is_ok(), "a leap day");
        assert!(looks_local("2026-12-07 06:00") && !looks_local("2h") && !looks_local("3600"));
        assert!(Zone::get("Mars/Olympus").unwrap_err().contains("unknown time zone"));
    }

    #[test]
    fn days_follow_daylight_saving() {
        // 2026-03-08 in New York has 23 hours; 2026-11-01 has 25.
        let c = ny("2026-03-07 00:00");
        let starts = c.period_starts(SimTime::from_secs(3 * 86_400), false);
        assert_eq!(starts[0], 24 * H, "Sunday 03-08 begins a day after t = 0");
        assert_eq!(starts[1] - starts[0], 23 * H, "the day of the spring change is 23 h");
        assert_eq!(starts[2] - starts[1], 24 * H);
        let c = ny("2026-10-31 00:00");
        let starts = c.period_starts(SimTime::from_secs(3 * 86_400), false);
        assert_eq!(starts[1] - starts[0], 25 * H, "the day of the autumn change is 25 h");
    }

    #[test]
    fn weeks_start_on_monday_midnight() {
        // 2026-12-07 is a Monday: a week starts 7 days after a Monday-midnight t = 0.
        let c = Calendar::new(parse_local("2026-12-07 00:00").unwrap(), Zone::get("UTC").unwrap()).unwrap();
        assert_eq!(c.period_starts(SimTime::from_secs(20 * 86_400), true)[..2], [7 * 24 * H, 14 * 24 * H]);
        let c = Calendar::new(parse_local("2026-12-09 12:00").unwrap(), Zone::get("UTC").unwrap()).unwrap();
        assert_eq!(c.period_starts(SimTime::from_secs(20 * 86_400), true)[0], (4 * 24 + 12) * H);
    }

    #[test]
    fn windows_open_in_each_zone_on_its_own_clock() {
        // t = 0 is 06:00 in New York; an 08:00-21:00 window opens 2 h later there and 5 h
        // later in Los Angeles.
        let c = ny("2026-12-07 06:00");
        let la = Zone::get("America/Los_Angeles").unwrap();
        let end = SimTime::from_secs(2 * 86_400);
        let spans = c.open_spans(c.zone(), 8 * 3600, 21 * 3600, 0x7f, end);
        assert_eq!(spans[0], (2 * H, 15 * H));
        assert_eq!(c.open_spans(&la, 8 * 3600, 21 * 3600, 0x7f, end)[0], (5 * H, 18 * H));
        assert_eq!(next_open(&spans, 0), Err(Some(2 * H)));
        assert_eq!(next_open(&spans, 2 * H), Ok(()));
        assert_eq!(next_open(&spans, 15 * H), Err(Some(26 * H)));
        // Weekdays only: Monday 2026-12-07's next open day after Friday is Monday.
        let weekdays = c.open_spans(c.zone(), 8 * 3600, 21 * 3600, 0b1_1111, SimTime::from_secs(8 * 86_400));
        assert_eq!(weekdays.len(), 6, "Mon to Fri, then the next Monday");
        assert_eq!(weekdays[5].0 - weekdays[4].0, 3 * 24 * H);
    }

    #[test]
    fn a_window_across_the_spring_change_opens_at_local_eight() {
        let c = ny("2026-03-07 06:00");
        let spans = c.open_spans(c.zone(), 8 * 3600, 21 * 3600, 0x7f, SimTime::from_secs(3 * 86_400));
        // Saturday opens at +2 h; Sunday (after the 02:00 change) 23 h later than 24 h on.
        assert_eq!(spans[0].0, 2 * H);
        assert_eq!(spans[1].0 - spans[0].0, 23 * H);
        assert_eq!(spans[1].1 - spans[1].0, 13 * H, "still 13 hours of wall clock");
        assert_eq!(c.days_later(SimTime::ZERO, 1), Some(SimTime::from_micros(23 * H)));
        // A window to "24:00" closes at the next local midnight: 23 h after Sunday's.
        let end = SimTime::from_secs(3 * 86_400);
        assert_eq!(c.open_spans(c.zone(), 0, 86_400, 1 << 5, end), vec![(0, 18 * H)], "Saturday from 06:00");
        assert_eq!(c.open_spans(c.zone(), 0, 86_400, 1 << 6, end), vec![(18 * H, 41 * H)], "Sunday: 23 h");
        assert!(c.days_later(SimTime::ZERO, 8_000_000).is_none(), "out of range is None, not a panic");
    }

    #[test]
    fn profile_steps_in_the_spring_gap_keep_their_order() {
        // Steps at 00:00, 02:30 (in the gap: 03:30 EDT) and 03:00 on 2026-03-08.
        let c = ny("2026-03-08 00:00");
        let marks = c.daily_marks(&[0, 9000, 10_800], SimTime::from_secs(6 * 3600));
        let ks: Vec<usize> = marks.iter().map(|m| m.2).collect();
        assert_eq!(ks, vec![0, 1, 2], "02:30 then 03:00, both at 03:00 EDT");
        assert_eq!(marks[1].0, marks[2].0, "the skipped step lasts no time");
        assert_eq!(marks[2].0, 2 * H, "03:00 EDT is 2 h after midnight EST");
    }
}
