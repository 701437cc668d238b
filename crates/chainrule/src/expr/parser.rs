//! Tokens → `Program`. Statements are `name = expr` or a bare `expr`,
//! split by newlines or `;`.
//!
//! Expressions are parsed by operator precedence with two explicit stacks
//! (operands, pending operators) instead of recursion, so 10,000 nested
//! parentheses or 10,000 unary minuses cost heap, not native stack.
//! Precedence, low to high: `+ -`, `* / @`, unary `-`, `^` (right
//! associative; its right side may start with `-`: `x^-1`), atoms.

use super::ast::{BinOp, Decl, ExprId, ExprKind, Func, Program, Span, Statement, NEG_PRECEDENCE};
use super::error::{ErrorKind, ExprError};
use super::lexer::{lex, Tok, Token, DEFAULT_MAX_TOKENS};

/// Parses a whole program of at most `DEFAULT_MAX_TOKENS` tokens; an error
/// points at the first fault.
pub fn parse(src: &str) -> Result<Program, ExprError> {
    parse_with_limit(src, DEFAULT_MAX_TOKENS)
}

/// `parse`, refusing programs of more than `max_tokens` tokens before
/// allocating more (see `DEFAULT_MAX_TOKENS`).
pub fn parse_with_limit(src: &str, max_tokens: usize) -> Result<Program, ExprError> {
    let mut p = Parser {
        tokens: lex(src, max_tokens)?,
        pos: 0,
        program: Program::default(),
        ops: Vec::new(),
        operands: Vec::new(),
    };
    p.program()?;
    Ok(p.program)
}

pub(super) struct Parser {
    pub tokens: Vec<Token>,
    /// Index of the next token; never past the final `Eof`.
    pub pos: usize,
    pub program: Program,
    ops: Vec<Pending>,
    operands: Vec<ExprId>,
}

/// An operator or bracket waiting for its right side.
enum Pending {
    Neg(Span),
    Binary(BinOp, Span),
    Paren(Span),
    /// `func(` with `base` = operand-stack height when it opened.
    Call {
        func: Func,
        name: Span,
        open: Span,
        base: usize,
    },
}

impl Pending {
    fn precedence(&self) -> Option<u8> {
        match self {
            Pending::Neg(_) => Some(NEG_PRECEDENCE),
            Pending::Binary(op, _) => Some(op.precedence()),
            Pending::Paren(_) | Pending::Call { .. } => None,
        }
    }
}

impl Parser {
    /// The current identifier's text, moved out (the token is consumed
    /// right after, so nothing reads it again).
    fn take_ident(&mut self) -> String {
        match &mut self.tokens[self.pos].tok {
            Tok::Ident(name) => std::mem::take(name),
            _ => String::new(),
        }
    }

