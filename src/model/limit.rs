//! Shared limits (SPEC 6.1-6.2): the account's MPS, pools' carrier limits and `[[limit]]`s.
//! A limit's rate is paced without burst and served to waiting numbers by the priority of
//! their heads, then first come, first served; its caps count parts per day, week and
//! month, and say what happens at a cap.

use super::pacing::Pacer;
use crate::scenario::{OnCap, Scenario, Window};
use std::collections::BTreeSet;

/// A number's place in the lines of the limits it waits for: its head's priority and the
/// order in which it joined. The same key in every line, so that the first of all waiting
/// numbers is first in each of its lines (no two numbers wait for each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Place {
    /// The head's priority (1 first).
    pub(crate) priority: u8,
    /// Join order.
    pub(crate) seq: u64,
}

#[derive(Debug, Clone, Copy)]
struct CapState {
    window: Window,
    cap: u64,
    index: u64,
    used: u64,
}

#[derive(Debug)]
struct LimitState {
    pacer: Option<Pacer>,
    caps: Vec<CapState>,
    on_cap: OnCap,
    /// Numbers whose head waits for this limit's rate.
    line: BTreeSet<(Place, u32)>,
}

/// What the caps say about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capped {
    /// Under every cap.
    No,
    /// Blocked (charged or not).
    Block {
        /// Charged as if transmitted.
        charged: bool,
    },
    /// Held until `until` (microseconds), when every window that caps it has reset.
    Hold {
        /// When to look again.
        until: u64,
        /// The capping limits, as bits over [`Limits::covering`] of the group: the number
        /// waits in their lines, so that at the reset the most urgent head goes first.
        lines: u64,
    },
}

/// Every shared limit, and which cover each pool and carrier.
#[derive(Debug)]
pub(crate) struct Limits {
    limits: Vec<LimitState>,
    /// Limits covering (pool, carrier), at `pool * carriers + carrier`.
    covering: Vec<Vec<u16>>,
    carriers: usize,
    /// When each day, week and month of the caps begins after t = 0 (SPEC 6.2, 7.1).
    starts: [Vec<u64>; 3],
    next_seq: u64,
}

impl Limits {
    /// The limits of `sc`.
    pub(crate) fn new(sc: &Scenario) -> Self {
        let carriers = sc.carriers.len();
        let mut covering = vec![Vec::new(); sc.pools.len() * carriers];
        let mut limits = Vec::with_capacity(sc.limits.len());
        for (i, l) in sc.limits.iter().enumerate() {
            for &p in &l.pools {
                for c in (0..carriers).filter(|&c| l.carrier.is_none_or(|x| x == c)) {
                    covering[p * carriers + c].push(i as u16);
                }
            }
            let caps = l.caps.iter().map(|c| CapState { window: c.window, cap: c.parts, index: 0, used: 0 }).collect();
            limits.push(LimitState { pacer: l.mps.map(Pacer::new), caps, on_cap: l.on_cap, line: BTreeSet::new() });
        }
        let starts = [Window::Day, Window::Week, Window::Month].map(|w| {
            if sc.limits.iter().any(|l| l.caps.iter().any(|c| c.window == w)) {
                sc.period_starts(w)
            } else {
                Vec::new()
            }
        });
        Self { limits, covering, carriers, starts, next_seq: 0 }
    }

    /// The group of limits of pool `p` toward carrier `c`.
    #[inline]
    pub(crate) fn group(&self, p: u32, c: u8) -> u32 {
        p * self.carriers as u32 + c as u32
    }

    /// Every limit of `group` (at most 64, checked when the scenario is read).
    #[inline]
    pub(crate) fn covering(&self, group: u32) -> &[u16] {
        &self.covering[group as usize]
    }

    /// Whether limit `l` has a rate.
    #[inline]
    pub(crate) fn has_rate(&self, l: u16) -> bool {
        self.limits[l as usize].pacer.is_some()
    }

    /// The earliest microsecond at which limit `l`'s rate lets the next part go.
    #[inline]
    pub(crate) fn free_at(&self, l: u16) -> u64 {
        self.limits[l as usize].pacer.as_ref().map_or(0, Pacer::next_free)
    }

    /// The number first in limit `l`'s line.
    #[inline]
    pub(crate) fn front(&self, l: u16) -> Option<u32> {
        self.limits[l as usize].line.first().map(|&(_, g)| g)
    }

    /// Whether a number other than `g` waits in limit `l`'s line at a place before `place`.
    #[inline]
    pub(crate) fn ahead(&self, l: u16, place: Place, g: u32) -> bool {
        self.limits[l as usize].line.first().is_some_and(|&(p, f)| f != g && p < place)
    }

    /// The join order the next number to wait will get.
    pub(crate) fn peek_seq(&self) -> u64 {
        self.next_seq + 1
    }

    /// A fresh join order.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Number `g` joins limit `l`'s line at `place`.
    pub(crate) fn join(&mut self, l: u16, place: Place, g: u32) {
        self.limits[l as usize].line.insert((place, g));
    }

    /// Number `g` leaves limit `l`'s line.
    pub(crate) fn leave(&mut self, l: u16, place: Place, g: u32) {
        self.limits[l as usize].line.remove(&(place, g));
    }

    /// The index of `window` at `t` (microseconds): how many of its periods began by `t`
    /// (days from midnight, weeks from a Monday or the first midnight, months of 30 days).
    fn window_index(&self, window: Window, t: u64) -> u64 {
        self.starts[window as usize].partition_point(|&s| s <= t) as u64
    }

