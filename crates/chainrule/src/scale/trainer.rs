//! The training loop over a [`DesignSource`]: the rows stream from disk
//! every epoch and memory holds one chunk, however many rows there are.
//!
//! - A first pass folds every row into [`QrStats`] (the R of [A | y]): it
//!   gives n, the Hessian (2/n)·AᵀA for `--lr auto` and the divergence
//!   message, the means and deviations for `--standardize`, R² and the
//!   closed form for `--check`, all without holding a row.
//! - Full batch (the default for mode vectorized): each epoch is one pass
//!   that merges the chunks' [`GradStats`] at a fixed θ, then one step.
//!   That is the same sum as the in-memory trainer's, grouped by chunk, so
//!   θ agrees to rounding.
//! - Mini-batches: rows fill a window of `window` rows; with shuffling on,
//!   the window's rows are shuffled (xoshiro256++, `seed`) and dealt into
//!   batches of k. Rows left over (fewer than k) carry into the next
//!   window, so every batch but the epoch's last has k rows. A shuffle
//!   within a window only mixes rows that are near each other in the file:
//!   a file sorted by something that matters should be shuffled once
//!   beforehand, or the window made larger. Without shuffling, batches are
//!   consecutive rows, exactly the in-memory trainer's.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::grad_stats::{block_stats, GradStats};
use super::qr_stats::QrStats;
use super::source::DesignSource;
use super::ScaleError;
use crate::kernel::FusedKernel;
use crate::model::{gradient_source, Batch, Engine, Gradient, LinearModel};
use crate::train::lr::lambda_max;
use crate::train::{
    Fit, LearningRate, Observer, Quiet, Scaling, StopReason, TrainConfig, TrainError,
};

/// Watches a streamed run: chunks as they are read, and epochs.
pub trait StreamObserver: Observer {
    /// `rows` rows of the current pass were just used; `bytes` of input
    /// have been consumed in this pass so far.
    fn on_chunk(&mut self, _rows: usize, _bytes: u64) {}
    /// A pass over the data begins (`what`: "scan", "epoch", "metrics").
    fn on_pass(&mut self, _what: &str) {}
}

impl StreamObserver for Quiet {}

/// A streamed training run's result: the fit, and what the first pass
/// learned about the data.
pub struct StreamFit {
    pub fit: Fit,
    /// R of [A | y] in original units.
    pub stats: QrStats,
    /// Rows per epoch.
    pub n: usize,
}

