//! `chainrule fit`: the closed-form least-squares answer, the referee that
//! every trained θ is checked against.

use super::common::{parse_formula, print_json};
use super::flags::{DataArgs, FormulaArg, ScaleArgs};
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::solve::least_squares;
use chainrule::source::fit_stream;
use serde_json::json;

/// Solve least squares in closed form by Householder QR (columns scaled),
/// with standard errors, t statistics and R² (uncentered without an
/// intercept, as NIST defines it).
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
    #[command(flatten)]
    pub scale: ScaleArgs,
}

pub fn run(args: Args) -> Result<()> {
    let formula = parse_formula(&args.formula.formula)?;
    let options = args.scale.open_options(args.data.read_options())?;
    let mut progress = Progress::new(0);
    let opened = super::common::open_source(&args.data.paths(), &formula, &options, &mut progress)?;
    for note in &opened.notes {
        eprintln!("note: {note}");
    }
    let mut source = opened.source;
    progress.set_total(source.bytes_total());
    let s = match source.design() {
        Some(design) => least_squares(design).with_context(|| format!("solving {formula}"))?,
        None => {
            fit_stream(&mut *source, &mut progress).with_context(|| format!("solving {formula}"))?
        }
    };
    progress.clear();
    let design = source.empty_design();
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
        args.data.data.display(),
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
