//! Scale is the same sum, further out: training and fitting on data that
//! does not fit in memory, or on more than one machine.
//!
//! Everything here rests on two mergeable values: [`GradStats`] (count,
//! ΣL, Σ∂L/∂θ at one θ — a full-batch gradient) and [`QrStats`] (the R
//! factor of [A | y] — the closed form, the Hessian, the means). A chunk of
//! a file, a Parquet row group, a DataFusion partition and a Ballista
//! executor each reduce their rows to one of them, and the results merge.
//! The rows themselves come from `crate::source`; the loop that trains on
//! them is `crate::train`'s, the one loop.
//!
//! - `qr_stats`, `grad_stats`: the two mergeable values.
//! - `convert`: a source written to a design cache (memory-mapped later).
//! - `parquet` (feature `parquet`): Parquet files as a row source.
//! - `datafusion` (feature `distributed`): the same sums as aggregate
//!   queries, a statistics backend of the training loop.

pub mod convert;
#[cfg(feature = "distributed")]
pub mod datafusion;
pub mod grad_stats;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod qr_stats;

pub use convert::write_cache;
pub use grad_stats::{block_stats, GradStats};
pub use qr_stats::QrStats;

use crate::model::LinearModel;
use crate::source::{PassObserver, RowSource, SourceError};

/// One pass folding every row into [`QrStats`] (the R of [A | y]).
pub fn scan(
    source: &mut dyn RowSource,
    observer: &mut dyn PassObserver,
) -> Result<QrStats, SourceError> {
    let model = LinearModel::new(source.d(), source.intercept());
    let mut stats = QrStats::empty(model.n_params());
    observer.on_pass("scan");
    source.pass(&mut |batch, bytes| {
        stats.add_batch(batch, &model);
        observer.on_chunk(batch.len(), bytes);
        Ok(())
    })?;
    Ok(stats)
}

/// J and ∂J/∂θ's sums at θ (original units) over every row: one pass.
pub fn stats_at(
    source: &mut dyn RowSource,
    theta: &[f64],
    observer: &mut dyn PassObserver,
) -> Result<GradStats, SourceError> {
    let model = LinearModel::new(source.d(), source.intercept());
    let mut total = GradStats::empty(model.n_params());
    observer.on_pass("metrics");
    source.pass(&mut |batch, bytes| {
        total.merge(&block_stats(batch, &model, theta));
        observer.on_chunk(batch.len(), bytes);
        Ok(())
    })?;
    Ok(total)
}

/// The closed form from one streamed pass: QR statistics, then the referee
/// on the compressed system (see [`QrStats::solve`]).
pub fn fit_stream(
    source: &mut dyn RowSource,
    observer: &mut dyn PassObserver,
) -> Result<crate::solve::Solution, SourceError> {
    let stats = scan(source, observer)?;
    Ok(stats.solve(source.response(), source.names(), source.intercept())?)
}