    pub fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + ahead).min(last)].tok
    }

    pub fn bump(&mut self) -> Span {
        let span = self.peek().span;
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        span
    }

    pub fn unexpected(&self, expected: &str) -> ExprError {
        let t = self.peek();
        ExprError::new(
            t.span,
            ErrorKind::Unexpected {
                expected: expected.into(),
                found: t.tok.describe(),
            },
        )
    }

    fn program(&mut self) -> Result<(), ExprError> {
        loop {
            match self.peek().tok {
                Tok::Newline | Tok::Semi => {
                    self.bump();
                    continue;
                }
                Tok::Eof => break,
                _ => {}
            }
            let statement = self.statement()?;
            self.program.statements.push(statement);
            match self.peek().tok {
                Tok::Newline | Tok::Semi | Tok::Eof => {}
                Tok::Eq => {
                    return Err(ExprError::new(
                        self.peek().span,
                        ErrorKind::AssignToExpression,
                    ));
                }
                _ => return Err(self.unexpected("an operator, ';' or a new line")),
            }
        }
        if self.program.statements.is_empty() {
            return Err(ExprError::new(Span::START, ErrorKind::EmptyProgram));
        }
        Ok(())
    }

    fn statement(&mut self) -> Result<Statement, ExprError> {
        let span = self.peek().span;
        // `data x = …` / `param θ = …`: the keyword counts only before a
        // name and `=`, so `data = 3` still binds a name called data.
        let decl = match (&self.peek().tok, self.peek_at(1), self.peek_at(2)) {
            (Tok::Ident(word), Tok::Ident(_), Tok::Eq) => Decl::from_keyword(word),
            _ => None,
        };
        if decl.is_some() {
            self.bump();
        }
        let target = match (&self.peek().tok, self.peek_at(1)) {
            (Tok::Ident(_), Tok::Eq) => {
                let name = self.take_ident();
                self.bump();
                self.bump();
                Some(name)
            }
            _ => None,
        };
        let value = self.expression()?;
        Ok(Statement {
            decl,
            target,
            value,
            span,
        })
    }

    /// One expression, up to the first token that cannot continue it.
    fn expression(&mut self) -> Result<ExprId, ExprError> {
        // The stacks are reused from statement to statement.
        let (mut ops, mut operands) = (
            std::mem::take(&mut self.ops),
            std::mem::take(&mut self.operands),
        );
        ops.clear();
        operands.clear();
        let result = self.expression_with(&mut ops, &mut operands);
        (self.ops, self.operands) = (ops, operands);
        result
    }

    fn expression_with(
        &mut self,
        ops: &mut Vec<Pending>,
        operands: &mut Vec<ExprId>,
    ) -> Result<ExprId, ExprError> {
        loop {
            // Operand position: prefixes and openers, then one atom.
            let span = self.peek().span;
            let atom = match self.peek().tok {
                Tok::Minus => {
                    self.bump();
                    ops.push(Pending::Neg(span));
                    continue;
                }
                Tok::LParen => {
                    self.bump();
                    ops.push(Pending::Paren(span));
                    continue;
                }
                Tok::Ident(_) if *self.peek_at(1) == Tok::LParen => {
                    let name = self.take_ident();
                    let func = Func::from_name(&name)
                        .ok_or_else(|| ExprError::new(span, ErrorKind::UnknownFunction { name }))?;
                    self.bump();
                    let open = self.bump();
                    if self.peek().tok == Tok::RParen {
                        return Err(arity(func, span, 0));
                    }
                    ops.push(Pending::Call {
                        func,
                        name: span,
                        open,
                        base: operands.len(),
                    });
                    continue;
                }
                Tok::Ident(_) => {
                    let name = self.take_ident();
                    self.bump();
                    self.program.push(ExprKind::Name(name), span)
                }
                Tok::Num(v) => {
                    self.bump();
                    self.program.push(ExprKind::Number(v), span)
                }
                Tok::LBracket => self.literal()?,
                Tok::Eof => {
                    return Err(unclosed(ops).unwrap_or_else(|| self.unexpected("an expression")))
                }
                _ => return Err(self.unexpected("an expression")),
            };
            operands.push(atom);
            // Operator position: binary operators, closers, or the end.
            loop {
                let Token { tok, span } = self.peek().clone();
                let op = match tok {
                    Tok::Plus => BinOp::Add,
                    Tok::Minus => BinOp::Sub,
                    Tok::Star => BinOp::Mul,
                    Tok::Slash => BinOp::Div,
                    Tok::At => BinOp::MatVec,
                    Tok::Caret => BinOp::Pow,
                    Tok::RParen | Tok::Comma => {
                        self.reduce_to_opener(ops, operands, None);
                        match (ops.pop(), &tok) {
                            (Some(Pending::Paren(_)), Tok::RParen) => {}
                            (
                                Some(Pending::Call {
                                    func, name, base, ..
                                }),
                                Tok::RParen,
                            ) => {
                                let args = operands.split_off(base);
                                if args.len() != func.arity() {
                                    return Err(arity(func, name, args.len()));
                                }
                                let call = self.program.push(ExprKind::Call { func, args }, name);
                                operands.push(call);
                            }
                            (Some(call @ Pending::Call { .. }), Tok::Comma) => {
                                ops.push(call);
                                self.bump();
                                break;
                            }
                            (None, Tok::Comma) => {
                                return Ok(operands
                                    .pop()
                                    .expect("an expression leaves one operand"));
                            }
                            (Some(Pending::Paren(open)), Tok::Comma) => {
                                return Err(self.unexpected(&format!(
                                    "an operator or ')' to close the '(' at {open}"
                                )));
                            }
                            _ => {
                                let kind = ErrorKind::Unmatched {
                                    open: '(',
                                    close: ')',
                                };
                                return Err(ExprError::new(span, kind));
                            }
                        }
                        self.bump();
                        continue;
                    }
                    _ => {
                        self.reduce_to_opener(ops, operands, None);
                        if let Some(opener) = ops.last() {
                            return Err(match (tok, opener) {
                                (Tok::Eof, _) => {
                                    unclosed(ops).unwrap_or_else(|| self.unexpected("')'"))
                                }
                                (_, Pending::Call { open, .. }) => self.unexpected(&format!(
                                    "an operator, ',' or ')' to close the '(' at {open}"
                                )),
                                (_, Pending::Paren(open)) => self.unexpected(&format!(
                                    "an operator or ')' to close the '(' at {open}"
                                )),
                                _ => unreachable!("only openers stop a full reduction"),
                            });
                        }
                        return Ok(operands.pop().expect("an expression leaves one operand"));
                    }
                };
                self.reduce_to_opener(ops, operands, Some(op));
                self.bump();
                ops.push(Pending::Binary(op, span));
                break;
            }
        }
    }

    /// Applies pending operators that bind at least as tightly as `incoming`
    /// (strictly tighter for right-associative `^`), down to the nearest
    /// opener; with `incoming` None, all of them down to the opener.
    fn reduce_to_opener(
        &mut self,
        ops: &mut Vec<Pending>,
        operands: &mut Vec<ExprId>,
        incoming: Option<BinOp>,
    ) {
        while let Some(top) = ops.last().and_then(Pending::precedence) {
            if let Some(op) = incoming {
                let reduce = if op.right_assoc() {
                    top > op.precedence()
                } else {
                    top >= op.precedence()
                };
                if !reduce {
                    break;
                }
            }
            // Operand and operator positions alternate, so every pending
            // operator has its operands on the stack.
            let right = operands.pop().expect("an operator has its right operand");
            let (kind, span) = match ops.pop() {
                Some(Pending::Neg(span)) => (ExprKind::Neg(right), span),
                Some(Pending::Binary(op, span)) => {
                    let left = operands
                        .pop()
                        .expect("a binary operator has its left operand");
                    (
                        ExprKind::Binary {
                            op,
                            operands: [left, right],
                        },
                        span,
                    )
                }
                _ => unreachable!("precedence() is None for openers"),
            };
            operands.push(self.program.push(kind, span));
        }
    }
}

