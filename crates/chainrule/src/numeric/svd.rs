//! Singular values of a small square matrix by one-sided Jacobi
//! (Hestenes): plane rotations of column pairs until every pair is
//! orthogonal; the column norms are then the singular values. Slower than
//! bidiagonalization, but a dozen lines, and it finds small singular values
//! to high relative accuracy (Demmel & Veselić 1992), which a condition
//! number needs.

/// The singular values of the matrix whose columns are `columns` (each of
/// the same length), largest first.
pub fn singular_values(mut columns: Vec<Vec<f64>>) -> Vec<f64> {
    let p = columns.len();
    for _sweep in 0..60 {
        let mut rotated = false;
        for i in 0..p {
            for j in i + 1..p {
                let (left, right) = columns.split_at_mut(j);
                let (u, v) = (&mut left[i], &mut right[0]);
                let alpha: f64 = u.iter().map(|x| x * x).sum();
                let beta: f64 = v.iter().map(|x| x * x).sum();
                let gamma: f64 = u.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                // The rotation that zeroes the pair's off-diagonal Gram entry.
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for (a, b) in u.iter_mut().zip(v.iter_mut()) {
                    let (x, y) = (*a, *b);
                    *a = c * x - s * y;
                    *b = s * x + c * y;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut out: Vec<f64> = columns.iter().map(|c| super::qr::norm(c)).collect();
    out.sort_by(|a, b| b.total_cmp(a));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_closed_form() {
        // A = [[3, 0], [4, 5]] (columns [3, 4] and [0, 5]): AᵀA = [[25, 20],
        // [20, 25]] has eigenvalues 45 and 5, so σ = √45, √5.
        let s = singular_values(vec![vec![3.0, 4.0], vec![0.0, 5.0]]);
        assert!((s[0] - 45f64.sqrt()).abs() < 1e-14 && (s[1] - 5f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn a_diagonal_matrix_keeps_its_entries() {
        let s = singular_values(vec![vec![1e-12, 0.0], vec![0.0, 7.0]]);
        assert_eq!(s, [7.0, 1e-12]);
    }
}
