//! Hostile and unlucky conditions that once panicked: the run ends with a
//! message and an exit code, never a backtrace.

use super::run::json_of;
use assert_cmd::cargo::cargo_bin;
use assert_cmd::Command;
use chainrule::data::{synth, write_csv, SynthModel};
use predicates::prelude::*;
use std::io::Read;
use std::process::Stdio;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

#[test]
fn grad_of_an_earlier_binding_leaves_out_the_later_ones() {
    // y = x·x at x = 2: ∂y/∂x = 2x = 4 (hand derivation); z comes after y.
    chainrule()
        .args(["grad", "-e", "x = 2; y = x * x; z = y + 1", "--of", "y"])
        .assert()
        .success()
        .stdout(predicate::str::contains("not shown: z"))
        .stdout(predicate::str::is_match(r"x\s+param\s+2\s+4").unwrap());
}

#[test]
fn a_name_longer_than_any_column_width_prints() {
    // Rust refuses format widths above 65,535; the table must not ask for one.
    let name = "a".repeat(70_000);
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("long.expr");
    std::fs::write(&program, format!("{name} = 2\ny = 3 * {name}\n")).unwrap();
    chainrule()
        .args(["grad", program.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains(name.as_str()));
}

fn big_csv(dir: &std::path::Path) -> String {
    // 200,000 rows of `x,y`: several MB of predictions, far beyond a pipe's
    // 64 KiB buffer, so the writer is still writing when the reader leaves.
    let (data, _) = synth(SynthModel::Line, 200_000, 0.1, 1).unwrap();
    let path = dir.join("big.csv");
    write_csv(&path, &data).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_csv(dir.path());
    let model = dir.path().join("m.json");
    chainrule()
        .args(["train", &data, "--formula", "line", "--epochs", "2"])
        .arg("--out")
        .arg(&model)
        .assert()
        .success();
    let mut child = std::process::Command::new(cargo_bin("chainrule"))
        .args(["predict", model.to_str().unwrap(), &data])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, as `| head -c 16` would.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_csv(dir.path());
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(cargo_bin("chainrule"))
        .args(["fit", &data, "--formula", "line"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_without_line_breaks_is_refused_not_buffered() {
    // /dev/zero never ends and has no line break: the reader stops after
    // the line limit (10,000 columns × 1 KiB by default) with a message,
    // whole or streamed, instead of filling memory.
    for extra in [&[][..], &["--chunk-rows", "100"][..]] {
        let out = chainrule()
            .args(["fit", "/dev/zero"])
            .args(extra)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("/dev/zero:1: 10240000 bytes and no line break"),
            "{stderr}"
        );
        assert!(stderr.contains("--max-columns"), "{stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn data_from_a_pipe_loses_no_bytes_to_format_sniffing() {
    // Three rows on y = 1 + 2x exactly (hand-made): through a pipe the
    // header and every row must reach the reader, so θ = [1, 2] on 3 rows.
    let csv = "x,y\n0,1\n1,3\n2,5\n";
    let out = chainrule()
        .args(["fit", "/dev/stdin", "--formula", "y ~ x", "--json"])
        .write_stdin(csv)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 3);
    let theta: Vec<f64> = v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_f64().unwrap())
        .collect();
    assert!(
        (theta[0] - 1.0).abs() < 1e-14 && (theta[1] - 2.0).abs() < 1e-14,
        "{theta:?}"
    );
}

/// A pipe of many buffers' worth of rows (here 1.3 MB): the reader must
/// see every byte, whole or with --chunk-rows (a pipe is read once, so it
/// is held in memory and says so), and give the regular file's θ bit for
/// bit. Reading it twice (once for the rows, once for their line numbers)
/// used to take bytes from the reader and cut a row in two.
#[cfg(target_os = "linux")]
#[test]
fn a_large_pipe_gives_the_files_answer_in_memory_and_chunked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plane.csv");
    let path_arg = path.display().to_string();
    chainrule()
        .args([
            "synth", "--model", "plane", "--n", "20000", "--out", &path_arg,
        ])
        .assert()
        .success();
    let text = std::fs::read(&path).unwrap();
    let theta = |out: &std::process::Output| -> (u64, Vec<String>) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let theta = v["theta"].as_array().unwrap();
        let bits = theta.iter().map(|t| t["value"].to_string()).collect();
        (v["n"].as_u64().unwrap(), bits)
    };
    let from_file = chainrule()
        .args(["fit", &path_arg, "-f", "y ~ x1 + x2", "--json"])
        .output()
        .unwrap();
    let want = theta(&from_file);
    assert_eq!(want.0, 20000);
    for extra in [&[][..], &["--chunk-rows", "1000"][..]] {
        let out = chainrule()
            .args(["fit", "/dev/stdin", "-f", "y ~ x1 + x2", "--json"])
            .args(extra)
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert_eq!(theta(&out), want, "{extra:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("can be read only once"),
            !extra.is_empty(),
            "{stderr}"
        );
    }
    // Several files stream in several passes, which a pipe cannot give.
    chainrule()
        .args(["fit", "/dev/stdin", &path_arg, "-f", "y ~ x1 + x2"])
        .write_stdin(text)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/dev/stdin: not a regular file (a pipe or a device)",
        ));
}

/// x near 1e200 and y = 1 + 3e-200·x plus a small made-up wobble: finite
/// data whose squares overflow f64.
fn huge_columns(dir: &std::path::Path) -> String {
    let mut text = String::from("x,y\n");
    for i in 0..20 {
        let x = (1.0 + i as f64 / 20.0) * 1e200;
        let wobble = ((i * 7 % 5) as f64 - 2.0) * 0.01;
        text.push_str(&format!("{x:e},{}\n", 1.0 + 3e-200 * x + wobble));
    }
    let path = dir.join("huge.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn columns_near_1e200_train_when_standardized_and_say_so_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = huge_columns(dir.path());
    // Raw: λmax overflows and 1/λmax is 0 — θ would never move, exit 0.
    chainrule()
        .args(["train", &data, "--formula", "y ~ x", "--epochs", "10"])
        .arg("--no-standardize")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "automatic learning rate came out as 0",
        ))
        .stderr(predicate::str::contains("drop --no-standardize"));
    // Standardized, in memory and streamed (the TSQR statistics): θ is the
    // closed form's to ≥ 12 digits (measured 14.6–15).
    for extra in [&[][..], &["--chunk-rows", "5"][..]] {
        let args = [
            &["train", &data, "--formula", "y ~ x", "--standardize"][..],
            &["--epochs", "2000", "--check"][..],
            extra,
        ]
        .concat();
        let v = json_of(&args);
        let digits = v["check"]["digits"].as_f64().unwrap();
        assert!(digits >= 12.0, "{extra:?}: {digits} digits");
    }
    // The closed form, in memory and from streamed statistics, agree.
    let whole = json_of(&["fit", &data, "--formula", "y ~ x"]);
    let streamed = json_of(&["fit", &data, "--formula", "y ~ x", "--chunk-rows", "5"]);
    for k in 0..2 {
        let (a, b) = (
            whole["theta"][k]["value"].as_f64().unwrap(),
            streamed["theta"][k]["value"].as_f64().unwrap(),
        );
        assert!(
            a.is_finite() && ((a - b) / a).abs() < 1e-12,
            "θ{k}: {a} vs {b}"
        );
    }
}
