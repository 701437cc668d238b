//! `chainrule synth`: data with a known true θ, to see training find it.

use super::common::usage;
use anyhow::{Context, Result};
use chainrule::data::{synth, to_csv_string, SynthModel, DEFAULT_MAX_CELLS};
use std::path::PathBuf;

/// Write a synthetic data set y = θ0 + Σ θj·xj + noise with a known true θ
/// (printed on stderr). Same arguments ⇒ same file.
///
/// Example: chainrule synth --model plane --n 1000 --noise 0.1 --seed 1 --out plane.csv
#[derive(clap::Args)]
pub struct Args {
    /// origin (y = 2x), line (y = 1 + 2x), plane (y = 1 + 2·x1 − 3·x2), or a
    /// number of features d
    #[arg(long, default_value = "line")]
    pub model: String,
    /// Number of rows
    #[arg(long, default_value_t = 100)]
    pub n: usize,
    /// Standard deviation of the Gaussian noise added to y
    #[arg(long, default_value_t = 0.1)]
    pub noise: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write here (atomically) instead of stdout
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Refuse to make more cells (rows × columns) than this; the data is
    /// held in memory (8 bytes a cell) and written as text (about 20 more)
    #[arg(long, default_value_t = DEFAULT_MAX_CELLS, value_name = "N")]
    pub max_cells: usize,
}

pub fn run(args: Args) -> Result<()> {
    let features = args.model.parse().ok().map(SynthModel::Features);
    let model = SynthModel::from_name(&args.model)
        .or(features)
        .ok_or_else(|| {
            usage(format!(
                "--model {}: use origin, line, plane or a number of features",
                args.model
            ))
        })?;
    let columns = model.features() as u128 + 1;
    let cells = args.n as u128 * columns;
    if cells > args.max_cells as u128 {
        return Err(usage(format!(
            "--n {} --model {}: {} rows × {columns} columns = {cells} cells, more than the limit of {}; ask for fewer rows, or raise the limit with --max-cells N (about 30 bytes of memory a cell)",
            args.n, args.model, args.n, args.max_cells
        )));
    }
    let (data, theta) =
        synth(model, args.n, args.noise, args.seed).map_err(|e| usage(e.to_string()))?;
    eprintln!("true θ = {theta:?}");
    match &args.out {
        Some(path) => chainrule::data::write_csv(path, &data)
            .with_context(|| format!("--out {}", path.display()))?,
        None => print!("{}", to_csv_string(&data, ',')),
    }
    Ok(())
}
