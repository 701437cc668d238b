//! R/statsmodels-style model formulas: `y ~ x1 * x2 + C(region)`,
//! `log(y) ~ x - 1`, `y ~ (a + b + c)^2`, `y ~ .` — parsed, printed
//! canonically, and turned into a [`Design`] against a [`Dataset`].
//!
//! Grammar (whitespace anywhere between tokens; `^` binds tighter than
//! `:`, `:` tighter than `*`, `*` tighter than `+ -`, as in R):
//!
//! ```text
//! formula  := response "~" ["-"] summand (("+" | "-") summand)*
//! response := variable                      (a number per row: y, log(y), I(y/1000))
//! summand  := "1" | "0" | terms
//! terms    := product (("+" | "-") product)*     (inside parentheses)
//! product  := colon ("*" colon)*                 a*b = a + b + a:b
//! colon    := power (":" power)*                 a:b = the interaction
//! power    := atom ["^" k]                       (a + b + c)^2 = up to 2-way
//! atom     := "(" terms ")" | "." | variable
//! variable := name | "I(" expr ")" | fn "(" expr ")"
//!           | "poly(" name "," k ["," "raw" "=" ("TRUE" | "FALSE")] ")"
//!           | "factor(" name ")" | "C(" name ["," ref "=" string] ")"
//!           | "C(" name "," "Treatment(" string ")" ")"
//! expr     := arithmetic: number, name, fn "(" expr ")", "(" expr ")",
//!             unary "-", "+ - * /", and "^" number (-30 ≤ number ≤ 30, ≠ 0)
//! fn       := "log" | "exp" | "sqrt" | "abs"
//! name     := letter (letter | digit | "_" | ".")*  |  "`" any text but "`" "`"
//! string   := '"' any text but '"' '"'
//! ```
//!
//! Terms (see `terms.rs`): `- term` removes a term added before it
//! (`y ~ a*b - a:b`), and a column from `.` (`y ~ . - id`); the design lists main effects first, then two-way
//! interactions and so on, each group as written, as R's `terms()` orders
//! them. An interaction's features are the products of its variables'
//! columns, named as R names them: `x1:x2`, `regionSouth:x1`. A
//! categorical variable in a term is coded by R's rule (see
//! `terms::contrasts`): k − 1 indicators when the term without it is in
//! the model (`y ~ x * region`), k indicators when not (`y ~ x:region`
//! fits one slope per region; `y ~ region - 1` one mean per region).
//!
//! Categorical variables (see `coding.rs` for the order of levels): a
//! column whose cells are all text is categorical wherever it is named;
//! `factor(x)` makes any column categorical (numbers included), and
//! `C(x, ref = "b")` (R-ish; patsy's `C(x, Treatment("b"))` also reads)
//! chooses the reference level. A column of numbers with some text cells
//! is refused, naming its first text cell: most likely a typo, and if not,
//! `factor(x)` says so. Indicator features are named as R names them:
//! `regionSouth` for a text column `region`, `factor(x)2`, and
//! `C(region)South`.
//!
//! Arithmetic (`I(x1/x2)`, `log(x + 1)`, `I((x - 1)^2)`) is computed per
//! row; a value outside a function's domain, a division by zero or a
//! non-finite result is an error naming the row. A feature made of an
//! expression is named by it: `x^2`, `x1/x2`, `log(x + 1)`.
//!
//! The response may be transformed (`log(y) ~ x`): the model then fits
//! and predicts log(y), as R's `lm` and `predict` do, and its response is
//! named `log(y)` everywhere (model file, predictions' column).
//!
//! The intercept is in unless the formula says `0` or `- 1`; `1` says it is
//! in explicitly. `poly(x, k)` is R's orthogonal polynomials of degree 1 to
//! k over the fitted rows (`numeric::orthopoly`; features `poly(x, k)1` …),
//! their basis (R's `coefs`) kept in the [`Coding`] so new rows get the
//! same columns; `poly(x, k, raw = TRUE)` is the raw powers x, x², …, x^k.
//! `.` stands for every column but the response's, in file order. Parsing
//! normalizes (`I(x^1)`, `I(x)` and `poly(x, 1, raw = TRUE)` are `x`,
//! `I(x*x)` is `I(x^2)`, `I(log(x))` is `log(x)`, repeated terms count
//! once, `b:a` is `a:b` when a came first), so printing a parsed formula
//! and parsing it again gives the same [`Formula`].

use std::fmt;

mod coding;
mod error;
mod expr;
mod function;
mod interaction;
mod owned;
mod parse;
mod terms;
#[cfg(test)]
mod tests;

