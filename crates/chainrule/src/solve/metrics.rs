//! Goodness of fit for any θ: J (MSE), RMSE and R².

use crate::data::Design;
use crate::numeric::double_double::{two_product, two_sum};
use crate::numeric::Dd;

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
pub fn metrics_rows(x: &[f64], y: &[f64], d: usize, intercept: bool, theta: &[f64]) -> Metrics {
    assert_eq!(
        theta.len(),
        d + usize::from(intercept),
        "θ has one entry per parameter"
    );
    from_rss(rss_rows(x, y, d, intercept, theta), y, intercept)
}

/// Σ(y − z1)² over the rows, in double-double from unrounded residuals.
pub(crate) fn rss_rows(x: &[f64], y: &[f64], d: usize, intercept: bool, theta: &[f64]) -> Dd {
    let mut rss = Dd::default();
    for (i, &yi) in y.iter().enumerate() {
        add_square(
            &mut rss,
            residual(&x[i * d..(i + 1) * d], yi, intercept, theta),
        );
    }
    rss
}

/// y − z1 of one row in double-double: the residual before its rounding.
pub(crate) fn residual(row: &[f64], y: f64, intercept: bool, theta: &[f64]) -> Dd {
    let mut r = Dd { hi: y, lo: 0.0 };
    let (bias, weights) = match intercept {
        true => (theta[0], &theta[1..]),
        false => (0.0, theta),
    };
    r.add(-bias);
    for (w, x) in weights.iter().zip(row) {
        r.add_product(-w, *x);
    }
    r
}

/// acc += r², r a double-double. `Dd::add` leaves lo unnormalized (it may
/// even outweigh hi when the sum cancels to nothing), so r is renormalized
/// first; then |lo| ≤ ulp(hi)/2 and lo² is below what acc keeps.
pub(crate) fn add_square(acc: &mut Dd, r: Dd) {
    let (hi, lo) = two_sum(r.hi, r.lo);
    acc.add_product(hi, hi);
    acc.add_product(2.0 * hi, lo);
}

/// MSE, RMSE and R² from the residual sum of squares.
///
/// Why double-double: R² = 1 − RSS/TSS cancels when the fit explains little
/// (Wampler5: RSS/TSS ≈ 0.78), so the rounding of n terms in each sum shows
/// in R²'s last digits. Summed in double-double from unrounded residuals,
/// and subtracted before dividing, R² keeps every digit θ gives it.
pub(crate) fn from_rss(rss: Dd, y: &[f64], intercept: bool) -> Metrics {
    from_rss_tss(rss, total_sum_of_squares_dd(y, intercept), y.len())
}

/// [`from_rss`] with the total sum of squares given (weighted fits).
pub(crate) fn from_rss_tss(rss: Dd, tss: Dd, n: usize) -> Metrics {
    let mse = rss.value() / n as f64;
    let mut explained = tss;
    explained.add(-rss.hi);
    explained.add(-rss.lo);
    Metrics {
        mse,
        rmse: mse.sqrt(),
        r_squared: explained.value() / tss.value(),
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

/// Σ(y − ȳ)² with ȳ and the sum in double-double, or Σy² without intercept.
pub(crate) fn total_sum_of_squares_dd(y: &[f64], intercept: bool) -> Dd {
    let center = if intercept { mean(y) } else { Dd::default() };
    let mut tss = Dd::default();
    for &v in y {
        let mut d = Dd { hi: v, lo: 0.0 };
        d.add(-center.hi);
        d.add(-center.lo);
        add_square(&mut tss, d);
    }
    tss
}

/// Σwᵢ(yᵢ − ȳ)² with ȳ = Σwᵢyᵢ/Σwᵢ, or Σwᵢyᵢ² without intercept
/// (statsmodels' weighted `centered_tss` and `uncentered_tss`).
pub(crate) fn total_sum_of_squares_weighted(y: &[f64], w: &[f64], intercept: bool) -> Dd {
    let center = if intercept {
        let (mut num, mut den) = (Dd::default(), Dd::default());
        y.iter().zip(w).for_each(|(v, wi)| {
            num.add_product(*v, *wi);
            den.add(*wi);
        });
        num.value() / den.value()
    } else {
        0.0
    };
    let mut tss = Dd::default();
    for (&v, &wi) in y.iter().zip(w) {
        let mut d = Dd { hi: v, lo: 0.0 };
        d.add(-center);
        let (hi, lo) = two_sum(d.hi, d.lo);
        tss.add_product(hi * hi, wi);
        tss.add_product(2.0 * hi * lo, wi);
    }
    tss
}

/// Σy/n in double-double: the quotient, then the remainder's share.
fn mean(y: &[f64]) -> Dd {
    let mut sum = Dd::default();
    y.iter().for_each(|&v| sum.add(v));
    let n = y.len() as f64;
    let q = sum.hi / n;
    let (p, e) = two_product(q, n);
    let mut rest = Dd {
        hi: sum.hi,
        lo: sum.lo,
    };
    rest.add(-p);
    rest.add(-e);
    Dd {
        hi: q,
        lo: rest.value() / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_residual_that_cancels_squares_to_its_true_value() {
        // hi + lo = 1e-16 − 1.5e-16 = −5e-17 (lo outweighs hi, as Dd::add
        // can leave it): the square is 2.5e-33, never negative.
        let mut acc = Dd::default();
        add_square(
            &mut acc,
            Dd {
                hi: 1e-16,
                lo: -1.5e-16,
            },
        );
        assert!((acc.value() - 2.5e-33).abs() <= 1e-15 * 2.5e-33, "{acc:?}");
    }

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
