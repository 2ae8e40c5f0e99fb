//! Synthetic addresses: E.164 numbers for customers and origination numbers, for
//! `events.csv` and the topic payload. Deterministic functions of the index; nothing stored.

use super::Kind;

/// Customer `i` in the country of calling code `cc`: `+`, the code and ten digits from
/// 2000000000 (in the US, a valid-looking NANP number).
pub fn customer(i: u32, cc: &str) -> String {
    format!("+{cc}{}", 2_000_000_000u64 + i as u64)
}

/// Calling codes of common countries by ISO 3166 alpha-2 code (ITU-T E.164 assignments).
const CALLING_CODES: [(&str, &str); 52] = [
    ("AE", "971"),
    ("AR", "54"),
    ("AT", "43"),
    ("AU", "61"),
    ("AZ", "994"),
    ("BD", "880"),
    ("BE", "32"),
    ("BR", "55"),
    ("CA", "1"),
    ("CH", "41"),
    ("CL", "56"),
    ("CN", "86"),
    ("CO", "57"),
    ("DE", "49"),
    ("DK", "45"),
    ("EG", "20"),
    ("ES", "34"),
    ("FI", "358"),
    ("FR", "33"),
    ("GB", "44"),
    ("ID", "62"),
    ("IE", "353"),
    ("IL", "972"),
    ("IN", "91"),
    ("IT", "39"),
    ("JP", "81"),
    ("KE", "254"),
    ("KG", "996"),
    ("KR", "82"),
    ("KZ", "7"),
    ("MX", "52"),
    ("MY", "60"),
    ("NG", "234"),
    ("NL", "31"),
    ("NO", "47"),
    ("NZ", "64"),
    ("PH", "63"),
    ("PK", "92"),
    ("PL", "48"),
    ("PT", "351"),
    ("RU", "7"),
    ("SA", "966"),
    ("SE", "46"),
    ("SG", "65"),
    ("TH", "66"),
    ("TJ", "992"),
    ("TR", "90"),
    ("UA", "380"),
    ("US", "1"),
    ("UZ", "998"),
    ("VN", "84"),
    ("ZA", "27"),
];

/// The calling code of country `iso` (alpha-2, upper case), if it is in the built-in table.
pub fn calling_code(iso: &str) -> Option<&'static str> {
    CALLING_CODES.binary_search_by(|(k, _)| (*k).cmp(iso)).ok().map(|i| CALLING_CODES[i].1)
}

/// Number `n` of pool `pool`, in a form fitting its kind: E.164 for long codes, 10DLC and
/// toll-free numbers; digits for short codes and letters for sender IDs, which are not
/// E.164 numbers. Unique per (pool, n) since a pool holds at most 1,000,000 numbers:
/// ten digits from 3000000000 (long codes, 10DLC) or 8330000000 (toll-free) while they
/// fit below the other kind's range, then fourteen digits from 30000000000000 or
/// 80000000000000, which stay apart for a million pools. `cc` is the calling code of the
/// pool's country.
pub fn number(kind: Kind, pool: usize, n: u32, cc: &str) -> String {
    let k = pool as u64 * 1_000_000 + n as u64;
    match kind {
        Kind::LongCode | Kind::TenDlc if k < 5_000_000_000 => format!("+{cc}{}", 3_000_000_000u64 + k),
        Kind::LongCode | Kind::TenDlc => format!("+{cc}{}", 30_000_000_000_000u64 + k),
        Kind::TollFree if k < 1_670_000_000 => format!("+{cc}{}", 8_330_000_000u64 + k),
        Kind::TollFree => format!("+{cc}{}", 80_000_000_000_000u64 + k),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_across_kinds_for_a_million_pools() {
        // Pool 5330 of long codes once met toll-free pool 0.
        let pools = [0usize, 1, 1669, 1670, 4999, 5000, 5329, 5330, 5331, 10_000, 999_999];
        let mut seen = std::collections::HashSet::new();
        for kind in [Kind::LongCode, Kind::TollFree, Kind::ShortCode, Kind::SenderId] {
            for &p in &pools {
                for n in [0, 1, 999_999] {
                    // Long codes and 10DLC share a range: one pool index is one pool.
                    assert!(seen.insert(number(kind, p, n, "1")), "{kind:?} pool {p} number {n} repeats");
                }
            }
        }
        assert_eq!(number(Kind::LongCode, 0, 7, "1"), "+13000000007", "small pools keep their numbers");
        assert_eq!(number(Kind::TollFree, 2, 0, "44"), "+448332000000");
    }
}
