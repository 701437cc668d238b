//! `chainrule predict`: a saved model applied to new rows.

use super::common::DataLimits;
use anyhow::{Context, Result};
use chainrule::data::{read_csv, to_csv_string, Dataset};
use chainrule::Fitted;
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
    let model = Fitted::load(&args.model)?;
    let opts = args.limits.read_options(args.drop_missing);
    let (data, _) = read_csv(&args.data, &opts)?;
    let prediction = model.predict(&data)?;
    let mut names = data.names.clone();
    let mut columns = data.columns.clone();
    names.push(format!("{}_pred", model.model_file().response));
    columns.push(prediction);
    let out = Dataset::new(names, columns)?;
    match &args.out {
        Some(path) => chainrule::data::write_csv(path, &out)
            .with_context(|| format!("--out {}", path.display()))?,
        None => print!("{}", to_csv_string(&out, ',')),
    }
    Ok(())
}
