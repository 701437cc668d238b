//! A batch graph is built for one batch size; a run meets at most two (the
//! batch and the shorter last one). This keeps one graph per size met.

use super::{Batch, Gradient, LinearModel};
use crate::graph::GraphError;

/// A graph that computes J and ∂J/∂θ for batches of one fixed size.
pub trait BatchGraph: Sized {
    fn build(model: &LinearModel, size: usize) -> Result<Self, GraphError>;
    fn size(&self) -> usize;
    /// J for the batch at θ, with ∂J/∂θ written into `grad`.
    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64;
}

pub struct PerBatchSize<G> {
    model: LinearModel,
    graphs: Vec<G>,
}

impl<G: BatchGraph> PerBatchSize<G> {
    /// Builds the graphs for the given batch sizes up front, so that a size
    /// too large for memory is an error here rather than mid-training.
    pub fn new(model: LinearModel, sizes: &[usize]) -> Result<Self, GraphError> {
        let mut me = PerBatchSize {
            model,
            graphs: Vec::new(),
        };
        for &size in sizes {
            me.graph_for(size)?;
        }
        Ok(me)
    }

    pub fn graph_for(&mut self, size: usize) -> Result<&mut G, GraphError> {
        let i = match self.graphs.iter().position(|g| g.size() == size) {
            Some(i) => i,
            None => {
                self.graphs.push(G::build(&self.model, size)?);
                self.graphs.len() - 1
            }
        };
        Ok(&mut self.graphs[i])
    }
}

impl<G: BatchGraph> Gradient for PerBatchSize<G> {
    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.graph_for(batch.len())
            .expect("graphs for the trainer's batch sizes are built up front")
            .cost_and_grad(batch, theta, grad)
    }
}
