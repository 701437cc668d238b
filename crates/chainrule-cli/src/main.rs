//! The `chainrule` command line, a thin shell over the library.
//!
//! One file per subcommand: each parses its flags, calls the library and
//! prints. Exit codes: 0 success, 1 runtime error, 2 usage error, 128 +
//! the signal for a long run stopped by one: 130 Ctrl-C, 143 SIGTERM, 129
//! SIGHUP (see `interrupt.rs`).

mod bench;
mod bench_csv;
mod bench_run;
#[cfg(feature = "distributed")]
mod cluster;
mod common;
mod convert;
mod convert_parquet;
mod demo;
#[cfg(feature = "distributed")]
mod executor;
mod explain;
mod fit;
mod flags;
mod grad;
mod graph;
mod hints;
mod interrupt;
mod lang;
mod mapped;
#[cfg(feature = "distributed")]
mod node_log;
mod predict;
mod progress;
mod report;
#[cfg(feature = "distributed")]
mod scheduler;
mod synth;
mod train;
mod weights;

use chainrule::render::Lang;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Start a Ballista scheduler for `train|fit --cluster` (feature `distributed`)
    #[cfg(feature = "distributed")]
    Scheduler(scheduler::Args),
    /// Start a Ballista executor for `train|fit --cluster` (feature `distributed`)
    #[cfg(feature = "distributed")]
    Executor(executor::Args),
}

fn main() {
    mapped::report_faults_as_errors();
    // `println!` panics when stdout is gone (`chainrule fit big.csv | head
    // -1`) or full. That is the reader's choice or the disk's state, not a
    // bug: a closed pipe ends the run quietly with 0, as ripgrep and
    // coreutils-style tools do; any other write failure is an error, exit 1.
    // Every output file is written atomically before or apart from stdout,
    // so nothing is left half-written.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if stdout_failure(info.payload()).is_none() {
            default_hook(info);
        }
    }));
    let code = match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) => match stdout_failure(payload.as_ref()) {
            Some(message) if message.contains("Broken pipe") => 0,
            Some(message) => {
                eprintln!("error: cannot write the output: {message}");
                1
            }
            None => std::panic::resume_unwind(payload),
        },
    };
    std::process::exit(code);
}

/// The text of a panic raised by `print!` when stdout cannot be written.
fn stdout_failure(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())?;
    text.strip_prefix("failed printing to stdout: ")
}

/// The language of `--help`: `--lang ko|en` anywhere on the command line,
/// else the locale.
fn help_lang() -> Lang {
    let args: Vec<String> = std::env::args().collect();
    let given = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1).and_then(|v| Lang::parse(v)),
            Some(rest) => rest.strip_prefix('=').and_then(Lang::parse),
            None => None,
        });
    given.unwrap_or_else(Lang::from_env)
}

/// The command line with the teaching commands' summaries in `lang`.
fn command(lang: Lang) -> clap::Command {
    let mut cmd = Cli::command();
    if lang != Lang::En {
        for name in ["demo", "explain", "grad", "graph", "report"] {
            let about = lang.t(&format!("help-{name}"));
            cmd = cmd.mut_subcommand(name, |c| {
                // The summary in `lang`, then the English text's examples.
                let rest = c
                    .get_long_about()
                    .map(|l| l.to_string())
                    .and_then(|l| l.split_once("\n\n").map(|(_, r)| r.to_string()));
                let long = match rest {
                    Some(r) => format!("{about}\n\n{r}"),
                    None => about.clone(),
                };
                c.about(about).long_about(long)
            });
        }
    }
    cmd
}

fn run() -> i32 {
    let matches = command(help_lang()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The long commands stop cleanly on a signal; the others keep the
    // default action (a signal ends them at once, and they write nothing
    // that a stop could leave half-done).
    if matches!(
        cli.command,
        Command::Train(_) | Command::Fit(_) | Command::Convert(_) | Command::Synth(_)
    ) {
        interrupt::install();
    }
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
        #[cfg(feature = "distributed")]
        Command::Scheduler(a) => scheduler::run(a),
        #[cfg(feature = "distributed")]
        Command::Executor(a) => executor::run(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) if e.downcast_ref::<interrupt::Interrupted>().is_some() => {
            eprintln!("{e:#}");
            interrupt::exit_code()
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            if let Some(hint) = hints::flag_hint(&e) {
                eprintln!("hint: {hint}");
            }
            if e.downcast_ref::<common::UsageError>().is_some() {
                2
            } else {
                1
            }
        }
    }
}
