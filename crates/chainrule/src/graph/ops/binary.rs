//! Elementwise binary ops with scalar broadcasting on either side.
//!
//! An op states only its scalar rule f(a, b) and the partials ∂f/∂a, ∂f/∂b;
//! this file applies them over tensors. A scalar operand broadcast over a
//! tensor is read by every output element, so in backward its gradient is
//! the sum of what flows back from all of them.

use crate::graph::sum::RowSums;
use crate::graph::{GraphError, Inputs, Jacobian, Notation, Op, Partial, RowRule, Shape};
use std::fmt::Debug;
use std::marker::PhantomData;

pub trait Binary: Debug + Send + Sync + 'static {
    const NAME: &'static str;
    fn f(a: f64, b: f64) -> f64;
    /// ∂f/∂a at (a, b), where out = f(a, b).
    fn da(a: f64, b: f64, out: f64) -> f64;
    /// ∂f/∂b at (a, b), where out = f(a, b).
    fn db(a: f64, b: f64, out: f64) -> f64;
    /// How the derivation writes f(a, b).
    fn notation() -> Notation;
    /// How it writes ∂f/∂a (i = 0) or ∂f/∂b (i = 1).
    fn partial_notation(i: usize) -> Partial;
}

#[derive(Debug, Default)]
pub struct Elementwise<T>(PhantomData<T>);

impl<T> Elementwise<T> {
    pub fn new() -> Self {
        Elementwise(PhantomData)
    }
}

/// How the two operands line up.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Same,
    /// a is a scalar broadcast over b.
    AScalar,
    /// b is a scalar broadcast over a.
    BScalar,
}

fn layout(sa: Shape, sb: Shape) -> Layout {
    if sa == sb {
        Layout::Same
    } else if sa.is_scalar() {
        Layout::AScalar
    } else {
        Layout::BScalar
    }
}

impl<T: Binary> Elementwise<T> {
    /// ∂out_k/∂input_i for element k.
    #[inline(always)]
    fn partial(i: usize, a: f64, b: f64, out: f64) -> f64 {
        if i == 0 {
            T::da(a, b, out)
        } else {
            T::db(a, b, out)
        }
    }

    /// `each(k, upstream_k·∂out_k/∂input_i)` for the elements `lo..hi`.
    /// One loop per layout and input, its operand lookups fixed (a scalar
    /// repeats), so the hot loops carry no branches and vectorize.
    #[inline(always)]
    fn products(
        i: usize,
        x: &Inputs<'_>,
        out: &[f64],
        upstream: &[f64],
        (lo, hi): (usize, usize),
        each: impl FnMut(usize, f64),
    ) {
        let (out, up) = (&out[lo..hi], &upstream[lo..hi]);
        match layout(x.sa, x.sb) {
            Layout::Same => Self::zipped(
                i,
                x.a[lo..hi].iter().copied(),
                x.b[lo..hi].iter().copied(),
                out,
                up,
                each,
            ),
            Layout::AScalar => Self::zipped(
                i,
                std::iter::repeat(x.a[0]),
                x.b[lo..hi].iter().copied(),
                out,
                up,
                each,
            ),
            Layout::BScalar => Self::zipped(
                i,
                x.a[lo..hi].iter().copied(),
                std::iter::repeat(x.b[0]),
                out,
                up,
                each,
            ),
        }
    }

    #[inline(always)]
    fn zipped(
        i: usize,
        a: impl Iterator<Item = f64>,
        b: impl Iterator<Item = f64>,
        out: &[f64],
        up: &[f64],
        mut each: impl FnMut(usize, f64),
    ) {
        let rows = a.zip(b).zip(out).zip(up).enumerate();
        if i == 0 {
            rows.for_each(|(k, (((a, b), &o), &u))| each(k, u * T::da(a, b, o)));
        } else {
            rows.for_each(|(k, (((a, b), &o), &u))| each(k, u * T::db(a, b, o)));
        }
    }

    /// upstream_k·∂out_k/∂input_i for every element k, into `sums`.
    #[inline(always)]
    fn terms(i: usize, x: &Inputs<'_>, out: &[f64], upstream: &[f64], sums: &mut RowSums) {
        sums.add_rows(out.len(), |lo, terms| {
            let hi = lo + terms.len();
            Self::products(i, x, out, upstream, (lo, hi), |k, v| terms[k] = v);
        });
    }

