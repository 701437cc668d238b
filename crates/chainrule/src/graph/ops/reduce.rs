//! Reductions to a scalar. J = mean of the L(i) is the derivation's cost
//! node: ∂J/∂L(i) = 1/n.

use crate::graph::sum::ordered_sum;
use crate::graph::Mark::{Num, Text};
use crate::graph::{GraphError, Inputs, Jacobian, Notation, Op, Partial, RowRule, Shape};

/// sum (scale 1) or mean (scale 1/n): out = scale·Σ x_k, ∂out/∂x_k = scale.
#[derive(Debug)]
pub struct Reduce {
    pub mean: bool,
}

impl Reduce {
    fn scale(&self, n: usize) -> f64 {
        if self.mean {
            1.0 / n as f64
        } else {
            1.0
        }
    }
}

impl Op for Reduce {
    fn name(&self) -> String {
        if self.mean { "mean" } else { "sum" }.into()
    }

    fn arity(&self) -> usize {
        1
    }

    fn shape(&self, _: Shape, _: Shape) -> Result<Shape, GraphError> {
        Ok(Shape::Scalar)
    }

    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]) {
        out[0] = ordered_sum(x.a) * self.scale(x.a.len());
    }

    fn vjp(&self, _: usize, x: &Inputs<'_>, _: &[f64], upstream: &[f64], grad: &mut [f64]) {
        let local = upstream[0] * self.scale(x.a.len());
        for g in grad.iter_mut() {
            *g += local;
        }
    }

    /// A sum over the rows of a vector; a matrix's elements run across its
    /// rows, so it stays whole.
    fn row_rule(&self, rows: [bool; 2], sa: Shape, _: Shape) -> RowRule {
        match (rows[0], sa) {
            (true, Shape::Vector(n)) => RowRule::Sum {
                scale: self.scale(n),
            },
            _ => RowRule::Whole,
        }
    }

    fn jacobian(&self, _: usize, x: &Inputs<'_>, _: &[f64]) -> Jacobian {
        let n = x.a.len();
        Jacobian {
            rows: 1,
            cols: n,
            data: vec![self.scale(n); n],
        }
    }

    fn notation(&self) -> Option<Notation> {
        Some(if self.mean {
            Notation::call("mean(", "\\operatorname{mean}(")
        } else {
            Notation::call("sum(", "\\operatorname{sum}(")
        })
    }

    /// 1ᵀ, or (1/n)·1ᵀ for the mean of n numbers.
    fn partial_notation(&self, _: usize, sa: Shape, _: Shape) -> Partial {
        Partial::Plain(if self.mean {
            vec![
                Text("(1/", "(1/"),
                Num(sa.len() as f64),
                Text(")·1ᵀ", ") \\cdot \\mathbf{1}^{\\top}"),
            ]
        } else {
            vec![Text("1ᵀ", "\\mathbf{1}^{\\top}")]
        })
    }
}
