//! Functions of one column in a formula, as R and patsy write them:
//! `log(x)` (natural), `exp(x)`, `sqrt(x)`, `abs(x)`. A value outside a
//! function's domain (log of x ≤ 0, sqrt of x < 0) is an error naming the
//! row, never a NaN in X.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Log,
    Exp,
    Sqrt,
    Abs,
}

impl Function {
    pub const ALL: [Function; 4] = [Function::Log, Function::Exp, Function::Sqrt, Function::Abs];

    pub fn name(self) -> &'static str {
        match self {
            Function::Log => "log",
            Function::Exp => "exp",
            Function::Sqrt => "sqrt",
            Function::Abs => "abs",
        }
    }

    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// f(v), or `None` outside the domain.
    pub fn apply(self, v: f64) -> Option<f64> {
        match self {
            Function::Log => (v > 0.0).then(|| v.ln()),
            Function::Exp => Some(v.exp()),
            Function::Sqrt => (v >= 0.0).then(|| v.sqrt()),
            Function::Abs => Some(v.abs()),
        }
    }

    /// The domain in words, for the error: "x > 0".
    pub fn domain(self, column: &str) -> String {
        match self {
            Function::Log => format!("{column} > 0"),
            Function::Sqrt => format!("{column} ≥ 0"),
            Function::Exp | Function::Abs => "any number".into(),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_refused_not_nan() {
        // ln(e) = 1, √4 = 2, |−3| = 3, exp(0) = 1: closed forms.
        assert_eq!(Function::Log.apply(std::f64::consts::E), Some(1.0));
        assert_eq!(Function::Sqrt.apply(4.0), Some(2.0));
        assert_eq!(Function::Abs.apply(-3.0), Some(3.0));
        assert_eq!(Function::Exp.apply(0.0), Some(1.0));
        assert_eq!(Function::Log.apply(0.0), None);
        assert_eq!(Function::Sqrt.apply(-1e-300), None);
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
        }
    }
}
