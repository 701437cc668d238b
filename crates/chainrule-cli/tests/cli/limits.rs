//! Hostile input through the command line: every resource limit refuses
//! with exit code 1 (bad input) or 2 (bad command line) and a message that
//! names the limit and how to raise it, before allocating; numbers that
//! leave f64's range stop loudly; rank deficiency warns and still answers.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn grad_refuses_a_literal_beyond_the_element_limit() {
    // No op makes a tensor larger than its inputs (broadcasting stops at the
    // larger operand), so only literals grow a graph; each is checked
    // against the limit before its node is allocated. 2^16 numbers under a
    // limit of 1000:
    let dir = tempfile::tempdir().unwrap();
    let big = format!("v = [{}]\ns = sum(v)", vec!["1"; 1 << 16].join(","));
    let program = write(dir.path(), "big.expr", &big);
    chainrule()
        .args(["grad", "--max-elements", "1000", &program])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(65536 values)"))
        .stderr(predicate::str::contains("limit of 1000"))
        .stderr(predicate::str::contains("--max-elements"));
}

#[test]
fn grad_refuses_a_product_too_large_for_the_limit() {
    // [[1]] @ [1] is fine; the limit counts values and gradients together,
    // so a 3-vector param (3 values + 3 gradients) and its sum exceed 6.
    chainrule()
        .args([
            "grad",
            "--max-elements",
            "6",
            "-e",
            "v = [1, 2, 3]\ns = sum(v)",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("too large"))
        .stderr(predicate::str::contains("raise the limit (--max-elements"));
}

#[test]
fn grad_refuses_long_programs_before_building_them() {
    // Issue #11: 10 MB of unary minus took > 3 GB (about 1 KB per node).
    // The lexer stops at the token limit; nothing later is built. Each of
    // `-` and `(`…`)` is one token, so 2,000 of them pass a limit of 5,000
    // and 10 MB do not pass the default of 10^6.
    let dir = tempfile::tempdir().unwrap();
    let minus = write(
        dir.path(),
        "minus.expr",
        &format!("x = 1\ny = {}x", "-".repeat(10 << 20)),
    );
    let nested = write(
        dir.path(),
        "nested.expr",
        &format!("x = 1\ny = {}x{}", "(".repeat(5 << 20), ")".repeat(5 << 20)),
    );
    for program in [&minus, &nested] {
        let out = chainrule().args(["grad", program]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("longer than the limit of 1000000 tokens"),
            "{stderr:.400}"
        );
        assert!(stderr.contains("--max-tokens"), "{stderr:.400}");
        // The source line is shown as a window around the spot, not whole.
        assert!(stderr.len() < 2000, "{} bytes of stderr", stderr.len());
    }
    let small = format!("x = 3\ny = {}x", "-".repeat(2000));
    // 2,000 negations of 3: an even count gives 3 back, ∂y/∂x = +1.
    chainrule()
        .args(["grad", "--max-tokens", "5000", "-e", &small])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"\nx +param +3 +1\ny +neg +3 +1\n").unwrap());
    chainrule()
        .args(["grad", "--max-tokens", "1000", "-e", &small])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("limit of 1000 tokens"));
}

#[test]
fn explain_refuses_more_rows_than_its_limit_before_reading() {
    // Issue #11: --rows 1-1000000 in unrolled mode took > 3 GB. The limit
    // counts rows × steps and is checked before the file is read: this
    // file has 3 rows, so reading it would fail differently.
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "x,y\n1,3\n2,5\n3,7\n");
    chainrule()
        .args(["explain", "--data", &data, "--rows", "1-1000000"])
        .args(["--mode", "unrolled"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--rows 1-1000000: 1000000 rows to write out, more than the limit of 1000",
        ))
        .stderr(predicate::str::contains("--max-rows N"));
    // 3 rows × 400 steps = 1200 > 1000; within a raised limit it runs.
    let many = ["explain", "--data", &data, "--rows", "1-3", "--mode"];
    chainrule()
        .args(many)
        .args(["vectorized", "--steps", "400"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("× 400 steps: 1200 rows"));
    chainrule()
        .args(many)
        .args(["vectorized", "--steps", "400", "--max-rows", "1200"])
        .assert()
        .success();
    // Values given as flags count too: 3 rows over a limit of 2.
    chainrule()
        .args(["explain", "--formula", "line", "--mode", "unrolled"])
        .args(["--x", "1,2,3", "--y", "3,5,7", "--max-rows", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "3 rows given: 3 rows to write out",
        ));
}

