//! Intervals around predictions (statsmodels' `get_prediction().summary_frame`):
//! for a row x0 = [1 | x] and Cov(θ) = C, Var(x0ᵀθ̂) = x0ᵀ·C·x0 gives the
//! confidence interval of the mean z1; a new observation (of weight 1)
//! adds σ², the prediction interval. Half-width: t(df_resid) or z (robust
//! covariance) at the level, times the standard deviation.

use crate::data::Design;
use crate::numeric::special::{normal_critical, t_critical};
use crate::numeric::Dd;

/// Which interval: of the mean z1, or of a new observation y.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Confidence,
    Prediction,
}

/// Cov(θ) and σ² as a fit left them (`ModelFile`'s stored inference).
#[derive(Clone, Copy, Debug)]
pub struct Uncertainty<'a> {
    /// p rows of p, θ's order.
    pub cov_params: &'a [Vec<f64>],
    pub scale: f64,
    pub df_resid: usize,
    pub use_t: bool,
}

/// Lower and upper bounds for each row of `design` around x0ᵀθ.
pub fn interval_bounds(
    design: &Design,
    theta: &[f64],
    u: Uncertainty<'_>,
    level: f64,
    kind: Interval,
) -> (Vec<f64>, Vec<f64>) {
    let crit = if u.use_t {
        t_critical(1.0 - level, u.df_resid as f64)
    } else {
        normal_critical(1.0 - level)
    };
    let p = theta.len();
    let mut x0 = vec![0.0; p];
    let mut lower = Vec::with_capacity(design.n);
    let mut upper = Vec::with_capacity(design.n);
    for i in 0..design.n {
        let off = usize::from(design.intercept);
        if design.intercept {
            x0[0] = 1.0;
        }
        x0[off..].copy_from_slice(design.row(i));
        // x0ᵀ·C·x0 in double-double: its terms cancel when the row lies
        // near the data's centre, and a variance must not come out < 0.
        let mut q = Dd::default();
        for (a, row) in x0.iter().zip(u.cov_params) {
            for (b, c) in x0.iter().zip(row) {
                q.add_product(a * b, *c);
            }
        }
        let mut var = q.value().max(0.0);
        if kind == Interval::Prediction {
            var += u.scale;
        }
        let fit = design.predict_row(theta, i);
        let half = crit * var.sqrt();
        lower.push(fit - half);
        upper.push(fit + half);
    }
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::least_squares;

    #[test]
    fn hand_computed_line() {
        // x = [0, 1, 2, 3], y = [1, 3, 2, 5] (inference.rs): θ = (1.1, 1.1),
        // RSS = 2.7, σ² = 2.7/2 = 1.35, x̄ = 1.5, Sxx = 5. At x0 = 4:
        // Var(mean) = σ²·(1/n + (x0 − x̄)²/Sxx) = 1.35·(0.25 + 6.25/5) = 2.025,
        // Var(new) = 2.025 + 1.35 = 3.375; t(2) at 95 % = 0.95·√(2/(1 − 0.95²)).
        let d = Design::from_columns(
            "y",
            vec!["x".into()],
            true,
            &[vec![0.0, 1.0, 2.0, 3.0]],
            vec![1.0, 3.0, 2.0, 5.0],
        );
        let s = least_squares(&d).unwrap();
        let cov: Vec<Vec<f64>> = s.cov_params.chunks(2).map(<[f64]>::to_vec).collect();
        let u = Uncertainty {
            cov_params: &cov,
            scale: s.residual_sd.powi(2),
            df_resid: 2,
            use_t: true,
        };
        let new = Design::from_columns("y", vec!["x".into()], true, &[vec![4.0]], vec![0.0]);
        let t = 0.95 * (2.0f64 / (1.0 - 0.95 * 0.95)).sqrt();
        let fit = 1.1 + 1.1 * 4.0;
        for (kind, var) in [(Interval::Confidence, 2.025), (Interval::Prediction, 3.375)] {
            let (lo, hi) = interval_bounds(&new, &s.theta, u, 0.95, kind);
            let half = t * f64::sqrt(var);
            assert!((lo[0] - (fit - half)).abs() < 1e-9, "{kind:?}: {}", lo[0]);
            assert!((hi[0] - (fit + half)).abs() < 1e-9, "{kind:?}: {}", hi[0]);
        }
    }
}
