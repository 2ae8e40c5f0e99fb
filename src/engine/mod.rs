//! The discrete-event kernel: simulated time, an event queue ordered by (time, sequence),
//! seeded per-entity random streams, and the loop that feeds events to a model.
//!
//! The kernel knows nothing of SMS. A model is any type that handles its own events and
//! schedules new ones through a [`Scheduler`].

pub mod queue;
pub mod rng;
pub mod time;

pub use queue::EventQueue;
pub use time::SimTime;

/// A simulation model: reacts to its own events at the current simulated time.
pub trait Model {
    /// The model's event type: a small handle, copied in and out of the queue.
    type Event: Copy;
    /// Handle one event at `now`, scheduling any consequences on `sched`.
    fn handle(&mut self, now: SimTime, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// The model's view of the event queue while it handles an event.
#[derive(Debug)]
pub struct Scheduler<E> {
    queue: EventQueue<E>,
    now: SimTime,
    /// Events the model handled at once while handling one ([`Scheduler::handled_at_once`]).
    at_once: u64,
    /// Events the model handled with the one it handles ([`Scheduler::handled_together`]).
    together: u64,
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Scheduler<E> {
    /// An empty scheduler at time zero.
    pub fn new() -> Self {
        Self { queue: EventQueue::new(), now: SimTime::ZERO, at_once: 0, together: 0 }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedule `event` at absolute time `at`; an instant in the past is clamped to now,
    /// so that time never runs backwards.
    #[inline]
    pub fn at(&mut self, at: SimTime, event: E) {
        self.queue.push(at.max(self.now), event);
    }

    /// Schedule `event` after `delay`.
    #[inline]
    pub fn after(&mut self, delay: SimTime, event: E) {
        self.queue.push(self.now.saturating_add(delay), event);
    }

    /// Whether an event scheduled now would be the next one handled: none other is due
    /// now. A model may then handle it at once instead, to the same effect, provided it
    /// schedules nothing more before returning; it says so with
    /// [`Scheduler::handled_at_once`].
    #[inline]
    pub fn next_if_now(&self) -> bool {
        self.queue.peek_time().is_none_or(|t| t > self.now)
    }

    /// The model handled an event at once (see [`Scheduler::next_if_now`]): the run counts
    /// it as an event, in its stall window too.
    #[inline]
    pub fn handled_at_once(&mut self) {
        self.at_once += 1;
    }

    /// The event at hand stood for `k` more, due at the same instant, that the model
    /// keeps as one (a blast's requests that a sending window holds to the same opening):
    /// the run counts them as events, in its stall window too, as if each had been queued.
    #[inline]
    pub fn handled_together(&mut self, k: u64) {
        self.together += k;
    }

    /// Events still pending.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Drain the events still pending, in time order (used to account for what is in flight
    /// at the horizon).
    pub fn drain_pending(&mut self) -> impl Iterator<Item = (SimTime, E)> + '_ {
        std::iter::from_fn(move || self.queue.pop())
    }
}

/// What a run of the kernel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStats {
    /// Events handled.
    pub events: u64,
    /// Simulated time at which the loop stopped.
    pub end: SimTime,
    /// Where more events than the stall bound fell within one simulated second:
    /// simulated time (all but) stopped advancing, and the loop stopped there.
    pub stalled: Option<SimTime>,
    /// Of `events`, those the model handled at once ([`Scheduler::handled_at_once`]).
    pub at_once: u64,
}

/// The span of simulated time over which [`run`] counts events against its stall bound.
pub const STALL_WINDOW: SimTime = SimTime::from_secs(1);

/// How often (in events, about) the progress callback is called.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// Run `model` until the queue is empty or the next event lies after `horizon`.
/// Events at exactly `horizon` are handled. `progress` is called about every
/// [`PROGRESS_EVERY`] events with the current time, the events handled so far and the
/// model (to report its own progress). More than `stall` events within one simulated
/// second ([`STALL_WINDOW`]) stop the loop there ([`RunStats::stalled`]): time that no
/// longer advances, or advances by microseconds a cycle, is a loop, not work.
pub fn run<M: Model>(
    model: &mut M,
    sched: &mut Scheduler<M::Event>,
    horizon: SimTime,
    stall: u64,
    mut progress: impl FnMut(SimTime, u64, &M),
) -> RunStats {
    let (mut events, mut next_progress, mut at_once) = (0u64, PROGRESS_EVERY, 0u64);
    // Events since the window opened at `opened`.
    let (mut opened, mut within) = (sched.now, 0u64);
    while let Some(t) = sched.queue.peek_time() {
        if t > horizon {
            break;
        }
        if t - opened < STALL_WINDOW {
            within += 1;
            if within > stall {
                return RunStats { events, end: t, stalled: Some(t), at_once };
            }
        } else {
            (opened, within) = (t, 1);
        }
        let (t, ev) = sched.queue.pop().expect("peeked");
        sched.now = t;
        model.handle(t, ev, sched);
        events += 1;
        if sched.at_once + sched.together > 0 {
            // Each would have been the next event, at this instant.
            let (now, with) = (std::mem::take(&mut sched.at_once), std::mem::take(&mut sched.together));
            (events, at_once, within) = (events + now + with, at_once + now, within + now + with);
            if within > stall {
                return RunStats { events, end: t, stalled: Some(t), at_once };
            }
        }
        if events >= next_progress {
            next_progress = events + PROGRESS_EVERY;
            progress(t, events, model);
        }
    }
    sched.now = horizon;
    RunStats { events, end: horizon, stalled: None, at_once }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo {
        seen: Vec<(u64, u32)>,
    }

    impl Model for Echo {
        type Event = u32;
        fn handle(&mut self, now: SimTime, ev: u32, sched: &mut Scheduler<u32>) {
            self.seen.push((now.as_micros(), ev));
            if ev < 3 {
                // Two events at the same instant: they must come out in scheduling order.
                sched.after(SimTime::from_secs(1), ev * 10 + 1);
                sched.after(SimTime::from_secs(1), ev * 10 + 2);
            }
        }
    }

    #[test]
    fn ties_are_fifo_and_horizon_is_inclusive() {
        let mut m = Echo { seen: vec![] };
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 1);
        s.at(SimTime::ZERO, 2);
        let stats = run(&mut m, &mut s, SimTime::from_secs(1), u64::MAX, |_, _, _| {});
        assert_eq!(m.seen, vec![(0, 1), (0, 2), (1_000_000, 11), (1_000_000, 12), (1_000_000, 21), (1_000_000, 22)]);
        assert_eq!(stats.events, 6);
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn events_after_horizon_stay_pending() {
        let mut m = Echo { seen: vec![] };
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 2);
        let stats = run(&mut m, &mut s, SimTime::from_micros(999_999), u64::MAX, |_, _, _| {});
        assert_eq!(stats.events, 1);
        assert_eq!(s.pending(), 2);
    }

    /// Each event at an even second also handles, at once, the one it would schedule now
    /// (when nothing else is due now), then schedules the next second.
    struct Eager;
    impl Model for Eager {
        type Event = u64;
        fn handle(&mut self, now: SimTime, ev: u64, sched: &mut Scheduler<u64>) {
            if ev % 2 == 0 && sched.next_if_now() {
                sched.handled_at_once();
            }
            sched.at(now + SimTime::from_secs(1), ev + 1);
        }
    }

    #[test]
    fn events_handled_at_once_count_as_events_and_in_the_stall_window() {
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 0u64);
        let stats = run(&mut Eager, &mut s, SimTime::from_secs(9), u64::MAX, |_, _, _| {});
        // Ten events at 0..=9 s; five of them (the even) handled one more at once.
        assert_eq!((stats.events, stats.at_once), (15, 5));
        // With another event due at the same instant, none is handled at once.
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 0u64);
        s.at(SimTime::ZERO, 1u64);
        assert_eq!(run(&mut Eager, &mut s, SimTime::ZERO, u64::MAX, |_, _, _| {}).at_once, 0);
        // Within one second, two events make the bound of 1 overflow at the first: the
        // one handled at once is the second, at t = 0.
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 0u64);
        let stats = run(&mut Eager, &mut s, SimTime::from_secs(9), 1, |_, _, _| {});
        assert_eq!((stats.stalled, stats.events), (Some(SimTime::ZERO), 2));
    }

    /// Each event stands for `ev` more at its instant, and schedules one less a second on.
    struct Together;
    impl Model for Together {
        type Event = u64;
        fn handle(&mut self, now: SimTime, ev: u64, sched: &mut Scheduler<u64>) {
            sched.handled_together(ev);
            if ev > 0 {
                sched.at(now + SimTime::from_secs(1), ev - 1);
            }
        }
    }

    #[test]
    fn events_handled_together_count_as_events_and_in_the_stall_window_not_at_once() {
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 3u64);
        // Events 3, 2, 1, 0 at 0..=3 s, standing for 4 + 3 + 2 + 1.
        let stats = run(&mut Together, &mut s, SimTime::from_secs(9), u64::MAX, |_, _, _| {});
        assert_eq!((stats.events, stats.at_once, stats.stalled), (10, 0, None));
        // Four at t = 0 overflow a bound of 3 there, as four events queued would.
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 3u64);
        let stats = run(&mut Together, &mut s, SimTime::from_secs(9), 3, |_, _, _| {});
        assert_eq!((stats.stalled, stats.events), (Some(SimTime::ZERO), 4));
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 3u64);
        assert_eq!(run(&mut Together, &mut s, SimTime::from_secs(9), 4, |_, _, _| {}).stalled, None);
    }

    /// Answers itself at once, for ever.
    struct Loop;
    impl Model for Loop {
        type Event = ();
        fn handle(&mut self, _: SimTime, _: (), sched: &mut Scheduler<()>) {
            sched.after(SimTime::ZERO, ());
        }
    }

    #[test]
    fn a_loop_at_one_instant_stops_at_the_stall_bound() {
        let mut s = Scheduler::new();
        s.at(SimTime::from_secs(5), ());
        let stats = run(&mut Loop, &mut s, SimTime::from_secs(3600), 1000, |_, _, _| {});
        assert_eq!(stats.stalled, Some(SimTime::from_secs(5)));
        assert_eq!(stats.events, 1000);
        // A microsecond a cycle is no better: a million cycles make one simulated second.
        struct Creep;
        impl Model for Creep {
            type Event = ();
            fn handle(&mut self, _: SimTime, _: (), sched: &mut Scheduler<()>) {
                sched.after(SimTime::from_micros(1), ());
            }
        }
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, ());
        let stats = run(&mut Creep, &mut s, SimTime::from_secs(3600), 1000, |_, _, _| {});
        assert_eq!(stats.stalled, Some(SimTime::from_micros(1000)));
        // The same number of events spread over time is work, not a stall.
        let mut m = Echo { seen: vec![] };
        let mut s = Scheduler::new();
        s.at(SimTime::ZERO, 1);
        assert_eq!(run(&mut m, &mut s, SimTime::from_secs(9), 2, |_, _, _| {}).stalled, None);
    }
}
