//! `chainrule grad`: type the formulas of a derivation, see them
//! differentiated by backpropagation.

use super::common::print_json;
use anyhow::{Context, Result};
use chainrule::expr::{format_number, parse_with_limit, run_program, DEFAULT_MAX_TOKENS};
use chainrule::graph::{Jacobian, Trace, DEFAULT_MAX_ELEMENTS};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// The language, printed by `grad --help` (docs/LANGUAGE.md in full).
const SYNTAX: &str = "\
A program, one statement per line or split by `;` (# comments):

  data x = 2                 # data: given, never updated, no gradient
  data y = 3
  param θ = 0.5              # param: collects ∂L/∂θ, the update changes it
  z1 = θ * x                 # a named node: the prediction
  z2 = y - z1
  L = z2^2

Statements:
  data NAME = LITERAL        a data leaf (gradient only with --wrt NAME)
  param NAME = LITERAL       a parameter
  NAME = EXPR                a named node (NAME = OTHER: another name for it)
  NAME = LITERAL             data if the program declares anything,
                             else a param (programs without declarations)
  EXPR                       a bare expression (the last one is the root)

Literals: 2  0.5  .5  1e-3  -1/3   vectors [1, 2]   matrices [[1, 2], [3, 4]]

Operators, loosest first:
  + -        add, subtract (a scalar broadcasts over a tensor)
  * / @      elementwise multiply, divide; matrix @ vector
  -x         negate
  x ^ p      power, p a constant number (x^2, x^(1/2), x^-1)

Functions: relu exp log tanh square sum mean (one argument), dot(a, b)

Names are Unicode (θ, θ0, z₁, x_1). docs/LANGUAGE.md has the whole
language; examples/one_sample.expr, two_samples.expr and vectorized.expr
are the tutorial's three derivations.

Example: chainrule grad examples/one_sample.expr --trace";

/// Differentiate a program by backpropagation: forward computes every
/// statement, backward the gradient of the last one (or --of NAME) with
/// respect to every parameter and every node they feed. The syntax is
/// printed after the options (`SYNTAX`).
#[derive(clap::Args)]
#[command(after_help = SYNTAX)]
pub struct Args {
    /// Program file (`-` or nothing with no -e: read stdin)
    pub file: Option<PathBuf>,
    /// The program as text instead of a file
    #[arg(short = 'e', long = "expr", conflicts_with = "file")]
    pub expr: Option<String>,
    /// Differentiate this binding instead of the last statement
    #[arg(long)]
    pub of: Option<String>,
    /// Also print every edge: its local partial, the total gradient at its
    /// head, and their product (the edge's share of the total at its tail)
    #[arg(long)]
    pub trace: bool,
    /// Also differentiate with respect to this data name (repeatable)
    #[arg(long, value_name = "NAME")]
    pub wrt: Vec<String>,
    /// Print the trace as JSON (schema in the docs: docs/ARCHITECTURE.md)
    #[arg(long)]
    pub json: bool,
    /// Refuse programs holding more than this many numbers
    #[arg(long, default_value_t = DEFAULT_MAX_ELEMENTS)]
    pub max_elements: usize,
    /// Refuse programs longer than this many tokens (names, numbers,
    /// operators, brackets); each makes at most one graph node, about 1 KB
    #[arg(long, default_value_t = DEFAULT_MAX_TOKENS)]
    pub max_tokens: usize,
}

fn read_source(args: &Args) -> Result<(String, String)> {
    if let Some(e) = &args.expr {
        return Ok(("-e".into(), e.clone()));
    }
    match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read the program", p.display()))?;
            Ok((p.display().to_string(), text))
        }
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("grad: reading the program from standard input; type it, then Ctrl-D to end (Ctrl-C quits; `chainrule grad --help` shows the syntax)");
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the program from stdin")?;
            Ok(("<stdin>".into(), text))
        }
    }
}

