//! The cost's normal equations in training units, for the stopping rule
//! and the verdict. J(θ) = (1/n)‖y − Aθ‖² (A = [1 | X]) is quadratic:
//!
//! ∇J(θ) = H·θ − b,   H = (2/n)·AᵀA (the constant Hessian),   b = (2/n)·Aᵀy,
//!
//! so the gradient over every row at any θ costs p² once H and b are known
//! (one pass, or the first pass's R: AᵀA = R_AᵀR_A, Aᵀy = R_Aᵀ·R_y).
//!
//! The scale of the stopping rule is ‖b‖ = ‖∇J(0)‖: the right-hand side of
//! H·θ̂ = b, whatever θ₀ the run starts from. Then ∇J(θ) = H·(θ − θ̂), and
//! ‖θ − θ̂‖/‖θ̂‖ ≤ κ(H)·‖∇J(θ)‖/‖b‖ (the relative residual of a linear
//! system), which makes the relative gradient norm a statement about θ:
//! standardized, a well-conditioned design has κ(H) near 1. J's change
//! between epochs says much less: J flattens quadratically near θ̂, so a
//! change of t leaves θ about √t short.

use crate::model::{Batch, LinearModel};
use crate::numeric::Dd;
use crate::solve::QrStats;

use super::lr::lambda_max;

#[derive(Clone, Debug)]
pub struct Normal {
    /// Parameters.
    pub p: usize,
    /// H = (2/n)·AᵀA, p × p row-major.
    pub h: Vec<f64>,
    /// b = (2/n)·Aᵀy = −∇J(0).
    pub b: Vec<f64>,
}

impl Normal {
    /// From rows in memory, in one pass. The sums are kept in double-double:
    /// plain sums over n rows carry errors near n·ε, which put a floor
    /// under ‖H·θ − b‖ (about 1e-12 of ‖b‖ at 10⁶ rows) that a run at the
    /// default tolerance would never get below.
    pub fn from_rows(data: Batch<'_>, model: &LinearModel) -> Self {
        let p = model.n_params();
        let off = usize::from(model.intercept);
        let (mut h, mut b) = (vec![Dd::default(); p * p], vec![Dd::default(); p]);
        let mut a = vec![1.0; p];
        for i in 0..data.len() {
            a[off..].copy_from_slice(data.row(i));
            for r in 0..p {
                for c in r..p {
                    h[r * p + c].add_product(a[r], a[c]);
                }
                b[r].add_product(a[r], data.y[i]);
            }
        }
        let n = data.len().max(1) as f64;
        let mut h: Vec<f64> = h.into_iter().map(|s| 2.0 * s.value() / n).collect();
        for r in 0..p {
            for c in 0..r {
                h[r * p + c] = h[c * p + r];
            }
        }
        let b = b.into_iter().map(|s| 2.0 * s.value() / n).collect();
        Normal { p, h, b }
    }

    /// From the R of [A | y] (in training units), without a pass.
    pub fn from_stats(stats: &QrStats) -> Self {
        let (m, p) = (stats.m, stats.m - 1);
        let n = stats.count.max(1) as f64;
        let h = stats.gram().iter().map(|g| 2.0 * g / n).collect();
        let b = (0..p)
            .map(|a| {
                let aty: f64 = (0..=a)
                    .map(|k| stats.r[k * m + a] * stats.r[k * m + p])
                    .sum();
                2.0 * aty / n
            })
            .collect();
        Normal { p, h, b }
    }

    /// λmax of H.
    pub fn lambda_max(&self) -> f64 {
        lambda_max(&self.h, self.p)
    }

    /// ‖∇J(θ)‖ = ‖H·θ − b‖ over every row.
    pub fn gradient_norm(&self, theta: &[f64]) -> f64 {
        let p = self.p;
        let g: Vec<f64> = (0..p)
            .map(|r| {
                let hr: f64 = (0..p).map(|c| self.h[r * p + c] * theta[c]).sum();
                hr - self.b[r]
            })
            .collect();
        crate::numeric::qr::norm(&g)
    }

    /// ‖∇J(0)‖ = ‖b‖: the scale of the stopping rule.
    pub fn scale(&self) -> f64 {
        crate::numeric::qr::norm(&self.b)
    }

    /// `gradient_norm` relative to `scale`. With b = 0 the least-squares θ
    /// is 0: relative 0 at a zero gradient, else ∞.
    pub fn relative(&self, gradient_norm: f64) -> f64 {
        let scale = self.scale();
        if scale > 0.0 {
            gradient_norm / scale
        } else if gradient_norm == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_statistics_agree_and_vanish_at_the_least_squares_theta() {
        // y = 1 + 2x exactly at x = 0, 1, 2, 3: θ̂ = (1, 2) (hand), so
        // ∇J(θ̂) = 0; at θ = 0, ∇J = −b with b = (2/4)·Aᵀy: Σy = 16,
        // Σxy = 0 + 3 + 10 + 21 = 34 ⇒ b = (8, 17).
        let (x, y) = ([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0]);
        let model = LinearModel::new(1, true);
        let rows = Normal::from_rows(Batch::new(&x, &y, 1), &model);
        let mut stats = QrStats::empty(2);
        stats.add_batch(Batch::new(&x, &y, 1), &model);
        let folded = Normal::from_stats(&stats);
        for normal in [&rows, &folded] {
            assert!((normal.b[0] - 8.0).abs() < 1e-12 && (normal.b[1] - 17.0).abs() < 1e-12);
            assert!((normal.scale() - 353f64.sqrt()).abs() < 1e-12);
            assert!(normal.gradient_norm(&[1.0, 2.0]) < 1e-12);
            assert!((normal.relative(normal.gradient_norm(&[0.0, 0.0])) - 1.0).abs() < 1e-12);
        }
    }
}
