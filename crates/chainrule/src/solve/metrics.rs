//! Goodness of fit for any θ: J (MSE), RMSE and R².

use crate::data::Design;

/// How well θ fits the design's rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// J = (1/n)·Σ (y − z1)², the cost the trainer minimizes.
    pub mse: f64,
    pub rmse: f64,
    /// 1 − RSS/TSS with TSS = Σ(y − ȳ)² when the model has an intercept and
    /// the uncentered Σy² when it has none (NIST's convention for NoInt1/2).
    /// NaN when TSS = 0 (y constant, or all zero without an intercept).
    pub r_squared: f64,
}

/// Metrics of θ (in the project's θ layout) on `design`.
pub fn metrics(design: &Design, theta: &[f64]) -> Metrics {
    metrics_rows(&design.x, &design.y, design.d, design.intercept, theta)
}

/// [`metrics`] on a design's rows held elsewhere: `x` row-major n × d.
/// z1 is summed as [`Design::predict_row`] sums it, so both give the same bits.
pub fn metrics_rows(x: &[f64], y: &[f64], d: usize, intercept: bool, theta: &[f64]) -> Metrics {
    assert_eq!(
        theta.len(),
        d + usize::from(intercept),
        "θ has one entry per parameter"
    );
    let (theta0, slopes) = if intercept {
        (theta[0], &theta[1..])
    } else {
        (0.0, theta)
    };
    let rss: f64 = y
        .iter()
        .enumerate()
        .map(|(i, yi)| {
            let row = &x[i * d..(i + 1) * d];
            let z1 = theta0 + row.iter().zip(slopes).map(|(x, t)| x * t).sum::<f64>();
            (yi - z1).powi(2)
        })
        .sum();
    from_rss(rss, y, intercept)
}

/// MSE, RMSE and R² from the residual sum of squares.
pub(crate) fn from_rss(rss: f64, y: &[f64], intercept: bool) -> Metrics {
    let n = y.len() as f64;
    let mse = rss / n;
    Metrics {
        mse,
        rmse: mse.sqrt(),
        r_squared: 1.0 - rss / total_sum_of_squares(y, intercept),
    }
    .nan_for_constant_y()
}

impl Metrics {
    fn nan_for_constant_y(mut self) -> Self {
        if !self.r_squared.is_finite() {
            self.r_squared = f64::NAN;
        }
        self
    }
}

/// Σ(y − ȳ)² (two passes, so no cancellation) or Σy² without intercept.
pub(crate) fn total_sum_of_squares(y: &[f64], intercept: bool) -> f64 {
    let center = if intercept {
        y.iter().sum::<f64>() / y.len() as f64
    } else {
        0.0
    };
    y.iter().map(|v| (v - center).powi(2)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_line() {
        // y = [1, 3, 2] at x = [0, 1, 2], θ = (θ0 = 1, θ1 = 0.5):
        // z1 = [1, 1.5, 2], residuals [0, 1.5, 0], RSS = 2.25, J = 0.75;
        // ȳ = 2, TSS = 1 + 1 + 0 = 2, R² = 1 − 2.25/2 = −0.125.
        let d = Design::from_columns(
            "y",
            vec!["x".into()],
            true,
            &[vec![0.0, 1.0, 2.0]],
            vec![1.0, 3.0, 2.0],
        );
        let m = metrics(&d, &[1.0, 0.5]);
        assert_eq!(m.mse, 0.75);
        assert_eq!(m.rmse, 0.75f64.sqrt());
        assert_eq!(m.r_squared, -0.125);
    }

    #[test]
    fn uncentered_without_intercept_and_nan_for_constant_y() {
        // y = [1, 2] at x = [1, 2], θ1 = 1: exact fit, R² = 1 − 0/5 = 1.
        let d = Design::from_columns(
            "y",
            vec!["x".into()],
            false,
            &[vec![1.0, 2.0]],
            vec![1.0, 2.0],
        );
        assert_eq!(metrics(&d, &[1.0]).r_squared, 1.0);
        let flat = Design::from_columns("y", vec![], true, &[], vec![4.0, 4.0]);
        assert!(metrics(&flat, &[4.0]).r_squared.is_nan());
    }
}
