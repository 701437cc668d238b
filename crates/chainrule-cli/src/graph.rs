//! `chainrule graph`: the computational graph of a step, as DOT, Mermaid or
//! SVG (laid out by chainrule itself).

use super::explain::{step, StepArgs};
use anyhow::{Context, Result};
use chainrule::data::atomic::write_atomic;
use chainrule::render::graph::{dot_in, mermaid_in, svg_in};
use chainrule::render::view::View;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Graphviz DOT (render with `dot -Tsvg`)
    Dot,
    /// a Mermaid flowchart (renders in GitHub Markdown)
    Mermaid,
    /// SVG, laid out by chainrule (no Graphviz needed)
    Svg,
}

/// Draw the computational graph of one step: boxes show each node's name,
/// formula, value and gradient; edges show the local partial.
///
/// Examples:
///   chainrule graph --formula line --mode unrolled --format svg --out unrolled.svg
///   chainrule graph --formula origin --x 2 --y 3 --theta 0.5 --format mermaid
///   chainrule graph --program examples/two_samples.expr --format dot | dot -Tpng > g.png
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub step: StepArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "svg")]
    pub format: Format,
    /// Draw every node of the engine's graph, the unnamed helpers (the mul
    /// and add inside z1, the adds and the division inside the unrolled J)
    /// included
    #[arg(long)]
    pub all_nodes: bool,
    /// Write to this file (atomically) instead of stdout
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let step = step(&args.step)?;
    let view = View::new(&step.trace, !args.all_nodes);
    let lang = args.step.lang.get();
    let text = match args.format {
        Format::Dot => dot_in(&view, lang),
        Format::Mermaid => mermaid_in(&view, lang),
        Format::Svg => svg_in(&view, lang),
    };
    match &args.out {
        Some(path) => write_atomic(path, text.as_bytes())
            .with_context(|| format!("--out {}: cannot write the drawing", path.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
