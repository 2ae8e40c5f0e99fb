//! Where an error is: a key path (`number.lc.mps`, array entries named by their `id`)
//! turned into the line and column of the original text, or into the `--set` or
//! `[[variant]]` override that put the value there.

use super::{Seg, set};
use crate::error::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) fn segs_of(p: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    p.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.clone())),
            Segment::Enum { variant } => Some(Seg::Key(variant.clone())),
            Segment::Unknown => None,
        })
        .collect()
}

/// serde's message without smsim's internal type names: `expected struct RawSimulation`
/// reads `expected a table`, an untagged enum's "did not match" names what is accepted.
pub(super) fn plain(message: &str) -> String {
    if message.contains("untagged enum Words") {
        return "expected a word (\"YES\") or a list of words ([\"1\", \"YES\"])".into();
    }
    let mut out = message.to_string();
    for (pattern, with) in [
        ("struct ", "a table"),
        ("untagged enum ", "one of the accepted forms"),
        ("enum ", "one of the accepted values"),
    ] {
        while let Some(i) = out.find(&format!("expected {pattern}")) {
            let start = i + "expected ".len();
            let name_end = out[start + pattern.len()..]
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .map_or(out.len(), |k| start + pattern.len() + k);
            out.replace_range(start..name_end, with);
        }
        if let Some(i) = out.find(&format!("variant of {pattern}")) {
            out.truncate(i + "variant of ".len());
            out.push_str("the accepted forms");
        }
    }
    // Rust's number types, in words (a message ends with what it expected).
    for (ty, words) in [
        ("u8", "a whole number (0 or more)"),
        ("u16", "a whole number (0 or more)"),
        ("u32", "a whole number (0 or more)"),
        ("u64", "a whole number (0 or more)"),
        ("i64", "a whole number"),
        ("f64", "a number"),
    ] {
        if let Some(head) = out.strip_suffix(&format!("expected {ty}")) {
            out = format!("{head}expected {words}");
        }
    }
    out
}

/// `message` about the table at `path` (its keys, `topic.subscription`), with a hint where
/// one helps: `[number]` written for `[[number]]` (one table where a list of them is read).
pub(super) fn hinted(message: String, path: Option<&str>) -> String {
    match path {
        Some(p) if message == "invalid type: map, expected a sequence" => {
            format!(
                "{message} (a list: write each entry's header as [[{p}]], with two brackets, or the value as [{{ ... }}])"
            )
        }
        _ => message,
    }
}

/// The error of the TOML reader on `text` (one it found after the spanned parse passed,
/// so without a position): an integer too large for 64 bits is located at its line.
pub(super) fn toml_error(text: &str, file: &str, message: &str) -> Error {
    match big_integer(text, message) {
        Some((line, column, key)) => Error::Scenario {
            file: file.into(),
            line,
            column,
            message: format!("{key}: integer too large (at most 9223372036854775807)"),
        },
        None => Error::Input(format!("{file}: {message}")),
    }
}

/// Where an integer too large for 64 bits is in `text`, from the TOML reader's message
/// (which has no position): (line, column, the key on that line under its table, as a
/// parse error names it; `integer` when the line names none).
fn big_integer(text: &str, message: &str) -> Option<(usize, usize, String)> {
    let digits = message.split('`').nth(1).filter(|d| d.trim_start_matches('-').chars().all(|c| c.is_ascii_digit()))?;
    let at = text.find(digits)?;
    let (line, col) = line_col(text, at);
    let key = match Scan::new(text).name(line) {
        Some(Named::Key(path)) => path,
        _ => "integer".to_string(),
    };
    Some((line, col, key))
}

