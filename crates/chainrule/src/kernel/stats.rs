//! What one block of rows contributes to J and ∂J/∂θ, as a value that merges.
//!
//! J = (1/n)·Σ L and ∂J/∂θ = (1/n)·Σ ∂L/∂θ are means of per-row terms, so a
//! block is summarized by (count, Σ L, Σ ∂L/∂θ) and two blocks combine by
//! adding the three. Threads, file chunks and cluster nodes all merge this
//! way; only the final division by the count happens once, in `finish`.
//! Float addition is not associative: merging the same blocks in the same
//! order gives the same bits, a different order agrees only to rounding.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_and_finish_divides_once() {
        // Rows (x, y) = (1, 3) and (2, 5) at θ = (0, 1): z2 = 2 and 3,
        // L = 4 and 9, ∂L/∂θ = −2·z2·(1, x) = (−4, −4) and (−6, −12).
        let a = GradStats {
            count: 1,
            j_sum: 4.0,
            grad_sum: vec![-4.0, -4.0],
        };
        let b = GradStats {
            count: 1,
            j_sum: 9.0,
            grad_sum: vec![-6.0, -12.0],
        };
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
}