    /// Whether input i is the scalar side of a broadcast.
    fn broadcast(i: usize, lay: Layout) -> bool {
        matches!((i, lay), (0, Layout::AScalar) | (1, Layout::BScalar))
    }
}

impl<T: Binary> Op for Elementwise<T> {
    fn name(&self) -> String {
        T::NAME.to_string()
    }

    fn arity(&self) -> usize {
        2
    }

    fn shape(&self, sa: Shape, sb: Shape) -> Result<Shape, GraphError> {
        if sa == sb || sb.is_scalar() {
            Ok(sa)
        } else if sa.is_scalar() {
            Ok(sb)
        } else {
            Err(GraphError::ShapeMismatch {
                op: T::NAME,
                left: sa,
                right: sb,
                rule: "elementwise ops need equal shapes or a scalar on one side",
            })
        }
    }

    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]) {
        if let ([a], [b], [o]) = (x.a, x.b, &mut *out) {
            *o = T::f(*a, *b);
            return;
        }
        match layout(x.sa, x.sb) {
            Layout::Same => {
                for ((o, &a), &b) in out.iter_mut().zip(x.a).zip(x.b) {
                    *o = T::f(a, b);
                }
            }
            Layout::AScalar => {
                let a = x.a[0];
                for (o, &b) in out.iter_mut().zip(x.b) {
                    *o = T::f(a, b);
                }
            }
            Layout::BScalar => {
                let b = x.b[0];
                for (o, &a) in out.iter_mut().zip(x.a) {
                    *o = T::f(a, b);
                }
            }
        }
    }

    fn vjp(&self, i: usize, x: &Inputs<'_>, out: &[f64], upstream: &[f64], grad: &mut [f64]) {
        if let ([a], [b], [o], [u], [g]) = (x.a, x.b, out, upstream, &mut *grad) {
            // Scalar graphs (one sample) spend their time here.
            *g += u * Self::partial(i, *a, *b, *o);
            return;
        }
        if Self::broadcast(i, layout(x.sa, x.sb)) {
            let mut sums = RowSums::new(1);
            Self::terms(i, x, out, upstream, &mut sums);
            grad[0] += sums.finish()[0];
        } else {
            Self::products(i, x, out, upstream, (0, out.len()), |k, v| grad[k] += v);
        }
    }

    /// Row-wise when both operands are rows of the same shape, or one is a
    /// scalar read whole (its gradient is then a sum over rows).
    fn row_rule(&self, rows: [bool; 2], sa: Shape, sb: Shape) -> RowRule {
        match rows {
            [true, true] if sa == sb => RowRule::Rowwise,
            [true, false] if sb.is_scalar() => RowRule::Rowwise,
            [false, true] if sa.is_scalar() => RowRule::Rowwise,
            _ => RowRule::Whole,
        }
    }

    fn vjp_rows(&self, i: usize, x: &Inputs<'_>, out: &[f64], up: &[f64], sums: &mut RowSums) {
        debug_assert!(
            Self::broadcast(i, layout(x.sa, x.sb)),
            "only a broadcast scalar is read whole"
        );
        Self::terms(i, x, out, up, sums);
    }

    fn jacobian(&self, i: usize, x: &Inputs<'_>, out: &[f64]) -> Jacobian {
        let lay = layout(x.sa, x.sb);
        let at = |k: usize| {
            if lay == Layout::AScalar {
                x.a[0]
            } else {
                x.a[k]
            }
        };
        let bt = |k: usize| {
            if lay == Layout::BScalar {
                x.b[0]
            } else {
                x.b[k]
            }
        };
        let broadcast = Self::broadcast(i, lay);
        let n = out.len();
        let mut jac = Jacobian::zeros(n, if broadcast { 1 } else { n });
        for (k, &o) in out.iter().enumerate() {
            let col = if broadcast { 0 } else { k };
            jac.set(k, col, Self::partial(i, at(k), bt(k), o));
        }
        jac
    }

    fn notation(&self) -> Option<Notation> {
        Some(T::notation())
    }

    fn partial_notation(&self, i: usize, _: Shape, _: Shape) -> Partial {
        T::partial_notation(i)
    }
}
