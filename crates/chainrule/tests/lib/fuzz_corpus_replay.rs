//! The fuzzers' minimized corpora (fuzz/corpus/<target>/) and the inputs
//! that once crashed a target (fuzz/regressions/<target>/), replayed through
//! the same checks the fuzz targets run (fuzz/src/checks.rs), so CI guards
//! every path the fuzzers found without needing a fuzzer. How to fuzz:
//! README, "Fuzzing".

#[path = "../../../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut count = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            // A panic names the input that caused it.
            let result = std::panic::catch_unwind(|| check(&bytes));
            assert!(result.is_ok(), "{} fails its check", path.display());
            count += 1;
        }
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn expr_corpus() {
    replay("expr", checks::check_expr);
}

#[test]
fn formula_corpus() {
    replay("formula", checks::check_formula);
}

#[test]
fn csv_corpus() {
    replay("csv", checks::check_csv);
}

#[test]
fn model_file_corpus() {
    replay("model_file", checks::check_model_file);
}
