//! Cov(θ) and the design's condition number, from the QR of A·S (columns
//! scaled by S = diag(s), kept columns only; A = Q₁·R in the scaled space).
//!
//! Classical: Cov(θ) = σ²·S·R⁻¹·R⁻ᵀ·S. Sandwich (White 1980; MacKinnon &
//! White 1985): Cov(θ) = S·R⁻¹·(Σᵢ ωᵢ·qᵢqᵢᵀ)·R⁻ᵀ·S, where qᵢ = R⁻ᵀ·(row i
//! of A·S) is row i of Q₁, so the leverage hᵢ = ‖qᵢ‖² comes with it and Q₁
//! is never formed (one triangular solve per row). Both are statsmodels'
//! `cov_params()` for the same `cov_type`.

use super::CovType;
use crate::numeric::svd::singular_values;
use crate::numeric::Qr;

/// Cov(θ), p × p row-major, 0 in rows and columns of dropped columns.
/// `residuals` are y − A·θ of the (weighted) rows; `sigma2` = RSS/(n − rank).
pub(crate) fn cov_params(
    qr: &Qr,
    a: &[Vec<f64>],
    scale: &[f64],
    residuals: &[f64],
    sigma2: f64,
    cov: CovType,
) -> Vec<f64> {
    let p = a.len();
    let k = qr.rank();
    let n = residuals.len();
    let rinv = qr.r_inverse_columns();
    // middle = Σ ωᵢ qᵢqᵢᵀ (k × k), or σ²·I for the classical covariance.
    let middle: Vec<f64> = match cov {
        CovType::Nonrobust => (0..k * k)
            .map(|e| if e / k == e % k { sigma2 } else { 0.0 })
            .collect(),
        _ => {
            let df = n.saturating_sub(k) as f64;
            let mut m = vec![0.0; k * k];
            let mut q = vec![0.0; k];
            for (i, &e) in residuals.iter().enumerate() {
                for (r, &j) in qr.kept.iter().enumerate() {
                    q[r] = a[j][i] * scale[j];
                }
                qr.solve_rt(&mut q);
                let h: f64 = q.iter().map(|v| v * v).sum();
                let omega = e
                    * e
                    * match cov {
                        CovType::HC1 => n as f64 / df,
                        CovType::HC2 => 1.0 / (1.0 - h),
                        CovType::HC3 => 1.0 / ((1.0 - h) * (1.0 - h)),
                        _ => 1.0,
                    };
                for r in 0..k {
                    for c in 0..k {
                        m[r * k + c] += omega * q[r] * q[c];
                    }
                }
            }
            m
        }
    };
    // R⁻¹·middle·R⁻ᵀ, then S on both sides into θ's layout.
    let rinv_at = |r: usize, c: usize| rinv[c][r];
    let mut out = vec![0.0; p * p];
    for (a_i, &ja) in qr.kept.iter().enumerate() {
        for (b_i, &jb) in qr.kept.iter().enumerate() {
            let mut sum = 0.0;
            for u in 0..k {
                let left = rinv_at(a_i, u);
                if left == 0.0 {
                    continue;
                }
                for v in 0..k {
                    sum += left * middle[u * k + v] * rinv_at(b_i, v);
                }
            }
            out[ja * p + jb] = scale[ja] * scale[jb] * sum;
        }
    }
    out
}

/// σmax/σmin of A (unscaled): the singular values of R·S⁻¹, which has
/// A's singular values since Q₁ has orthonormal columns. statsmodels'
/// `condition_number` is the same ratio (from the singular values of its
/// whitened design). ∞ when a column was dropped: A is then (numerically)
/// singular, and its σmin is rounding noise.
pub(crate) fn condition_number(qr: &Qr, scale: &[f64], p: usize) -> f64 {
    if qr.rank() < p {
        return f64::INFINITY;
    }
    let columns = qr
        .r_columns()
        .into_iter()
        .zip(&qr.kept)
        .map(|(c, &j)| c.into_iter().map(|v| v / scale[j]).collect())
        .collect();
    let s = singular_values(columns);
    match s.last() {
        Some(&min) if min > 0.0 => s[0] / min,
        _ => f64::INFINITY,
    }
}
