//! Training: ONE loop, mini-batch gradient descent θ ← θ − lr·∂J/∂θ over
//! any row source (`crate::source`), with the gradient from the fused
//! kernel or one of the mode's graphs.
//!
//! - `plan`: the first look at every row (n, scaling, the normal
//!   equations, λmax, lr, J(θ₀)).
//! - `normal`: ∇J(θ) = H·θ − b over every row, for the stopping rule on
//!   the relative gradient norm and the verdict.
//! - `run`: the loop ([`train_source`], [`train`] for rows in memory,
//!   [`train_backend`] for a statistics backend such as DataFusion).
//! - `window`: mini-batches dealt from chunks.
//! - `outcome`: a finished run with its metrics and check, the one shape
//!   every front end prints (and `train --json` serializes).
//! - `config`, `lr`, `model_file`: what a run is asked to do, the
//!   automatic learning rate, model.json (standardization is
//!   `model::Scaling`).

pub mod config;
pub mod fit;
pub mod lr;
pub mod model_file;
pub mod normal;
pub mod outcome;
pub mod plan;
pub mod run;
pub mod window;

pub use crate::model::Scaling;
pub use config::{LearningRate, TrainConfig, DEFAULT_EPOCHS, DEFAULT_TOL};
pub use fit::{Fit, Observer, Quiet, StopReason, TrainError, MAX_RECORDED};
pub use model_file::{Metrics, ModelFile, ModelFileError};
pub use outcome::{
    summarize, summarize_streamed, Check, Labels, Param, TrainOutcome, CONVERGED_DIGITS,
};
pub use plan::Plan;
pub use run::{train, train_backend, train_source, GradAtFn, Trained};
