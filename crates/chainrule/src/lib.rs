//! chainrule — backpropagation for linear regression.
//!
//! Layers, each looking only down (see `docs/ARCHITECTURE.md`):
//! `cli` → `train` → `model` → `kernel` / `solve` / `graph` → `expr` / `data`.

pub mod data;
pub mod expr;
pub mod graph;
pub mod kernel;
pub mod lessons;
pub mod model;
pub mod render;
pub mod scale;
pub mod solve;
pub mod source;
pub mod train;
