//! What a run gives back ([`Fit`]), why it stopped, who watches it
//! ([`Observer`]) and how it fails ([`TrainError`]). Messages name settings
//! by what they are (the learning rate, the batch size), never by a
//! command-line flag: front ends add their own names.

use crate::data::Design;
use crate::graph::GraphError;
use crate::source::{PassObserver, SourceError};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use thiserror::Error;

use super::Scaling;

/// Most per-step costs and θ snapshots a `Fit` keeps (for plots).
pub const MAX_RECORDED: usize = 10_000;

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("no rows to train on")]
    NoRows,
    #[error("the learning rate must be a positive number, not {0}")]
    BadLearningRate(f64),
    #[error(
        "the tolerance must be a number ≥ 0 (a relative gradient norm such as 1e-12; 0 runs \
         every epoch), not {0}"
    )]
    BadTolerance(f64),
    /// 1/λmax came out 0, subnormal or not finite: the features' scale
    /// leaves plain gradient descent no step.
    #[error(
        "the automatic learning rate came out as {0:e} (1/λmax of the cost's Hessian): the \
         features are so large or so small that gradient descent on them cannot move θ; \
         standardize the features, or rescale the columns"
    )]
    NoUsableLearningRate(f64),
    /// The batch size clashes with the data or the mode (the text says how).
    #[error("{0}")]
    BadBatchSize(String),
    /// The engine cannot run the mode (the text says why).
    #[error("{0}")]
    BadEngine(String),
    /// A statistics backend that sums every row (one query per epoch) was
    /// asked for mini-batches.
    #[error(
        "this engine runs full-batch descent only (one pass per epoch); leave the batch size unset"
    )]
    FullBatchOnly,
    #[error("training diverged at epoch {epoch}, step {step}: J = {j:e} (it started at {j0:e}). The learning rate {lr} is too large for this data: steps above {stable:.3e} (2/λmax of the Hessian) grow without bound. Use the automatic learning rate (picks {auto:.3e}) or a smaller one, or standardize the features")]
    Diverged {
        epoch: usize,
        step: usize,
        j: f64,
        j0: f64,
        lr: f64,
        stable: f64,
        auto: f64,
    },
    #[error("J became {j} at epoch {epoch}, step {step} (batch of rows starting at {batch_start}) with learning rate {lr}: the data or the step produced a non-finite number. Check the data for huge values, or use a smaller learning rate or standardize the features")]
    NonFinite {
        epoch: usize,
        step: usize,
        batch_start: usize,
        j: f64,
        lr: f64,
    },
    #[error("cannot build the computational graph: {0}")]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Source(#[from] SourceError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Ran every epoch asked for.
    Epochs,
    /// ‖∂J/∂θ‖ fell to the tolerance times ‖∂J/∂θ at θ = 0‖.
    Converged,
    /// The observer asked to stop (Ctrl-C).
    Interrupted,
}

impl StopReason {
    /// In words, for tables: "all", "converged", "interrupted".
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Epochs => "all",
            StopReason::Converged => "converged",
            StopReason::Interrupted => "interrupted",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fit {
    /// θ in original units (θ0 first when there is an intercept).
    pub theta: Vec<f64>,
    /// Mean J over each epoch's batches (for full batch: J before the step).
    pub epoch_j: Vec<f64>,
    /// J of the first `MAX_RECORDED` steps.
    pub step_j: Vec<f64>,
    /// θ (original units) before training and after each of the first
    /// `MAX_RECORDED` epochs.
    pub theta_path: Vec<Vec<f64>>,
    pub epochs: usize,
    pub steps: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub stop: StopReason,
    pub scaling: Option<Scaling>,
    pub seconds: f64,
    /// ‖∂J/∂θ‖ over every row at the final θ, in training units
    /// (standardized when the run standardized).
    pub gradient_norm: f64,
    /// `gradient_norm` / ‖∂J/∂θ at θ = 0‖: what the tolerance is compared
    /// with (see `train::normal`).
    pub relative_gradient: f64,
}

impl Fit {
    /// The run as training saw it: with standardization, `design`'s rows
    /// scaled and θ (final and path) in those units, so a step derived at
    /// the run's learning rate (a rate for the scaled rows) is the step
    /// training took. Unscaled runs come back as they are.
    pub fn in_training_units(&self, mut design: Design) -> (Design, Fit) {
        let Some(s) = &self.scaling else {
            return (design, self.clone());
        };
        let to_scaled = |t: &Vec<f64>| s.to_scaled(t, design.intercept);
        let fit = Fit {
            theta: to_scaled(&self.theta),
            theta_path: self.theta_path.iter().map(to_scaled).collect(),
            scaling: None,
            ..self.clone()
        };
        design.x = s.apply(&design.x);
        (design, fit)
    }
}

/// Watches training; may stop it between steps or between epochs (θ is
/// then the θ after the last whole step; `Fit::epochs` counts whole
/// epochs). Passes over a source report their chunks through
/// [`PassObserver`] (progress).
pub trait Observer: PassObserver {
    fn on_epoch(&mut self, _epoch: usize, _j: f64) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    /// Called after every step; keep it cheap (an atomic load, say).
    fn on_step(&mut self, _step: usize) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// An observer that watches nothing.
pub struct Quiet;
impl PassObserver for Quiet {}
impl Observer for Quiet {}
