//! The shape of a node's value: every tensor in the engine is a scalar, a
//! vector or a row-major matrix stored flat.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Scalar,
    Vector(usize),
    /// rows × columns, row-major.
    Matrix(usize, usize),
}

impl Shape {
    /// Number of f64 elements the value occupies.
    pub fn len(self) -> usize {
        match self {
            Shape::Scalar => 1,
            Shape::Vector(n) => n,
            Shape::Matrix(r, c) => r * c,
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn is_scalar(self) -> bool {
        self == Shape::Scalar
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Scalar => write!(f, "scalar"),
            Shape::Vector(n) => write!(f, "vector[{n}]"),
            Shape::Matrix(r, c) => write!(f, "matrix[{r}×{c}]"),
        }
    }
}
