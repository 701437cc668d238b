//! The one training loop: mini-batch gradient descent θ ← θ − lr·∂J/∂θ
//! over any row source, epoch after epoch.
//!
//! - First a [`Plan`] (n, scaling, λmax, the learning rate, J(θ₀)): from
//!   the rows directly when they are in memory, else from one pass folding
//!   them into `QrStats`.
//! - Full batch (k ≥ n): each epoch sums every row at one θ, then steps.
//!   The kernel merges the chunks' `GradStats`; the graph engine weights
//!   each chunk's J and ∂J/∂θ by its rows; a statistics backend (a
//!   DataFusion query) hands back the `GradStats` of every row. In memory
//!   the one chunk is the whole slice: the same call as ever, no copy.
//! - Mini-batches: batches of k are dealt from a [`Window`] of rows (in
//!   memory: all of them, shuffled as one permutation; streamed: each chunk
//!   with the rows carried over from the last one).
//! - After every step: non-finite J or ∂J/∂θ stops the run, and so does a
//!   J above 10⁸ × max(J over all rows at θ₀, the first batch's J); the
//!   history (epoch J, step J, θ path) grows; the observer may stop it.
//! - After every epoch, with a tolerance: the gradient over every row at
//!   the new θ (from the plan's normal equations, p² work, no pass, the
//!   same in every mode) stops the run once ‖∇J‖ ≤ tol·‖∇J(0)‖.
//!
//! Everything a step needs (batch buffers, the gradient) is allocated once.

use std::ops::ControlFlow;
use std::time::Instant;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::config::TrainConfig;
use super::fit::{Fit, Observer, StopReason, TrainError, MAX_RECORDED};
use super::plan::Plan;
use super::window::Window;
use crate::kernel::{FusedKernel, GradStats};
use crate::model::Scaling;
use crate::model::{gradient_source, Batch, Engine, Gradient, LinearModel};
use crate::solve::QrStats;
use crate::source::{ChunkFn, RowSource, SourceError};

/// A finished run: the fit, and what the first look at the rows learned.
pub struct Trained {
    pub fit: Fit,
    /// Rows per epoch.
    pub n: usize,
    /// What computed the gradient.
    pub engine: Engine,
    /// R of [A | y] in original units, when the rows were streamed (or
    /// summed by a backend); `None` when they were in memory.
    pub stats: Option<QrStats>,
}

/// The statistics of every row at θ (training units, `Scaling` applied):
/// a backend that sums rows itself, one call per epoch (DataFusion).
pub type GradAtFn<'f> = dyn FnMut(&[f64], Option<&Scaling>) -> Result<GradStats, SourceError> + 'f;

/// Trains on every row of `source` from θ = `theta0` (original units;
/// zeros when `None`).
pub fn train_source(
    source: &mut dyn RowSource,
    cfg: &TrainConfig,
    theta0: Option<&[f64]>,
    observer: &mut dyn Observer,
) -> Result<Trained, TrainError> {
    let start = Instant::now();
    let model = LinearModel::new(source.d(), source.intercept());
    if let Some(data) = source.whole() {
        let (plan, scaled_x) = Plan::in_memory(data, model, cfg, theta0)?;
        let rows = Batch::new(scaled_x.as_deref().unwrap_or(data.x), data.y, data.d);
        let mut rows = Rows::Whole(rows);
        return finish(start, plan, cfg, &mut rows, observer);
    }
    let stats = crate::source::scan(source, observer)?;
    let mut widest = |scaling: Option<&Scaling>| widest_row(source, scaling, &model, observer);
    let plan = Plan::from_stats(stats, model, cfg, theta0, &mut widest)?;
    let scaling = plan.scaling.clone();
    let mut rows = Rows::Stream {
        source,
        scaling: scaling.as_ref(),
        buf: Vec::new(),
    };
    finish(start, plan, cfg, &mut rows, observer)
}

