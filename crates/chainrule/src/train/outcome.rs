//! A finished training run as front ends show it: θ by name, metrics over
//! every row, the history, the closed-form check, warnings. One shape for
//! rows in memory and streamed rows; its JSON form is `train --json`
//! (documented in `docs/train-json.md`; NaN and ±∞ as the words of
//! `numeric::json`).

use serde::Serialize;

use super::fit::{Fit, Observer, StopReason, TrainError};
use super::run::Trained;
use super::{LearningRate, TrainConfig};
use crate::data::Design;
use crate::model::{Batch, Engine, LinearModel, Mode};
use crate::numeric::json;
use crate::solve::{least_squares, metrics, QrStats, Solution};
use crate::source::{RowSource, SourceError};

/// One parameter: its name (θ0, θ1 … as the design names them) and value.
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub name: String,
    #[serde(serialize_with = "json::number")]
    pub value: f64,
}

/// Digits of agreement with the least-squares θ below which a run is
/// reported as not converged: more than the 7 significant digits tables
/// print, so a "converged" θ prints as the closed form's. The referee is
/// the TSQR solve, good to about κ·ε: only where κ(A) > 1e7 may it read a
/// θ of 9+ digits as fewer, and there descent stalls long before anyway.
pub const CONVERGED_DIGITS: f64 = 9.0;

/// Every run's answer to "is this θ the least-squares θ?": the fewest
/// digits on which θ agrees with the closed form (from the statistics of
/// the rows, always computed), whether that reaches [`CONVERGED_DIGITS`],
/// and the gradient over every row at θ that the stopping rule sees.
/// `None` digits: θ is not unique (rank-deficient), so agreement says
/// nothing.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    #[serde(serialize_with = "json::option_number")]
    pub digits: Option<f64>,
    pub converged: bool,
    /// ‖∂J/∂θ‖ at the final θ, in training units.
    #[serde(serialize_with = "json::number")]
    pub gradient_norm: f64,
    /// `gradient_norm` / ‖∂J/∂θ at θ = 0‖, what `tol` is compared with.
    #[serde(serialize_with = "json::number")]
    pub relative_gradient: f64,
}

/// θ against the closed-form least-squares answer.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    #[serde(serialize_with = "json::numbers")]
    pub closed_form_theta: Vec<f64>,
    /// max |θ − θ̂| over the parameters.
    #[serde(serialize_with = "json::number")]
    pub largest_difference: f64,
    /// Fewest significant digits on which θ and θ̂ agree (capped at 15).
    #[serde(serialize_with = "json::number")]
    pub digits: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrainOutcome {
    /// What the rows came from (a file name).
    pub source: String,
    pub formula: String,
    /// Rows per epoch.
    pub rows: usize,
    /// Whether the rows were streamed (false: held in memory).
    pub streamed: bool,
    /// How they were read, in words.
    pub how: String,
    pub mode: Mode,
    pub engine: Engine,
    pub batch_size: usize,
    #[serde(serialize_with = "json::number")]
    pub lr: f64,
    /// Whether the learning rate was chosen automatically.
    pub lr_auto: bool,
    pub theta: Vec<Param>,
    /// J = mean of (y − z1)² over every row at the final θ.
    #[serde(serialize_with = "json::number")]
    pub j: f64,
    #[serde(serialize_with = "json::number")]
    pub rmse: f64,
    /// NaN when the total sum of squares is 0.
    #[serde(serialize_with = "json::number")]
    pub r_squared: f64,
    pub epochs: usize,
    pub steps: usize,
    pub stop: StopReason,
    /// J of each epoch.
    #[serde(serialize_with = "json::numbers")]
    pub history: Vec<f64>,
    #[serde(serialize_with = "json::number")]
    pub seconds: f64,
    pub check: Option<Check>,
    pub verdict: Verdict,
    pub warnings: Vec<String>,
    /// The run itself (history per step, θ path, scaling): not serialized.
    #[serde(skip)]
    pub fit: Fit,
}

/// What to call the run's parts in the outcome.
#[derive(Clone, Debug)]
pub struct Labels {
    /// What the rows came from (a file name).
    pub source: String,
    pub formula: String,
    /// How the rows were read, in words.
    pub how: String,
    /// The design's shape: response, features, intercept.
    pub design: Design,
}

/// The outcome of `trained` on `source`: metrics over every row (exact
/// sums in memory; one more pass when streamed, with R² from the first
/// pass's statistics) and, when `check`, the closed form (the in-memory
/// referee, or the same referee on the streamed R).
pub fn summarize(
    source: &mut dyn RowSource,
    trained: Trained,
    cfg: &TrainConfig,
    formula: &str,
    how: &str,
    check: bool,
    observer: &mut dyn Observer,
) -> Result<TrainOutcome, TrainError> {
    let labels = Labels {
        source: source.label(),
        formula: formula.into(),
        how: how.into(),
        design: source.empty_design(),
    };
    let Some(design) = source.design() else {
        // Ctrl-C asked for no more passes: the metrics are left out.
        if trained.fit.stop == StopReason::Interrupted && trained.stats.is_some() {
            let mut outcome = summarize_streamed(trained, cfg, labels, f64::NAN, check)?;
            outcome.warnings.push(
                "interrupted: J, RMSE and R² over every row were not computed (NaN: \
                 \"NaN\" in --json, `null` in the model file), since they take one more pass over the data; \
                 θ is the last whole step's and predicts as usual; let a run finish to have \
                 them"
                    .into(),
            );
            return Ok(outcome);
        }
        let rss = crate::source::stats_at(source, &trained.fit.theta, observer)?.j_sum;
        let trained = match trained.stats {
            Some(_) => trained,
            None => Trained {
                stats: Some(crate::source::scan(source, observer)?),
                ..trained
            },
        };
        return summarize_streamed(trained, cfg, labels, rss, check);
    };
    let m = metrics(design, &trained.fit.theta);
    let solution = match check {
        true => Some(least_squares(design).map_err(SourceError::from)?),
        false => None,
    };
    // The verdict needs the closed form even unchecked: from the TSQR
    // statistics (one pass, p × p to solve), cheaper than the refined QR.
    let referee = match &solution {
        Some(s) => (s.rank == s.p).then(|| s.theta.clone()),
        None => {
            let model = LinearModel::new(design.d, design.intercept);
            let mut stats = QrStats::empty(model.n_params());
            stats.add_batch(Batch::new(&design.x, &design.y, design.d), &model);
            referee_theta(&stats, design)
        }
    };
    Ok(assemble(
        trained,
        cfg,
        labels,
        false,
        (m.mse, m.rmse, m.r_squared),
        solution,
        referee,
    ))
}

