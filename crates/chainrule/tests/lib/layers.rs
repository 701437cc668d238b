//! The library's layers, each looking only down: reads every source file
//! under `src/`, finds the top-level modules it names (`crate::X`, also in
//! `use crate::{X, …}` and `super::super::X` that climbs to the root), and
//! fails when a module names one above it in `LAYERS`. Test modules inside
//! the source count too: a unit test that needs an upper layer belongs in
//! `tests/`.
//!
//! Some neighbours in the order do not use each other (true peers, put in
//! an order only so that the list is strict): `graph`/`expr` and `data`;
//! `kernel` and `data`; `source` and `render`; `render` and `train`;
//! `teach` and `error`. On top,
//! `error` gathers every layer's error type and `regression` (the public
//! `LinearRegression` API) uses them all. The picture is
//! `docs/ARCHITECTURE.md`, "Layers".

use std::path::{Path, PathBuf};

/// Bottom first: a module may name only modules before it (and itself).
const LAYERS: [&str; 14] = [
    "numeric",
    "graph",
    "expr",
    "data",
    "kernel",
    "model",
    "solve",
    "source",
    "render",
    "train",
    "scale",
    "teach",
    "error",
    "regression",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/render/report/mod.rs` → [render, report].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Top-level modules a line of code names.
fn named_modules(code: &str, module: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` or an identifier ending in `crate`
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // use crate::{a::b, c}: the first name of each top-level item.
            let mut depth = 0;
            let mut start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        out.push(ident_at(&group[k..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident_at(rest).to_string());
        }
    }
    // super::super::X from a file `depth` modules deep reaches the root.
    let depth = module.len();
    for (i, _) in code.match_indices("super::") {
        if i > 0 && code[..i].ends_with("super::") {
            continue; // counted from the first `super` of the chain
        }
        let mut rest = &code[i..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            up += 1;
        }
        if up == depth && depth > 0 {
            out.push(ident_at(rest).to_string());
        }
    }
    out
}

/// Code without its `//` comment (doc comments included). Strings are
/// not parsed: a `//` inside one ends the line early, which can only hide
/// a reference, never invent one.
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |k| &line[..k])
}

#[test]
fn every_module_is_in_the_layer_order() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .map(|l| l.trim_end_matches(';'))
        .collect();
    for m in &declared {
        assert!(
            LAYERS.contains(m),
            "src/lib.rs declares `{m}`, which LAYERS in tests/lib/layers.rs does not place: add it where it belongs"
        );
    }
    for m in LAYERS {
        assert!(
            declared.contains(&m),
            "LAYERS names `{m}`, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn layers_only_look_down() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap();
        let module = module_path(rel);
        let Some(own) = module.first() else { continue }; // lib.rs
        let own_rank = rank(own)
            .unwrap_or_else(|| panic!("src/{}: module `{own}` is not in LAYERS", rel.display()));
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            for used in named_modules(code_of(line), &module) {
                let Some(used_rank) = rank(&used) else {
                    continue;
                };
                if used_rank > own_rank {
                    wrong.push(format!(
                        "src/{}:{}: `{own}` imports `{used}`, which sits above it ({})",
                        rel.display(),
                        n + 1,
                        LAYERS.join(" < ")
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "layers must only look down:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_sees_each_way_of_naming_a_module() {
    let render_graph = ["render".to_string(), "graph".to_string()];
    assert_eq!(
        named_modules("use crate::train::{train, Fit};", &render_graph),
        ["train"]
    );
    assert_eq!(
        named_modules("use crate::{data::Design, teach};", &render_graph),
        ["data", "teach"]
    );
    assert_eq!(
        named_modules("let f = crate::solve::lre(a, b);", &render_graph),
        ["solve"]
    );
    assert_eq!(
        named_modules("use super::super::scale::QrStats;", &render_graph),
        ["scale"]
    );
    assert!(named_modules("use super::view::View;", &render_graph).is_empty());
    assert!(named_modules("$crate::graph::x", &render_graph).is_empty());
    assert_eq!(code_of("x(); // crate::teach"), "x(); ");
}
