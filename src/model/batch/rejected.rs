//! A blast's requests that were not queued, by offset (see `batch`): a list while they
//! are few, a bit for each offset once the list would take more. A rejection then costs
//! four bytes while rejections are rarer than one offset in 32, and never more than an
//! eighth of a byte per request of the blast: a window that holds most of a blast of
//! ten million, or lets a quarter of it go, keeps 1.25 MB, not 30.

/// Fewer listed rejections than this stay a list, however dense (a few kilobytes).
const LIST_AT_LEAST: usize = 1024;

/// The offsets of a blast's requests that were not queued, ascending.
#[derive(Debug, Default)]
pub(super) struct Rejected {
    /// The offsets, while listed.
    list: Vec<u32>,
    /// A bit per offset (set: not queued), once they are not listed (`list` is then empty).
    bits: Vec<u64>,
    /// How many.
    count: u32,
}

impl Rejected {
    /// The request at `offset`, after every one listed so far, was not queued.
    pub(super) fn push(&mut self, offset: u32) {
        self.count += 1;
        if self.bits.is_empty() {
            debug_assert!(self.list.last().is_none_or(|&l| l < offset));
            self.list.push(offset);
            // Bits take less than the list once it holds one offset in 32.
            if self.list.len() >= LIST_AT_LEAST && self.list.len() as u64 * 32 > offset as u64 + 1 {
                self.bits = vec![0; offset as usize / 64 + 1];
                for o in std::mem::take(&mut self.list) {
                    self.bits[o as usize / 64] |= 1 << (o % 64);
                }
            }
        } else {
            let w = offset as usize / 64;
            if w >= self.bits.len() {
                self.bits.resize(w + 1, 0);
            }
            self.bits[w] |= 1 << (offset % 64);
        }
    }

    /// How many.
    pub(super) fn len(&self) -> u32 {
        self.count
    }

    /// How many lie before the blast's `j`-th queued request, knowing that `r` lie before
    /// its `i`-th, at `offset` (`i < j`): the `j`-th queued request is then at `j` plus
    /// that many.
    #[inline]
    pub(super) fn before(&self, r: u32, offset: u32, j: u32) -> u32 {
        debug_assert!(j > offset - r, "a step of at least one queued request");
        if self.bits.is_empty() {
            past(&self.list, r as usize, j) as u32
        } else {
            // The (j - i)-th queued offset after `offset`.
            let i = offset - r;
            nth_clear(&self.bits, offset, j - i) - j
        }
    }
}

/// How many of `rejected` (ascending offsets) lie before the blast's `j`-th queued
/// request, knowing that the first `r` do: the first `i >= r` with `rejected[i] > j + i`
/// (the queued request's offset is then `j + i`). Found by galloping from `r`, so that a
/// run stepping over a long stretch of rejections pays for the stretch's length in a
/// logarithm, not in full.
#[inline]
fn past(rejected: &[u32], r: usize, j: u32) -> usize {
    let before = |i: usize| rejected[i] as u64 <= j as u64 + i as u64;
    if r >= rejected.len() || !before(r) {
        return r;
    }
    // `before(lo)` holds; find `hi` past it with `!before(hi)` or the end.
    let (mut lo, mut step) = (r, 1);
    let mut hi = (lo + step).min(rejected.len());
    while hi < rejected.len() && before(hi) {
        lo = hi;
        step *= 2;
        hi = (lo + step).min(rejected.len());
    }
    // The first of `lo + 1..hi` for which `before` fails, else `hi`.
    let (mut a, mut b) = (lo + 1, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if before(mid) { a = mid + 1 } else { b = mid }
    }
    a
}

/// The offset of the `k`-th clear bit (`k >= 1`) after `offset` in `bits` (bits past its
/// end are clear).
#[inline]
fn nth_clear(bits: &[u64], offset: u32, mut k: u32) -> u32 {
    let start = offset as u64 + 1;
    let mut w = (start / 64) as usize;
    // The first word, with the bits up to `offset` taken as set.
    let mut word = bits.get(w).copied().unwrap_or(0) | ((1u64 << (start % 64)) - 1);
    loop {
        let clear = word.count_zeros();
        if clear >= k {
            // Clear the k - 1 lowest clear bits; the next is the one.
            let mut free = !word;
            for _ in 1..k {
                free &= free - 1;
            }
            return (w as u64 * 64 + free.trailing_zeros() as u64) as u32;
        }
        k -= clear;
        w += 1;
        word = bits.get(w).copied().unwrap_or(0);
        if w >= bits.len() {
            // All clear from here on.
            return (w as u64 * 64 + k as u64 - 1) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Rejected, past};
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64;

    /// The linear walk `past` replaces: step over each rejected offset up to the target.
    fn walked(rejected: &[u32], mut r: usize, j: u32) -> usize {
        let mut offset = j + r as u32;
        while rejected.get(r).is_some_and(|&x| x <= offset) {
            offset += 1;
            r += 1;
        }
        r
    }

    #[test]
    fn galloping_past_the_rejected_finds_what_the_walk_finds() {
        let mut rng = Pcg64::seed_from_u64(5);
        for case in 0..2_000 {
            // Sparse to nearly all rejected.
            let (n, p) = (rng.random_range(0..300u32), rng.random_range(0.0..1.0));
            let rejected: Vec<u32> = (0..n).filter(|_| rng.random_bool(p)).collect();
            let queued: Vec<u32> = (0..n).filter(|o| !rejected.contains(o)).collect();
            // From each queued request to the next one.
            let mut r = 0;
            for (j, &o) in queued.iter().enumerate() {
                let found = past(&rejected, r, j as u32);
                assert_eq!(found, walked(&rejected, r, j as u32), "case {case}, j {j}");
                assert_eq!(j as u32 + found as u32, o, "case {case}: the j-th queued request's offset");
                r = found;
            }
        }
    }

    #[test]
    fn listed_or_in_bits_a_run_steps_to_the_queued_requests() {
        let mut rng = Pcg64::seed_from_u64(9);
        let mut in_bits = 0;
        for case in 0..400 {
            // Up to 9,000 offsets, rejected in stretches of varying density (some dense
            // enough to turn to bits, some not), and strides from 1 to 150.
            let n = rng.random_range(1..9_000u32);
            let mut rej = Rejected::default();
            let mut p = rng.random_range(0.0..1.0);
            let mut queued = Vec::new();
            for o in 0..n {
                if o % 500 == 0 {
                    p = rng.random_range(0.0..1.0f64).powi(3);
                }
                if rng.random_bool(p) { rej.push(o) } else { queued.push(o) }
            }
            assert_eq!(rej.len() as usize + queued.len(), n as usize);
            in_bits += usize::from(!rej.bits.is_empty());
            let stride = rng.random_range(1..150usize);
            for start in 0..stride.min(queued.len()) {
                let (mut i, mut r) = (start, queued[start] - start as u32);
                while i + stride < queued.len() {
                    let j = i + stride;
                    r = rej.before(r, queued[i], j as u32);
                    assert_eq!(
                        j as u32 + r,
                        queued[j],
                        "case {case} (bits: {}), queued {i} to {j}",
                        !rej.bits.is_empty()
                    );
                    i = j;
                }
            }
        }
        // Both ways of keeping them were stepped through, often.
        assert!((50..350).contains(&in_bits), "{in_bits} of 400 in bits");
    }
}
