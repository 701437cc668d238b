//! `chainrule fit`: the closed-form least-squares answer, the referee that
//! every trained θ is checked against.

use super::common::{parse_formula, print_json, usage};
use super::flags::{DataArgs, DigitsArg, FitInferenceArgs, FormulaArg, ScaleArgs};
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::data::Design;
use chainrule::model::formula::{Coding, Formula};
use chainrule::numeric::json::Number;
use chainrule::solve::{least_squares_with, CovType, DesignRows, FitOptions, Inference, Solution};
use chainrule::source::decimal::{fit_decimal, fit_stream_decimal, worth_decimal, DecimalFit};
use chainrule::source::{fit_one_pass, fit_stream};
use chainrule::train::model_file::LEAST_SQUARES;
use chainrule::train::ModelFile;
use serde_json::json;
use std::path::PathBuf;

/// Solve least squares in closed form by Householder QR (columns scaled,
/// refined in double-double): θ with standard errors, t statistics,
/// p-values and confidence intervals; R² (uncentered without an intercept,
/// as NIST and R define it), adjusted R², the F test, log-likelihood, AIC,
/// BIC and the condition number — statsmodels' OLS conventions, with
/// robust covariance (--cov) and weights (--weights) as statsmodels' WLS.
/// On an ill-conditioned design θ is solved for the data as written in the
/// CSV, each cell read again as a decimal beyond f64 (NIST's certified
/// digits, all 15; `decimal_refined` in --json). CSV files of 8 MiB or
/// more (or several, or with --chunk-rows) are read once, in parallel, into sums kept in
/// double-double, where they give the same answer to the last digit;
/// otherwise the rows are held in memory (or streamed, with --chunk-rows
/// or several files).
///
/// Example: chainrule fit data.csv --formula "y ~ poly(x, 3)" --out model.json
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub formula: FormulaArg,
    /// Print the result as JSON on stdout (names in docs/fit-json.md)
    #[arg(long)]
    pub json: bool,
    /// Save the model (the file `train --out` writes, with the covariance
    /// `predict --interval` needs) atomically to FILE
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub inference: FitInferenceArgs,
    #[command(flatten)]
    pub digits: DigitsArg,
    #[command(flatten)]
    pub scale: ScaleArgs,
    #[cfg(feature = "distributed")]
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
}

