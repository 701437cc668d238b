//! Errors of the expression language. Each one carries the spot it is about
//! (line:column, 1-based, columns in chars) and renders with the source line
//! and a caret under that spot.

use super::ast::Span;
use crate::graph::{GraphError, Shape};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
#[error("{span}: {kind}")]
pub struct ExprError {
    pub span: Span,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ErrorKind {
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    #[error("malformed number '{text}': {why}")]
    MalformedNumber { text: String, why: &'static str },
    #[error("expected {expected}, found {found}")]
    Unexpected { expected: String, found: String },
    #[error("unclosed '{open}': no matching '{close}' before the end of the input")]
    Unclosed { open: char, close: char },
    #[error("unmatched '{close}': no '{open}' is open here")]
    Unmatched { open: char, close: char },
    #[error("cannot assign to an expression; the left side of '=' must be a name")]
    AssignToExpression,
    #[error("empty {0}; a literal needs at least one number")]
    EmptyLiteral(&'static str),
    #[error("literals nest two deep at most: [1, 2] is a vector, [[1, 2], [3, 4]] a matrix")]
    LiteralTooDeep,
    #[error("ragged matrix: row {row} has length {got} but row 1 has length {expected}; every row needs the same length")]
    Ragged {
        row: usize,
        got: usize,
        expected: usize,
    },
    #[error("unknown name '{name}' (known: {known})")]
    UnknownName { name: String, known: String },
    #[error("unknown function '{name}' (known: relu, exp, log, tanh, sum, mean, square, dot)")]
    UnknownFunction { name: String },
    #[error("{func} takes {expected} argument{}, got {got}", if *.expected == 1 { "" } else { "s" })]
    Arity {
        func: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("shape mismatch: {0}")]
    ShapeMismatch(String),
    #[error("too large: a {shape} ({elements} values) would take the graph past its limit of {limit} f64 values (values and gradients together); raise the limit (the `limit` of expr::build)")]
    TooLarge {
        shape: Shape,
        elements: u128,
        limit: usize,
    },
    #[error("the exponent of '^' must be a constant number (the engine's pow has a fixed exponent), but {what} is not; for a variable exponent y write exp(y * log(x))")]
    NonConstantExponent { what: String },
    #[error("the exponent of '^' is {}, beyond the limit of ±1024 (x^p overflows or underflows for almost every x); the limit is fixed: for such powers write exp(p * log(x))", crate::expr::format_number(*.0))]
    ExponentTooLarge(f64),
    #[error("`{keyword} {name} = …` declares a leaf, so its value must be a number, a constant number expression or a literal [..]; to compute {name}, drop the `{keyword}`")]
    DeclarationNeedsLiteral { keyword: &'static str, name: String },
    #[error("empty program: write at least one statement, e.g. `x = 3` and `y = x * x`")]
    EmptyProgram,
    #[error("backward needs a scalar, but {name} is a {shape}; wrap it in sum(...) or mean(...)")]
    RootNotScalar { name: String, shape: Shape },
    #[error("no binding named '{name}' to differentiate (known: {known})")]
    NoSuchBinding { name: String, known: String },
    #[error("{0}")]
    Graph(GraphError),
}

impl ExprError {
    pub fn new(span: Span, kind: ErrorKind) -> Self {
        ExprError { span, kind }
    }

    /// An engine error raised while building the node written at `span`.
    pub(crate) fn from_graph(span: Span, err: GraphError) -> Self {
        let kind = match err {
            GraphError::ShapeMismatch { .. } => ErrorKind::ShapeMismatch(err.to_string()),
            GraphError::TooLarge {
                shape,
                elements,
                limit,
            } => ErrorKind::TooLarge {
                shape,
                elements,
                limit,
            },
            other => ErrorKind::Graph(other),
        };
        ExprError { span, kind }
    }

    pub fn line(&self) -> usize {
        self.span.line
    }

    pub fn col(&self) -> usize {
        self.span.col
    }

    /// `line:col: message`, then the source line and a caret under the spot:
    ///
    /// ```text
    /// 2:6: unknown name 'thetaa' (known: x, y, theta)
    ///   |
    /// 2 | z1 = thetaa * x
    ///   |      ^^^^^^
    /// ```
    pub fn render(&self, src: &str) -> String {
        let mut out = self.to_string();
        let Some(text) = src.lines().nth(self.span.line.saturating_sub(1)) else {
            return out;
        };
        // Tabs become one space each, so the caret column (in chars) lines up.
        let text: String = text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let number = self.span.line.to_string();
        let gutter = " ".repeat(number.len());
        let indent = " ".repeat(self.span.col.saturating_sub(1));
        let carets = "^".repeat(self.span.len.max(1));
        out.push_str(&format!(
            "\n{gutter} |\n{number} | {text}\n{gutter} | {indent}{carets}"
        ));
        out
    }
}

/// Up to ten names, in the order they were first bound, for error messages.
pub(crate) fn list_names<'a>(names: impl ExactSizeIterator<Item = &'a String>) -> String {
    const SHOWN: usize = 10;
    let total = names.len();
    if total == 0 {
        return "none yet".into();
    }
    let mut list: Vec<&str> = names.take(SHOWN).map(String::as_str).collect();
    let more = total.saturating_sub(SHOWN);
    let more = (more > 0).then(|| format!("… and {more} more"));
    list.extend(more.as_deref());
    list.join(", ")
}
