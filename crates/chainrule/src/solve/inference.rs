//! What a statistician reads beside θ: p-values, confidence intervals, the
//! F test, adjusted R², the Gaussian log-likelihood, AIC and BIC — with
//! statsmodels' `OLS` conventions, so the numbers can be compared one for
//! one (and R's `summary(lm(...))` for everything R prints).
//!
//! With a robust covariance (HC0–HC3) the tests are statsmodels' defaults
//! for it: z and the normal distribution for each θ (`use_t = False`), and
//! F the Wald test of θ1 = … = θd = 0 with the robust covariance, on
//! F(df_model, df_resid).
//!
//! Degrees of freedom: residual n − rank; model rank − 1 with an intercept,
//! rank without (statsmodels' k_constant). Without an intercept R², its
//! adjusted form and F are the uncentered ones, as in R and statsmodels.

use super::Solution;
use crate::numeric::special::{
    f_upper, normal_critical, normal_two_sided, t_critical, t_two_sided,
};

/// Inference for a least-squares [`Solution`]; vectors indexed like θ
/// (NaN for dropped columns, and wherever no residual degrees of freedom
/// are left).
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    /// Confidence level of the intervals (0.95 for 95 %).
    pub level: f64,
    pub df_resid: usize,
    pub df_model: usize,
    /// Whether the tests use Student's t (classical covariance) or the
    /// normal distribution (robust covariance), as statsmodels' `use_t`.
    pub use_t: bool,
    /// Two-sided P(|T| ≥ |t|) under θj = 0, T ~ t(df_resid) (or N(0, 1)).
    pub p_values: Vec<f64>,
    /// θj ∓ t_crit·SE(θj) (z_crit with a robust covariance).
    pub conf_low: Vec<f64>,
    pub conf_high: Vec<f64>,
    /// 1 − (1 − R²)·(n − k)/(n − rank), k = 1 with an intercept, else 0.
    pub adj_r_squared: f64,
    /// (ESS/df_model) / (RSS/df_resid), ESS = TSS − RSS; the Wald F with
    /// a robust covariance.
    pub f_statistic: f64,
    /// P(F ≥ f_statistic) under θ1 = … = θd = 0.
    pub f_p_value: f64,
    /// Gaussian log-likelihood at θ̂ with σ² = RSS/n (plus ½·Σ ln wᵢ when
    /// weighted, as statsmodels' WLS).
    pub log_likelihood: f64,
    /// −2·ℓ + 2·rank.
    pub aic: f64,
    /// −2·ℓ + ln(n)·rank.
    pub bic: f64,
}

impl Solution {
    /// Inference at confidence `level` (e.g. 0.95) for the intervals.
    pub fn inference(&self, level: f64) -> Inference {
        let n = self.n as f64;
        let df_resid = self.n.saturating_sub(self.rank);
        let k_constant = usize::from(self.intercept && self.rank > 0);
        let df_model = self.rank - k_constant;
        let (dr, dm) = (df_resid as f64, df_model as f64);
        let use_t = !self.cov_type.is_robust();
        let t_crit = match (df_resid > 0, use_t) {
            (false, _) => f64::NAN,
            (true, true) => t_critical(1.0 - level, dr),
            (true, false) => normal_critical(1.0 - level),
        };
        let p_values = self
            .t_stats
            .iter()
            .map(|&t| match (df_resid > 0, use_t) {
                (false, _) => f64::NAN,
                (true, true) => t_two_sided(t, dr),
                (true, false) => normal_two_sided(t),
            })
            .collect();
        let half: Vec<f64> = self.std_errors.iter().map(|se| t_crit * se).collect();
        let conf_low = self.theta.iter().zip(&half).map(|(t, h)| t - h).collect();
        let conf_high = self.theta.iter().zip(&half).map(|(t, h)| t + h).collect();

        let ess = self.tss - self.rss;
        let f_statistic = if df_model == 0 || df_resid == 0 {
            f64::NAN
        } else if use_t {
            (ess / dm) / (self.rss / dr)
        } else {
            self.wald_f(df_model)
        };
        let f_p_value = if f_statistic.is_nan() {
            f64::NAN
        } else {
            f_upper(f_statistic, dm, dr)
        };
        let adj_r_squared = if df_resid > 0 {
            1.0 - (n - k_constant as f64) / dr * (1.0 - self.r_squared)
        } else {
            f64::NAN
        };
        let log_likelihood =
            -0.5 * n * ((2.0 * std::f64::consts::PI).ln() + (self.rss / n).ln() + 1.0)
                + 0.5 * self.sum_log_weights;
        let k = self.rank as f64;
        Inference {
            level,
            use_t,
            df_resid,
            df_model,
            p_values,
            conf_low,
            conf_high,
            adj_r_squared,
            f_statistic,
            f_p_value,
            log_likelihood,
            aic: -2.0 * log_likelihood + 2.0 * k,
            bic: -2.0 * log_likelihood + n.ln() * k,
        }
    }
}