fn arity(func: Func, span: Span, got: usize) -> ExprError {
    let kind = ErrorKind::Arity {
        func: func.name(),
        expected: func.arity(),
        got,
    };
    ExprError::new(span, kind)
}

/// At the end of input: the innermost bracket still open, if any.
fn unclosed(ops: &[Pending]) -> Option<ExprError> {
    ops.iter().rev().find_map(|p| match *p {
        Pending::Paren(span) | Pending::Call { open: span, .. } => Some(ExprError::new(
            span,
            ErrorKind::Unclosed {
                open: '(',
                close: ')',
            },
        )),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The program printed back, one statement per line.
    fn canon(src: &str) -> String {
        parse(src).unwrap().to_string()
    }

    fn err(src: &str) -> (usize, usize, ErrorKind) {
        let e = parse(src).unwrap_err();
        (e.span.line, e.span.col, e.kind)
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(canon("-2^2"), "-2^2\n"); // -(2^2): printed without parens
        assert_eq!(canon("(-2)^2"), "(-2)^2\n");
        assert_eq!(canon("a^b^c"), "a^b^c\n");
        assert_eq!(canon("(a^b)^c"), "(a^b)^c\n");
        assert_eq!(canon("a - b - c"), "a - b - c\n");
        assert_eq!(canon("a - (b - c)"), "a - (b - c)\n");
        assert_eq!(canon("a+b*c"), "a + b * c\n");
        assert_eq!(canon("(a+b)*c"), "(a + b) * c\n");
        assert_eq!(canon("x^-1"), "x^-1\n");
        assert_eq!(canon("x^(1/2)"), "x^(1 / 2)\n");
        assert_eq!(canon("-a*b"), "-a * b\n");
        assert_eq!(canon("-(a*b)"), "-(a * b)\n");
        assert_eq!(canon("a * -b"), "a * -b\n");
        assert_eq!(canon("X @ t + 1"), "X @ t + 1\n");
        assert_eq!(
            canon("dot(a, b+1) * relu(-x)"),
            "dot(a, b + 1) * relu(-x)\n"
        );
    }

    #[test]
    fn neg_binds_below_pow_and_above_mul() {
        let p = parse("-2^2").unwrap();
        let root = p.expr(p.statements()[0].value);
        assert!(matches!(root.kind, ExprKind::Neg(_)), "-2^2 is -(2^2)");
        let p = parse("-a*b").unwrap();
        let root = p.expr(p.statements()[0].value);
        assert!(
            matches!(root.kind, ExprKind::Binary { op: BinOp::Mul, .. }),
            "-a*b is (-a)*b"
        );
    }

    #[test]
    fn statements_and_literals() {
        assert_eq!(
            canon("x = 2; y = [1, -2.5]\n# comment\nM = [[1, 2],\n     [3, 4]]\nx"),
            "x = 2\ny = [1, -2.5]\nM = [[1, 2], [3, 4]]\nx\n"
        );
        assert_eq!(
            canon("data x = 2; param θ = [0.5]; data = 1"),
            "data x = 2\nparam θ = [0.5]\ndata = 1\n"
        );
    }

    #[test]
    fn errors_point_at_the_fault() {
        assert_eq!(
            err("x = (1 + 2").2,
            ErrorKind::Unclosed {
                open: '(',
                close: ')'
            }
        );
        assert_eq!(err("x = (1 + 2").1, 5);
        assert_eq!(err("x = 1 + 2)").1, 10);
        assert_eq!(
            err("x = foo(1)").2,
            ErrorKind::UnknownFunction { name: "foo".into() }
        );
        assert_eq!(
            err("dot(a)").2,
            ErrorKind::Arity {
                func: "dot",
                expected: 2,
                got: 1
            }
        );
        assert_eq!(
            err("relu()").2,
            ErrorKind::Arity {
                func: "relu",
                expected: 1,
                got: 0
            }
        );
        assert_eq!(err("x = 1 +").1, 8);
        assert_eq!(err("x 2").1, 3);
        assert_eq!(err("a + b = 3").2, ErrorKind::AssignToExpression);
        assert_eq!(err("  # only a comment\n").2, ErrorKind::EmptyProgram);
        assert_eq!(err("(1, 2)").1, 3);
    }

    #[test]
    fn deep_nesting_needs_no_deep_stack() {
        let depth = 10_000;
        let src = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(canon(&src), "1\n");
        let src = format!("{}1", "-".repeat(depth));
        let printed = canon(&src);
        assert_eq!(printed.len(), depth + 2);
        assert_eq!(parse(&printed).unwrap(), parse(&src).unwrap());
    }
}
