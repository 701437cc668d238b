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

#[test]
fn graph_in_three_formats() {
    let args = ["graph", "--model", "line", "--mode", "unrolled", "--format"];
    chainrule()
        .args(args)
        .arg("dot")
        .assert()
        .success()
        .stdout(contains("digraph chainrule"))
        .stdout(contains("∂J/∂L⁽²⁾ = 1/2 = 0.5"));
    chainrule()
        .args(args)
        .arg("mermaid")
        .assert()
        .success()
        .stdout(contains("flowchart LR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.svg");
    chainrule()
        .args(args)
        .arg("svg")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("J = (L⁽¹⁾ + L⁽²⁾) / 2"));
}

/// Nothing in the page is fetched: the only URL is the SVG namespace.
fn assert_self_contained(html: &str) {
    let mut rest = html;
    while let Some(i) = rest.find("http") {
        assert!(
            rest[i..].starts_with("http://www.w3.org/2000/svg"),
            "the report refers to the network: {}",
            &rest[i..(i + 60).min(rest.len())]
        );
        rest = &rest[i + 4..];
    }
    for tag in ["<link", "<img", "<iframe", "src=\""] {
        assert!(!html.contains(tag), "the report has {tag}");
    }
}

#[test]
fn report_of_the_lessons_and_of_a_training_run() {
    let dir = tempfile::tempdir().unwrap();
    let lessons = dir.path().join("lessons.html");
    chainrule()
        .args(["report", "--out"])
        .arg(&lessons)
        .assert()
        .success();
    let html = std::fs::read_to_string(&lessons).unwrap();
    assert_self_contained(&html);
    for id in ["origin-sample", "line-unrolled", "plane-vectorized"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("contours of J(θ0, θ1)"));
    assert!(html.contains("J(θ) and the gradient-descent steps"));

    let csv = dir.path().join("plane.csv");
    chainrule()
        .args([
            "synth", "--model", "plane", "--n", "50", "--seed", "1", "--out",
        ])
        .arg(&csv)
        .assert()
        .success();
    let run = dir.path().join("run.html");
    chainrule()
        .arg("train")
        .arg(&csv)
        .args(["--formula", "plane", "--epochs", "20", "--report"])
        .arg(&run)
        .assert()
        .success();
    let html = std::fs::read_to_string(&run).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("predicted vs actual"));
    let own = dir.path().join("own.html");
    chainrule()
        .args([
            "report",
            "--formula",
            "y ~ x1 + x2",
            "--mode",
            "unrolled",
            "--epochs",
            "5",
            "--out",
        ])
        .arg(&own)
        .arg("--data")
        .arg(&csv)
        .assert()
        .success();
    assert_self_contained(&std::fs::read_to_string(&own).unwrap());
}
