//! The four arithmetic ops: each is its value and its two partials.

use super::binary::Binary;

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
}
