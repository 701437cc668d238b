//! `chainrule fit`: the closed-form least-squares answer, the referee that
//! every trained θ is checked against.

use super::common::{load_with, parse_formula, print_json, DataLimits};
use anyhow::{Context, Result};
use chainrule::solve::least_squares;
use serde_json::json;
use std::path::PathBuf;

/// Solve least squares in closed form by Householder QR (columns scaled),
/// with standard errors, t statistics and R² (uncentered without an
/// intercept, as NIST defines it).
///
/// Example: chainrule fit data.csv --formula "y ~ poly(x, 3)"
#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row (tab-separated if it ends in .tsv)
    pub data: PathBuf,
    /// Model formula (see `chainrule train --help`) or a preset: origin, line, plane
    #[arg(long, short, default_value = "y ~ .")]
    pub formula: String,
    /// Skip rows with empty, NaN or infinite cells (and say how many)
    #[arg(long)]
    pub drop_missing: bool,
    #[command(flatten)]
    pub limits: DataLimits,
    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub scale: super::stream::ScaleArgs,
}

pub fn run(args: Args) -> Result<()> {
    let formula = parse_formula(&args.formula)?;
    let (design, s) = if args.scale.streams(&args.data) {
        super::stream::fit(&args.data, &formula, args.drop_missing, &args.scale)?
    } else {
        let read = args.limits.read_options(args.drop_missing);
        let (_, design) = load_with(&args.data, &formula, &read)?;
        let s = least_squares(&design).with_context(|| format!("solving {formula}"))?;
        (design, s)
    };
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    let names = design.param_names();
    if args.json {
        let params: Vec<_> = (0..names.len())
            .map(|k| {
                json!({"name": names[k], "value": s.theta[k],
                       "std_error": s.std_errors[k], "t": s.t_stats[k]})
            })
            .collect();
        print_json(&json!({
            "formula": formula.to_string(), "n": s.n, "p": s.p, "theta": params,
            "j": s.mse, "rmse": s.rmse, "r_squared": s.r_squared,
            "residual_sd": s.residual_sd, "warnings": s.warnings,
        }));
        return Ok(());
    }
    println!(
        "{}: {formula}  ({} rows, closed form)",
        args.data.display(),
        s.n
    );
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    println!(
        "  {:<width$}  {:>22}  {:>12}  {:>10}",
        "", "θ", "std error", "t"
    );
    for (k, name) in names.iter().enumerate() {
        println!(
            "  {name:<width$}  {:>+22.15e}  {:>12.4e}  {:>10.3}",
            s.theta[k], s.std_errors[k], s.t_stats[k]
        );
    }
    println!(
        "J (MSE) {:.6e}   RMSE {:.6e}   residual SD {:.6e}   R² {:.12}",
        s.mse, s.rmse, s.residual_sd, s.r_squared
    );
    Ok(())
}