pub use coding::Coding;
pub use error::FormulaError;
pub use expr::{Expr, Literal, Op};
pub use function::Function;
use interaction::{combine, Feature, Part};
use parse::{is_name_char, is_name_start, Parser};
use terms::Contrast;

use crate::data::Dataset;
use crate::data::Design;
use crate::numeric::OrthoPoly;

/// `response ~ terms`, with or without an intercept θ0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// What is fitted: a column, or a number computed from columns.
    pub response: Expr,
    pub intercept: bool,
    /// Distinct terms in the order written (but see `terms.rs` on
    /// keeping R's variable order); the design takes them in R's order,
    /// by interaction order, then as written: see [`Formula::ordered`].
    pub terms: Vec<Term>,
    /// Columns taken out of `.`: `y ~ . - id` (in the order written).
    pub removed: Vec<String>,
}

/// One right-hand-side term; it expands to one or more features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// One variable, or the interaction `a:b:…` of several: distinct, in
    /// order of first appearance among the terms.
    Interaction(Vec<Variable>),
    /// `.`: every column except the response's: the numeric ones in file
    /// order, then the text ones (categorical).
    Dot,
}

/// A variable of a term: one or more columns of numbers or indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variable {
    /// A number per row: a column (categorical when it holds text),
    /// `I(expr)`, `log(expr)`, ….
    Numeric(Expr),
    /// `poly(x, k)`: R's orthogonal polynomials of degree 1 … k over the
    /// fitted rows (`numeric::orthopoly`), named `poly(x, k)1` …; their
    /// basis is part of the [`Coding`].
    Poly(String, u32),
    /// `poly(x, k, raw = TRUE)`, k ≥ 2: the features x, x^2, …, x^k.
    RawPoly(String, u32),
    /// `factor(x)`: the column as categories, numbers included.
    Factor(String),
    /// `C(x)` or `C(x, ref = "b")`: categorical, with the reference level
    /// named (else the first).
    Categorical(String, Option<String>),
}

