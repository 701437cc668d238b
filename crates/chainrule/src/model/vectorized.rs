//! Mode `vectorized`: the batch as matrices. Z1 = X·θ + θ0, Z2 = Y − Z1,
//! L = Z2∘Z2, J = mean(L); backward multiplies the Jacobians
//! ∂J/∂L = (1/n)·1ᵀ, ∂L/∂Z2 = diag(2·Z2), ∂Z2/∂Z1 = −I, ∂Z1/∂θ = X.
//!
//! `step` runs the graph node by node (what traces show); `cost_and_grad`,
//! what training calls, runs the same graph compiled (`graph::Compiled`):
//! one blocked pass, the same bits, nothing n-sized written.

use super::per_size::{BatchGraph, PerBatchSize};
use super::{Batch, LinearModel};
use crate::graph::{Compiled, Graph, GraphError, NodeId, Shape};

pub struct VectorizedGraph {
    pub graph: Graph,
    pub x: NodeId,
    pub y: NodeId,
    /// The weights θ1..θd as one vector node.
    pub w: NodeId,
    pub theta0: Option<NodeId>,
    pub z1: NodeId,
    pub z2: NodeId,
    pub l: NodeId,
    pub j: NodeId,
    pub n: usize,
    model: LinearModel,
    /// The graph as one blocked pass (every vectorized graph of n ≥ 1 rows
    /// qualifies; `None` runs `step` instead).
    compiled: Option<Compiled>,
}

impl VectorizedGraph {
    /// The graph for batches of exactly `n` ≥ 1 rows.
    pub fn new(model: &LinearModel, n: usize) -> Result<Self, GraphError> {
        let d = model.d;
        let mut g = Graph::new();
        let x = g.input("X", Shape::Matrix(n, d))?;
        let y = g.input("Y", Shape::Vector(n))?;
        let w = g.param("θ", Shape::Vector(d), &vec![0.0; d])?;
        let xw = g.matvec(x, w)?;
        let (z1, theta0) = if model.intercept {
            let t0 = g.param("θ0", Shape::Scalar, &[0.0])?;
            (g.add(xw, t0)?, Some(t0))
        } else {
            (xw, None)
        };
        g.set_name(z1, "Z1");
        let z2 = g.sub(y, z1)?;
        g.set_name(z2, "Z2");
        let l = g.square(z2)?;
        g.set_name(l, "L");
        let j = g.mean(l)?;
        g.set_name(j, "J");
        let compiled = Compiled::new(&g, j, n).ok();
        Ok(VectorizedGraph {
            graph: g,
            x,
            y,
            w,
            theta0,
            z1,
            z2,
            l,
            j,
            n,
            model: *model,
            compiled,
        })
    }

    /// Forward and backward for a batch of n rows at θ.
    pub fn step(&mut self, batch: Batch<'_>, theta: &[f64]) {
        let (t0, w) = self.model.split(theta);
        let g = &mut self.graph;
        g.set(self.x, batch.x).expect("batch has n rows of d");
        g.set(self.y, batch.y).expect("batch has n targets");
        g.set(self.w, w).expect("θ has d weights");
        if let Some(id) = self.theta0 {
            g.value_mut(id).expect("θ0 is a leaf")[0] = t0;
        }
        g.forward();
        g.backward(self.j).expect("J is a scalar");
    }

    /// `step` as one blocked pass, reading the batch where it lies: the
    /// same J and ∂J/∂θ to the bit; the n-sized nodes (Z1, Z2, L) are not
    /// written.
    pub fn step_compiled(&mut self, batch: Batch<'_>, theta: &[f64]) {
        let Some(compiled) = &mut self.compiled else {
            return self.step(batch, theta);
        };
        let (t0, w) = self.model.split(theta);
        let g = &mut self.graph;
        g.set(self.w, w).expect("θ has d weights");
        if let Some(id) = self.theta0 {
            g.value_mut(id).expect("θ0 is a leaf")[0] = t0;
        }
        let feeds = [(self.x, batch.x), (self.y, batch.y)];
        compiled.run(g, &feeds).expect("the batch has n rows of d");
    }

    /// ∂J/∂θ in θ's layout (θ0 first when there is one).
    pub fn write_grad(&self, grad: &mut [f64]) {
        let g = &self.graph;
        let w = g.grad(self.w).expect("θ is a param");
        match self.theta0 {
            Some(t0) => {
                grad[0] = g.grad(t0).expect("θ0 is a param")[0];
                grad[1..].copy_from_slice(w);
            }
            None => grad.copy_from_slice(w),
        }
    }
}

/// Vectorized graphs for each batch size met so far.
pub type Vectorized = PerBatchSize<VectorizedGraph>;

impl BatchGraph for VectorizedGraph {
    fn build(model: &LinearModel, n: usize) -> Result<Self, GraphError> {
        VectorizedGraph::new(model, n)
    }

    fn size(&self) -> usize {
        self.n
    }

    fn cost_and_grad(&mut self, batch: Batch<'_>, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.step_compiled(batch, theta);
        self.write_grad(grad);
        self.graph.value(self.j)[0]
    }
}
