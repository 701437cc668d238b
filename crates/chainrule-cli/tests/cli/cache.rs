//! The design cache (`--cache`, `convert`): reused only for the very files
//! and formula it was made from, never written over an input, and a cache
//! changed under a running reader is an error, not a crash.

use assert_cmd::cargo::cargo_bin;
use assert_cmd::Command;
use chainrule::data::{synth, write_csv, SynthModel};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

fn theta(args: &[&str]) -> (Vec<f64>, String) {
    let out = chainrule().args(args).arg("--json").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    (t, stderr)
}

fn plane(path: &Path, seed: u64, n: usize) {
    let (data, _) = synth(SynthModel::Plane, n, 0.1, seed).unwrap();
    write_csv(path, &data).unwrap();
}

#[test]
fn a_cache_is_reused_only_for_the_files_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, cache) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("c.crd"),
    );
    plane(&a, 1, 500);
    plane(&b, 2, 500);
    let (a, b, cache) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        cache.to_str().unwrap(),
    );
    let fit = ["--formula", "y ~ x1 + x2", "--epochs", "50"];
    let (from_a, _) = theta(&[&["train", a, "--cache", cache][..], &fit].concat());
    let (again, note) = theta(&[&["train", a, "--cache", cache][..], &fit].concat());
    assert_eq!(again, from_a);
    assert!(note.contains("training from the design cache"), "{note}");
    // Another file through the same cache path: it was trained on a.csv's
    // rows before; now the cache is rebuilt and θ is b.csv's (= in memory).
    let (from_b, note) = theta(&[&["train", b, "--cache", cache][..], &fit].concat());
    let (b_in_memory, _) = theta(&[&["train", b][..], &fit].concat());
    assert!(note.contains("wrote the design cache"), "{note}");
    assert_eq!(from_b.len(), b_in_memory.len());
    for (s, m) in from_b.iter().zip(&b_in_memory) {
        // Full batch: streamed = in memory to rounding (tests/lib/stream_train.rs).
        assert!(
            (s - m).abs() <= 1e-12 * m.abs().max(1.0),
            "{from_b:?} vs {b_in_memory:?}"
        );
    }
}

#[test]
fn an_edit_that_keeps_size_and_time_still_rebuilds_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (a, cache) = (dir.path().join("a.csv"), dir.path().join("c.crd"));
    plane(&a, 1, 300);
    let fit = ["--formula", "y ~ x1 + x2", "--epochs", "20"];
    let (a_s, cache_s) = (a.to_str().unwrap(), cache.to_str().unwrap());
    theta(&[&["train", a_s, "--cache", cache_s][..], &fit].concat());
    // Swap two digits in the last line, keep the byte count, and put the
    // modification time back: only the content sample can tell.
    let when = std::fs::metadata(&a).unwrap().modified().unwrap();
    let mut text = std::fs::read_to_string(&a).unwrap();
    let last = text.trim_end().rfind('\n').unwrap() + 1;
    let digit = text[last..]
        .find(|c: char| c.is_ascii_digit() && c != '9')
        .unwrap()
        + last;
    let bumped = (text.as_bytes()[digit] + 1) as char;
    text.replace_range(digit..digit + 1, &bumped.to_string());
    std::fs::write(&a, &text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let (_, note) = theta(&[&["train", a_s, "--cache", cache_s][..], &fit].concat());
    assert!(note.contains("wrote the design cache"), "{note}");
}

#[test]
fn a_cache_or_convert_output_that_names_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    plane(&a, 1, 100);
    let before = std::fs::read(&a).unwrap();
    let a_s = a.to_str().unwrap();
    for args in [
        vec!["train", a_s, "--formula", "y ~ x1 + x2", "--cache", a_s],
        vec!["convert", a_s, "--formula", "y ~ x1 + x2", "--out", a_s],
    ] {
        let out = chainrule().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("would overwrite an input"), "{stderr}");
        assert_eq!(std::fs::read(&a).unwrap(), before, "the input is intact");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_cache_truncated_under_a_running_train_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, crd) = (dir.path().join("d.csv"), dir.path().join("d.crd"));
    plane(&csv, 3, 200_000);
    chainrule()
        .args([
            "convert",
            csv.to_str().unwrap(),
            "--formula",
            "y ~ x1 + x2",
            "--out",
        ])
        .arg(&crd)
        .assert()
        .success();
    let mut child = std::process::Command::new(cargo_bin("chainrule"))
        .args([
            "train",
            crd.to_str().unwrap(),
            "--epochs",
            "100000000",
            "--tol",
            "0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the map and the first pass take well under a second here.
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::File::options()
        .write(true)
        .open(&crd)
        .unwrap()
        .set_len(4096)
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("train kept running on a truncated cache");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("changed while it was being read"),
        "{stderr}"
    );
}
