//! DataFusion (feature `distributed`): the mergeable statistics as
//! user-defined aggregate functions, so a query engine does the pass.
//!
//! - `chainrule_grad(y, x1, …, xd, θ0, θ1, …, θd)` → [`GradStats`] at θ
//!   (θ passed as literals; without an intercept there is no θ0, which the
//!   argument count tells: 2d + 2 arguments with θ0, 2d + 1 without).
//! - `chainrule_qr(y, x1, …, xd)` → [`QrStats`] of [1 | X | y];
//!   `chainrule_qr_noint` the same without the column of ones.
//!
//! Each accumulator's state is its statistics serialized into one binary
//! value; `update_batch` folds a record batch in, `state` hands the partial
//! over, `merge_batch` merges partials from other partitions (or, under
//! Ballista, other machines), `evaluate` returns the merged bytes. So one
//! full-batch epoch is one aggregate query over the files, out of core and
//! on every core, and the closed form is one more.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Column, DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, Signature, Volatility,
};
use datafusion::prelude::{lit, DataFrame, ParquetReadOptions, SessionContext};

use super::sums;
use crate::model::formula::{Expr as FormulaExpr, Formula};
use crate::model::{Batch, LinearModel, Scaling};
use crate::solve::QrStats;
use crate::source::SourceError;
use crate::source::{block_stats, GradStats};
use crate::train::TrainConfig;
use crate::train::{train_backend, Observer, TrainError, Trained};

pub const GRAD: &str = "chainrule_grad";
pub const QR: &str = "chainrule_qr";
pub const QR_NO_INTERCEPT: &str = "chainrule_qr_noint";

fn engine_error(e: DataFusionError) -> SourceError {
    SourceError::Engine(format!("DataFusion: {e}"))
}

// ---- statistics as bytes (little-endian; the state crosses machines) ----

fn put(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn words(bytes: &[u8]) -> DfResult<Vec<u64>> {
    if !bytes.len().is_multiple_of(8) {
        return Err(DataFusionError::Execution(
            "chainrule statistics: state is not a whole number of 8-byte words".into(),
        ));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
        .collect())
}

/// [count, j_sum, p, grad_sum…].
pub fn grad_to_bytes(s: &GradStats) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * (3 + s.grad_sum.len()));
    out.extend_from_slice(&s.count.to_le_bytes());
    put(&mut out, s.j_sum);
    out.extend_from_slice(&(s.grad_sum.len() as u64).to_le_bytes());
    s.grad_sum.iter().for_each(|&g| put(&mut out, g));
    out
}

pub fn grad_from_bytes(bytes: &[u8]) -> DfResult<GradStats> {
    let w = words(bytes)?;
    if w.len() < 3 || w.len() != 3 + w[2] as usize {
        return Err(DataFusionError::Execution(
            "chainrule_grad: malformed state".into(),
        ));
    }
    Ok(GradStats {
        count: w[0],
        j_sum: f64::from_bits(w[1]),
        grad_sum: w[3..].iter().map(|&b| f64::from_bits(b)).collect(),
    })
}

/// [count, m, R row-major…].
pub fn qr_to_bytes(s: &QrStats) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * (2 + s.r.len()));
    out.extend_from_slice(&s.count.to_le_bytes());
    out.extend_from_slice(&(s.m as u64).to_le_bytes());
    s.r.iter().for_each(|&v| put(&mut out, v));
    out
}

pub fn qr_from_bytes(bytes: &[u8]) -> DfResult<QrStats> {
    let w = words(bytes)?;
    let m = w.get(1).copied().unwrap_or(0) as usize;
    if w.len() < 2 || w.len() != 2 + m * m {
        return Err(DataFusionError::Execution(
            "chainrule_qr: malformed state".into(),
        ));
    }
    Ok(QrStats {
        count: w[0],
        m,
        r: w[2..].iter().map(|&b| f64::from_bits(b)).collect(),
    })
}

