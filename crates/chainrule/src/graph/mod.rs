//! The engine: an arena of tensor nodes with forward, backward (the chain
//! rule, as vector-Jacobian products) and a `Trace` of both. It knows
//! nothing of regression.

mod compiled;
mod engine;
mod error;
mod lesson;
pub mod notation;
mod op;
pub mod ops;
mod shape;
pub mod sum;
mod trace;

pub use compiled::{Compiled, NotCompiled};
pub use engine::{Graph, NodeId, DEFAULT_MAX_ELEMENTS};
pub use error::GraphError;
pub use notation::{Mark, Notation, Partial};
pub use op::{Inputs, Jacobian, Op, RowRule};
pub use ops::leaf::LeafKind;
pub use shape::Shape;
pub use trace::{Trace, TraceEdge, TraceNode, DEFAULT_MAX_JACOBIAN};
