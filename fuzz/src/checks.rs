#![allow(dead_code)] // each fuzz target uses one of these
//! What each fuzz target checks, one function per target. The fuzzer
//! (fuzz_targets/*.rs) and the corpus replay test (tests/fuzz_corpus_replay.rs)
//! both include this file, so CI replays the corpus with exactly these
//! checks. Beyond "no panic, no hang, no runaway allocation", each states
//! the law that every accepted input must satisfy.

use chainrule::data::{read_csv_str, Dataset, ReadOptions};
use chainrule::expr::{parse, run_with_limit};
use chainrule::model::formula::Formula;
use chainrule::train::ModelFile;

/// Element budget for fuzzed `grad` programs: small enough that no input
/// can allocate much, large enough for every shape rule to be reachable.
const EXPR_LIMIT: usize = 1 << 16;

/// Programs: parse ∘ print = identity on what parses; running under a
/// budget fails cleanly or gives a trace whose root is a scalar.
pub fn check_expr(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(program) = parse(src) else {
        return;
    };
    let printed = program.to_string();
    let again = parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not reparse: {e}"));
    assert_eq!(again, program, "print then parse changed {printed:?}");
    if let Ok(ev) = run_with_limit(src, None, EXPR_LIMIT) {
        assert_eq!(
            ev.trace.node(ev.trace.root).value.len(),
            1,
            "root not scalar"
        );
    }
}

/// Formulas: parse ∘ print = identity; on a small data set the design has
/// n·d finite entries or is refused.
pub fn check_formula(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(f) = Formula::parse(text) else {
        return;
    };
    let printed = f.to_string();
    assert_eq!(Formula::parse(&printed), Ok(f.clone()), "{printed:?}");
    let names = ["y", "x", "a", "b", "x.1", "my col"];
    let columns = vec![
        vec![1.0, 2.0, 3.0],
        vec![0.5, -2.0, 1e3],
        vec![1e200, 0.0, -1.0],
        vec![4.0, 5.0, 6.0],
        vec![-1e-300, 1.0, 2.0],
        vec![7.0, 8.0, 9.0],
    ];
    let dataset = Dataset::new(names.iter().map(|s| s.to_string()).collect(), columns)
        .expect("the columns have equal lengths");
    if let Ok(design) = f.design(&dataset) {
        assert_eq!(design.x.len(), design.n * design.d);
        assert!(design.x.iter().all(|v| v.is_finite()), "non-finite feature");
    }
}

/// CSV: what reads has equal-length, finite columns with distinct
/// non-empty names, and no more cells than the limit.
pub fn check_csv(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let opts = ReadOptions {
        drop_missing: first & 1 == 1,
        max_columns: 64,
        max_cells: 4096,
        only: None,
    };
    let name = if first & 2 == 2 { "f.tsv" } else { "f.csv" };
    let Ok((d, report)) = read_csv_str(name, text, &opts) else {
        return;
    };
    let rows = report.rows_read - report.rows_dropped;
    assert!(rows > 0);
    assert_eq!(d.names.len(), d.columns.len());
    assert!(d.names.len() * rows <= opts.max_cells);
    for (k, c) in d.columns.iter().enumerate() {
        assert_eq!(c.len(), rows);
        assert!(c.iter().all(|v| v.is_finite()));
        assert!(!d.names[k].is_empty());
        assert!(!d.names[..k].contains(&d.names[k]));
    }
    assert!(d.text.iter().all(|t| t.values.len() == rows));
}

/// Model files: what loads has one finite θ per parameter, and saving it
/// again gives a file that loads to the same θ.
pub fn check_model_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = ModelFile::parse(text, "model.json") else {
        return;
    };
    assert_eq!(m.theta.len(), m.features.len() + usize::from(m.intercept));
    assert!(m.theta.iter().all(|t| t.is_finite()));
    let again = serde_json::to_string(&m).expect("a model serializes");
    let back = ModelFile::parse(&again, "again.json").expect("a saved model loads");
    assert_eq!(back.theta, m.theta);
    let _ = Formula::parse(&m.formula);
}
