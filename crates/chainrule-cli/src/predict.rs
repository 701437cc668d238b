//! `chainrule predict`: a saved model applied to new rows.

use super::common::{parse_formula, DataLimits};
use anyhow::{Context, Result};
use chainrule::data::{read_csv, to_csv_string, Dataset};
use chainrule::train::ModelFile;
use std::path::PathBuf;

/// Write DATA back with a prediction column `<response>_pred` (CSV on
/// stdout, or atomically to --out).
///
/// Example: chainrule predict model.json new.csv --out predicted.csv
#[derive(clap::Args)]
pub struct Args {
    /// A model file written by `chainrule train --out`
    pub model: PathBuf,
    /// CSV with the model's input columns (the response column may be absent)
    pub data: PathBuf,
    /// Write here instead of stdout
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip rows with empty, NaN or infinite cells (and say how many)
    #[arg(long)]
    pub drop_missing: bool,
    #[command(flatten)]
    pub limits: DataLimits,
}

pub fn run(args: Args) -> Result<()> {
    let model = ModelFile::load(&args.model)?;
    let formula = parse_formula(&model.formula)
        .with_context(|| format!("{}: the stored formula", args.model.display()))?;
    let opts = args.limits.read_options(args.drop_missing);
    let (data, _) = read_csv(&args.data, &opts)?;
    // The formula builds features beside its response; new data may lack
    // the response, so a placeholder column stands in for it.
    let with_response = match data.index_of(&model.response) {
        Some(_) => data.clone(),
        None => {
            let mut names = data.names.clone();
            let mut columns = data.columns.clone();
            names.push(model.response.clone());
            columns.push(vec![0.0; data.n_rows()]);
            Dataset::new(names, columns)?
        }
    };
    let x = formula
        .design(&with_response)
        .with_context(|| format!("{}: building the model's features", args.data.display()))?;
    let d = model.features.len();
    if x.d != d {
        anyhow::bail!(
            "{}: the formula gives {} features here but the model has {d}",
            args.data.display(),
            x.d
        );
    }
    let prediction: Vec<f64> = (0..x.n).map(|i| x.predict_row(&model.theta, i)).collect();
    let mut names = data.names.clone();
    let mut columns = data.columns.clone();
    names.push(format!("{}_pred", model.response));
    columns.push(prediction);
    let out = Dataset::new(names, columns)?;
    match &args.out {
        Some(path) => chainrule::data::write_csv(path, &out)
            .with_context(|| format!("--out {}", path.display()))?,
        None => print!("{}", to_csv_string(&out, ',')),
    }
    Ok(())
}
