//! `events.csv` (every outbound request, transmission and end; every inbound message;
//! every subscriber delivery's end) and `inbound.jsonl` (every topic payload as
//! published), streamed as the run goes.

use crate::engine::SimTime;
use crate::model::observe::{DeliveryObs, InboundObs, NO_POOL, Obs, ObsKind, Observer};
use crate::scenario::{Money, Scenario};
use crate::sms::address;
use std::io::Write;

/// `events.csv` header: the contract's columns, then `subscription` (for delivery rows).
pub const EVENTS_HEADER: &str = "t_s,message_id,direction,event,number,customer,carrier,parts,cost_usd,subscription";

/// The topic payload, exactly the provider's keys, in its order.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    origination_number: &'a str,
    destination_number: &'a str,
    message_keyword: &'a str,
    message_body: &'a str,
    inbound_message_id: &'a str,
    previous_published_message_id: &'a str,
}

/// An observer writing `events.csv` to `W` and `inbound.jsonl` to `J`. Write errors are
/// kept and reported once at the end rather than stopping the simulation midway.
pub struct EventLog<'s, W: Write, J: Write> {
    sc: &'s Scenario,
    seed: u64,
    out: W,
    jsonl: J,
    error: Option<std::io::Error>,
}

impl<'s, W: Write, J: Write> EventLog<'s, W, J> {
    /// A log writing to `out` (header first) and `jsonl`.
    pub fn new(sc: &'s Scenario, seed: u64, mut out: W, jsonl: J) -> Self {
        let error = writeln!(out, "{EVENTS_HEADER}").err();
        Self { sc, seed, out, jsonl, error }
    }

    /// Flush both and return the first error, if any.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        self.jsonl.flush()
    }

    fn number(&self, pool: u32, n: u32) -> String {
        if pool == NO_POOL {
            String::new()
        } else {
            let p = &self.sc.pools[pool as usize];
            address::number(p.kind, pool as usize, n, &p.calling_code)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        t: SimTime,
        id: &str,
        dir: &str,
        event: &str,
        number: &str,
        (customer, country): (u32, u8),
        carrier: u32,
        parts: u32,
        cost: Money,
        sub: &str,
    ) {
        if self.error.is_some() {
            return;
        }
        let r = writeln!(
            self.out,
            "{t},{id},{dir},{event},{number},{},{},{parts},{cost},{sub}",
            address::customer(customer, &self.sc.countries[country as usize].calling_code),
            self.sc.carriers[carrier as usize].id,
        );
        self.error = r.err();
    }
}

impl<W: Write, J: Write> Observer for EventLog<'_, W, J> {
    fn observe(&mut self, o: &Obs) {
        let event = match o.kind {
            ObsKind::Requested => "requested",
            ObsKind::Held => "held_for_window",
            ObsKind::Screened => "screened",
            ObsKind::Queued | ObsKind::FailedOver | ObsKind::OutsideWindow => return,
            ObsKind::Transmitted => "transmitted",
            ObsKind::End { state, .. } => state.name(),
        };
        let number = self.number(o.pool, o.number);
        self.row(
            o.t,
            &o.msg.to_string(),
            "outbound",
            event,
            &number,
            (o.customer, o.country),
            o.carrier,
            o.parts,
            o.cost + o.fee,
            "",
        );
    }

    fn inbound(&mut self, i: &InboundObs<'_>) {
        let number = self.number(i.pool, i.number);
        let event = if i.dropped { "dropped" } else { "received" };
        // Inbound messages are identified by their UUID, as in inbound.jsonl, so that
        // they never collide with outbound message ids.
        let uuid = address::inbound_uuid(self.seed, i.id);
        self.row(i.t, &uuid, "inbound", event, &number, (i.customer, i.country), i.carrier, i.parts, i.cost, "");
        if self.error.is_some() || i.topics.is_empty() {
            return;
        }
        let customer = address::customer(i.customer, &self.sc.countries[i.country as usize].calling_code);
        let answers = i.answers.to_string();
        let payload = Payload {
            origination_number: &customer,
            destination_number: &number,
            message_keyword: i.keyword.unwrap_or(""),
            message_body: i.body,
            inbound_message_id: &uuid,
            previous_published_message_id: &answers,
        };
        for _ in i.topics {
            let r = serde_json::to_writer(&mut self.jsonl, &payload)
                .map_err(std::io::Error::other)
                .and_then(|_| self.jsonl.write_all(b"\n"));
            if let Err(e) = r {
                self.error = Some(e);
                return;
            }
        }
    }

    fn delivery(&mut self, d: &DeliveryObs) {
        let number = self.number(d.pool, d.number);
        // `sc` outlives `self`'s borrow: the id is borrowed, not copied, per row.
        let sc = self.sc;
        let sub = &sc.topics[d.topic as usize].subscriptions[d.subscription as usize].id;
        let uuid = address::inbound_uuid(self.seed, d.inbound);
        self.row(
            d.t,
            &uuid,
            "subscription",
            d.state.name(),
            &number,
            (d.customer, d.country),
            d.carrier,
            0,
            Money::ZERO,
            sub,
        );
    }
}
