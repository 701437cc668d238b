//! Orthogonal polynomials over the data, as R's `poly(x, k)` makes them.
//!
//! R's basis for `poly(x, k)` is the monic polynomials p0 = 1, p1, …, pk
//! orthogonal over the sample points (Σᵢ pⱼ(xᵢ)·pₗ(xᵢ) = 0 for j ≠ l),
//! each divided by its norm, p0 left out. They obey the three-term
//! recurrence (Stieltjes; Forsythe 1957)
//!
//! ```text
//! p1 = x − α0
//! p(k+1) = (x − αk)·pk − (‖pk‖² / ‖p(k−1)‖²)·p(k−1)
//! αk = Σ x·pk² / ‖pk‖²
//! ```
//!
//! and R stores exactly these numbers with a fitted model (`attr(, "coefs")`:
//! `alpha` = α0 … α(k−1) and `norm2` = 1, ‖p0‖² = n, ‖p1‖², …, ‖pk‖²), so
//! that `predict` evaluates the same basis at new x by the recurrence.
//! R finds them through a QR factorization of the centred powers; the
//! recurrence gives the same numbers up to rounding, and the same basis for
//! the fitted rows and for new rows. The sums are in double-double, since
//! ‖pk‖² and Σ x·pk² are sums of n squares.

use serde::{Deserialize, Serialize};

use super::Dd;

/// R's `coefs` of a `poly(x, k)` fit: enough to evaluate the basis
/// anywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrthoPoly {
    /// α0 … α(k−1).
    pub alpha: Vec<f64>,
    /// 1, n, ‖p1‖², …, ‖pk‖² (k + 2 numbers; the leading 1 is R's).
    pub norm2: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrthoPolyError {
    #[error("poly() needs a degree of at least 1")]
    ZeroDegree,
    /// As R: "'degree' must be less than number of unique points".
    #[error(
        "poly() of degree {degree} needs at least {} distinct values, but the column has \
         {distinct}; lower the degree",
        degree + 1
    )]
    TooFewPoints { degree: usize, distinct: usize },
}

impl OrthoPoly {
    /// The basis of degree `degree` over the points `x` (finite).
    pub fn fit(x: &[f64], degree: usize) -> Result<OrthoPoly, OrthoPolyError> {
        if degree == 0 {
            return Err(OrthoPolyError::ZeroDegree);
        }
        let distinct = distinct_values(x);
        if distinct <= degree {
            return Err(OrthoPolyError::TooFewPoints { degree, distinct });
        }
        let n = x.len();
        let mut alpha = Vec::with_capacity(degree);
        let mut norm2 = vec![1.0, n as f64];
        let mut previous = vec![0.0; n];
        let mut current = vec![1.0; n];
        for k in 0..degree {
            let (mut xpp, mut pp) = (Dd::default(), Dd::default());
            for (&xi, &pi) in x.iter().zip(&current) {
                let p2 = pi * pi;
                xpp.add_product(xi, p2);
                pp.add_product(pi, pi);
            }
            let a = xpp.value() / pp.value();
            alpha.push(a);
            // p(k+1) from pk and p(k−1); the ratio is 0 for k = 0.
            let ratio = if k == 0 { 0.0 } else { norm2[k + 1] / norm2[k] };
            for ((p_prev, p_cur), &xi) in previous.iter_mut().zip(current.iter_mut()).zip(x) {
                let next = (xi - a) * *p_cur - ratio * *p_prev;
                *p_prev = *p_cur;
                *p_cur = next;
            }
            let mut norm = Dd::default();
            for &pi in &current {
                norm.add_product(pi, pi);
            }
            norm2.push(norm.value());
        }
        Ok(OrthoPoly { alpha, norm2 })
    }

    pub fn degree(&self) -> usize {
        self.alpha.len()
    }

    /// The k basis values at `x` into `out` (length k), by R's recurrence.
    pub fn eval_into(&self, x: f64, out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.degree());
        let (mut previous, mut current) = (1.0, x - self.alpha[0]);
        out[0] = current;
        for (i, slot) in out.iter_mut().enumerate().skip(1) {
            let next =
                (x - self.alpha[i]) * current - (self.norm2[i + 1] / self.norm2[i]) * previous;
            previous = current;
            current = next;
            *slot = current;
        }
        for (i, v) in out.iter_mut().enumerate() {
            *v /= self.norm2[i + 2].sqrt();
        }
    }

    /// The basis at every point of `x`: n rows of k values, row-major.
    pub fn basis(&self, x: &[f64]) -> Vec<f64> {
        let k = self.degree();
        let mut out = vec![0.0; x.len() * k];
        for (row, &xi) in out.chunks_exact_mut(k).zip(x) {
            self.eval_into(xi, row);
        }
        out
    }
}

fn distinct_values(x: &[f64]) -> usize {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    sorted.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poly_of_one_to_five_is_rs_basis_derived_by_hand() {
        // x = 1..5: α0 = mean = 3, p1 = x − 3 = (−2, −1, 0, 1, 2), ‖p1‖² = 10;
        // α1 = Σx·p1²/10 = (4 + 2 + 0 + 4 + 20)/10 = 3;
        // p2 = (x − 3)·p1 − (10/5)·1 = (2, −1, −2, −1, 2), ‖p2‖² = 14.
        // R: poly(1:5, 2) prints these over √10 and √14
        // (−0.6324555, …; 0.5345225, …).
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let p = OrthoPoly::fit(&x, 2).unwrap();
        assert_eq!(p.alpha, vec![3.0, 3.0]);
        assert_eq!(p.norm2, vec![1.0, 5.0, 10.0, 14.0]);
        let b = p.basis(&x);
        let (p1, p2) = ([-2.0, -1.0, 0.0, 1.0, 2.0], [2.0, -1.0, -2.0, -1.0, 2.0]);
        for i in 0..5 {
            assert!((b[2 * i] - p1[i] / 10f64.sqrt()).abs() < 1e-15);
            assert!((b[2 * i + 1] - p2[i] / 14f64.sqrt()).abs() < 1e-15);
        }
    }

    #[test]
    fn columns_are_orthonormal_and_orthogonal_to_the_constant() {
        // Definition of the basis: Bᵀ B = I and Σ bⱼ = 0, on uneven points.
        let x: Vec<f64> = (0..40)
            .map(|i| (i as f64 * 0.37).sin() * 3.0 + 10.0)
            .collect();
        let p = OrthoPoly::fit(&x, 5).unwrap();
        let b = p.basis(&x);
        for j in 0..5 {
            let sum: f64 = b.chunks(5).map(|r| r[j]).sum();
            assert!(sum.abs() < 1e-12, "column {j} sums to {sum}");
            for l in 0..5 {
                let dot: f64 = b.chunks(5).map(|r| r[j] * r[l]).sum();
                let want = if j == l { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "({j},{l}): {dot}");
            }
        }
    }

    #[test]
    fn degree_must_be_below_the_number_of_distinct_points() {
        // R: poly(c(1, 1, 2), 2) stops, "'degree' must be less than number
        // of unique points".
        assert_eq!(
            OrthoPoly::fit(&[1.0, 1.0, 2.0], 2),
            Err(OrthoPolyError::TooFewPoints {
                degree: 2,
                distinct: 2
            })
        );
        assert_eq!(
            OrthoPoly::fit(&[1.0, 2.0], 0),
            Err(OrthoPolyError::ZeroDegree)
        );
        assert!(OrthoPoly::fit(&[1.0, 1.0, 2.0], 1).is_ok());
    }
}
