//! `Program` → `Graph`, one statement after another.
//!
//! - `param name = <literal>` makes a param called `name` (it collects a
//!   gradient; training updates it), `data name = <literal>` a data leaf
//!   (an input holding the number: no gradient, never updated). A literal
//!   is a number, a constant number expression such as `-0.5` or `1/3`
//!   (folded to its value), a vector `[..]` or a matrix `[[..]]`.
//! - An undeclared `name = <literal>` is data in a program that declares
//!   anything, and a param in one that declares nothing (the older rule,
//!   so programs written before declarations still differentiate every
//!   named leaf).
//! - `name = other` aliases: `name` refers to `other`'s node; no node is
//!   added and `other` keeps its label in the trace.
//! - `name = expr` adds expr's nodes and labels the last one `name`.
//!   Rebinding (`c = c + 1`) adds a new node; the name refers to it from
//!   then on, earlier uses keep the old one.
//! - Numbers and literals inside an expression are unnamed constants.
//! - `x ^ p` needs a constant number expression `p` (the engine's pow has a
//!   fixed exponent); `x ^ y` with y a node is an error suggesting
//!   `exp(y * log(x))`.
//!
//! Names live in a HashMap, and each expression is walked once with an
//! explicit stack, so building is linear in the program's size.

use super::ast::{BinOp, Decl, ExprId, ExprKind, Func, Program, Span};
use super::error::{list_names, ErrorKind, ExprError};
use crate::graph::{Graph, GraphError, NodeId, Shape};
use std::collections::HashMap;

/// A built program: its graph (leaves set, forward not yet run), every
/// binding in order, and the node of the last statement.
#[derive(Debug)]
pub struct Built {
    pub graph: Graph,
    pub names: Vec<(String, NodeId)>,
    pub last: NodeId,
}

/// Builds `program` into a graph holding at most `limit` f64 values and
/// gradients (see `Graph::with_limit`).
pub fn build(program: &Program, limit: usize) -> Result<Built, ExprError> {
    let mut b = Builder {
        program,
        graph: Graph::with_limit(limit),
        env: HashMap::new(),
        order: Vec::new(),
        pending: Vec::new(),
        done: Vec::new(),
    };
    let mut names = Vec::new();
    let mut last = None;
    let undeclared = if program.declares() {
        Decl::Data
    } else {
        Decl::Param
    };
    for statement in &program.statements {
        let decl = statement.decl.unwrap_or(undeclared);
        let id = b.statement(
            statement.target.as_deref(),
            statement.value,
            decl,
            statement.decl.is_some(),
        )?;
        if let Some(name) = &statement.target {
            if b.env.insert(name.clone(), id).is_none() {
                b.order.push(name.clone());
            }
            names.push((name.clone(), id));
        }
        last = Some(id);
    }
    let last = last.ok_or_else(|| ExprError::new(Span::START, ErrorKind::EmptyProgram))?;
    Ok(Built {
        graph: b.graph,
        names,
        last,
    })
}

struct Builder<'p> {
    program: &'p Program,
    graph: Graph,
    env: HashMap<String, NodeId>,
    /// Names in the order first bound, for "known: …" in errors.
    order: Vec<String>,
    /// The walk's stacks, reused from statement to statement.
    pending: Vec<(ExprId, bool)>,
    done: Vec<NodeId>,
}

