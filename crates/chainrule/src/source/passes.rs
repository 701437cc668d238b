//! Whole passes over a row source: the TSQR statistics, the gradient sums
//! at one θ, and the closed form from them.

use super::{block_stats, check_stop, GradStats, PassObserver, RowSource, SourceError};
use crate::model::LinearModel;
use crate::solve::QrStats;

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
        check_stop(observer)
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
        check_stop(observer)
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
    let mut s = stats.solve(source.response(), source.names(), source.intercept())?;
    super::refine::refine(source, &stats, &mut s, observer)?;
    Ok(s)
}