#[test]
fn synth_refuses_more_cells_than_its_limit() {
    // Issue #11: --n 100000000000 aborted on a failed allocation. Rows are
    // now written as they are drawn, and the limit (10^10 cells by default,
    // synth.rs) guards the disk. The line model has 2 columns (x, y): 10^11
    // rows are 2·10^11 cells.
    chainrule()
        .args(["synth", "--n", "100000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "100000000000 rows × 2 columns = 200000000000 cells, more than the limit of 10000000000",
        ))
        .stderr(predicate::str::contains("--max-cells N"));
    // 10^11 features (one row) is as many cells.
    chainrule()
        .args(["synth", "--n", "1", "--model", "100000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("100000000001 cells"));
    // Past a raised limit the allocation itself is refused, not aborted.
    chainrule()
        .args(["synth", "--n", "1", "--model", "100000000000"])
        .args(["--max-cells", "1000000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("do not fit in memory"));
    // 50 rows × 2 columns: exactly at a limit of 100, it runs.
    chainrule()
        .args(["synth", "--n", "50", "--max-cells", "100"])
        .assert()
        .success();
    chainrule()
        .args(["synth", "--n", "51", "--max-cells", "100"])
        .assert()
        .code(2);
}

#[test]
fn grad_refuses_exponents_beyond_the_limit() {
    for (program, shown) in [
        ("x = 2\ny = x^1e300", "1e300"),
        ("x = 2\ny = x^(1e300 * 1e300)", "inf"),
        ("x = 2\ny = x^(0/0)", "NaN"),
        ("x = 2\ny = x^-2000", "-2000"),
    ] {
        chainrule()
            .args(["grad", "-e", program])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "exponent of '^' is {shown}, beyond the limit of ±1024"
            )))
            .stderr(predicate::str::contains("exp(p * log(x))"));
    }
    // At the limit it still runs: 1^1024 = 1, ∂/∂x = 1024·1^1023 = 1024.
    chainrule()
        .args(["grad", "-e", "x = 1\ny = x^1024"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1024"));
}

#[test]
fn formula_powers_above_the_degree_limit_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "x,y\n1,2\n2,3\n3,5\n");
    for formula in [
        "y ~ poly(x, 1000)",
        "y ~ I(x^31)",
        "y ~ poly(x, 99999999999)",
    ] {
        chainrule()
            .args(["fit", &data, "--formula", formula])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("30 is the limit on powers"));
    }
}

#[test]
fn formula_powers_that_overflow_name_the_feature_and_row() {
    let dir = tempfile::tempdir().unwrap();
    // 1e20^30 = 1e600 > f64::MAX ≈ 1.8e308.
    let data = write(dir.path(), "d.csv", "x,y\n1,2\n1e20,3\n3,5\n");
    for cmd in ["fit", "train"] {
        chainrule()
            .args([cmd, &data, "--formula", "y ~ I(x^30)"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "feature x^30 overflows at data row 2",
            ))
            .stderr(predicate::str::contains("rescale the column"));
    }
}

#[test]
fn csv_column_limit_names_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "a,b,c,y\n1,2,3,4\n5,6,7,9\n");
    chainrule()
        .args(["fit", &data, "--max-columns", "3"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "4 columns, more than the limit of 3",
        ))
        .stderr(predicate::str::contains("--max-columns"));
    // A data row wider than the header is refused at its line.
    let ragged = write(
        dir.path(),
        "r.csv",
        &format!("x,y\n1,2\n{}\n", "1,".repeat(5000)),
    );
    chainrule()
        .args(["fit", &ragged])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("r.csv:3: row has 5001 fields"));
}

#[test]
fn csv_cell_limit_names_its_flag_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..100).map(|i| format!("{i},{}\n", 2 * i)).collect();
    let data = write(dir.path(), "d.csv", &format!("x,y\n{rows}"));
    // 2 columns: rows 1..=50 make 100 cells; row 51 (line 52) would be 102.
    for cmd in ["fit", "train"] {
        chainrule()
            .args([cmd, &data, "--max-cells", "100"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "d.csv:52: the data has more than 100 cells",
            ))
            .stderr(predicate::str::contains("--max-cells"));
    }
    chainrule()
        .args(["fit", &data, "--max-cells", "200"])
        .assert()
        .success();
}

