//! Decimal text to f64: exactly what `str::parse::<f64>` gives, faster.
//!
//! A CSV of numbers spends much of its read in this one call. `fast-float2`
//! (the maintained fork of the Rust port of Lemire's fast_float, by the
//! author of lexical; no dependencies) rounds correctly, as std does, so on
//! every text both accept they give the same bits. They differ only at the
//! edges of what counts as a number, so std decides those:
//!
//! - a text fast-float refuses is handed to std (it accepts nothing fast-float
//!   refuses that we know of, but the answer is then std's by construction);
//! - a non-finite result (`inf`, `NaN`, `1e999`) is std's too: the spellings
//!   of infinity and NaN are where float parsers disagree, and those cells
//!   are reported, not used, so their speed does not matter.
//!
//! That leaves one way to differ: fast-float accepting, with a finite value,
//! a text std refuses. `tests/lib/number_parse.rs` looks for one over every
//! short text of a number's characters and random ones, and compares the
//! bits on the NIST files and on generated numbers.

/// `text.parse::<f64>().ok()`, to the bit.
#[inline]
pub fn parse_f64(text: &str) -> Option<f64> {
    match fast_float2::parse::<f64, _>(text) {
        Ok(v) if v.is_finite() => Some(v),
        _ => text.parse().ok(),
    }
}
