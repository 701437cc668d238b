//! The four arithmetic ops: each is its value, its two partials, and how
//! the derivation writes both.

use super::binary::Binary;
use crate::graph::Mark::{Operand, Text};
use crate::graph::{Notation, Partial};

#[derive(Debug)]
pub struct AddRule;
impl Binary for AddRule {
    const NAME: &'static str = "add";
    fn f(a: f64, b: f64) -> f64 {
        a + b
    }
    fn da(_: f64, _: f64, _: f64) -> f64 {
        1.0
    }
    fn db(_: f64, _: f64, _: f64) -> f64 {
        1.0
    }
    fn notation() -> Notation {
        Notation::infix(1, " + ", " + ", 2, 1)
    }
    fn partial_notation(_: usize) -> Partial {
        Partial::One
    }
}

#[derive(Debug)]
pub struct SubRule;
impl Binary for SubRule {
    const NAME: &'static str = "sub";
    fn f(a: f64, b: f64) -> f64 {
        a - b
    }
    fn da(_: f64, _: f64, _: f64) -> f64 {
        1.0
    }
    fn db(_: f64, _: f64, _: f64) -> f64 {
        -1.0
    }
    fn notation() -> Notation {
        Notation::infix(1, " − ", " - ", 2, 1)
    }
    fn partial_notation(i: usize) -> Partial {
        if i == 0 {
            Partial::One
        } else {
            Partial::MinusOne
        }
    }
}

#[derive(Debug)]
pub struct MulRule;
impl Binary for MulRule {
    const NAME: &'static str = "mul";
    fn f(a: f64, b: f64) -> f64 {
        a * b
    }
    fn da(_: f64, b: f64, _: f64) -> f64 {
        b
    }
    fn db(a: f64, _: f64, _: f64) -> f64 {
        a
    }
    fn notation() -> Notation {
        Notation::infix(2, "·", " \\cdot ", 3, 2)
    }
    /// ∂(a·b)/∂a = b, ∂(a·b)/∂b = a.
    fn partial_notation(i: usize) -> Partial {
        Partial::Elementwise(vec![Operand(1 - i, 3)])
    }
}

/// Division by zero follows IEEE 754 (±inf or NaN), as the forward value does.
#[derive(Debug)]
pub struct DivRule;
impl Binary for DivRule {
    const NAME: &'static str = "div";
    fn f(a: f64, b: f64) -> f64 {
        a / b
    }
    fn da(_: f64, b: f64, _: f64) -> f64 {
        1.0 / b
    }
    fn db(_: f64, b: f64, out: f64) -> f64 {
        // ∂(a/b)/∂b = −a/b² = −out/b
        -out / b
    }
    fn notation() -> Notation {
        Notation::infix(2, " / ", " / ", 3, 2)
    }
    fn partial_notation(i: usize) -> Partial {
        Partial::Elementwise(if i == 0 {
            vec![Text("1/", "1/"), Operand(1, 3)]
        } else {
            vec![
                Text("−", "-"),
                Operand(0, 3),
                Text("/", "/"),
                Operand(1, 5),
                Text("²", "^{2}"),
            ]
        })
    }
}
