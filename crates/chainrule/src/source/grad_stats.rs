//! The gradient's mergeable value is the fused kernel's [`GradStats`]
//! (`src/kernel/stats.rs`): (count, Σ L, Σ ∂L/∂θ), merged by adding. This
//! file only adapts it to a [`Batch`] and a [`LinearModel`].

use crate::kernel::FusedKernel;
pub use crate::kernel::GradStats;
use crate::model::{Batch, LinearModel};

/// The statistics of `batch` at θ, by the fused kernel (its fixed blocks,
/// on all cores when the batch is long enough).
pub fn block_stats(batch: Batch<'_>, model: &LinearModel, theta: &[f64]) -> GradStats {
    FusedKernel::new(model.d, model.intercept).stats(batch.x, batch.y, theta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_reduce_to_count_cost_and_gradient_sums() {
        // Rows (x, y) = (1, 3) and (2, 5) at θ = (0, 1): z2 = 2 and 3,
        // L = 4 and 9, ∂L/∂θ = −2·z2·(1, x) = (−4, −4) and (−6, −12).
        let model = LinearModel::new(1, true);
        let a = block_stats(Batch::new(&[1.0], &[3.0], 1), &model, &[0.0, 1.0]);
        let b = block_stats(Batch::new(&[2.0], &[5.0], 1), &model, &[0.0, 1.0]);
        assert_eq!((a.j_sum, a.grad_sum.clone()), (4.0, vec![-4.0, -4.0]));
        let mut all = GradStats::empty(2);
        all.merge(&a);
        all.merge(&b);
        // J = (4 + 9)/2, ∂J/∂θ = ((−4 − 6)/2, (−4 − 12)/2).
        assert_eq!(all.finish(), (6.5, vec![-5.0, -8.0]));
    }

    #[test]
    fn without_intercept_theta_is_the_weights() {
        // y = θx at θ = 2 on (x, y) = (1, 1): z2 = −1, L = 1, ∂L/∂θ = −2·z2·x = 2.
        let s = block_stats(
            Batch::new(&[1.0], &[1.0], 1),
            &LinearModel::new(1, false),
            &[2.0],
        );
        assert_eq!((s.count, s.j_sum, s.grad_sum), (1, 1.0, vec![2.0]));
    }
}
