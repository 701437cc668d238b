//! Linear models and the graphs that differentiate them, one per mode of the
//! derivation (sample, unrolled, vectorized), all behind `Gradient`.

mod branch;
pub mod engine;
pub mod formula;
mod fused;
pub mod gradient;
pub mod linear;
pub mod mode;
pub mod per_size;
pub mod sample;
pub mod scaling;
pub mod unrolled;
pub mod vectorized;

pub use engine::Engine;
pub use gradient::{Batch, Gradient};
pub use linear::LinearModel;
pub use mode::Mode;
pub use scaling::Scaling;

use crate::graph::GraphError;

/// The gradient source for a mode, with graphs prebuilt for batches of the
/// given sizes (the batch size and the last, shorter batch).
pub fn gradient_source(
    mode: Mode,
    model: LinearModel,
    sizes: &[usize],
) -> Result<Box<dyn Gradient>, GraphError> {
    Ok(match mode {
        Mode::Sample => Box::new(sample::SampleGraph::new(&model)?),
        Mode::Unrolled => Box::new(unrolled::Unrolled::new(model, sizes)?),
        Mode::Vectorized => Box::new(vectorized::Vectorized::new(model, sizes)?),
    })
}