pub fn run(args: Args) -> Result<()> {
    let formula = parse_formula(&args.formula.formula)?;
    let cov = CovType::from(args.inference.cov);
    let weights = args.inference.weights.as_deref();
    let reading = match weights {
        Some(column) => super::weights::reading(&formula, column)?,
        None => formula.clone(),
    };
    #[cfg(feature = "distributed")]
    if args.cluster.cluster.is_some() {
        super::cluster::refuse_local_flags(&args.data, &args.scale, false)?;
        if weights.is_some() || cov.is_robust() {
            return Err(usage(
                "--weights and --cov HC0…HC3 need the rows in memory; drop --cluster",
            ));
        }
        let (s, design, how) = super::cluster::fit(&args.cluster, &args.data.paths(), &formula)?;
        return report(
            &args,
            &formula,
            &s,
            &design,
            None,
            &how,
            &Decimal::default(),
        );
    }
    let options = args.scale.open_options(args.data.read_options())?;
    let mut progress = Progress::new(0);
    let paths = args.data.paths();
    if let Some(files) = options.one_pass(&paths).filter(|_| !cov.is_robust()) {
        if weights.is_none() {
            let sizes = files.iter().map(|p| std::fs::metadata(p).map(|m| m.len()));
            progress.set_total(sizes.sum::<Result<u64, _>>().ok());
            let one = stopped(fit_one_pass(files, &formula, &options.read, &mut progress))?
                .with_context(|| format!("solving {formula}"))?;
            progress.clear();
            if let Some((s, design)) = one {
                if options.read.drop_missing {
                    eprintln!("note: {}", chainrule::source::none_dropped(s.n));
                }
                let how = "in one streamed pass";
                return report(&args, &formula, &s, &design, None, how, &Decimal::default());
            }
        }
    }
    if !options.streams(&paths) {
        progress.reading(&paths);
    }
    let opened = super::common::open_source(&paths, &reading, &options, &mut progress)?;
    for note in &opened.notes {
        eprintln!("note: {note}");
    }
    let how = opened.how;
    let mut source = opened.source;
    progress.set_total(source.bytes_total());
    let solving = || format!("solving {formula}");
    let (s, design, decimal) = match source.design() {
        Some(read) => {
            let (design, w) = match weights {
                Some(column) => {
                    let (design, w) = super::weights::split(read, &formula, column)?;
                    (design, Some(w))
                }
                None => (read.clone(), None),
            };
            let options = FitOptions {
                weights: w.as_deref(),
                cov,
                ..FitOptions::default()
            };
            let context = || match weights {
                Some(column) => format!("{} (weights from --weights {column})", solving()),
                None => solving(),
            };
            let s = least_squares_with(DesignRows::of(&design), &options).with_context(context)?;
            let (s, decimal) = decimal_refit(&args, &formula, &reading, &design, &options, s)
                .with_context(context)?;
            (s, design, decimal)
        }
        None => {
            if weights.is_some() || cov.is_robust() {
                return Err(usage(
                    "--weights and --cov HC0…HC3 need the rows in memory; drop --chunk-rows \
                     and the extra data files (a --cache file is fine)",
                ));
            }
            let (s, decimal) = match one_csv(&args) {
                Some(path) => {
                    let read = args.data.read_options();
                    let (s, decimal) = stopped(fit_stream_decimal(
                        &mut *source,
                        &mut progress,
                        path,
                        &formula,
                        &read,
                    ))?
                    .with_context(solving)?;
                    progress.clear();
                    match decimal {
                        Some(fit) => decimal_outcome(fit, s)?,
                        None => (s, Decimal::default()),
                    }
                }
                None => (
                    stopped(fit_stream(&mut *source, &mut progress))?.with_context(solving)?,
                    Decimal::default(),
                ),
            };
            (s, source.empty_design(), decimal)
        }
    };
    progress.clear();
    report(
        &args,
        &formula,
        &s,
        &design,
        source.coding(),
        &how,
        &decimal,
    )
}

/// The solution as a table or as JSON, and the model file (--out).
fn report(
    args: &Args,
    formula: &Formula,
    s: &Solution,
    design: &Design,
    coding: Option<&Coding>,
    how: &str,
    decimal: &Decimal,
) -> Result<()> {
    let weights = args.inference.weights.as_deref();
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    let inf = s.inference(args.inference.level.level);
    if let Some(path) = &args.out {
        let file = ModelFile::from_least_squares(
            formula.to_string(),
            design.response.clone(),
            design.names.clone(),
            s,
        )
        .with_coding(coding);
        file.save(path)
            .with_context(|| format!("--out {}: cannot write the model", path.display()))?;
    }
    if args.json {
        print_json(&fit_json(
            &formula.to_string(),
            design,
            s,
            &inf,
            weights,
            decimal,
        ));
        return Ok(());
    }
    println!(
        "{}: {formula}  ({} rows {how}, closed form)\n",
        args.data.data.display(),
        s.n
    );
    print!(
        "{}",
        chainrule::render::summary::exact_summary(
            &design.param_names(),
            s,
            &inf,
            args.digits.digits
        )
    );
    Ok(())
}

/// Every figure at full precision, under the names docs/fit-json.md
/// documents.
fn fit_json(
    formula: &str,
    design: &Design,
    s: &Solution,
    inf: &Inference,
    weights: Option<&str>,
    decimal: &Decimal,
) -> serde_json::Value {
    let mut out = json!({
        "formula": formula, "method": LEAST_SQUARES,
        "weights": weights, "zero_weight_rows": s.zero_weight_rows,
        "decimal_refined": decimal.refined, "f64_only_features": decimal.f64_only,
    });
    let object = out.as_object_mut().expect("an object");
    object.extend(solution_json(&design.param_names(), s, inf));
    out
}