    /// When window `index` of `window` ends (microseconds).
    fn window_end(&self, window: Window, index: u64) -> u64 {
        self.starts[window as usize].get(index as usize).copied().unwrap_or(u64::MAX)
    }

    /// Whether `parts` more at `t` would pass a cap of a limit of `group`.
    #[inline]
    pub(crate) fn capped(&mut self, group: u32, t: u64, parts: u64) -> Capped {
        // A send that no limit covers (no account or shared rate, no cap) is answered
        // here, without the call.
        if self.covering[group as usize].is_empty() { Capped::No } else { self.capped_by_limits(group, t, parts) }
    }

    /// [`Limits::capped`] for a group with limits.
    fn capped_by_limits(&mut self, group: u32, t: u64, parts: u64) -> Capped {
        let (mut block, mut charged, mut lines, mut until) = (false, false, 0u64, 0);
        for i in 0..self.covering[group as usize].len() {
            let l = self.covering[group as usize][i] as usize;
            for c in 0..self.limits[l].caps.len() {
                let window = self.limits[l].caps[c].window;
                let index = self.window_index(window, t);
                let cap = &mut self.limits[l].caps[c];
                if cap.index != index {
                    cap.index = index;
                    cap.used = 0;
                }
                if cap.used + parts > cap.cap {
                    match self.limits[l].on_cap {
                        OnCap::Block => block = true,
                        OnCap::BlockCharged => (block, charged) = (true, true),
                        OnCap::Hold => {
                            lines |= 1 << i;
                            until = until.max(self.window_end(window, index));
                        }
                    }
                }
            }
        }
        match (block, lines) {
            (true, _) => Capped::Block { charged },
            (false, 0) => Capped::No,
            (false, lines) => Capped::Hold { until, lines },
        }
    }

    /// Count `parts` sent at `t` against every limit of `group`.
    #[inline]
    pub(crate) fn take(&mut self, group: u32, t: u64, parts: u64) {
        for &l in &self.covering[group as usize] {
            let ls = &mut self.limits[l as usize];
            if let Some(p) = &mut ls.pacer {
                p.take(t, parts as u32);
            }
            for c in &mut ls.caps {
                c.used += parts;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microseconds in a day.
    const DAY_US: u64 = 86_400_000_000;

    fn limits(extra: &str) -> Limits {
        let text = format!(
            "[simulation]\nhorizon = \"40d\"\n[customers]\ncount = 10\n\
             [[carrier]]\nid = \"a\"\nshare = 0.5\n[[carrier]]\nid = \"b\"\nshare = 0.5\n\
             [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\n[[number]]\nid = \"q\"\nkind = \"ten_dlc\"\n{extra}"
        );
        Limits::new(&crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap())
    }

    #[test]
    fn a_limit_covers_its_pools_and_carrier() {
        let l = limits("[[limit]]\nid = \"brand\"\npools = [\"p\", \"q\"]\ncarrier = \"a\"\nmps = 2\n");
        assert_eq!(l.covering(l.group(0, 0)), &[0]);
        assert_eq!(l.covering(l.group(1, 0)), &[0]);
        assert!(l.has_rate(0));
        assert!(l.covering(l.group(0, 1)).is_empty(), "not toward carrier b");
    }

    #[test]
    fn caps_reset_each_window_and_say_what_to_do() {
        let mut l = limits("[[limit]]\nid = \"x\"\npools = [\"p\"]\ndaily_parts = 2\non_cap = \"hold\"\n");
        let g = l.group(0, 1);
        l.take(g, 0, 2);
        assert_eq!(l.capped(g, 5, 1), Capped::Hold { until: DAY_US, lines: 1 });
        assert_eq!(l.capped(g, DAY_US, 2), Capped::No, "a new day");
        let mut l = limits(
            "[[limit]]\nid = \"x\"\npools = [\"p\"]\nweekly_parts = 1\non_cap = \"block_charged\"\n\
             [[limit]]\nid = \"y\"\npools = [\"p\"]\nmonthly_parts = 1\non_cap = \"hold\"\n",
        );
        let g = l.group(0, 0);
        l.take(g, 0, 1);
        assert_eq!(l.capped(g, 0, 1), Capped::Block { charged: true }, "a block wins over a hold");
        // Weeks run from the first midnight: day 0 is week 0, days 1 to 7 week 1.
        assert_eq!(l.window_index(Window::Week, 0), 0);
        assert_eq!(l.window_index(Window::Week, DAY_US), 1);
        assert_eq!(l.window_index(Window::Week, 7 * DAY_US + 1), 1);
        assert_eq!(l.window_index(Window::Week, 8 * DAY_US), 2);
        assert_eq!(l.window_end(Window::Week, 1), 8 * DAY_US);
        assert_eq!(l.window_end(Window::Month, 0), 30 * DAY_US);
    }

    #[test]
    fn the_line_is_by_priority_then_join_order() {
        let mut l = limits("[account]\nmps = 1\n");
        assert_eq!(l.covering(l.group(1, 1)), &[0], "the account covers every pool and carrier");
        let (a, b, c) = (l.next_seq(), l.next_seq(), l.next_seq());
        l.join(0, Place { priority: 5, seq: a }, 7);
        l.join(0, Place { priority: 5, seq: b }, 8);
        assert_eq!(l.front(0), Some(7), "first come, first served");
        l.join(0, Place { priority: 1, seq: c }, 9);
        assert_eq!(l.front(0), Some(9), "the more urgent head first");
        l.leave(0, Place { priority: 1, seq: c }, 9);
        assert_eq!(l.front(0), Some(7));
    }
}
