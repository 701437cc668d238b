//! `chainrule bench`: every gradient source beside the machine's own
//! streaming-read speed, in one process.

use super::common::{print_json, usage};
use crate::bench_run::{run as bench, table, BenchConfig, BenchError, Dtype};
use anyhow::Result;
use clap::ValueEnum;
use std::io::IsTerminal;

#[derive(Clone, Copy, ValueEnum)]
pub enum DtypeArg {
    F64,
    /// f32 storage, f64 sums: half the bytes to read
    F32,
}

/// Time the fused kernel, the vectorized graph (compiled and node by node)
/// and mini-batch steps on generated data, beside a plain read of the same
/// data (the bandwidth ceiling), and with --csv, CSV → θ beside a plain read
/// of the file: median of repeats, with min and max.
///
/// Example: chainrule bench --n 10000000 --d 2 --threads 2 --csv plane.csv
#[derive(clap::Args)]
pub struct Args {
    /// Rows of generated data
    #[arg(long, default_value_t = 10_000_000)]
    pub n: usize,
    /// Features per row
    #[arg(long, default_value_t = 2)]
    pub d: usize,
    /// How X and y are stored
    #[arg(long, value_enum, default_value = "f64")]
    pub dtype: DtypeArg,
    /// Threads for the kernel and the read [default: all cores]
    #[arg(long)]
    pub threads: Option<usize>,
    /// Mini-batch sizes to time steps of
    #[arg(long, value_delimiter = ',', default_value = "1,2,64")]
    pub batch: Vec<usize>,
    /// Timed repeats of each item (after one warm-up)
    #[arg(long, default_value_t = 7)]
    pub repeats: usize,
    /// Seed of the generated data
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also time CSV → θ on this file as `fit` runs it (in memory and
    /// streamed), beside a plain read of the file from the page cache
    #[arg(long, value_name = "FILE")]
    pub csv: Option<std::path::PathBuf>,
    /// The model formula fitted to --csv
    #[arg(long, default_value = "y ~ .")]
    pub formula: String,
    /// Print the report as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<()> {
    let cfg = BenchConfig {
        n: args.n,
        d: args.d,
        dtype: match args.dtype {
            DtypeArg::F64 => Dtype::F64,
            DtypeArg::F32 => Dtype::F32,
        },
        threads: args.threads,
        batches: args.batch,
        repeats: args.repeats,
        seed: args.seed,
        csv: args.csv,
        formula: args.formula,
    };
    let show = std::io::stderr().is_terminal();
    let report = bench(&cfg, &mut |step| {
        if show {
            eprintln!("bench: {step}");
        }
    })
    .map_err(|e| match e {
        BenchError::Config(m) => usage(m),
        e => e.into(),
    })?;
    if args.json {
        print_json(&serde_json::to_value(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(())
}