/// One pass folding every row into [`QrStats`].
pub fn scan(
    source: &mut dyn DesignSource,
    observer: &mut dyn StreamObserver,
) -> Result<QrStats, ScaleError> {
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
    source: &mut dyn DesignSource,
    theta: &[f64],
    observer: &mut dyn StreamObserver,
) -> Result<GradStats, ScaleError> {
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

/// What a run settles before its first step, from the first pass's
/// statistics: n, batch size, learning rate, λmax and the scaling.
pub struct Plan {
    pub model: LinearModel,
    pub n: usize,
    pub k: usize,
    pub lr: f64,
    pub lambda: f64,
    pub scaling: Option<Scaling>,
}

impl Plan {
    /// `widest`: max‖aᵢ‖² in training units, asked for only by `--lr auto`
    /// with mini-batches (it needs another pass).
    pub fn new(
        stats: &QrStats,
        model: LinearModel,
        cfg: &TrainConfig,
        widest: &mut dyn FnMut(Option<&Scaling>) -> Result<f64, ScaleError>,
    ) -> Result<Plan, ScaleError> {
        let n = stats.count as usize;
        if n == 0 {
            return Err(TrainError::Config("no rows to train on".into()).into());
        }
        let k = cfg.resolved_batch(n).map_err(TrainError::Config)?;
        let scaling = cfg.standardize.then(|| stats.scaling(&model));
        let scaled_stats = match &scaling {
            Some(s) => stats.rescaled(s, model.intercept),
            None => stats.clone(),
        };
        let hessian: Vec<f64> = scaled_stats
            .gram()
            .iter()
            .map(|g| 2.0 * g / n as f64)
            .collect();
        let lambda = lambda_max(&hessian, model.n_params());
        let lr = match cfg.lr {
            LearningRate::Fixed(lr) if lr > 0.0 && lr.is_finite() => lr,
            LearningRate::Fixed(lr) => {
                return Err(
                    TrainError::Config(format!("--lr must be a positive number, not {lr}")).into(),
                )
            }
            LearningRate::Auto if k >= n => 1.0 / lambda,
            LearningRate::Auto => (1.0 / lambda).min(1.0 / (2.0 * widest(scaling.as_ref())?)),
        };
        Ok(Plan {
            model,
            n,
            k,
            lr,
            lambda,
            scaling,
        })
    }
}

/// One epoch: takes the epoch number and the run (θ, the step), returns
/// the epoch's J.
type EpochFn<'f> =
    dyn FnMut(usize, &mut Run, &mut dyn StreamObserver) -> Result<f64, ScaleError> + 'f;

/// The epochs, stopping rules and records, around any epoch body.
fn descend(
    plan: &Plan,
    cfg: &TrainConfig,
    observer: &mut dyn StreamObserver,
    epoch_body: &mut EpochFn<'_>,
) -> Result<Fit, ScaleError> {
    let start = Instant::now();
    let p = plan.model.n_params();
    let to_original = |t: &[f64]| match &plan.scaling {
        Some(s) => s.to_original(t, plan.model.intercept),
        None => t.to_vec(),
    };
    let mut run = Run {
        lr: plan.lr,
        lambda: plan.lambda,
        theta: vec![0.0; p],
        grad: vec![0.0; p],
        j0: None,
        fit: Fit {
            theta: Vec::new(),
            epoch_j: Vec::new(),
            step_j: Vec::new(),
            theta_path: vec![vec![0.0; p]],
            epochs: 0,
            steps: 0,
            lr: plan.lr,
            batch_size: plan.k,
            stop: StopReason::Epochs,
            scaling: plan.scaling.clone(),
            seconds: 0.0,
        },
    };
    for epoch in 1..=cfg.epochs {
        observer.on_pass("epoch");
        let j = epoch_body(epoch, &mut run, observer)?;
        let previous = run.fit.epoch_j.last().copied();
        run.fit.epoch_j.push(j);
        run.fit.epochs = epoch;
        if run.fit.theta_path.len() <= crate::train::trainer::MAX_RECORDED {
            let t = to_original(&run.theta);
            run.fit.theta_path.push(t);
        }
        if observer.on_epoch(epoch, j).is_break() {
            run.fit.stop = StopReason::Interrupted;
            break;
        }
        if let (Some(tol), Some(prev)) = (cfg.tol, previous) {
            if (prev - j).abs() <= tol * prev.abs() {
                run.fit.stop = StopReason::Converged;
                break;
            }
        }
    }
    let mut fit = run.fit;
    fit.theta = to_original(&run.theta);
    fit.theta_path[0] = to_original(&fit.theta_path[0]);
    fit.seconds = start.elapsed().as_secs_f64();
    Ok(fit)
}

/// The statistics of every row at θ (training units, `Scaling` applied).
pub type GradAtFn<'f> = dyn FnMut(&[f64], Option<&Scaling>) -> Result<GradStats, ScaleError> + 'f;

/// Full-batch descent where something else sums the rows: `grad_at(θ,
/// scaling)` returns the [`GradStats`] of every row at θ (training units:
/// features standardized by `scaling` when it is given). One call per epoch.
/// This is how a DataFusion query drives the same loop.
pub fn train_full_batch(
    stats: &QrStats,
    model: LinearModel,
    cfg: &TrainConfig,
    observer: &mut dyn StreamObserver,
    grad_at: &mut GradAtFn<'_>,
) -> Result<Fit, ScaleError> {
    let full = TrainConfig {
        batch_size: None,
        ..cfg.clone()
    };
    let plan = Plan::new(stats, model, &full, &mut |_| Ok(0.0))?;
    if plan.k < plan.n {
        return Err(TrainError::Config("this engine runs full-batch descent only".into()).into());
    }
    descend(&plan, &full, observer, &mut |epoch, run, _| {
        let sum = grad_at(&run.theta, plan.scaling.as_ref())?;
        let j = sum.finish_into(&mut run.grad);
        run.step(epoch, j, 0)?;
        Ok(j)
    })
}

/// Trains on `source` from θ = 0; `window` is the shuffle window in rows
/// (at least the batch size).
pub fn train_stream(
    source: &mut dyn DesignSource,
    cfg: &TrainConfig,
    window: usize,
    observer: &mut dyn StreamObserver,
) -> Result<StreamFit, ScaleError> {
    let model = LinearModel::new(source.d(), source.intercept());
    let stats = scan(source, observer)?;
    let plan = Plan::new(&stats, model, cfg, &mut |scaling| {
        widest_row(source, scaling, &model, observer)
    })?;
    let (n, k) = (plan.n, plan.k);
    let mut scaled = Vec::new();
    let fit = if k >= n {
        let mut kernel = FusedKernel::new(model.d, model.intercept);
        descend(&plan, cfg, observer, &mut |epoch, run, observer| {
            let mut sum = GradStats::empty(model.n_params());
            source.pass(&mut |batch, bytes| {
                let batch = apply_scaling(batch, plan.scaling.as_ref(), &mut scaled);
                sum.merge(&kernel.stats(batch.x, batch.y, &run.theta));
                observer.on_chunk(batch.len(), bytes);
                Ok(())
            })?;
            let j = sum.finish_into(&mut run.grad);
            run.step(epoch, j, 0)?;
            Ok(j)
        })?
    } else {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed);
        let shuffle = cfg.shuffle.unwrap_or(true);
        let sizes: Vec<usize> = [k, n % k].into_iter().filter(|&s| s > 0).collect();
        let engine = cfg.resolved_engine().map_err(TrainError::Config)?;
        let mut graphs: Box<dyn Gradient> = match engine {
            Engine::Graph => gradient_source(cfg.mode, model, &sizes).map_err(TrainError::from)?,
            Engine::Kernel => Box::new(FusedKernel::with_capacity(model.d, model.intercept, k)),
        };
        let mut win = Window::new(window.max(k), k, model.d);
        descend(&plan, cfg, observer, &mut |epoch, run, observer| {
            let mut total = 0.0;
            win.clear();
            let mut step = |bx: &[f64], by: &[f64], start: usize, run: &mut Run| {
                let batch = Batch::new(bx, by, model.d);
                let j = graphs.cost_and_grad(batch, &run.theta, &mut run.grad);
                total += j * batch.len() as f64;
                run.step(epoch, j, start)
            };
            source.pass(&mut |batch, bytes| {
                let batch = apply_scaling(batch, plan.scaling.as_ref(), &mut scaled);
                win.push(batch);
                while win.full() {
                    win.deal(shuffle, &mut rng, false, &mut |bx, by, s| {
                        step(bx, by, s, run)
                    })?;
                }
                observer.on_chunk(batch.len(), bytes);
                Ok(())
            })?;
            win.deal(shuffle, &mut rng, true, &mut |bx, by, s| {
                step(bx, by, s, run)
            })?;
            Ok(total / n as f64)
        })?
    };
    Ok(StreamFit { fit, stats, n })
}

