//! Integration tests for SMS segmentation (SPEC 4.6).
//!
//! Expected values are derived by hand from the spec's capacities (160/153
//! septets, 70/67 UTF-16 units) and the 3GPP TS 23.038 tables; the reasoning
//! is in each test's comments.

use smsim::sms::segments::{Encoding, part_units, segment};

/// Assert every reported field of `segment(text)` plus the part split.
fn check(text: &str, encoding: Encoding, characters: usize, units: usize, split: &[usize]) {
    let s = segment(text);
    assert_eq!(s.encoding, encoding, "encoding of {text:?}");
    assert_eq!(s.characters, characters, "characters of {text:?}");
    assert_eq!(s.units, units, "units of {text:?}");
    assert_eq!(s.parts, split.len(), "parts of {text:?}");
    assert_eq!(part_units(text), split, "part_units of {text:?}");
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

// ---------------------------------------------------------------- GSM-7 plain

#[test]
fn empty_text_is_one_gsm7_part() {
    // Spec: an empty text is 1 part with 0 characters and 0 units, GSM-7.
    check("", Encoding::Gsm7, 0, 0, &[0]);
}

#[test]
fn gsm7_160_chars_fit_one_part() {
    // 160 septets is exactly the single-part capacity.
    check(&rep("a", 160), Encoding::Gsm7, 160, 160, &[160]);
}

#[test]
fn gsm7_161_chars_need_two_parts() {
    // 161 > 160, so multi-part at 153 per part: 153 + 8.
    check(&rep("a", 161), Encoding::Gsm7, 161, 161, &[153, 8]);
}

#[test]
fn gsm7_306_chars_are_exactly_two_full_parts() {
    // 306 = 2 * 153.
    check(&rep("a", 306), Encoding::Gsm7, 306, 306, &[153, 153]);
}

#[test]
fn gsm7_307_chars_need_three_parts() {
    // 307 = 2 * 153 + 1.
    check(&rep("a", 307), Encoding::Gsm7, 307, 307, &[153, 153, 1]);
}

#[test]
fn gsm7_1530_chars_are_ten_parts_and_1531_eleven() {
    // 1530 = 10 * 153: the largest text that still fits the 10-part limit.
    check(&rep("a", 1530), Encoding::Gsm7, 1530, 1530, &[153; 10]);
    // One more septet spills into an 11th part; rejecting it is the caller's job.
    let mut eleven = vec![153; 10];
    eleven.push(1);
    check(&rep("a", 1531), Encoding::Gsm7, 1531, 1531, &eleven);
}

// ---------------------------------------------------------- GSM-7 extension

#[test]
fn euro_alone_is_two_septets() {
    // '€' is in the extension table: ESC + code = 2 septets, still one character.
    check("€", Encoding::Gsm7, 1, 2, &[2]);
}

#[test]
fn every_extension_char_costs_two_septets() {
    // The nine printable extension characters plus form feed (0x1B 0x0A).
    for c in ['^', '{', '}', '\\', '[', ']', '~', '|', '€', '\u{0C}'] {
        check(&c.to_string(), Encoding::Gsm7, 1, 2, &[2]);
    }
}

#[test]
fn eighty_braces_fill_one_part() {
    // 80 * 2 = 160 septets, exactly the single-part capacity.
    check(&rep("{", 80), Encoding::Gsm7, 80, 160, &[160]);
}

#[test]
fn eighty_one_braces_need_two_parts_without_splitting_escape() {
    // 81 * 2 = 162 > 160 -> multi-part. 76 braces = 152 septets; a 77th would
    // make 154 > 153, so part 1 holds 152 and part 2 the other 5 braces = 10.
    check(&rep("{", 81), Encoding::Gsm7, 81, 162, &[152, 10]);
}

#[test]
fn escape_pair_never_straddles_parts() {
    // 152 'a' (152) + '€' (2) + 10 'b' (10) = 164 septets -> multi-part.
    // After 152 'a' only 1 septet is left in part 1, the pair needs 2, so
    // the euro moves to part 2: [152, 2 + 10].
    let text = format!("{}€{}", rep("a", 152), rep("b", 10));
    check(&text, Encoding::Gsm7, 163, 164, &[152, 12]);
}

#[test]
fn extension_char_tips_text_into_two_parts() {
    // 159 'a' + '€' = 161 septets > 160. Part 1 takes 153 'a'; part 2 holds
    // the remaining 6 'a' + the 2-septet euro = 8.
    let text = format!("{}€", rep("a", 159));
    check(&text, Encoding::Gsm7, 160, 161, &[153, 8]);
}

// ------------------------------------------------------------ GSM basic set

#[test]
fn gsm_basic_specials_stay_gsm7_at_one_septet() {
    // é (0x05), Ä (0x5B), Δ (0x10), £ (0x01), LF (0x0A) are all basic-table.
    check("éÄΔ£\n", Encoding::Gsm7, 5, 5, &[5]);
    for c in ['é', 'Ä', 'Δ', '£', '\n', '\r', '@', '$', '_', '¤', '¡', '¿', 'ß'] {
        check(&c.to_string(), Encoding::Gsm7, 1, 1, &[1]);
    }
}

#[test]
fn gsm_basic_table_is_exactly_the_standard_one() {
    // 3GPP TS 23.038 default alphabet, written out in code-point order
    // 0x00..0x7F with ESC (0x1B) left out: 127 characters.
    let basic = concat!(
        "@£$¥èéùìòÇ\nØø\rÅå",
        "Δ_ΦΓΛΩΠΨΣΘΞ", // 0x10..0x1A; 0x1B is ESC
        "ÆæßÉ",
        " !\"#¤%&'()*+,-./",
        "0123456789:;<=>?",
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§",
        "¿abcdefghijklmnopqrstuvwxyzäöñüà",
    );
    assert_eq!(basic.chars().count(), 127);
    check(basic, Encoding::Gsm7, 127, 127, &[127]);

    // Sweep every Unicode scalar: exactly those 127 are 1-septet GSM-7 and
    // exactly the 10 extension characters are 2-septet GSM-7.
    let extension = "\u{0C}^{}\\[~]|€";
    let mut buf = [0u8; 4];
    let (mut ones, mut twos) = (0, 0);
    for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
        let s = segment(c.encode_utf8(&mut buf));
        if s.encoding == Encoding::Gsm7 {
            match s.units {
                1 => {
                    assert!(basic.contains(c), "unexpected basic char {c:?}");
                    ones += 1;
                }
                2 => {
                    assert!(extension.contains(c), "unexpected extension char {c:?}");
                    twos += 1;
                }
                u => panic!("{c:?} has {u} septets"),
            }
        }
    }
    assert_eq!((ones, twos), (127, 10));
}

