//! A table as people keep it (`crates/chainrule/tests/data/tables`, see its
//! README): an id column, a text column, free text with empty cells and an
//! empty response. Only the formula's columns are read; text is
//! categorical; `--na drop` says what it dropped; predict codes new rows
//! with the fitted levels.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn tables() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chainrule/tests/data/tables")
}

fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.current_dir(tables());
    cmd
}

/// Exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = chainrule().args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn a_text_column_is_categorical_and_the_drop_is_said() {
    let (code, out, err) = run(&[
        "fit",
        "houses.csv",
        "--formula",
        "price ~ region",
        "--na",
        "drop",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    // H06 (line 7) has no price; the empty notes are never read.
    assert!(err.contains("dropped 1 of 10 rows"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let theta = v["theta"].as_array().unwrap();
    let names: Vec<&str> = theta.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["θ0 (intercept)", "θ1 (regionSouth)", "θ2 (regionWest)"]
    );
    // Group means (hand sums in the data's README): North 605/3, and the
    // differences South − North = 185/3, West − North = 235/3.
    for (t, want) in theta.iter().zip([605.0 / 3.0, 185.0 / 3.0, 235.0 / 3.0]) {
        let got = t["value"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-10 * want, "{got} vs {want}");
    }
}

#[test]
fn a_missing_response_is_an_error_naming_the_cell_unless_dropped() {
    let (code, _, err) = run(&["fit", "houses.csv", "--formula", "price ~ area"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("houses.csv:7: column \"price\" (column 2): empty cell"),
        "{err}"
    );
    // --drop-missing is --na drop.
    let (code, _, err) = run(&["fit", "houses.csv", "-f", "price ~ area", "--drop-missing"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("dropped 1 of 10 rows"), "{err}");
    let (code, _, err) = run(&[
        "fit",
        "houses.csv",
        "-f",
        "area ~ factor(id)",
        "--na",
        "drop",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no row had a missing value"), "{err}");
}

#[test]
fn a_stray_word_in_a_numeric_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.csv");
    // Line 3: "l00" where 100 was meant.
    std::fs::write(&path, "y,area\n1,70\n2,l00\n3,90\n").unwrap();
    let path = path.display().to_string();
    let (code, _, err) = run(&["fit", &path, "-f", "y ~ area"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(":3: column \"area\" (column 2): \"l00\" is not a number")
            && err.contains("factor(area)"),
        "{err}"
    );
}

#[test]
fn predict_codes_new_rows_with_the_fitted_levels() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json").display().to_string();
    let (code, _, err) = run(&[
        "train",
        "houses.csv",
        "-f",
        "price ~ area + region",
        "--na",
        "drop",
        "--epochs",
        "3",
        "--out",
        &model,
    ]);
    assert_eq!(code, 0, "{err}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(
        saved["levels"]["region"],
        serde_json::json!(["North", "South", "West"])
    );
    // Line 4 of new_houses.csv has the region Central.
    let (code, _, err) = run(&["predict", &model, "new_houses.csv"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("new_houses.csv:4: column \"region\" has the level \"Central\""),
        "{err}"
    );
    let two = dir.path().join("two.csv");
    std::fs::write(&two, "id,area,region\nN01,72,North\nN02,95,West\n").unwrap();
    let (code, out, err) = run(&["predict", &model, &two.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    // z1 = θ0 + θ1·area + θ3·[West] with the saved θ.
    let t: Vec<f64> = serde_json::from_value(saved["theta"].clone()).unwrap();
    let z1: Vec<f64> = out
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    let want = [t[0] + t[1] * 72.0, t[0] + t[1] * 95.0 + t[3]];
    for (z, w) in z1.iter().zip(want) {
        assert!((z - w).abs() <= 1e-12 * w.abs(), "{z1:?} vs {want:?}");
    }
}

#[test]
fn a_streamed_read_refuses_a_categorical_variable_by_name() {
    let (code, _, err) = run(&[
        "fit",
        "houses.csv",
        "-f",
        "price ~ region",
        "--na",
        "drop",
        "--chunk-rows",
        "4",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("column \"region\" is categorical") && err.contains("read the file whole"),
        "{err}"
    );
}
