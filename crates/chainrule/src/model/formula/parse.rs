//! The formula parser: recursive descent over characters, so that every
//! error can point at its 1-based column. Grammar in the parent module;
//! the term algebra (`:`, `*`, `^`, `-`) in `terms.rs`, arithmetic inside
//! `I(…)` in `expr.rs`.

use super::expr::{Expr, Op};
use super::terms::Terms;
use super::{Formula, FormulaError, Function, Term, Variable, MAX_DEGREE};

pub(super) fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Recursive descent over the characters; `pos` indexes `chars`, and the
/// 1-based column of `chars[pos]` is `pos + 1`.
pub(super) struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
    /// Variables in order of first appearance, for the term algebra.
    seen: Vec<Variable>,
    /// Columns taken out of `.` (`y ~ . - id`).
    removed: Vec<String>,
}

const TERM_HINT: &str = "expected a term: a column name, 1, 0, ., a:b, a*b, (a + b)^2, I(x^2), \
     log(x), poly(x, 3), factor(x) or C(x)";

const EXPR_HINT: &str = "expected a number, a column name, `(`, `-` or a function such as log(x)";

/// What one right-hand-side summand was.
enum Summand {
    One,
    Zero,
    Terms(Terms),
}

type Parsed<T> = Result<T, FormulaError>;

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Parser {
            text,
            chars: text.chars().collect(),
            pos: 0,
            seen: Vec::new(),
            removed: Vec::new(),
        }
    }

    fn error_at<T>(&self, pos: usize, message: impl Into<String>) -> Parsed<T> {
        Err(FormulaError::Syntax {
            text: self.text.into(),
            column: pos + 1,
            message: message.into(),
        })
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// The next non-space character, without consuming it.
    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Parsed<()> {
        if self.eat(c) {
            Ok(())
        } else {
            self.error_at(self.pos, format!("expected `{c}` {what}"))
        }
    }

    pub(super) fn formula(mut self) -> Parsed<Formula> {
        if self.peek().is_none() {
            return self.error_at(self.pos, "expected a formula such as `y ~ x`");
        }
        let response = self.response()?;
        self.expect('~', "after the response, as in `y ~ x`")?;
        let rhs_start = self.pos;

        let mut terms = Terms::default();
        let (mut with_one, mut without_one) = (None, None);
        let mut minus = self.eat('-');
        loop {
            self.skip_space();
            let start = self.pos;
            match (self.summand()?, minus) {
                (Summand::One, true) | (Summand::Zero, false) => without_one = Some(start),
                (Summand::One, false) => with_one = Some(start),
                (Summand::Zero, true) => {
                    return self.error_at(start, "`- 0` means nothing; write `- 1` or `+ 0`")
                }
                (Summand::Terms(t), false) => terms = self.add(terms, t),
                (Summand::Terms(t), true) => terms = self.remove(terms, &t, start)?,
            }
            match self.peek() {
                None => break,
                Some('+') => minus = false,
                Some('-') => minus = true,
                Some(_) => return self.error_at(self.pos, "expected `+`, `-` or the end"),
            }
            self.pos += 1;
        }
        if let (Some(_), Some(at)) = (with_one, without_one) {
            return self.error_at(at, "the formula both keeps (`1`) and removes the intercept");
        }
        let intercept = without_one.is_none();
        if terms.0.is_empty() && !intercept {
            return self.error_at(rhs_start, "nothing to fit: add a term or the intercept `1`");
        }
        Ok(Formula {
            response,
            intercept,
            terms: terms.finish(&self.seen),
            removed: self.removed,
        })
    }

    /// The left of `~`: a column or a numeric expression of columns.
    fn response(&mut self) -> Parsed<Expr> {
        self.skip_space();
        let start = self.pos;
        match self.variable("expected the response, as in `y ~ x` or `log(y) ~ x`")? {
            Variable::Numeric(e) => Ok(e),
            v => self.error_at(
                start,
                format!("the response must be a number per row, not {v}; write a column or I(…)"),
            ),
        }
    }

    /// `terms + more`; a column taken out of `.` before is back in.
    fn add(&mut self, terms: Terms, more: Terms) -> Terms {
        for t in &more.0 {
            if let Some(c) = t.as_column() {
                self.removed.retain(|r| r != c);
            }
        }
        terms.plus(more)
    }

    /// `terms - removed`; with `.` among the terms, a column is taken out
    /// of `.` too (as R's `y ~ . - id`). A term removed that is in neither
    /// is an error at `start`.
    fn remove(&mut self, terms: Terms, removed: &Terms, start: usize) -> Parsed<Terms> {
        let (terms, mut absent) = terms.minus(removed);
        if terms.0.contains(&Term::Dot) {
            absent = removed.0.clone();
        }
        for t in absent {
            match t.as_column() {
                Some(c) if terms.0.contains(&Term::Dot) => {
                    if !self.removed.iter().any(|r| r == c) {
                        self.removed.push(c.to_string());
                    }
                }
                _ => {
                    return self.error_at(
                        start,
                        format!(
                            "`- {t}` removes nothing: {t} is not among the terms before it \
                             (only `- 1`, terms already added and columns of `.` can be \
                             subtracted)"
                        ),
                    )
                }
            }
        }
        Ok(terms)
    }

    /// One top-level summand: `1`, `0`, or terms.
    fn summand(&mut self) -> Parsed<Summand> {
        let start = self.pos;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return match self.integer()? {
                1 => Ok(Summand::One),
                0 => Ok(Summand::Zero),
                _ => self.error_at(start, "a number term can only be 1 (intercept) or 0 (none)"),
            };
        }
        Ok(Summand::Terms(self.product()?))
    }

    /// Inside parentheses: terms joined by `+` and `-`.
    fn sum(&mut self) -> Parsed<Terms> {
        let mut terms = self.product()?;
        loop {
            match self.peek() {
                Some('+') => {
                    self.pos += 1;
                    let more = self.product()?;
                    terms = self.add(terms, more);
                }
                Some('-') => {
                    self.pos += 1;
                    self.skip_space();
                    let start = self.pos;
                    let removed = self.product()?;
                    terms = self.remove(terms, &removed, start)?;
                }
                _ => return Ok(terms),
            }
        }
    }

    /// `A * B * …`.
    fn product(&mut self) -> Parsed<Terms> {
        let mut terms = self.interaction()?;
        while self.eat('*') {
            self.skip_space();
            let start = self.pos;
            let other = self.interaction()?;
            terms = match terms.star(other, &self.seen) {
                Ok(t) => t,
                Err(why) => return self.error_at(start, why.message()),
            };
        }
        Ok(terms)
    }

    /// `A : B : …`.
    fn interaction(&mut self) -> Parsed<Terms> {
        self.skip_space();
        let first = self.pos;
        let mut terms = self.power()?;
        while self.eat(':') {
            let other = self.power()?;
            terms = match terms.colon(&other, &self.seen) {
                Ok(t) => t,
                Err(why) => return self.error_at(first, why.message()),
            };
        }
        Ok(terms)
    }

    /// `A ^ k`: every interaction of A's terms up to order k.
    fn power(&mut self) -> Parsed<Terms> {
        self.skip_space();
        let start = self.pos;
        let base = self.atom()?;
        if !self.eat('^') {
            return Ok(base);
        }
        let k = self.degree()?;
        if let [Term::Interaction(vars)] = base.0.as_slice() {
            if vars.len() == 1 {
                let v = &vars[0];
                return self.error_at(
                    start,
                    format!(
                        "`{v}^{k}` in a formula is an interaction power, which for one variable \
                         is {v} itself (as in R); write I({v}^{k}) for the power of the values"
                    ),
                );
            }
        }
        let mut out = base.clone();
        for _ in 1..k {
            out = match out.star(base.clone(), &self.seen) {
                Ok(t) => t,
                Err(why) => return self.error_at(start, why.message()),
            };
        }
        Ok(out)
    }

    /// `( terms )`, `.` or a variable.
    fn atom(&mut self) -> Parsed<Terms> {
        let start = self.pos;
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let terms = self.sum()?;
                self.expect(')', "to close `(`")?;
                Ok(terms)
            }
            Some('.') => {
                self.pos += 1;
                Ok(Terms::one(Term::Dot))
            }
            Some(c) if c.is_ascii_digit() => self.error_at(
                start,
                "a number here is neither a term nor the intercept; write I(…) for arithmetic",
            ),
            _ => {
                let v = self.variable(TERM_HINT)?;
                if !self.seen.contains(&v) {
                    self.seen.push(v.clone());
                }
                Ok(Terms::one(Term::Interaction(vec![v])))
            }
        }
    }

    /// A column, or a call: `I(…)`, `log(…)` and its kin, `poly(x, k)`,
    /// `factor(x)`, `C(x, …)`.
    fn variable(&mut self, hint: &str) -> Parsed<Variable> {
        self.skip_space();
        let start = self.pos;
        let name = self.name(hint)?;
        let is_call = self.peek() == Some('(') && self.chars[start] != '`';
        if !is_call {
            return Ok(Variable::Numeric(Expr::Column(name)));
        }
        self.pos += 1;
        let variable = match name.as_str() {
            "I" => Variable::Numeric(self.expr()?),
            "poly" => {
                let column = self.name("expected a column name, as in `poly(x, 3)`")?;
                self.expect(',', "and a degree, as in `poly(x, 3)`")?;
                let degree = self.degree()?;
                let raw = self.eat(',') && self.raw()?;
                match (degree, raw) {
                    (1, true) => Variable::Numeric(Expr::Column(column)),
                    (k, true) => Variable::RawPoly(column, k),
                    (k, false) => Variable::Poly(column, k),
                }
            }
            "factor" => Variable::Factor(self.name("expected a column name, as in `factor(x)`")?),
            "C" => {
                let column = self.name("expected a column name, as in `C(x, ref = \"b\")`")?;
                let reference = match self.eat(',') {
                    true => Some(self.reference()?),
                    false => None,
                };
                Variable::Categorical(column, reference)
            }
            _ => match Function::from_name(&name) {
                Some(f) => Variable::Numeric(Expr::Call(f, Box::new(self.expr()?))),
                None => return self.unknown_function(start, &name),
            },
        };
        self.expect(')', &format!("to close `{name}(`"))?;
        Ok(variable)
    }

    fn unknown_function<T>(&self, start: usize, name: &str) -> Parsed<T> {
        self.error_at(
            start,
            format!(
                "unknown function `{name}`; use I(...), poly(x, k), log, exp, sqrt, abs, \
                 factor(x) or C(x)"
            ),
        )
    }

    /// After `poly(x, k,`: `raw = TRUE` (the raw powers) or `raw = FALSE`
    /// (R's orthogonal basis, the default).
    fn raw(&mut self) -> Parsed<bool> {
        self.skip_space();
        let start = self.pos;
        let hint = "expected `raw = TRUE`";
        if self.name(hint)? != "raw" {
            return self.error_at(start, hint);
        }
        self.expect('=', "after `raw`, as in `raw = TRUE`")?;
        self.skip_space();
        let at = self.pos;
        match self.name(hint)?.as_str() {
            "TRUE" | "T" => Ok(true),
            "FALSE" | "F" => Ok(false),
            _ => self.error_at(at, "expected `TRUE` or `FALSE`"),
        }
    }

    /// Arithmetic, as in `I(…)`: `+ -` below `* /` below unary minus
    /// below `^`.
    fn expr(&mut self) -> Parsed<Expr> {
        let mut e = self.expr_product()?;
        loop {
            let op = match self.peek() {
                Some('+') => Op::Add,
                Some('-') => Op::Sub,
                _ => return Ok(e),
            };
            self.pos += 1;
            e = Expr::binary(op, e, self.expr_product()?);
        }
    }

    fn expr_product(&mut self) -> Parsed<Expr> {
        let mut e = self.expr_unary()?;
        loop {
            let op = match self.peek() {
                Some('*') => Op::Mul,
                Some('/') => Op::Div,
                _ => return Ok(e),
            };
            self.pos += 1;
            e = Expr::binary(op, e, self.expr_unary()?);
        }
    }

    fn expr_unary(&mut self) -> Parsed<Expr> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.expr_unary()?)));
        }
        let base = self.expr_primary()?;
        if !self.eat('^') {
            return Ok(base);
        }
        self.skip_space();
        let start = self.pos;
        let negative = self.eat('-');
        let k = self.number()?;
        let k = if negative { -k } else { k };
        if k == 0.0 {
            return self.error_at(start, "x^0 is 1, which the intercept is already");
        }
        if k.abs() > f64::from(MAX_DEGREE) {
            return self.error_at(
                start,
                format!(
                    "expected an exponent from -{MAX_DEGREE} to {MAX_DEGREE}: {MAX_DEGREE} is the \
                     limit on powers and degrees, since x^k beyond it overflows f64 for everyday \
                     x; it is fixed, so fit fewer powers or rescale x"
                ),
            );
        }
        Ok(Expr::pow(base, k))
    }

    fn expr_primary(&mut self) -> Parsed<Expr> {
        let start = self.pos;
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(')', "to close `(`")?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => Ok(Expr::Number(self.literal()?)),
            None => self.error_at(start, EXPR_HINT),
            Some(_) => {
                let at = self.pos;
                let name = self.name(EXPR_HINT)?;
                let is_call = self.peek() == Some('(') && self.chars[at] != '`';
                if !is_call {
                    return Ok(Expr::Column(name));
                }
                self.pos += 1;
                let e = match (name.as_str(), Function::from_name(&name)) {
                    ("I", _) => self.expr()?,
                    (_, Some(f)) => Expr::Call(f, Box::new(self.expr()?)),
                    ("poly" | "factor" | "C", _) => {
                        return self.error_at(
                            at,
                            format!("`{name}(…)` makes a term, so it cannot be inside arithmetic"),
                        )
                    }
                    _ => return self.unknown_function(at, &name),
                };
                self.expect(')', &format!("to close `{name}(`"))?;
                Ok(e)
            }
        }
    }

    fn literal(&mut self) -> Parsed<super::expr::Literal> {
        Ok(super::expr::Literal(self.number()?))
    }

    /// A decimal number: `2`, `0.5`, `.5`, `1e-3`.
    fn number(&mut self) -> Parsed<f64> {
        self.skip_space();
        let start = self.pos;
        let digits = |p: &mut Self| {
            while p.chars.get(p.pos).is_some_and(char::is_ascii_digit) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.chars.get(self.pos) == Some(&'.') {
            self.pos += 1;
            digits(self);
        }
        if self.pos > start && matches!(self.chars.get(self.pos), Some('e' | 'E')) {
            let mark = self.pos;
            self.pos += 1;
            if matches!(self.chars.get(self.pos), Some('+' | '-')) {
                self.pos += 1;
            }
            let exponent = self.pos;
            digits(self);
            if self.pos == exponent {
                self.pos = mark;
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => self.error_at(start, "expected a number"),
        }
    }

    /// After `C(x,`: `ref = "b"` (R-ish) or `Treatment("b")` (patsy).
    fn reference(&mut self) -> Parsed<String> {
        self.skip_space();
        let start = self.pos;
        let hint = "expected `ref = \"level\"` or `Treatment(\"level\")`";
        match self.name(hint)?.as_str() {
            "ref" => {
                self.expect('=', "after `ref`, as in `ref = \"b\"`")?;
                self.string()
            }
            "Treatment" => {
                self.expect('(', "after `Treatment`, as in `Treatment(\"b\")`")?;
                let level = self.string()?;
                self.expect(')', "to close `Treatment(`")?;
                Ok(level)
            }
            _ => self.error_at(start, hint),
        }
    }

    /// A double-quoted string (no escapes: a level name holds no `"`).
    fn string(&mut self) -> Parsed<String> {
        if !self.eat('"') {
            return self.error_at(self.pos, "expected a level name in double quotes, as \"b\"");
        }
        let open = self.pos;
        while self.chars.get(self.pos).is_some_and(|&c| c != '"') {
            self.pos += 1;
        }
        if self.pos == self.chars.len() {
            return self.error_at(open - 1, "this quote is never closed");
        }
        let text: String = self.chars[open..self.pos].iter().collect();
        self.pos += 1;
        Ok(text)
    }

    /// An integer power or degree, 1 ≤ k ≤ MAX_DEGREE.
    fn degree(&mut self) -> Parsed<u32> {
        self.skip_space();
        let start = self.pos;
        let hint = format!("expected a whole number from 1 to {MAX_DEGREE}");
        if !self.chars.get(start).is_some_and(char::is_ascii_digit) {
            return self.error_at(start, hint);
        }
        let limit = format!(
            "{hint}: {MAX_DEGREE} is the limit on powers and degrees, since x^k beyond it \
             overflows f64 for everyday x; it is fixed, so fit fewer powers or rescale x"
        );
        match self.integer() {
            Ok(k @ 1..=MAX_DEGREE) => Ok(k),
            Ok(0) => self.error_at(start, hint),
            _ => self.error_at(start, limit),
        }
    }

    fn integer(&mut self) -> Parsed<u32> {
        self.skip_space();
        let start = self.pos;
        while self.chars.get(self.pos).is_some_and(char::is_ascii_digit) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        match digits.parse::<u32>() {
            Ok(k) => Ok(k),
            Err(_) => self.error_at(start, "number too large"),
        }
    }

    /// A bare identifier or a backticked name.
    fn name(&mut self, hint: &str) -> Parsed<String> {
        let start = self.pos;
        match self.peek() {
            Some('`') => {
                self.pos += 1;
                let open = self.pos;
                while self.chars.get(self.pos).is_some_and(|&c| c != '`') {
                    self.pos += 1;
                }
                if self.pos == self.chars.len() {
                    return self.error_at(open - 1, "this backtick is never closed");
                }
                let name: String = self.chars[open..self.pos].iter().collect();
                self.pos += 1;
                if name.is_empty() {
                    return self.error_at(open - 1, "empty column name");
                }
                Ok(name)
            }
            Some(c) if is_name_start(c) => {
                let first = self.pos;
                while self.chars.get(self.pos).copied().is_some_and(is_name_char) {
                    self.pos += 1;
                }
                Ok(self.chars[first..self.pos].iter().collect())
            }
            _ => self.error_at(start.max(self.pos), hint),
        }
    }
}
