//! The `PATH=VALUE` override language shared by `--set`, `[[variant]]` and `sweep`.
//!
//! PATH is dotted; an array of tables is addressed by the `id` of one of its tables
//! (`number.lc.count`). VALUE is read as a TOML value; a bare word that is not one
//! (`short_code`, `10m`) is taken as a string.

/// One parsed override.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Override {
    /// The dotted path as given.
    pub(crate) path: String,
    /// The value to put there.
    pub(crate) value: toml::Value,
    /// The override as the user wrote it.
    pub(crate) raw: String,
    /// Where the file says it (a `[[variant]]` entry), if it came from the file.
    pub(crate) at: Option<Vec<super::Seg>>,
}

/// Whether `arg` has the shape of a `--set`, `PATH=VALUE` (the value is read with the
/// scenario): the command line checks it before anything is read, as a usage error.
pub fn check(arg: &str) -> Result<(), String> {
    parse(arg).map(|_| ()).map_err(|e| format!("--set {arg}: {e}"))
}

/// Parse `PATH=VALUE`.
pub(crate) fn parse(arg: &str) -> Result<Override, String> {
    let (path, value) = arg.split_once('=').ok_or_else(|| "expected PATH=VALUE, e.g. number.lc.count=4".to_string())?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
        return Err(format!("invalid path \"{path}\""));
    }
    Ok(Override { path: path.to_string(), value: parse_value(value.trim()), raw: arg.to_string(), at: None })
}

/// Read VALUE as TOML, or as a plain string when it is not valid TOML.
pub(crate) fn parse_value(text: &str) -> toml::Value {
    if text.contains(['\n', '\r']) {
        return toml::Value::String(text.to_string());
    }
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(text.to_string())),
        Err(_) => toml::Value::String(text.to_string()),
    }
}

/// Apply `ov` to the document `root`.
pub(crate) fn apply(root: &mut toml::Table, ov: &Override) -> Result<(), String> {
    let segs: Vec<&str> = ov.path.split('.').map(str::trim).collect();
    let mut table = root;
    let mut i = 0;
    while i < segs.len() {
        let key = segs[i];
        let last = i + 1 == segs.len();
        if last {
            table.insert(key.to_string(), ov.value.clone());
            return Ok(());
        }
        let shown = segs[..=i].join(".");
        let entry = table.entry(key.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = match entry {
            toml::Value::Table(t) => t,
            toml::Value::Array(arr) => {
                let id = segs[i + 1];
                let found = arr.iter_mut().find_map(|v| match v {
                    toml::Value::Table(t) if t.get("id").and_then(|x| x.as_str()) == Some(id) => Some(t),
                    _ => None,
                });
                i += 1;
                if i + 1 == segs.len() {
                    return Err(format!(
                        "\"{}\" names a whole [[{key}]] entry; add the key to set, e.g. {}.count",
                        ov.path, ov.path
                    ));
                }
                found.ok_or_else(|| format!("no [[{key}]] with id \"{id}\""))?
            }
            _ => return Err(format!("\"{shown}\" is a value, not a table")),
        };
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> toml::Table {
        toml::from_str("[[number]]\nid = \"lc\"\ncount = 1\n[[number]]\nid = \"sc\"\n[account]\nspent_usd = 0.5\n")
            .unwrap()
    }

    #[test]
    fn values_are_toml_or_bare_strings() {
        assert_eq!(parse_value("4"), toml::Value::Integer(4));
        assert_eq!(parse_value("0.02"), toml::Value::Float(0.02));
        assert_eq!(parse_value("short_code"), toml::Value::String("short_code".into()));
        assert_eq!(parse_value("10m"), toml::Value::String("10m".into()));
        assert_eq!(parse_value("\"all\""), toml::Value::String("all".into()));
    }

    #[test]
    fn addresses_array_tables_by_id() {
        let mut d = doc();
        apply(&mut d, &parse("number.sc.count=4").unwrap()).unwrap();
        apply(&mut d, &parse("account.monthly_spend_limit_usd=500").unwrap()).unwrap();
        apply(&mut d, &parse("simulation.horizon=2h").unwrap()).unwrap();
        assert_eq!(d["number"].as_array().unwrap()[1]["count"].as_integer(), Some(4));
        assert_eq!(d["number"].as_array().unwrap()[0]["count"].as_integer(), Some(1));
        assert_eq!(d["account"]["monthly_spend_limit_usd"].as_integer(), Some(500));
        assert_eq!(d["simulation"]["horizon"].as_str(), Some("2h"));
    }

    #[test]
    fn bad_paths_are_errors() {
        let mut d = doc();
        assert!(
            apply(&mut d, &parse("number.nope.count=4").unwrap())
                .unwrap_err()
                .contains("no [[number]] with id \"nope\"")
        );
        assert!(apply(&mut d, &parse("account.spent_usd.x=1").unwrap()).is_err());
        assert!(parse("number.lc.count").is_err());
        assert!(parse("number..count=1").is_err());
    }
}
