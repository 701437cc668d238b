//! The tutorial's closed forms of a scalar chain: a total gradient as a
//! sum of monomials (a number times node names), then with each computed
//! node replaced by its forward formula, until only leaves remain:
//!
//! ```text
//! ∂L/∂z1 = −2·z2 = −2·(y − z1)
//! ∂L/∂θ  = −2·x·z2 = −2·x·(y − z1) = −2·x·(y − θ·x)
//! θ ← θ − lr·∂L/∂θ = θ + lr·2·x·(y − θ·x)
//! ```
//!
//! Built from the view's local partials in symbols (`Edge::sym`), so it is
//! the op's own notation multiplied out; a partial it cannot read as a
//! monomial (a matrix, a function call) leaves the node without closed
//! forms, and the derivation shows what it showed before.

use super::view::{Expr, Piece, View};

/// A number times a product of node names (trace ids, in a fixed order).
#[derive(Clone, Debug, PartialEq)]
pub struct Monomial {
    pub coeff: f64,
    pub atoms: Vec<usize>,
}

/// At most this many terms in one closed form (the unrolled graph has one
/// per sample).
const MAX_TERMS: usize = 4;
/// At most this many substitution rounds.
const MAX_ROUNDS: usize = 3;

/// A local partial as a monomial: factors split at `·`, each a number,
/// `−1`, `1/k` or a node name.
pub fn monomial(e: &Expr) -> Option<Monomial> {
    let mut m = Monomial {
        coeff: 1.0,
        atoms: Vec::new(),
    };
    let mut reciprocal = false;
    let mut negate_next = false;
    for piece in &e.0 {
        match piece {
            Piece::Node(id) => {
                if reciprocal {
                    return None;
                }
                m.atoms.push(*id);
            }
            Piece::Num(v) => {
                let v = if negate_next { -v } else { *v };
                negate_next = false;
                if reciprocal {
                    m.coeff /= v;
                    reciprocal = false;
                } else {
                    m.coeff *= v;
                }
            }
            Piece::Sym(text, _) => {
                for chunk in text.split('·').map(str::trim) {
                    match chunk {
                        "" => {}
                        "1/" => reciprocal = true,
                        "−" | "-" => negate_next = true,
                        c => {
                            let v: f64 = c.replace('−', "-").parse().ok()?;
                            m.coeff *= v;
                        }
                    }
                }
            }
        }
    }
    (!reciprocal && !negate_next && m.coeff.is_finite()).then_some(m)
}

fn times(a: &Monomial, b: &Monomial) -> Monomial {
    let mut atoms = a.atoms.clone();
    atoms.extend(&b.atoms);
    Monomial {
        coeff: a.coeff * b.coeff,
        atoms,
    }
}

/// Per view node, its total gradient ∂root/∂node as a sum of monomials
/// (None where a partial on the way is not a monomial, or too many terms).
pub fn totals(view: &View<'_>) -> Vec<Option<Vec<Monomial>>> {
    let mut out: Vec<Option<Vec<Monomial>>> = vec![None; view.trace.nodes.len()];
    let root = view.root();
    if !view.node(root).shape.is_scalar() {
        return out;
    }
    out[root] = Some(vec![Monomial {
        coeff: 1.0,
        atoms: vec![],
    }]);
    for id in view.backward_order() {
        if id == root || !view.node(id).shape.is_scalar() || view.node(id).grad.is_none() {
            continue;
        }
        let mut terms: Vec<Monomial> = Vec::new();
        let mut ok = true;
        for e in view.edges_from(id) {
            let (Some(up), Some(local)) = (out[e.to].as_ref(), monomial(&e.sym)) else {
                ok = false;
                break;
            };
            for t in up {
                let mut p = times(t, &local);
                p.atoms.sort_by_key(|&a| (view.formula(a).is_some(), a));
                match terms.iter_mut().find(|s| s.atoms == p.atoms) {
                    Some(s) => s.coeff += p.coeff,
                    None => terms.push(p),
                }
            }
        }
        terms.retain(|t| t.coeff != 0.0);
        if ok && !terms.is_empty() && terms.len() <= MAX_TERMS {
            out[id] = Some(terms);
        }
    }
    out
}