impl Builder<'_> {
    /// One statement; a literal bound to a name becomes a leaf of kind
    /// `decl` (`declared`: the program said so, and then the value must be
    /// a literal).
    fn statement(
        &mut self,
        target: Option<&str>,
        value: ExprId,
        decl: Decl,
        declared: bool,
    ) -> Result<NodeId, ExprError> {
        let expr = self.program.expr(value);
        let span = expr.span;
        let Some(name) = target else {
            return self.expr(value);
        };
        let (shape, values) = match &expr.kind {
            ExprKind::Vector(v) => (Shape::Vector(v.len()), v.clone()),
            ExprKind::Matrix { rows, cols, values } => {
                (Shape::Matrix(*rows, *cols), values.clone())
            }
            ExprKind::Name(other) if !declared => return self.lookup(other, span),
            _ => match constant(self.program, value) {
                Ok(v) => (Shape::Scalar, vec![v]),
                Err(_) if declared => {
                    let kind = ErrorKind::DeclarationNeedsLiteral {
                        keyword: decl.keyword(),
                        name: name.into(),
                    };
                    return Err(ExprError::new(span, kind));
                }
                Err(_) => {
                    let id = self.expr(value)?;
                    self.graph.set_name(id, name);
                    return Ok(id);
                }
            },
        };
        let leaf = match decl {
            Decl::Param => self.graph.param(name, shape, &values),
            Decl::Data => self
                .graph
                .input(name, shape)
                .and_then(|id| self.graph.set(id, &values).map(|()| id)),
        };
        leaf.map_err(|e| ExprError::from_graph(span, e))
    }

    fn lookup(&self, name: &str, span: Span) -> Result<NodeId, ExprError> {
        self.env.get(name).copied().ok_or_else(|| {
            let kind = ErrorKind::UnknownName {
                name: name.into(),
                known: list_names(self.order.iter()),
            };
            ExprError::new(span, kind)
        })
    }

    /// The nodes of the tree under `root`, operands first (an explicit
    /// post-order walk; a pow's exponent is folded, not built).
    fn expr(&mut self, root: ExprId) -> Result<NodeId, ExprError> {
        let (mut pending, mut done) = (
            std::mem::take(&mut self.pending),
            std::mem::take(&mut self.done),
        );
        pending.clear();
        done.clear();
        pending.push((root, false));
        while let Some((id, ready)) = pending.pop() {
            let operands = built_operands(&self.program.expr(id).kind);
            if !ready && !operands.is_empty() {
                pending.push((id, true));
                pending.extend(operands.iter().rev().map(|&c| (c, false)));
                continue;
            }
            let at = done.len() - operands.len();
            let node = self.node(id, &done[at..])?;
            done.truncate(at);
            done.push(node);
        }
        let root = done.pop().expect("the root leaves one node");
        (self.pending, self.done) = (pending, done);
        Ok(root)
    }

    /// The node for expression `id`, its operands already built as `args`.
    fn node(&mut self, id: ExprId, args: &[NodeId]) -> Result<NodeId, ExprError> {
        let expr = self.program.expr(id);
        let g = &mut self.graph;
        let made = match &expr.kind {
            ExprKind::Number(v) => g.constant(Shape::Scalar, &[*v]),
            ExprKind::Vector(v) => g.constant(Shape::Vector(v.len()), v),
            ExprKind::Matrix { rows, cols, values } => {
                g.constant(Shape::Matrix(*rows, *cols), values)
            }
            ExprKind::Name(name) => return self.lookup(name, expr.span),
            ExprKind::Neg(_) => g.neg(args[0]),
            ExprKind::Binary { op, operands } => match op {
                BinOp::Add => g.add(args[0], args[1]),
                BinOp::Sub => g.sub(args[0], args[1]),
                BinOp::Mul => g.mul(args[0], args[1]),
                BinOp::Div => g.div(args[0], args[1]),
                BinOp::MatVec => g.matvec(args[0], args[1]),
                BinOp::Pow => {
                    let p = constant(self.program, operands[1])
                        .map_err(|bad| non_constant(self.program, bad))?;
                    if p.is_nan() || p.abs() > MAX_EXPONENT {
                        let at = self.program.expr(operands[1]).span;
                        return Err(ExprError::new(at, ErrorKind::ExponentTooLarge(p)));
                    }
                    g.pow(args[0], p)
                }
            },
            ExprKind::Call { func, .. } => call(g, *func, args),
        };
        made.map_err(|e| ExprError::from_graph(expr.span, e))
    }
}

/// The largest |p| in `x ^ p`. Beyond it x^p is 0, 1 or ±inf for every x
/// but those within a factor 2^(1024/|p|) < 2 of ±1, and a non-finite p
/// (from `1e300 * 1e300`, `0/0`) means nothing at all. Fixed; a larger
/// exponent is still `exp(p * log(x))`.
pub const MAX_EXPONENT: f64 = 1024.0;

/// The operands that become graph nodes: all but a pow's exponent.
fn built_operands(kind: &ExprKind) -> &[ExprId] {
    match kind {
        ExprKind::Binary {
            op: BinOp::Pow,
            operands,
        } => &operands[..1],
        other => other.operands(),
    }
}

fn call(g: &mut Graph, func: Func, args: &[NodeId]) -> Result<NodeId, GraphError> {
    match func {
        Func::Relu => g.relu(args[0]),
        Func::Exp => g.exp(args[0]),
        Func::Log => g.log(args[0]),
        Func::Tanh => g.tanh(args[0]),
        Func::Sum => g.sum(args[0]),
        Func::Mean => g.mean(args[0]),
        Func::Square => g.square(args[0]),
        Func::Dot => g.dot(args[0], args[1]),
    }
}

/// The value of a constant number expression (numbers, unary minus,
/// + - * / ^), or the first sub-expression that is not one.
pub(crate) fn constant(program: &Program, root: ExprId) -> Result<f64, ExprId> {
    let mut pending = vec![(root, false)];
    let mut done: Vec<f64> = Vec::new();
    while let Some((id, ready)) = pending.pop() {
        let kind = &program.expr(id).kind;
        if !ready {
            match kind {
                ExprKind::Number(v) => done.push(*v),
                ExprKind::Neg(_)
                | ExprKind::Binary {
                    op: BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow,
                    ..
                } => {
                    pending.push((id, true));
                    pending.extend(kind.operands().iter().rev().map(|&c| (c, false)));
                }
                _ => return Err(id),
            }
            continue;
        }
        let b = done.pop().expect("operands are folded first");
        let v = match kind {
            ExprKind::Neg(_) => -b,
            ExprKind::Binary { op, .. } => {
                let a = done.pop().expect("a binary operator has two operands");
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => raise(a, b),
                }
            }
            _ => unreachable!("only operators are revisited"),
        };
        done.push(v);
    }
    Ok(done.pop().expect("the root leaves one value"))
}

