//! A batch as fixed blocks of rows: each block's sums are computed on
//! whichever thread rayon picks, then added in block order on the calling
//! thread. Block boundaries depend only on n (never on the thread count)
//! and the order of the final additions is fixed, so J and ∂J/∂θ are the
//! same bits on 1, 2 or 64 threads, and with or without threads at all.

use super::block::{block_sums, SUM_Z2, SUM_Z2_SQ, SUM_Z2_X};
use super::{Element, GradStats};
use rayon::prelude::*;

/// Rows per block. Fixed, so results do not depend on the thread count;
/// 8192 rows of d = 2 are 192 KiB of f64 — enough work (tens of µs) to
/// amortize a rayon task, small enough for ~1200 tasks at 10^7 rows to
/// balance two threads.
pub const BLOCK_ROWS: usize = 8192;

/// Batches shorter than this run on the calling thread: waking the pool
/// costs more than it saves below it (measured with `cargo bench --bench
/// kernel -- handoff`, see docs/ARCHITECTURE.md). Same blocks either way,
/// so the same bits.
pub const PARALLEL_MIN_ROWS: usize = 4 * BLOCK_ROWS;

/// The fused gradient for y ≈ θ0 + x·w with d features (θ0 only when
/// `intercept`). Keeps its per-block buffer between calls, so steps on
/// batches no longer than the capacity allocate nothing.
#[derive(Clone, Debug)]
pub struct FusedKernel {
    d: usize,
    intercept: bool,
    /// blocks × (d + 2) raw sums, reused.
    partials: Vec<f64>,
    /// The block sums added up: `[Σ z2², Σ z2, Σ z2·x1, …]`.
    total: Vec<f64>,
    parallel_min_rows: usize,
}

impl FusedKernel {
    pub fn new(d: usize, intercept: bool) -> Self {
        Self::with_capacity(d, intercept, 0)
    }

    /// Room for batches of up to `rows` rows, allocated now.
    pub fn with_capacity(d: usize, intercept: bool, rows: usize) -> Self {
        FusedKernel {
            d,
            intercept,
            partials: vec![0.0; rows.div_ceil(BLOCK_ROWS) * (d + 2)],
            total: vec![0.0; d + 2],
            parallel_min_rows: PARALLEL_MIN_ROWS,
        }
    }

    /// Moves the threshold below which batches stay on the calling thread
    /// (for measuring it; the result is the same bits either way).
    pub fn with_parallel_min_rows(mut self, rows: usize) -> Self {
        self.parallel_min_rows = rows;
        self
    }

    pub fn d(&self) -> usize {
        self.d
    }

    pub fn n_params(&self) -> usize {
        self.d + usize::from(self.intercept)
    }

    /// J and ∂J/∂θ (into `grad`, θ's layout) for rows `x` (row-major n × d)
    /// with targets `y` at θ.
    ///
    /// # Panics
    /// When the lengths of `x`, `y`, `theta` or `grad` do not fit d.
    pub fn cost_and_grad_rows<T: Element>(
        &mut self,
        x: &[T],
        y: &[T],
        theta: &[f64],
        grad: &mut [f64],
    ) -> f64 {
        assert_eq!(grad.len(), self.n_params(), "∂J/∂θ has θ's length");
        self.sum(x, y, theta);
        // −2·s is exact, so this is GradStats::finish to the bit.
        let n = y.len() as f64;
        let off = usize::from(self.intercept);
        if self.intercept {
            grad[0] = -2.0 * self.total[SUM_Z2] / n;
        }
        for (g, s) in grad[off..].iter_mut().zip(&self.total[SUM_Z2_X..]) {
            *g = -2.0 * s / n;
        }
        self.total[SUM_Z2_SQ] / n
    }

    /// The rows' mergeable summary (count, Σ L, Σ ∂L/∂θ) at θ.
    pub fn stats<T: Element>(&mut self, x: &[T], y: &[T], theta: &[f64]) -> GradStats {
        self.sum(x, y, theta);
        let t = &self.total;
        let intercept = self.intercept.then_some(t[SUM_Z2]);
        GradStats {
            count: y.len() as u64,
            j_sum: t[SUM_Z2_SQ],
            grad_sum: intercept
                .iter()
                .chain(&t[SUM_Z2_X..])
                .map(|s| -2.0 * s)
                .collect(),
        }
    }

    /// Fills `total` with the raw sums of all rows.
    fn sum<T: Element>(&mut self, x: &[T], y: &[T], theta: &[f64]) {
        let (d, n) = (self.d, y.len());
        assert_eq!(x.len(), n * d, "x has n rows of d = {d}");
        assert_eq!(theta.len(), self.n_params(), "θ has d (+1) entries");
        let (t0, w) = if self.intercept {
            (theta[0], &theta[1..])
        } else {
            (0.0, theta)
        };
        if n <= BLOCK_ROWS {
            // One block: its sums are the total (no buffer, no threads).
            block_sums(x, y, t0, w, &mut self.total);
        } else {
            self.sum_blocks(x, y, t0, w);
        }
    }

    /// `sum` for more than one block, kept out of line so that mini-batch
    /// steps do not carry its code.
    #[inline(never)]
    fn sum_blocks<T: Element>(&mut self, x: &[T], y: &[T], t0: f64, w: &[f64]) {
        let (d, n, width) = (self.d, y.len(), self.d + 2);
        let blocks = n.div_ceil(BLOCK_ROWS);
        if self.partials.len() < blocks * width {
            self.partials.resize(blocks * width, 0.0);
        }
        let parts = &mut self.partials[..blocks * width];
        let job = |(b, out): (usize, &mut [f64])| {
            let (lo, hi) = (b * BLOCK_ROWS, ((b + 1) * BLOCK_ROWS).min(n));
            block_sums(&x[lo * d..hi * d], &y[lo..hi], t0, w, out);
        };
        if n < self.parallel_min_rows || rayon::current_num_threads() == 1 {
            parts.chunks_mut(width).enumerate().for_each(job);
        } else {
            parts.par_chunks_mut(width).enumerate().for_each(job);
        }
        let (first, rest) = parts.split_at(width);
        self.total.copy_from_slice(first);
        for block in rest.chunks_exact(width) {
            for (t, s) in self.total.iter_mut().zip(block) {
                *t += s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_finish_to_the_same_bits_as_cost_and_grad() {
        let n = 2 * BLOCK_ROWS + 3;
        let x: Vec<f64> = (0..n * 2).map(|i| (i as f64 * 0.37).sin()).collect();
        let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
        let theta = [0.3, -0.7, 1.1];
        let mut k = FusedKernel::new(2, true);
        let mut grad = [0.0; 3];
        let j = k.cost_and_grad_rows(&x, &y, &theta, &mut grad);
        assert_eq!(k.stats(&x, &y, &theta).finish(), (j, grad.to_vec()));
    }
}
