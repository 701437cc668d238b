//! Standardization: training on x′ = (x − μ)/σ makes the cost's Hessian
//! near-isotropic, so one learning rate suits every θj. θ is mapped back:
//! θj = θ′j/σj and θ0 = θ′0 − Σ θ′j·μj/σj. Without an intercept the shift
//! cannot be absorbed, so features are only scaled (μ = 0, σ = RMS).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Scaling {
    /// Column means and standard deviations of a row-major n×d matrix
    /// (RMS about 0 when `center` is false). A constant column keeps σ = 1.
    pub fn fit(x: &[f64], d: usize, center: bool) -> Self {
        let n = x.len().checked_div(d).unwrap_or(0);
        let mut mean = vec![0.0; d];
        if center && n > 0 {
            for row in x.chunks_exact(d) {
                for (m, &v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            mean.iter_mut().for_each(|m| *m /= n as f64);
        }
        let mut scale = vec![0.0; d];
        for row in x.chunks_exact(d.max(1)).take(n) {
            for ((s, &v), &m) in scale.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        for (j, s) in scale.iter_mut().enumerate() {
            let mut sd = (*s / n.max(1) as f64).sqrt();
            if !(sd.is_finite() && sd >= f64::MIN_POSITIVE) {
                // Columns near 1e160 and beyond overflow the sums above
                // (and columns near 1e-160 underflow them): redo this one
                // column from values divided by its largest, so every sum
                // stays near 1. Ordinary columns keep the plain sums' bits.
                (mean[j], sd) = scaled_moments(x, d, j, n, center);
            }
            *s = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
        }
        Scaling { mean, scale }
    }

    /// Applies the scaling to rows `x` (row-major, d columns).
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let d = self.mean.len();
        let mut out = x.to_vec();
        for row in out.chunks_exact_mut(d.max(1)) {
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
        out
    }

    /// θ fitted on scaled features → θ in original units.
    pub fn to_original(&self, theta: &[f64], intercept: bool) -> Vec<f64> {
        let mut out = theta.to_vec();
        let off = usize::from(intercept);
        for (j, (&m, &s)) in self.mean.iter().zip(&self.scale).enumerate() {
            out[off + j] = theta[off + j] / s;
            if intercept {
                out[0] -= theta[off + j] * m / s;
            }
        }
        out
    }

    /// θ in original units → θ for scaled features (inverse of `to_original`).
    pub fn to_scaled(&self, theta: &[f64], intercept: bool) -> Vec<f64> {
        let mut out = theta.to_vec();
        let off = usize::from(intercept);
        for (j, (&m, &s)) in self.mean.iter().zip(&self.scale).enumerate() {
            out[off + j] = theta[off + j] * s;
            if intercept {
                out[0] += theta[off + j] * m;
            }
        }
        out
    }
}

/// Mean and standard deviation of column `j` computed on values divided by
/// the column's largest magnitude, then scaled back: no sum leaves f64's
/// range whatever the column's scale.
fn scaled_moments(x: &[f64], d: usize, j: usize, n: usize, center: bool) -> (f64, f64) {
    let column = || x.chunks_exact(d.max(1)).take(n).map(|row| row[j]);
    let big = column().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 || !big.is_finite() || n == 0 {
        return (0.0, 0.0);
    }
    let mean = if center {
        column().map(|v| v / big).sum::<f64>() / n as f64
    } else {
        0.0
    };
    let var = column().map(|v| (v / big - mean).powi(2)).sum::<f64>() / n as f64;
    (mean * big, var.sqrt() * big)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_prediction_invariance() {
        // x = (1, 2, 3, 4) ⇒ μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25.
        let x = [1.0, 2.0, 3.0, 4.0];
        let s = Scaling::fit(&x, 1, true);
        assert_eq!(s.mean, vec![2.5]);
        assert_eq!(s.scale, vec![1.25f64.sqrt()]);
        // A prediction θ0 + θ1·x is unchanged by moving to scaled units.
        let theta = [1.0, 2.0];
        let scaled = s.to_scaled(&theta, true);
        let xs = s.apply(&x);
        for (xo, xn) in x.iter().zip(&xs) {
            let before = theta[0] + theta[1] * xo;
            let after = scaled[0] + scaled[1] * xn;
            assert!((before - after).abs() < 1e-12);
        }
        let back = s.to_original(&scaled, true);
        assert!((back[0] - 1.0).abs() < 1e-12 && (back[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn huge_and_tiny_columns_scale_without_overflow() {
        // x·1e200 and x·1e-200 must give the moments of x, times 1e±200
        // (x = 1, 2, 3, 4: mean 2.5, sd √1.25, hand-computed).
        let x = [1.0, 2.0, 3.0, 4.0];
        for factor in [1e200, 1e-200] {
            let big: Vec<f64> = x.iter().map(|v| v * factor).collect();
            let s = Scaling::fit(&big, 1, true);
            let rel = |a: f64, b: f64| ((a - b) / b).abs();
            assert!(
                rel(s.mean[0], 2.5 * factor) < 1e-15,
                "{factor}: {:?}",
                s.mean
            );
            assert!(
                rel(s.scale[0], 1.25f64.sqrt() * factor) < 1e-15,
                "{factor}: {:?}",
                s.scale
            );
        }
    }
}
