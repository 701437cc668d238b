//! The elementwise functions: each is its value and its derivative.
//!
//! Outside a function's domain the value follows IEEE 754 and is documented
//! here rather than refused: log of a negative number is NaN, log 0 is −inf,
//! a negative base to a fractional power is NaN.

use super::unary::Unary;

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
    fn df(&self, _: f64, out: f64) -> f64 {
        1.0 - out * out
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
}
