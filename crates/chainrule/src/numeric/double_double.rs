//! Double-double sums and dot products (error-free transformations).
//!
//! The refinement steps of the least-squares solver need residuals
//! b − r − A·θ that are far more accurate than the residual itself: when the
//! fit is nearly exact (Wampler1/2) or the columns nearly dependent (Filip),
//! plain f64 loses every digit to cancellation. Knuth's TwoSum and Dekker's
//! TwoProduct carry the rounding error of each operation exactly, so a sum
//! of products comes out as if computed in twice the precision (Ogita, Rump
//! & Oishi, "Accurate sum and dot product", 2005). Dekker's split needs no
//! FMA instruction, so the result is the same on every target.

/// An unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Dd {
    pub hi: f64,
    pub lo: f64,
}

impl Dd {
    /// Adds a·b with its rounding error kept.
    #[inline]
    pub fn add_product(&mut self, a: f64, b: f64) {
        let (p, e) = two_product(a, b);
        self.add(p);
        self.lo += e;
    }

    /// Adds v with its rounding error kept.
    #[inline]
    pub fn add(&mut self, v: f64) {
        let (s, e) = two_sum(self.hi, v);
        self.hi = s;
        self.lo += e;
    }

    /// The nearest f64 to hi + lo.
    #[inline]
    pub fn value(self) -> f64 {
        self.hi + self.lo
    }
}

/// Arithmetic on double-doubles, for the small systems solved from sums
/// kept in double-double (the one-pass fit's Gram matrix): each result is
/// within ≈ 2⁻¹⁰⁴ of the exact one, renormalized (|lo| ≤ ulp(hi)/2).
impl std::ops::Add for Dd {
    type Output = Dd;

    fn add(self, other: Dd) -> Dd {
        let (s, e) = two_sum(self.hi, other.hi);
        let (hi, lo) = two_sum(s, e + self.lo + other.lo);
        Dd { hi, lo }
    }
}

impl std::ops::Sub for Dd {
    type Output = Dd;

    fn sub(self, other: Dd) -> Dd {
        self + Dd {
            hi: -other.hi,
            lo: -other.lo,
        }
    }
}

impl std::ops::Div for Dd {
    type Output = Dd;

    /// The f64 quotient, then the quotient of what is left.
    fn div(self, other: Dd) -> Dd {
        let q1 = self.hi / other.hi;
        let rest = self - other * Dd::new(q1);
        let (hi, lo) = two_sum(q1, rest.hi / other.hi);
        Dd { hi, lo }
    }
}

impl std::ops::Mul for Dd {
    type Output = Dd;

    /// self·other to ≈ 2⁻¹⁰⁴ relative (the lo·lo term is below that).
    fn mul(self, other: Dd) -> Dd {
        let (p, e) = two_product(self.hi, other.hi);
        let (hi, lo) = two_sum(p, e + self.hi * other.lo + self.lo * other.hi);
        Dd { hi, lo }
    }
}

impl Dd {
    pub fn new(hi: f64) -> Dd {
        Dd { hi, lo: 0.0 }
    }

    /// √self for self ≥ 0 (0 for anything else): one Newton step from the
    /// f64 root, its residual self − x² taken in double-double.
    pub fn sqrt(self) -> Dd {
        if self.hi.is_nan() || self.hi <= 0.0 {
            return Dd::default();
        }
        let x = self.hi.sqrt();
        let rest = self - Dd::new(x) * Dd::new(x);
        let (hi, lo) = two_sum(x, rest.hi / (2.0 * x));
        Dd { hi, lo }
    }
}

