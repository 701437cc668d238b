//! The render subcommands from the outside: explain, graph, report.

use assert_cmd::Command;
use predicates::str::contains;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").expect("the binary builds")
}

#[test]
fn explain_by_flags_writes_the_derivations_numbers() {
    // By hand: x = 2, y = 3, θ = 0.5 ⇒ ∂L/∂θ = (2·2)·(−1)·2 = −8, θ ← 1.3.
    chainrule()
        .args([
            "explain", "--model", "origin", "--x", "2", "--y", "3", "--theta", "0.5",
        ])
        .assert()
        .success()
        .stdout(contains("(2·2)·(−1)·2 = −8"))
        .stdout(contains("= 0.5 − 0.1·(−8) = 1.3"));
}

#[test]
fn explain_with_no_values_uses_the_lesson_data() {
    chainrule()
        .args(["explain", "--model", "line", "--mode", "unrolled"])
        .assert()
        .success()
        .stdout(contains("rows 1–2 of builtin:line.csv"))
        .stdout(contains("∂J/∂θ1 = ∂J/∂L⁽¹⁾"));
}

#[test]
fn explain_json_is_the_trace() {
    let out = chainrule()
        .args([
            "explain",
            "--model",
            "line",
            "--mode",
            "vectorized",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let trace: chainrule::graph::Trace = serde_json::from_slice(&out).expect("a trace");
    assert_eq!(trace.node(trace.root).name.as_deref(), Some("J"));
}

#[test]
fn explain_batches_as_comma_lists_and_rows_of_a_file() {
    chainrule()
        .args([
            "explain",
            "--model",
            "origin",
            "--mode",
            "vectorized",
            "--x",
            "4,5,6",
            "--y",
            "3,4,4",
        ])
        .assert()
        .success()
        .stdout(contains("(1/3)·1ᵀ"));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("d.csv");
    std::fs::write(&csv, "x,y\n1,2\n2,4\n3,7\n").unwrap();
    chainrule()
        .args([
            "explain", "--model", "line", "--mode", "unrolled", "--rows", "2-3",
        ])
        .arg("--data")
        .arg(&csv)
        .assert()
        .success()
        .stdout(contains("rows 2–3 of"));
}

#[test]
fn explain_refuses_mismatched_input_as_usage_errors() {
    chainrule()
        .args(["explain", "--model", "line", "--x", "1,2", "--y", "3"])
        .assert()
        .code(2);
    chainrule()
        .args([
            "explain", "--model", "line", "--x", "1", "--y", "3", "--theta", "1",
        ])
        .assert()
        .code(2)
        .stderr(contains("θ0, θ1"));
    chainrule()
        .args(["explain", "--model", "origin", "--x", "1,2", "--y", "3,4"])
        .assert()
        .code(2)
        .stderr(contains("one sample"));
}
