//! `chainrule convert`: a data set written as a design cache.

use super::common::parse_formula;
use super::flags::{DataArgs, FormulaArg};
use super::interrupt::Interrupted;
use super::progress::Progress;
use anyhow::{Context, Result};
use chainrule::source::{write_cache, OpenOptions, SourceError};
use std::path::PathBuf;
use std::time::Instant;

/// Write a design cache: the formula's X (row-major f64) and y in a small
/// binary file that `train` and `fit` memory-map, the fastest path from
/// disk. Converts in one streamed pass, so the input may exceed memory.
///
/// Example: chainrule convert big.csv --formula "y ~ x1 + x2" --out big.crd
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub formula: FormulaArg,
    /// The cache file to write (atomically); with --to parquet, the
    /// directory for the files
    #[arg(long, short)]
    pub out: PathBuf,
    /// Rows per chunk while converting (with --to parquet: rows per file
    /// [default: 1048576])
    #[arg(long, value_name = "N")]
    pub chunk_rows: Option<usize>,
    /// What to write: `cache`, the design cache; `parquet` (feature
    /// `parquet`), every column of CSV input as a directory --out of
    /// Parquet files, one per chunk, for `train|fit --cluster`
    #[arg(long, value_enum, default_value = "cache")]
    pub to: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Cache,
    Parquet,
}

pub fn run(args: Args) -> Result<()> {
    // Ctrl-C stops after the chunk in progress; the temp files go.
    super::interrupt::install();
    if args.to == Format::Parquet {
        let rows = args.chunk_rows.unwrap_or(1 << 20);
        if rows == 0 {
            return Err(super::common::usage("--chunk-rows must be at least 1"));
        }
        let read = args.data.read_options();
        return super::convert_parquet::run(&args.data.paths(), &read, &args.out, rows);
    }
    let formula = parse_formula(&args.formula.formula)?;
    let scale = super::flags::ScaleArgs {
        chunk_rows: Some(
            args.chunk_rows
                .unwrap_or(chainrule::source::DEFAULT_CHUNK_ROWS),
        ),
        cache: None,
    };
    let options: OpenOptions = scale.open_options(args.data.read_options())?;
    let mut progress = Progress::new(0);
    let opened = super::common::open_source(&args.data.paths(), &formula, &options, &mut progress)?;
    let mut source = opened.source;
    progress.set_total(source.bytes_total());
    let start = Instant::now();
    let rows = match write_cache(
        &mut *source,
        &args.out,
        &formula.to_string(),
        &args.data.paths(),
        &mut progress,
    ) {
        Err(SourceError::Stopped) => {
            progress.clear();
            return Err(Interrupted(format!(
                "interrupted: {} was not written",
                args.out.display()
            ))
            .into());
        }
        rows => rows.with_context(|| format!("writing {}", args.out.display()))?,
    };
    progress.clear();
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}: {formula} → {} ({rows} rows × {} features, {bytes} bytes, {:.3} s)",
        source.label(),
        args.out.display(),
        source.d(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
