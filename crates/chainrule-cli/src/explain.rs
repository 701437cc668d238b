//! `chainrule explain`: one forward + backward + update step, written out
//! as the derivation writes it.

use super::common::{load_first, parse_formula, print_json, usage};
use super::lang::LangArg;
use anyhow::{Context, Result};
use chainrule::data::Dataset;
use chainrule::model::Mode;
use chainrule::render::explain::steps_table;
use chainrule::render::{derive_in, Step};
use chainrule::teach::{default_rows, design_steps, program_steps, DEFAULT_LR};
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// aligned Unicode for a terminal
    Text,
    /// LaTeX math in ```math blocks (renders on GitHub)
    Markdown,
    /// the trace, for scripts
    Json,
}

/// Explain one step of backpropagation: node values, local partials, the
/// chain rule in symbols and in numbers, and the update θ ← θ − lr·∂J/∂θ.
///
/// Examples:
///   chainrule explain --formula origin --x 2 --y 3 --theta 0.5
///   chainrule explain --formula line --mode unrolled          (built-in data)
///   chainrule explain --formula plane --mode vectorized --format markdown
///   chainrule explain --data plane.csv --formula "y ~ x1 + x2" --rows 1-3 --mode vectorized
///   chainrule explain --program examples/one_sample.expr
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub step: StepArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Learning rate of the update
    #[arg(long, default_value_t = DEFAULT_LR)]
    pub lr: f64,
    /// Take this many steps, θ carried from each update to the next, and
    /// end with a table of θ and J per step (json: an array of traces)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub steps: u32,
}

/// Which step to show (shared by `explain` and `graph`).
#[derive(clap::Args)]
pub struct StepArgs {
    /// origin (y = θ·x), line (y = θ1·x + θ0), plane (y = θ2·x2 + θ1·x1 + θ0),
    /// or a formula such as "y ~ x + I(x^2)" (`--model` is the older name)
    #[arg(long, visible_alias = "model", default_value = "origin")]
    pub formula: String,
    /// sample (one row), unrolled (one branch per row), vectorized (matrices)
    #[arg(long, default_value = "sample")]
    pub mode: Mode,
    /// Feature x, one value per row: --x 2 or --x 4,5,6
    #[arg(long, allow_hyphen_values = true)]
    pub x: Option<String>,
    /// Feature x1 (plane)
    #[arg(long, allow_hyphen_values = true)]
    pub x1: Option<String>,
    /// Feature x2 (plane)
    #[arg(long, allow_hyphen_values = true)]
    pub x2: Option<String>,
    /// Targets y, one per row
    #[arg(long, allow_hyphen_values = true)]
    pub y: Option<String>,
    /// θ as a comma list θ0,θ1,… (θ0 first when the model has one) [default: zeros]
    #[arg(long, allow_hyphen_values = true)]
    pub theta: Option<String>,
    /// Take the rows from a CSV/TSV file instead of flags; only the rows
    /// up to the last one used are read
    #[arg(long, conflicts_with_all = ["x", "x1", "x2", "y"])]
    pub data: Option<PathBuf>,
    /// Skip rows of --data with empty, NaN or infinite cells (and say how
    /// many); --rows then counts the rows kept
    #[arg(long, requires = "data")]
    pub drop_missing: bool,
    /// Rows of --data (or of the built-in data) to use, from 1: `2` or `1-3`
    /// [default: 1 row sample, 2 unrolled, 3 vectorized]
    #[arg(long)]
    pub rows: Option<String>,
    /// Refuse to write out more than this many rows in all: data rows ×
    /// steps, or a program's nodes × steps (each is lines of text)
    #[arg(long, default_value_t = DEFAULT_MAX_ROWS, value_name = "N")]
    pub max_rows: usize,
    /// Explain a `grad` program instead (backward from its last statement)
    #[arg(long, conflicts_with_all = ["data", "x", "x1", "x2", "y", "theta", "rows"])]
    pub program: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArg,
}

/// Default cap on rows × steps: a derivation is read, and a thousand rows
/// of it is already more than anyone reads; unrolled mode's cost grows
/// faster than its rows (0.2 s for 1,000 rows, 125 s and 340 MB for 20,000).
pub const DEFAULT_MAX_ROWS: usize = 1000;

/// Refuses `rows` rows × `n` steps beyond `--max-rows`, before any is read.
fn check_rows(args: &StepArgs, rows: usize, n: usize) -> Result<()> {
    let total = rows.saturating_mul(n);
    if total <= args.max_rows {
        return Ok(());
    }
    let asked = match &args.rows {
        Some(r) => format!("--rows {r}"),
        None => format!("{rows} rows given"),
    };
    let steps = if n > 1 {
        format!(" × {n} steps")
    } else {
        String::new()
    };
    Err(usage(format!(
        "{asked}{steps}: {total} rows to write out, more than the limit of {}; explain fewer rows (the derivation is the same for each), or raise the limit with --max-rows N",
        args.max_rows
    )))
}

/// A comma list of numbers from a flag.
pub fn numbers(flag: &str, text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|s| {
            let s = s.trim();
            s.replace('−', "-").parse::<f64>().map_err(|_| {
                usage(format!(
                    "--{flag} {text}: '{s}' is not a number; give numbers separated by commas, e.g. --{flag} 4,5,6"
                ))
            })
        })
        .collect()
}

