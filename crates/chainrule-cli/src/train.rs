//! `chainrule train`: gradient descent by backpropagation on a data file,
//! in memory or streamed — one source call, one training loop, one outcome.

use super::common::open_source;
use super::common::{parse_formula, print_json, usage};
use super::flags::{DataArgs, DigitsArg, FormulaArg, ScaleArgs, TrainingArgs};
use super::interrupt::{self, Interrupted};
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::model::formula::Formula;
use chainrule::model::Batch;
use chainrule::solve::{least_squares_at, DesignRows, FitOptions, GramStats, Solution};
use chainrule::source::{scan, Opened, RowSource, SourceError};
use chainrule::train::{
    summarize, train_source, Fit, Metrics, ModelFile, StopReason, TrainConfig, TrainError,
    TrainOutcome,
};
use std::path::{Path, PathBuf};

/// Train y ~ features by gradient descent, every gradient by backpropagation
/// through the mode's computational graph.
///
/// By default the features are standardized for training (θ is reported in
/// the data's units), the learning rate is automatic, and training stops
/// once the gradient is 1e-12 of its size at θ = 0. Every run ends with a
/// verdict: the digits on which θ agrees with the least-squares θ, with a
/// warning under 6 (--require-converged makes that an error).
///
/// Example: chainrule train data.csv --formula "y ~ x1 + x2" --check
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub formula: FormulaArg,
    #[command(flatten)]
    pub training: TrainingArgs,
    #[command(flatten)]
    pub scale: ScaleArgs,
    /// Compare θ with the closed-form least-squares answer
    #[arg(long)]
    pub check: bool,
    /// Save the model (formula, θ, scaling, settings, metrics, history),
    /// written atomically
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the result as JSON on stdout (schema: docs/train-json.md)
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when θ did not converge to the least-squares θ (fewer than 9
    /// digits of agreement, or θ not unique), after printing the result
    /// (--json included); no model file (--out) is then written
    #[arg(long)]
    pub require_converged: bool,
    #[command(flatten)]
    pub digits: DigitsArg,
    #[cfg(feature = "distributed")]
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
    /// Also write a self-contained HTML report of the run (graph player,
    /// derivation of the first step, plots of J and of the fit)
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// A library training error as the command line says it: the setting at
/// fault named by its flag; mistakes in the call are usage errors (exit 2).
pub fn train_error(e: TrainError, cfg: &TrainConfig) -> anyhow::Error {
    match e {
        TrainError::BadLearningRate(_) => usage(format!("--lr: {e}")),
        TrainError::BadTolerance(_) => usage(format!("--tol: {e}")),
        TrainError::BadBatchSize(_) => usage(match cfg.batch_size {
            Some(k) => format!("--mode {} --batch-size {k}: {e}", cfg.mode),
            None => format!("--mode {}: {e}", cfg.mode),
        }),
        TrainError::BadEngine(_) => usage(format!("--engine: {e}")),
        TrainError::FullBatchOnly => usage(format!("--batch-size: {e}")),
        TrainError::NoUsableLearningRate(_) if !cfg.standardize => {
            anyhow::anyhow!("{e} (standardizing is the default: drop --no-standardize)")
        }
        TrainError::Diverged { .. } | TrainError::NonFinite { .. } => match cfg.standardize {
            true => anyhow::anyhow!("{e} (--lr auto, or a smaller --lr)"),
            false => anyhow::anyhow!("{e} (--lr auto, a smaller --lr, or drop --no-standardize)"),
        },
        other => anyhow::Error::new(other),
    }
}

pub fn run(args: Args) -> Result<()> {
    // First, so that a Ctrl-C while the data loads also stops cleanly.
    interrupt::install();
    let formula = parse_formula(&args.formula.formula)?;
    let mut cfg = args.training.config();
    // Recorded resolved, so model.json says which engine ran.
    let engine = cfg
        .resolved_engine()
        .map_err(|e| usage(format!("--engine: {e}")))?;
    cfg.engine = Some(engine);
    let mut progress = Progress::new(cfg.epochs);
    #[cfg(feature = "distributed")]
    if args.training.engine == Some(super::flags::EngineArg::Datafusion)
        || args.cluster.cluster.is_some()
    {
        return train_datafusion(&args, &formula, &cfg, &mut progress);
    }
    let options = args.scale.open_options(args.data.read_options())?;
    let paths = args.data.paths();
    if args.report.is_some() && options.streams(&paths) {
        return Err(usage(
            "--report draws every row and step, so it needs the data in memory: drop --chunk-rows/--cache (or use a CSV input) for a run with a report",
        ));
    }
    if !options.streams(&paths) {
        progress.reading(&paths);
    }
    let Opened {
        mut source,
        how,
        notes,
        ..
    } = open_source(&paths, &formula, &options, &mut progress)?;
    for note in notes {
        eprintln!("note: {note}");
    }
    match source.whole().map(|w| w.len()) {
        Some(n) => progress.set_rows(n, cfg.resolved_batch(n).unwrap_or(n)),
        None => progress.set_total(source.bytes_total()),
    }
    let trained = match train_source(&mut *source, &cfg, None, &mut progress) {
        Err(TrainError::Source(SourceError::Stopped)) => {
            progress.clear();
            return Err(Interrupted(
                "interrupted while reading the data, before the first step: nothing was trained or saved".into(),
            )
            .into());
        }
        trained => trained
            .map_err(|e| train_error(e, &cfg))
            .with_context(|| format!("training on {}", source.label()))?,
    };
    let outcome = summarize(
        &mut *source,
        trained,
        &cfg,
        &formula.to_string(),
        &how,
        args.check,
        &mut progress,
    )
    .map_err(|e| train_error(e, &cfg))
    .context("closed-form check")?;
    let at_theta = inference_at_theta(&mut *source, &outcome, &mut progress)?;
    progress.clear();
    let saved = saved_path(&args, &outcome);
    if let Some(path) = saved {
        save(
            path,
            &formula,
            source.empty_design(),
            source.coding(),
            &cfg,
            &outcome,
        )?;
    }
    if let (Some(path), Some(design)) = (&args.report, source.design()) {
        // The derivation steps at the run's learning rate, which is a rate
        // for the rows training saw: draw the run in those units.
        let (design, fit) = outcome.fit.in_training_units(design.clone());
        let label = match outcome.fit.scaling {
            Some(_) => format!("{} (features standardized)", source.label()),
            None => source.label(),
        };
        super::report::write_training_report(path, design, fit, cfg.mode, &label)?;
    }
    print(&outcome, &args, saved, at_theta.as_ref())?;
    interrupted(&outcome.fit, &args, saved)?;
    require_converged(&outcome, &args)
}

/// The least-squares statistics evaluated at the trained θ (`fit`'s
/// table: standard errors, t, p, intervals, R², F, ℓ, AIC/BIC, κ), from
/// the rows in memory (`solve::least_squares_at`) or, streamed, from one
/// more pass's TSQR statistics (`QrStats::solve_at`). None after Ctrl-C,
/// which asks for no more work.
fn inference_at_theta(
    source: &mut dyn RowSource,
    outcome: &TrainOutcome,
    progress: &mut Progress,
) -> Result<Option<Solution>> {
    if outcome.fit.stop == StopReason::Interrupted {
        return Ok(None);
    }
    let theta = &outcome.fit.theta;
    let s = match source.design() {
        Some(design) => {
            // From G in double-double where it answers to the last digit
            // (no copy of the rows); from the rows otherwise.
            let rows = Batch::new(&design.x, &design.y, design.d);
            let gram = GramStats::of_rows(rows, design.intercept);
            match gram.solve_at(&design.response, &design.names, design.intercept, theta)? {
                Some(s) => s,
                None => least_squares_at(DesignRows::of(design), &FitOptions::default(), theta)?,
            }
        }
        None => {
            let stats = match scan(source, progress) {
                Err(SourceError::Stopped) => return Ok(None),
                stats => stats?,
            };
            stats.solve_at(source.response(), source.names(), source.intercept(), theta)?
        }
    };
    Ok(Some(s))
}

/// Confidence level of the intervals at the trained θ (`fit --level`'s
/// default).
const INFERENCE_LEVEL: f64 = 0.95;

/// Where the model is written: `--out`, unless --require-converged refuses
/// a run that did not converge (a script must not pick up a wrong model).
fn saved_path<'a>(args: &'a Args, outcome: &TrainOutcome) -> Option<&'a Path> {
    let refused = args.require_converged && !outcome.verdict.converged;
    args.out.as_deref().filter(|_| !refused)
}

