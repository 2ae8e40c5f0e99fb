//! Throughput pacing and least-loaded selection.

/// Paces parts at a fixed rate without drift: the k-th part after an idle period leaves at
/// `anchor + ceil(k / rate)` microseconds, so rounding never accumulates and a number never
/// sends faster than its rate over any run of parts.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    us_per_part: f64,
    anchor: u64,
    parts: u64,
    next_free: u64,
}

impl Pacer {
    /// A pacer for `rate` parts per second.
    pub(crate) fn new(rate: f64) -> Self {
        Self { us_per_part: 1e6 / rate, anchor: 0, parts: 0, next_free: 0 }
    }

    /// Earliest microsecond at which the next part may leave.
    #[inline]
    pub(crate) fn next_free(&self) -> u64 {
        self.next_free
    }

    /// Send `parts` parts at `now` (which must be at or after [`Pacer::next_free`]).
    #[inline]
    pub(crate) fn take(&mut self, now: u64, parts: u32) {
        debug_assert!(now >= self.next_free);
        if now > self.next_free {
            // Idle since the last part: restart the schedule here.
            self.anchor = now;
            self.parts = 0;
        }
        self.parts += parts as u64;
        // The tiny epsilon keeps an exact quotient (3e6 / 3.0) from rounding up by one.
        self.next_free = self.anchor.saturating_add(ceil_u64(self.parts as f64 * self.us_per_part - 1e-6));
    }
}

/// `x.ceil() as u64`, to the bit, without the library call that `ceil` is on processors
/// without SSE4.1 (the portable x86-64 build): the truncation, one more if it fell short.
/// Between 0 and 2^63 the truncation goes through `i64`, one instruction each way (the
/// `u64` casts take several); anything else (negative, NaN, huge) is left to `ceil`.
#[inline]
fn ceil_u64(x: f64) -> u64 {
    if (0.0..9_223_372_036_854_775_808.0).contains(&x) {
        let t = x as i64;
        (if (t as f64) < x { t + 1 } else { t }) as u64
    } else {
        x.ceil() as u64
    }
}

/// A tournament tree over a pool's numbers: the least loaded in O(1), updates in
/// O(log n). Load is ordered by parts waiting, then by when the number is next free (so
/// an idle number beats one still inside its send interval), then by index.
///
/// Each node is one `u128` holding the whole order: parts waiting in the top 40 bits
/// (saturated: a number with 2^40 parts queued ties with a fuller one), the next free
/// microsecond in the next 64, the index in the last 24 (a pool has at most 1,000,000
/// numbers), so that one integer comparison decides.
#[derive(Debug, Clone)]
pub(crate) struct MinTree {
    leaves: usize,
    tree: Vec<u128>,
    /// Few numbers: keep only the leaves and scan them on `min`. Every transmission
    /// changes a key, so updates outnumber queries and an O(1) update wins.
    flat: bool,
}

/// Pools up to this size are scanned rather than kept as a tree.
const FLAT_MAX: usize = 64;

const INDEX_BITS: u32 = 24;
const PARTS_MAX: u64 = (1 << 40) - 1;

#[inline]
fn key(i: u32, parts: u64, free_at: u64) -> u128 {
    debug_assert!(i < 1 << INDEX_BITS);
    ((parts.min(PARTS_MAX) as u128) << 88) | ((free_at as u128) << INDEX_BITS) | i as u128
}

impl MinTree {
    /// `n` numbers, all at load 0.
    pub(crate) fn new(n: usize) -> Self {
        assert!(n <= 1 << INDEX_BITS, "a pool has at most 2^24 numbers");
        let leaves = n.next_power_of_two();
        let mut tree = vec![u128::MAX; 2 * leaves];
        for i in 0..n {
            tree[leaves + i] = key(i as u32, 0, 0);
        }
        for i in (1..leaves).rev() {
            tree[i] = tree[2 * i].min(tree[2 * i + 1]);
        }
        Self { leaves, tree, flat: n <= FLAT_MAX }
    }

    /// The least loaded index.
    #[inline]
    pub(crate) fn min(&self) -> u32 {
        let best =
            if self.flat { self.tree[self.leaves..].iter().copied().fold(u128::MAX, u128::min) } else { self.tree[1] };
        (best & ((1 << INDEX_BITS) - 1)) as u32
    }

    /// The order in which `min` would pick the first `n` numbers, round after round, if
    /// each pick added `parts` to the picked number's load and nothing else changed: the
    /// numbers by load, when every load is below the least one plus `parts` (each pick then
    /// moves the picked number behind all others, and the order repeats). `None` when the
    /// loads are too uneven for that.
    pub(crate) fn cycle(&self, n: usize, parts: u64) -> Option<Vec<u32>> {
        let mut keys: Vec<u128> = self.tree[self.leaves..self.leaves + n].to_vec();
        keys.sort_unstable();
        let (least, most) = (keys[0], keys[n - 1]);
        if (least >> 88) as u64 + parts >= PARTS_MAX || most >= least + ((parts as u128) << 88) {
            return None;
        }
        Some(keys.iter().map(|k| (k & ((1 << INDEX_BITS) - 1)) as u32).collect())
    }

