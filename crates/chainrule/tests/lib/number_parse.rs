//! `data::number::parse_f64` is `str::parse::<f64>` to the bit: the same
//! texts accepted, the same value for each (NaN compared as NaN).

use chainrule::data::number::parse_f64;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn same(text: &str) {
    let ours = parse_f64(text);
    let std = text.parse::<f64>().ok();
    let bits = |v: Option<f64>| v.map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() });
    assert_eq!(bits(ours), bits(std), "{text:?}: {ours:?} vs std {std:?}");
}

#[test]
fn every_short_text_of_number_characters() {
    // All 12^4 + … texts of up to 4 characters from the characters that
    // make numbers and the special words: where parsers' grammars differ
    // ("1e", ".", "+.", "1.e5", "e5", "in", "-nan").
    let alphabet: Vec<char> = "019.eE+-inaf".chars().collect();
    let mut texts = vec![String::new()];
    for _ in 0..4 {
        let longer: Vec<String> = texts
            .iter()
            .filter(|t| t.chars().count() == texts.last().unwrap().chars().count())
            .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
            .collect();
        texts.extend(longer);
    }
    assert!(texts.len() > 20_000);
    for t in &texts {
        same(t);
    }
    for t in [
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "-INFINITY",
        "infinit",
        "nan",
        "NaN",
        "-nan",
        "+NaN",
        "1e999",
        "-1e999",
        "1e-999",
        "0x10",
        "1_000",
        " 1",
        "1 ",
        "1,5",
        "١",
        "1e+",
        "1e-",
        "+-1",
        "--1",
        "00001",
        "0.000",
        "-0",
        "-0.0e-5",
        ".e1",
        "5.",
        ".5",
        "+.5e-3",
    ] {
        same(t);
    }
}

#[test]
fn every_number_in_the_nist_files() {
    // The NIST StRD files (tests/data/nist, certified values to 15 digits):
    // the numbers our accuracy tests stand on.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/nist");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            for cell in text.lines().skip(1).flat_map(|l| l.split(',')) {
                same(cell);
                n += 1;
            }
        }
    }
    // The eleven files hold 666 numbers.
    assert_eq!(n, 666, "read {n} cells");
}

#[test]
fn generated_numbers_round_like_std() {
    // Random bit patterns written shortest ({}), in scientific notation and
    // with 17 or 25 digits; and random digit strings of up to 40 digits
    // with random exponents, which land between floats (the halfway
    // cases where a parser that rounds wrongly shows it).
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(15);
    for _ in 0..200_000 {
        let v = f64::from_bits(rng.random());
        if !v.is_finite() {
            continue;
        }
        for t in [
            format!("{v}"),
            format!("{v:e}"),
            format!("{v:.17e}"),
            format!("{v:.25e}"),
        ] {
            same(&t);
        }
    }
    for _ in 0..200_000 {
        let digits: String = (0..rng.random_range(1..40))
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        let dot = rng.random_range(0..=digits.len());
        let e = rng.random_range(-340..310);
        let sign = ["", "-", "+"][rng.random_range(0..3)];
        same(&format!("{sign}{}.{}e{e}", &digits[..dot], &digits[dot..]));
        same(&format!("{sign}{digits}"));
    }
    // Near the ends of the range: subnormals, the largest finite, the
    // first past it.
    for t in [
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.2250738585072011e-308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
    ] {
        same(t);
    }
}
