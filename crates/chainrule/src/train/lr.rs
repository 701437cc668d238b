//! The learning rate the cost allows. J(θ) = (1/n)‖y − Aθ‖² with
//! A = [1 | X] has the constant Hessian H = (2/n)·AᵀA; gradient descent is
//! stable for lr < 2/λmax(H) and never goes up for lr ≤ 1/λmax(H).

use crate::model::{Batch, LinearModel};

/// λmax of (2/n)·AᵀA, by power iteration on the p×p Gram matrix (one pass
/// over the data to form it, then work independent of n). Plain sums, as
/// ever: the lessons' learning rates keep their bits (the stopping rule's
/// more accurate sums are `Normal`'s).
pub fn hessian_lambda_max(data: Batch<'_>, model: &LinearModel) -> f64 {
    let p = model.n_params();
    let off = usize::from(model.intercept);
    let n = data.len().max(1) as f64;
    let mut h = vec![0.0; p * p];
    let mut a = vec![0.0; p];
    for i in 0..data.len() {
        if model.intercept {
            a[0] = 1.0;
        }
        a[off..].copy_from_slice(data.row(i));
        for r in 0..p {
            for c in 0..p {
                h[r * p + c] += 2.0 * a[r] * a[c] / n;
            }
        }
    }
    lambda_max(&h, p)
}

/// λmax of a symmetric positive semidefinite p×p matrix `h` (row-major), by
/// power iteration: ‖Hv‖ with ‖v‖ = 1 converges to λmax from below.
pub fn lambda_max(h: &[f64], p: usize) -> f64 {
    let mut v = vec![1.0 / (p as f64).sqrt(); p];
    let mut lambda = 0.0;
    for _ in 0..500 {
        let hv: Vec<f64> = (0..p)
            .map(|r| (0..p).map(|c| h[r * p + c] * v[c]).sum())
            .collect();
        let norm = hv.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return norm;
        }
        let next = norm; // ‖Hv‖ with ‖v‖ = 1 converges to λmax from below
        v = hv.iter().map(|x| x / norm).collect();
        if (next - lambda).abs() <= 1e-12 * next {
            return next;
        }
        lambda = next;
    }
    lambda
}

/// The step `--lr auto` takes, given λmax of the Hessian. Full batch:
/// 1/λmax, so J never goes up. Mini-batches of k rows: also at most
/// 1/(2·max‖aᵢ‖²), which bounds every batch's own Hessian (2/k)·Σ aᵢaᵢᵀ,
/// so no single step can blow up on a batch of outlying rows.
pub fn auto_lr(lambda: f64, data: Batch<'_>, model: &LinearModel, batch: usize) -> f64 {
    let full = 1.0 / lambda;
    if batch >= data.len() {
        return full;
    }
    let widest = (0..data.len())
        .map(|i| {
            let row = data.row(i).iter().map(|x| x * x).sum::<f64>();
            row + f64::from(u8::from(model.intercept))
        })
        .fold(0.0, f64::max);
    full.min(1.0 / (2.0 * widest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_feature_through_origin() {
        // y = θx, x = (1, 2): H = (2/2)·(1 + 4) = 5.
        let (x, y) = ([1.0, 2.0], [0.0, 0.0]);
        let lam = hessian_lambda_max(Batch::new(&x, &y, 1), &LinearModel::new(1, false));
        assert!((lam - 5.0).abs() < 1e-12);
    }

    #[test]
    fn line_matches_closed_form_eigenvalue() {
        // A = [1 x] with x = (0, 1): AᵀA = [[2, 1], [1, 1]], eigenvalues
        // (3 ± √5)/2; H = (2/2)·AᵀA ⇒ λmax = (3 + √5)/2.
        let (x, y) = ([0.0, 1.0], [0.0, 0.0]);
        let lam = hessian_lambda_max(Batch::new(&x, &y, 1), &LinearModel::new(1, true));
        assert!((lam - (3.0 + 5f64.sqrt()) / 2.0).abs() < 1e-9, "{lam}");
    }
}
