//! Householder QR with deferred (dropped) columns.
//!
//! Columns are taken in order. Before column k is reflected into place, the
//! part of it not yet explained by the kept columns before it is measured;
//! if that remainder is at most `tol` times the column's own norm, column k
//! is (numerically) a linear combination of earlier columns and is dropped:
//! no reflector is made for it, and its θ will be 0. This is LINPACK's
//! `dqrdc2` rule (what R's `lm` uses) with the comparison done on the
//! scaled column, so the earliest column of a dependent set survives and
//! the later, redundant one is reported.
//!
//! After `factor`, for kept column `kept[r]`: `R[q][r]` = `a[kept[r]][q]` for
//! q < r, `R[r][r]` = `rdiag[r]`; the Householder vector v_r lives in
//! `a[kept[r]][r..n]`, with H_r = I − `beta[r]`·v_r·v_rᵀ and
//! Q = H_0·H_1·…·H_{rank−1}.

pub struct Qr {
    /// Column-major: `a[j]` is column j (length n).
    a: Vec<Vec<f64>>,
    rdiag: Vec<f64>,
    beta: Vec<f64>,
    /// Columns that got a reflector, in order; `kept.len()` is the rank.
    pub kept: Vec<usize>,
    /// Columns found dependent on earlier ones (or beyond row n).
    pub dropped: Vec<usize>,
}

impl Qr {
    /// Factors the columns `a` (each of length n), dropping any column whose
    /// remainder is ≤ `tol`·(its norm).
    pub fn factor(mut a: Vec<Vec<f64>>, n: usize, tol: f64) -> Qr {
        let p = a.len();
        let mut qr_kept = Vec::new();
        let mut dropped = Vec::new();
        let mut rdiag = Vec::new();
        let mut beta = Vec::new();
        for k in 0..p {
            let r = qr_kept.len();
            let full = norm(&a[k]);
            let rest = norm(&a[k][r.min(n)..]);
            if r == n || rest <= tol * full || full == 0.0 {
                dropped.push(k);
                continue;
            }
            let (left, right) = a.split_at_mut(k + 1);
            let v = &mut left[k][r..];
            let x0 = v[0];
            // α = −sign(x0)·‖x‖ keeps x0 − α free of cancellation.
            let alpha = if x0 >= 0.0 { -rest } else { rest };
            v[0] = x0 - alpha;
            // vᵀv = 2·‖x‖·(‖x‖ + |x0|), so β = 2/vᵀv = 1/(‖x‖·(‖x‖ + |x0|)).
            let b = 1.0 / (rest * (rest + x0.abs()));
            for column in right.iter_mut() {
                reflect(v, b, &mut column[r..]);
            }
            rdiag.push(alpha);
            beta.push(b);
            qr_kept.push(k);
        }
        Qr {
            a,
            rdiag,
            beta,
            kept: qr_kept,
            dropped,
        }
    }

    pub fn rank(&self) -> usize {
        self.kept.len()
    }

    /// y ← Qᵀ·y (length n).
    pub fn apply_qt(&self, y: &mut [f64]) {
        for r in 0..self.rank() {
            reflect(&self.a[self.kept[r]][r..], self.beta[r], &mut y[r..]);
        }
    }

    /// y ← Q·y (length n).
    pub fn apply_q(&self, y: &mut [f64]) {
        for r in (0..self.rank()).rev() {
            reflect(&self.a[self.kept[r]][r..], self.beta[r], &mut y[r..]);
        }
    }

    /// R[q][r] for q ≤ r < rank.
    fn r(&self, q: usize, r: usize) -> f64 {
        if q == r {
            self.rdiag[r]
        } else {
            self.a[self.kept[r]][q]
        }
    }

    /// Solves R·x = c in place (c has length rank; back substitution).
    pub fn solve_r(&self, c: &mut [f64]) {
        for r in (0..self.rank()).rev() {
            let s: f64 = (r + 1..self.rank()).map(|q| self.r(r, q) * c[q]).sum();
            c[r] = (c[r] - s) / self.rdiag[r];
        }
    }

    /// Solves Rᵀ·x = c in place (forward substitution).
    pub fn solve_rt(&self, c: &mut [f64]) {
        for r in 0..self.rank() {
            let s: f64 = (0..r).map(|q| self.r(q, r) * c[q]).sum();
            c[r] = (c[r] - s) / self.rdiag[r];
        }
    }

    /// The columns of R (rank × rank, upper triangular): `out[r][q] = R[q][r]`.
    pub fn r_columns(&self) -> Vec<Vec<f64>> {
        let k = self.rank();
        (0..k)
            .map(|r| {
                (0..k)
                    .map(|q| if q <= r { self.r(q, r) } else { 0.0 })
                    .collect()
            })
            .collect()
    }

    /// Squared row norms of R⁻¹: (RᵀR)⁻¹ has these on its diagonal.
    pub fn inverse_row_norms2(&self) -> Vec<f64> {
        let k = self.rank();
        let mut out = vec![0.0; k];
        // Column c of R⁻¹ solves R·x = e_c; accumulate x_q² into row q.
        for c in 0..k {
            let mut e = vec![0.0; k];
            e[c] = 1.0;
            self.solve_r(&mut e);
            for (o, x) in out.iter_mut().zip(&e) {
                *o += x * x;
            }
        }
        out
    }
}

/// y ← (I − β·v·vᵀ)·y.
fn reflect(v: &[f64], beta: f64, y: &mut [f64]) {
    let s = beta * v.iter().zip(y.iter()).map(|(a, b)| a * b).sum::<f64>();
    for (yi, vi) in y.iter_mut().zip(v) {
        *yi -= s * vi;
    }
}

/// Euclidean norm, scaled so that neither huge nor tiny entries overflow.
pub fn norm(x: &[f64]) -> f64 {
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale * x.iter().map(|v| (v / scale).powi(2)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_a_and_solves_a_square_system() {
        // A = [[2, 1], [1, 3]] (columns [2,1] and [1,3]); A·[1, 2] = [4, 7].
        let qr = Qr::factor(vec![vec![2.0, 1.0], vec![1.0, 3.0]], 2, 1e-12);
        assert_eq!(qr.kept, [0, 1]);
        let mut b = vec![4.0, 7.0];
        qr.apply_qt(&mut b);
        qr.solve_r(&mut b[..2]);
        assert!(
            (b[0] - 1.0).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14,
            "{b:?}"
        );
        // Q is orthogonal: Q·Qᵀ·y = y.
        let mut y = vec![0.3, -1.7];
        qr.apply_qt(&mut y);
        qr.apply_q(&mut y);
        assert!((y[0] - 0.3).abs() < 1e-15 && (y[1] + 1.7).abs() < 1e-15);
    }

    #[test]
    fn drops_a_column_that_repeats_an_earlier_one() {
        // Column 2 = 2·column 0.
        let a = vec![
            vec![1.0, 2.0, 3.0],
            vec![1.0, 0.0, 1.0],
            vec![2.0, 4.0, 6.0],
        ];
        let qr = Qr::factor(a, 3, 1e-12);
        assert_eq!((qr.kept.clone(), qr.dropped.clone()), (vec![0, 1], vec![2]));
    }

    #[test]
    fn drops_columns_beyond_n_rows() {
        let qr = Qr::factor(vec![vec![1.0], vec![2.0], vec![3.0]], 1, 1e-12);
        assert_eq!((qr.kept.clone(), qr.dropped.clone()), (vec![0], vec![1, 2]));
    }
}
