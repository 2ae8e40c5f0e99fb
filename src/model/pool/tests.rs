//! The pools' unit tests: selection, TTL, daily caps and the shared rates' lines.

use super::*;

fn pools(numbers: &str) -> Pools {
    let text = format!(
        "[simulation]\nhorizon = \"1h\"\n[customers]\ncount = 10\n\
         [[carrier]]\nid = \"a\"\nshare = 0.5\n[[carrier]]\nid = \"b\"\nshare = 0.5\n{numbers}"
    );
    Pools::new(&crate::scenario::load_str(&text, "t.toml", "t", &[]).unwrap())
}

fn msg(id: u64, carrier: u8) -> Message {
    Message { carrier, ..Message::for_test(id) }
}

/// Drive the pools as the world does, with a tiny event list of wakes, and return
/// (time in s, message id) of every transmission.
/// Drive the pools from `start` as the world does, with a tiny event list of wakes,
/// and return (time in s, message id) of every transmission.
fn drain_from(p: &mut Pools, start: SimTime, horizon: u64) -> Vec<(f64, u64)> {
    let mut events: Vec<(SimTime, u32)> = Vec::new();
    let mut sent = Vec::new();
    for g in 0..p.numbers() {
        if p.numbers[g].head().is_some() {
            p.numbers[g].pending = true;
            events.push((start, g as u32));
        }
    }
    while let Some(i) = (0..events.len()).min_by_key(|&i| (events[i].0, i)) {
        let (now, g) = events.remove(i);
        if now > SimTime::from_secs(horizon) {
            break;
        }
        let mut wake = |n: u32, at: SimTime| events.push((at, n));
        if !p.ready(g as usize, now, &mut wake) {
            continue;
        }
        loop {
            match p.step(g as usize, now, &Customers::for_test(1), &mut wake) {
                Step::Wait => break,
                Step::Ended(..) | Step::BlockedCharged(_) => continue,
                Step::Send => {
                    let m = *p.head(g as usize).unwrap();
                    p.transmit(g as usize, now, &m, &Customers::for_test(1));
                    sent.push((now.as_secs_f64(), m.id));
                    p.after_transmit(g as usize, m.carrier, now, &mut wake);
                    break;
                }
            }
        }
    }
    sent
}

fn drain(p: &mut Pools, horizon: u64) -> Vec<(f64, u64)> {
    drain_from(p, SimTime::ZERO, horizon)
}

#[test]
fn a_number_paces_its_queue_in_order() {
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nmps = 2\n");
    for id in 0..4 {
        assert!(p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut None, &mut |_, _| {}));
    }
    assert_eq!(drain(&mut p, 10), vec![(0.0, 0), (0.5, 1), (1.0, 2), (1.5, 3)]);
}

#[test]
fn least_loaded_then_round_robin_and_sticky_selection() {
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\n");
    let mut picks = Vec::new();
    for id in 0..6 {
        let i = p.select(0, 0, None);
        picks.push(i);
        p.enqueue(SimTime::ZERO, 0, i, msg(id, 0), &mut None, &mut |_, _| {});
    }
    assert_eq!(picks, vec![0, 1, 2, 0, 1, 2], "fewest parts waiting, ties to the lowest index");
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\nselection = \"round_robin\"\n");
    assert_eq!((0..4).map(|_| p.select(0, 0, None)).collect::<Vec<_>>(), vec![0, 1, 2, 0]);
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 3\nselection = \"sticky\"\n");
    let first = p.select(0, 42, None);
    assert!((0..5).all(|_| p.select(0, 42, None) == first), "a customer keeps its number");
    assert_eq!(p.select(0, 42, Some(2)), 2, "a pin wins");
}

#[test]
fn queue_limit_throttles() {
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nqueue_limit = 2\n");
    let ok: Vec<bool> =
        (0..4).map(|id| p.enqueue(SimTime::ZERO, 0, 0, msg(id, 0), &mut None, &mut |_, _| {})).collect();
    // An idle number takes the first whatever the limit; it is still queued (its
    // wake-up has not run), so the second makes 2 parts waiting and the third 3.
    assert_eq!(ok, vec![true, true, false, false]);
}

#[test]
fn a_shared_carrier_limit_serves_numbers_first_come_first_served() {
    // Two numbers at 10 MPS each, 1 MPS shared toward carrier a: one part a second in
    // all, alternating between the numbers as they joined the line.
    let mut p = pools(
        "[[number]]\nid = \"n\"\nkind = \"long_code\"\ncount = 2\nmps = 10\n\
         carrier_limit = [{ carrier = \"a\", mps = 1 }]\n",
    );
    for id in 0..6 {
        p.enqueue(SimTime::ZERO, 0, (id % 2) as u32, msg(id, 0), &mut None, &mut |_, _| {});
    }
    let sent = drain(&mut p, 100);
    let times: Vec<f64> = sent.iter().map(|s| s.0).collect();
    assert_eq!(times, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let ids: Vec<u64> = sent.iter().map(|s| s.1).collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5], "the numbers take turns");
    // Toward carrier b nothing is shared: both numbers send at their own 10 MPS.
    let t = SimTime::from_secs(200);
    for id in 0..4 {
        p.enqueue(t, 0, (id % 2) as u32, msg(10 + id, 1), &mut None, &mut |_, _| {});
    }
    let mut times: Vec<f64> = drain_from(&mut p, t, 300).iter().map(|s| s.0).collect();
    times.sort_by(f64::total_cmp);
    assert_eq!(times, vec![200.0, 200.0, 200.1, 200.1]);
}

#[test]
fn ttl_expires_heads_and_a_daily_cap_blocks() {
    let mut wake = |_: u32, _: SimTime| {};
    // A 2 s TTL: at 3 s every waiting head has expired, whatever its carrier.
    let mut p = pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\nttl = \"2s\"\n");
    for id in 0..3 {
        p.enqueue(SimTime::ZERO, 0, 0, msg(id, (id % 2) as u8), &mut None, &mut |_, _| {});
    }
    let Step::Send = p.step(0, SimTime::ZERO, &Customers::for_test(1), &mut wake) else { panic!() };
    let m = *p.head(0).unwrap();
    p.transmit(0, SimTime::ZERO, &m, &Customers::for_test(1));
    let t = SimTime::from_secs(3);
    assert!(matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::Expired) if m.id == 1));
    assert!(matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::Expired) if m.id == 2));
    assert!(matches!(p.step(0, t, &Customers::for_test(1), &mut wake), Step::Wait));
    // Within the TTL, the second part toward carrier a passes the daily cap of 1, while
    // a message to carrier b is not counted against it.
    let mut p =
        pools("[[number]]\nid = \"n\"\nkind = \"long_code\"\ncarrier_limit = [{ carrier = \"a\", daily_parts = 1 }]\n");
    for (id, carrier) in [(0, 0), (1, 1), (2, 0)] {
        p.enqueue(SimTime::ZERO, 0, 0, msg(id, carrier), &mut None, &mut |_, _| {});
    }
    for id in 0..2 {
        let Step::Send = p.step(0, SimTime::from_secs(id), &Customers::for_test(1), &mut wake) else { panic!("{id}") };
        let m = *p.head(0).unwrap();
        assert_eq!(m.id, id);
        p.transmit(0, SimTime::from_secs(id), &m, &Customers::for_test(1));
    }
    assert!(
        matches!(p.step(0, SimTime::from_secs(2), &Customers::for_test(1), &mut wake), Step::Ended(m, EndState::BlockedDailyCap) if m.id == 2)
    );
}