/// Trains `model` on rows in memory from θ = `theta0` (original units;
/// zeros when `None`): [`train_source`] on one chunk, the whole slice.
pub fn train(
    data: Batch<'_>,
    model: LinearModel,
    cfg: &TrainConfig,
    theta0: Option<&[f64]>,
    observer: &mut dyn Observer,
) -> Result<Fit, TrainError> {
    let start = Instant::now();
    let (plan, scaled_x) = Plan::in_memory(data, model, cfg, theta0)?;
    let rows = Batch::new(scaled_x.as_deref().unwrap_or(data.x), data.y, data.d);
    Ok(finish(start, plan, cfg, &mut Rows::Whole(rows), observer)?.fit)
}

/// Full-batch descent where a backend sums the rows: `stats` is the first
/// pass's R of [A | y], `grad_at(θ, scaling)` the [`GradStats`] of every
/// row at θ in training units. The same loop, checks and records.
pub fn train_backend(
    stats: QrStats,
    model: LinearModel,
    cfg: &TrainConfig,
    observer: &mut dyn Observer,
    grad_at: &mut GradAtFn<'_>,
) -> Result<Trained, TrainError> {
    let start = Instant::now();
    if cfg.batch_size.is_some() {
        return Err(TrainError::FullBatchOnly);
    }
    let plan = Plan::from_stats(stats, model, cfg, None, &mut |_| Ok(0.0))?;
    finish(start, plan, cfg, &mut Rows::Backend(grad_at), observer)
}

/// Where an epoch's rows come from.
enum Rows<'r> {
    /// All rows in memory, in training units: one chunk.
    Whole(Batch<'r>),
    /// A pass over a source per epoch, chunks scaled into `buf`.
    Stream {
        source: &'r mut dyn RowSource,
        scaling: Option<&'r Scaling>,
        buf: Vec<f64>,
    },
    /// Something else sums every row (full batch only).
    Backend(&'r mut GradAtFn<'r>),
}

impl<'r> Rows<'r> {
    /// One pass in training units.
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        match self {
            Rows::Whole(rows) => {
                let bytes = 8 * (rows.x.len() + rows.y.len()) as u64;
                each(*rows, bytes)
            }
            Rows::Stream {
                source,
                scaling,
                buf,
            } => source.pass(&mut |batch, bytes| each(apply_scaling(batch, *scaling, buf), bytes)),
            Rows::Backend(_) => unreachable!("a backend is only asked for statistics"),
        }
    }

    fn whole(&self) -> Option<Batch<'r>> {
        match self {
            Rows::Whole(rows) => Some(*rows),
            _ => None,
        }
    }
}

/// The loop proper, then the verdict.
fn finish(
    start: Instant,
    plan: Plan,
    cfg: &TrainConfig,
    rows: &mut Rows<'_>,
    observer: &mut dyn Observer,
) -> Result<Trained, TrainError> {
    let mut fit = descend(&plan, cfg, rows, observer)?;
    fit.seconds = start.elapsed().as_secs_f64();
    Ok(Trained {
        fit,
        n: plan.n,
        engine: plan.engine,
        stats: plan.stats,
    })
}

/// θ, its gradient and the record, with the checks after each step.
struct Run<'p> {
    plan: &'p Plan,
    theta: Vec<f64>,
    grad: Vec<f64>,
    /// The divergence reference, fixed at the first step.
    j0: Option<f64>,
    fit: Fit,
}

/// Set when the observer asked to stop in the middle of a pass.
#[derive(Debug)]
struct Stop;

impl Run<'_> {
    /// Checks J and ∂J/∂θ, records J, steps θ and asks the observer.
    fn step(
        &mut self,
        epoch: usize,
        j: f64,
        batch_start: usize,
        observer: &mut dyn Observer,
    ) -> Result<ControlFlow<Stop>, TrainError> {
        let lr = self.plan.lr;
        self.fit.steps += 1;
        if !j.is_finite() || self.grad.iter().any(|g| !g.is_finite()) {
            return Err(TrainError::NonFinite {
                epoch,
                step: self.fit.steps,
                batch_start,
                j,
                lr,
            });
        }
        let j0 = *self.j0.get_or_insert(j.max(self.plan.j_start));
        if j > j0.max(f64::MIN_POSITIVE) * 1e8 {
            let lam = self.plan.lambda;
            return Err(TrainError::Diverged {
                epoch,
                step: self.fit.steps,
                j,
                j0,
                lr,
                stable: 2.0 / lam,
                auto: 1.0 / lam,
            });
        }
        if self.fit.step_j.len() < MAX_RECORDED {
            self.fit.step_j.push(j);
        }
        for (t, g) in self.theta.iter_mut().zip(&self.grad) {
            *t -= lr * g;
        }
        Ok(match observer.on_step(self.fit.steps) {
            ControlFlow::Break(()) => ControlFlow::Break(Stop),
            ControlFlow::Continue(()) => ControlFlow::Continue(()),
        })
    }
}

