//! Synthetic addresses: E.164 numbers for customers and origination numbers, for
//! `events.csv` and the topic payload. Deterministic functions of the index; nothing stored.

use super::Kind;

/// Customer `i`: `+1` and ten digits from 2000000000 (a valid-looking NANP number).
pub fn customer(i: u32) -> String {
    format!("+1{}", 2_000_000_000u64 + i as u64)
}

/// Number `n` of pool `pool`, in a form fitting its kind: E.164 for long codes, 10DLC and
/// toll-free numbers; digits for short codes and letters for sender IDs, which are not
/// E.164 numbers. Unique per (pool, n) since a pool holds at most 1,000,000 numbers.
pub fn number(kind: Kind, pool: usize, n: u32) -> String {
    let k = pool as u64 * 1_000_000 + n as u64;
    match kind {
        Kind::LongCode | Kind::TenDlc => format!("+1{}", 3_000_000_000u64 + k),
        Kind::TollFree => format!("+1{}", 8_330_000_000u64 + k),
        Kind::ShortCode => format!("{}", 100_000 + k),
        Kind::SenderId => format!("SMSIM{pool}X{n}"),
    }
}

/// The inbound message `id` as a UUID (version 4 layout), derived from the seed: unique in
/// a run and the same in every run of the same seed.
pub fn inbound_uuid(seed: u64, id: u64) -> String {
    let hi = crate::engine::rng::derive(seed, &[0x01b0_c0de, id]);
    let lo = crate::engine::rng::mix64(hi ^ id.rotate_left(17) ^ 0x6a09_e667_f3bc_c909);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}
