//! chainrule — backpropagation for linear regression.
//!
//! Layers, each looking only down (see `docs/ARCHITECTURE.md`; the order
//! is checked by `tests/lib/layers.rs`), bottom first:
//! numeric < graph < expr < data < kernel < model < solve < render < train
//! < scale < teach.

pub mod data;
pub mod expr;
pub mod graph;
pub mod kernel;
pub mod model;
pub mod numeric;
pub mod render;
pub mod scale;
pub mod solve;
pub mod teach;
pub mod train;