/// What computes J and ∂J/∂θ for full-batch chunks.
enum ChunkGradient {
    Kernel(FusedKernel),
    Graph(Box<dyn Gradient>),
}

/// A pass stopped by the observer comes back as this error and is caught
/// by the loop.
fn stopped() -> SourceError {
    SourceError::Stopped
}

fn descend(
    plan: &Plan,
    cfg: &TrainConfig,
    rows: &mut Rows<'_>,
    observer: &mut dyn Observer,
) -> Result<Fit, TrainError> {
    let model = plan.model;
    let (n, k, p) = (plan.n, plan.k, model.n_params());
    let mut run = Run {
        plan,
        theta: plan.theta0.clone(),
        grad: vec![0.0; p],
        j0: None,
        fit: Fit {
            theta: Vec::new(),
            epoch_j: Vec::new(),
            step_j: Vec::new(),
            theta_path: vec![plan.to_original(&plan.theta0)],
            epochs: 0,
            steps: 0,
            lr: plan.lr,
            batch_size: k,
            stop: StopReason::Epochs,
            scaling: plan.scaling.clone(),
            seconds: 0.0,
            gradient_norm: f64::NAN,
            relative_gradient: f64::NAN,
        },
    };
    let full_batch = k >= n || matches!(rows, Rows::Backend(_));
    let mut chunk_gradient = if !full_batch || plan.engine == Engine::Kernel {
        let rows = rows.whole().map_or(0, |w| w.len());
        ChunkGradient::Kernel(FusedKernel::with_capacity(model.d, model.intercept, rows))
    } else {
        // In memory the one chunk has n rows; streamed chunks' graphs are
        // built as their sizes turn up (a chunk and the last one).
        let sizes: &[usize] = if rows.whole().is_some() { &[n] } else { &[] };
        ChunkGradient::Graph(gradient_source(cfg.mode, model, sizes)?)
    };
    let mut batches: Option<Box<dyn Gradient>> = None;
    let mut window = None;
    if !full_batch {
        let sizes: Vec<usize> = [k, n % k].into_iter().filter(|&s| s > 0).collect();
        batches = Some(match plan.engine {
            Engine::Graph => gradient_source(cfg.mode, model, &sizes)?,
            Engine::Kernel => Box::new(FusedKernel::with_capacity(model.d, model.intercept, k)),
        });
        window = Some(Window::new(k, model.d));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed);
    let mut chunk_grad = vec![0.0; p];

    'epochs: for epoch in 1..=cfg.epochs {
        observer.on_pass("epoch");
        let mut interrupted = false;
        let j = if full_batch {
            let (j, grad) = match rows {
                Rows::Backend(grad_at) => {
                    let sum = grad_at(&run.theta, plan.scaling.as_ref())?;
                    let j = sum.finish_into(&mut run.grad);
                    (j, None)
                }
                _ => {
                    let mut sum = GradStats::empty(p);
                    let (mut j_sum, mut g_sum) = (0.0, vec![0.0; p]);
                    let mut single = None;
                    let theta = &run.theta;
                    let passed = rows.pass(&mut |batch, bytes| {
                        match &mut chunk_gradient {
                            ChunkGradient::Kernel(kernel) => {
                                sum.merge(&kernel.stats(batch.x, batch.y, theta));
                            }
                            ChunkGradient::Graph(graph) => {
                                let jc = graph.cost_and_grad(batch, theta, &mut chunk_grad);
                                if batch.len() == n {
                                    single = Some(jc);
                                } else {
                                    let w = batch.len() as f64;
                                    j_sum += jc * w;
                                    for (s, g) in g_sum.iter_mut().zip(&chunk_grad) {
                                        *s += g * w;
                                    }
                                }
                            }
                        }
                        observer.on_chunk(batch.len(), bytes);
                        match observer.stop_requested() {
                            true => Err(stopped()),
                            false => Ok(()),
                        }
                    });
                    match passed {
                        // Stopped mid-epoch: the sums are partial, so no
                        // step; θ is the last whole step's.
                        Err(SourceError::Stopped) => {
                            run.fit.stop = StopReason::Interrupted;
                            break 'epochs;
                        }
                        passed => passed?,
                    }
                    match &chunk_gradient {
                        ChunkGradient::Kernel(_) => (sum.finish_into(&mut run.grad), None),
                        // One chunk of every row: its own J and ∂J/∂θ, as
                        // they are; else the row-weighted mean of chunks.
                        ChunkGradient::Graph(_) => match single {
                            Some(j) => (j, Some(chunk_grad.clone())),
                            None => (
                                j_sum / n as f64,
                                Some(g_sum.iter().map(|g| g / n as f64).collect()),
                            ),
                        },
                    }
                }
            };
            if let Some(grad) = grad {
                run.grad = grad;
            }
            if run.step(epoch, j, 0, observer)?.is_break() {
                interrupted = true;
            }
            j
        } else {
            let win = window.as_mut().expect("a window for mini-batches");
            let gradient = batches.as_mut().expect("a gradient for mini-batches");
            win.clear();
            let mut total = 0.0;
            let shuffle = plan.shuffle;
            let mut step =
                |batch: Batch<'_>, start: usize, run: &mut Run, obs: &mut dyn Observer| {
                    let j = gradient.cost_and_grad(batch, &run.theta, &mut run.grad);
                    total += j * batch.len() as f64;
                    match run.step(epoch, j, start, obs)? {
                        ControlFlow::Break(Stop) => Err(TrainError::Source(stopped())),
                        ControlFlow::Continue(()) => Ok(()),
                    }
                };
            let dealt = (|| -> Result<(), TrainError> {
                let mut failure = None;
                let passed = rows.pass(&mut |batch, bytes| {
                    let r = win.deal(batch, shuffle, &mut rng, &mut |b, s| {
                        step(b, s, &mut run, observer)
                    });
                    if let Err(e) = r {
                        failure = Some(e);
                        return Err(stopped());
                    }
                    observer.on_chunk(batch.len(), bytes);
                    match observer.stop_requested() {
                        true => Err(stopped()),
                        false => Ok(()),
                    }
                });
                if let Some(e) = failure {
                    return Err(e);
                }
                passed?;
                win.finish(&mut |b, s| step(b, s, &mut run, observer))
            })();
            match dealt {
                Ok(()) => {}
                Err(TrainError::Source(SourceError::Stopped)) => {
                    interrupted = true;
                }
                Err(e) => return Err(e),
            }
            total / n as f64
        };
        if interrupted {
            run.fit.stop = StopReason::Interrupted;
            break 'epochs;
        }
        run.fit.epoch_j.push(j);
        run.fit.epochs = epoch;
        if run.fit.theta_path.len() <= MAX_RECORDED {
            let t = plan.to_original(&run.theta);
            run.fit.theta_path.push(t);
        }
        if observer.on_epoch(epoch, j).is_break() {
            run.fit.stop = StopReason::Interrupted;
            break;
        }
        if let Some(tol) = cfg.tol.filter(|&t| t > 0.0) {
            if plan.normal.gradient_norm(&run.theta) <= tol * plan.normal.scale() {
                run.fit.stop = StopReason::Converged;
                break;
            }
        }
    }
    let mut fit = run.fit;
    fit.theta = plan.to_original(&run.theta);
    fit.gradient_norm = plan.normal.gradient_norm(&run.theta);
    fit.relative_gradient = plan.normal.relative(fit.gradient_norm);
    Ok(fit)
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
    source: &mut dyn RowSource,
    scaling: Option<&Scaling>,
    model: &LinearModel,
    observer: &mut dyn Observer,
) -> Result<f64, TrainError> {
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
        match observer.stop_requested() {
            true => Err(stopped()),
            false => Ok(()),
        }
    })?;
    Ok(widest)
}