/// The closed forms of `terms`, first with node names, then with computed
/// nodes replaced by their formulas round by round (each form differs
/// from the one before). `negate`: the forms of −(terms), for the update.
pub fn forms(view: &View<'_>, terms: &[Monomial], negate: bool) -> Vec<Expr> {
    let sign = if negate { -1.0 } else { 1.0 };
    let mut current = sum(terms, sign);
    let mut out = vec![current.clone()];
    for _ in 0..MAX_ROUNDS {
        let next = substitute(view, &current);
        if next == current {
            break;
        }
        out.push(next.clone());
        current = next;
    }
    out
}

/// Whether a form is worth printing beside the partials: it says more
/// than a bare number.
pub fn has_names(e: &Expr) -> bool {
    e.0.iter().any(|p| matches!(p, Piece::Node(_)))
}

fn sym(text: &'static str, tex: &'static str) -> Piece {
    Piece::Sym(text, tex)
}

/// t1 + t2 − t3 …, each `c·a·b` with c = 1 dropped and −1 as a sign.
fn sum(terms: &[Monomial], sign: f64) -> Expr {
    let mut pieces = Vec::new();
    for (k, t) in terms.iter().enumerate() {
        let c = sign * t.coeff;
        match (k, c < 0.0) {
            (0, true) => pieces.push(sym("−", "-")),
            (0, false) => {}
            (_, true) => pieces.push(sym(" − ", " - ")),
            (_, false) => pieces.push(sym(" + ", " + ")),
        }
        let magnitude = c.abs();
        let mut first = true;
        if magnitude != 1.0 || t.atoms.is_empty() {
            pieces.push(Piece::Num(magnitude));
            first = false;
        }
        for &a in &t.atoms {
            if !first {
                pieces.push(sym("·", " \\cdot "));
            }
            pieces.push(Piece::Node(a));
            first = false;
        }
    }
    Expr(pieces)
}

/// Every computed node in `e` replaced by its formula, in parentheses
/// when the formula is a sum or difference.
fn substitute(view: &View<'_>, e: &Expr) -> Expr {
    let mut pieces = Vec::new();
    for p in &e.0 {
        match p {
            Piece::Node(id) => match view.formula(*id) {
                Some(f) => {
                    if is_sum(&f.expr) && e.0.len() > 1 {
                        pieces.push(sym("(", "\\left("));
                        pieces.extend(f.expr.0.iter().cloned());
                        pieces.push(sym(")", "\\right)"));
                    } else {
                        pieces.extend(f.expr.0.iter().cloned());
                    }
                }
                None => pieces.push(p.clone()),
            },
            other => pieces.push(other.clone()),
        }
    }
    Expr(pieces)
}

/// Whether a formula has a `+` or `−` outside parentheses.
fn is_sum(e: &Expr) -> bool {
    let mut depth = 0i32;
    for (k, p) in e.0.iter().enumerate() {
        if let Piece::Sym(text, _) = p {
            for c in text.chars() {
                match c {
                    '(' | '[' => depth += 1,
                    ')' | ']' => depth -= 1,
                    '+' | '−' | '-' if depth == 0 && k > 0 => return true,
                    _ => {}
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_read_as_monomials() {
        let two_z = Expr(vec![sym("2·", "2 \\cdot "), Piece::Node(7)]);
        assert_eq!(
            monomial(&two_z),
            Some(Monomial {
                coeff: 2.0,
                atoms: vec![7]
            })
        );
        let minus_one = Expr(vec![sym("−1", "-1")]);
        assert_eq!(monomial(&minus_one).unwrap().coeff, -1.0);
        let half = Expr(vec![sym("1/", "1/"), Piece::Num(2.0)]);
        assert_eq!(monomial(&half).unwrap().coeff, 0.5);
        let call = Expr(vec![sym("exp(", "\\exp("), Piece::Node(1), sym(")", ")")]);
        assert_eq!(monomial(&call), None);
    }
}