#[test]
fn chars_outside_gsm_force_ucs2() {
    // Lowercase ç is not in the basic table (only Ç at 0x09).
    check("ç", Encoding::Ucs2, 1, 1, &[1]);
    // Backtick has no GSM-7 code point.
    check("`", Encoding::Ucs2, 1, 1, &[1]);
    // Tab and ESC itself are not user characters in GSM-7 either.
    check("\t", Encoding::Ucs2, 1, 1, &[1]);
    check("\u{1B}", Encoding::Ucs2, 1, 1, &[1]);
}

// -------------------------------------------------------------------- UCS-2

#[test]
fn one_non_gsm_char_switches_whole_message() {
    // "Hello ç" : 7 chars, each one UTF-16 unit.
    check("Hello ç", Encoding::Ucs2, 7, 7, &[7]);
    // Chinese BMP characters are one unit each.
    check("你好 a", Encoding::Ucs2, 4, 4, &[4]);
    // In UCS-2 the euro is a single BMP unit, no longer an escape pair.
    check("€ç", Encoding::Ucs2, 2, 2, &[2]);
    // 100 'a' would be one GSM-7 part, but one 'ç' makes 101 UCS-2 units:
    // 101 > 70 -> 67 + 34.
    let text = format!("{}ç", rep("a", 100));
    check(&text, Encoding::Ucs2, 101, 101, &[67, 34]);
}

#[test]
fn ucs2_70_units_fit_one_part() {
    check(&rep("ç", 70), Encoding::Ucs2, 70, 70, &[70]);
}

#[test]
fn ucs2_71_units_need_two_parts() {
    // 71 > 70 -> 67 + 4.
    check(&rep("ç", 71), Encoding::Ucs2, 71, 71, &[67, 4]);
}

#[test]
fn ucs2_134_units_are_two_full_parts() {
    // 134 = 2 * 67.
    check(&rep("ç", 134), Encoding::Ucs2, 134, 134, &[67, 67]);
}

#[test]
fn ucs2_135_units_need_three_parts() {
    // 135 = 2 * 67 + 1.
    check(&rep("ç", 135), Encoding::Ucs2, 135, 135, &[67, 67, 1]);
}

// ---------------------------------------------------------- surrogate pairs

#[test]
fn emoji_is_one_character_two_units() {
    // U+1F600 is outside the BMP: a surrogate pair.
    check("😀", Encoding::Ucs2, 1, 2, &[2]);
}

#[test]
fn thirty_five_emoji_fit_one_part() {
    // 35 * 2 = 70 units.
    check(&rep("😀", 35), Encoding::Ucs2, 35, 70, &[70]);
}

