//! R/statsmodels-style model formulas: `y ~ x1 + x2`, `y ~ x - 1`,
//! `y ~ poly(x, 5)`, `y ~ .` — parsed, printed canonically, and turned
//! into a [`Design`] against a [`Dataset`].
//!
//! Grammar (whitespace anywhere between tokens):
//!
//! ```text
//! formula := name "~" ["-"] term (("+" | "-") term)*
//! term    := "1" | "0" | "." | name
//!          | "I(" name ")" | "I(" name "^" k ")" | "I(" name "*" name ")"
//!          | "poly(" name "," k ")"
//!          | "factor(" name ")" | "C(" name ["," ref "=" string] ")"
//!          | ("log" | "exp" | "sqrt" | "abs") "(" name ")"
//!          | "C(" name "," "Treatment(" string ")" ")"
//! name    := letter (letter | digit | "_" | ".")*  |  "`" any text but "`" "`"
//! string  := '"' any text but '"' '"'
//! ```
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
//! The intercept is in unless the formula says `0` or `- 1`; `1` says it is
//! in explicitly. `poly(x, k)` is the *raw* powers x, x², …, x^k (not R's
//! orthogonal polynomials). `.` stands for every column but the response,
//! in file order. Parsing normalizes (`I(x^1)` and `poly(x, 1)` are `x`,
//! `I(x*x)` is `I(x^2)`, repeated terms count once), so printing a parsed
//! formula and parsing it again gives the same [`Formula`].

use std::fmt;

mod coding;
mod function;
mod parse;

pub use coding::Coding;
pub use function::Function;
use parse::{is_name_char, is_name_start, Parser};

use crate::data::Dataset;
use crate::data::Design;
use crate::numeric::power;

/// `response ~ terms`, with or without an intercept θ0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    pub response: String,
    pub intercept: bool,
    /// Distinct terms in the order written.
    pub terms: Vec<Term>,
}