/// The step and the checks the in-memory trainer makes after each batch.
pub struct Run {
    lr: f64,
    lambda: f64,
    theta: Vec<f64>,
    grad: Vec<f64>,
    j0: Option<f64>,
    fit: Fit,
}

impl Run {
    fn step(&mut self, epoch: usize, j: f64, batch_start: usize) -> Result<(), ScaleError> {
        self.fit.steps += 1;
        if !j.is_finite() || self.grad.iter().any(|g| !g.is_finite()) {
            return Err(TrainError::NonFinite {
                epoch,
                step: self.fit.steps,
                batch_start,
                j,
                lr: self.lr,
            }
            .into());
        }
        let j0 = *self.j0.get_or_insert(j);
        if j > j0.max(f64::MIN_POSITIVE) * 1e8 {
            return Err(TrainError::Diverged {
                epoch,
                step: self.fit.steps,
                j,
                j0,
                lr: self.lr,
                stable: 2.0 / self.lambda,
                auto: 1.0 / self.lambda,
            }
            .into());
        }
        if self.fit.step_j.len() < crate::train::trainer::MAX_RECORDED {
            self.fit.step_j.push(j);
        }
        for (t, g) in self.theta.iter_mut().zip(&self.grad) {
            *t -= self.lr * g;
        }
        Ok(())
    }
}