impl Solution {
    /// The Wald F of θ1 = … = θd = 0 (every estimated θ but the
    /// intercept): b·C⁻¹·b / q, b those θ, C their block of Cov(θ).
    fn wald_f(&self, q: usize) -> f64 {
        let p = self.p;
        let first = usize::from(self.intercept);
        let idx: Vec<usize> = (first..p)
            .filter(|&j| self.std_errors[j].is_finite())
            .collect();
        let k = idx.len();
        let mut c: Vec<f64> = idx
            .iter()
            .flat_map(|&a| idx.iter().map(move |&b| (a, b)))
            .map(|(a, b)| self.cov_params[a * p + b])
            .collect();
        let b: Vec<f64> = idx.iter().map(|&j| self.theta[j]).collect();
        let Some(x) = solve_spd(&mut c, &b, k) else {
            return f64::NAN;
        };
        b.iter().zip(&x).map(|(u, v)| u * v).sum::<f64>() / q as f64
    }
}

/// Solves C·x = b for a symmetric positive definite k × k C (row-major,
/// overwritten) by Cholesky; None when C is not positive definite.
fn solve_spd(c: &mut [f64], b: &[f64], k: usize) -> Option<Vec<f64>> {
    for j in 0..k {
        let d = c[j * k + j] - (0..j).map(|m| c[j * k + m].powi(2)).sum::<f64>();
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        c[j * k + j] = d;
        for i in j + 1..k {
            let s = c[i * k + j] - (0..j).map(|m| c[i * k + m] * c[j * k + m]).sum::<f64>();
            c[i * k + j] = s / d;
        }
    }
    // L·y = b, then Lᵀ·x = y.
    let mut y = b.to_vec();
    for i in 0..k {
        y[i] = (y[i] - (0..i).map(|m| c[i * k + m] * y[m]).sum::<f64>()) / c[i * k + i];
    }
    for i in (0..k).rev() {
        y[i] = (y[i] - (i + 1..k).map(|m| c[m * k + i] * y[m]).sum::<f64>()) / c[i * k + i];
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use crate::data::Design;
    use crate::solve::least_squares;

    #[test]
    fn hand_computed_line() {
        // x = [0, 1, 2, 3], y = [1, 3, 2, 5]: x̄ = 1.5, ȳ = 2.75, Sxx = 5,
        // Sxy = (−1.5)(−1.75) + (−0.5)(0.25) + (0.5)(−0.75) + (1.5)(2.25)
        //     = 2.625 − 0.125 − 0.375 + 3.375 = 5.5, θ1 = 1.1, θ0 = 1.1;
        // z1 = [1.1, 2.2, 3.3, 4.4], residuals [−0.1, 0.8, −1.3, 0.6],
        // RSS = 0.01 + 0.64 + 1.69 + 0.36 = 2.7, TSS = 8.75, ESS = 6.05,
        // df = (1, 2): F = 6.05 / (2.7/2) = 4.481…; adj R² = 1 − 3/2·(2.7/8.75).
        let d = Design::from_columns(
            "y",
            vec!["x".into()],
            true,
            &[vec![0.0, 1.0, 2.0, 3.0]],
            vec![1.0, 3.0, 2.0, 5.0],
        );
        let s = least_squares(&d).unwrap();
        let inf = s.inference(0.95);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert_eq!((inf.df_model, inf.df_resid), (1, 2));
        assert!(close(inf.f_statistic, 6.05 / 1.35), "{}", inf.f_statistic);
        assert!(close(inf.adj_r_squared, 1.0 - 1.5 * 2.7 / 8.75));
        // With one model df, F = t² and both tests give the same p.
        assert!(close(inf.f_statistic, s.t_stats[1].powi(2)));
        assert!(close(inf.f_p_value, inf.p_values[1]));
        // ℓ = −n/2·(ln 2π + ln(RSS/n) + 1), AIC = −2ℓ + 2·2, BIC = −2ℓ + ln4·2.
        let ll = -2.0 * ((2.0 * std::f64::consts::PI).ln() + (2.7f64 / 4.0).ln() + 1.0);
        assert!(close(inf.log_likelihood, ll));
        assert!(close(inf.aic, -2.0 * ll + 4.0) && close(inf.bic, -2.0 * ll + 2.0 * 4f64.ln()));
        // df = 2: t_crit(0.05) = 0.95·√(2/(1 − 0.95²)) (closed form of t(2)).
        let t_crit = 0.95 * (2.0f64 / (1.0 - 0.95 * 0.95)).sqrt();
        assert!((inf.conf_high[1] - s.theta[1] - t_crit * s.std_errors[1]).abs() < 1e-9);
        assert!((s.theta[0] - inf.conf_low[0] - t_crit * s.std_errors[0]).abs() < 1e-9);
    }
}
