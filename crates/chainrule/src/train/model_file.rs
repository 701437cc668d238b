//! `model.json`: what a training run leaves behind, enough to predict, to
//! report and to reproduce the run.

use super::{Fit, Scaling, StopReason, TrainConfig};
use crate::data::atomic::write_atomic;
use crate::model::formula::Coding;
use crate::numeric::OrthoPoly;
use crate::solve::{CovType, Solution};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

pub const FORMAT: &str = "chainrule-model";
pub const VERSION: u32 = 1;

/// Metrics over the training data. A streamed run stopped by Ctrl-C
/// leaves them out (NaN, written `null`), and `null` reads back as NaN.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    /// J = mean of (y − z1)² over the training data.
    #[serde(deserialize_with = "nan_if_null")]
    pub j: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub rmse: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub r_squared: f64,
}

/// A metric: a number, or `null` for one not computed.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub version: u32,
    pub formula: String,
    pub response: String,
    /// Feature names in θ order (θ1..θd).
    pub features: Vec<String>,
    pub intercept: bool,
    /// θ in original units, θ0 first when there is an intercept.
    pub theta: Vec<f64>,
    pub scaling: Option<Scaling>,
    pub settings: TrainConfig,
    pub metrics: Metrics,
    pub epochs: usize,
    pub steps: usize,
    pub lr: f64,
    pub stop: StopReason,
    /// J of each epoch.
    pub history: Vec<f64>,
    /// How θ was obtained: [`GRADIENT_DESCENT`] or [`LEAST_SQUARES`].
    /// Files written before the field existed came from `train`.
    #[serde(default = "gradient_descent")]
    pub method: String,
    /// What prediction intervals need; written by `fit --out` (absent in
    /// older files and in `train`'s, whose θ is not the least-squares one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<StoredInference>,
    /// Each categorical variable's levels as fitted (`region`,
    /// `factor(x)`, `C(region)` → sorted levels), so new rows are coded
    /// the same way. Absent when there is none (and in files written
    /// before categorical variables existed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, Vec<String>>,
    /// Each orthogonal polynomial's basis as fitted (`poly(x, 3)` → R's
    /// `coefs`: alpha, norm2), so new rows get the same columns.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub poly: BTreeMap<String, OrthoPoly>,
}

/// `method` of a model trained by gradient descent (`train`).
pub const GRADIENT_DESCENT: &str = "gradient descent";
/// `method` of a model solved in closed form (`fit`).
pub const LEAST_SQUARES: &str = "least squares (Householder QR, refined in double-double)";

fn gradient_descent() -> String {
    GRADIENT_DESCENT.into()
}

/// Cov(θ) and σ² at the fitted θ: a new row x0 (with 1 for θ0) has
/// Var(x0ᵀθ̂) = x0ᵀ·Cov(θ)·x0 (the confidence interval of the mean) and,
/// as a new observation of weight 1, that plus σ² (the prediction
/// interval), as statsmodels' `get_prediction`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StoredInference {
    /// Cov(θ), p rows of p, in θ's order (0 for dropped columns).
    pub cov_params: Vec<Vec<f64>>,
    /// statsmodels' `cov_type` the covariance was computed with.
    pub cov_type: CovType,
    /// σ² = RSS/df_resid (weighted RSS for weighted fits).
    pub scale: f64,
    pub df_resid: usize,
    /// Student's t with df_resid for the intervals, or the normal
    /// (robust covariance, as statsmodels' `use_t`).
    pub use_t: bool,
}