/// Largest power or polynomial degree accepted: beyond it x^k over- or
/// underflows for everyday x and the fit is meaningless anyway. Fixed: a
/// higher degree needs rescaled data more than a higher limit.
pub const MAX_DEGREE: u32 = 30;

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        Parser::new(text).formula()
    }

    /// A lesson model's formula (`data::PRESETS`): `origin` = `y ~ x - 1`,
    /// `line` = `y ~ x`, `plane` = `y ~ x1 + x2`.
    pub fn preset(name: &str) -> Option<Formula> {
        let p = crate::data::preset(name)?;
        Some(Formula::parse(p.formula).expect("preset formulas parse"))
    }

    /// The response's name: its column's, or the expression as written in
    /// the canonical form (`log(y)`, `I(y/1000)`).
    pub fn response_name(&self) -> String {
        match &self.response {
            Expr::Column(c) => c.clone(),
            e => Variable::Numeric(e.clone()).to_string(),
        }
    }

    /// The columns the response is computed from.
    pub fn response_columns(&self) -> Vec<&str> {
        self.response.columns()
    }

    /// Feature names this formula gives on `data`, in θ order (θ1, θ2, …).
    pub fn feature_names(&self, data: &Dataset) -> Result<Vec<String>, FormulaError> {
        let coding = self.coding(data)?;
        Ok(self
            .features(data, &coding)?
            .iter()
            .map(Feature::name)
            .collect())
    }

    /// The design matrix X (n × d, without the column of ones) and y, with
    /// the categorical levels learned from `data` itself.
    pub fn design(&self, data: &Dataset) -> Result<Design, FormulaError> {
        self.design_coded(data, &self.coding(data)?)
    }

    /// What the design learns from `data` beyond the formula: the levels
    /// of each categorical variable (stored with a fitted model, so new
    /// rows are coded the same way).
    pub fn coding(&self, data: &Dataset) -> Result<Coding, FormulaError> {
        let mut coding = Coding::default();
        for term in self.expanded(data) {
            for variable in term {
                if let Variable::Poly(c, k) = &variable {
                    let term = variable.to_string();
                    let x = lookup(data, c, &term)?;
                    if x.is_empty() {
                        continue; // no rows: names only (see `numbers`)
                    }
                    let basis =
                        OrthoPoly::fit(x, *k as usize).map_err(|e| FormulaError::PolyBasis {
                            term: term.clone(),
                            reason: e.to_string(),
                        })?;
                    coding.poly.insert(term, basis);
                    continue;
                }
                let Some((key, column)) = variable.categorical_key(data, None) else {
                    continue;
                };
                if coding.levels.contains_key(&key) {
                    continue;
                }
                if data.text_column(column).is_none() && data.column(column).is_err() {
                    return Err(unknown(data, column));
                }
                let levels = coding::learn_levels(data, column).expect("the column exists");
                if let Variable::Categorical(c, Some(reference)) = &variable {
                    if !levels.contains(reference) {
                        return Err(FormulaError::UnknownReference {
                            name: c.clone(),
                            reference: reference.clone(),
                            levels,
                        });
                    }
                }
                coding.levels.insert(key, levels);
            }
        }
        Ok(coding)
    }

    /// Whether rows read chunk by chunk (`first` being the first chunk of
    /// `file`) can be coded by this formula: not when it learns from every
    /// row, as the levels of a categorical variable and the basis of an
    /// orthogonal polynomial are learned.
    pub fn check_streamable(&self, first: &Dataset, file: &str) -> Result<(), FormulaError> {
        let vars = self.terms.iter().filter_map(|t| match t {
            Term::Interaction(vars) => Some(vars),
            Term::Dot => None,
        });
        if let Some(v) = vars.flatten().find(|v| matches!(v, Variable::Poly(..))) {
            return Err(FormulaError::PolyStreamed {
                file: file.into(),
                term: v.to_string(),
            });
        }
        if let Some(name) = self.coding(first)?.levels.into_keys().next() {
            return Err(FormulaError::CategoricalStreamed {
                file: file.into(),
                name,
            });
        }
        Ok(())
    }

    /// [`design`](Self::design) with the categorical levels of `coding`
    /// (a fitted model's): a level of `data` outside them is an error
    /// naming its row.
    pub fn design_coded(&self, data: &Dataset, coding: &Coding) -> Result<Design, FormulaError> {
        let mut design = self.design_predictors(data, coding)?;
        let name = self.response_name();
        let y = self.response.eval(data, &name)?;
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(FormulaError::Overflow {
                feature: name,
                row: i + 1,
                value: y[i],
            });
        }
        design.y = y;
        Ok(design)
    }

    /// X alone, for new rows whose response is unknown: the design's y is
    /// zeros (never read), and the response's columns need not exist.
    pub fn design_predictors(
        &self,
        data: &Dataset,
        coding: &Coding,
    ) -> Result<Design, FormulaError> {
        let features = self.features(data, coding)?;
        let n = data.n_rows();
        let d = features.len();
        let mut x = vec![0.0; n * d];
        for (j, feature) in features.iter().enumerate() {
            let values = feature.values(data)?;
            // Columns are finite (the reader refuses the rest), so only a
            // power, a product or a function can leave f64's range.
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(FormulaError::Overflow {
                    feature: feature.name(),
                    row: i + 1,
                    value: values[i],
                });
            }
            for (i, v) in values.into_iter().enumerate() {
                x[i * d + j] = v;
            }
        }
        Ok(Design {
            response: self.response_name(),
            names: features.iter().map(Feature::name).collect(),
            intercept: self.intercept,
            n,
            d,
            x,
            y: vec![0.0; n],
        })
    }

    /// The terms as variable lists in R's order (by interaction order,
    /// then as written), `.` written out against `data`: its numeric
    /// columns in order, then its text columns, the response's left out.
    fn expanded(&self, data: &Dataset) -> Vec<Vec<Variable>> {
        let mut out: Vec<Vec<Variable>> = Vec::new();
        for term in &self.terms {
            let more = match term {
                Term::Dot => {
                    let response = self.response_columns();
                    let all = data.all_names();
                    let left_out =
                        |c: &String| response.contains(&c.as_str()) || self.removed.contains(c);
                    let others = all.into_iter().filter(|c| !left_out(c));
                    others
                        .map(|c| vec![Variable::Numeric(Expr::Column(c))])
                        .collect()
                }
                Term::Interaction(vars) => vec![vars.clone()],
            };
            for vars in more {
                if !out.contains(&vars) {
                    out.push(vars);
                }
            }
        }
        out.sort_by_key(Vec::len);
        out
    }

    /// The terms expanded into distinct features (first occurrence wins).
    fn features(&self, data: &Dataset, coding: &Coding) -> Result<Vec<Feature>, FormulaError> {
        let terms = self.expanded(data);
        let response = self.response_columns();
        for term in &terms {
            for column in term.iter().flat_map(Variable::columns) {
                if response.contains(&column) {
                    return Err(FormulaError::ResponseOnBothSides {
                        name: column.into(),
                    });
                }
            }
        }
        let categorical = |v: &Variable| v.categorical_key(data, Some(coding)).is_some();
        let contrasts = terms::contrasts(&terms, categorical, self.intercept);
        let mut out: Vec<Feature> = Vec::new();
        for (term, codes) in terms.iter().zip(contrasts) {
            let mut blocks = Vec::new();
            for (variable, code) in term.iter().zip(codes) {
                blocks.push(match code {
                    Some(code) => variable.indicators(data, coding, code)?,
                    None => variable.numbers(data, coding)?,
                });
            }
            for f in combine(blocks) {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        Ok(out)
    }

    /// The terms in R's order (by interaction order, then as written),
    /// `.` where it was written.
    pub fn ordered(&self) -> Vec<&Term> {
        let mut out: Vec<&Term> = self.terms.iter().collect();
        out.sort_by_key(|t| t.order());
        out
    }
}

impl Formula {
    /// The data columns this formula reads (the response's first), given
    /// the columns a file has: `.` reads them all. Lets columnar readers
    /// skip the rest.
    pub fn columns_used(&self, available: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.response_columns() {
            if !out.iter().any(|o| o == c) {
                out.push(c.into());
            }
        }
        let dot = self.terms.contains(&Term::Dot);
        for c in available {
            let named = self.terms.iter().any(|t| t.columns().contains(&c.as_str()));
            let in_dot = dot && !self.removed.contains(c);
            if (in_dot || named) && !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }

    /// The columns a reader needs for this formula, the response's first,
    /// for [`ReadOptions::only`](crate::data::ReadOptions): `None` when `.`
    /// asks for every column.
    pub fn columns_to_read(&self) -> Option<Vec<String>> {
        if self.terms.contains(&Term::Dot) {
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        let all = self.response_columns().into_iter();
        for c in all.chain(self.terms.iter().flat_map(Term::columns)) {
            if !out.iter().any(|o| o == c) {
                out.push(c.into());
            }
        }
        Some(out)
    }
}

impl Term {
    /// A column as a main effect: `x`.
    pub fn column(name: impl Into<String>) -> Term {
        Term::Interaction(vec![Variable::Numeric(Expr::Column(name.into()))])
    }

    /// The columns the term names (none for `.`).
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Term::Interaction(vars) => vars.iter().flat_map(Variable::columns).collect(),
            Term::Dot => vec![],
        }
    }

    /// The column, when the term is one column as it is: `x`.
    pub fn as_column(&self) -> Option<&str> {
        match self {
            Term::Interaction(vars) => match vars.as_slice() {
                [Variable::Numeric(Expr::Column(c))] => Some(c),
                _ => None,
            },
            Term::Dot => None,
        }
    }

    /// How many variables interact: 1 for a main effect (and `.`).
    pub fn order(&self) -> usize {
        match self {
            Term::Interaction(vars) => vars.len(),
            Term::Dot => 1,
        }
    }
}

impl Variable {
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Variable::Numeric(e) => e.columns(),
            Variable::Poly(c, _)
            | Variable::RawPoly(c, _)
            | Variable::Factor(c)
            | Variable::Categorical(c, _) => vec![c],
        }
    }

    /// For a categorical variable on `data`: the key of its levels in a
    /// [`Coding`] (`region`, `factor(x)`, `C(region)`) and its column. A
    /// bare column is categorical when its cells are all text, or when
    /// `coding` (a fitted model's) has levels for it.
    fn categorical_key<'a>(
        &'a self,
        data: &Dataset,
        coding: Option<&Coding>,
    ) -> Option<(String, &'a str)> {
        match self {
            Variable::Numeric(Expr::Column(c)) => {
                let labels = data.text_column(c).is_some_and(coding::is_labels);
                let coded = coding.is_some_and(|k| k.levels.contains_key(c));
                (labels || coded).then(|| (c.clone(), c.as_str()))
            }
            Variable::Factor(c) => Some((format!("factor({})", Name(c)), c)),
            Variable::Categorical(c, _) => Some((format!("C({})", Name(c)), c)),
            _ => None,
        }
    }

    /// A numeric variable's columns: one, or k for `poly(x, k)`.
    fn numbers(&self, data: &Dataset, coding: &Coding) -> Result<Vec<Part>, FormulaError> {
        for column in self.columns() {
            lookup(data, column, &self.to_string())?;
        }
        Ok(match self {
            Variable::Numeric(e) => vec![Part::Numeric(e.clone())],
            Variable::RawPoly(c, k) => (1..=*k)
                .map(|p| Part::Numeric(Expr::pow(Expr::column(c), f64::from(p))))
                .collect(),
            Variable::Poly(c, k) => {
                let key = self.to_string();
                // On no rows (a header, to learn the feature names) nothing
                // is evaluated, and a basis of the right degree will do.
                let names_only = OrthoPoly {
                    alpha: vec![0.0; *k as usize],
                    norm2: vec![1.0; *k as usize + 2],
                };
                let basis = match coding.poly.get(&key) {
                    Some(basis) => basis,
                    None if data.n_rows() == 0 => &names_only,
                    None => return Err(FormulaError::NoBasis { term: key }),
                };
                (0..basis.degree())
                    .map(|index| Part::Orthogonal {
                        column: c.clone(),
                        key: key.clone(),
                        basis: basis.clone(),
                        index,
                    })
                    .collect()
            }
            Variable::Factor(_) | Variable::Categorical(..) => {
                unreachable!("factor() and C() are categorical")
            }
        })
    }

    /// A categorical variable's indicators, with or without the reference
    /// level's.
    fn indicators(
        &self,
        data: &Dataset,
        coding: &Coding,
        contrast: Contrast,
    ) -> Result<Vec<Part>, FormulaError> {
        let (key, column) = self
            .categorical_key(data, Some(coding))
            .expect("called on categorical variables");
        let Some(levels) = coding.levels.get(&key) else {
            // A text column the coding took for numbers: say why not.
            lookup(data, column, &self.to_string())?;
            unreachable!("a text column is not numbers");
        };
        let reference = match (self, contrast) {
            (_, Contrast::Full) => None,
            (Variable::Categorical(_, Some(r)), _) => Some(r.as_str()),
            _ => Some(levels[0].as_str()),
        };
        Ok(levels
            .iter()
            .filter(|l| Some(l.as_str()) != reference)
            .map(|level| Part::Indicator {
                column: column.into(),
                prefix: key.clone(),
                levels: levels.clone(),
                level: level.clone(),
            })
            .collect())
    }
}

