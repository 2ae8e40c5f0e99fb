//! The shape of the code (docs/design.md), checked: dependencies between the top-level
//! modules of the library run one way, down the layers below; the engine imports nothing
//! of the crate; no source file is over 600 lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module's layer: a module may use only modules of lower layers.
const LAYERS: [(&str, u32); 13] = [
    ("engine", 0),
    ("output", 1),
    ("error", 0),
    ("table", 0),
    ("sms", 1),
    ("calendar", 1),
    ("scenario", 2),
    ("model", 3),
    ("metrics", 4),
    ("report", 5),
    ("run", 6),
    ("check", 6),
    ("experiment", 7),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module each file belongs to (none for the crate root and the binary).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!["lib", "main", "cli"].contains(&name.as_str())).then_some(name)
}

/// `line` without a `//` comment (a `//` inside a string literal is kept).
fn code_of(line: &str) -> &str {
    let mut in_str = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
            b'/' if !in_str && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The top-level modules that `text` names through `crate::`, comments aside; a group
/// `crate::{a, b::{c, d}}` (on one line or several) names `a` and `b`.
fn uses(text: &str) -> Vec<String> {
    let code: String = text.lines().map(code_of).collect::<Vec<_>>().join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's items at depth 0, up to its closing brace.
            let (mut depth, mut item) = (0usize, String::new());
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(std::mem::take(&mut item));
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || item.is_empty() {
                    item.push(ch);
                }
            }
            out.push(item);
        } else {
            out.push(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
        }
    }
    out.iter()
        .map(|s| s.trim().split("::").next().unwrap_or("").trim().to_string())
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

#[test]
fn dependencies_run_one_way_down_and_files_stay_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let layer: BTreeMap<&str, u32> = LAYERS.into_iter().collect();
    let mut wrong = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines = text.lines().count();
        if lines > 600 {
            wrong.push(format!("{}: {lines} lines (at most 600)", f.display()));
        }
        let Some(m) = module_of(&src, f) else { continue };
        let Some(&own) = layer.get(m.as_str()) else {
            wrong
                .push(format!("{}: module {m} has no layer in this test (add it, and to docs/design.md)", f.display()));
            continue;
        };
        for u in uses(&text) {
            if u == m {
                continue;
            }
            match layer.get(u.as_str()) {
                Some(&l) if l < own => {}
                Some(&l) => wrong.push(format!("{}: {m} (layer {own}) uses {u} (layer {l})", f.display())),
                None => wrong.push(format!("{}: {m} uses crate::{u}, which has no layer", f.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "the shape of the code (docs/design.md):\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_every_form_of_use() {
    // The parser above must catch what it guards, or the test proves nothing.
    let text = "use crate::engine::SimTime;\nuse crate::{sms, report::x};\nlet a = crate::model::World::new();\n// crate::run in a comment\n\
                let s = \"http://x\"; let b = crate::metrics::M;\nuse crate::{\n    check,\n    experiment::{plan::Plan, shard},\n};\n";
    assert_eq!(uses(text), vec!["engine", "sms", "report", "model", "metrics", "check", "experiment"]);
}
