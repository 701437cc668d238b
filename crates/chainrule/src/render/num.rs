//! How numbers are printed in every view: six significant digits, trailing
//! zeros dropped, integers plain, exponent form only far from 1. Text and
//! HTML write negatives with the minus sign U+2212, as the derivation does;
//! TeX writes them with `-`.

/// `v` with six significant digits in ASCII (`-8`, `0.333333`, `1.5e-7`).
pub fn ascii(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{v:.5e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form has an e");
        return format!("{}e{exp}", trim(mantissa));
    }
    let digits = 5 - a.log10().floor() as i32;
    let s = format!("{v:.*}", digits.max(0) as usize);
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
}