/// With --require-converged, a run short of the least-squares θ is an
/// error (exit 1), after its result was printed.
fn require_converged(outcome: &TrainOutcome, args: &Args) -> Result<()> {
    if !args.require_converged || outcome.verdict.converged {
        return Ok(());
    }
    let what = match outcome.verdict.digits {
        Some(d) => format!(
            "θ agrees with the least-squares θ to only {d:.1} significant digits ({} needed; \
             the gradient is {:.1e} of its size at θ = 0)",
            chainrule::train::CONVERGED_DIGITS,
            outcome.verdict.relative_gradient
        ),
        None => "θ is not unique (the design is rank-deficient), so no θ training finds is \
                 the least-squares θ"
            .into(),
    };
    let kept = match &args.out {
        Some(path) => format!("; {} was not written", path.display()),
        None => String::new(),
    };
    Err(anyhow::anyhow!(
        "--require-converged: {what}{kept}. Train longer (--epochs), or take the closed form \
         (chainrule fit)"
    ))
}

fn save(
    path: &Path,
    formula: &Formula,
    design: chainrule::data::Design,
    coding: Option<&chainrule::model::formula::Coding>,
    cfg: &TrainConfig,
    outcome: &TrainOutcome,
) -> Result<()> {
    let file = ModelFile::new(
        formula.to_string(),
        design.response,
        design.names,
        design.intercept,
        cfg.clone(),
        &outcome.fit,
        Metrics {
            j: outcome.j,
            rmse: outcome.rmse,
            r_squared: outcome.r_squared,
        },
    )
    .with_coding(coding);
    file.save(path)
        .with_context(|| format!("--out {}: cannot write the model file", path.display()))
}

