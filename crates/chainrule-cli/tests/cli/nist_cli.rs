//! `chainrule fit` against NIST StRD's certified values, from the command
//! line: the fit reads the data again as the decimals written in the file
//! (the library's source/decimal.rs) when rounding them to f64 may cost
//! digits, so every set reaches all 15 certified digits of θ and ≥ 13 of
//! SE, σ and R² (the library test nist_decimal_data_reach_every_certified_digit
//! holds the solver to the same with the lows computed by hand). Data and
//! certified values: crates/chainrule/tests/data/nist (README.md there).
//!
//! Before the decimal refit, the same command gave Filip 7.6 digits of θ
//! (and Norris, Pontius, Wampler2 13–14).

use super::run::json_in;
use chainrule::numeric::lre_certified;
use serde_json::Value;
use std::path::PathBuf;

fn nist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chainrule/tests/data/nist")
}

/// (dataset, formula): polynomials as raw powers, as NIST writes them.
const SETS: [(&str, &str); 11] = [
    ("Norris", "y ~ x"),
    ("Pontius", "y ~ x + I(x^2)"),
    ("NoInt1", "y ~ x - 1"),
    ("NoInt2", "y ~ x - 1"),
    ("Filip", "y ~ poly(x, 10, raw = TRUE)"),
    ("Longley", "y ~ ."),
    ("Wampler1", "y ~ x + I(x^2) + I(x^3) + I(x^4) + I(x^5)"),
    ("Wampler2", "y ~ poly(x, 5, raw = TRUE)"),
    ("Wampler3", "y ~ poly(x, 5, raw = TRUE)"),
    ("Wampler4", "y ~ poly(x, 5, raw = TRUE)"),
    ("Wampler5", "y ~ poly(x, 5, raw = TRUE)"),
];

fn fit_json(name: &str, formula: &str) -> Value {
    let file = format!("{name}.csv");
    json_in(Some(&nist()), &["fit", &file, "-f", formula, "--json"]).0
}

/// max |y| over the file's rows (y is its first column in every set).
fn max_abs_y(name: &str) -> f64 {
    let text = std::fs::read_to_string(nist().join(format!("{name}.csv"))).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .next()
                .unwrap()
                .trim()
                .parse::<f64>()
                .unwrap()
                .abs()
        })
        .fold(0.0, f64::max)
}

/// NIST's text for a certified number (all are strings in certified.json).
fn text(v: &Value) -> &str {
    v.as_str().expect("certified values are strings")
}

