//! Smart encoding (SPEC 8): the characters that providers' smart encoding replaces with
//! GSM-7 equivalents before segmenting, so that one curly quote no longer turns a message
//! into UCS-2 (and can triple its parts). The table follows the replacements the providers
//! document (Twilio's and Telnyx's smart encoding): quotation marks, apostrophes, dashes,
//! ellipses, unusual spaces, and full-width punctuation.

use std::borrow::Cow;

/// `(character, replacement)`, sorted by character.
const TABLE: [(char, &str); 44] = [
    ('\u{00A0}', " "),  // no-break space
    ('\u{00AB}', "\""), // «
    ('\u{00B4}', "'"),  // ´
    ('\u{00BB}', "\""), // »
    ('\u{02B9}', "'"),  // ʹ
    ('\u{02BA}', "\""), // ʺ
    ('\u{02BB}', "'"),  // ʻ
    ('\u{02BC}', "'"),  // ʼ
    ('\u{02BD}', "'"),  // ʽ
    ('\u{02C8}', "'"),  // ˈ
    ('\u{02CA}', "'"),  // ˊ
    ('\u{2000}', " "),  // en quad .. hair space
    ('\u{2001}', " "),
    ('\u{2002}', " "),
    ('\u{2003}', " "),
    ('\u{2004}', " "),
    ('\u{2005}', " "),
    ('\u{2006}', " "),
    ('\u{2007}', " "),
    ('\u{2008}', " "),
    ('\u{2009}', " "),
    ('\u{200A}', " "),
    ('\u{200B}', ""),    // zero-width space
    ('\u{2010}', "-"),   // hyphen
    ('\u{2011}', "-"),   // non-breaking hyphen
    ('\u{2012}', "-"),   // figure dash
    ('\u{2013}', "-"),   // en dash
    ('\u{2014}', "-"),   // em dash
    ('\u{2015}', "-"),   // horizontal bar
    ('\u{2018}', "'"),   // ‘
    ('\u{2019}', "'"),   // ’
    ('\u{201A}', ","),   // ‚
    ('\u{201B}', "'"),   // ‛
    ('\u{201C}', "\""),  // “
    ('\u{201D}', "\""),  // ”
    ('\u{201E}', "\""),  // „
    ('\u{201F}', "\""),  // ‟
    ('\u{2026}', "..."), // …
    ('\u{202F}', " "),   // narrow no-break space
    ('\u{2032}', "'"),   // ′
    ('\u{2033}', "\""),  // ″
    ('\u{205F}', " "),   // medium mathematical space
    ('\u{2212}', "-"),   // minus sign
    ('\u{3000}', " "),   // ideographic space
];

/// What smart encoding puts in place of `c`, if it replaces it.
pub fn replacement(c: char) -> Option<&'static str> {
    TABLE.binary_search_by(|(k, _)| k.cmp(&c)).ok().map(|i| TABLE[i].1)
}

/// `text` with every character of the table replaced (borrowed when nothing changes).
pub fn apply(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| replacement(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match replacement(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_maps_to_gsm7() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0), "sorted for binary search");
        for (c, r) in TABLE {
            assert_eq!(crate::sms::segments::segment(r).encoding.name(), "GSM-7", "{c:?} -> {r:?}");
        }
        assert_eq!(apply("It\u{2019}s \u{201C}fine\u{201D} \u{2014} ok\u{2026}"), "It's \"fine\" - ok...");
        assert!(matches!(apply("plain"), Cow::Borrowed(_)));
    }
}
