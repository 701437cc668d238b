//! The op library. Each op lives in one place with its forward value, its
//! local partials (VJP) and its explicit Jacobian.

pub mod arith;
pub mod binary;
pub mod functions;
pub mod leaf;
pub mod linalg;
pub mod reduce;
pub mod unary;
