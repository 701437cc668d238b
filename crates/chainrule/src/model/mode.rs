//! The three ways of the derivation to compute the same gradient.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One sample: a scalar graph x, y, θ → z1 → z2 → L.
    Sample,
    /// k per-sample branches sharing θ, joined by a mean node J.
    Unrolled,
    /// The batch as matrices: Z1 = Xθ + θ0, Z2 = Y − Z1, L = Z2∘Z2, J = mean(L).
    Vectorized,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Sample, Mode::Unrolled, Mode::Vectorized];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sample => "sample",
            Mode::Unrolled => "unrolled",
            Mode::Vectorized => "vectorized",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown mode '{s}': use sample, unrolled or vectorized"))
    }
}
