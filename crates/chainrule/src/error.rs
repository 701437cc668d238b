//! The library's one error type: what [`LinearRegression`](crate::LinearRegression)
//! and [`Fitted`](crate::Fitted) return.
//!
//! Each layer keeps its own typed error (a CSV cell, a formula term, a
//! diverging step) with the file, row or setting at fault; this enum gathers
//! them, so a caller matches on one type and `?` works across the API.
//! Messages name settings in words ("the learning rate"), never a command
//! line flag: the CLI adds its flag names as context.

use crate::data::DataError;
use crate::graph::GraphError;
use crate::model::formula::FormulaError;
use crate::solve::SolveError;
use crate::source::SourceError;
use crate::train::{ModelFileError, TrainError};

/// Everything the public API can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing data: the file, line and column at fault.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The formula does not parse, or names a column the data lacks.
    #[error(transparent)]
    Formula(#[from] FormulaError),
    /// Training stopped: a setting out of range, divergence, a non-finite J.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// The closed form could not be computed.
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// A graph would be too large, or is malformed.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A model file that cannot be read or is damaged.
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
    /// A row source (a file streamed from disk, Parquet, another engine)
    /// failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// New data does not fit a fitted model (columns, features).
    #[error("{0}")]
    Mismatch(String),
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