impl Dd {
    /// A decimal number as written (`-6.860120914`, `0.8116`, `2.5e-3`)
    /// to ≈ 2⁻¹⁰⁴ relative: what parsing to f64 rounds away stays in lo.
    /// None for text that is not a plain decimal, with more than 38
    /// digits, or beyond 10^±[`MAX_DECIMAL_EXPONENT`] in its last digit.
    pub fn parse_decimal(text: &str) -> Option<Dd> {
        let text = text.trim();
        let (mantissa, exp) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        let mut m: u128 = 0;
        for c in whole.chars().chain(frac.chars()) {
            m = m.checked_mul(10)?.checked_add(c.to_digit(10)? as u128)?;
        }
        let hi = m as f64;
        let lo = (m as i128 - hi as i128) as f64;
        let (hi, lo) = two_sum(hi, lo);
        // 10^k in steps of at most 10²² (each power exact in f64), each
        // step rounding to ≈ 2⁻¹⁰⁴ relative: 0.000000012345678901234567
        // (k = −24) is as common in written data as 1.2e-8.
        let mut k = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
        if k.abs() > MAX_DECIMAL_EXPONENT {
            return None;
        }
        let mut value = Dd { hi, lo };
        while k != 0 {
            let step = k.clamp(-22, 22);
            value = times_power_of_ten(value, step);
            k -= step;
        }
        if !value.hi.is_finite() {
            return None;
        }
        Some(if negative {
            Dd {
                hi: -value.hi,
                lo: -value.lo,
            }
        } else {
            value
        })
    }
}

/// The largest |k| of the last digit's 10^k that
/// [`Dd::parse_decimal`] takes: below 10⁻²⁸⁰ the low part would be
/// subnormal, and lose the precision it is there to keep.
pub const MAX_DECIMAL_EXPONENT: i32 = 280;

/// (hi + lo)·10^k for |k| ≤ 22, where 10^|k| is exact in f64.
fn times_power_of_ten(v: Dd, k: i32) -> Dd {
    let ten = 10f64.powi(k.abs());
    if k >= 0 {
        return v * Dd { hi: ten, lo: 0.0 };
    }
    // (hi + lo)/ten: the quotient, then the remainder's share.
    let q1 = v.hi / ten;
    let (p, e) = two_product(q1, ten);
    let q2 = (((v.hi - p) - e) + v.lo) / ten;
    let (hi, lo) = two_sum(q1, q2);
    Dd { hi, lo }
}

/// x^k correctly rounded in all but the rarest cases: the product is kept
/// in double-double, so it is rounded once at the end (≤ 0.5 ulp plus
/// ≈ k·2⁻¹⁰⁴ relative) instead of at every multiplication as `powi` does.
pub fn power(x: f64, k: u32) -> f64 {
    power_dd(x, k).value()
}

/// x^k in double-double: hi + lo within ≈ k·2⁻¹⁰⁴ relative of the exact
/// power, so lo is what rounding x^k to an f64 throws away.
pub fn power_dd(x: f64, k: u32) -> Dd {
    let mut acc = Dd { hi: 1.0, lo: 0.0 };
    for _ in 0..k {
        let (p, e) = two_product(acc.hi, x);
        let (hi, lo) = two_sum(p, e + acc.lo * x);
        acc = Dd { hi, lo };
    }
    acc
}

/// s + e = a + b exactly, s = fl(a + b) (Knuth).
#[inline]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// p + e = a·b exactly, p = fl(a·b) (Dekker; exact unless a·b over- or
/// underflows).
#[inline]
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, al * bl - (((p - ah * bh) - al * bh) - ah * bl))
}

