//! Flows (SPEC 3.10): the business logic a subscription runs on each delivered inbound
//! message. The first rule whose words match records its outcome and answers the customer
//! from the number texted.

use super::message::{Inbound, Request};
use crate::engine::rng;
use crate::scenario::Flow;

/// What a flow did with one message.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ran {
    /// The outcome recorded, if any.
    pub(crate) outcome: Option<usize>,
    /// The response requested, if any.
    pub(crate) response: Option<Request>,
}

/// Run flow `flow` (index `index`), for subscription `sub`, on message `m` whose first word
/// is `word`, received on number `idx` of pool `pool`.
pub(crate) fn run(flow: &Flow, index: usize, sub: u32, m: &Inbound, word: &str, pool: usize, idx: u32) -> Ran {
    let Some(rule) = flow.rules.iter().find(|r| r.when.iter().any(|w| w == "*" || w == word)) else {
        return Ran::default();
    };
    let response = rule.template.map(|t| {
        // Two subscriptions running flows on one message answer with distinct origins.
        let origin = rng::derive(m.answers_origin, &[m.template as u64, m.reply as u64, 1 + index as u64, sub as u64]);
        Request {
            template: t,
            source: flow.source as u16,
            origin,
            customer: m.customer,
            pool,
            pin: Some(idx),
            exempt: false,
            root: Some(m.root),
        }
    });
    Ran { outcome: rule.outcome, response }
}
