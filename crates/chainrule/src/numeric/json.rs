//! Numbers in `--json` that may not be finite. JSON has no NaN or ±∞, and
//! serde_json writes them as `null`, which readers cannot tell from "absent".
//! chainrule writes them as the strings `"NaN"`, `"Infinity"` and
//! `"-Infinity"`: the words Python's `float()`, JavaScript's `Number()` and
//! Rust's `str::parse::<f64>()` all read back as the same value. Finite
//! numbers stay JSON numbers. Use with `#[serde(serialize_with = …)]`.

use serde::{Serialize, Serializer};

/// The word for a non-finite `x`; `None` when `x` is finite.
pub fn word(x: f64) -> Option<&'static str> {
    match x {
        x if x.is_nan() => Some("NaN"),
        f64::INFINITY => Some("Infinity"),
        f64::NEG_INFINITY => Some("-Infinity"),
        _ => None,
    }
}

/// One number, serialized by the convention above.
#[derive(Clone, Copy, Debug)]
pub struct Number(pub f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match word(self.0) {
            Some(w) => s.serialize_str(w),
            None => s.serialize_f64(self.0),
        }
    }
}

/// `serialize_with` for an `f64`.
pub fn number<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    Number(*x).serialize(s)
}

/// `serialize_with` for a `Vec<f64>` (or a slice).
pub fn numbers<S: Serializer>(xs: &[f64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(xs.iter().map(|&x| Number(x)))
}

/// `serialize_with` for an `Option<f64>`: `None` stays `null`.
pub fn option_number<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    x.map(Number).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_words_that_parse_back() {
        let text = serde_json::to_string(&[
            Number(f64::NAN),
            Number(f64::INFINITY),
            Number(f64::NEG_INFINITY),
            Number(0.1),
        ])
        .unwrap();
        assert_eq!(text, r#"["NaN","Infinity","-Infinity",0.1]"#);
        // Law: each word reads back as the value it stands for.
        for (w, x) in [
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            assert_eq!(w.parse::<f64>().unwrap(), x);
        }
        assert!("NaN".parse::<f64>().unwrap().is_nan());
    }
}