/// The TOML reader's error `message` at byte `offset` of `text`, as one located error that
/// names what is at that line: the key (under its table: `simulation.seed`) or the header
/// of a header line (`[customers]`). The reader's own message names neither (`duplicate
/// key`, `expected newline`). A line inside a multi-line array, inline table or string
/// is left as the reader says, and so is an error about a missing `,` or `]`, which the
/// reader finds on the line after the one at fault.
pub(super) fn parse_error(text: &str, file: &str, offset: Option<usize>, message: &str) -> Error {
    let (line, column) = offset.map(|o| line_col(text, o)).unwrap_or((1, 1));
    let message = message.trim();
    let unclosed = message.contains("comma") || message.contains("expected `]`") || message.contains("expected `,`");
    let scan = Scan::new(text);
    let named = offset.filter(|_| !unclosed).and_then(|_| scan.name(line));
    let message = match named {
        Some(Named::Header(h)) if message == "duplicate key" => {
            let name = h.trim_matches(['[', ']']);
            // `[name]` after `[[name]]` entries: the reader calls it a duplicate.
            let listed = scan.headers_before(line).any(|x| x == format!("[[{name}]]"));
            if listed && !h.starts_with("[[") {
                format!("{h}: [[{name}]] entries come before it: write [[{name}]] for another entry")
            } else {
                format!("{h}: a table defined twice")
            }
        }
        Some(Named::Header(h)) => format!("{h}: {message}"),
        Some(Named::Key(path)) => format!("{path}: {message}"),
        None => message.to_string(),
    };
    Error::Scenario { file: file.into(), line, column, message }
}

/// What a line of a scenario names.
enum Named {
    /// A table header as written (`[customers]`, `[[number]]`).
    Header(String),
    /// A key, with the table it is under (`simulation.seed`).
    Key(String),
}

/// A scenario's lines, and for each whether it starts outside every bracket, brace and
/// string: only such a line can be a header or begin with a key.
struct Scan<'a> {
    lines: Vec<&'a str>,
    clear: Vec<bool>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.split('\n').collect();
        let (mut clear, mut depth, mut string): (Vec<bool>, i32, Option<&str>) = (Vec::new(), 0, None);
        for line in &lines {
            clear.push(depth == 0 && string.is_none());
            let mut rest = *line;
            while !rest.is_empty() {
                if let Some(close) = string {
                    match rest.find(close) {
                        // A basic string's escaped quote does not close it.
                        Some(i) if !close.starts_with('\'') && rest[..i].ends_with('\\') => rest = &rest[i + 1..],
                        Some(i) => {
                            string = None;
                            rest = &rest[i + close.len()..];
                        }
                        None => {
                            // A one-line string left open ends at the line's end.
                            if close.len() == 1 {
                                string = None;
                            }
                            rest = "";
                        }
                    }
                    continue;
                }
                if let Some(q) = ["\"\"\"", "\'\'\'", "\"", "\'"].into_iter().find(|q| rest.starts_with(q)) {
                    string = Some(q);
                    rest = &rest[q.len()..];
                    continue;
                }
                let c = rest.chars().next().expect("not empty");
                match c {
                    '#' => break,
                    '[' | '{' => depth += 1,
                    ']' | '}' => depth -= 1,
                    _ => {}
                }
                rest = &rest[c.len_utf8()..];
            }
            depth = depth.max(0);
        }
        Scan { lines, clear }
    }

    /// The headers as written on the lines before `line` (1-based), in order.
    fn headers_before(&self, line: usize) -> impl Iterator<Item = String> + '_ {
        let before = line.saturating_sub(1).min(self.lines.len());
        self.lines[..before].iter().zip(&self.clear).filter(|(_, c)| **c).filter_map(|(l, _)| header(l))
    }

    /// What line `line` (1-based) names, if it starts clear.
    fn name(&self, line: usize) -> Option<Named> {
        let i = line.checked_sub(1)?;
        let here = self.lines.get(i)?;
        if !self.clear[i] {
            return None;
        }
        if here.trim_start().starts_with('[') {
            return header(here).map(Named::Header);
        }
        let (key, _) = here.split_once('=')?;
        let key = key.trim();
        let bare = |c: char| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c);
        // A key's quotes come in pairs.
        if key.is_empty()
            || !key.chars().all(bare)
            || key.matches('"').count() % 2 == 1
            || key.matches('\'').count() % 2 == 1
        {
            return None;
        }
        let key = key.replace(['"', '\''], "");
        Some(Named::Key(match self.headers_before(line).last() {
            Some(t) => format!("{}.{key}", t.trim_matches(['[', ']'])),
            None => key,
        }))
    }
}