#[test]
fn fit_reaches_every_certified_nist_digit() {
    let certified: Value =
        serde_json::from_str(&std::fs::read_to_string(nist().join("certified.json")).unwrap())
            .unwrap();
    let mut failures = Vec::new();
    eprintln!("chainrule fit vs NIST (LRE, 15 = every certified digit): θ SE σ R²");
    for (name, formula) in SETS {
        let v = fit_json(name, formula);
        let cert = &certified[name];
        // Filip's κ ≈ 2.5e7 (scaled columns; 1e15 raw): the decimal refit
        // is what takes it from 7.6 digits to 15.
        if name == "Filip" {
            assert_eq!(v["decimal_refined"], true, "{name}: an ill-conditioned fit");
        }
        // B0, B1, … in θ order (B1 first without an intercept).
        let mut params: Vec<(usize, &Value)> = cert["parameters"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(b, p)| (b[1..].parse().unwrap(), p))
            .collect();
        params.sort_by_key(|(k, _)| *k);
        let (mut theta, mut se) = (15.0f64, 15.0f64);
        for (k, (_, p)) in params.iter().enumerate() {
            let got = &v["theta"][k];
            theta = theta.min(lre_certified(
                got["value"].as_f64().unwrap(),
                text(&p["estimate"]),
            ));
            // Wampler1/2 fit exactly: SE = 0 certified, judged by σ below.
            if text(&p["std_dev"]).parse::<f64>().unwrap() != 0.0 {
                let e = got["std_error"].as_f64().unwrap();
                se = se.min(lre_certified(e, text(&p["std_dev"])));
            }
        }
        let sd_text = text(&cert["residual_std_dev"]);
        let sd = match sd_text.parse::<f64>().unwrap() {
            // The decimal data fit exactly (Wampler1/2); what is left is
            // θ's own rounding to f64 (0.1 is not an f64), residuals of
            // about ε·|y|: σ̂ must be below ε·max|y| (measured 0.11 of it).
            0.0 if v["residual_sd"].as_f64().unwrap() < f64::EPSILON * max_abs_y(name) => 15.0,
            0.0 => 0.0,
            _ => lre_certified(v["residual_sd"].as_f64().unwrap(), sd_text),
        };
        let r2 = lre_certified(v["r_squared"].as_f64().unwrap(), text(&cert["r_squared"]));
        eprintln!("{name:<9} {theta:>5.2} {se:>5.2} {sd:>5.2} {r2:>5.2}");
        for (what, got, min) in [
            ("θ", theta, 15.0),
            ("SE", se, 13.0),
            ("σ", sd, 13.0),
            ("R²", r2, 13.0),
        ] {
            if got < min {
                failures.push(format!("{name} {what}: {got:.2} < {min}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Filip with two rows the reader drops (`--na drop`: an empty y, an `NA`
/// x) put in the middle: the decimal refit must line its cells up with
/// the rows the fit kept, and reaches every certified digit of θ still.
/// A feature with no exact value (`log(x)`, x > 0 here after a shift
/// nothing else shares) is carried in f64 and named.
#[test]
fn the_decimal_refit_follows_dropped_rows_and_names_f64_features() {
    let filip = std::fs::read_to_string(nist().join("Filip.csv")).unwrap();
    let mut lines: Vec<&str> = filip.lines().collect();
    lines.insert(40, ",-6.5");
    lines.insert(20, "0.8,NA");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filip_gaps.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let run = |formula: &str| -> (Value, String) {
        let path = path.to_str().unwrap();
        json_in(
            None,
            &["fit", path, "-f", formula, "--json", "--na", "drop"],
        )
    };

    let (v, _) = run("y ~ poly(x, 10, raw = TRUE)");
    assert_eq!(
        (v["n"].as_u64(), &v["decimal_refined"]),
        (Some(82), &Value::Bool(true))
    );
    let certified: Value =
        serde_json::from_str(&std::fs::read_to_string(nist().join("certified.json")).unwrap())
            .unwrap();
    for k in 0..=10 {
        let want = text(&certified["Filip"]["parameters"][format!("B{k}")]["estimate"]);
        let digits = lre_certified(v["theta"][k]["value"].as_f64().unwrap(), want);
        assert!(digits >= 15.0, "B{k}: {digits:.2}");
    }
    // Filip's x is negative (−3 … −9): abs(x) has no exact value to carry.
    let (v, stderr) = run("y ~ poly(x, 3, raw = TRUE) + abs(x)");
    assert_eq!(v["decimal_refined"], true);
    assert_eq!(v["f64_only_features"], serde_json::json!(["abs(x)"]));
    assert!(stderr.contains("abs(x) carried in f64 only"), "{stderr}");
}

/// Streamed (`--chunk-rows 7`), the refinement against the rows continues
/// towards the data as written (source/decimal.rs `fit_stream_decimal`):
/// Wampler2 goes from 13.2 certified digits of θ (the f64 data's answer)
/// to all 15. On Filip the streamed refinement (semi-normal equations
/// through R) cannot move θ, and the fit says so rather than claim it.
#[test]
fn the_streamed_fit_carries_the_decimal_data_where_its_refinement_reaches() {
    let certified: Value =
        serde_json::from_str(&std::fs::read_to_string(nist().join("certified.json")).unwrap())
            .unwrap();
    let run = |name: &str, formula: &str| -> (Value, String) {
        let file = format!("{name}.csv");
        let args = ["fit", &file, "-f", formula, "--json", "--chunk-rows", "7"];
        json_in(Some(&nist()), &args)
    };

    let (v, _) = run("Wampler2", "y ~ poly(x, 5, raw = TRUE)");
    assert_eq!(v["decimal_refined"], true);
    for k in 0..=5 {
        let want = text(&certified["Wampler2"]["parameters"][format!("B{k}")]["estimate"]);
        let digits = lre_certified(v["theta"][k]["value"].as_f64().unwrap(), want);
        assert!(digits >= 15.0, "Wampler2 B{k}: {digits:.2}");
    }
    let (v, stderr) = run("Filip", "y ~ poly(x, 10, raw = TRUE)");
    assert_eq!(v["decimal_refined"], false);
    assert!(stderr.contains("could not move θ towards them"), "{stderr}");
}
