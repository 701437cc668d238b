//! chainrule — backpropagation for linear regression.
//!
//! Fit y = θ0 + Σ θj·xj by gradient descent through an explicit
//! computational graph (nodes z1 = prediction, z2 = y − z1, L = z2²,
//! J = mean of the L), computed one sample at a time, as unrolled
//! per-sample branches, or vectorized — and check it against the closed
//! form. Start with [`LinearRegression`]:
//!
//! ```
//! use chainrule::{Dataset, LinearRegression};
//!
//! let data = Dataset::new(
//!     vec!["x".into(), "y".into()],
//!     vec![vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0]],
//! )?;
//! // y = 2·x exactly, so θ = 2 (hand derivation). By default training runs
//! // on standardized features at the automatic learning rate, until the
//! // gradient is 1e-12 of its size at θ = 0.
//! let fitted = LinearRegression::new("y ~ x - 1")?.fit(&data)?;
//! assert!((fitted.theta()[0] - 2.0).abs() < 1e-9);
//! # Ok::<(), chainrule::Error>(())
//! ```
//!
//! Layers, each looking only down (see `docs/ARCHITECTURE.md`; the order
//! is checked by `tests/lib/layers.rs`), bottom first:
//! numeric < graph < expr < data < kernel < model < solve < render < train
//! < scale < teach < error < regression.

pub mod data;
mod error;
pub mod expr;
pub mod graph;
pub mod kernel;
pub mod model;
pub mod numeric;
mod regression;
pub mod render;
pub mod scale;
pub mod solve;
pub mod source;
pub mod teach;
pub mod train;

pub use data::Dataset;
pub use error::{Error, Result};
pub use model::{Engine, Mode};
pub use regression::{Exact, Fitted, LinearRegression};
pub use train::{Metrics, StopReason};
