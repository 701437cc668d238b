//! `train --json`'s `inference`: fit's statistics evaluated at the trained
//! θ (solve::least_squares_at in memory, QrStats::solve_at streamed). For
//! a converged run θ agrees with the least-squares θ̂ to d ≥ 9 digits, and
//! every figure, a smooth function of θ (RSS is even flat at θ̂), agrees
//! with `fit --json`'s to about d digits too.

use super::run::json_of;
use chainrule::numeric::lre;
use serde_json::Value;
use std::path::PathBuf;

/// The house table (tests/data/houses, README there): 200 rows, converges
/// by default (tests/cli/correct.rs).
fn houses() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chainrule/tests/data/houses");
    dir.join("houses.csv").to_str().unwrap().into()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

#[test]
fn train_reports_fits_statistics_at_its_theta() {
    let data = houses();
    let formula = "price ~ sqft + year";
    let fit = json_of(&["fit", &data, "-f", formula]);
    for extra in [&[][..], &["--chunk-rows", "7"][..]] {
        let mut args = vec!["train", &data, "-f", formula];
        args.extend_from_slice(extra);
        let train = json_of(&args);
        let digits = f(&train["verdict"]["digits"]);
        assert!(
            digits >= 9.0,
            "{extra:?}: a converged run ({digits:.1} digits)"
        );
        let inf = &train["inference"];
        // The θ it describes is the trained θ, not the closed form's.
        for (a, b) in inf["theta"]
            .as_array()
            .unwrap()
            .iter()
            .zip(train["theta"].as_array().unwrap())
        {
            assert_eq!(a["value"], b["value"]);
        }
        let mut worst = 15.0f64;
        let mut agree = |what: String, a: &Value, b: &Value, slack: f64| {
            let d = lre(f(a), f(b)) + slack;
            assert!(
                d >= 9.0 && d >= digits - 1.0,
                "{extra:?} {what}: {} vs {} ({d:.1} digits)",
                a,
                b
            );
            worst = worst.min(d);
        };
        for (k, (t, c)) in inf["theta"]
            .as_array()
            .unwrap()
            .iter()
            .zip(fit["theta"].as_array().unwrap())
            .enumerate()
        {
            for key in ["value", "std_error", "t", "conf_low", "conf_high"] {
                agree(format!("θ{k} {key}"), &t[key], &c[key], 0.0);
            }
            // p ≈ c·|t|^−df_resid in the tail: its relative error is
            // df_resid times t's (197 here, so 2.3 digits fewer).
            agree(
                format!("θ{k} p_value"),
                &t["p_value"],
                &c["p_value"],
                197f64.log10(),
            );
        }
        for key in [
            "j",
            "rmse",
            "r_squared",
            "adj_r_squared",
            "residual_sd",
            "rss",
            "tss",
            "f_statistic",
            "log_likelihood",
            "aic",
            "bic",
            "condition_number",
            "scaled_condition_number",
        ] {
            agree(key.into(), &inf[key], &fit[key], 0.0);
        }
        for key in [
            "n", "p", "rank", "df_model", "df_resid", "cov_type", "use_t", "level",
        ] {
            assert_eq!(inf[key], fit[key], "{key}");
        }
        eprintln!("train {extra:?}: θ {digits:.1} digits; every statistic ≥ {worst:.1}");
    }
}
