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
use crate::numeric::{Dd, Qr};

/// Refinement steps of (AᵀA)⁻¹. Measured worst standard-error LRE against
/// the exact answer for the f64 data (tests/lib/nist_fit.rs), 0 → 1 → 2 → 3
/// steps: Filip 7.4 → 12.8 → 13.5 → 13.6, Longley 14.4 → 15, Wampler3–5
/// 13.5 → 15 (plain R⁻¹R⁻ᵀ with 1/‖A_j‖ scaling, before: 7.1, 12.7, 13.4).
const INVERSE_STEPS: usize = 2;

/// The design in the scaled space, A·S with A's low parts (`FitOptions::x_lo`).
pub(crate) struct Scaled<'a> {
    pub a: &'a [Vec<f64>],
    pub a_lo: Option<&'a [Vec<f64>]>,
    pub scale: &'a [f64],
}

/// (A_sᵀA_s)⁻¹ over the kept columns (k × k row-major, A_s = A·S), by
/// corrected semi-normal equations: z = R⁻¹R⁻ᵀ·e_c, then z += R⁻¹R⁻ᵀ·(e_c −
/// A_sᵀ(A_s·z)) with the products in double-double (Björck 1987). The plain
/// R⁻¹R⁻ᵀ is off by ≈ κ²ε, which is Filip's 7 digits; each step multiplies
/// that error by ≈ κ²ε again.
fn inverse_gram(qr: &Qr, m: &Scaled<'_>) -> Vec<f64> {
    let k = qr.rank();
    let n = m.a.first().map_or(0, Vec::len);
    let solve = |v: &mut [f64]| {
        qr.solve_rt(v);
        qr.solve_r(v);
    };
    let mut out = vec![0.0; k * k];
    for c in 0..k {
        let mut z = vec![0.0; k];
        z[c] = 1.0;
        solve(&mut z);
        for _ in 0..INVERSE_STEPS {
            // v = A_s·z per row, kept in double-double.
            let mut v = vec![Dd::default(); n];
            for (r, &j) in qr.kept.iter().enumerate() {
                let t = z[r] * m.scale[j];
                for (vi, &x) in v.iter_mut().zip(&m.a[j]) {
                    vi.add_product(x, t);
                }
                if let Some(lo) = m.a_lo {
                    for (vi, &x) in v.iter_mut().zip(&lo[j]) {
                        vi.add_product(x, t);
                    }
                }
            }
            // e_c − A_sᵀ·v.
            let mut residual: Vec<f64> = qr
                .kept
                .iter()
                .enumerate()
                .map(|(r, &j)| {
                    let mut acc = Dd {
                        hi: if r == c { 1.0 } else { 0.0 },
                        lo: 0.0,
                    };
                    let s = m.scale[j];
                    for (x, vi) in m.a[j].iter().zip(&v) {
                        acc.add_product(-x * s, vi.hi);
                        acc.add_product(-x * s, vi.lo);
                    }
                    if let Some(lo) = m.a_lo {
                        for (x, vi) in lo[j].iter().zip(&v) {
                            acc.add_product(-x * s, vi.hi);
                        }
                    }
                    acc.value()
                })
                .collect();
            solve(&mut residual);
            z.iter_mut().zip(&residual).for_each(|(a, b)| *a += b);
        }
        for r in 0..k {
            out[r * k + c] = z[r];
        }
    }
    // Symmetric by definition; average away the last rounding.
    for r in 0..k {
        for c in r + 1..k {
            let mean = 0.5 * (out[r * k + c] + out[c * k + r]);
            out[r * k + c] = mean;
            out[c * k + r] = mean;
        }
    }
    out
}

/// Cov(θ), p × p row-major, 0 in rows and columns of dropped columns.
/// `residuals` are y − A·θ of the (weighted) rows; `sigma2` = RSS/(n − rank).
pub(crate) fn cov_params(
    qr: &Qr,
    m: &Scaled<'_>,
    residuals: &[f64],
    sigma2: f64,
    cov: CovType,
) -> Vec<f64> {
    let (a, scale) = (m.a, m.scale);
    let p = a.len();
    if cov == CovType::Nonrobust {
        let inverse = inverse_gram(qr, m);
        let k = qr.rank();
        let mut out = vec![0.0; p * p];
        for (r, &ja) in qr.kept.iter().enumerate() {
            for (c, &jb) in qr.kept.iter().enumerate() {
                out[ja * p + jb] = sigma2 * scale[ja] * scale[jb] * inverse[r * k + c];
            }
        }
        return out;
    }
    let k = qr.rank();
    let n = residuals.len();
    let rinv = qr.r_inverse_columns();
    // middle = Σ ωᵢ qᵢqᵢᵀ (k × k).
    let middle: Vec<f64> = {
        {
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
