//! Leaves: inputs (data, set before each forward), params (what training
//! moves; they collect gradients) and constants. They compute nothing.

use crate::graph::{GraphError, Inputs, Jacobian, Op, Shape};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeafKind {
    Input,
    Param,
    Constant,
}

#[derive(Debug)]
pub struct Leaf {
    pub kind: LeafKind,
    pub shape: Shape,
}

impl Op for Leaf {
    fn name(&self) -> String {
        match self.kind {
            LeafKind::Input => "input",
            LeafKind::Param => "param",
            LeafKind::Constant => "constant",
        }
        .to_string()
    }

    fn arity(&self) -> usize {
        0
    }

    fn shape(&self, _: Shape, _: Shape) -> Result<Shape, GraphError> {
        Ok(self.shape)
    }

    fn forward(&self, _: &Inputs<'_>, _: &mut [f64]) {}

    fn vjp(&self, _: usize, _: &Inputs<'_>, _: &[f64], _: &[f64], _: &mut [f64]) {}

    fn jacobian(&self, _: usize, _: &Inputs<'_>, out: &[f64]) -> Jacobian {
        Jacobian::zeros(out.len(), 0)
    }
}