/// One right-hand-side term; it expands to one or more features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A column as it is: `x`.
    Column(String),
    /// `I(x^k)`, k ≥ 2: the column raised to an integer power.
    Power(String, u32),
    /// `I(a*b)`, a ≠ b: the product of two columns.
    Product(String, String),
    /// `poly(x, k)`, k ≥ 2: the features x, x^2, …, x^k.
    Poly(String, u32),
    /// `log(x)`, `exp(x)`, `sqrt(x)`, `abs(x)`.
    Apply(Function, String),
    /// `factor(x)`: the column as categories, numbers included.
    Factor(String),
    /// `C(x)` or `C(x, ref = "b")`: categorical, with the reference level
    /// named (else the first).
    Categorical(String, Option<String>),
    /// `.`: every column except the response: the numeric ones in file
    /// order, then the text ones (categorical).
    Dot,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormulaError {
    /// `column` is 1-based, counted in characters of `text`.
    #[error("{text}\n{caret}^ {message}", caret = " ".repeat(column - 1))]
    Syntax {
        text: String,
        column: usize,
        message: String,
    },

    #[error(
        "{file}: formula names column \"{name}\", which the data does not have; \
         the columns are: {}", available.join(", ")
    )]
    UnknownColumn {
        file: String,
        name: String,
        available: Vec<String>,
    },

    #[error("the response \"{name}\" also appears on the right of `~`; remove it from the terms")]
    ResponseOnBothSides { name: String },

    #[error(
        "{at}: column \"{name}\" (column {index}): \"{text}\" is not a number, though \
         {numbers} of the column's {} cells are; fix the cell if \"{name}\" is numeric, or \
         write factor({name}) in the formula to use every value as a category", numbers + words
    )]
    NotANumber {
        /// `file:line` of the cell.
        at: String,
        name: String,
        index: usize,
        text: String,
        numbers: usize,
        words: usize,
    },

    #[error(
        "{at}: column \"{name}\" holds text (\"{text}\"), so it can only enter the \
         formula as a category (`{name}`, `C({name})`), not in `{term}`"
    )]
    TextInArithmetic {
        /// `file:line` of the column's first text cell.
        at: String,
        name: String,
        text: String,
        term: String,
    },

    #[error(
        "{at}: {function}({name}) needs {domain}, but {name} is {value}; drop or fix the row, \
         or choose a transformation defined there"
    )]
    Domain {
        at: String,
        function: Function,
        name: String,
        domain: String,
        value: f64,
    },

    #[error(
        "{at}: column \"{name}\" has the level \"{level}\", which the model was not fitted \
         with (its levels: {}); fix the cell, or fit the model on data that has this level",
        levels.join(", ")
    )]
    UnseenLevel {
        at: String,
        name: String,
        level: String,
        levels: Vec<String>,
    },

    #[error(
        "C({name}, ref = \"{reference}\"): \"{reference}\" is not a level of \"{name}\"; \
         its levels are: {}",
        levels.join(", ")
    )]
    UnknownReference {
        name: String,
        reference: String,
        levels: Vec<String>,
    },

    #[error(
        "{file}: column \"{name}\" is categorical, which needs every level known before the \
         first row: read the file whole (no --chunk-rows, --cache or more files) to use it"
    )]
    CategoricalStreamed { file: String, name: String },

    #[error(
        "feature {feature} overflows at data row {row}: it is {value}, beyond f64's range \
         (about 1.8e308); rescale the column (divide it by a power of 10) or lower the power"
    )]
    Overflow {
        feature: String,
        /// 1-based, counting the rows read (after any dropped ones).
        row: usize,
        value: f64,
    },
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

    /// Feature names this formula gives on `data`, in θ order (θ1, θ2, …).
    pub fn feature_names(&self, data: &Dataset) -> Result<Vec<String>, FormulaError> {
        let coding = self.coding(data)?;
        Ok(self
            .features(data, &coding)?
            .into_iter()
            .map(|f| f.name())
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
            let Some((key, column)) = term.categorical_key(data, None) else {
                continue;
            };
            if data.text_column(column).is_none() && data.column(column).is_err() {
                return Err(unknown(data, column));
            }
            let levels = coding::learn_levels(data, column).expect("the column exists");
            if let Term::Categorical(c, Some(reference)) = &term {
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
        Ok(coding)
    }

    /// [`design`](Self::design) with the categorical levels of `coding`
    /// (a fitted model's): a level of `data` outside them is an error
    /// naming its row.
    pub fn design_coded(&self, data: &Dataset, coding: &Coding) -> Result<Design, FormulaError> {
        let features = self.features(data, coding)?;
        let y = lookup(data, &self.response, &self.response)?.to_vec();
        let n = data.n_rows();
        let d = features.len();
        let mut x = vec![0.0; n * d];
        for (j, feature) in features.iter().enumerate() {
            let values = feature.values(data)?;
            // Columns are finite (the reader refuses the rest), so only a
            // power or a product can leave f64's range.
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
            response: self.response.clone(),
            names: features.iter().map(Feature::name).collect(),
            intercept: self.intercept,
            n,
            d,
            x,
            y,
        })
    }

    /// The terms with `.` written out against `data`: its numeric columns
    /// in order, then its text columns, the response left out.
    fn expanded(&self, data: &Dataset) -> Vec<Term> {
        let mut out = Vec::new();
        for term in &self.terms {
            if *term == Term::Dot {
                let all = data.all_names();
                let others = all.into_iter().filter(|c| *c != self.response);
                out.extend(others.map(Term::Column));
            } else {
                out.push(term.clone());
            }
        }
        out
    }

    /// Expands the terms into distinct features (first occurrence wins).
    fn features(&self, data: &Dataset, coding: &Coding) -> Result<Vec<Feature>, FormulaError> {
        let mut out: Vec<Feature> = Vec::new();
        let mut push = |f: Feature| {
            if !out.contains(&f) {
                out.push(f);
            }
        };
        for term in self.expanded(data) {
            for column in term.columns() {
                if column == self.response {
                    return Err(FormulaError::ResponseOnBothSides {
                        name: column.into(),
                    });
                }
            }
            if let Some((key, column)) = term.categorical_key(data, Some(coding)) {
                let Some(levels) = coding.levels.get(&key) else {
                    // A text column the coding took for numbers: say why not.
                    lookup(data, column, &term.to_string())?;
                    unreachable!("a text column is not numbers");
                };
                let reference = match &term {
                    Term::Categorical(_, Some(r)) => r.as_str(),
                    _ => levels[0].as_str(),
                };
                let prefix = match &term {
                    Term::Column(c) => c.clone(),
                    Term::Factor(_) | Term::Categorical(..) => key.clone(),
                    _ => unreachable!("only these terms are categorical"),
                };
                for level in levels.iter().filter(|l| *l != reference) {
                    push(Feature::Indicator {
                        column: column.into(),
                        prefix: prefix.clone(),
                        levels: levels.clone(),
                        level: level.clone(),
                    });
                }
                continue;
            }
            for column in term.columns() {
                lookup(data, column, &term.to_string())?;
            }
            match term {
                Term::Column(c) => push(Feature::Power(c, 1)),
                Term::Power(c, k) => push(Feature::Power(c, k)),
                Term::Product(a, b) => push(Feature::Product(a, b)),
                Term::Poly(c, k) => (1..=k).for_each(|p| push(Feature::Power(c.clone(), p))),
                Term::Apply(f, c) => push(Feature::Apply(f, c)),
                Term::Factor(_) | Term::Categorical(..) | Term::Dot => {
                    unreachable!("categorical terms and `.` are handled above")
                }
            }
        }
        Ok(out)
    }
}

