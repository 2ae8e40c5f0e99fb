//! `events.csv`: one row per request, transmission and end, streamed as the run goes.

use crate::model::address;
use crate::model::observe::{NO_POOL, Obs, ObsKind, Observer};
use crate::scenario::{Money, Scenario};
use std::io::Write;

/// `events.csv` header.
pub const EVENTS_HEADER: &str = "t_s,message_id,direction,event,number,customer,carrier,parts,cost_usd";

/// An observer writing `events.csv` rows to `W`. Write errors are kept and reported once
/// at the end rather than stopping the simulation midway.
pub struct EventLog<'s, W: Write> {
    sc: &'s Scenario,
    out: W,
    error: Option<std::io::Error>,
}

impl<'s, W: Write> EventLog<'s, W> {
    /// A log writing to `out`, header first.
    pub fn new(sc: &'s Scenario, mut out: W) -> Self {
        let error = writeln!(out, "{EVENTS_HEADER}").err();
        Self { sc, out, error }
    }

    /// Flush and return the first error, if any.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

impl<W: Write> Observer for EventLog<'_, W> {
    fn observe(&mut self, o: &Obs) {
        if self.error.is_some() {
            return;
        }
        let event = match o.kind {
            ObsKind::Requested => "requested",
            ObsKind::Queued => return,
            ObsKind::Transmitted => "transmitted",
            ObsKind::End { state, .. } => state.name(),
        };
        let number = if o.pool == NO_POOL {
            String::new()
        } else {
            address::number(self.sc.pools[o.pool as usize].kind, o.pool as usize, o.number)
        };
        let r = writeln!(
            self.out,
            "{},{},outbound,{},{},{},{},{},{}",
            o.t,
            o.msg,
            event,
            number,
            address::customer(o.customer),
            self.sc.carriers[o.carrier as usize].id,
            o.parts,
            Money(o.cost.micros() + o.fee.micros()),
        );
        self.error = r.err();
    }
}
