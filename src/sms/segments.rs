//! SMS segmentation: GSM-7 / UCS-2 encoding choice, units and parts (SPEC 4.6).

/// Character encoding of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// GSM 03.38 7-bit default alphabet plus its extension table.
    Gsm7,
    /// UCS-2, counted in UTF-16 code units.
    Ucs2,
}

impl Encoding {
    /// Display name used in reports and JSON: "GSM-7" or "UCS-2".
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units one part holds when the message fits in a single part.
    fn single_capacity(self) -> usize {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units each part holds in a multi-part message.
    fn multi_capacity(self) -> usize {
        // The rest of the 140-octet payload goes to the concatenation header (UDH).
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }

    /// Units `c` costs in this encoding; `c` must be encodable in it.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Gsm7 => gsm7_width(c).unwrap_or(1),
            Encoding::Ucs2 => c.len_utf16(),
        }
    }
}

/// What the segment calculator reports for one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments {
    /// Encoding chosen for the whole text.
    pub encoding: Encoding,
    /// Number of Unicode scalar values.
    pub characters: usize,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Number of SMS parts needed.
    pub parts: usize,
}

impl Segments {
    /// JSON as `{"encoding":"GSM-7","characters":N,"units":N,"parts":N}` exactly.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"encoding":"{}","characters":{},"units":{},"parts":{}}}"#,
            self.encoding.name(),
            self.characters,
            self.units,
            self.parts
        )
    }
}

/// Septets `c` costs in GSM-7 (1 basic, 2 extension), or `None` if it has no GSM-7 form.
fn gsm7_width(c: char) -> Option<usize> {
    // A `match` compiles to range checks and jump tables, so membership stays
    // allocation-free and branch-cheap; the arms mirror 3GPP TS 23.038 so they
    // can be audited against the standard's tables line by line.
    match c {
        // Basic table, ASCII-coincident positions (note '$' sits at 0x02 and
        // '@' at 0x00 in GSM, but they are still members).
        '\n' | '\r' | ' '..='?' | '@' | 'A'..='Z' | '_' | 'a'..='z' => Some(1),
        // Basic table, non-ASCII members (0x1B ESC is deliberately absent).
        '£' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | 'Ø' | 'ø' | 'Å' | 'å' => Some(1),
        'Δ' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' => Some(1),
        'Æ' | 'æ' | 'ß' | 'É' | '¤' | '¡' => Some(1),
        'Ä' | 'Ö' | 'Ñ' | 'Ü' | '§' | '¿' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à' => Some(1),
        // Extension table: sent as ESC + code, hence two septets.
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' => Some(2),
        _ => None,
    }
}

/// Pick the encoding for `text`.
fn encoding_of(text: &str) -> Encoding {
    if text.chars().all(|c| gsm7_width(c).is_some()) { Encoding::Gsm7 } else { Encoding::Ucs2 }
}

/// Greedy fill of parts of `capacity` units, calling `emit` with each part's
/// size; a character never straddles two parts. Returns the number of parts.
fn fill(text: &str, encoding: Encoding, capacity: usize, mut emit: impl FnMut(usize)) -> usize {
    let mut parts = 0;
    let mut current = 0;
    for c in text.chars() {
        let w = encoding.width(c);
        if current + w > capacity {
            emit(current);
            parts += 1;
            current = 0;
        }
        current += w;
    }
    emit(current);
    parts + 1
}

/// Segment one text.
pub fn segment(text: &str) -> Segments {
    let encoding = encoding_of(text);
    let (characters, units) = text.chars().fold((0, 0), |(n, u), c| (n + 1, u + encoding.width(c)));
    let parts =
        if units <= encoding.single_capacity() { 1 } else { fill(text, encoding, encoding.multi_capacity(), |_| {}) };
    Segments { encoding, characters, units, parts }
}

/// The characters of `text` that have no GSM-7 form and so force UCS-2, with their
/// positions (0-based, in characters).
pub fn ucs2_forcing(text: &str) -> Vec<(usize, char)> {
    text.chars().enumerate().filter(|&(_, c)| gsm7_width(c).is_none()).collect()
}

/// Units carried by each part, in order (sums to `units`; `vec![0]` for an empty text).
pub fn part_units(text: &str) -> Vec<usize> {
    let encoding = encoding_of(text);
    let units: usize = text.chars().map(|c| encoding.width(c)).sum();
    if units <= encoding.single_capacity() {
        return vec![units];
    }
    let mut out = Vec::new();
    fill(text, encoding, encoding.multi_capacity(), |n| out.push(n));
    out
}