impl Formula {
    /// The data columns this formula reads (response first), given the
    /// columns a file has: `.` reads them all. Lets columnar readers skip
    /// the rest.
    pub fn columns_used(&self, available: &[String]) -> Vec<String> {
        let mut out = vec![self.response.clone()];
        let dot = self.terms.contains(&Term::Dot);
        for c in available {
            let named = self.terms.iter().any(|t| t.columns().contains(&c.as_str()));
            if (dot || named) && !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }

    /// The columns a reader needs for this formula, response first, for
    /// [`ReadOptions::only`](crate::data::ReadOptions): `None` when `.`
    /// asks for every column.
    pub fn columns_to_read(&self) -> Option<Vec<String>> {
        if self.terms.contains(&Term::Dot) {
            return None;
        }
        let mut out = vec![self.response.clone()];
        for c in self.terms.iter().flat_map(Term::columns) {
            if !out.iter().any(|o| o == c) {
                out.push(c.into());
            }
        }
        Some(out)
    }
}

impl Term {
    pub(crate) fn columns(&self) -> Vec<&str> {
        match self {
            Term::Column(c)
            | Term::Power(c, _)
            | Term::Poly(c, _)
            | Term::Apply(_, c)
            | Term::Factor(c)
            | Term::Categorical(c, _) => vec![c],
            Term::Product(a, b) => vec![a, b],
            Term::Dot => vec![],
        }
    }

