//! `[[variant]]`: named sets of overrides applied to the base scenario, checked and
//! located like `--set`.

use super::{Seg, raw, set};

/// The variant names, checked: non-empty, unique, not `base`.
pub(super) fn check_variants(raw: &raw::RawScenario) -> Result<Vec<String>, (Vec<Seg>, String)> {
    let mut names: Vec<String> = Vec::with_capacity(raw.variant.len());
    for (i, v) in raw.variant.iter().enumerate() {
        let at = vec![Seg::Key("variant".into()), Seg::Index(i), Seg::Key("name".into())];
        if v.name.trim().is_empty() || v.name.contains([',', '"', '\n', ';']) {
            return Err((at, "a variant name is non-empty, without commas, semicolons or quotes".into()));
        }
        if v.name == "base" {
            return Err((at, "\"base\" names the scenario itself; choose another variant name".into()));
        }
        if names.contains(&v.name) {
            return Err((at, format!("variant name \"{}\" is used twice", v.name)));
        }
        names.push(v.name.clone());
    }
    Ok(names)
}

/// `"number.lc.kind" = ...` is one key; `number.lc.kind = ...` (unquoted) arrives as
/// nested tables: both flattened to dotted paths, as (path, its first key, value).
fn flatten(prefix: &str, t: &toml::Table, out: &mut Vec<(String, String, toml::Value)>, top: &str) {
    for (k, v) in t {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        let top = if prefix.is_empty() { k.as_str() } else { top };
        match v {
            // A quoted dotted key names a whole path: its value replaces, table or not.
            toml::Value::Table(inner) if !inner.is_empty() && !k.contains('.') => flatten(&path, inner, out, top),
            _ => out.push((path, top.to_string(), v.clone())),
        }
    }
}

/// The paths the `[[variant]]` named `name` in scenario text `text` sets, as written
/// (none if the text or the variant is not there: loading says why).
pub fn variant_paths(text: &str, name: &str) -> Vec<String> {
    let Ok(doc) = toml::from_str::<toml::Table>(text) else { return Vec::new() };
    let entry = doc
        .get("variant")
        .and_then(|v| v.as_array())
        .and_then(|a| a.iter().find(|v| v.get("name").and_then(|n| n.as_str()) == Some(name)))
        .and_then(|v| v.get("set"))
        .and_then(|v| v.as_table());
    let mut flat = Vec::new();
    if let Some(sets) = entry {
        flatten("", sets, &mut flat, "");
    }
    flat.into_iter().map(|(path, _, _)| path).collect()
}

/// Apply the `set` table of `[[variant]]` number `i` to `doc`; returns its name.
pub(super) fn apply_variant(
    doc: &mut toml::Table,
    i: usize,
    overrides: &mut Vec<set::Override>,
) -> Result<String, (Vec<Seg>, String)> {
    let at = |k: &str| vec![Seg::Key("variant".into()), Seg::Index(i), Seg::Key(k.into())];
    let entry =
        doc.get("variant").and_then(|v| v.as_array()).and_then(|a| a.get(i)).and_then(|v| v.as_table()).cloned();
    let Some(entry) = entry else {
        return Err((vec![Seg::Key("variant".into())], format!("no variant number {}", i + 1)));
    };
    let name = entry
        .get("name")
        .and_then(|v| v.as_str())
        .ok_or_else(|| (at("name"), "a variant needs a name".into()))?
        .to_string();
    let sets = match entry.get("set") {
        Some(toml::Value::Table(t)) => t.clone(),
        Some(_) => return Err((at("set"), "set is a table of \"path\" = value".into())),
        None => toml::Table::new(),
    };
    let mut flat = Vec::new();
    flatten("", &sets, &mut flat, "");
    for (path, top, value) in flat {
        let mut where_ = at("set");
        where_.push(Seg::Key(top));
        let ov = set::Override {
            raw: format!("variant \"{name}\": {path} = {value}"),
            path: path.clone(),
            value,
            at: Some(where_.clone()),
        };
        if path.split('.').any(|s| s.trim().is_empty()) {
            return Err((where_, format!("variant \"{name}\": invalid path \"{path}\"")));
        }
        set::apply(doc, &ov).map_err(|m| (where_.clone(), format!("variant \"{name}\": {m}")))?;
        overrides.push(ov);
    }
    Ok(name)
}
