//! What a run settles before its first step, from a first look at every
//! row: n, the batch size, the scaling (standardize), the normal equations
//! (the gradient over every row at any θ, for the stopping rule and the
//! verdict), λmax of the Hessian (the automatic learning rate and the
//! divergence message), the learning rate and J(θ₀) over all rows.
//!
//! Rows in memory are looked at directly (the normal equations and the
//! column moments in one pass each). Streamed rows are folded into
//! [`QrStats`], the R of [A | y], which gives all of the above without
//! holding a row, and the closed form besides.

use super::config::{LearningRate, TrainConfig};
use super::fit::TrainError;
use super::lr::{auto_lr, hessian_lambda_max};
use super::normal::Normal;
use crate::model::Scaling;
use crate::model::{Batch, Engine, LinearModel};
use crate::solve::QrStats;

pub struct Plan {
    pub model: LinearModel,
    /// Rows per epoch.
    pub n: usize,
    /// Rows per step.
    pub k: usize,
    pub engine: Engine,
    pub shuffle: bool,
    pub lr: f64,
    /// H and b of ∇J(θ) = H·θ − b over every row, in training units.
    pub normal: Normal,
    /// λmax of the Hessian H = (2/n)·AᵀA in training units.
    pub lambda: f64,
    pub scaling: Option<Scaling>,
    /// θ₀ in training units.
    pub theta0: Vec<f64>,
    /// J over all rows at θ₀.
    pub j_start: f64,
    /// R of [A | y] in original units (streamed runs and statistics
    /// backends; `None` in memory).
    pub stats: Option<QrStats>,
}

/// The batch size and engine for `n` rows, checked.
fn batch_and_engine(cfg: &TrainConfig, n: usize) -> Result<(usize, Engine), TrainError> {
    if n == 0 {
        return Err(TrainError::NoRows);
    }
    let k = cfg.resolved_batch(n).map_err(TrainError::BadBatchSize)?;
    let engine = cfg.resolved_engine().map_err(TrainError::BadEngine)?;
    if let LearningRate::Fixed(lr) = cfg.lr {
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(TrainError::BadLearningRate(lr));
        }
    }
    if let Some(tol) = cfg.tol {
        if !(tol >= 0.0 && tol.is_finite()) {
            return Err(TrainError::BadTolerance(tol));
        }
    }
    Ok((k, engine))
}

/// The automatic learning rate, unless the data's scale left none: with
/// features near 1e200, λmax of the Hessian overflows and 1/λmax is 0, and
/// training would keep θ at its start while exiting 0.
fn usable_auto(lr: f64) -> Result<f64, TrainError> {
    if lr.is_finite() && lr >= f64::MIN_POSITIVE {
        Ok(lr)
    } else {
        Err(TrainError::NoUsableLearningRate(lr))
    }
}

fn to_scaled(theta0: Option<&[f64]>, scaling: Option<&Scaling>, model: &LinearModel) -> Vec<f64> {
    match (theta0, scaling) {
        (Some(t), Some(s)) => s.to_scaled(t, model.intercept),
        (Some(t), None) => t.to_vec(),
        (None, _) => vec![0.0; model.n_params()],
    }
}

impl Plan {
    /// From rows in memory. Returns the plan and, with standardization,
    /// the scaled copy of X to train on (made once, not per epoch).
    pub fn in_memory(
        data: Batch<'_>,
        model: LinearModel,
        cfg: &TrainConfig,
        theta0: Option<&[f64]>,
    ) -> Result<(Plan, Option<Vec<f64>>), TrainError> {
        let n = data.len();
        let (k, engine) = batch_and_engine(cfg, n)?;
        let scaling = cfg
            .standardize
            .then(|| Scaling::fit(data.x, model.d, model.intercept));
        let scaled_x = scaling.as_ref().map(|s| s.apply(data.x));
        let rows = Batch::new(scaled_x.as_deref().unwrap_or(data.x), data.y, data.d);
        let normal = Normal::from_rows(rows, &model);
        let lambda = hessian_lambda_max(rows, &model);
        let lr = match cfg.lr {
            LearningRate::Fixed(lr) => lr,
            LearningRate::Auto => usable_auto(auto_lr(lambda, rows, &model, k))?,
        };
        let theta0 = to_scaled(theta0, scaling.as_ref(), &model);
        // Divergence is judged against J over all rows at the start, not
        // the first batch's J alone: one row's J can be 0 by chance.
        let j_start = (0..n)
            .map(|i| (rows.y[i] - model.predict_row(&theta0, rows.row(i))).powi(2))
            .sum::<f64>()
            / n as f64;
        let plan = Plan {
            model,
            n,
            k,
            engine,
            shuffle: cfg.shuffle.unwrap_or(k < n),
            lr,
            normal,
            lambda,
            scaling,
            theta0,
            j_start,
            stats: None,
        };
        Ok((plan, scaled_x))
    }

    /// From the first pass's statistics. `widest(scaling)`: max‖aᵢ‖² in
    /// training units, asked for only by the automatic learning rate with
    /// mini-batches (it needs another pass).
    pub fn from_stats(
        stats: QrStats,
        model: LinearModel,
        cfg: &TrainConfig,
        theta0: Option<&[f64]>,
        widest: &mut dyn FnMut(Option<&Scaling>) -> Result<f64, TrainError>,
    ) -> Result<Plan, TrainError> {
        let n = stats.count as usize;
        let (k, engine) = batch_and_engine(cfg, n)?;
        let scaling = cfg.standardize.then(|| stats.scaling(&model));
        let scaled_stats = match &scaling {
            Some(s) => stats.rescaled(s, model.intercept),
            None => stats.clone(),
        };
        let normal = Normal::from_stats(&scaled_stats);
        let lambda = normal.lambda_max();
        let lr = match cfg.lr {
            LearningRate::Fixed(lr) => lr,
            LearningRate::Auto if k >= n => usable_auto(1.0 / lambda)?,
            LearningRate::Auto => {
                usable_auto((1.0 / lambda).min(1.0 / (2.0 * widest(scaling.as_ref())?)))?
            }
        };
        let theta0 = to_scaled(theta0, scaling.as_ref(), &model);
        let j_start = scaled_stats.cost(&theta0);
        Ok(Plan {
            model,
            n,
            k,
            engine,
            shuffle: cfg.shuffle.unwrap_or(k < n),
            lr,
            normal,
            lambda,
            scaling,
            theta0,
            j_start,
            stats: Some(stats),
        })
    }

    /// θ in training units → original units.
    pub fn to_original(&self, theta: &[f64]) -> Vec<f64> {
        match &self.scaling {
            Some(s) => s.to_original(theta, self.model.intercept),
            None => theta.to_vec(),
        }
    }
}
