//! Closed-form least squares (the referee the trainer is checked against)
//! and fit metrics. The numerics under them (QR, double-double, LRE) are
//! `numeric`'s.

mod inference;
mod least_squares;
mod metrics;
mod qr_stats;

pub use inference::Inference;
pub use least_squares::{least_squares, least_squares_rows, DesignRows, Solution, RANK_TOLERANCE};
pub use metrics::{metrics, metrics_rows, Metrics};
pub use qr_stats::QrStats;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    #[error("the design has no rows; the data must have at least one row")]
    NoRows,

    #[error("the model has no parameters; add a term or the intercept to the formula")]
    NoParameters,

    #[error(
        "row {row}, column \"{column}\": the value is not a finite number \
         (a power in the formula may have overflowed); fix the data or lower the power"
    )]
    NonFinite { row: usize, column: String },
}