/// `l`'s header as written (`[name]`, `[[name]]`), without spaces or a comment after it.
fn header(l: &str) -> Option<String> {
    let l = l.trim();
    let (open, close) = if l.starts_with("[[") { ("[[", "]]") } else { ("[", "]") };
    let inner = l.strip_prefix(open)?;
    let end = inner.find(close)?;
    let name = inner[..end].trim();
    let after = inner[end + close.len()..].trim_start();
    (!name.is_empty() && (after.is_empty() || after.starts_with('#'))).then(|| format!("{open}{name}{close}"))
}

/// The 1-based line and column of byte `offset` in `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before, |i| &before[i + 1..]).chars().count() + 1;
    (line, col)
}

/// The path as the user addresses it: `number.lc.mps`, `carrier.att.outages[0].from`.
fn display_path(doc: &toml::Table, path: &[Seg]) -> String {
    let mut out = String::new();
    let mut cur: Option<&toml::Value> = None;
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                cur = match cur {
                    None => doc.get(k),
                    Some(toml::Value::Table(t)) => t.get(k),
                    _ => None,
                };
            }
            Seg::Index(i) => {
                let item = match cur {
                    Some(toml::Value::Array(a)) => a.get(*i),
                    _ => None,
                };
                match item.and_then(|v| v.get("id")).and_then(|v| v.as_str()) {
                    Some(id) => {
                        out.push('.');
                        out.push_str(id);
                    }
                    None => out.push_str(&format!("[{i}]")),
                }
                cur = item;
            }
        }
    }
    out
}

