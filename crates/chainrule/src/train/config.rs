//! What a training run is asked to do.

use crate::model::{Engine, Mode};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LearningRate {
    Fixed(f64),
    /// 1/λmax of the Hessian (2/n)·XᵀX: the largest step for which full-batch
    /// descent on this quadratic cost never goes up.
    Auto,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainConfig {
    pub mode: Mode,
    pub lr: LearningRate,
    pub epochs: usize,
    /// Rows per step; `None` is the mode's default (sample: 1, unrolled: 2,
    /// vectorized: the whole data set).
    pub batch_size: Option<usize>,
    /// Shuffle rows each epoch; `None`: on when batches are smaller than the
    /// data set.
    pub shuffle: Option<bool>,
    pub seed: u64,
    /// Stop when ‖∂J/∂θ‖ ≤ tol·‖∂J/∂θ at θ = 0‖ (training units; see
    /// `train::gradient`); `None` or 0: run every epoch.
    pub tol: Option<f64>,
    /// Train on standardized features; θ is reported in original units.
    pub standardize: bool,
    /// What computes the gradient; `None` is the mode's default (kernel for
    /// vectorized, graph otherwise). Model files written before the kernel
    /// existed have no such field and load as `None`.
    #[serde(default)]
    pub engine: Option<Engine>,
}

/// The relative gradient norm at which a default run stops: ‖θ − θ̂‖/‖θ̂‖
/// ≤ κ(H)·tol, so on a standardized, well-conditioned design (κ near 1)
/// θ holds about 12 digits, and the floor that rounding puts under the
/// gradient (about 1e-15 relative there) is well below it.
pub const DEFAULT_TOL: f64 = 1e-12;

/// The epochs a default run may take. Standardized, well-conditioned
/// designs stop on the tolerance within a few dozen; designs whose
/// columns are near-collinear (poly(x, 3, raw = TRUE), Longley) need about κ(H)·28
/// epochs for 12 digits, and end short of it with a verdict that says so.
pub const DEFAULT_EPOCHS: usize = 1000;

/// Correct by default: standardized features, the automatic learning rate,
/// and a stop on the relative gradient norm ([`DEFAULT_TOL`]), so θ is the
/// least-squares θ whenever descent can get there in [`DEFAULT_EPOCHS`].
impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            lr: LearningRate::Auto,
            epochs: DEFAULT_EPOCHS,
            tol: Some(DEFAULT_TOL),
            standardize: true,
            ..TrainConfig::plain()
        }
    }
}

/// The largest unrolled batch: beyond it the scalar graph's thousands of
/// nodes teach nothing the vectorized mode does not.
pub const MAX_UNROLLED_BATCH: usize = 4096;

impl TrainConfig {
    /// Plain gradient descent as the lessons show it: the features as they
    /// are, a fixed learning rate of 0.01, 100 epochs, all of them run. The
    /// tutorial's numbers come from this update; on badly scaled data it
    /// ends far from least squares (the verdict says how far).
    pub fn plain() -> Self {
        TrainConfig {
            mode: Mode::Vectorized,
            lr: LearningRate::Fixed(0.01),
            epochs: 100,
            batch_size: None,
            shuffle: None,
            seed: 0,
            tol: None,
            standardize: false,
            engine: None,
        }
    }

    /// The engine this run uses, or why it cannot run the mode.
    pub fn resolved_engine(&self) -> Result<Engine, String> {
        Engine::resolve(self.engine, self.mode)
    }

    /// The batch size this run uses on `n` rows, or why the settings clash.
    pub fn resolved_batch(&self, n: usize) -> Result<usize, String> {
        let k = match (self.mode, self.batch_size) {
            (_, Some(0)) => return Err("the batch size must be at least 1".into()),
            (Mode::Sample, Some(k)) if k != 1 => {
                return Err(format!(
                    "mode sample takes one row per step, but the batch size is {k}; use mode unrolled or vectorized for batches"
                ))
            }
            (Mode::Sample, _) => 1,
            (Mode::Unrolled, None) => 2,
            (Mode::Vectorized, None) => n,
            (_, Some(k)) => k,
        };
        if self.mode == Mode::Unrolled && k.min(n) > MAX_UNROLLED_BATCH {
            return Err(format!(
                "mode unrolled builds one branch per row; {k} rows is more than its limit of {MAX_UNROLLED_BATCH}: use mode vectorized for large batches"
            ));
        }
        Ok(k.min(n).max(1))
    }
}
