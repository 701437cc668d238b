//! The command line as a user meets it: outputs, exit codes (0 ok, 1 bad
//! input, 2 bad command line), messages that name the place at fault, and
//! files that are whole or absent.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

/// The binary, run from the repository root (the tests name `examples/…`).
fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn demo_runs_the_nine_lessons() {
    chainrule()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("nine lessons"))
        .stdout(predicate::str::contains("plane · vectorized"));
    let lessons = json(chainrule().args(["demo", "--json"]));
    let lessons = lessons.as_array().unwrap();
    assert_eq!(lessons.len(), 9);
    for l in lessons {
        let what = format!("{} {}", l["preset"], l["mode"]);
        // The three modes are the same arithmetic in another order.
        assert!(
            l["modes_max_difference"].as_f64().unwrap() < 1e-12,
            "{what}"
        );
        // The built-in data have noise SD ≤ 0.3 (src/data/builtin.rs), so
        // every trained θ lies within 0.5 of the θ they were drawn from.
        let theta = l["theta"].as_array().unwrap();
        let truth = l["true_theta"].as_array().unwrap();
        for (t, u) in theta.iter().zip(truth) {
            assert!(
                (t.as_f64().unwrap() - u.as_f64().unwrap()).abs() < 0.5,
                "{what}"
            );
        }
        // Full-batch descent converges to the least-squares answer itself.
        if l["mode"] == "vectorized" {
            assert!(
                l["digits_vs_closed_form"].as_f64().unwrap() >= 9.0,
                "{what}"
            );
        }
    }
}

#[test]
fn grad_differentiates_the_one_sample_program() {
    // examples/one_sample.expr: θ = 0.5, x = 2, y = 3 ⇒ L = 4, ∂L/∂θ = −8.
    let trace = json(chainrule().args(["grad", "examples/one_sample.expr", "--json"]));
    let nodes = trace["nodes"].as_array().unwrap();
    let find = |name: &str| nodes.iter().rev().find(|n| n["name"] == name).unwrap();
    assert_eq!(find("L")["value"][0], 4.0);
    assert_eq!(find("θ")["grad"][0], -8.0);
    chainrule()
        .args(["grad", "examples/one_sample.expr", "--trace"])
        .assert()
        .success()
        .stdout(predicate::str::contains("chain rule"));
    // -e and stdin carry programs too: y = x² at 3 ⇒ dy/dx = 6.
    chainrule()
        .args(["grad", "-e", "x = 3; y = x * x"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"x\s+param\s+3\s+6").unwrap());
    chainrule()
        .arg("grad")
        .write_stdin("a = 2\nb = a^3\n")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"a\s+param\s+2\s+12").unwrap()); // 3a² = 12
}

