//! Cov(θ) and the design's condition number, from the QR of A·S (columns
//! scaled by S = diag(s), kept columns only; A = Q₁·R in the scaled space).
//!
//! Classical: Cov(θ) = σ²·S·G⁻¹·S, G = (A·S)ᵀ(A·S) = RᵀR. Sandwich (White
//! 1980; MacKinnon & White 1985): Cov(θ) = S·(Σᵢ ωᵢ·bᵢbᵢᵀ)·S, bᵢ = G⁻¹·(row
//! i of A·S), the leverage hᵢ = (row i)·bᵢ. Both are statsmodels'
//! `cov_params()` for the same `cov_type`, and both come from one G⁻¹
//! refined in double-double (`inverse_gram`), so robust standard errors
//! are as accurate as classical ones (`sandwich`).

use super::CovType;
use crate::numeric::svd::singular_values;
use crate::numeric::{Dd, Qr};

/// Refinement steps of (AᵀA)⁻¹. Measured worst standard-error LRE against
/// the exact answer for the f64 data (tests/lib/nist_fit.rs), 0 → 1 → 2 → 3
/// steps: Filip 7.4 → 12.8 → 13.5 → 13.6, Longley 14.4 → 15, Wampler3–5
/// 13.5 → 15 (plain R⁻¹R⁻ᵀ with 1/‖A_j‖ scaling, before: 7.1, 12.7, 13.4).
/// With z kept in double-double, the third step is what the sandwich needs:
/// Filip's HC2/HC3 against exact_hc.json (tests/lib/nist_hc.rs) 12.0/11.8
/// digits after two steps, 14.8 after three.
const INVERSE_STEPS: usize = 3;

/// The design in the scaled space, A·S with A's low parts (`FitOptions::x_lo`).
pub(crate) struct Scaled<'a> {
    pub a: &'a [Vec<f64>],
    pub a_lo: Option<&'a [Vec<f64>]>,
    pub scale: &'a [f64],
}

/// (A_sᵀA_s)⁻¹ over the kept columns (k × k row-major, A_s = A·S), by
/// corrected semi-normal equations: z = R⁻¹R⁻ᵀ·e_c, then z += R⁻¹R⁻ᵀ·(e_c −
/// G·z) with G = A_sᵀA_s and the product in double-double (Björck 1987).
/// The plain R⁻¹R⁻ᵀ is off by ≈ κ²ε, which is Filip's 7 digits; each step
/// multiplies that error by ≈ κ²ε again. Up to [`GRAM_CONDITION`], G is
/// summed once over the rows in double-double (`gram`), so a step costs k²
/// products, not two passes over the rows; beyond it G·z, which cancels
/// from ≈ κ² down to 1, needs more than G's double-double rounding (2⁻¹⁰⁴
/// relative) and is taken as A_sᵀ(A_s·z), one cancellation of ≈ κ at a
/// time (Filip: 12.7 digits of its standard errors by G, 13.6 by rows). z is
/// kept in double-double (each correction added to it exactly), so the
/// sandwich, which multiplies it by the rows, sees more than its f64
/// rounding (see `sandwich`).
fn inverse_gram(qr: &Qr, m: &Scaled<'_>) -> Vec<Dd> {
    let k = qr.rank();
    let gram = (scaled_condition(qr) <= GRAM_CONDITION).then(|| gram(qr, m));
    let solve = |v: &mut [f64]| {
        qr.solve_rt(v);
        qr.solve_r(v);
    };
    let mut out = vec![Dd::default(); k * k];
    for c in 0..k {
        let mut first = vec![0.0; k];
        first[c] = 1.0;
        solve(&mut first);
        let mut z: Vec<Dd> = first.iter().map(|&v| Dd { hi: v, lo: 0.0 }).collect();
        for _ in 0..INVERSE_STEPS {
            let mut residual = match &gram {
                Some(gram) => residual_by_gram(gram, &z, c),
                None => residual_by_rows(qr, m, &z, c),
            };
            solve(&mut residual);
            z.iter_mut().zip(&residual).for_each(|(a, b)| a.add(*b));
        }
        for r in 0..k {
            out[r * k + c] = z[r];
        }
    }
    // Symmetric by definition; average away the last rounding.
    for r in 0..k {
        for c in r + 1..k {
            let (a, b) = (out[r * k + c], out[c * k + r]);
            let mut mean = a;
            mean.add(b.hi);
            mean.add(b.lo);
            let mean = Dd {
                hi: mean.hi * 0.5,
                lo: mean.lo * 0.5,
            };
            out[r * k + c] = mean;
            out[c * k + r] = mean;
        }
    }
    out
}

/// Largest κ(A·S) for which G·z is taken from G in double-double: its
/// error ≈ κ²·2⁻¹⁰⁴ ≈ 5·10⁻²⁰ of the residual at κ = 10⁶, below f64's.
const GRAM_CONDITION: f64 = 1e6;

/// κ(A·S) = κ(R), from R's singular values.
pub(crate) fn scaled_condition(qr: &Qr) -> f64 {
    let s = singular_values(qr.r_columns());
    match s.last() {
        Some(&min) if min > 0.0 => s[0] / min,
        _ => f64::INFINITY,
    }
}

