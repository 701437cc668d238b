//! `chainrule synth`: data with a known true θ, to see training find it.

use super::common::usage;
use super::interrupt::Interrupted;
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::data::atomic::write_atomic_with;
use chainrule::data::{separator_for, write_csv_rows, SynthModel, SynthRows};
use chainrule::source::PassObserver;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;

/// The default --max-cells: 10¹⁰ cells, about 200 GB of text.
const MAX_CELLS: u64 = 10_000_000_000;

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
    /// Refuse to write more cells (rows × columns) than this: a guard
    /// against a slip that would fill the disk (the text takes about 20
    /// bytes a cell). Memory stays that of one row however many rows there
    /// are: they are written as they are drawn
    #[arg(long, default_value_t = MAX_CELLS, value_name = "N")]
    pub max_cells: u64,
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
    if cells > u128::from(args.max_cells) {
        return Err(usage(format!(
            "--n {} --model {}: {} rows × {columns} columns = {cells} cells, more than the limit of {}; ask for fewer rows, or raise the limit with --max-cells N (about 20 bytes of text a cell)",
            args.n, args.model, args.n, args.max_cells
        )));
    }
    let mut rows =
        SynthRows::new(model, args.n, args.noise, args.seed).map_err(|e| usage(e.to_string()))?;
    eprintln!("true θ = {:?}", rows.theta);
    // Progress in rows (on a terminal), and the stop signals' check.
    let mut progress = Progress::new(0);
    progress.set_rows(rows.n(), 0);
    progress.on_pass("write");
    let mut on_rows = |k: usize| {
        progress.on_chunk(k, 0);
        if progress.stop_requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let written = match &args.out {
        Some(path) => {
            let sep = separator_for(path);
            let mut finished = false;
            let wrote = write_atomic_with(path, &mut |out| {
                finished = write_csv_rows(&mut rows, out, sep, &mut on_rows)?;
                if finished {
                    Ok(())
                } else {
                    // Not an error: the temp file goes, the target stays.
                    Err(std::io::Error::other("stopped"))
                }
            });
            if !finished && wrote.is_err() && super::interrupt::requested() {
                progress.clear();
                return Err(Interrupted(format!(
                    "interrupted: {} was not written",
                    path.display()
                ))
                .into());
            }
            wrote.with_context(|| format!("--out {}", path.display()))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_csv_rows(&mut rows, &mut out, ',', &mut on_rows)
                .and_then(|_| out.flush())
                .or_else(|e| match e.kind() {
                    // `synth | head`: the reader has what it wanted.
                    std::io::ErrorKind::BrokenPipe => Ok(()),
                    _ => Err(e),
                })
                .context("cannot write the output")
        }
    };
    progress.clear();
    written?;
    if super::interrupt::requested() {
        return Err(Interrupted("interrupted: the rows so far went to stdout".into()).into());
    }
    Ok(())
}