/// Byte span of the deepest part of `path` present in the original text: the key itself
/// when it is there, else its nearest table.
pub(super) fn span_of(root: &Spanned<DeTable<'_>>, path: &[Seg]) -> Option<std::ops::Range<usize>> {
    let mut best = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut array: Option<&[Spanned<DeValue<'_>>]> = None;
    for seg in path {
        let value = match seg {
            Seg::Key(k) => {
                let (key, value) = table?.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str())?;
                best = Some(key.span());
                value
            }
            Seg::Index(i) => {
                let v = array?.get(*i)?;
                if best.is_none() || !matches!(v.get_ref(), DeValue::Table(_)) {
                    best = Some(v.span());
                }
                v
            }
        };
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => {
                table = Some(t);
                if matches!(seg, Seg::Index(_)) && !t.is_empty() {
                    // Point at the table's first key rather than somewhere in its header.
                    if let Some((k, _)) = t.iter().next() {
                        best = Some(k.span());
                    }
                }
            }
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    best
}

pub(super) fn locate(
    text: &str,
    file: &str,
    root: &Spanned<DeTable<'_>>,
    doc: &toml::Table,
    overrides: &[set::Override],
    path: Vec<Seg>,
    message: String,
) -> Error {
    let shown = display_path(doc, &path);
    let message = if shown.is_empty() { message } else { format!("{shown}: {message}") };
    // The error is at the override's path, below it (`.key` or `[i]`), or at an ancestor
    // of it (an unknown key that the override introduced).
    let touches = |o: &set::Override| {
        shown == o.path
            || shown.strip_prefix(o.path.as_str()).is_some_and(|rest| rest.starts_with(['.', '[']))
            || (!shown.is_empty() && o.path.strip_prefix(shown.as_str()).is_some_and(|rest| rest.starts_with('.')))
    };
    if let Some(ov) = overrides.iter().rev().find(|o| touches(o)) {
        if let Some(at) = &ov.at {
            // From a [[variant]] in the file: point at its line there.
            let (line, column) = span_of(root, at).map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            let name = ov.raw.split(':').next().unwrap_or_default();
            return Error::Scenario { file: file.into(), line, column, message: format!("{name}: {message}") };
        }
        return Error::Set { file: file.into(), arg: ov.raw.clone(), message };
    }
    // A missing key is reported where its table is (the longest part of the path found).
    let (line, column) = (0..=path.len())
        .rev()
        .find_map(|n| span_of(root, &path[..n]))
        .map(|s| line_col(text, s.start))
        .unwrap_or((1, 1));
    Error::Scenario { file: file.into(), line, column, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_for_rust_types() {
        assert_eq!(
            plain("invalid type: string \"two\", expected u32"),
            "invalid type: string \"two\", expected a whole number (0 or more)"
        );
        assert_eq!(
            plain("invalid value: integer `-2`, expected u32"),
            "invalid value: integer `-2`, expected a whole number (0 or more)"
        );
        assert_eq!(
            plain("invalid type: string \"$5\", expected f64"),
            "invalid type: string \"$5\", expected a number"
        );
        let map = || "invalid type: map, expected a sequence".to_string();
        let hint = hinted(map(), Some("topic.subscription"));
        assert!(
            hint.ends_with("header as [[topic.subscription]], with two brackets, or the value as [{ ... }])"),
            "{hint}"
        );
        assert_eq!(hinted(map(), None), map());
        assert_eq!(plain("expected u32 here"), "expected u32 here", "only a message's end");
    }

    #[test]
    fn a_parse_error_names_the_key_or_the_table_of_its_line() {
        let text = "[simulation]\nseed = 5\nseed = 6\n[customers]\ncount = 5 5\n[customers]\n\
                    [[number]]\nid = \"a\"\nkinds = [\n  1 2\n]\n[[number]] # two\nid = 1 1\n";
        let at = |line: usize| text.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>();
        let said = |offset: usize, message: &str| parse_error(text, "f.toml", Some(offset), message).to_string();
        assert_eq!(said(at(3), "duplicate key"), "f.toml:3:1: simulation.seed: duplicate key");
        assert_eq!(said(at(5) + 10, "expected newline"), "f.toml:5:11: customers.count: expected newline");
        assert_eq!(said(at(6) + 1, "duplicate key"), "f.toml:6:2: [customers]: a table defined twice");
        assert_eq!(said(at(8), "duplicate key"), "f.toml:8:1: number.id: duplicate key");
        // Inside a multi-line array: no key on the line, the reader's words alone.
        assert_eq!(said(at(10) + 4, "invalid array"), "f.toml:10:5: invalid array");
        // A header with a comment after it.
        assert_eq!(said(at(13) + 7, "expected newline"), "f.toml:13:8: number.id: expected newline");
        assert_eq!(parse_error(text, "f.toml", None, " eof ").to_string(), "f.toml:1:1: eof");
    }

    /// Lines that only look like headers or keys: rows of an array of arrays, a line of a
    /// multi-line string, the line after an unclosed array (the reader finds a missing
    /// `]` or `,` there), and `[x]` after `[[x]]` entries.
    #[test]
    fn only_real_headers_and_keys_are_named() {
        let rows = "arr = [\n [1, 2],\n [3, 4],\n]\nx = = 1\n";
        assert_eq!(parse_error(rows, "f", Some(rows.find("x =").unwrap() + 4), "extra").to_string(), "f:5:5: x: extra");
        assert_eq!(parse_error(rows, "f", Some(rows.find("[3").unwrap()), "bad").to_string(), "f:3:2: bad");
        let body = "[c]\nbody = \"\"\"\n[oops]\nx = 1\n\"\"\"\nfrom = 1 1\n";
        let from = body.find("from").unwrap();
        assert_eq!(parse_error(body, "f", Some(from + 9), "newline").to_string(), "f:6:10: c.from: newline");
        assert_eq!(parse_error(body, "f", Some(body.find("x = 1").unwrap()), "odd").to_string(), "f:4:1: odd");
        let open = "[[campaign]]\nfrom = [\"lc\"\nbody = \"hi\"\n";
        let next = open.find("body").unwrap();
        let said = parse_error(open, "f", Some(next), "missing comma between array elements").to_string();
        assert_eq!(said, "f:3:1: missing comma between array elements");
        let twice = "[[campaign]]\nid = \"a\"\n[campaign]\nid = \"b\"\n";
        let said = parse_error(twice, "f", Some(twice.find("\n[campaign]").unwrap() + 2), "duplicate key").to_string();
        assert_eq!(
            said,
            "f:3:2: [campaign]: [[campaign]] entries come before it: write [[campaign]] for another entry"
        );
    }

    #[test]
    fn line_col_counts_chars() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, t.find('=').unwrap()), (1, 3));
        let second_eq = t.rfind('=').unwrap();
        assert_eq!(line_col(t, second_eq), (2, 4));
    }
}
