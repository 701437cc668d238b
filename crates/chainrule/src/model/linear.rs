//! The linear model y = θ0 + Σ θj·xj and the layout of θ shared by the whole
//! project: θ0 (when there is an intercept) first, then θ1..θd.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinearModel {
    /// Number of features d (θ1..θd).
    pub d: usize,
    /// Whether the model has the intercept θ0.
    pub intercept: bool,
}

impl LinearModel {
    pub fn new(d: usize, intercept: bool) -> Self {
        LinearModel { d, intercept }
    }

    /// Length of θ.
    pub fn n_params(&self) -> usize {
        self.d + usize::from(self.intercept)
    }

    /// Splits θ into (θ0, weights θ1..θd); θ0 is 0 without an intercept.
    pub fn split<'a>(&self, theta: &'a [f64]) -> (f64, &'a [f64]) {
        if self.intercept {
            (theta[0], &theta[1..])
        } else {
            (0.0, theta)
        }
    }

    /// z1 = θ0 + Σ θj·xj for one row.
    pub fn predict_row(&self, theta: &[f64], row: &[f64]) -> f64 {
        let (theta0, w) = self.split(theta);
        theta0 + w.iter().zip(row).map(|(t, x)| t * x).sum::<f64>()
    }

    /// The name of θ's entry `k`: `θ0` for the intercept, else `θj`; the
    /// one weight of y = θ·x is plain `θ`, as in the derivation.
    pub fn param_symbol(&self, k: usize) -> String {
        if !self.intercept && self.d == 1 {
            return "θ".into();
        }
        let j = if self.intercept { k } else { k + 1 };
        format!("θ{j}")
    }

    /// The name of feature `j` (0-based): `x` for one feature, else `x1`…
    pub fn feature_symbol(&self, j: usize) -> String {
        if self.d == 1 {
            "x".into()
        } else {
            format!("x{}", j + 1)
        }
    }
}
