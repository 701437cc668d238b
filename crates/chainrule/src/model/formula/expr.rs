//! Arithmetic inside a formula: what `I(…)`, `log(…)` and the response
//! compute from a row. `+ - * /`, `^` with a number exponent, unary minus,
//! numbers, columns and the functions of [`Function`], with R's
//! precedence (`^` binds tighter than unary minus: `-x^2` is −(x²)).
//!
//! Evaluation never yields a NaN silently: a value outside a function's
//! domain, a division by zero or a power undefined at its base is an
//! error naming the row; an overflow is caught where the feature is
//! built (the caller sees every non-finite value).

use std::fmt;

use super::{lookup, FormulaError, Function, Name};
use crate::data::Dataset;
use crate::numeric::power;

/// A number written in a formula. Compared by bits, so a formula is `Eq`.
#[derive(Debug, Clone, Copy)]
pub struct Literal(pub f64);

impl PartialEq for Literal {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Literal {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Column(String),
    Number(Literal),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    /// e^k for a number k ≠ 0 (k = 1 is normalized away).
    Pow(Box<Expr>, Literal),
    Call(Function, Box<Expr>),
}

impl Expr {
    pub fn column(name: impl Into<String>) -> Expr {
        Expr::Column(name.into())
    }

    /// `a op b`, normalized as the parser promises: `a*a` is `a^2`.
    pub fn binary(op: Op, a: Expr, b: Expr) -> Expr {
        if op == Op::Mul && a == b && matches!(a, Expr::Column(_)) {
            return Expr::Pow(Box::new(a), Literal(2.0));
        }
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// e^k, normalized: e^1 is e.
    pub fn pow(e: Expr, k: f64) -> Expr {
        if k == 1.0 {
            e
        } else {
            Expr::Pow(Box::new(e), Literal(k))
        }
    }

    /// The columns named, each once, in order of first mention.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Column(c) => {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
            Expr::Number(_) => {}
            Expr::Neg(e) | Expr::Pow(e, _) | Expr::Call(_, e) => e.collect_columns(out),
            Expr::Binary(_, a, b) => {
                a.collect_columns(out);
                b.collect_columns(out);
            }
        }
    }

    /// The name a feature made of this expression has: a column's own
    /// name, else the expression as printed (`x^2`, `log(x + 1)`).
    pub fn name(&self) -> String {
        match self {
            Expr::Column(c) => c.clone(),
            e => e.to_string(),
        }
    }

    /// The expression on every row of `data`. `term` (as written) is what
    /// an error about a text column names.
    pub fn eval(&self, data: &Dataset, term: &str) -> Result<Vec<f64>, FormulaError> {
        let n = data.n_rows();
        Ok(match self {
            Expr::Column(c) => lookup(data, c, term)?.to_vec(),
            Expr::Number(k) => vec![k.0; n],
            Expr::Neg(e) => e.eval(data, term)?.into_iter().map(|v| -v).collect(),
            Expr::Binary(op, a, b) => {
                let (u, v) = (a.eval(data, term)?, b.eval(data, term)?);
                let divide = |(i, (u, v)): (usize, (f64, f64))| match v == 0.0 {
                    true => Err(self.domain_error(data, i, b, format!("{b} ≠ 0"), v)),
                    false => Ok(u / v),
                };
                let pairs = u.into_iter().zip(v);
                match op {
                    Op::Add => pairs.map(|(u, v)| u + v).collect(),
                    Op::Sub => pairs.map(|(u, v)| u - v).collect(),
                    Op::Mul => pairs.map(|(u, v)| u * v).collect(),
                    Op::Div => pairs.enumerate().map(divide).collect::<Result<_, _>>()?,
                }
            }
            Expr::Pow(e, k) => {
                let k = k.0;
                let values = e.eval(data, term)?;
                let defined = |v: f64| (k.fract() == 0.0 || v >= 0.0) && (k > 0.0 || v != 0.0);
                // Only a negative power of 0 or a fractional power of a
                // negative number is undefined.
                let domain = match (k.fract() == 0.0, k > 0.0) {
                    (true, _) => format!("{e} ≠ 0"),
                    (false, true) => format!("{e} ≥ 0"),
                    (false, false) => format!("{e} > 0"),
                };
                let raise = |(i, v): (usize, f64)| match defined(v) {
                    true => Ok(raise(v, k)),
                    false => Err(self.domain_error(data, i, e, domain.clone(), v)),
                };
                values
                    .into_iter()
                    .enumerate()
                    .map(raise)
                    .collect::<Result<_, _>>()?
            }
            Expr::Call(f, e) => {
                let values = e.eval(data, term)?;
                let apply = |(i, v): (usize, f64)| {
                    f.apply(v)
                        .ok_or_else(|| self.domain_error(data, i, e, f.domain(&e.to_string()), v))
                };
                values
                    .into_iter()
                    .enumerate()
                    .map(apply)
                    .collect::<Result<_, _>>()?
            }
        })
    }

    fn domain_error(
        &self,
        data: &Dataset,
        row: usize,
        inner: &Expr,
        domain: String,
        value: f64,
    ) -> FormulaError {
        FormulaError::Domain {
            at: data.row_at(row),
            expr: self.to_string(),
            inner: inner.to_string(),
            domain,
            value,
        }
    }

    /// How tightly the printed form binds, to know where parentheses go.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(Op::Add | Op::Sub, ..) => 1,
            Expr::Binary(Op::Mul | Op::Div, ..) => 2,
            Expr::Neg(_) => 3,
            Expr::Number(k) if k.0 < 0.0 => 3,
            Expr::Pow(..) => 4,
            Expr::Column(_) | Expr::Number(_) | Expr::Call(..) => 5,
        }
    }
}

/// v^k: an integer power rounded once (as `numeric::power`, worth half a
/// digit on Filip's x¹⁰ over `powi`), a fractional one by `powf`.
fn raise(v: f64, k: f64) -> f64 {
    match (k.fract() == 0.0, k > 0.0) {
        (true, true) => power(v, k as u32),
        (true, false) => 1.0 / power(v, (-k) as u32),
        (false, _) => v.powf(k),
    }
}

/// A subexpression printed inside one of precedence `outer`, in
/// parentheses when it binds looser (or as tightly, on the side where the
/// operator does not associate).
struct Operand<'a>(&'a Expr, u8);

impl fmt::Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.precedence() < self.1 {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Canonical: `+ -` spaced, `* / ^` tight, only the parentheses needed.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(c) => write!(f, "{}", Name(c)),
            Expr::Number(k) => write!(f, "{}", k.0),
            Expr::Neg(e) => write!(f, "-{}", Operand(e, 4)),
            Expr::Binary(op, a, b) => {
                let (symbol, p) = match op {
                    Op::Add => (" + ", 1),
                    Op::Sub => (" - ", 1),
                    Op::Mul => ("*", 2),
                    Op::Div => ("/", 2),
                };
                write!(f, "{}{symbol}{}", Operand(a, p), Operand(b, p + 1))
            }
            Expr::Pow(e, k) => write!(f, "{}^{}", Operand(e, 5), k.0),
            Expr::Call(g, e) => write!(f, "{g}({e})"),
        }
    }
}