// ---- the aggregate functions ----

/// `chainrule_grad`, `chainrule_qr` or `chainrule_qr_noint`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatsUdaf {
    kind: Kind,
    signature: Signature,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Grad,
    Qr { intercept: bool },
}

impl StatsUdaf {
    fn new(kind: Kind) -> Self {
        StatsUdaf {
            kind,
            // Any number of numeric arguments, each cast to Float64 (`coerce_types`).
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// The three functions, to register with a session (local, Ballista
    /// scheduler, every executor).
    pub fn all() -> Vec<AggregateUDF> {
        [
            Kind::Grad,
            Kind::Qr { intercept: true },
            Kind::Qr { intercept: false },
        ]
        .into_iter()
        .map(|k| AggregateUDF::new_from_impl(StatsUdaf::new(k)))
        .collect()
    }
}

impl AggregateUDFImpl for StatsUdaf {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Grad => GRAD,
            Kind::Qr { intercept: true } => QR,
            Kind::Qr { intercept: false } => QR_NO_INTERCEPT,
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Binary)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> DfResult<Vec<DataType>> {
        if let Some(t) = arg_types.iter().find(|t| !t.is_numeric() && !t.is_null()) {
            return Err(DataFusionError::Plan(format!(
                "{}: arguments must be numeric, not {t}",
                self.name()
            )));
        }
        Ok(vec![DataType::Float64; arg_types.len()])
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "stats"),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        let count = args.exprs.len();
        Ok(match self.kind {
            Kind::Grad => {
                if count < 2 {
                    return Err(DataFusionError::Plan(format!(
                        "{GRAD}(y, x1…xd, θ…) needs at least y and θ0"
                    )));
                }
                let intercept = count.is_multiple_of(2);
                let d = (count - 1) / 2;
                let model = LinearModel::new(d, intercept);
                Box::new(StatsAccumulator::Grad {
                    model,
                    stats: GradStats::empty(model.n_params()),
                    x: Vec::new(),
                })
            }
            Kind::Qr { intercept } => {
                if count == 0 {
                    return Err(DataFusionError::Plan(format!(
                        "{QR}(y, x1…xd) needs at least y"
                    )));
                }
                let model = LinearModel::new(count - 1, intercept);
                Box::new(StatsAccumulator::Qr {
                    model,
                    stats: QrStats::empty(model.n_params()),
                    x: Vec::new(),
                })
            }
        })
    }
}

#[derive(Debug)]
enum StatsAccumulator {
    Grad {
        model: LinearModel,
        stats: GradStats,
        /// Row-major X of the current record batch, reused.
        x: Vec<f64>,
    },
    Qr {
        model: LinearModel,
        stats: QrStats,
        x: Vec<f64>,
    },
}

/// Column `j` of the arguments as f64 values, refusing nulls.
fn values(columns: &[ArrayRef], j: usize) -> DfResult<&[f64]> {
    let a = columns[j]
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(|| {
            DataFusionError::Execution(format!(
                "chainrule statistics: argument {} is not Float64",
                j + 1
            ))
        })?;
    if a.null_count() > 0 {
        return Err(DataFusionError::Execution(format!(
            "chainrule statistics: argument {} has null values; filter them out (IS NOT NULL) first",
            j + 1
        )));
    }
    Ok(&a.values()[..])
}

/// The batch's rows as X (row-major, into `x`) and y.
fn rows<'a>(columns: &'a [ArrayRef], d: usize, x: &'a mut Vec<f64>) -> DfResult<Batch<'a>> {
    let y = values(columns, 0)?;
    x.clear();
    x.resize(y.len() * d, 0.0);
    for j in 0..d {
        for (i, v) in values(columns, 1 + j)?.iter().enumerate() {
            x[i * d + j] = *v;
        }
    }
    Ok(Batch::new(x, y, d))
}

