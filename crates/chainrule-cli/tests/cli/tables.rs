//! The tables a person reads: `fit` prints what R's `summary(lm())` and
//! statsmodels print, `train` prints θ beside the closed form; numbers with
//! 7 significant digits unless `--digits` asks for more; plurals in words.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

/// NIST StRD files (with their source note), shared with the library's tests.
fn nist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chainrule/tests/data/nist")
}

fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.current_dir(nist());
    cmd
}

fn stdout(args: &[&str]) -> String {
    let out = chainrule().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fit_prints_the_table_statisticians_read() {
    let table = stdout(&["fit", "Norris.csv", "--formula", "y ~ x"]);
    insta::assert_snapshot!("fit_norris", table);
}

#[test]
fn fit_json_carries_the_anova_nist_certifies() {
    let v: Value = serde_json::from_str(&stdout(&[
        "fit",
        "Norris.csv",
        "--formula",
        "y ~ x",
        "--json",
    ]))
    .unwrap();
    // NIST's certified ANOVA for Norris: F = 5436385.54079785 on 1 and 34 df.
    let f = v["f_statistic"].as_f64().unwrap();
    assert!((f / 5436385.54079785 - 1.0).abs() < 1e-12, "{f}");
    assert_eq!(
        (v["df_model"].as_u64(), v["df_resid"].as_u64()),
        (Some(1), Some(34))
    );
    // The 95 % interval is θ ∓ t(0.975, 34)·SE: symmetric about θ.
    let b1 = &v["theta"][1];
    let (lo, hi, t) = (
        b1["conf_low"].as_f64().unwrap(),
        b1["conf_high"].as_f64().unwrap(),
        b1["value"].as_f64().unwrap(),
    );
    assert!(((lo + hi) / 2.0 - t).abs() < 1e-14 * t.abs() && lo < t && t < hi);
}

#[test]
fn digits_17_prints_theta_to_the_last_bit() {
    let v: Value = serde_json::from_str(&stdout(&[
        "fit",
        "Norris.csv",
        "--formula",
        "y ~ x",
        "--json",
    ]))
    .unwrap();
    let table = stdout(&["fit", "Norris.csv", "--formula", "y ~ x", "--digits", "17"]);
    for p in v["theta"].as_array().unwrap() {
        let shown = format!("{}", p["value"].as_f64().unwrap());
        assert!(table.contains(&shown), "{shown} not in\n{table}");
    }
}

#[test]
fn train_says_epochs_and_steps_in_words() {
    let text = stdout(&[
        "train",
        "Norris.csv",
        "--formula",
        "y ~ x",
        "--epochs",
        "1",
        "--check",
        "--no-standardize",
    ]);
    assert!(text.contains("1 epoch, 1 step,"), "{text}");
    assert!(
        text.contains("stopped: ran every epoch asked for"),
        "{text}"
    );
    // The seconds vary from run to run; the rest is the table.
    let masked: String = text
        .lines()
        .map(|l| match l.find(" s") {
            Some(_) if l.starts_with("1 epoch") => "1 epoch, 1 step, [seconds]",
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("train_norris_one_epoch", masked);
}

#[test]
fn digits_out_of_range_is_a_usage_error() {
    chainrule()
        .args(["fit", "Norris.csv", "--digits", "18"])
        .assert()
        .code(2);
}