/// The outcome as a table, or as JSON (`docs/train-json.md`); `saved`:
/// the model file written.
fn print(
    outcome: &TrainOutcome,
    args: &Args,
    saved: Option<&Path>,
    at_theta: Option<&Solution>,
) -> Result<()> {
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    let names: Vec<String> = outcome.theta.iter().map(|p| p.name.clone()).collect();
    let inference = at_theta.map(|s| (s, s.inference(INFERENCE_LEVEL)));
    if args.json {
        let mut value = serde_json::to_value(outcome).expect("an outcome always serializes");
        value["out"] = serde_json::json!(saved);
        value["inference"] = match &inference {
            Some((s, inf)) => super::fit::solution_json(&names, s, inf).into(),
            None => serde_json::Value::Null,
        };
        print_json(&value);
        return Ok(());
    }
    println!(
        "{}: {}  ({} rows {}, mode {} on {}, batch {}, lr {:.6e}{})",
        outcome.source,
        outcome.formula,
        outcome.rows,
        outcome.how,
        outcome.mode,
        outcome.engine,
        outcome.batch_size,
        outcome.lr,
        if outcome.lr_auto { " auto" } else { "" },
    );
    let theta: Vec<f64> = outcome.theta.iter().map(|p| p.value).collect();
    print!(
        "{}",
        chainrule::render::summary::theta_summary(
            &names,
            &theta,
            outcome
                .check
                .as_ref()
                .map(|c| c.closed_form_theta.as_slice()),
            (outcome.j, outcome.rmse, outcome.r_squared),
            args.digits.digits,
        )
    );
    println!(
        "{}, {}, {:.3} s",
        count(outcome.epochs, "epoch"),
        count(outcome.steps, "step"),
        outcome.seconds
    );
    println!(
        "stopped: {}; ‖∂J/∂θ‖ is {:.1e} of its value at θ = 0",
        stop_words(outcome.stop),
        outcome.verdict.relative_gradient
    );
    if let Some(c) = &outcome.check {
        println!(
            "check: θ agrees with the closed form to {:.1} digits (largest difference {:.3e})",
            c.digits, c.largest_difference
        );
    }
    if let Some((s, inf)) = &inference {
        println!("\nat the trained θ (least-squares statistics, as `fit` reports them):");
        print!(
            "{}",
            chainrule::render::summary::exact_summary(&names, s, inf, args.digits.digits)
        );
    }
    if let Some(path) = saved {
        println!("model written to {}", path.display());
    }
    if let Some(path) = &args.report {
        println!("report written to {}", path.display());
    }
    Ok(())
}