fn model_file(dir: &Path) -> String {
    let data = write(dir, "d.csv", "x,y\n1,3\n2,5\n3,7.5\n");
    let model = dir.join("m.json").display().to_string();
    chainrule()
        .args(["train", &data, "--epochs", "10", "--out", &model])
        .assert()
        .success();
    model
}

#[test]
fn model_files_with_wrong_shapes_or_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_file(dir.path());
    let data = write(dir.path(), "new.csv", "x\n4\n");
    let good = std::fs::read_to_string(&model).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut m: serde_json::Value = serde_json::from_str(&good).unwrap();
        f(&mut m);
        m.to_string()
    };
    let cases = [
        (
            edit(&|m| m["theta"] = serde_json::json!([1.0])),
            "θ has 1 entries but 1 features and an intercept need 2",
        ),
        (
            edit(&|m| m["features"] = serde_json::json!(["x", "z"])),
            "θ has 2 entries but 2 features and an intercept need 3",
        ),
        (
            edit(&|m| m["scaling"] = serde_json::json!({"mean": [1.0, 2.0], "scale": [1.0, 1.0]})),
            "the scaling has 2 means and 2 scales but there are 1 features",
        ),
        // serde writes NaN as null, and 1e999 parses to no f64.
        (
            edit(&|m| m["theta"][0] = serde_json::Value::Null),
            "not a chainrule model file (invalid type: null, expected f64",
        ),
        (
            edit(&|m| m["theta"][1] = serde_json::json!(12345.5)).replace("12345.5", "1e999"),
            "not a chainrule model file (number out of range",
        ),
    ];
    for (text, message) in cases {
        let bad = write(dir.path(), "bad.json", &text);
        chainrule()
            .args(["predict", &bad, &data])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("bad.json: {message}")));
    }
    chainrule()
        .args(["predict", &model, &data])
        .assert()
        .success();
}

#[test]
fn overflowing_data_stops_training_with_step_batch_and_lr() {
    let dir = tempfile::tempdir().unwrap();
    // Values near 1e200: (y − θx)² ≈ 1e400 overflows at the first step.
    let data = write(dir.path(), "big.csv", "x,y\n1e200,1e200\n2e200,3e200\n");
    chainrule()
        .args(["train", &data, "--lr", "0.1", "--no-standardize"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "J became inf at epoch 1, step 1 (batch of rows starting at 0) with learning rate 0.1",
        ))
        .stderr(predicate::str::contains("drop --no-standardize"));
}

#[test]
fn constant_and_collinear_columns_warn_and_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    // c is constant (duplicates the intercept); x2 = 2·x1 (collinear);
    // y = 1 + 2·x1 exactly, so the dropped columns' θ are 0 and J = 0.
    let data = write(
        dir.path(),
        "d.csv",
        "x1,x2,c,y\n1,2,5,3\n2,4,5,5\n3,6,5,7\n4,8,5,9\n",
    );
    let out = chainrule().args(["fit", &data, "--json"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: column \"x2\" is (nearly) a linear combination"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: column \"c\" is constant"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let theta: Vec<f64> = v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_f64().unwrap())
        .collect();
    // θ0 = 1, θ1 = 2, θ(x2) = θ(c) = 0: the defined answer.
    let expected = [1.0, 2.0, 0.0, 0.0];
    for (t, e) in theta.iter().zip(expected) {
        assert!((t - e).abs() < 1e-12, "{theta:?}");
    }
    chainrule()
        .args(["train", &data, "--check", "--epochs", "200"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: column \"x2\""))
        .stderr(predicate::str::contains("θ is not unique"));
}

#[test]
fn a_first_row_fitted_exactly_is_not_divergence() {
    // Found while testing interrupts: θ starts at 0 and row 1 is (0, 0), so
    // the first step's J is 0; the divergence check compared every later J
    // with that 0 and stopped a healthy run ("diverged at step 2"). It now
    // compares with J over all rows at the start.
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "x,y\n0,0\n1,2\n2,4\n3,6\n");
    chainrule()
        .args(["train", &data, "--formula", "y ~ x - 1", "--mode", "sample"])
        .args([
            "--no-shuffle",
            "--lr",
            "0.01",
            "--epochs",
            "50",
            "--no-standardize",
        ])
        .arg("--json")
        .assert()
        .success()
        // y = 2x exactly: θ1 → 2 (50 epochs at lr 0.01 leave it within 1e-5).
        .stdout(predicate::function(|out: &str| {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            (v["theta"][0]["value"].as_f64().unwrap() - 2.0).abs() < 1e-5
        }));
}
