//! Source in, differentiated graph out: parse, build, forward, backward from
//! the last statement (or a chosen binding), and the trace of it all.

use super::ast::{Program, Span};
use super::build::build;
use super::error::{list_names, ErrorKind, ExprError};
use super::parser::parse;
use crate::graph::{Graph, NodeId, Trace, DEFAULT_MAX_ELEMENTS};

/// A program after forward and backward from `root`.
#[derive(Debug)]
pub struct Evaluated {
    pub graph: Graph,
    /// Every binding, in order (a rebound name appears once per binding).
    pub names: Vec<(String, NodeId)>,
    pub root: NodeId,
    pub trace: Trace,
}

/// `run_with_limit` with the engine's default element limit.
pub fn run(src: &str, of: Option<&str>) -> Result<Evaluated, ExprError> {
    run_with_limit(src, of, DEFAULT_MAX_ELEMENTS)
}

/// Parses and builds `src`, runs forward, then backward from the binding
/// `of` (its newest one) or, by default, from the last statement. The root
/// must be a scalar.
pub fn run_with_limit(src: &str, of: Option<&str>, limit: usize) -> Result<Evaluated, ExprError> {
    run_program(&parse(src)?, of, limit)
}

/// `run_with_limit` on a parsed program (after `Program::ask_gradient`,
/// say).
pub fn run_program(
    program: &Program,
    of: Option<&str>,
    limit: usize,
) -> Result<Evaluated, ExprError> {
    let program = program.clone();
    let built = build(&program, limit)?;
    let (root, span, label) = match of {
        None => {
            let last = program
                .statements()
                .last()
                .map(|s| (s.span, s.target.as_deref()));
            let (span, name) = last.unwrap_or((Span::START, None));
            let label = name.map_or("the last statement".to_string(), |n| format!("'{n}'"));
            (built.last, span, label)
        }
        Some(name) => {
            let root = built
                .names
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|&(_, id)| id);
            let span = binding_span(&program, name);
            let Some(root) = root else {
                let mut seen = std::collections::HashSet::new();
                let known = built
                    .names
                    .iter()
                    .map(|(n, _)| n)
                    .filter(|n| seen.insert(*n));
                let kind = ErrorKind::NoSuchBinding {
                    name: name.into(),
                    known: list_names(known.collect::<Vec<_>>().into_iter()),
                };
                return Err(ExprError::new(span, kind));
            };
            (root, span, format!("'{name}'"))
        }
    };
    let mut graph = built.graph;
    let shape = graph.shape(root);
    if !shape.is_scalar() {
        return Err(ExprError::new(
            span,
            ErrorKind::RootNotScalar { name: label, shape },
        ));
    }
    graph.forward();
    graph
        .backward(root)
        .map_err(|e| ExprError::from_graph(span, e))?;
    let trace = graph.trace(root);
    Ok(Evaluated {
        graph,
        names: built.names,
        root,
        trace,
    })
}

/// Where `name` was last bound (or the last statement, if never).
fn binding_span(program: &Program, name: &str) -> Span {
    let statements = program.statements();
    let bound = statements
        .iter()
        .rev()
        .find(|s| s.target.as_deref() == Some(name));
    bound.or(statements.last()).map_or(Span::START, |s| s.span)
}
