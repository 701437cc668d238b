//! `fit --out` then `predict`: new rows as people have them (an id, a
//! date, empty cells, no response yet) come back aligned, as written, with
//! intervals that match statsmodels' `get_prediction`.

use super::run::output as run;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn stackloss() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../chainrule/tests/data/stackloss/stackloss.csv")
}

fn fit_model(dir: &Path) -> String {
    let model = dir.join("m.json").display().to_string();
    let data = stackloss().display().to_string();
    let args = [
        "fit",
        &data,
        "--formula",
        "STACKLOSS ~ AIRFLOW + WATERTEMP + ACIDCONC",
        "--out",
        &model,
    ];
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    model
}

/// New rows: a quoted id with a comma, a date, an empty STACKLOSS (the
/// response, unknown for new data), and a row with an empty AIRFLOW.
const NEW: &str = "id,date,AIRFLOW,WATERTEMP,ACIDCONC,STACKLOSS\n\
                   \"a,1\",2019,70,20,85.0,\n\
                   b2,2019-03-01,,18,80,\n\
                   c3,2020,55,18,80,\n";

/// A fitted model and the new rows, in a fresh directory.
fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = fit_model(dir.path());
    let new = dir.path().join("new.csv");
    std::fs::write(&new, NEW).unwrap();
    let new = new.display().to_string();
    (dir, model, new)
}

#[test]
fn rows_stay_aligned_and_as_written_with_statsmodels_intervals() {
    let (_dir, model, new) = setup();
    let out = run(&[
        "predict",
        &model,
        &new,
        "--keep",
        "id,date",
        "--interval",
        "prediction",
        "--level",
        "0.9",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,date,STACKLOSS_pred,STACKLOSS_lower,STACKLOSS_upper"
    );
    assert!(lines[1].starts_with("\"a,1\",2019,"), "{}", lines[1]);
    assert_eq!(lines[2], "b2,2019-03-01,,,");
    assert!(lines[3].starts_with("c3,2020,"), "{}", lines[3]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 of 3 rows have a missing value"),
        "{stderr}"
    );

    // statsmodels 0.15.0, OLS on the same data (tests/lib/statsmodels_ols.rs):
    // r.get_prediction(new).summary_frame(alpha=0.10) for the rows
    // (AIRFLOW, WATERTEMP, ACIDCONC) = (70, 20, 85) and (55, 18, 80):
    // mean, obs_ci_lower, obs_ci_upper, then mean_ci_lower, mean_ci_upper.
    let want = [
        [23.150447973981862, 16.680925551314846, 29.619970396648878],
        [10.585885313668712, 4.533409744192579, 16.638360883144845],
    ];
    let mean_ci = [
        [19.984922532032, 26.315973415931722],
        [8.395385036255803, 12.77638559108162],
    ];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs();
    for (line, w) in [lines[1], lines[3]].iter().zip(want) {
        let got: Vec<f64> = line
            .rsplit(',')
            .take(3)
            .map(|v| v.parse().unwrap())
            .collect();
        // rsplit gives upper, lower, pred.
        assert!(
            close(got[2], w[0]) && close(got[1], w[1]) && close(got[0], w[2]),
            "{line} vs {w:?}"
        );
    }
    let out = run(&[
        "predict",
        &model,
        &new,
        "--interval",
        "confidence",
        "--level",
        "0.9",
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["predictions"].as_array().unwrap();
    assert_eq!(
        (v["rows"].as_u64(), v["missing"].as_u64()),
        (Some(3), Some(1))
    );
    assert!(rows[1]["prediction"].is_null());
    // Every column by default, each cell as written ("85.0" stays "85.0").
    assert_eq!(rows[0]["values"]["ACIDCONC"], "85.0");
    assert_eq!(rows[0]["values"]["STACKLOSS"], "");
    for (row, ci) in [&rows[0], &rows[2]].iter().zip(mean_ci) {
        let (lo, hi) = (
            row["lower"].as_f64().unwrap(),
            row["upper"].as_f64().unwrap(),
        );
        assert!(close(lo, ci[0]) && close(hi, ci[1]), "{row}");
    }
}

#[test]
fn drop_missing_leaves_rows_out_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let model = fit_model(dir.path());
    let new = dir.path().join("new.csv");
    std::fs::write(&new, NEW).unwrap();
    let out = run(&[
        "predict",
        &model,
        &new.display().to_string(),
        "--drop-missing",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains("b2"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("are left out"));
}

#[test]
fn intervals_need_a_stored_covariance_and_old_files_still_load() {
    let (dir, model, new) = setup();
    // A model file as train wrote it before `method` and `inference`
    // existed: the same file without those two fields.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(
        v["method"],
        "least squares (Householder QR, refined in double-double)"
    );
    let object = v.as_object_mut().unwrap();
    object.remove("method");
    object.remove("inference");
    let old = dir.path().join("old.json");
    std::fs::write(&old, serde_json::to_string(&v).unwrap()).unwrap();
    let old = old.display().to_string();
    let plain = run(&["predict", &old, &new]);
    assert!(plain.status.success());
    let refused = run(&["predict", &old, &new, "--interval", "confidence"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("gradient descent") && stderr.contains("fit DATA"),
        "{stderr}"
    );
}

#[test]
fn keep_names_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let model = fit_model(dir.path());
    let new = dir.path().join("new.csv");
    std::fs::write(&new, NEW).unwrap();
    let out = run(&[
        "predict",
        &model,
        &new.display().to_string(),
        "--keep",
        "idx",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep idx"));
}