/// `2` → 1..2, `1-3` → 0..3 (1-based, inclusive, in 0-based half-open).
pub fn rows(text: &str) -> Result<std::ops::Range<usize>> {
    let bad = || {
        usage(format!(
            "--rows {text}: expected a row like 2 or a range like 1-3 (rows count from 1)"
        ))
    };
    let (a, b) = match text.split_once(['-', '–']) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text.trim(), text.trim()),
    };
    let a: usize = a.parse().map_err(|_| bad())?;
    let b: usize = b.parse().map_err(|_| bad())?;
    if a == 0 || b < a {
        return Err(bad());
    }
    Ok(a - 1..b)
}

/// The step the flags ask for (`graph`: the update's learning rate
/// draws nothing, so it is the default).
pub fn step(args: &StepArgs) -> Result<Step> {
    Ok(steps(args, DEFAULT_LR, 1)?.pop().expect("one step"))
}

/// The first `n` steps the flags ask for, θ carried from each update to
/// the next step, each update with learning rate `lr`.
pub fn steps(args: &StepArgs, lr: f64, n: usize) -> Result<Vec<Step>> {
    if let Some(path) = &args.program {
        let src = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the program", path.display()))?;
        // One row of the derivation per node: the same limit as data rows
        // (rendering grows faster than the nodes: 11 s for 16,000).
        if let Ok(program) = chainrule::expr::parse(&src) {
            let total = program.nodes().saturating_mul(n);
            if total > args.max_rows {
                return Err(usage(format!(
                    "--program {}: {} nodes × {n} step(s) = {total} rows to write out, more than the limit of {}; explain a smaller program, or raise the limit with --max-rows N",
                    path.display(),
                    program.nodes(),
                    args.max_rows
                )));
            }
        }
        return program_steps(&path.display().to_string(), &src, lr, n).map_err(|e| match e {
            chainrule::teach::StepError::Program(e) => {
                anyhow::anyhow!("{}:{}", path.display(), e.render(&src))
            }
            e => e.into(),
        });
    }
    let formula = parse_formula(&args.formula)?;
    let theta = args
        .theta
        .as_deref()
        .map(|t| numbers("theta", t))
        .transpose()?;
    let flags: Vec<(&str, &Option<String>)> = vec![
        ("x", &args.x),
        ("x1", &args.x1),
        ("x2", &args.x2),
        ("y", &args.y),
    ];
    let given: Vec<(String, Vec<f64>)> = flags
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|t| (name, t)))
        .map(|(name, t)| Ok((name.to_string(), numbers(name, t)?)))
        .collect::<Result<_>>()?;
    let wanted = args.rows.as_deref().map(rows).transpose()?;
    if let Some(r) = &wanted {
        check_rows(args, r.len(), n)?;
    }
    let (design, source) = if let Some(path) = &args.data {
        // Only the rows a step uses are read: a bad cell further down the
        // file is no concern of this step.
        let last = wanted.as_ref().map_or(default_rows(args.mode), |r| r.end);
        let design = load_first(path, &formula, args.drop_missing, last)?;
        (design, Some(path.display().to_string()))
    } else if !given.is_empty() {
        let (names, columns): (Vec<_>, Vec<_>) = given.into_iter().unzip();
        let data = Dataset::new(names, columns).map_err(|e| {
            usage(format!(
                "--x/--y: give the same number of values to each flag ({e})"
            ))
        })?;
        let design = formula.design(&data).map_err(|e| {
            usage(format!(
                "--formula {}: {e}; give its features as flags (--x, --x1, --x2) and --y",
                args.formula
            ))
        })?;
        (design, None)
    } else {
        let preset = chainrule::data::preset(&args.formula)
            .map(|p| p.name)
            .ok_or_else(|| {
                usage(format!(
                    "--formula {}: built-in data exists for origin, line and plane only; give values (--x … --y …) or --data FILE",
                    args.formula
                ))
            })?;
        let data = chainrule::data::builtin(preset)?;
        (
            formula.design(&data)?,
            Some(format!("builtin:{preset}.csv")),
        )
    };
    let range = match wanted {
        Some(r) => r,
        None if args.data.is_some() || args.x.is_none() && args.x1.is_none() => {
            0..default_rows(args.mode).min(design.n)
        }
        None => 0..design.n,
    };
    check_rows(args, range.len(), n)?;
    design_steps(
        &design,
        range,
        args.mode,
        theta.as_deref(),
        lr,
        source.as_deref(),
        n,
    )
    .map_err(|e| usage(e.to_string()))
}

pub fn run(args: Args) -> Result<()> {
    let lang = args.step.lang.get();
    let steps = steps(&args.step, args.lr, args.steps as usize)?;
    let many = steps.len() > 1;
    match args.format {
        Format::Json if many => {
            let traces: Vec<_> = steps.iter().map(|s| &s.trace).collect();
            print_json(&serde_json::to_value(traces)?)
        }
        Format::Json => print_json(&serde_json::to_value(&steps[0].trace)?),
        Format::Text => {
            for (k, step) in steps.iter().enumerate() {
                print!(
                    "{}{}",
                    if k > 0 { "\n" } else { "" },
                    derive_in(step, lang).text()
                );
            }
            if many {
                print!("\n{}", steps_table(&steps, false, lang));
            }
        }
        Format::Markdown => {
            for step in &steps {
                print!("{}", derive_in(step, lang).markdown());
            }
            if many {
                print!("{}", steps_table(&steps, true, lang));
            }
        }
    }
    Ok(())
}
