//! The formula parser: recursive descent over characters, so that every
//! error can point at its 1-based column. Grammar in the parent module.

use super::{Formula, FormulaError, Function, Term, MAX_DEGREE};

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
}

const TERM_HINT: &str =
    "expected a term: a column name, 1, 0, ., I(x^2), I(a*b), poly(x, 3), log(x), factor(x) or C(x)";

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Parser {
            text,
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    fn error_at<T>(&self, pos: usize, message: impl Into<String>) -> Result<T, FormulaError> {
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

    fn expect(&mut self, c: char, what: &str) -> Result<(), FormulaError> {
        if self.eat(c) {
            Ok(())
        } else {
            self.error_at(self.pos, format!("expected `{c}` {what}"))
        }
    }

    pub(super) fn formula(mut self) -> Result<Formula, FormulaError> {
        if self.peek().is_none() {
            return self.error_at(self.pos, "expected a formula such as `y ~ x`");
        }
        let response = self.name("expected the response column name, as in `y ~ x`")?;
        self.expect('~', "after the response name, as in `y ~ x`")?;
        let rhs_start = self.pos;

        let mut terms: Vec<Term> = Vec::new();
        let (mut with_one, mut without_one) = (None, None);
        let mut minus = self.eat('-');
        loop {
            self.skip_space();
            let start = self.pos;
            match (self.term()?, minus) {
                (Parsed::One, true) | (Parsed::Zero, false) => without_one = Some(start),
                (Parsed::One, false) => with_one = Some(start),
                (_, true) => return self.error_at(start, "only `- 1` can be subtracted"),
                (Parsed::Term(term), false) => {
                    if !terms.contains(&term) {
                        terms.push(term);
                    }
                }
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
        if terms.is_empty() && !intercept {
            return self.error_at(rhs_start, "nothing to fit: add a term or the intercept `1`");
        }
        Ok(Formula {
            response,
            intercept,
            terms,
        })
    }

    fn term(&mut self) -> Result<Parsed, FormulaError> {
        let start = self.pos;
        match self.peek() {
            None => return self.error_at(self.pos, TERM_HINT),
            Some('.') => {
                self.pos += 1;
                return Ok(Parsed::Term(Term::Dot));
            }
            Some(c) if c.is_ascii_digit() => {
                return match self.integer()? {
                    1 => Ok(Parsed::One),
                    0 => Ok(Parsed::Zero),
                    _ => {
                        self.error_at(start, "a number term can only be 1 (intercept) or 0 (none)")
                    }
                };
            }
            _ => {}
        }
        let name = self.name(TERM_HINT)?;
        let is_call = self.peek() == Some('(') && self.chars[start] != '`';
        if is_call && name == "I" {
            self.pos += 1;
            let term = self.identity_call()?;
            self.expect(')', "to close `I(`")?;
            return Ok(Parsed::Term(term));
        }
        if is_call && name == "poly" {
            self.pos += 1;
            let column = self.name("expected a column name, as in `poly(x, 3)`")?;
            self.expect(',', "and a degree, as in `poly(x, 3)`")?;
            let degree = self.degree()?;
            self.expect(')', "to close `poly(`")?;
            return Ok(Parsed::Term(power_term(column, degree, true)));
        }
        if let Some(f) = Function::from_name(&name).filter(|_| is_call) {
            self.pos += 1;
            let column = self.name(&format!("expected a column name, as in `{f}(x)`"))?;
            self.expect(')', &format!("to close `{f}(`"))?;
            return Ok(Parsed::Term(Term::Apply(f, column)));
        }
        if is_call && name == "factor" {
            self.pos += 1;
            let column = self.name("expected a column name, as in `factor(x)`")?;
            self.expect(')', "to close `factor(`")?;
            return Ok(Parsed::Term(Term::Factor(column)));
        }
        if is_call && name == "C" {
            self.pos += 1;
            let column = self.name("expected a column name, as in `C(x, ref = \"b\")`")?;
            let reference = match self.eat(',') {
                true => Some(self.reference()?),
                false => None,
            };
            self.expect(')', "to close `C(`")?;
            return Ok(Parsed::Term(Term::Categorical(column, reference)));
        }
        if is_call {
            return self.error_at(
                start,
                format!(
                    "unknown function `{name}`; use I(...), poly(x, k), log, exp, sqrt, abs, \
                     factor(x) or C(x)"
                ),
            );
        }
        Ok(Parsed::Term(Term::Column(name)))
    }

    /// Inside `I( … )`: `x`, `x^k` or `a*b`.
    fn identity_call(&mut self) -> Result<Term, FormulaError> {
        let a = self.name("expected a column name, as in `I(x^2)` or `I(a*b)`")?;
        if self.eat('^') {
            let k = self.degree()?;
            return Ok(power_term(a, k, false));
        }
        if self.eat('*') {
            let b = self.name("expected a second column name, as in `I(a*b)`")?;
            return Ok(if a == b {
                Term::Power(a, 2)
            } else {
                Term::Product(a, b)
            });
        }
        Ok(Term::Column(a))
    }

    /// After `C(x,`: `ref = "b"` (R-ish) or `Treatment("b")` (patsy).
    fn reference(&mut self) -> Result<String, FormulaError> {
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
    fn string(&mut self) -> Result<String, FormulaError> {
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
    fn degree(&mut self) -> Result<u32, FormulaError> {
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

    fn integer(&mut self) -> Result<u32, FormulaError> {
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
    fn name(&mut self, hint: &str) -> Result<String, FormulaError> {
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

/// What one right-hand-side item was.
enum Parsed {
    One,
    Zero,
    Term(Term),
}

/// `I(x^k)` or `poly(x, k)`, normalized: degree 1 is the column itself.
fn power_term(column: String, k: u32, poly: bool) -> Term {
    match (k, poly) {
        (1, _) => Term::Column(column),
        (_, true) => Term::Poly(column, k),
        (_, false) => Term::Power(column, k),
    }
}
