//! Running the built `chainrule` in a test: the one place that spawns it,
//! checks that it succeeded (printing its stderr when it did not) and
//! parses `--json`.

use assert_cmd::Command;
use serde_json::Value;

/// stdout and stderr of `chainrule args…`, which must succeed.
pub fn ok(args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("chainrule")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chainrule {args:?} failed:\n{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// The JSON `chainrule args…` prints (args must ask for `--json`).
pub fn json(args: &[&str]) -> Value {
    let (stdout, _) = ok(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
}
