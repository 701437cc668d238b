//! R/patsy formulas end to end: `fit` with an interaction, a categorical
//! column and a function, on a file with an id column and empty cells,
//! against statsmodels; then `predict` on new rows whose response is
//! empty, and a transformed response predicted on its own scale.
//!
//! The data are made up for these tests. Every reference number below was
//! printed by statsmodels 0.15.0 (pandas 3.1.1, Python 3.11) with the
//! exact call written next to it, `d.csv` being [`DATA`] and `new.csv`
//! being [`NEW`] (pandas drops rows with a NaN, as `--na drop` does).

use super::run::output as run;
use serde_json::Value;
use std::path::Path;

/// 12 rows: an id, the response y (empty on r4), three numbers (x3
/// empty on r7) and a text column region.
const DATA: &str = "id,y,x1,x2,x3,region\n\
                    r1,3.1,1,2,1.5,North\n\
                    r2,4.9,2,1,2.0,South\n\
                    r3,7.2,3,5,0.5,East\n\
                    r4,,4,3,3.0,North\n\
                    r5,9.8,5,4,2.5,South\n\
                    r6,13.1,6,7,1.0,East\n\
                    r7,11.0,7,2,,North\n\
                    r8,17.5,8,6,4.0,South\n\
                    r9,18.2,9,3,3.5,East\n\
                    r10,21.9,10,8,0.8,North\n\
                    r11,20.1,11,1,2.2,South\n\
                    r12,26.4,12,9,1.7,East\n";

/// New rows: no response yet, and x2 empty on n2.
const NEW: &str = "id,y,x1,x2,x3,region\n\
                   n1,,2.5,3,1.2,South\n\
                   n2,,4,,2.0,North\n\
                   n3,,7,6,0.9,East\n";

const FORMULA: &str = "y ~ x1 * x2 + C(region) + log(x3)";

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn close(got: f64, want: f64, what: &str) {
    // statsmodels solves by pinv, chainrule by QR: they agree to ~1e-13
    // here (κ ≈ 275); 1e-9 relative leaves room and still catches any
    // wrong column.
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} vs statsmodels {want}"
    );
}

#[test]
fn fit_matches_statsmodels_with_interaction_category_and_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", DATA);
    let out = run(&["fit", &data, "-f", FORMULA, "--json", "--na", "drop"]);
    let json: Value = serde_json::from_str(&ok(&out)).unwrap();
    // R's order: main effects as written, then the interaction.
    assert_eq!(json["formula"], "y ~ x1 + x2 + x1:x2 + C(region) + log(x3)");
    assert_eq!(json["n"], 10, "r4 (no y) and r7 (no x3) are dropped");
    // res = smf.ols("y ~ x1 * x2 + C(region) + log(x3)", data=pd.read_csv("d.csv")).fit()
    // (with `from numpy import log`); res.params[k], res.bse[k]:
    let want = [
        ("θ0 (intercept)", 1.461348978443974, 0.972888409873336), // 'Intercept'
        ("θ1 (x1)", 1.677316896333278, 0.09857896391156042),
        ("θ2 (x2)", -0.02825679573478812, 0.2355810673989459),
        (
            "θ3 (C(region)North)",
            -0.022410806717644505,
            0.5932975336723447,
        ), // C(region)[T.North]
        (
            "θ4 (C(region)South)",
            -0.3906716357755866,
            0.557988682759372,
        ), // C(region)[T.South]
        ("θ5 (log(x3))", 0.233109824802753, 0.4577056160962577),
        ("θ6 (x1:x2)", 0.047703717171546256, 0.022944290940652166),
    ];
    let theta = json["theta"].as_array().unwrap();
    assert_eq!(theta.len(), want.len());
    for (t, (name, value, se)) in theta.iter().zip(want) {
        assert_eq!(t["name"], name);
        close(t["value"].as_f64().unwrap(), value, name);
        close(t["std_error"].as_f64().unwrap(), se, name);
    }
    // res.rsquared, res.scale
    close(
        json["r_squared"].as_f64().unwrap(),
        0.9979052339571258,
        "R²",
    );
    close(json["scale"].as_f64().unwrap(), 0.38340921835934894, "σ²");
}