/// The statistics of a least-squares solution (`fit --json`'s, and `train
/// --json`'s `inference` at the trained θ), NaN and ±∞ as the words
/// numeric::json writes, never null.
pub fn solution_json(
    names: &[String],
    s: &Solution,
    inf: &Inference,
) -> serde_json::Map<String, serde_json::Value> {
    let num = Number;
    let params: Vec<_> = (0..names.len())
        .map(|k| {
            json!({"name": names[k], "value": num(s.theta[k]),
                   "std_error": num(s.std_errors[k]), "t": num(s.t_stats[k]),
                   "p_value": num(inf.p_values[k]),
                   "conf_low": num(inf.conf_low[k]), "conf_high": num(inf.conf_high[k])})
        })
        .collect();
    let cov: Vec<Vec<Number>> = s
        .cov_params
        .chunks(s.p.max(1))
        .map(|row| row.iter().map(|&v| num(v)).collect())
        .collect();
    let value = json!({
        "n": s.n, "p": s.p, "rank": s.rank,
        "theta": params, "level": inf.level,
        "cov_type": s.cov_type.as_str(), "use_t": inf.use_t, "cov_params": cov,
        "j": num(s.mse), "rmse": num(s.rmse), "r_squared": num(s.r_squared),
        "adj_r_squared": num(inf.adj_r_squared),
        "residual_sd": num(s.residual_sd), "scale": num(s.residual_sd * s.residual_sd),
        "rss": num(s.rss), "tss": num(s.tss),
        "df_model": inf.df_model, "df_resid": inf.df_resid,
        "f_statistic": num(inf.f_statistic), "f_p_value": num(inf.f_p_value),
        "log_likelihood": num(inf.log_likelihood), "aic": num(inf.aic), "bic": num(inf.bic),
        "condition_number": num(s.condition_number),
        "scaled_condition_number": num(s.scaled_condition_number),
        "warnings": s.warnings,
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("json! of braces is an object"),
    }
}

/// Whether θ was solved for the data as written (`source::decimal`), and
/// the features that had no exact value to carry.
#[derive(Default)]
struct Decimal {
    refined: bool,
    f64_only: Vec<String>,
}

/// The fit again on the decimal data, when its condition number says the
/// f64 rounding of the data may have cost digits and the rows come from
/// one CSV file read whole.
fn decimal_refit(
    args: &Args,
    formula: &Formula,
    reading: &Formula,
    design: &Design,
    options: &FitOptions<'_>,
    s: Solution,
) -> Result<(Solution, Decimal)> {
    let Some(path) = one_csv(args).filter(|_| worth_decimal(&s)) else {
        return Ok((s, Decimal::default()));
    };
    let read = args.data.read_options();
    decimal_outcome(
        fit_decimal(path, formula, reading, &read, design, options)?,
        s,
    )
}

/// The data file when the rows come from one CSV/TSV file, which can be
/// read again as decimals.
/// A pass abandoned on a stop signal is an interruption (nothing to show
/// or save), not a failure to solve.
fn stopped<T, E>(result: std::result::Result<T, E>) -> Result<std::result::Result<T, E>> {
    match result {
        Err(_) if super::interrupt::requested() => Err(super::interrupt::Interrupted(
            "interrupted while solving: nothing was fitted or saved".into(),
        )
        .into()),
        other => Ok(other),
    }
}

fn one_csv(args: &Args) -> Option<&std::path::Path> {
    let path = &args.data.data;
    let csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"));
    (csv && args.data.more.is_empty()).then_some(path.as_path())
}

/// The decimal refit's solution and what to say about it; `s`, the f64
/// data's, when it was declined.
fn decimal_outcome(fit: DecimalFit, s: Solution) -> Result<(Solution, Decimal)> {
    match fit {
        DecimalFit::Refined { solution, f64_only } => {
            if !f64_only.is_empty() {
                eprintln!(
                    "note: {} carried in f64 only (no exact value to carry): the fit is the \
                     least-squares answer for the data as written but for their rounding",
                    f64_only.join(", ")
                );
            }
            Ok((
                *solution,
                Decimal {
                    refined: true,
                    f64_only,
                },
            ))
        }
        DecimalFit::Declined(why) => {
            eprintln!(
                "note: the data as written could not be carried beyond f64 ({why}); θ is the \
                 least-squares answer for their f64 roundings"
            );
            Ok((s, Decimal::default()))
        }
    }
}
