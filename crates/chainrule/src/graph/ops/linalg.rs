//! Products that contract an index: dot (vector·vector → scalar) and matvec
//! (matrix n×d times vector d → vector n). Z1 = X·θ is a matvec.

use crate::graph::sum::RowSums;
use crate::graph::Mark::{Operand, Text};
use crate::graph::{GraphError, Inputs, Jacobian, Notation, Op, Partial, RowRule, Shape};

#[derive(Debug)]
pub struct Dot;

impl Op for Dot {
    fn name(&self) -> String {
        "dot".into()
    }

    fn arity(&self) -> usize {
        2
    }

    fn shape(&self, sa: Shape, sb: Shape) -> Result<Shape, GraphError> {
        match (sa, sb) {
            (Shape::Vector(n), Shape::Vector(m)) if n == m => Ok(Shape::Scalar),
            _ => Err(GraphError::ShapeMismatch {
                op: "dot",
                left: sa,
                right: sb,
                rule: "dot needs two vectors of the same length",
            }),
        }
    }

    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]) {
        out[0] = x.a.iter().zip(x.b).map(|(a, b)| a * b).sum();
    }

    /// ∂(a·b)/∂a = bᵀ, ∂(a·b)/∂b = aᵀ.
    fn vjp(&self, i: usize, x: &Inputs<'_>, _: &[f64], upstream: &[f64], grad: &mut [f64]) {
        let other = if i == 0 { x.b } else { x.a };
        for (g, &o) in grad.iter_mut().zip(other) {
            *g += upstream[0] * o;
        }
    }

    fn jacobian(&self, i: usize, x: &Inputs<'_>, _: &[f64]) -> Jacobian {
        let other = if i == 0 { x.b } else { x.a };
        Jacobian {
            rows: 1,
            cols: other.len(),
            data: other.to_vec(),
        }
    }

    fn notation(&self) -> Option<Notation> {
        Some(Notation {
            marks: vec![
                Text("dot(", "\\operatorname{dot}("),
                Operand(0, 0),
                Text(", ", ", "),
                Operand(1, 0),
                Text(")", ")"),
            ],
            precedence: 9,
        })
    }

    /// ∂(a·b)/∂a = bᵀ, ∂(a·b)/∂b = aᵀ.
    fn partial_notation(&self, i: usize, _: Shape, _: Shape) -> Partial {
        Partial::Plain(vec![Operand(1 - i, 5), Text("ᵀ", "^{\\top}")])
    }
}

#[derive(Debug)]
pub struct MatVec;

fn dims(x: &Inputs<'_>) -> (usize, usize) {
    match x.sa {
        Shape::Matrix(n, d) => (n, d),
        _ => unreachable!("shape() admits only a matrix on the left"),
    }
}

impl Op for MatVec {
    fn name(&self) -> String {
        "matvec".into()
    }

    fn arity(&self) -> usize {
        2
    }

