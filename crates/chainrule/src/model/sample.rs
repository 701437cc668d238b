//! Mode `sample`: the one-sample scalar graph, the derivation's first case.
//! For one sample J is L.

use super::branch::{Branch, ThetaNodes};
use super::{Batch, Gradient, LinearModel};
use crate::graph::{Graph, GraphError, NodeId};

pub struct SampleGraph {
    pub graph: Graph,
    pub theta: ThetaNodes,
    pub branch: Branch,
}

impl SampleGraph {
    pub fn new(model: &LinearModel) -> Result<Self, GraphError> {
        let mut graph = Graph::new();
        let theta = ThetaNodes::new(&mut graph, model)?;
        let branch = Branch::build(&mut graph, model, &theta, "")?;
        Ok(SampleGraph {
            graph,
            theta,
            branch,
        })
    }

    /// The node backward starts from: L.
    pub fn root(&self) -> NodeId {
        self.branch.l
    }

    /// Forward and backward for one row at θ.
    pub fn step(&mut self, row: &[f64], y: f64, theta: &[f64]) {
        self.theta.set(&mut self.graph, theta);
        self.branch.load(&mut self.graph, row, y);
        self.graph.forward();
        self.graph.backward(self.branch.l).expect("L is a scalar");
    }
}

impl Gradient for SampleGraph {
    /// One row is the derivation's case. A longer batch is walked a row at a
    /// time and the per-row L and ∂L/∂θ averaged, which is J and ∂J/∂θ.
    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        grad.fill(0.0);
        let mut j = 0.0;
        for i in 0..batch.len() {
            self.step(batch.row(i), batch.y[i], theta);
            j += self.graph.value(self.branch.l)[0];
            self.theta.add_grad(&self.graph, grad);
        }
        let n = batch.len() as f64;
        grad.iter_mut().for_each(|g| *g /= n);
        j / n
    }
}
