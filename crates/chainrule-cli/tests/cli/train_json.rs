//! `train --json`: one schema (docs/train-json.md) for rows in memory and
//! streamed rows, the same θ and J history from both, and the learning
//! rate parsed once (a bad `--lr` is a usage error in every subcommand).

use super::run::json_of;
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().into()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t.get("value").unwrap_or(t).as_f64().unwrap())
        .collect()
}

/// Relative 1e-12: the same sums grouped by chunk (tests/lib/stream_train.rs).
fn assert_close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * y.abs(), "{what}: {a:?} vs {b:?}");
    }
}

/// Six rows of y ≈ 2x − 2 whose first row has y = 0: at θ = 0 the first
/// one-row batch has J = 0 exactly.
const FIRST_ROW_ZERO: &str = "x,y\n1,0\n2,2.1\n3,3.9\n4,6.2\n5,8.1\n6,9.8\n";

#[test]
fn a_first_row_with_zero_cost_trains_in_memory_and_streamed_alike() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "zero.csv", FIRST_ROW_ZERO);
    for mode in ["vectorized", "sample"] {
        let run = [
            "train",
            &data,
            "--batch-size",
            "1",
            "--no-shuffle",
            "--mode",
            mode,
            "--epochs",
            "20",
            "--lr",
            "0.01",
        ];
        let memory = json_of(&run);
        // Was refused as "diverged": the streamed loop judged J against the
        // first batch's J = 0 alone.
        let streamed = json_of(&[&run[..], &["--chunk-rows", "2"]].concat());
        assert_eq!(
            (&memory["streamed"], &streamed["streamed"]),
            (&Value::Bool(false), &Value::Bool(true))
        );
        assert_eq!(memory["steps"], 20 * 6);
        assert_eq!(streamed["steps"], memory["steps"]);
        assert_close(
            &numbers(&streamed["theta"]),
            &numbers(&memory["theta"]),
            mode,
        );
        assert_close(
            &numbers(&streamed["history"]),
            &numbers(&memory["history"]),
            mode,
        );
    }
}

/// The JSON with what changes from run to run masked: the time taken and
/// the temporary directory.
fn masked(mut v: Value) -> String {
    v["seconds"] = Value::String("[seconds]".into());
    // A converged run's gradient is rounding noise, which any change to a
    // sum's order moves; tests/cli/correct.rs checks it against --tol.
    let verdict = &mut v["verdict"];
    if verdict["relative_gradient"]
        .as_f64()
        .is_some_and(|r| r < 1e-12)
    {
        verdict["gradient_norm"] = Value::String("[rounding]".into());
        verdict["relative_gradient"] = Value::String("[rounding]".into());
    }
    let source = v["source"].as_str().unwrap().to_string();
    let name = Path::new(&source).file_name().unwrap().to_str().unwrap();
    v["source"] = Value::String(format!("[dir]/{name}"));
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn train_json_is_one_schema_in_memory_and_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "zero.csv", FIRST_ROW_ZERO);
    let run = ["train", &data, "--epochs", "5", "--check"];
    let memory = json_of(&run);
    let streamed = json_of(&[&run[..], &["--chunk-rows", "4"]].concat());
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&memory), keys(&streamed));
    insta::assert_snapshot!("train_json_in_memory", masked(memory));
    insta::assert_snapshot!("train_json_streamed", masked(streamed));
}

#[test]
fn a_bad_learning_rate_is_a_usage_error_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "zero.csv", FIRST_ROW_ZERO);
    let out = dir.path().join("r.html");
    let out = out.to_str().unwrap();
    for args in [
        vec!["train", &data, "--lr", "-1"],
        vec!["train", &data, "--lr=-1"],
        vec!["train", &data, "--lr", "0"],
        vec!["train", &data, "--chunk-rows", "2", "--lr", "nan"],
        vec!["report", "--data", &data, "--out", out, "--lr", "0"],
        vec!["report", "--data", &data, "--out", out, "--lr=-1"],
    ] {
        chainrule()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--lr"));
    }
}

#[test]
fn every_run_says_whether_theta_is_the_least_squares_theta() {
    // synth plane (seed 4, noise 0.1): 2000 standardized full-batch epochs
    // at the automatic rate converge far past 9 digits; 3 epochs do not.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("p.csv");
    let (rows, _) =
        chainrule::data::synth(chainrule::data::SynthModel::Plane, 400, 0.1, 4).unwrap();
    chainrule::data::write_csv(&data, &rows).unwrap();
    let data = data.to_str().unwrap();
    for streamed in [&[][..], &["--chunk-rows", "50"][..]] {
        let run = |epochs: &str| {
            let out = chainrule()
                .args(["train", data, "--formula", "y ~ x1 + x2", "--standardize"])
                .args(["--epochs", epochs, "--json"])
                .args(streamed)
                .output()
                .unwrap();
            assert!(out.status.success());
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            (v, String::from_utf8_lossy(&out.stderr).to_string())
        };
        let (done, stderr) = run("2000");
        assert_eq!(done["verdict"]["converged"], true, "{streamed:?}: {done}");
        assert!(done["verdict"]["digits"].as_f64().unwrap() >= 6.0);
        assert!(!stderr.contains("least-squares θ"), "{stderr}");
        let (short, stderr) = run("3");
        assert_eq!(
            short["verdict"]["converged"], false,
            "{streamed:?}: {short}"
        );
        assert!(
            stderr.contains("agrees with the least-squares θ to only"),
            "{stderr}"
        );
    }
}
