//! What one block of rows contributes to J and ∂J/∂θ, as a value that merges.
//!
//! J = (1/n)·Σ L and ∂J/∂θ = (1/n)·Σ ∂L/∂θ are means of per-row terms, so a
//! block is summarized by (count, Σ L, Σ ∂L/∂θ) and two blocks combine by
//! adding the three. File chunks, DataFusion partitions and Ballista
//! executors all merge this way; only the division by the count happens
//! once, in `finish`. Merging the same blocks in the same order gives the
//! same bits; another order agrees to rounding.
//!
//! Placeholder until the fused kernel (issue 5, `src/kernel/stats.rs`) is on
//! main: the same type and API, so the swap is `pub use crate::kernel::GradStats`
//! plus [`add_rows`] calling the kernel. Not a second kernel: one plain loop.

use crate::model::{Batch, LinearModel};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradStats {
    /// Rows summarized.
    pub count: u64,
    /// Σ L = Σ z2² over those rows.
    pub j_sum: f64,
    /// Σ ∂L/∂θ = −2·Σ z2·[1 | x] in θ's layout (θ0 first when the model
    /// has an intercept).
    pub grad_sum: Vec<f64>,
}

impl GradStats {
    /// No rows yet, for `n_params` parameters: the identity of `merge`.
    pub fn empty(n_params: usize) -> Self {
        GradStats {
            count: 0,
            j_sum: 0.0,
            grad_sum: vec![0.0; n_params],
        }
    }

    /// Adds `other`'s rows to these.
    ///
    /// # Panics
    /// When the two disagree on the number of parameters.
    pub fn merge(&mut self, other: &GradStats) {
        assert_eq!(
            self.grad_sum.len(),
            other.grad_sum.len(),
            "merging statistics of models with different θ lengths"
        );
        self.count += other.count;
        self.j_sum += other.j_sum;
        for (a, b) in self.grad_sum.iter_mut().zip(&other.grad_sum) {
            *a += b;
        }
    }

    /// J and ∂J/∂θ (the means); NaN for zero rows, as a mean of nothing is.
    pub fn finish(&self) -> (f64, Vec<f64>) {
        let mut grad = vec![0.0; self.grad_sum.len()];
        let j = self.finish_into(&mut grad);
        (j, grad)
    }

    /// `finish` without allocating: ∂J/∂θ into `grad`, J returned.
    pub fn finish_into(&self, grad: &mut [f64]) -> f64 {
        let n = self.count as f64;
        for (g, s) in grad.iter_mut().zip(&self.grad_sum) {
            *g = s / n;
        }
        self.j_sum / n
    }
}

/// Independent running sums per quantity: one sum waits on the previous add
/// every row; four hide most of that latency (DESIGN.md, "two facts").
const LANES: usize = 4;

/// The statistics of `batch` at θ: z2 = y − z1, Σ z2², −2·Σ z2·[1 | x].
/// Rows go to lane i mod 4 and the lanes are added in a fixed order, so the
/// result depends only on the rows.
pub fn block_stats(batch: Batch<'_>, model: &LinearModel, theta: &[f64]) -> GradStats {
    let d = batch.d;
    let (t0, w) = model.split(theta);
    let mut q = [0.0; LANES];
    let mut s = [0.0; LANES];
    let mut g = vec![[0.0; LANES]; d];
    for i in 0..batch.len() {
        let l = i % LANES;
        let row = batch.row(i);
        let z1 = t0 + row.iter().zip(w).map(|(x, t)| x * t).sum::<f64>();
        let z2 = batch.y[i] - z1;
        q[l] += z2 * z2;
        s[l] += z2;
        for (gj, xj) in g.iter_mut().zip(row) {
            gj[l] += z2 * xj;
        }
    }
    let reduce = |a: [f64; LANES]| (a[0] + a[2]) + (a[1] + a[3]);
    let mut grad_sum = Vec::with_capacity(model.n_params());
    if model.intercept {
        grad_sum.push(-2.0 * reduce(s));
    }
    grad_sum.extend(g.into_iter().map(|gj| -2.0 * reduce(gj)));
    GradStats {
        count: batch.len() as u64,
        j_sum: reduce(q),
        grad_sum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_and_finish_divides_once() {
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
    fn nothing_merged_is_nan() {
        assert!(GradStats::empty(1).finish().0.is_nan());
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