    /// Set the load of `i`: `parts` waiting, next free at `free_at` microseconds.
    #[inline]
    pub(crate) fn set(&mut self, i: u32, parts: u64, free_at: u64) {
        let mut p = self.leaves + i as usize;
        self.tree[p] = key(i, parts, free_at);
        if self.flat {
            return;
        }
        while p > 1 {
            p /= 2;
            let m = self.tree[2 * p].min(self.tree[2 * p + 1]);
            if self.tree[p] == m {
                break;
            }
            self.tree[p] = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_u64_is_the_cast_ceiling() {
        let mut x = 5u64;
        let mut values = vec![
            0.0,
            -0.0,
            -1e-6,
            -0.5,
            -1.5,
            1e-300,
            0.999_999_999_999,
            1.0,
            1.0 + f64::EPSILON,
            333_333.333_333_332_3,
            4_503_599_627_370_495.5,
            // 2^63, where the fast path ends, and the double just below it.
            9_223_372_036_854_775_808.0,
            9_223_372_036_854_774_784.0,
            9_007_199_254_740_993.0,
            1.8e19,
            18_446_744_073_709_551_616.0,
            3e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
        ];
        for _ in 0..100_000 {
            x = crate::engine::rng::mix64(x);
            // Every magnitude up to 2^70, and fractions of small numbers.
            let e = (x % 71) as i32;
            values.push((x >> 11) as f64 / (1u64 << 53) as f64 * 2f64.powi(e));
            values.push((x >> 40) as f64 * 1e6 / ((x & 0xff) + 1) as f64 - 1e-6);
        }
        for v in values {
            assert_eq!(ceil_u64(v), v.ceil() as u64, "{v:e}");
        }
    }

    #[test]
    fn pacer_is_exact_over_long_runs() {
        let mut p = Pacer::new(3.0);
        let mut t = 0;
        for _ in 0..3_000 {
            p.take(t, 1);
            t = p.next_free();
        }
        // 3000 parts at 3/s: the next may leave at exactly 1000 s.
        assert_eq!(t, 1_000_000_000);
    }

    #[test]
    fn pacer_restarts_after_idle() {
        let mut p = Pacer::new(1.0);
        p.take(0, 2);
        assert_eq!(p.next_free(), 2_000_000);
        p.take(10_000_000, 1);
        assert_eq!(p.next_free(), 11_000_000);
    }

    #[test]
    fn min_tree_prefers_least_then_lowest() {
        let mut m = MinTree::new(5);
        assert_eq!(m.min(), 0);
        m.set(0, 3, 0);
        assert_eq!(m.min(), 1);
        m.set(1, 1, 0);
        m.set(2, 1, 0);
        m.set(3, 1, 0);
        m.set(4, 1, 0);
        assert_eq!(m.min(), 1);
        m.set(1, 2, 0);
        assert_eq!(m.min(), 2);
        m.set(0, 0, 0);
        assert_eq!(m.min(), 0);
        // Equal parts waiting: the one free sooner wins, whatever its index.
        m.set(0, 0, 900);
        m.set(3, 0, 100);
        assert_eq!(m.min(), 3);
    }

    /// The cycle is exactly the picks `min` makes while each pick adds the same parts, from
    /// loads as uneven as it allows (including ties of parts broken by free time).
    #[test]
    fn the_cycle_is_the_sequence_of_picks() {
        for n in [5usize, 100] {
            let mut t = MinTree::new(n);
            let mut x = 99u64;
            for i in 0..n {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.set(i as u32, 10 + (x >> 40) % 3, (x >> 20) % 5);
            }
            assert!(t.cycle(n, 1).is_none(), "loads 10 to 12 are not within 1 of the least");
            let order = t.cycle(n, 3).expect("within 3");
            let mut loads: Vec<u64> = (0..n).map(|i| (t.tree[t.leaves + i] >> 88) as u64).collect();
            for k in 0..5 * n {
                let i = t.min();
                assert_eq!(i, order[k % n], "pick {k} of {n}");
                loads[i as usize] += 3;
                let free = ((t.tree[t.leaves + i as usize] >> INDEX_BITS) & u64::MAX as u128) as u64;
                t.set(i, loads[i as usize], free);
            }
        }
    }

    #[test]
    fn flat_and_tree_agree() {
        // 100 numbers use the tree; compare it with a scan after random updates.
        let mut t = MinTree::new(100);
        assert!(!t.flat);
        let mut keys = vec![(0u64, 0u64); 100];
        let mut x = 12345u64;
        for _ in 0..10_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let i = (x >> 33) as usize % 100;
            keys[i] = ((x >> 20) % 7, (x >> 8) % 1000);
            t.set(i as u32, keys[i].0, keys[i].1);
            let want = (0..100).min_by_key(|&j| (keys[j], j)).unwrap() as u32;
            assert_eq!(t.min(), want);
        }
    }
}
