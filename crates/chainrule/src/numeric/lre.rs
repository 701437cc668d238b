//! LRE, the log relative error: how many significant digits agree.

/// LRE = −log10(|e − c| / |c|), or −log10|e| when the certified value c is
/// 0; clamped to [0, 15] (NIST certifies 15 digits, so more is noise).
/// A non-finite estimate has LRE 0.
pub fn lre(estimate: f64, certified: f64) -> f64 {
    if !estimate.is_finite() {
        return 0.0;
    }
    let error = if certified == 0.0 {
        estimate.abs()
    } else {
        (estimate - certified).abs() / certified.abs()
    };
    if error == 0.0 {
        return 15.0;
    }
    // `+ 0.0` turns the −0 of an error of exactly 1 into 0.
    (-error.log10()).clamp(0.0, 15.0) + 0.0
}

/// LRE against a certified value as written (`"0.429796848199937E-03"`),
/// counting an estimate within half a unit of the last written digit (plus
/// one ulp of its own rounding) as agreeing with every certified digit.
/// NIST rounds its values to 15 digits, so even the exact answer can be
/// 5e-15 off relative (plain LRE 14.3); this says "all digits NIST gives".
pub fn lre_certified(estimate: f64, certified: &str) -> f64 {
    let c: f64 = match certified.trim().parse() {
        Ok(c) => c,
        Err(_) => return 0.0,
    };
    let mantissa = certified
        .trim()
        .split(['e', 'E'])
        .next()
        .unwrap_or_default();
    let digits = mantissa
        .trim_start_matches(['-', '+', '0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count() as i32;
    if c != 0.0 && estimate.is_finite() && digits > 0 {
        let half_unit = 0.5 * 10f64.powi(c.abs().log10().floor() as i32 - (digits - 1));
        let ulp = f64::EPSILON * estimate.abs();
        if (estimate - c).abs() <= half_unit + ulp {
            return digits.min(15) as f64;
        }
    }
    lre(estimate, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certified_text_counts_its_own_digits() {
        // "1.00000000000001" has 15 digits; 1.000000000000014 is within half a
        // unit (5e-15) of it, so it agrees with all 15, while plain LRE says
        // −log10(4e-15) = 14.4.
        assert_eq!(lre_certified(1.000000000000014, "1.00000000000001"), 15.0);
        assert!((lre(1.000000000000014, 1.00000000000001) - 14.4).abs() < 0.05);
        // 2e-14 off is outside half a unit: plain LRE (13.7).
        let e = lre_certified(1.00000000000003, "1.00000000000001");
        assert!((e - 13.7).abs() < 0.05, "{e}");
        // Leading zeros and the exponent do not count as digits:
        // "0.25E-02" has 2 digits, so 0.00251 (within 0.005e-3) agrees with both.
        assert_eq!(lre_certified(0.002_504, "0.25E-02"), 2.0);
    }

    #[test]
    fn counts_agreeing_digits() {
        // |1.001 − 1| / 1 = 1e-3 → 3 digits.
        assert!((lre(1.001, 1.0) - 3.0).abs() < 1e-9);
        // Certified 0: −log10(1e-9) = 9.
        assert!((lre(1e-9, 0.0) - 9.0).abs() < 1e-9);
        assert_eq!(lre(2.5, 2.5), 15.0);
        assert_eq!(lre(1.0 + 1e-17, 1.0), 15.0);
        assert_eq!(lre(5.0, 1.0), 0.0);
        // An error of exactly 1 is 0 digits, not −0 (printed "-0.0").
        assert!(lre(0.0, 1.0).is_sign_positive());
        assert_eq!(lre(f64::NAN, 1.0), 0.0);
    }
}
