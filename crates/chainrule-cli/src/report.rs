//! `chainrule report`: one self-contained HTML file with the graph and its
//! step-through player, the derivation, and the training plots.

use super::common::{load, parse_formula, usage};
use super::flags::{parse_lr, ModeArg};
use anyhow::{Context, Result};
use chainrule::data::atomic::write_atomic;
use chainrule::data::Design;
use chainrule::model::Mode;
use chainrule::render::report::{html, Section};
use chainrule::teach::{fit_section, lessons_page, training_page};
use chainrule::train::{Fit, LearningRate, TrainConfig};
use std::path::{Path, PathBuf};

/// Write an HTML report (no network needed to open it): the graph with a
/// player that steps forward and backward node by node, the chain rule
/// with numbers, and plots of J by epoch and step, the fit, and J over θ.
///
/// With no --data: the nine lessons on built-in data.
///
/// Examples:
///   chainrule report --out lessons.html
///   chainrule report --data plane.csv --formula "y ~ x1 + x2" --mode unrolled --out plane.html
#[derive(clap::Args)]
pub struct Args {
    /// The HTML file to write (atomically)
    #[arg(long)]
    pub out: PathBuf,
    /// Your own data (CSV/TSV with a header row) instead of the lessons
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Model formula for --data (or a preset: origin, line, plane)
    #[arg(long, short, default_value = "y ~ .", requires = "data")]
    pub formula: String,
    /// How the gradient is computed, for --data
    #[arg(long, value_enum, default_value = "vectorized", requires = "data")]
    pub mode: ModeArg,
    /// Learning rate for --data: a number or `auto`
    #[arg(long, default_value = "auto", requires = "data", value_parser = parse_lr, allow_hyphen_values = true)]
    pub lr: LearningRate,
    /// Passes over --data
    #[arg(long, default_value_t = 200, requires = "data")]
    pub epochs: usize,
    /// Rows per step for --data [default: sample 1, unrolled 2, vectorized all]
    #[arg(long, requires = "data")]
    pub batch_size: Option<usize>,
}

pub fn write(path: &Path, title: &str, sections: &[Section]) -> Result<()> {
    write_page(path, &html(title, sections))
}

fn write_page(path: &Path, page: &str) -> Result<()> {
    write_atomic(path, page.as_bytes())
        .with_context(|| format!("{}: cannot write the report", path.display()))
}

/// The report of a finished training run (`train --report`).
pub fn write_training_report(
    path: &Path,
    design: Design,
    fit: Fit,
    mode: Mode,
    source: &str,
) -> Result<()> {
    let title = format!(
        "{source}: {} ~ {}",
        design.response,
        design.names.join(" + ")
    );
    let section = fit_section(
        "run",
        &format!("{source} · {mode}"),
        design,
        &fit,
        mode,
        source,
    )?;
    write(path, &format!("chainrule report — {title}"), &[section])
}

pub fn run(args: Args) -> Result<()> {
    let Some(data) = &args.data else {
        write_page(&args.out, &lessons_page()?)?;
        println!("report written to {}", args.out.display());
        return Ok(());
    };
    let formula = parse_formula(&args.formula)?;
    let (_, design) = load(data, &formula, false)?;
    let lr = args.lr;
    let cfg = TrainConfig {
        mode: args.mode.into(),
        lr,
        epochs: args.epochs,
        batch_size: args.batch_size,
        ..TrainConfig::default()
    };
    cfg.resolved_batch(design.n)
        .map_err(|e| usage(format!("--batch-size: {e}")))?;
    let source = data.display().to_string();
    let page = training_page(design, &cfg, &formula.to_string(), &source)
        .with_context(|| format!("training on {source}"))?;
    write_page(&args.out, &page)?;
    println!("report written to {}", args.out.display());
    Ok(())
}