/// a^p as the engine's pow computes it (integer powers by multiplication).
fn raise(a: f64, p: f64) -> f64 {
    if p.fract() == 0.0 && p.abs() <= 64.0 {
        a.powi(p as i32)
    } else {
        a.powf(p)
    }
}

fn non_constant(program: &Program, bad: ExprId) -> ExprError {
    let expr = program.expr(bad);
    let what = match &expr.kind {
        ExprKind::Name(name) => format!("the name '{name}'"),
        ExprKind::Vector(_) => "a vector literal".into(),
        ExprKind::Matrix { .. } => "a matrix literal".into(),
        ExprKind::Call { func, .. } => format!("a call to {}", func.name()),
        _ => "a matrix product '@'".into(),
    };
    ExprError::new(expr.span, ErrorKind::NonConstantExponent { what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;
    use crate::graph::{LeafKind, DEFAULT_MAX_ELEMENTS};

    fn built(src: &str) -> Built {
        build(&parse(src).unwrap(), DEFAULT_MAX_ELEMENTS).unwrap()
    }

    fn err(src: &str, limit: usize) -> ExprError {
        build(&parse(src).unwrap(), limit).unwrap_err()
    }

    #[test]
    fn bindings_make_params_aliases_and_named_nodes() {
        let b = built("a = -0.5; b = a; c = a * 2; c = c + 1; d = 1/4");
        let g = &b.graph;
        let id = |i: usize| b.names[i].1;
        assert_eq!(g.leaf_kind(id(0)), Some(LeafKind::Param));
        assert_eq!(g.value(id(0)), &[-0.5]);
        assert_eq!(id(1), id(0), "b = a aliases a's node");
        assert_eq!(g.name(id(2)), "c");
        assert_ne!(id(3), id(2), "rebinding c adds a node");
        assert_eq!(
            g.value(id(4)),
            &[0.25],
            "d = 1/4 folds to a param holding 0.25"
        );
        assert_eq!(b.last, id(4));
    }

    #[test]
    fn declarations_say_what_is_data_and_what_is_a_parameter() {
        let b = built("data x = 2; param θ = 0.5; y = 3; z1 = θ * x");
        let g = &b.graph;
        let id = |i: usize| b.names[i].1;
        assert_eq!(g.leaf_kind(id(0)), Some(LeafKind::Input));
        assert_eq!(g.value(id(0)), &[2.0]);
        assert_eq!(g.leaf_kind(id(1)), Some(LeafKind::Param));
        assert_eq!(
            g.leaf_kind(id(2)),
            Some(LeafKind::Input),
            "undeclared literals are data once the program declares anything"
        );
        let e = err("param θ = x * 2", DEFAULT_MAX_ELEMENTS);
        assert!(matches!(e.kind, ErrorKind::DeclarationNeedsLiteral { .. }));
        // `data` before `=` is a name, not a keyword.
        let b = built("data = 3; param = data");
        assert_eq!(b.graph.leaf_kind(b.names[0].1), Some(LeafKind::Param));
    }

    #[test]
    fn exponent_must_be_constant() {
        let e = err("x = 2; y = 3; z = x ^ y", DEFAULT_MAX_ELEMENTS);
        assert_eq!((e.span.line, e.span.col), (1, 23));
        assert!(matches!(e.kind, ErrorKind::NonConstantExponent { .. }));
        let b = built("x = 4; z = x^(1/2) + x^-1");
        assert_eq!(
            b.graph.len(),
            4,
            "x, pow, pow, add: exponents are folded, not built"
        );
    }

    #[test]
    fn engine_errors_point_at_the_operator() {
        let e = err(
            "M = [[1, 2], [3, 4], [5, 6]]\nv = [1, 2, 3]\nz = M @ v",
            DEFAULT_MAX_ELEMENTS,
        );
        assert_eq!((e.span.line, e.span.col), (3, 7));
        assert!(matches!(e.kind, ErrorKind::ShapeMismatch(_)));
        // A 4-vector param needs 4 values + 4 gradients = 8 > 6.
        let e = err("v = [1, 2, 3, 4]", 6);
        assert!(matches!(e.kind, ErrorKind::TooLarge { limit: 6, .. }));
        assert_eq!(e.span.col, 5);
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let e = err(
            "x = 2\ny = 3; theta = 0.5\nz1 = thetaa * x",
            DEFAULT_MAX_ELEMENTS,
        );
        assert_eq!(
            e.to_string(),
            "3:6: unknown name 'thetaa' (known: x, y, theta)"
        );
    }
}