/// After a stop signal: the error that says what was kept (exit code 128 +
/// the signal).
pub fn interrupted(fit: &Fit, args: &Args, saved: Option<&Path>) -> Result<()> {
    if fit.stop != StopReason::Interrupted {
        return Ok(());
    }
    let kept = match (saved, &args.out) {
        (Some(path), _) => format!("the model so far was written to {}", path.display()),
        (None, Some(_)) => {
            "nothing was saved (--require-converged, and θ had not converged)".into()
        }
        (None, None) => "nothing was saved (no --out)".into(),
    };
    Err(Interrupted(format!(
        "interrupted after {} whole epochs and {} steps; {kept}",
        fit.epochs, fit.steps
    ))
    .into())
}

/// `train --engine datafusion` (a local session) or `--cluster`: the QR
/// statistics in one aggregate query, then one query per epoch (the
/// training loop's statistics backend), then one for the metrics.
#[cfg(feature = "distributed")]
fn train_datafusion(
    args: &Args,
    formula: &Formula,
    cfg: &TrainConfig,
    progress: &mut Progress,
) -> Result<()> {
    use super::cluster;
    use chainrule::scale::datafusion::train_engine;
    use chainrule::train::{summarize_streamed, Labels};
    cluster::refuse_local_flags(&args.data, &args.scale, args.report.is_some())?;
    let files = args.data.paths();
    let engine = cluster::engine(&args.cluster)?;
    let table = engine.table(&files, formula)?;
    let trained = train_engine(&engine, &table, cfg, progress)
        .map_err(|e| train_error(e, cfg))
        .with_context(|| format!("training on {}", files[0].display()))?;
    let rss = engine.grad_stats(&table, &trained.fit.theta, None)?.j_sum;
    progress.clear();
    let design = cluster::empty_design(&table, formula, trained.n);
    let labels = Labels {
        source: match files.len() {
            1 => files[0].display().to_string(),
            k => format!("{} (+{} more)", files[0].display(), k - 1),
        },
        formula: formula.to_string(),
        how: cluster::how(&args.cluster),
        design: design.clone(),
    };
    let mut outcome = summarize_streamed(trained, cfg, labels, rss, args.check)
        .map_err(|e| train_error(e, cfg))
        .context("closed-form check")?;
    outcome.warnings.extend(cluster::fallback_warning(&engine));
    let saved = saved_path(args, &outcome);
    if let Some(path) = saved {
        save(path, formula, design, None, cfg, &outcome)?;
    }
    print(&outcome, args, saved, None)?;
    interrupted(&outcome.fit, args, saved)?;
    require_converged(&outcome, args)
}

/// "1 epoch", "2 epochs".
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Why training stopped, in words.
fn stop_words(stop: StopReason) -> &'static str {
    match stop {
        StopReason::Epochs => "ran every epoch asked for (--epochs)",
        StopReason::Converged => "the gradient fell below --tol",
        StopReason::Interrupted => "interrupted (Ctrl-C, SIGTERM or SIGHUP)",
    }
}
