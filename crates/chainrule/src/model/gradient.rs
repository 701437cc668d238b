//! One interface for every way of computing ∂J/∂θ, so the trainer cannot
//! tell (and need not care) whether the number came from a scalar graph, an
//! unrolled graph, a matrix graph or a fused kernel.

/// Rows of a design matrix with their targets: `x` is row-major
/// `len()` × `d`, `y` has one entry per row.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub d: usize,
}

impl<'a> Batch<'a> {
    pub fn new(x: &'a [f64], y: &'a [f64], d: usize) -> Self {
        debug_assert_eq!(x.len(), y.len() * d);
        Batch { x, y, d }
    }

    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Rows `start..end` as a batch of their own.
    pub fn slice(&self, start: usize, end: usize) -> Batch<'a> {
        Batch {
            x: &self.x[start * self.d..end * self.d],
            y: &self.y[start..end],
            d: self.d,
        }
    }
}

pub trait Gradient {
    /// The cost J = mean over the batch of L = (y − z1)², and ∂J/∂θ written
    /// into `grad` (same layout as `theta`: θ0 first when the model has an
    /// intercept, then θ1..θd).
    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64;
}
