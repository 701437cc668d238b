//! `explain`, `graph` and `report` on a data file: rows with missing cells
//! are skipped under `--drop-missing`, as in `train`, and said; `explain`
//! and `graph` read only the rows a step uses, so a bad cell further down
//! the file does not stop them.

use assert_cmd::Command;
use predicates::prelude::*;

fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.env("LC_ALL", "C").env("LANG", "C");
    cmd
}

/// y = 2·x + 1 on rows 1–5 (hand-written), then `oops` on file line 7
/// (line 1 is the header).
const BAD_LINE_7: &str = "x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n6,oops\n";

/// Row 1 has an empty y; rows 2–3 are y = 2·x + 1.
const HOLE_IN_ROW_1: &str = "x,y\n1,\n2,5\n3,7\n";

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_bad_cell_after_the_rows_used_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = file(&dir, "bad7.csv", BAD_LINE_7);
    for sub in ["explain", "graph"] {
        chainrule()
            .args([sub, "--data", &data, "--formula", "line", "--rows", "1-3"])
            .args(["--mode", "vectorized"])
            .assert()
            .success();
        // The default rows (1 for sample) stop well before line 7 too.
        chainrule()
            .args([sub, "--data", &data, "--formula", "line"])
            .assert()
            .success();
        // Asking for row 6 reads line 7, and its error names the place.
        chainrule()
            .args([sub, "--data", &data, "--formula", "line", "--rows", "1-6"])
            .args(["--mode", "vectorized"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("bad7.csv:7"));
    }
}

#[test]
fn explain_and_graph_skip_missing_rows_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = file(&dir, "holes.csv", HOLE_IN_ROW_1);
    for sub in ["explain", "graph"] {
        // Without the flag: the error, and a hint naming the flag for this
        // very command.
        chainrule()
            .args([sub, "--data", &data, "--formula", "line"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("--drop-missing"))
            .stderr(predicate::str::contains(sub));
        // One row in sample mode: row 1 is skipped, row 2 kept, so two
        // rows were read and one dropped.
        chainrule()
            .args([sub, "--data", &data, "--formula", "line", "--drop-missing"])
            .assert()
            .success()
            .stderr(predicate::str::contains("skipped 1 of 2 rows read"));
    }
    // explain shows the kept row: x = 2, y = 5 (row 2 of HOLE_IN_ROW_1).
    let out = chainrule()
        .args([
            "explain",
            "--data",
            &data,
            "--formula",
            "line",
            "--drop-missing",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let value = |name: &str| {
        trace["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .map(|n| n["value"].clone())
    };
    assert_eq!(value("x"), Some(serde_json::json!([2.0])));
    assert_eq!(value("y"), Some(serde_json::json!([5.0])));
}

#[test]
fn report_skips_missing_rows_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = file(&dir, "holes.csv", HOLE_IN_ROW_1);
    let out = dir.path().join("r.html").display().to_string();
    chainrule()
        .args(["report", "--data", &data, "--out", &out, "--epochs", "2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--drop-missing"));
    // Every row of the file is read: 3 rows, 1 dropped.
    chainrule()
        .args(["report", "--data", &data, "--out", &out, "--epochs", "2"])
        .arg("--drop-missing")
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 1 of 3 rows read"));
    assert!(std::path::Path::new(&out).exists());
}