/// e_c − G·z in double-double, rounded.
fn residual_by_gram(gram: &[Dd], z: &[Dd], c: usize) -> Vec<f64> {
    let k = z.len();
    (0..k)
        .map(|r| {
            let mut acc = Dd {
                hi: if r == c { 1.0 } else { 0.0 },
                lo: 0.0,
            };
            for (g, zt) in gram[r * k..(r + 1) * k].iter().zip(z) {
                acc.add_product(-g.hi, zt.hi);
                acc.add_product(-g.hi, zt.lo);
                acc.add_product(-g.lo, zt.hi);
            }
            acc.value()
        })
        .collect()
}

/// e_c − A_sᵀ(A_s·z), A_s·z per row in double-double, rounded.
fn residual_by_rows(qr: &Qr, m: &Scaled<'_>, z: &[Dd], c: usize) -> Vec<f64> {
    let n = m.a.first().map_or(0, Vec::len);
    let mut v = vec![Dd::default(); n];
    for (r, &j) in qr.kept.iter().enumerate() {
        let s = m.scale[j];
        let (hi, lo) = (z[r].hi * s, z[r].lo * s);
        for (vi, &x) in v.iter_mut().zip(&m.a[j]) {
            vi.add_product(x, hi);
            vi.add_product(x, lo);
        }
        if let Some(a_lo) = m.a_lo {
            for (vi, &x) in v.iter_mut().zip(&a_lo[j]) {
                vi.add_product(x, hi);
            }
        }
    }
    qr.kept
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
        .collect()
}

/// G = A_sᵀA_s over the kept columns (k × k row-major) in double-double,
/// with A's low parts to first order ((A + A_lo)ᵀ(A + A_lo) less the
/// A_loᵀA_lo term, below double-double's precision). S holds powers of two,
/// so scaling a sum is exact.
fn gram(qr: &Qr, m: &Scaled<'_>) -> Vec<Dd> {
    let k = qr.rank();
    let mut out = vec![Dd::default(); k * k];
    for (r, &ja) in qr.kept.iter().enumerate() {
        for (c, &jb) in qr.kept.iter().enumerate().skip(r) {
            let mut acc = Dd::default();
            for (&u, &v) in m.a[ja].iter().zip(&m.a[jb]) {
                acc.add_product(u, v);
            }
            if let Some(lo) = m.a_lo {
                for (&u, &v) in lo[ja].iter().zip(&m.a[jb]) {
                    acc.add_product(u, v);
                }
                for (&u, &v) in m.a[ja].iter().zip(&lo[jb]) {
                    acc.add_product(u, v);
                }
            }
            let ss = m.scale[ja] * m.scale[jb];
            let g = Dd {
                hi: acc.hi * ss,
                lo: acc.lo * ss,
            };
            out[r * k + c] = g;
            out[c * k + r] = g;
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
    let inverse = inverse_gram(qr, m);
    let scaled = match cov {
        CovType::Nonrobust => inverse.iter().map(|v| sigma2 * v.value()).collect(),
        _ => sandwich(qr, m, &inverse, residuals, cov),
    };
    // S on both sides into θ's layout.
    let (k, p, scale) = (qr.rank(), m.a.len(), m.scale);
    let mut out = vec![0.0; p * p];
    for (r, &ja) in qr.kept.iter().enumerate() {
        for (c, &jb) in qr.kept.iter().enumerate() {
            out[ja * p + jb] = scale[ja] * scale[jb] * scaled[r * k + c];
        }
    }
    out
}

/// The sandwich in the scaled space, Σᵢ ωᵢ·bᵢbᵢᵀ with bᵢ = G⁻¹·aᵢ (G =
/// A_sᵀA_s, aᵢ row i of A_s): (AᵀA)⁻¹AᵀΩA(AᵀA)⁻¹ written as a sum of
/// positive semi-definite terms, so the variances add without cancelling.
/// bᵢ comes from the refined G⁻¹ in double-double, its dot products with
/// the row in double-double too: G⁻¹'s entries are large and of both signs
/// on an ill-conditioned design, and bᵢ is their small difference, which
/// G⁻¹ rounded to f64 loses (≈ κ·ε relative; Filip's HC errors had 6–7
/// digits). The leverage hᵢ = aᵢᵀ·bᵢ the same way.
fn sandwich(qr: &Qr, m: &Scaled<'_>, inverse: &[Dd], residuals: &[f64], cov: CovType) -> Vec<f64> {
    let k = qr.rank();
    let n = residuals.len();
    let df = n.saturating_sub(k) as f64;
    let mut out = vec![0.0; k * k];
    let mut row = vec![(0.0, 0.0); k];
    let mut b = vec![0.0; k];
    for (i, &e) in residuals.iter().enumerate() {
        for (r, &j) in qr.kept.iter().enumerate() {
            let lo = m.a_lo.map_or(0.0, |lo| lo[j][i]);
            row[r] = (m.a[j][i] * m.scale[j], lo * m.scale[j]);
        }
        let mut h = Dd::default();
        for r in 0..k {
            let mut acc = Dd::default();
            for (c, &(x, x_lo)) in row.iter().enumerate() {
                let g = inverse[r * k + c];
                acc.add_product(g.hi, x);
                acc.add_product(g.lo, x);
                acc.add_product(g.hi, x_lo);
            }
            h.add_product(acc.hi, row[r].0);
            h.add_product(acc.lo, row[r].0);
            h.add_product(acc.hi, row[r].1);
            b[r] = acc.value();
        }
        let h = h.value();
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
                out[r * k + c] += omega * b[r] * b[c];
            }
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
