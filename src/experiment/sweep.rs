//! Sweeps: axes of `--set PATH=V1,V2,...`, their cartesian product of points, and
//! `--target` comparisons on summary columns.

use crate::metrics::Summary;

/// One axis of a sweep: a path and its values, as given (`number.lc.count=1,2,4`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// The dotted path.
    pub path: String,
    /// The values, as written.
    pub values: Vec<String>,
}

/// Parse `PATH=V1,V2,...`; commas inside brackets, braces or quotes do not split.
pub fn parse_axis(arg: &str) -> Result<Axis, String> {
    let (path, list) = arg.split_once('=').ok_or_else(|| format!("--set {arg}: expected PATH=V1,V2,..."))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
        return Err(format!("--set {arg}: invalid path \"{path}\""));
    }
    let mut values = Vec::new();
    let (mut depth, mut quote, mut cur, mut escaped) = (0i32, None::<char>, String::new(), false);
    for ch in list.chars() {
        if escaped {
            escaped = false;
            cur.push(ch);
            continue;
        }
        match (quote, ch) {
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                values.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    values.push(cur.trim().to_string());
    if values.iter().any(String::is_empty) {
        return Err(format!("--set {arg}: an empty value in the list"));
    }
    if let Some(v) = values.iter().enumerate().find_map(|(i, v)| values[..i].contains(v).then_some(v)) {
        return Err(format!("--set {arg}: the value {v} is listed twice"));
    }
    if path == "simulation.seed" {
        return Err(format!(
            "--set {arg}: every sweep point runs on the same seed (that pairs them); use --replications for independent seeds"
        ));
    }
    Ok(Axis { path: path.to_string(), values })
}

/// The points of a sweep: the cartesian product of the axes, the first axis varying
/// slowest; each point is its `path=value` overrides in axis order.
pub fn points(axes: &[Axis]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for a in axes {
        out = out
            .iter()
            .flat_map(|p| a.values.iter().map(move |v| [p.clone(), vec![format!("{}={v}", a.path)]].concat()))
            .collect();
    }
    out
}

/// A comparison of a summary column with a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The `summary.csv` column.
    pub column: String,
    /// `<=`, `<`, `>=`, `>` or `==`.
    pub op: &'static str,
    /// The bound.
    pub value: f64,
}

impl Target {
    /// Whether `x` meets it; a missing value (an empty statistic) never does.
    pub fn met_by(&self, x: Option<f64>) -> bool {
        let Some(x) = x else { return false };
        match self.op {
            "<=" => x <= self.value,
            "<" => x < self.value,
            ">=" => x >= self.value,
            ">" => x > self.value,
            _ => x == self.value,
        }
    }
}

/// Parse `col<=v,col2>v2` against the columns of `summary.csv`.
pub fn parse_targets(expr: &str) -> Result<Vec<Target>, String> {
    let columns = Summary::columns();
    // Each message names the whole expression, and the part at fault when there are several.
    let whole = expr.trim();
    if whole.is_empty() {
        return Err("--target: an empty expression: give COLUMN<=VALUE, e.g. 'drain_s<=3600'".into());
    }
    let at = |part: &str| if part == whole { String::new() } else { format!(" (in \"{part}\")") };
    expr.split(',')
        .map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("--target {whole}: an empty target (a comma too many?)"));
            }
            if part.contains("!=") {
                return Err(format!("--target {whole}: the comparison is one of <=, <, >=, > and =={}", at(part)));
            }
            let (column, op, value) = ["<=", ">=", "==", "<", ">"]
                .iter()
                .find_map(|op| part.split_once(op).map(|(c, v)| (c.trim(), *op, v.trim())))
                .ok_or_else(|| format!("--target {whole}: expected COLUMN<=VALUE (or <, >=, >, ==){}", at(part)))?;
            // "=<", "=>", "!=": an operator written otherwise than the five.
            if column.ends_with(['=', '!', '<', '>']) || value.starts_with(['=', '<', '>']) {
                return Err(format!("--target {whole}: the comparison is one of <=, <, >=, > and =={}", at(part)));
            }
            if !columns.iter().any(|c| c == column) || ["scenario", "variant"].contains(&column) {
                return Err(format!(
                    "--target {whole}: \"{column}\" is not a numeric column of summary.csv{}",
                    at(part)
                ));
            }
            let value = value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("--target {whole}: \"{value}\" is not a finite number{}", at(part)))?;
            Ok(Target { column: column.to_string(), op, value })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_targets;

    #[test]
    fn targets_parse_and_their_errors_name_the_expression_and_the_part() {
        let t = parse_targets("drain_s<=3600, latency_p95_s>2").unwrap();
        assert_eq!((t[0].column.as_str(), t[0].op, t[0].value), ("drain_s", "<=", 3600.0));
        assert_eq!((t[1].column.as_str(), t[1].op, t[1].value), ("latency_p95_s", ">", 2.0));
        let err = |e: &str| parse_targets(e).unwrap_err();
        assert_eq!(err("drain_s<=3,"), "--target drain_s<=3,: an empty target (a comma too many?)");
        assert_eq!(err("drain_s=<3"), "--target drain_s=<3: the comparison is one of <=, <, >=, > and ==");
        assert_eq!(
            err("drain_s<==3,cost_total_usd<1"),
            "--target drain_s<==3,cost_total_usd<1: the comparison is one of <=, <, >=, > and == (in \"drain_s<==3\")"
        );
        assert_eq!(
            err("drain_s<3,nope>1"),
            "--target drain_s<3,nope>1: \"nope\" is not a numeric column of summary.csv (in \"nope>1\")"
        );
        assert_eq!(err("drain_s"), "--target drain_s: expected COLUMN<=VALUE (or <, >=, >, ==)");
        assert_eq!(err("drain_s!=3"), "--target drain_s!=3: the comparison is one of <=, <, >=, > and ==");
        assert!(err("  ").starts_with("--target: an empty expression"));
        assert_eq!(err("variant==1"), "--target variant==1: \"variant\" is not a numeric column of summary.csv");
    }
}
