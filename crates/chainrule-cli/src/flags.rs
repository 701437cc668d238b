//! Flag groups, each defined once and flattened where used: data (files,
//! missing values `--na`, limits), formula, training, scale. The learning rate is
//! parsed here only, as a clap value parser, so a bad `--lr` is a usage
//! error (exit 2) in every subcommand.

use super::common::{usage, DataLimits};
use chainrule::data::ReadOptions;
use chainrule::model::{Engine, Mode};
use chainrule::solve::CovType;
use chainrule::source::OpenOptions;
use chainrule::train::{LearningRate, TrainConfig};
use clap::ValueEnum;
use std::path::PathBuf;

/// `--lr`: a positive number or `auto`.
pub fn parse_lr(text: &str) -> Result<LearningRate, String> {
    if text == "auto" {
        return Ok(LearningRate::Auto);
    }
    match text.parse::<f64>() {
        Ok(lr) if lr > 0.0 && lr.is_finite() => Ok(LearningRate::Fixed(lr)),
        _ => Err(format!(
            "--lr {text}: expected a positive number (e.g. 0.01) or `auto`"
        )),
    }
}

/// `--tol`: a number ≥ 0 (NaN, ∞ and negatives would silently never, or
/// always, stop).
pub fn parse_tol(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(tol) if tol >= 0.0 && tol.is_finite() => Ok(tol),
        _ => Err(format!(
            "--tol {text}: expected a number ≥ 0, the gradient's norm relative to its norm at \
             θ = 0 at which to stop (e.g. 1e-12; 0 runs every epoch)"
        )),
    }
}

/// The data files and how to read them.
#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// CSV file with a header row (tab-separated if it ends in .tsv), a
    /// design cache (`chainrule convert`), or Parquet (feature `parquet`)
    pub data: PathBuf,
    /// More data files with DATA's columns, read after it as one data set
    /// (e.g. `part-*.csv`); implies streaming
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// Rows with a missing cell (empty, NA, NaN, inf) in a column the
    /// formula uses: `error` stops at the first and names its line and
    /// column; `drop` skips them and says how many. Columns the formula does
    /// not use are never read
    #[arg(long, value_enum, default_value_t = NaArg::Error, value_name = "ACTION")]
    pub na: NaArg,
    /// The same as `--na drop`
    #[arg(long)]
    pub drop_missing: bool,
    #[command(flatten)]
    pub limits: DataLimits,
}

/// `--na`: what a missing cell does (the values are explained in the
/// flag's help, so clap keeps the short layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NaArg {
    Error,
    Drop,
}

impl DataArgs {
    pub fn paths(&self) -> Vec<PathBuf> {
        std::iter::once(self.data.clone())
            .chain(self.more.iter().cloned())
            .collect()
    }

    pub fn read_options(&self) -> ReadOptions {
        self.limits
            .read_options(self.drop_missing || self.na == NaArg::Drop)
    }
}

/// The model formula.
#[derive(clap::Args, Clone, Debug)]
pub struct FormulaArg {
    /// Model formula, as R's lm() reads it: `y ~ x`, `y ~ x - 1` (no
    /// intercept), `y ~ x1 + x2`, `y ~ .` (all other columns), `y ~ . - id`
    /// (all but id), `y ~ x1 * x2`
    /// (x1 + x2 + x1:x2), `y ~ (a + b + c)^2`, `y ~ a*b - a:b`, `y ~ poly(x,
    /// 3)`, `y ~ x + I(x^2)`, `y ~ I(x1/x2) + log(x + 1)`, `log(y) ~ x` (fits
    /// and predicts log(y)); a text column is categorical, `factor(x)` makes
    /// one of numbers, `C(x, ref = "b")` picks the reference level; or a
    /// preset: origin, line, plane
    #[arg(long, short, default_value = "y ~ .")]
    pub formula: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
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
            // Epochs run as queries; nothing local computes a gradient, so
            // the record says kernel, the same sums.
            #[cfg(feature = "distributed")]
            EngineArg::Datafusion => Engine::Kernel,
        }
    }
}

/// How gradient descent runs.
#[derive(clap::Args, Clone, Debug)]
pub struct TrainingArgs {
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
    #[arg(long, default_value = "auto", value_parser = parse_lr, allow_hyphen_values = true)]
    pub lr: LearningRate,
    /// Passes over the data, at most (a run stops sooner once --tol is met)
    #[arg(long, default_value_t = chainrule::train::DEFAULT_EPOCHS)]
    pub epochs: usize,
    /// Rows per step [default: sample 1, unrolled 2, vectorized all rows]
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Seed of the row shuffle (same seed ⇒ same run). Streamed
    /// (--chunk-rows), each chunk with the rows left over from the one
    /// before is shuffled and dealt into batches, so the shuffle mixes rows
    /// only within a chunk: shuffle a sorted file once first, or raise
    /// --chunk-rows
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Keep rows in file order (shuffling is on when batches are smaller than the data)
    #[arg(long)]
    pub no_shuffle: bool,
    /// Stop once ‖∂J/∂θ‖ over every row is at most TOL times its value at
    /// θ = 0 (in the standardized units training runs in): θ is then within
    /// κ·TOL of the least-squares θ, relatively (κ: the condition number of
    /// the cost's Hessian, near 1 for standardized, uncorrelated features,
    /// large for powers of x). 0 runs every epoch
    // The default is chainrule::train::DEFAULT_TOL, written as people write it.
    #[arg(long, default_value = "1e-12", value_parser = parse_tol, allow_hyphen_values = true)]
    pub tol: f64,
    /// Plain gradient descent on the features as they are, as the lessons
    /// show it. By default training runs on standardized features
    /// (x − mean)/sd and reports θ in the data's units: with features of
    /// unequal scale (years next to fractions, x next to x^5) one learning
    /// rate cannot suit them all, and raw descent crawls or diverges
    #[arg(long)]
    pub no_standardize: bool,
    /// Train on standardized features: the default (kept so that scripts
    /// passing it still run)
    #[arg(long, hide = true, conflicts_with = "no_standardize")]
    pub standardize: bool,
}