impl Accumulator for StatsAccumulator {
    fn update_batch(&mut self, columns: &[ArrayRef]) -> DfResult<()> {
        if columns.first().is_none_or(|c| c.is_empty()) {
            return Ok(());
        }
        match self {
            StatsAccumulator::Grad { model, stats, x } => {
                // θ is a literal: the same value on every row.
                let theta: Vec<f64> = (0..model.n_params())
                    .map(|k| values(columns, 1 + model.d + k).map(|v| v[0]))
                    .collect::<DfResult<_>>()?;
                let batch = rows(columns, model.d, x)?;
                stats.merge(&block_stats(batch, model, &theta));
            }
            StatsAccumulator::Qr { model, stats, x } => {
                let batch = rows(columns, model.d, x)?;
                stats.add_batch(batch, model);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let partials: &BinaryArray = states[0].as_binary_opt().ok_or_else(|| {
            DataFusionError::Execution("chainrule statistics: state is not binary".into())
        })?;
        for bytes in partials.iter().flatten() {
            match self {
                StatsAccumulator::Grad { stats, .. } => stats.merge(&grad_from_bytes(bytes)?),
                StatsAccumulator::Qr { stats, .. } => stats.merge(&qr_from_bytes(bytes)?),
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        Ok(ScalarValue::Binary(Some(match self {
            StatsAccumulator::Grad { stats, .. } => grad_to_bytes(stats),
            StatsAccumulator::Qr { stats, .. } => qr_to_bytes(stats),
        })))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + match self {
                StatsAccumulator::Grad { stats, x, .. } => {
                    8 * (stats.grad_sum.len() + x.capacity())
                }
                StatsAccumulator::Qr { stats, x, .. } => 8 * (stats.r.len() + x.capacity()),
            }
    }
}

// ---- running the queries ----

/// Which aggregates compute a pass's sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sums {
    /// `chainrule_grad` and `chainrule_qr`: the kernel's sums and TSQR.
    Functions,
    /// Built-in SQL sums (`scale::sums`), on a cluster whose nodes lack
    /// chainrule's functions: the same gradient to rounding, but the
    /// setup statistics come from XᵀX, which squares the condition number.
    BuiltIn,
}

/// Where the queries run: a `SessionContext` with the functions
/// registered — a local session on all cores, or a Ballista client
/// (`scale::cluster`).
pub struct Engine {
    pub runtime: tokio::runtime::Runtime,
    pub ctx: SessionContext,
    /// The functions, as registered (grad, qr, qr without intercept).
    udafs: Vec<AggregateUDF>,
    /// Which aggregates the queries use; `qr_stats` switches to built-in
    /// sums when the nodes lack ours.
    sums: Cell<Sums>,
    /// A query still unanswered after this long is an error: a cluster
    /// that lost every executor may otherwise wait without end.
    pub query_timeout: Option<Duration>,
    /// Where the queries run, in words, for messages.
    pub place: String,
}

/// The files as one table, and the formula's columns as expressions.
pub struct Table {
    frame: DataFrame,
    formula: Formula,
    pub response: String,
    pub names: Vec<String>,
}

fn column(name: &str) -> Expr {
    Expr::Column(Column::from_name(name))
}

impl Engine {
    /// A local DataFusion session on every core.
    pub fn local() -> Result<Engine, SourceError> {
        let ctx = SessionContext::new();
        Ok(Engine::with_context(
            runtime()?,
            ctx,
            "a local DataFusion session",
        ))
    }

    /// `ctx` with chainrule's aggregate functions registered.
    pub fn with_context(
        runtime: tokio::runtime::Runtime,
        ctx: SessionContext,
        place: &str,
    ) -> Engine {
        let udafs = StatsUdaf::all();
        for f in &udafs {
            ctx.register_udaf(f.clone());
        }
        Engine {
            runtime,
            ctx,
            udafs,
            sums: Cell::new(Sums::Functions),
            query_timeout: None,
            place: place.to_string(),
        }
    }

    /// Which aggregates the queries have used.
    pub fn sums(&self) -> Sums {
        self.sums.get()
    }

    /// The Parquet files as one table, checked against the formula: the
    /// engine evaluates plain column terms (`y ~ x1 + x2`, `y ~ .`); powers
    /// and products need the local engine.
    pub fn table(&self, files: &[PathBuf], formula: &Formula) -> Result<Table, SourceError> {
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        let frame = self
            .runtime
            .block_on(self.ctx.read_parquet(paths, ParquetReadOptions::default()))
            .map_err(engine_error)?;
        let all: Vec<String> = frame
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let header = crate::data::Dataset {
            path: files.first().cloned(),
            names: all.clone(),
            columns: vec![Vec::new(); all.len()],
            ..Default::default()
        };
        let names = formula.feature_names(&header)?;
        formula.design(&header)?;
        if let Some(n) = names.iter().find(|n| !all.contains(n)) {
            return Err(SourceError::Engine(format!(
                "the DataFusion engine takes plain column terms; \"{n}\" is computed — use the local engine for powers and products"
            )));
        }
        if !matches!(formula.response, FormulaExpr::Column(_)) {
            return Err(SourceError::Engine(format!(
                "the DataFusion engine takes a plain response column; \"{}\" is computed — \
                 use the local engine for a transformed response",
                formula.response_name()
            )));
        }
        Ok(Table {
            frame,
            formula: formula.clone(),
            response: formula.response_name(),
            names,
        })
    }

    /// One aggregate query over every row: its one-row answer.
    pub(crate) fn aggregate(
        &self,
        table: &Table,
        aggregates: Vec<Expr>,
    ) -> Result<RecordBatch, SourceError> {
        let query = table
            .frame
            .clone()
            .aggregate(vec![], aggregates)
            .map_err(engine_error)?
            .collect();
        let batches = match self.query_timeout {
            None => self.runtime.block_on(query),
            Some(limit) => self
                .runtime
                .block_on(async { tokio::time::timeout(limit, query).await })
                .map_err(|_| {
                    SourceError::Engine(format!(
                        "{}: no answer within {} s (are the executors alive? see the scheduler's output)",
                        self.place,
                        limit.as_secs()
                    ))
                })?,
        }
        .map_err(|e| SourceError::Engine(format!("{}: {e}", self.place)))?;
        batches
            .into_iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| SourceError::Engine("the aggregate query returned no rows".into()))
    }

    fn run_one(&self, table: &Table, aggregate: Expr) -> Result<Vec<u8>, SourceError> {
        let batch = self.aggregate(table, vec![aggregate])?;
        let bytes = batch.column(0).as_binary_opt::<i32>().ok_or_else(|| {
            SourceError::Engine("the aggregate query returned a non-binary value".into())
        })?;
        Ok(bytes.value(0).to_vec())
    }

    fn udaf(&self, name: &str) -> &AggregateUDF {
        self.udafs
            .iter()
            .find(|f| f.name() == name)
            .expect("the three functions are registered in with_context")
    }

    /// The features as expressions, standardized by `scaling` when given.
    fn features(&self, table: &Table, scaling: Option<&Scaling>) -> Vec<Expr> {
        table
            .names
            .iter()
            .enumerate()
            .map(|(j, name)| match scaling {
                Some(s) => (column(name) - lit(s.mean[j])) / lit(s.scale[j]),
                None => column(name),
            })
            .collect()
    }

    /// [`GradStats`] of every row at θ (features standardized by `scaling`
    /// when given): one aggregate query.
    pub fn grad_stats(
        &self,
        table: &Table,
        theta: &[f64],
        scaling: Option<&Scaling>,
    ) -> Result<GradStats, SourceError> {
        let x = self.features(table, scaling);
        let y = column(&table.response);
        if self.sums.get() == Sums::BuiltIn {
            let batch =
                self.aggregate(table, sums::grad(&y, &x, theta, table.formula.intercept))?;
            return sums::grad_stats(&batch, theta.len());
        }
        let mut args = vec![y];
        args.extend(x);
        args.extend(theta.iter().map(|&t| lit(t)));
        let bytes = self.run_one(table, self.udaf(GRAD).call(args))?;
        grad_from_bytes(&bytes).map_err(engine_error)
    }

    /// [`QrStats`] of every row by TSQR (`chainrule_qr`): one aggregate
    /// query. Nodes without the function are an error that says so.
    pub fn qr_stats_tsqr(&self, table: &Table) -> Result<QrStats, SourceError> {
        let args = std::iter::once(&table.response)
            .chain(&table.names)
            .map(|n| column(n))
            .collect();
        let name = if table.formula.intercept {
            QR
        } else {
            QR_NO_INTERCEPT
        };
        let bytes = self.run_one(table, self.udaf(name).call(args))?;
        qr_from_bytes(&bytes).map_err(engine_error)
    }

    /// [`QrStats`] of every row: by TSQR where the nodes have
    /// `chainrule_qr`; else from built-in sums of products (XᵀX, squared
    /// condition number), and every later query uses built-in sums too
    /// ([`Engine::sums`] says which).
    pub fn qr_stats(&self, table: &Table) -> Result<QrStats, SourceError> {
        match self.qr_stats_tsqr(table) {
            Err(e) if lacks_functions(&e) => {
                self.sums.set(Sums::BuiltIn);
                let y = column(&table.response);
                let x = self.features(table, None);
                let intercept = table.formula.intercept;
                let batch = self.aggregate(table, sums::gram(&y, &x, intercept))?;
                sums::qr_from_gram(&batch, x.len() + usize::from(intercept) + 1)
            }
            other => other,
        }
    }
}

/// A multi-threaded async runtime for the queries.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, SourceError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| SourceError::Engine(format!("cannot start the async runtime: {e}")))
}

/// Whether a query failed because a node lacks chainrule's functions:
/// Ballista sends a user-defined aggregate by name, and a scheduler or
/// executor that does not know the name cannot decode the plan.
pub fn lacks_functions(e: &SourceError) -> bool {
    let text = e.to_string();
    text.contains("is not provided for aggregate function")
        || text.contains("could not be prepared or was rejected")
        || (text.contains(GRAD) || text.contains(QR)) && text.contains("not found")
}

/// Full-batch training where every pass is a query: one for the QR
/// statistics (n, lr auto, scaling, R², closed form), then one per epoch —
/// the training loop's statistics backend (`train::train_backend`).
pub fn train_engine(
    engine: &Engine,
    table: &Table,
    cfg: &TrainConfig,
    observer: &mut dyn Observer,
) -> Result<Trained, TrainError> {
    if cfg.batch_size.is_some() {
        return Err(TrainError::FullBatchOnly);
    }
    let model = LinearModel::new(table.names.len(), table.formula.intercept);
    observer.on_pass("scan");
    let stats = engine.qr_stats(table)?;
    train_backend(stats, model, cfg, observer, &mut |theta, scaling| {
        engine.grad_stats(table, theta, scaling)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_survive_the_byte_round_trip() {
        let g = GradStats {
            count: 3,
            j_sum: 1.5,
            grad_sum: vec![-0.25, 2.0],
        };
        assert_eq!(grad_from_bytes(&grad_to_bytes(&g)).unwrap(), g);
        let mut q = QrStats::empty(1);
        q.add_batch(Batch::new(&[], &[1.0, 2.0], 0), &LinearModel::new(0, true));
        assert_eq!(qr_from_bytes(&qr_to_bytes(&q)).unwrap(), q);
        assert!(grad_from_bytes(&[0; 12]).is_err());
    }
}
