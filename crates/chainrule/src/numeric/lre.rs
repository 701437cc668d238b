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
    (-error.log10()).clamp(0.0, 15.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agreeing_digits() {
        // |1.001 − 1| / 1 = 1e-3 → 3 digits.
        assert!((lre(1.001, 1.0) - 3.0).abs() < 1e-9);
        // Certified 0: −log10(1e-9) = 9.
        assert!((lre(1e-9, 0.0) - 9.0).abs() < 1e-9);
        assert_eq!(lre(2.5, 2.5), 15.0);
        assert_eq!(lre(1.0 + 1e-17, 1.0), 15.0);
        assert_eq!(lre(5.0, 1.0), 0.0);
        assert_eq!(lre(f64::NAN, 1.0), 0.0);
    }
}