/// a = hi + lo with hi holding the top 26 bits (Veltkamp).
#[inline]
fn split(a: f64) -> (f64, f64) {
    const FACTOR: f64 = 134_217_729.0; // 2^27 + 1
    let c = FACTOR * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_product_is_exact() {
        // (1 + 2⁻³⁰)² = 1 + 2⁻²⁹ + 2⁻⁶⁰; f64 keeps 1 + 2⁻²⁹, the error is 2⁻⁶⁰.
        let a = 1.0 + 2f64.powi(-30);
        assert_eq!(two_product(a, a), (1.0 + 2f64.powi(-29), 2f64.powi(-60)));
    }

    #[test]
    fn power_dd_keeps_what_rounding_drops() {
        // (1 + 2⁻³⁰)² = 1 + 2⁻²⁹ + 2⁻⁶⁰ exactly: f64 keeps 1 + 2⁻²⁹, lo = 2⁻⁶⁰.
        let a = 1.0 + 2f64.powi(-30);
        let p = power_dd(a, 2);
        assert_eq!((p.hi, p.lo), (1.0 + 2f64.powi(-29), 2f64.powi(-60)));
        // (1 + 2⁻³⁰)³ = 1 + 3·2⁻³⁰ + 3·2⁻⁶⁰ + 2⁻⁹⁰: f64 keeps 1 + 3·2⁻³⁰,
        // and lo (53 bits from 2⁻⁵⁹ down) holds the rest exactly.
        let c = power_dd(a, 3);
        assert_eq!(c.hi, 1.0 + 3.0 * 2f64.powi(-30));
        assert_eq!(c.lo, 3.0 * 2f64.powi(-60) + 2f64.powi(-90));
    }

    #[test]
    fn decimals_keep_what_f64_rounds_away() {
        // hi is the f64 parse of 0.1; 10·(hi + lo) = 1 to ≈ 1e-31 shows
        // hi + lo is 0.1 to double-double precision (f64 alone is 5.5e-18 off).
        let d = Dd::parse_decimal("0.1").unwrap();
        assert_eq!(d.hi, 0.1);
        let ten = d * Dd { hi: 10.0, lo: 0.0 };
        assert_eq!(ten.hi, 1.0);
        assert!(ten.lo.abs() < 1e-31, "{ten:?}");
        let m = Dd::parse_decimal("-6.860120914").unwrap();
        assert_eq!(m.hi, -6.860120914);
        assert_eq!(Dd::parse_decimal("2.5e-3").unwrap().hi, 0.0025);
        assert_eq!(
            Dd::parse_decimal("234289").unwrap(),
            Dd {
                hi: 234289.0,
                lo: 0.0
            }
        );
        assert!(Dd::parse_decimal("abc").is_none() && Dd::parse_decimal("1e400").is_none());
        // Beyond 10²² in steps: the f64 parse, and 1.2345·10⁻²⁴ times 10²⁴
        // back to 1.2345 within double-double rounding.
        let small = Dd::parse_decimal("0.0000000000000000000012345").unwrap();
        assert_eq!(small.hi, 1.2345e-21);
        assert_eq!(Dd::parse_decimal("1e40").unwrap().hi, 1e40);
        let back = small * Dd { hi: 1e21, lo: 0.0 };
        let exact = Dd::parse_decimal("1.2345").unwrap();
        assert!(
            ((back.hi - exact.hi) + (back.lo - exact.lo)).abs() < 1e-30,
            "{back:?}"
        );
    }

    #[test]
    fn arithmetic_keeps_twice_the_digits() {
        // 1/3 in double-double times 3 is 1 to ≈ 2⁻¹⁰⁴ (f64 alone: 2⁻⁵⁴ off).
        let third = Dd::new(1.0) / Dd::new(3.0);
        let one = third * Dd::new(3.0);
        assert!((one - Dd::new(1.0)).value().abs() < 1e-31, "{one:?}");
        // √2 squared is 2 to the same precision; √0 and √(−1) are 0.
        let r = Dd::new(2.0).sqrt();
        assert!((r * r - Dd::new(2.0)).value().abs() < 1e-31);
        assert_eq!(Dd::new(0.0).sqrt(), Dd::default());
        assert_eq!(Dd::new(-1.0).sqrt(), Dd::default());
        // (1e16 + 1) − 1e16 = 1 exactly, which f64 loses.
        let big = Dd::new(1e16) + Dd::new(1.0);
        assert_eq!((big - Dd::new(1e16)).value(), 1.0);
    }

    #[test]
    fn dd_sum_survives_cancellation() {
        // 1e16 + 1 − 1e16: plain f64 gives 0 (1 is below half an ulp of 1e16 = 2).
        let mut s = Dd::default();
        for v in [1e16, 1.0, -1e16] {
            s.add(v);
        }
        assert_eq!(s.value(), 1.0);
    }
}
