//! The fast path: J and ∂J/∂θ of the linear model with mean squared error
//! in one pass over the rows, on all cores, at memory speed. It computes
//! exactly what the vectorized graph computes (`model/vectorized.rs`), fused
//! into sums so nothing n-sized is ever written:
//!
//! z2 = y − (θ0 + x·w),  J = (1/n)·Σ z2²,  ∂J/∂θ = −(2/n)·Σ z2·[1 | x].
//!
//! `block.rs` is the pass over one block of rows, `fused.rs` splits a batch
//! into fixed blocks for rayon and reduces them in a fixed order, and
//! `stats.rs` is the mergeable summary a block (or a file chunk, or a
//! machine) reduces to. The kernel knows nothing of graphs or models: it
//! reads slices. `model::fused` plugs it into the `Gradient` trait.

pub mod block;
pub mod fused;
pub mod stats;

pub use fused::{FusedKernel, BLOCK_ROWS, PARALLEL_MIN_ROWS};
pub use stats::GradStats;

/// How the data is stored: f64, or f32 to halve the bytes read. Every sum
/// is accumulated in f64 either way.
pub trait Element: Copy + Send + Sync + 'static {
    const NAME: &'static str;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
}

impl Element for f64 {
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

impl Element for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    /// Round to nearest.
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
