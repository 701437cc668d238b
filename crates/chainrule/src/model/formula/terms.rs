//! The algebra of terms, as R's `terms()` does it: a term is a set of
//! variables; `a:b` is the union of two sets, `A*B` is A + B + A:B,
//! `(A)^k` is A*A*…*A (every interaction up to order k), `- B` takes B's
//! terms out. A list of terms is kept as written (first occurrence wins)
//! and sorted by order — main effects, then two-way interactions, … — only
//! when the design is built, as R's `terms()` sorts its term labels.
//!
//! Within a term the variables stand in the order in which they first
//! appear in the formula, as in R (`y ~ x + region:x` names the
//! interaction `x:region`; `y ~ x*x2 - x` keeps `x:x2`); see
//! [`Terms::finish`] for how printing keeps that order.

use super::{Term, Variable};

/// Most terms a formula may expand to: `(x1 + … + x20)^20` would be a
/// million, each a column or more of X. Fixed: no model fits that many.
pub const MAX_TERMS: usize = 1000;

/// Why an interaction is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// `.` stands for main effects only.
    Dot,
    /// More than [`MAX_TERMS`] terms.
    TooMany,
}

impl Refused {
    pub(super) fn message(self) -> String {
        match self {
            Refused::Dot => "`.` cannot enter an interaction".into(),
            Refused::TooMany => format!(
                "this expands to more than {MAX_TERMS} terms (the limit); interact fewer \
                 variables or lower the power"
            ),
        }
    }
}

/// A list of terms while parsing: each term's variables in first-seen
/// order, so that equal sets compare equal.
#[derive(Debug, Clone, Default)]
pub(super) struct Terms(pub Vec<Term>);

impl Terms {
    pub(super) fn one(term: Term) -> Terms {
        Terms(vec![term])
    }

    /// A + B: B's terms that A lacks, after A's.
    pub(super) fn plus(mut self, other: Terms) -> Terms {
        for t in other.0 {
            if !self.0.contains(&t) {
                self.0.push(t);
            }
        }
        self
    }

    /// A:B: every term of A joined with every term of B.
    pub(super) fn colon(&self, other: &Terms, seen: &[Variable]) -> Result<Terms, Refused> {
        let mut out = Terms::default();
        for a in &self.0 {
            for b in &other.0 {
                let (Term::Interaction(a), Term::Interaction(b)) = (a, b) else {
                    return Err(Refused::Dot);
                };
                let mut joined = a.clone();
                joined.extend(b.iter().filter(|v| !a.contains(v)).cloned());
                out = out.plus(Terms::one(Term::Interaction(in_order(joined, seen))));
                if out.0.len() > MAX_TERMS {
                    return Err(Refused::TooMany);
                }
            }
        }
        Ok(out)
    }

    /// A*B = A + B + A:B.
    pub(super) fn star(self, other: Terms, seen: &[Variable]) -> Result<Terms, Refused> {
        let both = self.colon(&other, seen)?;
        let out = self.plus(other).plus(both);
        match out.0.len() > MAX_TERMS {
            true => Err(Refused::TooMany),
            false => Ok(out),
        }
    }

    /// A − B: A without B's terms, and those of B not in A.
    pub(super) fn minus(mut self, other: &Terms) -> (Terms, Vec<Term>) {
        let mut absent = Vec::new();
        for t in &other.0 {
            match self.0.iter().position(|s| s == t) {
                Some(i) => {
                    self.0.remove(i);
                }
                None => absent.push(t.clone()),
            }
        }
        (self, absent)
    }

    /// The list as stored in a [`Formula`](super::Formula): each term's
    /// variables in `registry` order (R's: first appearance in the
    /// formula), and the terms as written — unless printing them so would
    /// let a parse read another variable order, when they are moved
    /// across interaction orders (which the design sorts anyway): R's
    /// order, or the reverse. If neither keeps `registry`'s order (it
    /// takes removed terms to get there), the variables follow their
    /// first appearance in the list as written.
    pub(super) fn finish(self, registry: &[Variable]) -> Vec<Term> {
        let written: Vec<Term> = self.0.into_iter().map(|t| sorted(t, registry)).collect();
        let mut ascending = written.clone();
        ascending.sort_by_key(Term::order);
        let mut descending = written.clone();
        descending.sort_by_key(|t| std::cmp::Reverse(t.order()));
        for candidate in [&written, &ascending, &descending] {
            let seen = appearance(candidate);
            if candidate.iter().all(|t| sorted(t.clone(), &seen) == *t) {
                return candidate.clone();
            }
        }
        let seen = appearance(&written);
        written.into_iter().map(|t| sorted(t, &seen)).collect()
    }
}

/// The variables in order of first appearance, reading the terms left to
/// right as printed.
fn appearance(terms: &[Term]) -> Vec<Variable> {
    let mut order: Vec<Variable> = Vec::new();
    for t in terms {
        if let Term::Interaction(vars) = t {
            for v in vars {
                if !order.contains(v) {
                    order.push(v.clone());
                }
            }
        }
    }
    order
}

/// A term's variables in `order`.
fn sorted(term: Term, order: &[Variable]) -> Term {
    match term {
        Term::Interaction(vars) => Term::Interaction(in_order(vars, order)),
        dot => dot,
    }
}

/// `vars` sorted by their position in `order` (each is in it).
fn in_order(mut vars: Vec<Variable>, order: &[Variable]) -> Vec<Variable> {
    let at = |v: &Variable| order.iter().position(|o| o == v).unwrap_or(usize::MAX);
    vars.sort_by_key(at);
    vars
}

/// How a categorical variable enters one term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Contrast {
    /// k − 1 indicators: every level but the reference.
    Treatment,
    /// k indicators, one per level.
    Full,
}

/// R's rule for coding the categorical variables of each term (Chambers
/// & Hastie 1992, §2.4.1; R's `TermCode` in `model.c`): in term T, a
/// categorical variable F gets contrasts when T without F is empty or is
/// contained in a term before T, else one indicator per level (`y ~
/// x:region` fits one slope per region). Without an intercept, the first
/// categorical variable of the first term that has one gets indicators
/// (`y ~ region - 1` fits one mean per region).
///
/// `terms` are sorted by order; the result is, per term and per variable,
/// `None` for a numeric variable.
pub(super) fn contrasts(
    terms: &[Vec<Variable>],
    categorical: impl Fn(&Variable) -> bool,
    intercept: bool,
) -> Vec<Vec<Option<Contrast>>> {
    let mut out: Vec<Vec<Option<Contrast>>> = Vec::new();
    for (j, term) in terms.iter().enumerate() {
        let coding = term
            .iter()
            .map(|f| {
                if !categorical(f) {
                    return None;
                }
                let rest: Vec<&Variable> = term.iter().filter(|v| *v != f).collect();
                let margin = rest.is_empty()
                    || terms[..j]
                        .iter()
                        .any(|t| rest.iter().all(|v| t.contains(v)));
                Some(if margin {
                    Contrast::Treatment
                } else {
                    Contrast::Full
                })
            })
            .collect();
        out.push(coding);
    }
    if !intercept {
        if let Some(first) = out.iter_mut().flatten().find(|c| c.is_some()) {
            *first = Some(Contrast::Full);
        }
    }
    out
}
