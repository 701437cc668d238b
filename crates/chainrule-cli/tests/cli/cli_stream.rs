//! `train`/`fit --chunk-rows`, `--cache` and `convert` from the command
//! line: the streamed answers equal the in-memory ones (relative 1e-12, the
//! law in tests/stream_train.rs), and mistakes are named.

use super::run::json_of;
use assert_cmd::Command;
use chainrule::data::{synth, write_csv, SynthModel};
use serde_json::Value;
use std::path::Path;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

pub fn theta(v: &Value) -> Vec<f64> {
    v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_f64().unwrap())
        .collect()
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * y.abs(), "{a:?} vs {b:?}");
    }
}

fn data(dir: &Path) -> String {
    let path = dir.join("plane.csv");
    write_csv(&path, &synth(SynthModel::Plane, 5000, 0.3, 9).unwrap().0).unwrap();
    path.to_str().unwrap().into()
}

#[test]
fn streamed_train_and_fit_equal_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let train = ["train", &csv, "--epochs", "40"];
    let memory = json_of(&train);
    let streamed = json_of(&[&train[..], &["--chunk-rows", "777"]].concat());
    assert_eq!(streamed["streamed"], true);
    assert_eq!(streamed["rows"], 5000);
    assert_close(&theta(&streamed), &theta(&memory));
    assert!(
        (streamed["r_squared"].as_f64().unwrap() - memory["r_squared"].as_f64().unwrap()).abs()
            < 1e-12
    );

    let fit = json_of(&["fit", &csv]);
    let fit_streamed = json_of(&["fit", &csv, "--chunk-rows", "1000"]);
    assert_close(&theta(&fit_streamed), &theta(&fit));
    assert_eq!(fit_streamed["n"], 5000);
}

#[test]
fn convert_and_cache_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    let crd = dir.path().join("plane.crd");
    let crd = crd.to_str().unwrap();
    chainrule()
        .args(["convert", &csv, "--formula", "y ~ x1 + x2", "--out", crd])
        .assert()
        .success()
        .stdout(predicates::str::contains("5000 rows × 2 features"));
    let memory = json_of(&["train", &csv, "--epochs", "40"]);
    assert_close(
        &theta(&json_of(&["train", crd, "--epochs", "40"])),
        &theta(&memory),
    );
    assert_close(
        &theta(&json_of(&["fit", crd])),
        &theta(&json_of(&["fit", &csv])),
    );

    // --cache writes the cache on the first run and reads it on the next.
    let cache = dir.path().join("again.crd");
    let cache = cache.to_str().unwrap();
    let args = ["train", &csv, "--epochs", "40", "--cache", cache, "--json"];
    chainrule()
        .args(args)
        .assert()
        .success()
        .stderr(predicates::str::contains("wrote the design cache"));
    let out = chainrule().args(args).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("training from the design cache"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_close(&theta(&v), &theta(&memory));
}

#[test]
fn mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let csv = data(dir.path());
    chainrule()
        .args(["train", &csv, "--chunk-rows", "0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--chunk-rows must be at least 1"));
    let crd = dir.path().join("p.crd");
    let crd = crd.to_str().unwrap();
    chainrule()
        .args(["convert", &csv, "--out", crd])
        .assert()
        .success();
    chainrule()
        .args(["fit", crd, "--formula", "y ~ x1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "the design cache holds y ~ x1 + x2",
        ));
}
