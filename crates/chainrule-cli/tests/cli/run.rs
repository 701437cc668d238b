//! Running the built `chainrule` in a test: the one place that spawns it,
//! checks that it succeeded (printing its stderr when it did not) and
//! parses `--json`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// What `chainrule args…` printed and how it ended, success or not.
pub fn output(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("chainrule")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// stdout and stderr of `chainrule args…` run in `dir` (the test's own
/// directory when None), which must succeed.
pub fn ok_in(dir: Option<&Path>, args: &[&str]) -> (String, String) {
    let mut command = Command::cargo_bin("chainrule").unwrap();
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let out = command.args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chainrule {args:?} failed:\n{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// [`ok_in`] the test's directory.
pub fn ok(args: &[&str]) -> (String, String) {
    ok_in(None, args)
}

/// The JSON `chainrule args…` prints in `dir` (args must ask for
/// `--json`), and its stderr.
pub fn json_in(dir: Option<&Path>, args: &[&str]) -> (Value, String) {
    let (stdout, stderr) = ok_in(dir, args);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
    (value, stderr)
}

/// [`json_in`] the test's directory, without stderr.
pub fn json(args: &[&str]) -> Value {
    json_in(None, args).0
}

/// [`json`] of `args` and `--json`.
pub fn json_of(args: &[&str]) -> Value {
    json(&[args, &["--json"]].concat())
}