fn unknown(data: &Dataset, name: &str) -> FormulaError {
    FormulaError::UnknownColumn {
        file: data.source_name(),
        name: name.into(),
        available: data.all_names(),
    }
}

/// Column `name` as numbers, for `term`: a text column is an error that
/// says what it holds and what to write instead.
fn lookup<'a>(data: &'a Dataset, name: &str, term: &str) -> Result<&'a [f64], FormulaError> {
    if let Ok(values) = data.column(name) {
        return Ok(values);
    }
    match data.text_column(name) {
        Some(t) if !coding::is_labels(t) => Err(coding::mixed(data, t)),
        Some(t) => {
            let at = t.first_text.clone().unwrap_or_default();
            Err(FormulaError::TextInArithmetic {
                at: format!("{}:{}", data.source_name(), at.line),
                name: name.into(),
                text: at.text,
                term: term.into(),
            })
        }
        None => Err(unknown(data, name)),
    }
}

impl std::str::FromStr for Formula {
    type Err = FormulaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Formula::parse(s)
    }
}

/// The canonical form: `log(y) ~ a + I(b^2) + a:c + poly(c, 3)`, terms as
/// written, then ` - 1` when there is no intercept; `y ~ 1` for the
/// intercept alone.
impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let response = Variable::Numeric(self.response.clone());
        write!(f, "{response} ~ ")?;
        if self.terms.is_empty() {
            return write!(f, "{}", if self.intercept { "1" } else { "0" });
        }
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                write!(f, " + ")?;
            }
            write!(f, "{term}")?;
        }
        for column in &self.removed {
            write!(f, " - {}", Name(column))?;
        }
        if !self.intercept {
            write!(f, " - 1")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Interaction(vars) => {
                for (i, v) in vars.iter().enumerate() {
                    if i > 0 {
                        write!(f, ":")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
            Term::Dot => write!(f, "."),
        }
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variable::Numeric(e @ (Expr::Column(_) | Expr::Call(..))) => write!(f, "{e}"),
            Variable::Numeric(e) => write!(f, "I({e})"),
            Variable::Poly(c, k) => write!(f, "poly({}, {k})", Name(c)),
            Variable::RawPoly(c, k) => write!(f, "poly({}, {k}, raw = TRUE)", Name(c)),
            Variable::Factor(c) => write!(f, "factor({})", Name(c)),
            Variable::Categorical(c, None) => write!(f, "C({})", Name(c)),
            Variable::Categorical(c, Some(r)) => write!(f, "C({}, ref = \"{r}\")", Name(c)),
        }
    }
}

/// A column name as the parser reads it back: bare when it is an
/// identifier, otherwise in backticks.
struct Name<'a>(&'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        let bare = chars.next().is_some_and(is_name_start) && chars.all(is_name_char);
        if bare {
            write!(f, "{}", self.0)
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}
