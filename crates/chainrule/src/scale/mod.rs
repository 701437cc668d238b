//! Scale is the same sum, further out: training and fitting on data that
//! does not fit in memory, or on more than one machine.
//!
//! Everything here rests on two mergeable values: [`GradStats`] (count,
//! ΣL, Σ∂L/∂θ at one θ — a full-batch gradient) and [`QrStats`] (the R
//! factor of [A | y] — the closed form, the Hessian, the means). A chunk of
//! a file, a Parquet row group, a DataFusion partition and a Ballista
//! executor each reduce their rows to one of them, and the results merge.
//!
//! - `source`: where rows come from, one chunk at a time (CSV, design cache,
//!   Parquet with feature `parquet`).
//! - `trainer`: the loop over a source (full batch: one pass per epoch).
//! - `convert`: a source written to a design cache (memory-mapped later).

pub mod convert;
#[cfg(feature = "distributed")]
pub mod datafusion;
pub mod grad_stats;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod qr_stats;
pub mod source;
pub mod trainer;

pub use convert::write_cache;
pub use grad_stats::{block_stats, GradStats};
pub use qr_stats::QrStats;
pub use source::{
    CacheDesign, ChainDesign, CsvDesign, DesignSource, MemoryDesign, DEFAULT_CHUNK_ROWS,
};
pub use trainer::{
    scan, stats_at, train_full_batch, train_stream, GradAtFn, Plan, StreamFit, StreamObserver,
};

use crate::data::DataError;
use crate::model::formula::FormulaError;
use crate::solve::SolveError;
use crate::train::TrainError;

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Formula(#[from] FormulaError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// An engine (Parquet, DataFusion, Ballista) said no; the text says why.
    #[error("{0}")]
    Engine(String),
}

/// The closed form from one streamed pass: QR statistics, then the referee
/// on the compressed system (see [`QrStats::solve`]).
pub fn fit_stream(
    source: &mut dyn DesignSource,
    observer: &mut dyn StreamObserver,
) -> Result<crate::solve::Solution, ScaleError> {
    let stats = scan(source, observer)?;
    Ok(stats.solve(source.response(), source.names(), source.intercept())?)
}