#[test]
fn grad_errors_point_at_the_spot() {
    chainrule()
        .args(["grad", "-e", "x = 2\nz = thetaa * x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("-e:2:5"))
        .stderr(predicate::str::contains("^"));
    chainrule()
        .args(["grad", "-e", "M = [[1,2],[3,4],[5,6]]; v = [1,2,3]; M @ v"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("matrix[3×2]"));
    chainrule()
        .args(["grad", "no/such/file.expr"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/file.expr"));
}

#[test]
fn train_fit_predict_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("plane.csv");
    chainrule()
        .args([
            "synth", "--model", "plane", "--n", "200", "--noise", "0.1", "--seed", "1", "--out",
        ])
        .arg(&data)
        .assert()
        .success();
    let model = dir.path().join("model.json");
    let out = json(
        chainrule()
            .arg("train")
            .arg(&data)
            .args([
                "--formula",
                "y ~ x1 + x2",
                "--check",
                "--json",
                "--epochs",
                "5000",
                "--out",
            ])
            .arg(&model),
    );
    // Full-batch descent at lr auto converges to the closed form.
    assert!(out["check"]["digits"].as_f64().unwrap() >= 9.0, "{out}");
    // synth's plane is y = 1 + 2·x1 − 3·x2 + N(0, 0.1²) (src/data/synth.rs):
    // with 200 rows θ lies well within 0.1 of it.
    for (t, truth) in out["theta"]
        .as_array()
        .unwrap()
        .iter()
        .zip([1.0, 2.0, -3.0])
    {
        assert!((t["value"].as_f64().unwrap() - truth).abs() < 0.1, "{out}");
    }
    let fit = json(
        chainrule()
            .arg("fit")
            .arg(&data)
            .args(["-f", "y ~ x1 + x2", "--json"]),
    );
    let predicted = chainrule()
        .arg("predict")
        .arg(&model)
        .arg(&data)
        .output()
        .unwrap();
    assert!(predicted.status.success());
    let text = String::from_utf8(predicted.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "x1,x2,y,y_pred");
    let theta: Vec<f64> = fit["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_f64().unwrap())
        .collect();
    for line in lines.take(5) {
        let v: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        // y_pred = θ0 + θ1·x1 + θ2·x2 with θ from the closed form (to 1e-9).
        let expect = theta[0] + theta[1] * v[0] + theta[2] * v[1];
        assert!(
            (v[3] - expect).abs() < 1e-8 * expect.abs().max(1.0),
            "{line}"
        );
    }
}

#[test]
fn synth_is_reproducible() {
    let run = |seed: &str| {
        chainrule()
            .args(["synth", "--n", "20", "--seed", seed])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("5"), run("5"));
    assert_ne!(run("5"), run("6"));
}

#[test]
fn bad_data_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.csv", "x,y\n1,2\n2,abc\n");
    chainrule()
        .args(["train", &bad])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.csv:3"))
        .stderr(predicate::str::contains("\"y\""));
    let ok = write(dir.path(), "ok.csv", "x,y\n1,2\n2,4\n");
    chainrule()
        .args(["train", &ok, "--formula", "y ~ z"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"z\""));
    chainrule()
        .args(["train", "missing.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.csv"));
    let holes = write(dir.path(), "holes.csv", "x,y\n1,2\n2,\n3,6\n");
    chainrule()
        .args(["train", &holes])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--drop-missing"));
    for (name, text, expect) in [
        ("empty.csv", "", "empty.csv"),
        ("ragged.csv", "x,y\n1,2\n2,4,5\n", "ragged.csv:3"),
        ("nan.csv", "x,y\n1,NaN\n2,4\n", "nan.csv:2"),
        ("inf.csv", "x,y\n1,2\ninf,4\n", "inf.csv:3"),
    ] {
        let path = write(dir.path(), name, text);
        chainrule()
            .args(["train", &path])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(expect));
    }
    chainrule()
        .args(["train", &holes, "--drop-missing"])
        .assert()
        .success()
        .stderr(predicate::str::contains("dropped 1 of 3 rows"));
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.csv", "x,y\n1,2\n2,4\n");
    chainrule()
        .args(["train", &ok, "--lr", "fast"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--lr fast"));
    chainrule()
        .args(["train", &ok, "--mode", "bogus"])
        .assert()
        .code(2);
    chainrule()
        .args(["train", &ok, "--mode", "sample", "--batch-size", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--mode sample"));
    chainrule()
        .args(["train", &ok, "--formula", "y ~ x +"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--formula"));
    chainrule().arg("frobnicate").assert().code(2);
}

#[test]
fn a_failed_run_leaves_the_old_model_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", "x,y\n1,2\n2,4.1\n3,5.9\n");
    let model = dir.path().join("model.json");
    chainrule()
        .args(["train", &data, "--out"])
        .arg(&model)
        .assert()
        .success();
    let before = std::fs::read(&model).unwrap();
    // lr 100 diverges (the stable bound here is 2/λmax ≈ 0.2).
    chainrule()
        .args(["train", &data, "--lr", "100", "--out"])
        .arg(&model)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("learning rate 100"));
    assert_eq!(std::fs::read(&model).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    // A damaged model file is refused with its name.
    std::fs::write(&model, "{\"format\": \"other\"}").unwrap();
    chainrule()
        .arg("predict")
        .arg(&model)
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("model.json"));
}