#[derive(Debug, Error)]
pub enum ModelFileError {
    #[error("{path}: cannot read the model file: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: not a chainrule model file ({detail}); write one with `chainrule fit DATA \
         --out {path}` (closed form) or `chainrule train DATA --out {path}` (gradient descent)"
    )]
    Parse { path: String, detail: String },
    #[error(
        "{path}: {detail}; the file is damaged or was edited by hand — write it again with \
         the `chainrule fit` or `chainrule train` that made it"
    )]
    Invalid { path: String, detail: String },
}

impl ModelFile {
    pub fn new(
        formula: String,
        response: String,
        features: Vec<String>,
        intercept: bool,
        settings: TrainConfig,
        fit: &Fit,
        metrics: Metrics,
    ) -> Self {
        ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            formula,
            response,
            features,
            intercept,
            theta: fit.theta.clone(),
            scaling: fit.scaling.clone(),
            settings,
            metrics,
            epochs: fit.epochs,
            steps: fit.steps,
            lr: fit.lr,
            stop: fit.stop,
            history: fit.epoch_j.clone(),
            method: GRADIENT_DESCENT.into(),
            inference: None,
            levels: BTreeMap::new(),
            poly: BTreeMap::new(),
        }
    }

    /// The file `fit --out` writes: θ of the closed form, with what
    /// intervals need when there are residual degrees of freedom. The
    /// training fields say no training happened (0 epochs and steps, lr 0,
    /// no history).
    pub fn from_least_squares(
        formula: String,
        response: String,
        features: Vec<String>,
        s: &Solution,
    ) -> Self {
        let p = s.p;
        let df_resid = s.n.saturating_sub(s.rank);
        let scale = s.residual_sd * s.residual_sd;
        let inference =
            (df_resid > 0 && s.cov_params.iter().all(|v| v.is_finite())).then(|| StoredInference {
                cov_params: s.cov_params.chunks(p).map(<[f64]>::to_vec).collect(),
                cov_type: s.cov_type,
                scale,
                df_resid,
                use_t: !s.cov_type.is_robust(),
            });
        ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            formula,
            response,
            features,
            intercept: s.intercept,
            theta: s.theta.clone(),
            scaling: None,
            settings: TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            },
            metrics: Metrics {
                j: s.mse,
                rmse: s.rmse,
                r_squared: s.r_squared,
            },
            epochs: 0,
            steps: 0,
            lr: 0.0,
            stop: StopReason::Epochs,
            history: Vec::new(),
            method: LEAST_SQUARES.into(),
            inference,
            levels: BTreeMap::new(),
            poly: BTreeMap::new(),
        }
    }

    /// The model with the categorical levels it was fitted with.
    pub fn with_coding(mut self, coding: Option<&Coding>) -> Self {
        self.levels = coding.map(|c| c.levels.clone()).unwrap_or_default();
        self.poly = coding.map(|c| c.poly.clone()).unwrap_or_default();
        self
    }

    /// The categorical levels, for coding new rows.
    pub fn coding(&self) -> Coding {
        Coding {
            levels: self.levels.clone(),
            poly: self.poly.clone(),
        }
    }

    /// Writes the file atomically: a reader sees the old file or the new
    /// one, never half of either.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("a model always serializes");
        text.push('\n');
        write_atomic(path, text.as_bytes())
    }

    pub fn load(path: &Path) -> Result<Self, ModelFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelFileError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    /// Parses and validates model-file text; `label` (usually the path)
    /// names the file in errors.
    pub fn parse(text: &str, label: &str) -> Result<Self, ModelFileError> {
        let model: ModelFile = serde_json::from_str(text).map_err(|e| ModelFileError::Parse {
            path: label.into(),
            detail: e.to_string(),
        })?;
        model.validate().map_err(|detail| ModelFileError::Invalid {
            path: label.into(),
            detail,
        })?;
        Ok(model)
    }

    fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT || self.version != VERSION {
            return Err(format!(
                "format \"{}\" version {} is not {FORMAT} version {VERSION}",
                self.format, self.version
            ));
        }
        let p = self.features.len() + usize::from(self.intercept);
        if self.theta.len() != p {
            return Err(format!(
                "θ has {} entries but {} features{} need {p}",
                self.theta.len(),
                self.features.len(),
                if self.intercept {
                    " and an intercept"
                } else {
                    ""
                }
            ));
        }
        if let Some(k) = self.theta.iter().position(|t| !t.is_finite()) {
            return Err(format!("θ[{k}] is {}, not a finite number", self.theta[k]));
        }
        if let Some((name, _)) = self.levels.iter().find(|(_, l)| l.is_empty()) {
            return Err(format!("the categorical variable {name} has no levels"));
        }
        for (term, p) in &self.poly {
            // What OrthoPoly::eval_into indexes: k alphas, k + 2 norms,
            // every ‖p‖² positive (it divides by them).
            let k = p.alpha.len();
            let finite = p.alpha.iter().chain(&p.norm2).all(|v| v.is_finite());
            if k == 0 || p.norm2.len() != k + 2 || !finite || p.norm2.iter().any(|&v| v <= 0.0) {
                return Err(format!(
                    "the basis of {term} is not {k} finite alphas and {} positive norms",
                    k + 2
                ));
            }
        }
        if let Some(inf) = &self.inference {
            if inf.cov_params.len() != p || inf.cov_params.iter().any(|r| r.len() != p) {
                return Err(format!(
                    "the covariance is not {p} × {p}, one row and column per θ"
                ));
            }
            if !(inf.scale.is_finite() && inf.scale >= 0.0)
                || inf.cov_params.iter().flatten().any(|v| !v.is_finite())
            {
                return Err("the stored covariance holds a number that is not finite".into());
            }
        }
        if let Some(s) = &self.scaling {
            let d = self.features.len();
            if s.mean.len() != d || s.scale.len() != d {
                return Err(format!(
                    "the scaling has {} means and {} scales but there are {d} features",
                    s.mean.len(),
                    s.scale.len()
                ));
            }
            if s.mean.iter().chain(&s.scale).any(|v| !v.is_finite()) {
                return Err("the scaling holds a number that is not finite".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn theta_reads_back_to_the_same_bits() {
        // Found by the model_file fuzzer: serde_json's default float parser
        // read this 17-digit θ one ulp off (…2337 instead of …2334), so a
        // saved model predicted with a θ it was never trained to. The
        // `float_roundtrip` feature parses correctly rounded, as str::parse.
        let text = "1.1485185345442334";
        let parsed: f64 = serde_json::from_str(text).unwrap();
        assert_eq!(parsed.to_bits(), text.parse::<f64>().unwrap().to_bits());
    }
}
