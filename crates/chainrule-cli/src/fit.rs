//! `chainrule fit`: the closed-form least-squares answer, the referee that
//! every trained θ is checked against.

use super::common::{parse_formula, print_json, usage};
use super::flags::{DataArgs, DigitsArg, FitInferenceArgs, FormulaArg, ScaleArgs};
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::data::Design;
use chainrule::model::formula::{Coding, Formula};
use chainrule::solve::{least_squares_with, CovType, DesignRows, FitOptions, Inference, Solution};
use chainrule::source::fit_stream;
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
        return report(&args, &formula, &s, &design, None, &how);
    }
    let options = args.scale.open_options(args.data.read_options())?;
    let mut progress = Progress::new(0);
    let paths = args.data.paths();
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
    let (s, design) = match source.design() {
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
            let s =
                least_squares_with(DesignRows::of(&design), &options).with_context(
                    || match weights {
                        Some(column) => format!("{} (weights from --weights {column})", solving()),
                        None => solving(),
                    },
                )?;
            (s, design)
        }
        None => {
            if weights.is_some() || cov.is_robust() {
                return Err(usage(
                    "--weights and --cov HC0…HC3 need the rows in memory; drop --chunk-rows \
                     and the extra data files (a --cache file is fine)",
                ));
            }
            let s = match fit_stream(&mut *source, &mut progress) {
                // A stop signal abandoned a pass: nothing to show or save.
                Err(_) if super::interrupt::requested() => {
                    return Err(super::interrupt::Interrupted(
                        "interrupted while solving: nothing was fitted or saved".into(),
                    )
                    .into())
                }
                fitted => fitted.with_context(solving)?,
            };
            (s, source.empty_design())
        }
    };
    progress.clear();
    report(&args, &formula, &s, &design, source.coding(), &how)
}

/// The solution as a table or as JSON, and the model file (--out).
fn report(
    args: &Args,
    formula: &Formula,
    s: &Solution,
    design: &Design,
    coding: Option<&Coding>,
    how: &str,
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
        print_json(&fit_json(&formula.to_string(), design, s, &inf, weights));
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
) -> serde_json::Value {
    let names = design.param_names();
    let params: Vec<_> = (0..names.len())
        .map(|k| {
            json!({"name": names[k], "value": s.theta[k],
                   "std_error": s.std_errors[k], "t": s.t_stats[k],
                   "p_value": inf.p_values[k],
                   "conf_low": inf.conf_low[k], "conf_high": inf.conf_high[k]})
        })
        .collect();
    let cov: Vec<&[f64]> = s.cov_params.chunks(s.p.max(1)).collect();
    json!({
        "formula": formula, "method": LEAST_SQUARES,
        "n": s.n, "p": s.p, "rank": s.rank,
        "theta": params, "level": inf.level,
        "cov_type": s.cov_type.as_str(), "use_t": inf.use_t, "cov_params": cov,
        "weights": weights, "zero_weight_rows": s.zero_weight_rows,
        "j": s.mse, "rmse": s.rmse, "r_squared": s.r_squared,
        "adj_r_squared": inf.adj_r_squared,
        "residual_sd": s.residual_sd, "scale": s.residual_sd * s.residual_sd,
        "rss": s.rss, "tss": s.tss,
        "df_model": inf.df_model, "df_resid": inf.df_resid,
        "f_statistic": inf.f_statistic, "f_p_value": inf.f_p_value,
        "log_likelihood": inf.log_likelihood, "aic": inf.aic, "bic": inf.bic,
        "condition_number": s.condition_number,
        "warnings": s.warnings,
    })
}
