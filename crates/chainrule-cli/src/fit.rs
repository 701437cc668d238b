//! `chainrule fit`: the closed-form least-squares answer, the referee that
//! every trained θ is checked against.

use super::common::{parse_formula, print_json};
use super::flags::{DataArgs, DigitsArg, FormulaArg, ScaleArgs};
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::model::formula::Formula;
use chainrule::solve::{least_squares, Solution};
use chainrule::source::fit_stream;
use serde_json::json;

/// Solve least squares in closed form by Householder QR (columns scaled,
/// refined in double-double): θ with standard errors, t statistics,
/// p-values and confidence intervals; R² (uncentered without an intercept,
/// as NIST and R define it), adjusted R², the F test, log-likelihood, AIC
/// and BIC — statsmodels' OLS conventions.
///
/// Example: chainrule fit data.csv --formula "y ~ poly(x, 3)"
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub formula: FormulaArg,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Confidence level of the intervals
    #[arg(long, default_value_t = 0.95, value_parser = parse_level, value_name = "P")]
    pub level: f64,
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
    #[cfg(feature = "distributed")]
    if args.cluster.cluster.is_some() {
        super::cluster::refuse_local_flags(&args.data, &args.scale, false)?;
        let (s, names, how) = super::cluster::fit(&args.cluster, &args.data.paths(), &formula)?;
        return report(&args, &formula, &s, &names, &how);
    }
    let options = args.scale.open_options(args.data.read_options())?;
    let mut progress = Progress::new(0);
    let paths = args.data.paths();
    if !options.streams(&paths) {
        progress.reading(&paths);
    }
    let opened = super::common::open_source(&paths, &formula, &options, &mut progress)?;
    for note in &opened.notes {
        eprintln!("note: {note}");
    }
    let how = opened.how;
    let mut source = opened.source;
    progress.set_total(source.bytes_total());
    let s = match source.design() {
        Some(design) => least_squares(design).with_context(|| format!("solving {formula}"))?,
        None => {
            fit_stream(&mut *source, &mut progress).with_context(|| format!("solving {formula}"))?
        }
    };
    progress.clear();
    let names = source.empty_design().param_names();
    report(&args, &formula, &s, &names, &how)
}

/// The solution as a table, or as JSON.
fn report(args: &Args, formula: &Formula, s: &Solution, names: &[String], how: &str) -> Result<()> {
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    let inf = s.inference(args.level);
    if args.json {
        let params: Vec<_> = (0..names.len())
            .map(|k| {
                json!({"name": names[k], "value": s.theta[k],
                       "std_error": s.std_errors[k], "t": s.t_stats[k],
                       "p_value": inf.p_values[k],
                       "conf_low": inf.conf_low[k], "conf_high": inf.conf_high[k]})
            })
            .collect();
        print_json(&json!({
            "formula": formula.to_string(), "n": s.n, "p": s.p, "rank": s.rank,
            "theta": params, "level": args.level,
            "j": s.mse, "rmse": s.rmse, "r_squared": s.r_squared,
            "adj_r_squared": inf.adj_r_squared,
            "residual_sd": s.residual_sd, "df_model": inf.df_model, "df_resid": inf.df_resid,
            "f_statistic": inf.f_statistic, "f_p_value": inf.f_p_value,
            "log_likelihood": inf.log_likelihood, "aic": inf.aic, "bic": inf.bic,
            "warnings": s.warnings,
        }));
        return Ok(());
    }
    println!(
        "{}: {formula}  ({} rows {how}, closed form)\n",
        args.data.data.display(),
        s.n
    );
    print!(
        "{}",
        chainrule::render::summary::exact_summary(names, s, &inf, args.digits.digits)
    );
    Ok(())
}

/// A confidence level strictly between 0 and 1.
fn parse_level(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(format!("{text} is not a level between 0 and 1 (e.g. 0.95)")),
    }
}