/// The outcome of a streamed run (or one summed by a backend) from its
/// first pass's statistics (`trained.stats`: TSS for R², R for the closed
/// form) and `rss`, Σ(y − z1)² over every row at the final θ.
pub fn summarize_streamed(
    trained: Trained,
    cfg: &TrainConfig,
    labels: Labels,
    rss: f64,
    check: bool,
) -> Result<TrainOutcome, TrainError> {
    let stats = trained
        .stats
        .as_ref()
        .expect("a streamed run keeps its first pass's statistics");
    let design = &labels.design;
    let mse = rss / trained.n as f64;
    let r_squared = match 1.0 - rss / stats.total_sum_of_squares(design.intercept) {
        r if r.is_finite() => r,
        _ => f64::NAN,
    };
    let solution = match check {
        true => Some(
            stats
                .solve(&design.response, &design.names, design.intercept)
                .map_err(SourceError::from)?,
        ),
        false => None,
    };
    let referee = match &solution {
        Some(s) => (s.rank == s.p).then(|| s.theta.clone()),
        None => referee_theta(stats, design),
    };
    Ok(assemble(
        trained,
        cfg,
        labels,
        true,
        (mse, mse.sqrt(), r_squared),
        solution,
        referee,
    ))
}

fn assemble(
    trained: Trained,
    cfg: &TrainConfig,
    labels: Labels,
    streamed: bool,
    (j, rmse, r_squared): (f64, f64, f64),
    solution: Option<Solution>,
    referee: Option<Vec<f64>>,
) -> TrainOutcome {
    let fit = trained.fit;
    let names = labels.design.param_names();
    let mut warnings = Vec::new();
    let digits = referee.map(|r| {
        fit.theta
            .iter()
            .zip(&r)
            .map(|(a, b)| crate::numeric::lre(*a, *b))
            .fold(15.0, f64::min)
    });
    let verdict = Verdict {
        digits,
        converged: digits.is_some_and(|d| d >= CONVERGED_DIGITS),
        gradient_norm: fit.gradient_norm,
        relative_gradient: fit.relative_gradient,
    };
    if let Some(d) = digits.filter(|&d| d < CONVERGED_DIGITS) {
        let remedy = match fit.scaling {
            None => {
                "standardize the features (plain descent on features of unequal scale \
                     crawls), train longer (more epochs)"
            }
            Some(_) => {
                "train longer (more epochs: near-collinear columns, such as powers \
                        of x, make descent slow even on standardized features)"
            }
        };
        warnings.push(format!(
            "θ agrees with the least-squares θ to only {d:.1} significant digits (the \
             gradient is {:.1e} of its size at θ = 0): training stopped before it \
             converged, so θ is not yet the answer the data give; {remedy}, or take the \
             closed form (chainrule fit)",
            fit.relative_gradient
        ));
    }
    if let Some(s) = &solution {
        warnings.extend(s.warnings.iter().cloned());
        if s.rank < s.p {
            warnings.push(format!(
                "rank {} < {} parameters: θ is not unique (other θ give the same J), so \
                 the trained θ may differ from the closed form's even where J agrees; remove \
                 the columns named above from the formula to make θ unique",
                s.rank, s.p
            ));
        }
    }
    let check = solution.map(|s| {
        let pairs = fit.theta.iter().zip(&s.theta);
        Check {
            largest_difference: pairs
                .clone()
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max),
            digits: pairs
                .map(|(a, b)| crate::numeric::lre(*a, *b))
                .fold(15.0, f64::min),
            closed_form_theta: s.theta,
        }
    });
    TrainOutcome {
        source: labels.source,
        formula: labels.formula,
        rows: trained.n,
        streamed,
        how: labels.how,
        mode: cfg.mode,
        engine: trained.engine,
        batch_size: fit.batch_size,
        lr: fit.lr,
        lr_auto: matches!(cfg.lr, LearningRate::Auto),
        theta: names
            .into_iter()
            .zip(&fit.theta)
            .map(|(name, &value)| Param { name, value })
            .collect(),
        j,
        rmse,
        r_squared,
        epochs: fit.epochs,
        steps: fit.steps,
        stop: fit.stop,
        history: fit.epoch_j.clone(),
        seconds: fit.seconds,
        check,
        verdict,
        warnings,
        fit,
    }
}

/// The closed form from TSQR statistics, for the verdict; `None` where θ
/// is not unique (rank-deficient) or the solve fails.
fn referee_theta(stats: &QrStats, design: &Design) -> Option<Vec<f64>> {
    let s = stats
        .solve(&design.response, &design.names, design.intercept)
        .ok()?;
    (s.rank == s.p).then_some(s.theta)
}
