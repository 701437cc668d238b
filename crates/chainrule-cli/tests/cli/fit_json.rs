//! `fit --json`'s undefined numbers: the words numeric/json.rs writes
//! ("NaN", "Infinity"), never `null`, which a reader takes for "absent".

use super::run::json;
use serde_json::Value;

fn fit_json(csv: &str, formula: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, csv).unwrap();
    json(&["fit", path.to_str().unwrap(), "-f", formula, "--json"])
}

#[test]
fn undefined_figures_are_words_not_null() {
    // A constant response: TSS = 0, so R² = 1 − RSS/TSS is 0/0 = NaN.
    let v = fit_json("x,y\n1,5\n2,5\n3,5\n4,5\n", "y ~ x");
    assert_eq!(v["r_squared"], "NaN", "{v}");
    // c duplicates the intercept: dropped, so its SE is NaN and the
    // design's condition number ∞ (σmin = 0).
    let v = fit_json("x,c,y\n1,2,1\n2,2,3\n3,2,2\n4,2,5\n", "y ~ x + c");
    assert_eq!(v["condition_number"], "Infinity", "{v}");
    assert_eq!(v["theta"][2]["std_error"], "NaN", "{v}");
    assert_eq!(v["weights"], Value::Null, "absent: no --weights");
    // No number anywhere is null: the one null is `weights`.
    let text = v.to_string();
    assert_eq!(text.matches("null").count(), 1, "{text}");
}
