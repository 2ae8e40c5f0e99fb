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
        unroutable: false,
    };
    Some(Matched { keyword: kw, opted_out, response })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    fn setup() -> (crate::scenario::Scenario, Customers) {
        let text = "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
                    [[carrier]]\nid = \"a\"\nshare = 1\n[[number]]\nid = \"n\"\nkind = \"long_code\"\n\
                    [[keyword]]\nnumber = \"n\"\nword = \"info\"\nbody = \"Open 9 to 5\"\n";
        let sc = crate::scenario::load_str(text, "t.toml", "t", &[]).unwrap();
        let c = Customers::new(&sc, 1);
        (sc, c)
    }

    fn reply(customer: u32) -> Inbound {
        Inbound { reply: 1, answers: 7, answers_origin: 99, root: SimTime::from_secs(5), ..Inbound::for_test(customer) }
    }

    #[test]
    fn stop_opts_out_and_its_confirmation_is_exempt() {
        let (sc, mut c) = setup();
        let kws = &sc.pools[0].keywords;
        let m = answer(kws, "STOP", &reply(3), (0, 0, 0), &mut c).unwrap();
        assert!(m.opted_out && m.response.exempt && c.opted_out(3, 0));
        assert_eq!(m.response.pin, Some(0), "from the number texted");
        assert_eq!(m.response.root, Some(SimTime::from_secs(5)), "the conversation's start");
        assert!(!answer(kws, "STOP", &reply(3), (0, 0, 0), &mut c).unwrap().opted_out, "counted once");
        let m = answer(kws, "START", &reply(3), (0, 0, 0), &mut c).unwrap();
        assert!(!m.response.exempt && !c.opted_out(3, 0));
        assert!(answer(kws, "MAYBE", &reply(3), (0, 0, 0), &mut c).is_none());
    }

    #[test]
    fn a_declared_keyword_answers_with_its_template_and_source() {
        let (sc, mut c) = setup();
        let m = answer(&sc.pools[0].keywords, "INFO", &reply(1), (0, 0, 0), &mut c).unwrap();
        assert_eq!(sc.templates[m.response.template].body, "Open 9 to 5");
        assert_eq!(sc.sources[m.response.source as usize].name, "keyword:INFO");
        // The response's origin depends on the message answered, not on arrival order.
        let again = answer(&sc.pools[0].keywords, "INFO", &Inbound { id: 5, ..reply(1) }, (0, 0, 0), &mut c).unwrap();
        assert_eq!(m.response.origin, again.response.origin);
        let other = Inbound { answers_origin: 100, ..reply(1) };
        assert_ne!(
            answer(&sc.pools[0].keywords, "INFO", &other, (0, 0, 0), &mut c).unwrap().response.origin,
            m.response.origin
        );
    }
}
