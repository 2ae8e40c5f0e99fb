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
            unroutable: false,
        }
    });
    Ran { outcome: rule.outcome, response }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    #[test]
    fn the_first_matching_rule_answers_and_records_its_outcome() {
        let text = "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
                    [[carrier]]\nid = \"a\"\nshare = 1\n[[number]]\nid = \"n\"\nkind = \"long_code\"\n\
                    [[flow]]\nid = \"f\"\n\
                    [[flow.rule]]\nwhen = [\"1\", \"YES\"]\nbody = \"Confirmed\"\noutcome = \"confirmed\"\n\
                    [[flow.rule]]\nwhen = \"*\"\noutcome = \"other\"\n";
        let sc = crate::scenario::load_str(text, "t.toml", "t", &[]).unwrap();
        let m = Inbound { customer: 4, root: SimTime::from_secs(2), ..Inbound::for_test(4) };
        let yes = run(&sc.flows[0], 0, 0, &m, "YES", 0, 3);
        assert_eq!(yes.outcome, Some(0));
        let r = yes.response.unwrap();
        assert_eq!((r.customer, r.pin, r.root), (4, Some(3), Some(SimTime::from_secs(2))));
        assert_eq!(sc.sources[r.source as usize].name, "flow:f");
        // Two subscriptions running the flow answer with distinct origins.
        assert_ne!(run(&sc.flows[0], 0, 1, &m, "YES", 0, 3).response.unwrap().origin, r.origin);
        let other = run(&sc.flows[0], 0, 0, &m, "HUH", 0, 3);
        assert_eq!((other.outcome, other.response.is_none()), (Some(1), true));
    }
}
