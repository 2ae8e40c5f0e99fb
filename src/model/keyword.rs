//! Keywords and the opt-out list (SPEC 4.2): an inbound message whose first word is one
//! of its number's keywords changes the customer's opt-out state as the keyword says, and
//! asks for the keyword's response from the number texted.

use super::customer::Customers;
use super::message::{Inbound, Request};
use crate::engine::rng;
use crate::scenario::{Action, Keyword};

/// A keyword an inbound message matched, and what it did.
#[derive(Debug)]
pub(crate) struct Matched<'a> {
    /// The keyword.
    pub(crate) keyword: &'a Keyword,
    /// The customer went onto the opt-out list (was not on it).
    pub(crate) opted_out: bool,
    /// The keyword's response.
    pub(crate) response: Request,
}

/// Match `word` (upper case) of message `m`, which reached number `idx` of pool `pool`,
/// against the pool's `keywords`, applying the keyword's action to the customer on the
/// pool's opt-out list `list`.
pub(crate) fn answer<'a>(
    keywords: &'a [Keyword],
    word: &str,
    m: &Inbound,
    (pool, idx, list): (usize, u32, usize),
    customers: &mut Customers,
) -> Option<Matched<'a>> {
    let kw = keywords.iter().find(|k| k.word == word)?;
    let mut opted_out = false;
    match kw.action {
        Action::OptOut => opted_out = customers.opt_out(m.customer, list),
        Action::OptIn => customers.opt_in(m.customer, list),
        Action::AutoReply => {}
    }
    // The response's origin: the answered message's origin and this reply, so that a
    // customer's conversation is keyed the same in every variant.
    let origin = rng::derive(m.answers_origin, &[m.template as u64, m.reply as u64]);
    let response = Request {
        template: kw.template,
        source: kw.source as u16,
        origin,
        customer: m.customer,
        pool,
        pin: Some(idx),
        // The opt-out confirmation goes to a customer now on the list.
        exempt: kw.action == Action::OptOut,
        root: Some(m.root),
    };
    Some(Matched { keyword: kw, opted_out, response })
}
