//! `chainrule train`: gradient descent by backpropagation on a data file.

use super::common::{digits, load_with, parse_formula, print_json, usage, DataLimits};
use super::interrupt::{self, Interrupted};
use anyhow::{Context, Result};
use chainrule::model::{Batch, Engine, LinearModel, Mode};
use chainrule::solve::{least_squares, metrics};
use chainrule::train::{train, LearningRate, Metrics, ModelFile, Observer, TrainConfig};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::ops::ControlFlow;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// one row per step through the scalar graph x, y, θ → z1 → z2 → L
    Sample,
    /// k scalar branches sharing θ, joined by the mean node J (k = batch size)
    Unrolled,
    /// the batch as matrices: Z1 = Xθ + θ0, Z2 = Y − Z1, L = Z2∘Z2, J = mean(L)
    Vectorized,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Sample => Mode::Sample,
            ModeArg::Unrolled => Mode::Unrolled,
            ModeArg::Vectorized => Mode::Vectorized,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineArg {
    /// the fused kernel: one multi-threaded pass over the rows (vectorized only)
    Kernel,
    /// the computational graph, node by node
    Graph,
    /// one DataFusion aggregate query per epoch over Parquet files, on a
    /// local session (all cores, out of core); full batch only
    #[cfg(feature = "distributed")]
    Datafusion,
}

impl From<EngineArg> for Engine {
    fn from(e: EngineArg) -> Engine {
        match e {
            EngineArg::Kernel => Engine::Kernel,
            EngineArg::Graph => Engine::Graph,
            // Epochs run as queries (cli/stream.rs); nothing local computes
            // a gradient, so the record says kernel, the same sums.
            #[cfg(feature = "distributed")]
            EngineArg::Datafusion => Engine::Kernel,
        }
    }
}

/// Train y ~ features by gradient descent, every gradient by backpropagation
/// through the mode's computational graph.
///
/// Example: chainrule train data.csv --formula "y ~ x1 + x2" --lr auto --check
#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row (tab-separated if it ends in .tsv)
    pub data: PathBuf,
    /// Model formula: `y ~ x`, `y ~ x - 1` (no intercept), `y ~ x1 + x2`,
    /// `y ~ .` (all other columns), `y ~ poly(x, 3)`, `y ~ x + I(x^2)`; or a
    /// preset: origin, line, plane
    #[arg(long, short, default_value = "y ~ .")]
    pub formula: String,
    /// How the gradient is computed (all three give the same numbers)
    #[arg(long, value_enum, default_value = "vectorized")]
    pub mode: ModeArg,
    /// What computes the vectorized mode's gradient (same numbers to
    /// rounding) [default: kernel for vectorized, graph for sample and
    /// unrolled, which only the graph runs]
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// Learning rate: a number, or `auto` = 1/λmax of the cost's Hessian
    /// (2/n)·XᵀX, the largest step with monotone full-batch descent
    #[arg(long, default_value = "auto")]
    pub lr: String,
    /// Passes over the data
    #[arg(long, default_value_t = 1000)]
    pub epochs: usize,
    /// Rows per step [default: sample 1, unrolled 2, vectorized all rows]
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Seed of the row shuffle (same seed ⇒ same run)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Keep rows in file order (shuffling is on when batches are smaller than the data)
    #[arg(long)]
    pub no_shuffle: bool,
    /// Stop early when J changes by less than this fraction between epochs
    /// [default: 0, run every epoch]. J flattens quadratically near the
    /// optimum, so a tolerance of t leaves θ about √t (relatively) short
    #[arg(long, default_value_t = 0.0)]
    pub tol: f64,
    /// Train on standardized features (x − mean)/sd and report θ in original
    /// units. Needed when features differ in scale by orders of magnitude
    /// (years next to fractions, x next to x^5): one learning rate cannot
    /// suit them all, and descent crawls or diverges without it
    #[arg(long)]
    pub standardize: bool,
    /// Skip rows with empty, NaN or infinite cells (and say how many)
    #[arg(long)]
    pub drop_missing: bool,
    #[command(flatten)]
    pub limits: DataLimits,
    /// Compare θ with the closed-form least-squares answer
    #[arg(long)]
    pub check: bool,
    /// Save the model (formula, θ, scaling, settings, metrics, history),
    /// written atomically
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report of the run (graph player,
    /// derivation of the first step, plots of J and of the fit)
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub scale: super::stream::ScaleArgs,
}

/// A progress bar on stderr; indicatif draws nothing when stderr is not a
/// terminal.
struct Progress(ProgressBar);

