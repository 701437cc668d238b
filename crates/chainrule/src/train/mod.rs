//! The training loop: mini-batch gradient descent θ ← θ − lr·∂J/∂θ with the
//! gradient from any `Gradient` source.

pub mod config;
pub mod lr;
pub mod model_file;
pub mod scaling;
pub mod trainer;

pub use config::{LearningRate, TrainConfig};
pub use model_file::{Metrics, ModelFile, ModelFileError};
pub use scaling::Scaling;
pub use trainer::{train, Fit, Observer, Quiet, StopReason, TrainError};