fn tensor(values: &[f64]) -> String {
    match values {
        [v] => format_number(*v),
        vs if vs.len() <= 8 => {
            let parts: Vec<_> = vs.iter().map(|&v| format_number(v)).collect();
            format!("[{}]", parts.join(", "))
        }
        vs => format!("[{} numbers]", vs.len()),
    }
}

fn jacobian(j: &Jacobian) -> String {
    if j.rows == 1 {
        return tensor(&j.data);
    }
    let rows: Vec<_> = j.data.chunks(j.cols.max(1)).map(tensor).collect();
    format!("[{}]", rows.join(", "))
}

/// Widest name column in the table.
const MAX_NAME_WIDTH: usize = 40;

pub fn run(args: Args) -> Result<()> {
    let (source, text) = read_source(&args)?;
    let fail = |e: chainrule::expr::ExprError| {
        let hint = super::hints::expr_hint(&e).map(|h| format!("\nhint: {h}"));
        anyhow::anyhow!("{source}:{}{}", e.render(&text), hint.unwrap_or_default())
    };
    let mut program = parse_with_limit(&text, args.max_tokens).map_err(fail)?;
    for name in &args.wrt {
        if !program.ask_gradient(name) {
            anyhow::bail!("--wrt {name}: {source} binds no number, vector or matrix to {name}");
        }
    }
    let ev = run_program(&program, args.of.as_deref(), args.max_elements).map_err(fail)?;
    let t = &ev.trace;
    if args.json {
        print_json(&serde_json::to_value(t).expect("a trace serializes"));
        return Ok(());
    }
    let root = t.node(t.root).label();
    let width = ev
        .names
        .iter()
        .map(|(n, _)| n.chars().count())
        .fold("node".len(), usize::max)
        // Column alignment only: a longer name just runs past the column
        // (and Rust refuses format widths beyond u16).
        .min(MAX_NAME_WIDTH);
    println!(
        "{:<width$}  {:<10}  {:<24}  ∂{root}/∂·",
        "node", "op", "value"
    );
    // The trace holds the root and the nodes before it; a binding made
    // after the root cannot feed it.
    let (shown, later): (Vec<_>, Vec<_>) = ev
        .names
        .iter()
        .partition(|(_, id)| id.index() < t.nodes.len());
    for (name, id) in shown {
        let node = t.node(id.index());
        let grad = node.grad.as_deref().map_or("—".into(), tensor);
        println!(
            "{name:<width$}  {:<10}  {:<24}  {grad}",
            node.op,
            tensor(&node.value)
        );
    }
    if !later.is_empty() {
        let names: Vec<&str> = later.iter().map(|(n, _)| n.as_str()).collect();
        println!(
            "(not shown: {}, bound after {root}, cannot feed it)",
            names.join(", ")
        );
    }
    if args.trace {
        print_edges(t);
    }
    Ok(())
}

/// Per edge input → node: the local partial ∂node/∂input (this op alone),
/// the total gradient ∂root/∂node (every path from the root, already
/// summed) and their product, this edge's share of the total ∂root/∂input.
/// Edges into leaves without a gradient (data, constants) are left out.
fn print_edges(t: &Trace) {
    let root = t.node(t.root).label();
    println!("\nchain rule, edge by edge (from the root down):");
    println!("  local = ∂node/∂input of that op alone; total = ∂{root}/∂node over every path;");
    println!("  local × total is the edge's share of the total ∂{root}/∂input (shares add up)");
    for node in t.nodes.iter().rev() {
        let Some(up) = &node.grad else { continue };
        for e in &node.edges {
            if t.node(e.from).grad.is_none() {
                continue;
            }
            let from = t.node(e.from).label();
            let local = e
                .local
                .as_ref()
                .map_or("(large: not shown)".into(), jacobian);
            let product = e.product.as_deref().map_or("—".into(), tensor);
            let to = node.label();
            println!(
                "  {from} → {to}:  local ∂{to}/∂{from} = {local}  ×  total ∂{root}/∂{to} = {}  →  share of ∂{root}/∂{from} = {product}",
                tensor(up)
            );
        }
    }
}
