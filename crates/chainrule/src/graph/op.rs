//! What every operation provides, in one place per op: its output shape, its
//! forward value, its vector-Jacobian product, its explicit Jacobian, and
//! how the derivation writes the op and its local partials.
//!
//! Ops see only their own inputs and output. The engine does the chain rule:
//! it hands each op the upstream gradient ∂root/∂out and the op adds
//! upstreamᵀ·∂out/∂input into the input's gradient.

use super::{GraphError, Notation, Partial, Shape};
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// The values and shapes of an op's inputs (`b` is empty for unary ops).
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    pub a: &'a [f64],
    pub b: &'a [f64],
    pub sa: Shape,
    pub sb: Shape,
}

impl<'a> Inputs<'a> {
    pub fn get(&self, i: usize) -> (&'a [f64], Shape) {
        if i == 0 {
            (self.a, self.sa)
        } else {
            (self.b, self.sb)
        }
    }
}

/// A dense Jacobian ∂out/∂input: `rows` = output length, `cols` = input
/// length, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jacobian {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Jacobian {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Jacobian {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f64) {
        self.data[r * self.cols + c] = v;
    }

    /// upstreamᵀ · J: the chain-rule product the engine forms from a
    /// materialized Jacobian (tests compare it with the op's `vjp`).
    pub fn vjp(&self, upstream: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.cols];
        for (r, &u) in upstream.iter().enumerate().take(self.rows) {
            for (c, o) in out.iter_mut().enumerate() {
                *o += u * self.get(r, c);
            }
        }
        out
    }
}

pub trait Op: Debug + Send + Sync {
    /// Short name shown in traces and drawings: `add`, `matvec`, `pow(2)`.
    fn name(&self) -> String;

    /// Number of inputs (0 for leaves, 1 or 2 otherwise).
    fn arity(&self) -> usize;

    /// Output shape for the given input shapes, or why they do not fit.
    fn shape(&self, sa: Shape, sb: Shape) -> Result<Shape, GraphError>;

    /// out = op(inputs). `out` has the length of `shape(..)`.
    fn forward(&self, x: Inputs<'_>, out: &mut [f64]);

    /// grad += upstreamᵀ · ∂out/∂input_i, without materializing the Jacobian.
    fn vjp(&self, i: usize, x: Inputs<'_>, out: &[f64], upstream: &[f64], grad: &mut [f64]);

    /// The explicit Jacobian ∂out/∂input_i, for explaining and for tests.
    fn jacobian(&self, i: usize, x: Inputs<'_>, out: &[f64]) -> Jacobian;

    /// How the derivation writes out = op(inputs); None: by the node's name.
    fn notation(&self) -> Option<Notation> {
        None
    }

    /// How it writes ∂out/∂input_i, for inputs of shapes `sa`, `sb`.
    fn partial_notation(&self, _i: usize, _sa: Shape, _sb: Shape) -> Partial {
        Partial::Unstated
    }
}
