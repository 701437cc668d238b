use super::Shape;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum GraphError {
    #[error("{op}: shapes {left} and {right} do not fit together ({rule})")]
    ShapeMismatch {
        op: &'static str,
        left: Shape,
        right: Shape,
        rule: &'static str,
    },
    #[error("backward needs a scalar root, but node {name} is a {shape}; reduce it with sum or mean first")]
    RootNotScalar { name: String, shape: Shape },
    #[error("node {name} holds {expected} values ({shape}) but {got} were given")]
    WrongLength {
        name: String,
        shape: Shape,
        expected: usize,
        got: usize,
    },
    #[error("node {name} is computed by an op; only input and param nodes can be set")]
    NotALeaf { name: String },
    #[error("a {shape} needs {elements} values, more than the limit of {limit}; raise the limit (Graph::with_limit)")]
    TooLarge {
        shape: Shape,
        elements: u128,
        limit: usize,
    },
}
