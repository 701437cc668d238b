//! The DataFusion engine (feature `distributed`): θ from one aggregate
//! query per epoch over a Parquet data set split into several files equals
//! the local trainer's θ, and the QR aggregate's closed form equals the
//! in-memory referee — relative 1e-9 (partitions merge in whatever order
//! they finish, so agreement is to rounding, not to the bit).
#![cfg(feature = "distributed")]

use assert_cmd::Command;
use chainrule::data::{synth, Dataset, Design, SynthModel};
use chainrule::model::formula::Formula;
use chainrule::model::{Batch, LinearModel};
use chainrule::scale::datafusion::{train_engine, Engine};
use chainrule::solve::least_squares;
use chainrule::source::parquet::write_parquet;
use chainrule::train::{train, LearningRate, Quiet, TrainConfig};
use std::path::{Path, PathBuf};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// The rows split into `parts` Parquet files (several row groups each).
pub fn split_parquet(dir: &Path, data: &Dataset, parts: usize) -> Vec<PathBuf> {
    let n = data.n_rows();
    (0..parts)
        .map(|k| {
            let (lo, hi) = (k * n / parts, (k + 1) * n / parts);
            let part = Dataset::new(
                data.names.clone(),
                data.columns.iter().map(|c| c[lo..hi].to_vec()).collect(),
            )
            .unwrap();
            let path = dir.join(format!("part-{k}.parquet"));
            write_parquet(&path, &part, 700).unwrap();
            path
        })
        .collect()
}

/// 6000 rows of y = θ0 + θ1·x1 + θ2·x2 + noise (`synth`, seed 21).
pub fn data() -> (Dataset, Design) {
    let (data, _) = synth(SynthModel::Plane, 6000, 0.4, 21).unwrap();
    let design = Formula::parse("y ~ x1 + x2")
        .unwrap()
        .design(&data)
        .unwrap();
    (data, design)
}

#[test]
fn one_query_per_epoch_trains_like_the_local_trainer() {
    let dir = tempfile::tempdir().unwrap();
    let (data, design) = data();
    let files = split_parquet(dir.path(), &data, 3);
    let formula = Formula::parse("y ~ x1 + x2").unwrap();
    let engine = Engine::local().unwrap();
    let table = engine.table(&files, &formula).unwrap();
    let model = LinearModel::new(2, true);
    for cfg in [
        TrainConfig {
            lr: LearningRate::Auto,
            epochs: 25,
            ..TrainConfig::plain()
        },
        TrainConfig {
            lr: LearningRate::Auto,
            epochs: 25,
            standardize: true,
            ..TrainConfig::plain()
        },
    ] {
        let want = train(
            Batch::new(&design.x, &design.y, 2),
            model,
            &cfg,
            None,
            &mut Quiet,
        )
        .unwrap();
        let got = train_engine(&engine, &table, &cfg, &mut Quiet).unwrap();
        assert_eq!(got.n, 6000);
        for (a, b) in got.fit.theta.iter().zip(&want.theta) {
            assert!(rel(*a, *b) < 1e-9, "{cfg:?}: {a} vs {b}");
        }
    }
    // The closed form from the QR aggregate.
    let stats = engine.qr_stats(&table).unwrap();
    let got = stats.solve("y", &design.names, true).unwrap();
    let want = least_squares(&design).unwrap();
    for (a, b) in got.theta.iter().zip(&want.theta) {
        assert!(rel(*a, *b) < 1e-9, "closed form: {a} vs {b}");
    }
}

#[test]
fn train_engine_datafusion_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (data, design) = data();
    let files = split_parquet(dir.path(), &data, 4);
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.arg("train")
        .args(&files)
        .args(["--formula", "y ~ x1 + x2", "--engine", "datafusion"])
        .args(["--epochs", "100", "--check", "--json"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 6000);
    // The command line's defaults: standardized, lr auto, the gradient rule.
    let cfg = TrainConfig {
        epochs: 100,
        ..TrainConfig::default()
    };
    let model = LinearModel::new(2, true);
    let want = train(
        Batch::new(&design.x, &design.y, 2),
        model,
        &cfg,
        None,
        &mut Quiet,
    )
    .unwrap();
    for (t, b) in v["theta"].as_array().unwrap().iter().zip(&want.theta) {
        assert!(rel(t["value"].as_f64().unwrap(), *b) < 1e-9, "{t} vs {b}");
    }
    // --check's closed form came from the QR aggregate query.
    let exact = least_squares(&design).unwrap();
    let cf = v["check"]["closed_form_theta"].as_array().unwrap();
    for (c, b) in cf.iter().zip(&exact.theta) {
        assert!(rel(c.as_f64().unwrap(), *b) < 1e-9, "{c} vs {b}");
    }
}

#[test]
fn flags_of_a_local_read_and_bad_addresses_are_usage_errors() {
    // Nothing is contacted: each mistake is caught first (port 1 on
    // loopback has no scheduler, should anything try).
    let cases: [(&[&str], &str); 4] = [
        (
            &["--cluster", "df://127.0.0.1:1", "--chunk-rows", "5"],
            "--chunk-rows works on rows read on this machine",
        ),
        (
            &["--engine", "datafusion", "--report", "r.html"],
            "--report works on rows read on this machine",
        ),
        (&["--cluster", "127.0.0.1:50050"], "expected df://HOST:PORT"),
        (
            &["--cluster", "df://127.0.0.1:1", "--query-timeout", "0"],
            "--query-timeout must be at least 1",
        ),
    ];
    for (flags, says) in cases {
        let out = Command::cargo_bin("chainrule")
            .unwrap()
            .args(["train", "data.parquet"])
            .args(flags)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains(says), "{flags:?}: {stderr}");
    }
}
