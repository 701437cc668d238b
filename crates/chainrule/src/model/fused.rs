//! The fused kernel as a gradient source: the vectorized mode's
//! J = mean((Y − Xθ − θ0)²) and its gradient, without the graph.

use super::{Batch, Gradient};
use crate::kernel::FusedKernel;

impl Gradient for FusedKernel {
    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.cost_and_grad_rows(batch.x, batch.y, theta, grad)
    }
}
