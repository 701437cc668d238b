//! Mode `unrolled`: a mini-batch of k samples as k scalar branches that share
//! the θ nodes and meet in J = (L(1) + … + L(k)) / k. θ's gradient is the
//! sum of what flows back along each branch — gradient accumulation, seen.

use super::branch::{Branch, ThetaNodes};
use super::per_size::{BatchGraph, PerBatchSize};
use super::{Batch, LinearModel};
use crate::graph::{Graph, GraphError, NodeId, Shape};

pub struct UnrolledGraph {
    pub graph: Graph,
    pub theta: ThetaNodes,
    pub branches: Vec<Branch>,
    pub j: NodeId,
}

impl UnrolledGraph {
    /// The graph for batches of exactly `k` ≥ 1 samples.
    pub fn new(model: &LinearModel, k: usize) -> Result<Self, GraphError> {
        let mut graph = Graph::new();
        let theta = ThetaNodes::new(&mut graph, model)?;
        let branches = (1..=k)
            .map(|i| Branch::build(&mut graph, model, &theta, &format!("({i})")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut total = branches[0].l;
        for b in &branches[1..] {
            total = graph.add(total, b.l)?;
        }
        let count = graph.constant(Shape::Scalar, &[k as f64])?;
        let j = graph.div(total, count)?;
        graph.set_name(j, "J");
        Ok(UnrolledGraph {
            graph,
            theta,
            branches,
            j,
        })
    }

    pub fn k(&self) -> usize {
        self.branches.len()
    }

    /// Forward and backward for a batch of k rows at θ.
    pub fn step(&mut self, batch: Batch<'_>, theta: &[f64]) {
        self.theta.set(&mut self.graph, theta);
        for (i, b) in self.branches.iter().enumerate() {
            b.load(&mut self.graph, batch.row(i), batch.y[i]);
        }
        self.graph.forward();
        self.graph.backward(self.j).expect("J is a scalar");
    }
}

/// Unrolled graphs for each batch size met so far.
pub type Unrolled = PerBatchSize<UnrolledGraph>;

impl BatchGraph for UnrolledGraph {
    fn build(model: &LinearModel, k: usize) -> Result<Self, GraphError> {
        UnrolledGraph::new(model, k)
    }

    fn size(&self) -> usize {
        self.k()
    }

    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.step(batch, theta);
        grad.fill(0.0);
        self.theta.add_grad(&self.graph, grad);
        self.graph.value(self.j)[0]
    }
}
