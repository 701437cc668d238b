//! Result tables a person reads: the closed form with its inference (the
//! table R's `summary(lm(...))` and statsmodels' `summary()` print) and a
//! trained θ beside the closed form. Numbers with a chosen count of
//! significant digits (7 by default, like R); `--json` carries every digit.

use super::num::sig;
use crate::solve::{Inference, Solution};

/// Significant digits in tables unless asked otherwise (R prints 7).
pub const TABLE_DIGITS: usize = 7;

/// Right-aligned columns under a header; the first column left-aligned.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let width: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
                // Alignment only; Rust refuses widths beyond u16.
                .min(200)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut text = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let w = width[c];
            if c == 0 {
                text.push_str(&format!("{cell:<w$}"));
            } else {
                text.push_str(&format!("  {cell:>w$}"));
            }
        }
        format!("{}\n", text.trim_end())
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// A p-value as R writes it: below 2e-16 it is "<2e-16".
fn p_value(p: f64, digits: usize) -> String {
    if p.is_nan() {
        "NaN".into()
    } else if p < 2.2e-16 {
        "<2e-16".into()
    } else {
        sig(p, digits.min(4))
    }
}

/// The closed form's coefficient table and fit statistics.
pub fn exact_summary(names: &[String], s: &Solution, inf: &Inference, digits: usize) -> String {
    let lo = format!("[{}", sig((1.0 - inf.level) / 2.0, 3));
    let hi = format!("{}]", sig(1.0 - (1.0 - inf.level) / 2.0, 3));
    let rows: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            vec![
                name.clone(),
                sig(s.theta[k], digits),
                sig(s.std_errors[k], digits.min(4)),
                sig(s.t_stats[k], digits.min(4)),
                p_value(inf.p_values[k], digits),
                sig(inf.conf_low[k], digits),
                sig(inf.conf_high[k], digits),
            ]
        })
        .collect();
    let (t, p) = if inf.use_t {
        ("t", "P>|t|")
    } else {
        ("z", "P>|z|")
    };
    let mut out = table(&["", "θ", "std error", t, p, &lo, &hi], &rows);
    if s.cov_type.is_robust() {
        out.push_str(&format!(
            "\nstandard errors: {} (heteroskedasticity-consistent); tests use the normal \
             distribution, F is a Wald test\n",
            s.cov_type.as_str()
        ));
    }
    let centered = if s.intercept { "" } else { " (uncentered)" };
    out.push_str(&format!(
        "\nresidual SD {} on {} degrees of freedom   J (MSE) {}\n",
        sig(s.residual_sd, digits.min(4)),
        inf.df_resid,
        sig(s.mse, digits.min(4)),
    ));
    out.push_str(&format!(
        "R²{centered} {}   adjusted R² {}\n",
        sig(s.r_squared, digits),
        sig(inf.adj_r_squared, digits)
    ));
    if inf.f_statistic.is_finite() || inf.f_statistic.is_infinite() {
        out.push_str(&format!(
            "F {} on {} and {} DF   p-value {}\n",
            sig(inf.f_statistic, digits.min(4)),
            inf.df_model,
            inf.df_resid,
            p_value(inf.f_p_value, digits)
        ));
    }
    out.push_str(&format!(
        "log-likelihood {}   AIC {}   BIC {}\n",
        sig(inf.log_likelihood, digits),
        sig(inf.aic, digits),
        sig(inf.bic, digits)
    ));
    out.push_str(&format!(
        "condition number {}\n",
        sig(s.condition_number, digits.min(4))
    ));
    out
}

/// A trained θ by name, beside the closed form when it was computed, and
/// J, RMSE and R².
pub fn theta_summary(
    names: &[String],
    theta: &[f64],
    closed_form: Option<&[f64]>,
    (mse, rmse, r_squared): (f64, f64, f64),
    digits: usize,
) -> String {
    let rows: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut row = vec![name.clone(), sig(theta[k], digits)];
            if let Some(c) = closed_form {
                row.push(sig(c[k], digits));
            }
            row
        })
        .collect();
    let header: &[&str] = match closed_form {
        Some(_) => &["", "θ (trained)", "θ (closed form)"],
        None => &["", "θ"],
    };
    let mut out = table(header, &rows);
    out.push_str(&format!(
        "J (MSE) {}   RMSE {}   R² {}\n",
        sig(mse, digits),
        sig(rmse, digits),
        sig(r_squared, digits)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_lines_end_clean() {
        let t = table(
            &["", "a", "bb"],
            &[
                vec!["θ0".into(), "1".into(), "22".into()],
                vec!["x".into(), "333".into(), "4".into()],
            ],
        );
        assert_eq!(t, "      a  bb\nθ0    1  22\nx   333   4\n");
    }

    #[test]
    fn tiny_p_values_read_as_r_prints_them() {
        assert_eq!(p_value(1e-300, 7), "<2e-16");
        assert_eq!(p_value(0.04567891, 7), "0.04568");
    }
}
