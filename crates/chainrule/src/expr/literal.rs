//! Vector and matrix literals: `[1, -2, 3]`, `[[1, 2], [3, 4]]`. Their
//! elements are numbers with an optional minus; matrix rows must all have
//! the same length. A literal nests two deep at most, so this needs no
//! recursion.

use super::ast::{ExprId, ExprKind, Span};
use super::error::{ErrorKind, ExprError};
use super::lexer::Tok;
use super::parser::Parser;

impl Parser {
    /// Parses the literal that starts at the current `[`.
    pub(super) fn literal(&mut self) -> Result<ExprId, ExprError> {
        let open = self.bump();
        if self.peek().tok != Tok::LBracket {
            let values = self.numbers(open, "empty vector")?;
            return Ok(self.program.push(ExprKind::Vector(values), open));
        }
        let mut values = Vec::new();
        let (mut rows, mut cols) = (0, 0);
        loop {
            let row_open = self.peek().span;
            if self.peek().tok != Tok::LBracket {
                return Err(
                    self.unexpected(&format!("'[' to start row {} of the matrix", rows + 1))
                );
            }
            self.bump();
            let row = self.numbers(row_open, "empty matrix row")?;
            if rows == 0 {
                cols = row.len();
            } else if row.len() != cols {
                let kind = ErrorKind::Ragged {
                    row: rows + 1,
                    got: row.len(),
                    expected: cols,
                };
                return Err(ExprError::new(row_open, kind));
            }
            rows += 1;
            values.extend(row);
            if !self.separator(open, "',' or ']' to close the matrix")? {
                break;
            }
        }
        Ok(self
            .program
            .push(ExprKind::Matrix { rows, cols, values }, open))
    }

    /// `n, n, …]` after an opening `[` at `open`.
    fn numbers(&mut self, open: Span, empty: &'static str) -> Result<Vec<f64>, ExprError> {
        if self.peek().tok == Tok::RBracket {
            return Err(ExprError::new(open, ErrorKind::EmptyLiteral(empty)));
        }
        let mut values = Vec::new();
        loop {
            let sign = if self.peek().tok == Tok::Minus {
                self.bump();
                -1.0
            } else {
                1.0
            };
            match self.peek().tok {
                Tok::Num(v) => values.push(sign * v),
                Tok::LBracket => {
                    return Err(ExprError::new(self.peek().span, ErrorKind::LiteralTooDeep))
                }
                Tok::Eof => return Err(unclosed(open)),
                _ => return Err(self.unexpected("a number (a [...] literal holds numbers only)")),
            }
            self.bump();
            if !self.separator(open, "',' or ']'")? {
                return Ok(values);
            }
        }
    }

    /// Consumes `,` (true: more follows) or `]` (false: done).
    fn separator(&mut self, open: Span, expected: &str) -> Result<bool, ExprError> {
        let more = match self.peek().tok {
            Tok::Comma => true,
            Tok::RBracket => false,
            Tok::Eof => return Err(unclosed(open)),
            _ => return Err(self.unexpected(expected)),
        };
        self.bump();
        Ok(more)
    }
}

fn unclosed(open: Span) -> ExprError {
    ExprError::new(
        open,
        ErrorKind::Unclosed {
            open: '[',
            close: ']',
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::expr::{parse, ErrorKind, ExprKind};

    fn kind(src: &str) -> ExprKind {
        let p = parse(src).unwrap();
        p.expr(p.statements()[0].value).kind.clone()
    }

    fn err(src: &str) -> (usize, ErrorKind) {
        let e = parse(src).unwrap_err();
        (e.span.col, e.kind)
    }

    #[test]
    fn vectors_and_matrices() {
        assert_eq!(kind("[1, -2, .5]"), ExprKind::Vector(vec![1.0, -2.0, 0.5]));
        assert_eq!(
            kind("[[1, 2], [3, 4], [5, 6]]"),
            ExprKind::Matrix {
                rows: 3,
                cols: 2,
                values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
            }
        );
    }

    #[test]
    fn malformed_literals() {
        // Row 2 opens at column 14 of "M = [[1, 2], [3]]" (counted by hand).
        assert_eq!(
            err("M = [[1, 2], [3]]"),
            (
                14,
                ErrorKind::Ragged {
                    row: 2,
                    got: 1,
                    expected: 2
                }
            )
        );
        assert_eq!(
            err("v = [1, 2"),
            (
                5,
                ErrorKind::Unclosed {
                    open: '[',
                    close: ']'
                }
            )
        );
        assert_eq!(err("v = []"), (5, ErrorKind::EmptyLiteral("empty vector")));
        assert_eq!(err("v = [[[1]]]").1, ErrorKind::LiteralTooDeep);
        assert_eq!(err("v = [1, x]").0, 9);
        assert_eq!(err("v = [[1], 2]").0, 11);
    }
}
