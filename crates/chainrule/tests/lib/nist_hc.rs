//! Robust (sandwich) standard errors HC0–HC3 on NIST StRD's data, against
//! the exact answer for the f64 data (tests/data/nist/exact_hc.json,
//! mpmath at 100 digits by exact_hc.py there). The sandwich
//! (AᵀA)⁻¹AᵀΩA(AᵀA)⁻¹ is refined like the classical covariance
//! (solve/covariance.rs), so it is held to the classical standard errors'
//! 13 digits (tests/lib/nist_fit.rs) on every set, Filip included.

use std::path::PathBuf;

use chainrule::data::{read_csv, ReadOptions};
use chainrule::model::formula::Formula;
use chainrule::numeric::lre;
use chainrule::solve::{least_squares_with, CovType, DesignRows, FitOptions};
use serde_json::Value;

fn nist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/nist")
}

/// The sets exact_hc.py computes, with the formulas of exact_f64.py's designs.
const SETS: [(&str, &str); 9] = [
    ("Norris", "y ~ x"),
    ("Pontius", "y ~ poly(x, 2, raw = TRUE)"),
    ("NoInt1", "y ~ x - 1"),
    ("NoInt2", "y ~ x - 1"),
    ("Filip", "y ~ poly(x, 10, raw = TRUE)"),
    ("Longley", "y ~ ."),
    ("Wampler3", "y ~ poly(x, 5, raw = TRUE)"),
    ("Wampler4", "y ~ poly(x, 5, raw = TRUE)"),
    ("Wampler5", "y ~ poly(x, 5, raw = TRUE)"),
];

#[test]
fn robust_standard_errors_to_the_last_digits() {
    let text = std::fs::read_to_string(nist_dir().join("exact_hc.json")).unwrap();
    let exact: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    eprintln!("HC standard errors vs exact (worst LRE over θ): HC0 HC1 HC2 HC3");
    for (name, formula) in SETS {
        let path = nist_dir().join(format!("{name}.csv"));
        let (data, _) = read_csv(&path, &ReadOptions::default()).unwrap();
        let design = Formula::parse(formula).unwrap().design(&data).unwrap();
        let mut line = format!("{name:<9}");
        for cov in [CovType::HC0, CovType::HC1, CovType::HC2, CovType::HC3] {
            let options = FitOptions {
                cov,
                ..FitOptions::default()
            };
            let s = least_squares_with(DesignRows::of(&design), &options).unwrap();
            let want = exact[name][cov.as_str()].as_array().unwrap();
            let digits = s
                .std_errors
                .iter()
                .zip(want)
                .map(|(got, e)| lre(*got, e.as_f64().unwrap()))
                .fold(15.0, f64::min);
            line += &format!(" {digits:>5.2}");
            if digits < 13.0 {
                failures.push(format!("{name} {}: {digits:.2} < 13", cov.as_str()));
            }
        }
        eprintln!("{line}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