    fn shape(&self, sa: Shape, sb: Shape) -> Result<Shape, GraphError> {
        match (sa, sb) {
            (Shape::Matrix(n, d), Shape::Vector(m)) if d == m => Ok(Shape::Vector(n)),
            _ => Err(GraphError::ShapeMismatch {
                op: "matvec",
                left: sa,
                right: sb,
                rule: "M @ v needs an n×d matrix and a vector of length d",
            }),
        }
    }

    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]) {
        let (_, d) = dims(x);
        if d == 0 {
            out.fill(0.0);
            return;
        }
        match d {
            1 => rows_dot::<1>(x.a, x.b, out),
            2 => rows_dot::<2>(x.a, x.b, out),
            3 => rows_dot::<3>(x.a, x.b, out),
            4 => rows_dot::<4>(x.a, x.b, out),
            _ => {
                for (o, row) in out.iter_mut().zip(x.a.chunks_exact(d)) {
                    *o = row.iter().zip(x.b).map(|(m, v)| m * v).sum();
                }
            }
        }
    }

    /// ∂out_r/∂M\[r,c\] = v_c, so grad_M += upstream·vᵀ;
    /// ∂out/∂v = M, so grad_v += Mᵀ·upstream.
    fn vjp(&self, i: usize, x: &Inputs<'_>, _: &[f64], upstream: &[f64], grad: &mut [f64]) {
        let (_, d) = dims(x);
        if d == 0 {
            return;
        }
        if i == 0 {
            for (grow, &u) in grad.chunks_exact_mut(d).zip(upstream) {
                for (g, &v) in grow.iter_mut().zip(x.b) {
                    *g += u * v;
                }
            }
        } else {
            // A sum over rows, so in `sum.rs`'s order, added once.
            let mut sums = RowSums::new(d);
            self.vjp_rows(1, x, &[], upstream, &mut sums);
            for (g, s) in grad.iter_mut().zip(sums.finish()) {
                *g += s;
            }
        }
    }

    /// Row r of M·v reads row r of M and all of v.
    fn row_rule(&self, rows: [bool; 2], _: Shape, _: Shape) -> RowRule {
        if rows == [true, false] {
            RowRule::Rowwise
        } else {
            RowRule::Whole
        }
    }

    /// ∂out_r/∂v = M\[r, :\]: row r adds upstream_r·M\[r, c\] to Σ for v_c.
    fn vjp_rows(&self, _: usize, x: &Inputs<'_>, _: &[f64], up: &[f64], sums: &mut RowSums) {
        let (_, d) = dims(x);
        if d == 0 {
            return;
        }
        sums.add_rows(up.len(), |lo, terms| {
            let (m, up) = (&x.a[lo * d..], &up[lo..]);
            match d {
                1 => scaled_rows::<1>(m, up, terms),
                2 => scaled_rows::<2>(m, up, terms),
                3 => scaled_rows::<3>(m, up, terms),
                4 => scaled_rows::<4>(m, up, terms),
                _ => {
                    for (t, (m, &u)) in terms.chunks_exact_mut(d).zip(m.chunks_exact(d).zip(up)) {
                        for (t, &m) in t.iter_mut().zip(m) {
                            *t = u * m;
                        }
                    }
                }
            }
        });
    }

    fn jacobian(&self, i: usize, x: &Inputs<'_>, _: &[f64]) -> Jacobian {
        let (n, d) = dims(x);
        if i == 0 {
            let mut jac = Jacobian::zeros(n, n * d);
            for r in 0..n {
                for c in 0..d {
                    jac.set(r, r * d + c, x.b[c]);
                }
            }
            jac
        } else {
            Jacobian {
                rows: n,
                cols: d,
                data: x.a.to_vec(),
            }
        }
    }

    fn notation(&self) -> Option<Notation> {
        Some(Notation::infix(2, "·", " ", 3, 2))
    }

    /// ∂(M·v)/∂v = M; ∂(M·v)/∂M = I ⊗ vᵀ (row r of the output reads row r
    /// of M).
    fn partial_notation(&self, i: usize, _: Shape, _: Shape) -> Partial {
        Partial::Plain(if i == 1 {
            vec![Operand(0, 0)]
        } else {
            vec![
                Text("I ⊗ ", "I \\otimes "),
                Operand(1, 5),
                Text("ᵀ", "^{\\top}"),
            ]
        })
    }
}

/// out_r = Σ_c M\[r, c\]·v_c for D columns known at compile time: the same
/// sum, in the same order from −0.0, as `Iterator::sum` over the row, so
/// the bits do not depend on which path ran.
#[inline(always)]
fn rows_dot<const D: usize>(m: &[f64], v: &[f64], out: &mut [f64]) {
    let v: &[f64; D] = v.try_into().expect("v has D entries");
    let (rows, _) = m.as_chunks::<D>();
    for (o, r) in out.iter_mut().zip(rows) {
        let mut s = -0.0;
        for c in 0..D {
            s += r[c] * v[c];
        }
        *o = s;
    }
}

/// terms\[r, c\] = u_r·M\[r, c\] for the rows of `terms`, D columns.
#[inline(always)]
fn scaled_rows<const D: usize>(m: &[f64], up: &[f64], terms: &mut [f64]) {
    let (rows, _) = m.as_chunks::<D>();
    let (ts, _) = terms.as_chunks_mut::<D>();
    for ((t, r), &u) in ts.iter_mut().zip(rows).zip(up) {
        for c in 0..D {
            t[c] = u * r[c];
        }
    }
}
