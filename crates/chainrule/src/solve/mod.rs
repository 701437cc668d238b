//! Closed-form least squares (the referee the trainer is checked against)
//! and fit metrics. The numerics under them (QR, double-double, LRE) are
//! `numeric`'s.

mod covariance;
mod gram;
mod inference;
mod least_squares;
mod metrics;
mod prediction;
mod qr_stats;

pub use gram::GramStats;
pub use inference::Inference;
pub use least_squares::{
    least_squares, least_squares_at, least_squares_rows, least_squares_with, CovType, DesignRows,
    FitOptions, Solution, RANK_TOLERANCE,
};
pub(crate) use metrics::residual;
pub use metrics::{metrics, metrics_rows, Metrics};
pub use prediction::{interval_bounds, Interval, Uncertainty};
pub use qr_stats::QrStats;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    #[error("the design has no rows; the data must have at least one row")]
    NoRows,

    #[error("the model has no parameters; add a term or the intercept to the formula")]
    NoParameters,

    #[error("{weights} weights for {rows} rows; give one weight per row")]
    WeightCount { weights: usize, rows: usize },

    #[error(
        "row {row}: the weight {value} is not a number ≥ 0; weighted least squares \
         needs every weight finite and ≥ 0 (0 leaves the row out)"
    )]
    BadWeight { row: usize, value: f64 },

    #[error(
        "row {row}, column \"{column}\": the value is not a finite number \
         (a power in the formula may have overflowed); fix the data or lower the power"
    )]
    NonFinite { row: usize, column: String },
}
