//! `chainrule report`: one self-contained HTML file with the graph and its
//! step-through player, the derivation, and the training plots.

use super::common::{load, parse_formula, usage};
use super::explain::numbers;
use super::flags::{parse_lr, ModeArg};
use super::lang::LangArg;
use anyhow::{Context, Result};
use chainrule::data::atomic::write_atomic;
use chainrule::data::Dataset;
use chainrule::data::Design;
use chainrule::model::Mode;
use chainrule::render::report::{html_in, Section};
use chainrule::render::Lang;
use chainrule::teach::{
    example_section, fit_section, lessons_page, training_page, Example, DEFAULT_LR,
};
use chainrule::train::{Fit, LearningRate, TrainConfig};
use std::path::{Path, PathBuf};

/// Write an HTML report (no network needed to open it): the graph with a
/// player that steps forward and backward node by node, the chain rule
/// with numbers, and plots of J by epoch and step, the fit, and J over θ.
///
/// With no --data and no --x/--y: the tutorial's example, then the nine
/// lessons on built-in data. With --x/--y: a page for your own example
/// (one row: mode sample, two: unrolled, more: vectorized), --steps steps
/// from --theta with --lr.
///
/// Examples:
///   chainrule report --out lessons.html
///   chainrule report --x 2 --y 3 --theta 0.5 --lr 0.1 --steps 3 --out tutorial.html
///   chainrule report --lang ko --out lessons-ko.html
///   chainrule report --data plane.csv --formula "y ~ x1 + x2" --mode unrolled --out plane.html
#[derive(clap::Args)]
pub struct Args {
    /// Feature x of your example, one value per row: --x 2 or --x 1,2
    #[arg(
        long,
        allow_hyphen_values = true,
        requires = "y",
        conflicts_with = "data"
    )]
    pub x: Option<String>,
    /// Targets y of your example, one per row
    #[arg(long, allow_hyphen_values = true, requires = "x")]
    pub y: Option<String>,
    /// Starting θ of your example (θ0 first when the model has one) [default: zeros]
    #[arg(long, allow_hyphen_values = true, requires = "x")]
    pub theta: Option<String>,
    /// Steps the player runs through for your example
    #[arg(long, default_value_t = 3, requires = "x", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub steps: u32,
    #[command(flatten)]
    pub lang: LangArg,
    /// The HTML file to write (atomically)
    #[arg(long)]
    pub out: PathBuf,
    /// Your own data (CSV/TSV with a header row) instead of the lessons
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Skip rows of --data with empty, NaN or infinite cells (and say how
    /// many)
    #[arg(long, requires = "data")]
    pub drop_missing: bool,
    /// Model formula for --data or --x (or a preset: origin, line, plane)
    /// [default: y ~ . for --data, origin (y = θ·x) for --x]
    #[arg(long, short)]
    pub formula: Option<String>,
    /// How the gradient is computed, for --data
    #[arg(long, value_enum, default_value = "vectorized", requires = "data")]
    pub mode: ModeArg,
    /// Learning rate: a number, or `auto` for --data [default: auto for
    /// --data, 0.1 for --x]
    #[arg(long, value_parser = parse_lr, allow_hyphen_values = true)]
    pub lr: Option<LearningRate>,
    /// Passes over --data
    #[arg(long, default_value_t = 200, requires = "data")]
    pub epochs: usize,
    /// Rows per step for --data [default: sample 1, unrolled 2, vectorized all]
    #[arg(long, requires = "data")]
    pub batch_size: Option<usize>,
}

pub fn write(path: &Path, title: &str, sections: &[Section]) -> Result<()> {
    write_in(path, title, sections, Lang::from_env())
}

fn write_in(path: &Path, title: &str, sections: &[Section], lang: Lang) -> Result<()> {
    write_page(path, &html_in(title, sections, lang))
}

fn write_page(path: &Path, page: &str) -> Result<()> {
    write_atomic(path, page.as_bytes())
        .with_context(|| format!("{}: cannot write the report", path.display()))
}

/// A page for the example given by --x, --y, --theta, --lr, --steps.
fn example(args: &Args, x: &str, lang: Lang) -> Result<()> {
    let y = args.y.as_deref().expect("--x requires --y");
    let (x, y) = (numbers("x", x)?, numbers("y", y)?);
    let theta = args
        .theta
        .as_deref()
        .map(|t| numbers("theta", t))
        .transpose()?;
    let lr = match args.lr {
        None => DEFAULT_LR,
        Some(LearningRate::Fixed(lr)) => lr,
        Some(LearningRate::Auto) => {
            return Err(usage(
                "--lr auto needs --data (it is 1/λmax over the data's rows); give --x a number",
            ))
        }
    };
    let formula = parse_formula(args.formula.as_deref().unwrap_or("origin"))?;
    let data = Dataset::new(vec!["x".into(), "y".into()], vec![x, y])
        .map_err(|e| usage(format!("--x/--y: give one y per x ({e})")))?;
    let design = formula
        .design(&data)
        .map_err(|e| usage(format!("--formula {formula}: {e}")))?;
    let ex = Example {
        design,
        theta: theta.as_deref(),
        lr,
        steps: args.steps as usize,
        source: None,
    };
    let section =
        example_section("example", &formula.to_string(), ex).map_err(|e| usage(e.to_string()))?;
    write_in(
        &args.out,
        &format!("chainrule — {formula}"),
        &[section],
        lang,
    )?;
    println!("report written to {}", args.out.display());
    Ok(())
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
    let lang = args.lang.get();
    if let Some(x) = &args.x {
        return example(&args, x, lang);
    }
    let Some(data) = &args.data else {
        write_page(&args.out, &lessons_page(lang)?)?;
        println!("report written to {}", args.out.display());
        return Ok(());
    };
    let formula = parse_formula(args.formula.as_deref().unwrap_or("y ~ ."))?;
    let (_, design) = load(data, &formula, args.drop_missing)?;
    let lr = args.lr.unwrap_or(LearningRate::Auto);
    let cfg = TrainConfig {
        mode: args.mode.into(),
        lr,
        epochs: args.epochs,
        batch_size: args.batch_size,
        ..TrainConfig::plain()
    };
    cfg.resolved_batch(design.n)
        .map_err(|e| usage(format!("--batch-size: {e}")))?;
    let source = data.display().to_string();
    let page = training_page(design, &cfg, &formula.to_string(), &source, lang)
        .with_context(|| format!("training on {source}"))?;
    write_page(&args.out, &page)?;
    println!("report written to {}", args.out.display());
    Ok(())
}
