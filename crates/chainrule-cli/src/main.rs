//! The `chainrule` command line, a thin shell over the library.
//!
//! One file per subcommand: each parses its flags, calls the library and
//! prints. Exit codes: 0 success, 1 runtime error, 2 usage error, 130
//! interrupted by Ctrl-C (see `interrupt.rs`).

mod bench;
mod bench_run;
mod common;
mod convert;
mod demo;
mod explain;
mod fit;
mod flags;
mod grad;
mod graph;
mod interrupt;
mod predict;
mod progress;
mod report;
mod synth;
mod train;

use clap::{Parser, Subcommand};

/// Backpropagation for linear regression: see every chain-rule step of
/// y = θ·x, y = θ1·x + θ0 and y = θ2·x2 + θ1·x1 + θ0, train them by gradient
/// descent, and check the answer against the closed form.
#[derive(Parser)]
#[command(name = "chainrule", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The nine lessons on built-in data: three models × three modes
    Demo(demo::Args),
    /// One step of backpropagation written out: values, partials, chain rule, update
    Explain(explain::Args),
    /// Differentiate a small program of formulas by backpropagation
    Grad(grad::Args),
    /// Draw the computational graph of a step: DOT, Mermaid or SVG
    Graph(graph::Args),
    /// Train a linear model by gradient descent on a CSV/TSV file
    Train(train::Args),
    /// Solve least squares in closed form (Householder QR): the referee
    Fit(fit::Args),
    /// Add a prediction column to a data set, from a saved model
    Predict(predict::Args),
    /// Write a self-contained HTML report: graph player, derivation, plots
    Report(report::Args),
    /// Write a synthetic data set with a known true θ
    Synth(synth::Args),
    /// Time the fused kernel and the graphs against a plain memory read
    Bench(bench::Args),
    /// Write a binary design cache that train and fit memory-map
    Convert(convert::Args),
}

fn main() {
    std::process::exit(run());
}

fn run() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Grad(a) => grad::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Train(a) => train::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Report(a) => report::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Convert(a) => convert::run(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) if e.downcast_ref::<interrupt::Interrupted>().is_some() => {
            eprintln!("{e:#}");
            interrupt::EXIT_INTERRUPTED
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<common::UsageError>().is_some() {
                2
            } else {
                1
            }
        }
    }
}
