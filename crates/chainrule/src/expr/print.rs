//! A program back to canonical source: one statement per line, comments
//! dropped, parentheses only where precedence needs them, numbers in their
//! shortest round-trip form. `parse(&p.to_string()) == p` for every parsed
//! program `p`. The printer walks an explicit stack, so deep trees print
//! without deep recursion.

use super::ast::{BinOp, ExprId, ExprKind, Program, NEG_PRECEDENCE};
use std::fmt::{self, Write};

/// Shortest text that parses back to exactly `v` (plain decimals in the
/// everyday range, exponent form outside it).
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

enum Piece {
    Expr(ExprId),
    Text(&'static str),
}

impl Program {
    fn write_expr(&self, f: &mut fmt::Formatter<'_>, root: ExprId) -> fmt::Result {
        let mut pending = vec![Piece::Expr(root)];
        while let Some(piece) = pending.pop() {
            let id = match piece {
                Piece::Text(t) => {
                    f.write_str(t)?;
                    continue;
                }
                Piece::Expr(id) => id,
            };
            // Pieces are pushed in reverse: the stack pops them in order.
            let wrap = |pending: &mut Vec<Piece>, child: ExprId, parens: bool| {
                if parens {
                    pending.push(Piece::Text(")"));
                    pending.push(Piece::Expr(child));
                    pending.push(Piece::Text("("));
                } else {
                    pending.push(Piece::Expr(child));
                }
            };
            match &self.expr(id).kind {
                ExprKind::Number(v) if *v < 0.0 => write!(f, "({})", format_number(*v))?,
                ExprKind::Number(v) => f.write_str(&format_number(*v))?,
                ExprKind::Vector(values) => write_row(f, values)?,
                ExprKind::Matrix { cols, values, .. } => {
                    f.write_char('[')?;
                    for (i, row) in values.chunks((*cols).max(1)).enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write_row(f, row)?;
                    }
                    f.write_char(']')?;
                }
                ExprKind::Name(name) => f.write_str(name)?,
                &ExprKind::Neg(a) => {
                    f.write_char('-')?;
                    let parens = self.expr(a).kind.precedence() < NEG_PRECEDENCE;
                    wrap(&mut pending, a, parens);
                }
                &ExprKind::Binary {
                    op,
                    operands: [l, r],
                } => {
                    let p = op.precedence();
                    let (pl, pr) = (
                        self.expr(l).kind.precedence(),
                        self.expr(r).kind.precedence(),
                    );
                    // Left of ^ must be an atom (-a^b is -(a^b), a^b^c is
                    // a^(b^c)); right of ^ may be a unary minus (x^-1).
                    let (left_parens, right_parens) = match op {
                        BinOp::Pow => (pl <= p, pr < NEG_PRECEDENCE),
                        _ => (pl < p, pr <= p),
                    };
                    wrap(&mut pending, r, right_parens);
                    pending.push(Piece::Text(match op {
                        BinOp::Add => " + ",
                        BinOp::Sub => " - ",
                        BinOp::Mul => " * ",
                        BinOp::Div => " / ",
                        BinOp::MatVec => " @ ",
                        BinOp::Pow => "^",
                    }));
                    wrap(&mut pending, l, left_parens);
                }
                ExprKind::Call { func, args } => {
                    f.write_str(func.name())?;
                    f.write_char('(')?;
                    pending.push(Piece::Text(")"));
                    for (i, &arg) in args.iter().enumerate().rev() {
                        pending.push(Piece::Expr(arg));
                        if i > 0 {
                            pending.push(Piece::Text(", "));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn write_row(f: &mut fmt::Formatter<'_>, values: &[f64]) -> fmt::Result {
    f.write_char('[')?;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(&format_number(*v))?;
    }
    f.write_char(']')
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            if let Some(decl) = s.decl {
                write!(f, "{} ", decl.keyword())?;
            }
            if let Some(name) = &s.target {
                write!(f, "{name} = ")?;
            }
            self.write_expr(f, s.value)?;
            f.write_char('\n')?;
        }
        Ok(())
    }
}