impl TrainingArgs {
    pub fn config(&self) -> TrainConfig {
        TrainConfig {
            mode: self.mode.into(),
            lr: self.lr,
            epochs: self.epochs,
            batch_size: self.batch_size,
            shuffle: self.no_shuffle.then_some(false),
            seed: self.seed,
            tol: (self.tol > 0.0).then_some(self.tol),
            standardize: !self.no_standardize,
            engine: self.engine.map(Engine::from),
        }
    }
}

/// Out of core: stream the data from disk instead of loading it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ScaleArgs {
    /// Stream the data from disk this many rows at a time, so memory holds
    /// one chunk however large the file (about rows × columns × 24 bytes).
    /// Each pass adds up the chunks' sums, so a whole-data answer is the one
    /// in memory, to rounding [default when streaming: 65536]
    #[arg(long, value_name = "N")]
    pub chunk_rows: Option<usize>,
    /// Keep a binary copy of the design (X row-major f64 + y, small header)
    /// in FILE and train from its memory map, the fastest path from disk.
    /// Written on the first run (one pass over DATA), reused while it is
    /// newer than DATA and holds the formula's columns. `chainrule convert`
    /// writes one too; DATA may also be such a file
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
}

impl ScaleArgs {
    pub fn open_options(&self, read: ReadOptions) -> anyhow::Result<OpenOptions> {
        if self.chunk_rows == Some(0) {
            return Err(usage("--chunk-rows must be at least 1"));
        }
        Ok(OpenOptions {
            read,
            chunk_rows: self.chunk_rows,
            cache: self.cache.clone(),
        })
    }
}

/// How result tables print their numbers.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct DigitsArg {
    /// Significant digits in tables (7 reads like R; 17 prints every digit,
    /// the shortest text that reads back to the same number; --json always
    /// carries every digit)
    #[arg(long, default_value_t = chainrule::render::summary::TABLE_DIGITS,
          value_parser = clap::builder::TypedValueParser::map(
              clap::value_parser!(u8).range(1..=17), usize::from),
          value_name = "N")]
    pub digits: usize,
}

/// A confidence level strictly between 0 and 1.
pub fn parse_level(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(format!("{text} is not a level between 0 and 1 (e.g. 0.95)")),
    }
}

/// The confidence level of intervals (`fit`, `predict --interval`).
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct LevelArg {
    /// Confidence level of the intervals
    #[arg(long, default_value_t = 0.95, value_parser = parse_level, value_name = "P")]
    pub level: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CovArg {
    /// σ²·(XᵀX)⁻¹, σ² = RSS/(n − p): errors of equal variance
    #[value(name = "nonrobust")]
    Nonrobust,
    /// White's sandwich (XᵀX)⁻¹·Xᵀ diag(e²) X·(XᵀX)⁻¹: any error variances
    #[value(name = "HC0", alias = "hc0")]
    HC0,
    /// HC0 times n/(n − p), a small-sample correction
    #[value(name = "HC1", alias = "hc1")]
    HC1,
    /// e² divided by 1 − h (h the leverage of the row)
    #[value(name = "HC2", alias = "hc2")]
    HC2,
    /// e² divided by (1 − h)², the safest in small samples
    #[value(name = "HC3", alias = "hc3")]
    HC3,
}

impl From<CovArg> for CovType {
    fn from(c: CovArg) -> CovType {
        match c {
            CovArg::Nonrobust => CovType::Nonrobust,
            CovArg::HC0 => CovType::HC0,
            CovArg::HC1 => CovType::HC1,
            CovArg::HC2 => CovType::HC2,
            CovArg::HC3 => CovType::HC3,
        }
    }
}

/// How `fit` weighs rows and estimates the covariance of θ.
#[derive(clap::Args, Clone, Debug)]
pub struct FitInferenceArgs {
    #[command(flatten)]
    pub level: LevelArg,
    /// Covariance of θ behind standard errors, tests and intervals. The HC
    /// (heteroskedasticity-consistent) choices test with the normal
    /// distribution and give F as a Wald test, as statsmodels does; they
    /// need the rows in memory
    #[arg(long, value_enum, default_value = "nonrobust", value_name = "TYPE")]
    pub cov: CovArg,
    /// Weighted least squares: minimize Σ w·(y − z1)² with w from column
    /// COL, one weight per row, each ≥ 0 (rows of weight 0 are left out,
    /// and of n, as R's lm does); needs the rows in memory
    #[arg(long, value_name = "COL")]
    pub weights: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IntervalArg {
    /// where the mean z1 lies: x0ᵀ·Cov(θ)·x0
    Confidence,
    /// where a new observation y lies: the mean's variance plus σ²
    Prediction,
}

impl From<IntervalArg> for chainrule::solve::Interval {
    fn from(i: IntervalArg) -> Self {
        match i {
            IntervalArg::Confidence => chainrule::solve::Interval::Confidence,
            IntervalArg::Prediction => chainrule::solve::Interval::Prediction,
        }
    }
}