#[test]
fn predict_new_rows_without_the_response() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", DATA);
    let new = write(dir.path(), "new.csv", NEW);
    let model = dir.path().join("m.json").display().to_string();
    let args = ["fit", &data, "-f", FORMULA, "--na", "drop", "--out", &model];
    ok(&run(&args));
    let args = [
        "predict",
        &model,
        &new,
        "--interval",
        "prediction",
        "--keep",
        "id",
    ];
    let out = run(&args);
    let text = ok(&out);
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines[0], ["id", "y_pred", "y_lower", "y_upper"]);
    // n2 lacks x2: its row stays, empty, in place.
    assert_eq!(lines[2], ["n2", "", "", ""]);
    // sf = res.get_prediction(new.dropna(subset=["x1", "x2", "x3", "region"]))
    //        .summary_frame(alpha=0.05)
    // sf["mean"], sf["obs_ci_lower"], sf["obs_ci_upper"] for n1 and n3:
    let want = [
        (
            "n1",
            [5.579478021245819, 3.1183078901106476, 8.04064815238099],
        ),
        (
            "n3",
            [15.012022028227012, 12.751290609632338, 17.272753446821685],
        ),
    ];
    for (line, (id, figures)) in [&lines[1], &lines[3]].into_iter().zip(want) {
        assert_eq!(line[0], id);
        for (cell, want) in line[1..].iter().zip(figures) {
            close(cell.parse().unwrap(), want, id);
        }
    }
    assert_eq!(lines.len(), 4);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 of 3 rows"), "{stderr}");
}

#[test]
fn a_transformed_response_is_predicted_on_its_scale_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", DATA);
    // The response column is absent from the new rows altogether.
    let new = write(
        dir.path(),
        "new.csv",
        "id,x1,region\nn1,2.5,South\nn2,4,North\nn3,7,East\n",
    );
    let model = dir.path().join("m.json").display().to_string();
    let formula = "log(y) ~ x1 + region";
    ok(&run(&[
        "fit", &data, "-f", formula, "--na", "drop", "--out", &model,
    ]));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(file["response"], "log(y)");
    let out = run(&["predict", &model, &new, "--keep", "id", "--json"]);
    let json: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json["response"], "log(y)");
    // res = smf.ols("log(y) ~ x1 + region", data=pd.read_csv("d.csv")).fit()
    // res.get_prediction(pd.read_csv("new.csv")).summary_frame(alpha=0.05)["mean"]
    // (d.csv drops r4, which has no y: 11 rows)
    let want = [1.7473246557975117, 1.8621063824209505, 2.594580975628613];
    for (p, want) in json["predictions"].as_array().unwrap().iter().zip(want) {
        close(p["prediction"].as_f64().unwrap(), want, "log(y)");
    }
    // Said on stderr, since y itself is not what comes out.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("log(y)"), "{stderr}");
    let csv = ok(&run(&["predict", &model, &new, "--keep", "id"]));
    assert!(csv.starts_with("id,log(y)_pred\n"), "{csv}");
}

#[test]
fn orthogonal_poly_is_stored_and_predicts_as_the_raw_powers_do() {
    // poly(x1, 2) and poly(x1, 2, raw = TRUE) span the same columns with
    // the intercept (1, x, x²), so their least-squares predictions agree
    // to rounding: the orthogonal one must reuse the fitted basis on new
    // rows to do so (a basis refitted to the 2 new rows would not).
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "d.csv", DATA);
    let new = write(dir.path(), "new.csv", "x1\n2.5\n13\n");
    let mut predictions = Vec::new();
    for (name, formula) in [
        ("o.json", "y ~ poly(x1, 2)"),
        ("r.json", "y ~ poly(x1, 2, raw = TRUE)"),
    ] {
        let model = dir.path().join(name).display().to_string();
        ok(&run(&[
            "fit", &data, "-f", formula, "--na", "drop", "--out", &model,
        ]));
        let out = ok(&run(&["predict", &model, &new, "--json"]));
        let json: Value = serde_json::from_str(&out).unwrap();
        let p: Vec<f64> = json["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["prediction"].as_f64().unwrap())
            .collect();
        predictions.push(p);
    }
    for (o, r) in predictions[0].iter().zip(&predictions[1]) {
        close(*o, *r, "poly(x1, 2) vs raw");
    }
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("o.json")).unwrap()).unwrap();
    assert_eq!(file["features"][1], "poly(x1, 2)2");
    // α and ‖p‖² of R's coefs: 2 alphas, 4 norms (1, n, ‖p1‖², ‖p2‖²),
    // n = 11 rows kept (r4 has no y).
    assert_eq!(
        file["poly"]["poly(x1, 2)"]["alpha"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(file["poly"]["poly(x1, 2)"]["norm2"][1], 11.0);
    // Streamed, the basis cannot be fitted before the first chunk: refused.
    let out = run(&[
        "fit",
        &data,
        "-f",
        "y ~ poly(x1, 2)",
        "--na",
        "drop",
        "--chunk-rows",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("raw = TRUE"), "{stderr}");
}
