//! What every operation provides, in one place per op: its output shape, its
//! forward value, its vector-Jacobian product, its explicit Jacobian, and
//! how the derivation writes the op and its local partials.
//!
//! Ops see only their own inputs and output. The engine does the chain rule:
//! it hands each op the upstream gradient ∂root/∂out and the op adds
//! upstreamᵀ·∂out/∂input into the input's gradient.

use super::sum::RowSums;
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

/// How a compiled pass (`compiled.rs`) may evaluate an op over a block of
/// rows instead of the whole tensor at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowRule {
    /// Only node by node.
    Whole,
    /// Row k of the output reads row k of each row-indexed input and the
    /// whole of the others: `forward` and `vjp` give the same numbers on any
    /// block of rows as on all of them, and `vjp_rows` gives the per-row
    /// terms of the gradient into an input that is not row-indexed.
    Rowwise,
    /// out = Σ over the rows of the input, times `scale`; ∂out/∂x_k = scale.
    Sum { scale: f64 },
}

pub trait Op: Debug + Send + Sync {
    /// Short name shown in traces and drawings: `add`, `matvec`, `pow(2)`.
    fn name(&self) -> String;

    /// Number of inputs (0 for leaves, 1 or 2 otherwise).
    fn arity(&self) -> usize;

    /// Output shape for the given input shapes, or why they do not fit.
    fn shape(&self, sa: Shape, sb: Shape) -> Result<Shape, GraphError>;

    /// out = op(inputs). `out` has the length of `shape(..)`.
    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]);

    /// grad += upstreamᵀ · ∂out/∂input_i, without materializing the Jacobian.
    fn vjp(&self, i: usize, x: &Inputs<'_>, out: &[f64], upstream: &[f64], grad: &mut [f64]);

    /// How a compiled pass may run this op, given which inputs are
    /// row-indexed (`rows[i]`) and the inputs' whole shapes.
    fn row_rule(&self, _rows: [bool; 2], _sa: Shape, _sb: Shape) -> RowRule {
        RowRule::Whole
    }

    /// For a `Rowwise` op and an input i read whole (not row-indexed): adds,
    /// for each row k of `out`, upstream_k·∂out_k/∂input_i to `sums` (one
    /// quantity per element of input i). `vjp` adds the sum of these terms
    /// over all rows, in `sum.rs`'s order, so a compiled pass that feeds the
    /// same rows block by block gets the same bits.
    fn vjp_rows(&self, _i: usize, _x: &Inputs<'_>, _out: &[f64], _up: &[f64], _sums: &mut RowSums) {
        unreachable!("vjp_rows is called only on ops whose row_rule is Rowwise")
    }

    /// The explicit Jacobian ∂out/∂input_i, for explaining and for tests.
    fn jacobian(&self, i: usize, x: &Inputs<'_>, out: &[f64]) -> Jacobian;

    /// How the derivation writes out = op(inputs); None: by the node's name.
    fn notation(&self) -> Option<Notation> {
        None
    }

    /// How it writes ∂out/∂input_i, for inputs of shapes `sa`, `sb`.
    fn partial_notation(&self, _i: usize, _sa: Shape, _sb: Shape) -> Partial {
        Partial::Unstated
    }
}