    /// For a categorical term on `data`: the key of its levels in a
    /// [`Coding`] (`region`, `factor(x)`, `C(region)`) and its column. A
    /// bare column is categorical when its cells are all text, or when
    /// `coding` (a fitted model's) has levels for it.
    fn categorical_key<'a>(
        &'a self,
        data: &Dataset,
        coding: Option<&Coding>,
    ) -> Option<(String, &'a str)> {
        match self {
            Term::Column(c) => {
                let labels = data.text_column(c).is_some_and(coding::is_labels);
                let coded = coding.is_some_and(|k| k.levels.contains_key(c));
                (labels || coded).then(|| (c.clone(), c.as_str()))
            }
            Term::Factor(c) => Some((format!("factor({})", Name(c)), c)),
            Term::Categorical(c, _) => Some((format!("C({})", Name(c)), c)),
            _ => None,
        }
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

/// One column of X.
#[derive(Debug, Clone, PartialEq)]
enum Feature {
    /// x^k; k = 1 is the column itself.
    Power(String, u32),
    Product(String, String),
    /// f(x).
    Apply(Function, String),
    /// 1 where `column` is `level` (one of `levels`), named `{prefix}{level}`.
    Indicator {
        column: String,
        prefix: String,
        levels: Vec<String>,
        level: String,
    },
}

impl Feature {
    fn name(&self) -> String {
        match self {
            Feature::Power(c, 1) => c.clone(),
            Feature::Power(c, k) => format!("{c}^{k}"),
            Feature::Product(a, b) => format!("{a}*{b}"),
            Feature::Apply(f, c) => format!("{f}({})", Name(c)),
            Feature::Indicator { prefix, level, .. } => format!("{prefix}{level}"),
        }
    }

    /// The feature's values. Powers are rounded once, not once per
    /// multiplication as `powi` does: on Filip (x¹⁰) that is worth about
    /// 0.5 digits in the standard errors and residual SD (measured).
    fn values(&self, data: &Dataset) -> Result<Vec<f64>, FormulaError> {
        Ok(match self {
            Feature::Power(c, k) => {
                let k = *k;
                let term = self.name();
                lookup(data, c, &term)?
                    .iter()
                    .map(|&v| power(v, k))
                    .collect()
            }
            Feature::Product(a, b) => {
                let term = self.name();
                let b = lookup(data, b, &term)?;
                lookup(data, a, &term)?
                    .iter()
                    .zip(b)
                    .map(|(u, v)| u * v)
                    .collect()
            }
            Feature::Apply(f, c) => {
                let values = lookup(data, c, &self.name())?;
                let apply = |(i, &v): (usize, &f64)| {
                    f.apply(v).ok_or_else(|| FormulaError::Domain {
                        at: data.row_at(i),
                        function: *f,
                        name: c.clone(),
                        domain: f.domain(c),
                        value: v,
                    })
                };
                values
                    .iter()
                    .enumerate()
                    .map(apply)
                    .collect::<Result<_, _>>()?
            }
            Feature::Indicator {
                column,
                levels,
                level,
                ..
            } => coding::indicator(data, column, levels, level)?,
        })
    }
}

impl std::str::FromStr for Formula {
    type Err = FormulaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Formula::parse(s)
    }
}

/// The canonical form: `y ~ a + I(b^2) + poly(c, 3)`, then ` - 1` when
/// there is no intercept; `y ~ 1` for the intercept alone.
impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ~ ", Name(&self.response))?;
        if self.terms.is_empty() {
            return write!(f, "{}", if self.intercept { "1" } else { "0" });
        }
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                write!(f, " + ")?;
            }
            write!(f, "{term}")?;
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
            Term::Column(c) => write!(f, "{}", Name(c)),
            Term::Power(c, k) => write!(f, "I({}^{k})", Name(c)),
            Term::Product(a, b) => write!(f, "I({}*{})", Name(a), Name(b)),
            Term::Poly(c, k) => write!(f, "poly({}, {k})", Name(c)),
            Term::Apply(g, c) => write!(f, "{g}({})", Name(c)),
            Term::Factor(c) => write!(f, "factor({})", Name(c)),
            Term::Categorical(c, None) => write!(f, "C({})", Name(c)),
            Term::Categorical(c, Some(r)) => write!(f, "C({}, ref = \"{r}\")", Name(c)),
            Term::Dot => write!(f, "."),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Formula {
        Formula::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn col(c: &str) -> Term {
        Term::Column(c.into())
    }

    fn syntax_column(s: &str) -> (usize, String) {
        match Formula::parse(s) {
            Err(FormulaError::Syntax {
                column, message, ..
            }) => (column, message),
            other => panic!("{s}: expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn intercept_forms() {
        assert!(parse("y ~ x").intercept);
        assert!(!parse("y ~ x - 1").intercept);
        assert!(!parse("y ~ 0 + x").intercept);
        assert!(!parse("y ~ -1 + x").intercept);
        assert!(parse("y ~ 1 + x").intercept);
        let only = parse("y ~ 1");
        assert!(only.intercept && only.terms.is_empty());
        assert_eq!(parse("y~x-1"), parse("  y  ~  x  -  1 "));
    }

    #[test]
    fn term_forms() {
        assert_eq!(parse("y ~ x1 + x2").terms, [col("x1"), col("x2")]);
        assert_eq!(
            parse("y ~ x + I(x^2) + I(a*b) + poly(z, 5) + .").terms,
            [
                col("x"),
                Term::Power("x".into(), 2),
                Term::Product("a".into(), "b".into()),
                Term::Poly("z".into(), 5),
                Term::Dot
            ]
        );
        assert_eq!(parse("`my col` ~ `a b`").terms, [col("a b")]);
        assert_eq!(parse("`my col` ~ `a b`").response, "my col");
    }

    #[test]
    fn parsing_normalizes() {
        assert_eq!(parse("y ~ I(x^1) + poly(x, 1) + I(x)").terms, [col("x")]);
        assert_eq!(parse("y ~ I(x*x)").terms, [Term::Power("x".into(), 2)]);
        assert_eq!(parse("y ~ x + z + x").terms, [col("x"), col("z")]);
    }

    #[test]
    fn presets_print_as_documented() {
        let printed: Vec<String> = ["origin", "line", "plane"]
            .iter()
            .map(|p| Formula::preset(p).unwrap().to_string())
            .collect();
        assert_eq!(printed, ["y ~ x - 1", "y ~ x", "y ~ x1 + x2"]);
        assert!(Formula::preset("cube").is_none());
    }

    #[test]
    fn canonical_print() {
        assert_eq!(parse("y~0+poly(x,3)").to_string(), "y ~ poly(x, 3) - 1");
        assert_eq!(parse("y ~ 1").to_string(), "y ~ 1");
        assert_eq!(parse("`a b` ~ I( c*d )").to_string(), "`a b` ~ I(c*d)");
    }

    #[test]
    fn errors_point_at_the_column() {
        // "y ~ x +" is 7 characters; the missing term would start at column 8.
        assert_eq!(syntax_column("y ~ x +").0, 8);
        let e = Formula::parse("y ~ x +").unwrap_err().to_string();
        assert!(e.starts_with("y ~ x +\n       ^ expected a term"), "{e}");
        assert_eq!(syntax_column("y x").0, 3); // `~` expected at "x"
        assert_eq!(syntax_column("").0, 1);
        assert_eq!(syntax_column("y ~ x - z").0, 9);
        assert_eq!(syntax_column("y ~ I(x^0)").0, 9);
        assert_eq!(syntax_column("y ~ poly(x)").0, 11);
        assert_eq!(syntax_column("y ~ ln(x)").0, 5);
        assert_eq!(syntax_column("y ~ 2").0, 5);
        assert_eq!(syntax_column("y ~ x x").0, 7);
        assert_eq!(syntax_column("y ~ 0").0, 4);
        assert_eq!(syntax_column("y ~ 1 + x - 1").0, 13);
        assert_eq!(syntax_column("y ~ `x").0, 5);
        // Columns count characters, not bytes: θ is two bytes in UTF-8.
        assert_eq!(syntax_column("θ ~ x +").0, 8);
    }

    fn data() -> Dataset {
        Dataset::new(
            vec!["a".into(), "y".into(), "b".into()],
            vec![
                vec![1.0, 2.0, 3.0],
                vec![10.0, 20.0, 30.0],
                vec![-1.0, 0.5, 2.0],
            ],
        )
        .unwrap()
    }

    #[test]
    fn design_builds_features_row_major() {
        let d = parse("y ~ a + I(a^2) + I(a*b)").design(&data()).unwrap();
        assert_eq!(d.names, ["a", "a^2", "a*b"]);
        assert_eq!((d.n, d.d, d.intercept), (3, 3, true));
        // Row 2: a = 3, a² = 9, a·b = 3·2 = 6.
        assert_eq!(d.row(2), [3.0, 9.0, 6.0]);
        assert_eq!(d.y, [10.0, 20.0, 30.0]);
    }

    #[test]
    fn design_dot_and_poly() {
        let dot = parse("y ~ .").design(&data()).unwrap();
        assert_eq!(dot.names, ["a", "b"]);
        let poly = parse("y ~ poly(b, 3) - 1").design(&data()).unwrap();
        assert_eq!(poly.names, ["b", "b^2", "b^3"]);
        assert!(!poly.intercept);
        // b = 0.5: 0.5, 0.25, 0.125.
        assert_eq!(poly.row(1), [0.5, 0.25, 0.125]);
        // x and poly(x, 2) share the feature x: it appears once.
        let overlap = parse("y ~ a + poly(a, 2) + .").design(&data()).unwrap();
        assert_eq!(overlap.names, ["a", "a^2", "b"]);
        let only = parse("y ~ 1").design(&data()).unwrap();
        assert_eq!((only.d, only.x.len()), (0, 0));
    }

    #[test]
    fn design_errors_name_the_column() {
        let e = parse("y ~ a + c").design(&data()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("\"c\"") && msg.contains("a, y, b"), "{msg}");
        let e = parse("z ~ a").design(&data()).unwrap_err();
        assert!(matches!(e, FormulaError::UnknownColumn { ref name, .. } if name == "z"));
        let e = parse("y ~ a + y").design(&data()).unwrap_err();
        assert_eq!(e, FormulaError::ResponseOnBothSides { name: "y".into() });
    }

    fn table(text: &str) -> Dataset {
        let opts = crate::data::ReadOptions::default();
        let mut data = crate::data::read_csv_str("t.csv", text, &opts).unwrap().0;
        data.path = Some("t.csv".into());
        data
    }

    /// y, a number x, and a text column region (levels written unsorted).
    fn regions() -> Dataset {
        table("y,x,region\n1,10,South\n2,2,North\n3,9,west\n4,2,East\n5,10,South\n")
    }

    #[test]
    fn a_text_column_is_treatment_coded_in_code_point_order() {
        let d = parse("y ~ x + region").design(&regions()).unwrap();
        // Code-point order: uppercase before lowercase, so East (the
        // reference) < North < South < west; R in the C locale and patsy agree.
        assert_eq!(d.names, ["x", "regionNorth", "regionSouth", "regionwest"]);
        // Row 3 (line 4) is west: only the west indicator is 1.
        assert_eq!(d.row(2), [9.0, 0.0, 0.0, 1.0]);
        // Row 4 is East, the reference: every indicator 0.
        assert_eq!(d.row(3), [2.0, 0.0, 0.0, 0.0]);
        let coding = parse("y ~ region").coding(&regions()).unwrap();
        assert_eq!(coding.levels["region"], ["East", "North", "South", "west"]);
    }

    #[test]
    fn factor_sorts_numbers_as_numbers_and_c_names_the_reference() {
        let d = parse("y ~ factor(x)").design(&regions()).unwrap();
        // x takes 10, 2, 9: as numbers 2 < 9 < 10 (as strings "10" < "2").
        assert_eq!(d.names, ["factor(x)9", "factor(x)10"]);
        assert_eq!(d.row(0), [0.0, 1.0]);
        let c = parse("y ~ C(region, ref = \"South\")")
            .design(&regions())
            .unwrap();
        assert_eq!(
            c.names,
            ["C(region)East", "C(region)North", "C(region)west"]
        );
        let patsy = parse("y ~ C(region, Treatment(\"South\"))");
        assert_eq!(patsy, parse("y ~ C(region, ref = \"South\")"));
        assert_eq!(patsy.to_string(), "y ~ C(region, ref = \"South\")");
        let e = parse("y ~ C(region, ref = \"Mars\")")
            .design(&regions())
            .unwrap_err();
        assert!(e.to_string().contains("East, North, South, west"), "{e}");
    }

    #[test]
    fn a_stray_word_in_a_numeric_column_is_named_not_coded() {
        // Line 4 holds "l0" (a typo for 10) among numbers.
        let data = table("y,x\n1,1\n2,2\n3,l0\n4,4\n");
        let e = parse("y ~ x").design(&data).unwrap_err();
        assert!(
            matches!(
                e,
                FormulaError::NotANumber {
                    ref at,
                    index: 2,
                    numbers: 3,
                    words: 1,
                    ..
                } if at == "t.csv:4"
            ),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with("t.csv:4: column \"x\" (column 2): \"l0\""),
            "{msg}"
        );
        assert!(msg.contains("factor(x)"), "{msg}");
        // Said to be a category, every value is a label (sorted as text).
        let f = parse("y ~ factor(x)").design(&data).unwrap();
        assert_eq!(f.names, ["factor(x)2", "factor(x)4", "factor(x)l0"]);
        // A text column cannot enter arithmetic.
        let e = parse("y ~ I(region^2)").design(&regions()).unwrap_err();
        assert!(
            matches!(e, FormulaError::TextInArithmetic { ref at, .. } if at == "t.csv:2"),
            "{e:?}"
        );
    }

    #[test]
    fn new_rows_are_coded_with_the_fitted_levels() {
        let f = parse("y ~ region");
        let coding = f.coding(&regions()).unwrap();
        // The new file has only two of the levels: still four columns.
        let new = table("y,region\n0,west\n0,North\n");
        let d = f.design_coded(&new, &coding).unwrap();
        assert_eq!(d.names, ["regionNorth", "regionSouth", "regionwest"]);
        assert_eq!(d.x, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        let new = table("y,region\n0,west\n0,Central\n");
        let e = f.design_coded(&new, &coding).unwrap_err();
        assert!(
            matches!(e, FormulaError::UnseenLevel { ref at, ref level, .. }
                if at == "t.csv:3" && level == "Central"),
            "{e:?}"
        );
    }

    #[test]
    fn functions_of_a_column_and_their_domains() {
        let data = table("y,x\n1,1\n2,4\n3,0.25\n");
        let d = parse("y ~ log(x) + sqrt(x) + abs(x) + exp(x) - 1")
            .design(&data)
            .unwrap();
        assert_eq!(d.names, ["log(x)", "sqrt(x)", "abs(x)", "exp(x)"]);
        // x = 4: ln 4, √4 = 2, |4| = 4, e⁴ (f64's own ln and exp).
        assert_eq!(d.row(1), [4f64.ln(), 2.0, 4.0, 4f64.exp()]);
        // Line 3 holds x = 0: log is undefined there.
        let zero = table("y,x\n1,1\n2,0\n");
        let e = parse("y ~ log(x)").design(&zero).unwrap_err();
        assert!(
            matches!(e, FormulaError::Domain { ref at, value, .. } if at == "t.csv:3" && value == 0.0),
            "{e:?}"
        );
        assert!(e.to_string().contains("log(x) needs x > 0"), "{e}");
        let big = table("y,x\n1,1000\n");
        let e = parse("y ~ exp(x)").design(&big).unwrap_err();
        assert!(matches!(e, FormulaError::Overflow { row: 1, .. }), "{e:?}");
    }

    #[test]
    fn columns_to_read_are_the_formulas() {
        let f = parse("y ~ a + I(a*b) + C(r)");
        assert_eq!(f.columns_to_read().unwrap(), ["y", "a", "b", "r"]);
        assert_eq!(parse("y ~ . - 1").columns_to_read(), None);
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9_.]{0,6}",
            Just("I".to_string()),
            Just("poly".to_string()),
            Just("my col".to_string()),
            Just("θ2".to_string()),
            Just("1x".to_string()),
        ]
    }

    fn term() -> impl Strategy<Value = Term> {
        prop_oneof![
            name().prop_map(Term::Column),
            (name(), 2..=MAX_DEGREE).prop_map(|(c, k)| Term::Power(c, k)),
            (name(), name())
                .prop_filter("distinct", |(a, b)| a != b)
                .prop_map(|(a, b)| Term::Product(a, b)),
            (name(), 2..=MAX_DEGREE).prop_map(|(c, k)| Term::Poly(c, k)),
            name().prop_map(Term::Factor),
            (prop::sample::select(Function::ALL.to_vec()), name())
                .prop_map(|(f, c)| Term::Apply(f, c)),
            (name(), prop::option::of("[a-zA-Z0-9 ._θ-]{0,6}"))
                .prop_map(|(c, r)| Term::Categorical(c, r)),
            Just(Term::Dot),
        ]
    }

    fn formula() -> impl Strategy<Value = Formula> {
        (name(), any::<bool>(), prop::collection::vec(term(), 0..6)).prop_map(
            |(response, intercept, raw)| {
                let mut terms = Vec::new();
                for t in raw {
                    if !terms.contains(&t) {
                        terms.push(t);
                    }
                }
                let intercept = intercept || terms.is_empty();
                Formula {
                    response,
                    intercept,
                    terms,
                }
            },
        )
    }

    proptest! {
        /// Law: the canonical print parses back to the same formula.
        #[test]
        fn parse_inverts_print(f in formula()) {
            let printed = f.to_string();
            prop_assert_eq!(Formula::parse(&printed), Ok(f), "{}", printed);
        }

        /// Law: parsing never panics, and what parses prints to a fixed point.
        #[test]
        fn print_is_a_fixed_point_of_parse(s in "[ya-c~+\\-*^().,`I01 2]{0,20}") {
            if let Ok(f) = Formula::parse(&s) {
                let again = Formula::parse(&f.to_string());
                prop_assert_eq!(again, Ok(f));
            }
        }
    }
}