/// `batch` in standardized units (into `buf`), or `batch` itself.
fn apply_scaling<'a>(
    batch: Batch<'a>,
    scaling: Option<&Scaling>,
    buf: &'a mut Vec<f64>,
) -> Batch<'a> {
    let Some(s) = scaling else { return batch };
    buf.clear();
    buf.extend_from_slice(batch.x);
    for row in buf.chunks_exact_mut(batch.d.max(1)) {
        for ((v, &m), &sd) in row.iter_mut().zip(&s.mean).zip(&s.scale) {
            *v = (*v - m) / sd;
        }
    }
    Batch::new(buf, batch.y, batch.d)
}

/// max over rows of ‖aᵢ‖² (a = [1 | x], in training units): one pass.
fn widest_row(
    source: &mut dyn DesignSource,
    scaling: Option<&Scaling>,
    model: &LinearModel,
    observer: &mut dyn StreamObserver,
) -> Result<f64, ScaleError> {
    let mut widest = 0.0f64;
    let mut buf = Vec::new();
    let one = f64::from(u8::from(model.intercept));
    observer.on_pass("scan");
    source.pass(&mut |batch, bytes| {
        let batch = apply_scaling(batch, scaling, &mut buf);
        for i in 0..batch.len() {
            widest = widest.max(batch.row(i).iter().map(|x| x * x).sum::<f64>() + one);
        }
        observer.on_chunk(batch.len(), bytes);
        Ok(())
    })?;
    Ok(widest)
}

/// One mini-batch step: rows (x, y) and the epoch row the batch starts at.
type StepFn<'f> = dyn FnMut(&[f64], &[f64], usize) -> Result<(), ScaleError> + 'f;

/// Rows waiting to be dealt into mini-batches.
struct Window {
    size: usize,
    k: usize,
    d: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    /// Row of the epoch at which the window's first row sits.
    first_row: usize,
    order: Vec<usize>,
    bx: Vec<f64>,
    by: Vec<f64>,
}

impl Window {
    fn new(size: usize, k: usize, d: usize) -> Self {
        Window {
            size,
            k,
            d,
            x: Vec::with_capacity((size + k) * d),
            y: Vec::with_capacity(size + k),
            first_row: 0,
            order: Vec::with_capacity(size + k),
            bx: vec![0.0; k * d],
            by: vec![0.0; k],
        }
    }

    fn clear(&mut self) {
        self.x.clear();
        self.y.clear();
        self.first_row = 0;
    }

    fn push(&mut self, batch: Batch<'_>) {
        self.x.extend_from_slice(batch.x);
        self.y.extend_from_slice(batch.y);
    }

    fn full(&self) -> bool {
        self.y.len() >= self.size
    }

    /// Deals whole batches of k from the window (at most `size` rows of
    /// it, shuffled when asked); rows short of a batch stay, unless `last`,
    /// when they make the epoch's last, shorter batch.
    fn deal(
        &mut self,
        shuffle: bool,
        rng: &mut Xoshiro256PlusPlus,
        last: bool,
        step: &mut StepFn<'_>,
    ) -> Result<(), ScaleError> {
        let (k, d) = (self.k, self.d);
        let rows = self.y.len().min(self.size);
        let used = if last { rows } else { rows - rows % k };
        self.order.clear();
        self.order.extend(0..rows);
        if shuffle {
            self.order.shuffle(rng);
        }
        for s in (0..used).step_by(k) {
            let m = (used - s).min(k);
            for (slot, &r) in self.order[s..s + m].iter().enumerate() {
                self.bx[slot * d..(slot + 1) * d].copy_from_slice(&self.x[r * d..(r + 1) * d]);
                self.by[slot] = self.y[r];
            }
            step(&self.bx[..m * d], &self.by[..m], self.first_row + s)?;
        }
        // Keep the rows not dealt: those the shuffle put past `used`, then
        // any beyond the window.
        let keep: Vec<usize> = self.order[used..]
            .iter()
            .copied()
            .chain(rows..self.y.len())
            .collect();
        let (x, y) = (
            keep.iter()
                .flat_map(|&r| self.x[r * d..(r + 1) * d].to_vec())
                .collect(),
            keep.iter().map(|&r| self.y[r]).collect(),
        );
        self.x = x;
        self.y = y;
        self.first_row += used;
        Ok(())
    }
}
