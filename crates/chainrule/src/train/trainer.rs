//! The loop: θ ← θ − lr·∂J/∂θ over mini-batches, epoch after epoch, with
//! the gradient from whichever source the mode names. Everything the loop
//! needs per step (batch buffers, the gradient) is allocated once up front.

use super::config::{LearningRate, TrainConfig};
use super::lr::{auto_lr, hessian_lambda_max};
use super::scaling::Scaling;
use crate::graph::GraphError;
use crate::kernel::FusedKernel;
use crate::model::{gradient_source, Batch, Engine, Gradient, LinearModel};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::time::Instant;
use thiserror::Error;

/// Most per-step costs and θ snapshots a `Fit` keeps (for plots).
pub const MAX_RECORDED: usize = 10_000;

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("{0}")]
    Config(String),
    #[error("training diverged at epoch {epoch}, step {step}: J = {j:e} (it started at {j0:e}). The learning rate {lr} is too large for this data: steps above {stable:.3e} (2/λmax of the Hessian) grow without bound. Use --lr auto (picks {auto:.3e}) or a smaller --lr, or --standardize")]
    Diverged {
        epoch: usize,
        step: usize,
        j: f64,
        j0: f64,
        lr: f64,
        stable: f64,
        auto: f64,
    },
    #[error("J became {j} at epoch {epoch}, step {step} (batch of rows starting at {batch_start}) with learning rate {lr}: the data or the step produced a non-finite number. Check the data for huge values, or use a smaller --lr or --standardize")]
    NonFinite {
        epoch: usize,
        step: usize,
        batch_start: usize,
        j: f64,
        lr: f64,
    },
    #[error("cannot build the computational graph: {0}")]
    Graph(#[from] GraphError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Ran every epoch asked for.
    Epochs,
    /// The relative change of J fell below the tolerance.
    Converged,
    /// The observer asked to stop (Ctrl-C).
    Interrupted,
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
}

/// Watches training; may stop it between epochs or between steps (θ is
/// then the θ after the last whole step; `Fit::epochs` counts whole epochs).
pub trait Observer {
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
impl Observer for Quiet {}

/// Trains `model` on `data` from θ = `theta0` (original units; zeros when
/// `None`).
pub fn train(
    data: Batch<'_>,
    model: LinearModel,
    cfg: &TrainConfig,
    theta0: Option<&[f64]>,
    observer: &mut dyn Observer,
) -> Result<Fit, TrainError> {
    let start = Instant::now();
    let n = data.len();
    if n == 0 {
        return Err(TrainError::Config("no rows to train on".into()));
    }
    let k = cfg.resolved_batch(n).map_err(TrainError::Config)?;
    let engine = cfg.resolved_engine().map_err(TrainError::Config)?;
    let scaling = cfg
        .standardize
        .then(|| Scaling::fit(data.x, model.d, model.intercept));
    let scaled_x = scaling.as_ref().map(|s| s.apply(data.x));
    let data = Batch::new(scaled_x.as_deref().unwrap_or(data.x), data.y, data.d);
    let to_original = |t: &[f64]| match &scaling {
        Some(s) => s.to_original(t, model.intercept),
        None => t.to_vec(),
    };

    let lambda = || hessian_lambda_max(data, &model);
    let lr = match cfg.lr {
        LearningRate::Fixed(lr) if lr > 0.0 && lr.is_finite() => lr,
        LearningRate::Fixed(lr) => {
            return Err(TrainError::Config(format!(
                "--lr must be a positive number, not {lr}"
            )))
        }
        LearningRate::Auto => auto_lr(data, &model, k),
    };

    let mut theta = match (theta0, &scaling) {
        (Some(t), Some(s)) => s.to_scaled(t, model.intercept),
        (Some(t), None) => t.to_vec(),
        (None, _) => vec![0.0; model.n_params()],
    };
    let sizes: Vec<usize> = [k, n % k].into_iter().filter(|&s| s > 0).collect();
    let mut source: Box<dyn Gradient> = match engine {
        Engine::Graph => gradient_source(cfg.mode, model, &sizes)?,
        Engine::Kernel => Box::new(FusedKernel::with_capacity(model.d, model.intercept, k)),
    };
    let shuffle = cfg.shuffle.unwrap_or(k < n);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let (mut bx, mut by) = (vec![0.0; k * data.d], vec![0.0; k]);
    let mut grad = vec![0.0; model.n_params()];

    let mut fit = Fit {
        theta: Vec::new(),
        epoch_j: Vec::new(),
        step_j: Vec::new(),
        theta_path: vec![to_original(&theta)],
        epochs: 0,
        steps: 0,
        lr,
        batch_size: k,
        stop: StopReason::Epochs,
        scaling: scaling.clone(),
        seconds: 0.0,
    };
    // Divergence is judged against J over all rows at the start, not the
    // first batch's J: one row's J can be 0 or tiny by chance (y = 0 where
    // θ starts at 0), and every later batch would then look diverged.
    let j_start = (0..n)
        .map(|i| (data.y[i] - model.predict_row(&theta, data.row(i))).powi(2))
        .sum::<f64>()
        / n as f64;
    let mut j0 = None;
    'epochs: for epoch in 1..=cfg.epochs {
        if shuffle {
            order.shuffle(&mut rng);
        }
        let mut total = 0.0;
        for start in (0..n).step_by(k) {
            let end = (start + k).min(n);
            let batch = if shuffle {
                let m = end - start;
                for (slot, &row) in order[start..end].iter().enumerate() {
                    bx[slot * data.d..(slot + 1) * data.d].copy_from_slice(data.row(row));
                    by[slot] = data.y[row];
                }
                Batch::new(&bx[..m * data.d], &by[..m], data.d)
            } else {
                data.slice(start, end)
            };
            let j = source.cost_and_grad(batch, &theta, &mut grad);
            fit.steps += 1;
            if !j.is_finite() || grad.iter().any(|g| !g.is_finite()) {
                return Err(TrainError::NonFinite {
                    epoch,
                    step: fit.steps,
                    batch_start: start,
                    j,
                    lr,
                });
            }
            let j0 = *j0.get_or_insert(j.max(j_start));
            if j > j0.max(f64::MIN_POSITIVE) * 1e8 {
                let lam = lambda();
                return Err(TrainError::Diverged {
                    epoch,
                    step: fit.steps,
                    j,
                    j0,
                    lr,
                    stable: 2.0 / lam,
                    auto: 1.0 / lam,
                });
            }
            if fit.step_j.len() < MAX_RECORDED {
                fit.step_j.push(j);
            }
            total += j * (end - start) as f64;
            for (t, g) in theta.iter_mut().zip(&grad) {
                *t -= lr * g;
            }
            if observer.on_step(fit.steps).is_break() {
                fit.stop = StopReason::Interrupted;
                break 'epochs;
            }
        }
        let j = total / n as f64;
        let previous = fit.epoch_j.last().copied();
        fit.epoch_j.push(j);
        fit.epochs = epoch;
        if fit.theta_path.len() <= MAX_RECORDED {
            fit.theta_path.push(to_original(&theta));
        }
        if observer.on_epoch(epoch, j).is_break() {
            fit.stop = StopReason::Interrupted;
            break;
        }
        if let (Some(tol), Some(prev)) = (cfg.tol, previous) {
            if (prev - j).abs() <= tol * prev.abs() {
                fit.stop = StopReason::Converged;
                break;
            }
        }
    }
    fit.theta = to_original(&theta);
    fit.seconds = start.elapsed().as_secs_f64();
    Ok(fit)
}
