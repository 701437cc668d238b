//! How numbers are printed in every view: six significant digits, trailing
//! zeros dropped, integers plain, exponent form only far from 1. Text and
//! HTML write negatives with the minus sign U+2212, as the derivation does;
//! TeX writes them with `-`.

/// `v` with six significant digits in ASCII (`-8`, `0.333333`, `1.5e-7`).
pub fn ascii(v: f64) -> String {
    sig(v, 6)
}

/// `v` with `digits` significant digits (1–17), trailing zeros dropped;
/// 17 or more gives the shortest text that reads back to the same f64.
pub fn sig(v: f64, digits: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let digits = digits.clamp(1, 17);
    let a = v.abs();
    if digits == 17 {
        return if (1e-4..1e15).contains(&a) {
            format!("{v}")
        } else {
            format!("{v:e}")
        };
    }
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{v:.*e}", digits - 1);
        let (mantissa, exp) = s.split_once('e').expect("exponent form has an e");
        return format!("{}e{exp}", trim(mantissa));
    }
    // Rounding can carry into a new leading digit (9.9999996 → 10.00000):
    // take the exponent after rounding.
    let rounded: f64 = format!("{v:.*e}", digits - 1).parse().expect("a float");
    let places = digits as i32 - 1 - rounded.abs().log10().floor() as i32;
    let s = format!("{v:.*}", places.max(0) as usize);
    let s = trim(&s);
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// `v` for text and HTML: like [`ascii`] with `−` for a leading minus.
pub fn uni(v: f64) -> String {
    let s = ascii(v);
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

fn trim(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// A list of numbers as `[a, b, c]` (a scalar as itself), for text.
pub fn uni_list(values: &[f64]) -> String {
    match values {
        [v] => uni(*v),
        vs => format!(
            "[{}]",
            vs.iter().map(|&v| uni(v)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Parses a number as [`uni`] or [`ascii`] wrote it (tests read views back).
pub fn parse(s: &str) -> Option<f64> {
    s.replace('−', "-").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_significant_digits() {
        assert_eq!(ascii(-8.0), "-8");
        assert_eq!(ascii(1.0 / 3.0), "0.333333");
        assert_eq!(ascii(4.206), "4.206");
        assert_eq!(ascii(123456.7), "123457");
        assert_eq!(ascii(1.5e-7), "1.5e-7");
        assert_eq!(ascii(-1e-12), "-1e-12");
        assert_eq!(ascii(-0.0), "0");
        assert_eq!(uni(-0.5), "−0.5");
        assert_eq!(parse("−0.5"), Some(-0.5));
    }

    #[test]
    fn chosen_significant_digits() {
        // R's print(1.999964114989, digits = 7) and print(0.9954324836201351, 7).
        assert_eq!(sig(1.999964114989, 7), "1.999964");
        assert_eq!(sig(0.9954324836201351, 7), "0.9954325");
        assert_eq!(sig(9.99999996, 7), "10");
        assert_eq!(sig(-2.5e-12, 3), "-2.5e-12");
        // 17 digits: the shortest text that reads back bit for bit.
        assert_eq!(sig(0.1 + 0.2, 17), "0.30000000000000004");
        assert_eq!(sig(1.0 / 3.0, 17).parse::<f64>().unwrap(), 1.0 / 3.0);
    }
}
