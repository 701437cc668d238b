//! Elementwise unary ops: an op states f(x) and f′(x); this file applies
//! them over a tensor of any shape (the Jacobian is diagonal).

use crate::graph::{GraphError, Inputs, Jacobian, Notation, Op, Partial, RowRule, Shape};
use std::fmt::Debug;

pub trait Unary: Debug + Send + Sync + 'static {
    fn name(&self) -> String;
    fn f(&self, x: f64) -> f64;
    /// f′(x), where out = f(x) (several derivatives are cheapest from out).
    fn df(&self, x: f64, out: f64) -> f64;
    /// How the derivation writes f(x).
    fn notation(&self) -> Notation;
    /// How it writes f′(x).
    fn partial_notation(&self) -> Partial;
}

#[derive(Debug)]
pub struct Map<U>(pub U);

impl<U: Unary> Op for Map<U> {
    fn name(&self) -> String {
        self.0.name()
    }

    fn arity(&self) -> usize {
        1
    }

    fn shape(&self, sa: Shape, _: Shape) -> Result<Shape, GraphError> {
        Ok(sa)
    }

    fn forward(&self, x: &Inputs<'_>, out: &mut [f64]) {
        for (o, &a) in out.iter_mut().zip(x.a) {
            *o = self.0.f(a);
        }
    }

    fn vjp(&self, _: usize, x: &Inputs<'_>, out: &[f64], upstream: &[f64], grad: &mut [f64]) {
        for (((g, &u), &a), &o) in grad.iter_mut().zip(upstream).zip(x.a).zip(out) {
            *g += u * self.0.df(a, o);
        }
    }

    fn row_rule(&self, _: [bool; 2], _: Shape, _: Shape) -> RowRule {
        RowRule::Rowwise
    }

    fn jacobian(&self, _: usize, x: &Inputs<'_>, out: &[f64]) -> Jacobian {
        let n = out.len();
        let mut jac = Jacobian::zeros(n, n);
        for (k, (&a, &o)) in x.a.iter().zip(out).enumerate() {
            jac.set(k, k, self.0.df(a, o));
        }
        jac
    }

    fn notation(&self) -> Option<Notation> {
        Some(self.0.notation())
    }

    fn partial_notation(&self, _: usize, _: Shape, _: Shape) -> Partial {
        self.0.partial_notation()
    }
}
