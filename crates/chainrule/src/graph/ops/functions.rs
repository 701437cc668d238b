//! The elementwise functions: each is its value, its derivative, and how
//! the derivation writes both.
//!
//! Outside a function's domain the value follows IEEE 754 and is documented
//! here rather than refused: log of a negative number is NaN, log 0 is −inf,
//! a negative base to a fractional power is NaN.

use super::unary::Unary;
use crate::graph::Mark::{Num, Operand, Text};
use crate::graph::{Notation, Partial};

#[derive(Debug)]
pub struct Neg;
impl Unary for Neg {
    fn name(&self) -> String {
        "neg".into()
    }
    fn f(&self, x: f64) -> f64 {
        -x
    }
    fn df(&self, _: f64, _: f64) -> f64 {
        -1.0
    }
    fn notation(&self) -> Notation {
        Notation {
            marks: vec![Text("−", "-"), Operand(0, 3)],
            precedence: 3,
        }
    }
    fn partial_notation(&self) -> Partial {
        Partial::MinusOne
    }
}

#[derive(Debug)]
pub struct Square;
impl Unary for Square {
    fn name(&self) -> String {
        "square".into()
    }
    fn f(&self, x: f64) -> f64 {
        x * x
    }
    fn df(&self, x: f64, _: f64) -> f64 {
        2.0 * x
    }
    fn notation(&self) -> Notation {
        Notation {
            marks: vec![Operand(0, 5), Text("²", "^{2}")],
            precedence: 4,
        }
    }
    fn partial_notation(&self) -> Partial {
        Partial::Elementwise(vec![Text("2·", "2 \\cdot "), Operand(0, 3)])
    }
}

/// x^p for a constant exponent p. Integer exponents use repeated
/// multiplication (so x^2 is exactly x·x); d/dx x^p = p·x^(p−1).
#[derive(Debug)]
pub struct Pow(pub f64);
impl Pow {
    fn raise(x: f64, p: f64) -> f64 {
        if p.fract() == 0.0 && p.abs() <= 64.0 {
            x.powi(p as i32)
        } else {
            x.powf(p)
        }
    }
}
impl Unary for Pow {
    fn name(&self) -> String {
        format!("pow({})", self.0)
    }
    fn f(&self, x: f64) -> f64 {
        Self::raise(x, self.0)
    }
    fn df(&self, x: f64, _: f64) -> f64 {
        if self.0 == 0.0 {
            0.0
        } else {
            self.0 * Self::raise(x, self.0 - 1.0)
        }
    }
    fn notation(&self) -> Notation {
        Notation {
            marks: vec![Operand(0, 5), Text("^", "^{"), Num(self.0), Text("", "}")],
            precedence: 4,
        }
    }
    /// p·x^(p−1), written p·x when p − 1 = 1.
    fn partial_notation(&self) -> Partial {
        let p = self.0;
        let times = Text("·", " \\cdot ");
        Partial::Elementwise(if p - 1.0 == 1.0 {
            vec![Num(p), times, Operand(0, 3)]
        } else {
            vec![
                Num(p),
                times,
                Operand(0, 5),
                Text("^", "^{"),
                Num(p - 1.0),
                Text("", "}"),
            ]
        })
    }
}

#[derive(Debug)]
pub struct Exp;
impl Unary for Exp {
    fn name(&self) -> String {
        "exp".into()
    }
    fn f(&self, x: f64) -> f64 {
        x.exp()
    }
    fn df(&self, _: f64, out: f64) -> f64 {
        out
    }
    fn notation(&self) -> Notation {
        Notation::call("exp(", "\\exp(")
    }
    fn partial_notation(&self) -> Partial {
        Partial::Elementwise(vec![Text("exp(", "\\exp("), Operand(0, 0), Text(")", ")")])
    }
}

#[derive(Debug)]
pub struct Log;
impl Unary for Log {
    fn name(&self) -> String {
        "log".into()
    }
    fn f(&self, x: f64) -> f64 {
        x.ln()
    }
    fn df(&self, x: f64, _: f64) -> f64 {
        1.0 / x
    }
    fn notation(&self) -> Notation {
        Notation::call("log(", "\\log(")
    }
    fn partial_notation(&self) -> Partial {
        Partial::Elementwise(vec![Text("1/", "1/"), Operand(0, 3)])
    }
}

#[derive(Debug)]
pub struct Tanh;
impl Unary for Tanh {
    fn name(&self) -> String {
        "tanh".into()
    }
    fn f(&self, x: f64) -> f64 {
        x.tanh()
    }
    /// tanh′ = sech² = 1/cosh², not 1 − tanh²: for |x| ≳ 10 tanh rounds
    /// to within an ulp of ±1 and 1 − tanh² keeps no correct digit (it is
    /// exactly 0 beyond x ≈ 19), while 1/cosh² stays accurate to a few ulps
    /// until it underflows.
    fn df(&self, x: f64, _: f64) -> f64 {
        let sech = 1.0 / x.cosh();
        sech * sech
    }
    fn notation(&self) -> Notation {
        Notation::call("tanh(", "\\tanh(")
    }
    fn partial_notation(&self) -> Partial {
        Partial::Elementwise(vec![
            Text("1 − tanh(", "1 - \\tanh("),
            Operand(0, 0),
            Text(")²", ")^{2}"),
        ])
    }
}

/// relu′(0) = 0, as in micrograd and PyTorch: the subgradient that keeps a
/// dead unit dead.
#[derive(Debug)]
pub struct Relu;
impl Unary for Relu {
    fn name(&self) -> String {
        "relu".into()
    }
    fn f(&self, x: f64) -> f64 {
        if x > 0.0 {
            x
        } else {
            0.0
        }
    }
    fn df(&self, x: f64, _: f64) -> f64 {
        if x > 0.0 {
            1.0
        } else {
            0.0
        }
    }
    fn notation(&self) -> Notation {
        Notation::call("relu(", "\\operatorname{relu}(")
    }
    fn partial_notation(&self) -> Partial {
        Partial::Elementwise(vec![Text("[", "["), Operand(0, 0), Text(" > 0]", " > 0]")])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_slope_keeps_its_digits_far_from_zero() {
        for x in [0.0, 0.5, -3.0, 10.0, -19.0, 25.0, 300.0] {
            // sech²(x) = 4·e^(−2|x|) / (1 + e^(−2|x|))², an independent form.
            let e = (-2.0 * f64::abs(x)).exp();
            let expected = 4.0 * e / ((1.0 + e) * (1.0 + e));
            let got = Tanh.df(x, x.tanh());
            assert!(
                (got - expected).abs() <= 4.0 * f64::EPSILON * expected,
                "tanh′({x}) = {got}, expected {expected}"
            );
        }
    }
}