impl Observer for Progress {
    fn on_step(&mut self, _step: usize) -> ControlFlow<()> {
        if interrupt::requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn on_epoch(&mut self, epoch: usize, j: f64) -> ControlFlow<()> {
        if epoch.is_multiple_of(64) || epoch as u64 == self.0.length().unwrap_or(0) {
            self.0.set_position(epoch as u64);
            self.0.set_message(format!("J = {j:.6e}"));
        }
        ControlFlow::Continue(())
    }
}

fn parse_lr(text: &str) -> Result<LearningRate> {
    if text == "auto" {
        return Ok(LearningRate::Auto);
    }
    match text.parse::<f64>() {
        Ok(lr) if lr > 0.0 && lr.is_finite() => Ok(LearningRate::Fixed(lr)),
        _ => Err(usage(format!(
            "--lr {text}: expected a positive number (e.g. 0.01) or `auto`"
        ))),
    }
}

pub fn run(args: Args) -> Result<()> {
    // First, so that a Ctrl-C while the data loads also stops cleanly.
    interrupt::install();
    let formula = parse_formula(&args.formula)?;
    let mut cfg = TrainConfig {
        mode: args.mode.into(),
        lr: parse_lr(&args.lr)?,
        epochs: args.epochs,
        batch_size: args.batch_size,
        shuffle: args.no_shuffle.then_some(false),
        seed: args.seed,
        tol: (args.tol > 0.0).then_some(args.tol),
        standardize: args.standardize,
        engine: args.engine.map(Engine::from),
    };
    // Recorded resolved, so model.json says which engine ran.
    let engine = cfg.resolved_engine().map_err(usage)?;
    cfg.engine = Some(engine);
    #[cfg(feature = "distributed")]
    if matches!(args.engine, Some(EngineArg::Datafusion)) {
        return super::stream::train_datafusion(&args, &formula, &cfg);
    }
    if args.scale.streams(&args.data) {
        return super::stream::train(&args, &formula, &cfg);
    }
    let read = args.limits.read_options(args.drop_missing);
    let (_, design) = load_with(&args.data, &formula, &read)?;
    let model = LinearModel::new(design.d, design.intercept);
    let data = Batch::new(&design.x, &design.y, design.d);
    cfg.resolved_batch(design.n).map_err(usage)?;

    let bar = ProgressBar::new(args.epochs as u64).with_style(
        ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg} ({elapsed}, eta {eta})")
            .expect("the template is valid"),
    );
    let fit = train(data, model, &cfg, None, &mut Progress(bar.clone()))
        .with_context(|| format!("training on {}", args.data.display()))?;
    bar.finish_and_clear();

    let m = metrics(&design, &fit.theta);
    let check = if args.check {
        Some(least_squares(&design).context("closed-form check")?)
    } else {
        None
    };
    for w in check.iter().flat_map(|s| &s.warnings) {
        eprintln!("warning: {w}");
    }
    if let Some(s) = check.as_ref().filter(|s| s.rank < s.p) {
        eprintln!(
            "warning: rank {} < {} parameters: θ is not unique, so the trained θ may differ \
             from the closed form's even where J agrees",
            s.rank, s.p
        );
    }
    let names = design.param_names();

    if let Some(path) = &args.out {
        let file = ModelFile::new(
            formula.to_string(),
            design.response.clone(),
            design.names.clone(),
            design.intercept,
            cfg.clone(),
            &fit,
            Metrics {
                j: m.mse,
                rmse: m.rmse,
                r_squared: m.r_squared,
            },
        );
        file.save(path)
            .with_context(|| format!("--out {}: cannot write the model file", path.display()))?;
    }

    if let Some(path) = &args.report {
        let source = args.data.display().to_string();
        super::report::write_training_report(path, design.clone(), fit.clone(), cfg.mode, &source)?;
    }

    let agreement = check.as_ref().map(|s| {
        let largest = fit
            .theta
            .iter()
            .zip(&s.theta)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let worst = fit
            .theta
            .iter()
            .zip(&s.theta)
            .map(|(a, b)| digits(*a, *b))
            .fold(15.0, f64::min);
        (largest, worst)
    });

    if args.json {
        let params: Vec<_> = names
            .iter()
            .zip(&fit.theta)
            .map(|(n, t)| json!({"name": n, "value": t}))
            .collect();
        print_json(&json!({
            "formula": formula.to_string(),
            "mode": cfg.mode,
            "engine": engine,
            "theta": params,
            "j": m.mse, "rmse": m.rmse, "r_squared": m.r_squared,
            "epochs": fit.epochs, "steps": fit.steps, "stop": fit.stop,
            "lr": fit.lr, "batch_size": fit.batch_size, "seconds": fit.seconds,
            "check": check.as_ref().zip(agreement).map(|(s, (largest, worst))| json!({
                "closed_form_theta": s.theta, "largest_difference": largest, "digits": worst,
            })),
            "out": args.out,
        }));
        return interrupted(&fit, args.out.as_deref());
    }

    println!(
        "{}: {formula}  ({} rows, mode {} on {engine}, batch {}, lr {:.6e}{})",
        args.data.display(),
        design.n,
        cfg.mode,
        fit.batch_size,
        fit.lr,
        if matches!(cfg.lr, LearningRate::Auto) {
            " auto"
        } else {
            ""
        },
    );
    super::common::print_theta_table(
        &names,
        &fit.theta,
        check.as_ref().map(|s| s.theta.as_slice()),
        (m.mse, m.rmse, m.r_squared),
    );
    println!(
        "{} epochs ({}), {} steps, {:.3} s",
        fit.epochs,
        match fit.stop {
            chainrule::train::StopReason::Epochs => "all",
            chainrule::train::StopReason::Converged => "converged",
            chainrule::train::StopReason::Interrupted => "interrupted",
        },
        fit.steps,
        fit.seconds
    );
    if let Some((largest, worst)) = agreement {
        println!(
            "check: θ agrees with the closed form to {worst:.1} digits (largest difference {largest:.3e})"
        );
    }
    if let Some(path) = &args.out {
        println!("model written to {}", path.display());
    }
    if let Some(path) = &args.report {
        println!("report written to {}", path.display());
    }
    interrupted(&fit, args.out.as_deref())
}

/// After Ctrl-C: the error that says what was kept (exit code 130).
pub(super) fn interrupted(
    fit: &chainrule::train::Fit,
    out: Option<&std::path::Path>,
) -> Result<()> {
    if fit.stop != chainrule::train::StopReason::Interrupted {
        return Ok(());
    }
    let kept = match out {
        Some(path) => format!("the model so far was written to {}", path.display()),
        None => "nothing was saved (no --out)".into(),
    };
    Err(Interrupted(format!(
        "interrupted after {} whole epochs and {} steps; {kept}",
        fit.epochs, fit.steps
    ))
    .into())
}
