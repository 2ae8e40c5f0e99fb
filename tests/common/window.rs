//! The sending-window tests' scenario and observer, shared by `calendar` and `windows`.

use smsim::model::{EndState, Obs, ObsKind, Observer};

/// An hour, in microseconds.
pub const H: u64 = 3_600_000_000;

/// Every request, hold, transmission and end of a run.
#[derive(Default)]
pub struct Log {
    /// Requests as (time, country).
    pub requested: Vec<(u64, u8)>,
    /// Requests held for their window.
    pub held: u64,
    /// Requests queued at a number.
    pub queued: u64,
    /// Transmissions as (time, country, charge in micro-dollars).
    pub sent: Vec<(u64, u8, u64)>,
    /// Ends as (state, country).
    pub ends: Vec<(EndState, u8)>,
}

impl Observer for Log {
    fn observe(&mut self, o: &Obs) {
        match o.kind {
            ObsKind::Requested => self.requested.push((o.t.as_micros(), o.country)),
            ObsKind::Held => self.held += 1,
            ObsKind::Queued => self.queued += 1,
            ObsKind::Transmitted => self.sent.push((o.t.as_micros(), o.country, (o.cost + o.fee).0 as u64)),
            ObsKind::End { state, .. } => self.ends.push((state, o.country)),
            _ => {}
        }
    }
}

/// A short code sending a campaign with an 08:00-21:00 window to 1,000 customers, half in
/// New York and half in Los Angeles, t = 0 at `start` New York time; `extra` goes in the
/// campaign.
pub fn windows(start: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon = "3d"
start = "{start}"
time_zone = "America/New_York"
[account]
monthly_spend_limit_usd = 1000000
[[carrier]]
id = "c"
share = 1
latency = "1s"
[customers]
count = 1000
time_zones = [{{ zone = "America/New_York", share = 0.5 }}, {{ zone = "America/Los_Angeles", share = 0.5 }}]
[[number]]
id = "sc"
kind = "short_code"
[[campaign]]
id = "reminders"
from = "sc"
body = "Reminder: your appointment is tomorrow."
window = {{ from = "08:00", to = "21:00" }}
{extra}
"#
    )
}

/// The [`windows`] scenario `text` with every customer in New York (the simulation's own
/// zone, which customers take when none is given).
pub fn new_york_only(text: &str) -> String {
    let split =
        "time_zones = [{ zone = \"America/New_York\", share = 0.5 }, { zone = \"America/Los_Angeles\", share = 0.5 }]";
    assert!(text.contains(split), "the scenario has the two-zone split");
    text.replace(split, "")
}
