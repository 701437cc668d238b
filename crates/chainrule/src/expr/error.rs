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
    #[error("the program is longer than the limit of {limit} tokens (names, numbers, operators, brackets); each makes at most one graph node of about 1 KB, so the limit bounds memory; raise the limit (the `max_tokens` of expr::parse_with_limit)")]
    TooManyTokens { limit: usize },
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
        let chars: Vec<char> = text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        // A long line is shown as a window around the spot, so a 10 MB
        // line makes a message of a few lines, not of 20 MB.
        let col = self.span.col.saturating_sub(1).min(chars.len());
        let start = col.saturating_sub(WINDOW / 2);
        let end = (start + WINDOW).min(chars.len());
        let before = if start > 0 { "…" } else { "" };
        let after = if end < chars.len() { "…" } else { "" };
        let shown: String = chars[start..end].iter().collect();
        let number = self.span.line.to_string();
        let gutter = " ".repeat(number.len());
        let indent = " ".repeat(col - start + before.chars().count());
        let carets = "^".repeat(self.span.len.clamp(1, (end - col).max(1)));
        out.push_str(&format!(
            "\n{gutter} |\n{number} | {before}{shown}{after}\n{gutter} | {indent}{carets}"
        ));
        out
    }
}

/// The most characters of a source line an error shows.
const WINDOW: usize = 100;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_renders_as_a_window_with_the_caret_on_the_spot() {
        // The spot is column 5001 of a 10,000-char line; the window holds
        // WINDOW chars starting WINDOW/2 before it, '…' on both sides.
        let src = format!("{}$", "a".repeat(5000)) + &"b".repeat(4999);
        let span = Span {
            line: 1,
            col: 5001,
            len: 1,
        };
        let shown = ExprError::new(span, ErrorKind::UnexpectedChar('$')).render(&src);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 4, "{shown}");
        let text = lines[2].strip_prefix("1 | ").unwrap();
        assert_eq!(text.chars().count(), WINDOW + 2);
        let caret = lines[3].strip_prefix("  | ").unwrap();
        assert_eq!(caret.trim_start().len(), 1);
        let at = caret.len() - 1;
        assert_eq!(text.chars().nth(at), Some('$'), "{shown}");
    }
}