#[test]
fn thirty_six_emoji_need_two_parts() {
    // 36 * 2 = 72 > 70. 33 emoji = 66 units; a 34th would make 68 > 67, so
    // part 1 holds 66 and part 2 the other 3 emoji = 6.
    check(&rep("😀", 36), Encoding::Ucs2, 36, 72, &[66, 6]);
}

#[test]
fn surrogate_pair_never_straddles_parts() {
    // 66 'ç' (66) + emoji (2) + 10 'ç' (10) = 78 units > 70 -> multi-part.
    // After 66 units only 1 is left in part 1; the pair moves: [66, 2 + 10].
    let text = format!("{}😀{}", rep("ç", 66), rep("ç", 10));
    check(&text, Encoding::Ucs2, 77, 78, &[66, 12]);
}

// --------------------------------------------------------------------- JSON

#[test]
fn to_json_is_exact() {
    assert_eq!(segment("€").to_json(), r#"{"encoding":"GSM-7","characters":1,"units":2,"parts":1}"#);
    // 36 emoji: 36 characters, 72 units, 2 parts (see thirty_six_emoji_need_two_parts).
    assert_eq!(segment(&rep("😀", 36)).to_json(), r#"{"encoding":"UCS-2","characters":36,"units":72,"parts":2}"#);
    assert_eq!(segment("").to_json(), r#"{"encoding":"GSM-7","characters":0,"units":0,"parts":1}"#);
}

#[test]
fn encoding_names() {
    assert_eq!(Encoding::Gsm7.name(), "GSM-7");
    assert_eq!(Encoding::Ucs2.name(), "UCS-2");
}

// ----------------------------------------------------------- property check

/// Test-side width table, independent of the implementation:
/// (char, GSM-7 septets or 0 if not GSM, UTF-16 units).
const ALPHABET: [(char, usize, usize); 8] =
    [('a', 1, 1), ('é', 1, 1), ('\n', 1, 1), ('€', 2, 1), ('{', 2, 1), ('ç', 0, 1), ('中', 0, 1), ('😀', 0, 2)];

/// Numerical Recipes LCG: deterministic, no extra crates.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn generated_texts_split_greedily_and_consistently() {
    let mut rng = Lcg(0x5EED);
    let mut multi_gsm = 0;
    let mut multi_ucs = 0;
    for _ in 0..3000 {
        // Half the texts use only the GSM-7 entries so both encodings get
        // long multi-part cases; UCS-2 texts stay shorter so they are not
        // dominated by the GSM-only ones.
        let gsm_only = rng.below(2) == 0;
        let pool = if gsm_only { 5 } else { ALPHABET.len() };
        let len = rng.below(if gsm_only { 500 } else { 250 });
        let picks: Vec<(char, usize, usize)> = (0..len).map(|_| ALPHABET[rng.below(pool)]).collect();
        let text: String = picks.iter().map(|p| p.0).collect();

        let is_gsm = picks.iter().all(|p| p.1 > 0);
        let (enc, single, multi) = if is_gsm { (Encoding::Gsm7, 160, 153) } else { (Encoding::Ucs2, 70, 67) };
        let widths: Vec<usize> = picks.iter().map(|p| if is_gsm { p.1 } else { p.2 }).collect();
        let total: usize = widths.iter().sum();

        let s = segment(&text);
        let split = part_units(&text);
        assert_eq!(s.encoding, enc, "{text:?}");
        assert_eq!(s.characters, len, "{text:?}");
        assert_eq!(s.units, total, "{text:?}");
        assert_eq!(s.parts, split.len(), "{text:?}");
        assert_eq!(split.iter().sum::<usize>(), total, "{text:?}");

        if split.len() == 1 {
            assert!(total <= single, "{text:?}");
        } else {
            assert!(total > single, "{text:?}");
            assert!(split.iter().all(|&p| p <= multi), "{text:?}");
            if is_gsm {
                multi_gsm += 1;
            } else {
                multi_ucs += 1;
            }
        }

        // Parts must end on character boundaries, and each non-final part
        // must be unable to take the following character (greedy fill).
        let mut i = 0;
        for (k, &part) in split.iter().enumerate() {
            let mut filled = 0;
            while i < widths.len() && filled + widths[i] <= part {
                filled += widths[i];
                i += 1;
            }
            assert_eq!(filled, part, "part {k} splits a character in {text:?}");
            if k + 1 < split.len() {
                assert!(part + widths[i] > multi, "part {k} not greedy in {text:?}");
            }
        }
        assert_eq!(i, widths.len(), "{text:?}");
    }
    // Guard against a generator that never exercises the multi-part path.
    assert!(multi_gsm > 100 && multi_ucs > 100, "{multi_gsm} {multi_ucs}");
}
