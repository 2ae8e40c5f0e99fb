//! Synthetic addresses: E.164 numbers for customers and origination numbers, for
//! `events.csv` and the topic payload. Deterministic functions of the index; nothing stored.

use crate::scenario::Kind;

/// Customer `i`: `+1` and ten digits from 2000000000 (a valid-looking NANP number).
pub fn customer(i: u32) -> String {
    format!("+1{}", 2_000_000_000u64 + i as u64)
}

/// Number `n` of pool `pool`, in a form fitting its kind.
pub fn number(kind: Kind, pool: usize, n: u32) -> String {
    match kind {
        Kind::LongCode | Kind::TenDlc => format!("+1{}", 3_000_000_000u64 + pool as u64 * 1_000_000 + n as u64),
        Kind::TollFree => format!("+1833{:07}", (pool as u64 * 100_000 + n as u64) % 10_000_000),
        Kind::ShortCode => format!("{}", 200_000 + pool as u64 * 1_000 + n as u64),
        Kind::SenderId => format!("SMSIM{pool}X{n}"),
    }
}
