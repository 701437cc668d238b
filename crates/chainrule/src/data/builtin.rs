//! The lesson data sets compiled into the binary: `origin`, `line`, `plane`.
//!
//! Each file was generated once from the synthetic presets and rounded to
//! three decimals, `format!("{:.3}", v)` per cell (the test below
//! regenerates them and compares):
//!
//! | name   | generator                                 | true θ       |
//! |--------|-------------------------------------------|--------------|
//! | origin | `synth(SynthModel::Origin, 10, 0.2, 1)`   | θ1 = 2       |
//! | line   | `synth(SynthModel::Line,   12, 0.3, 2)`   | θ0 = 1, θ1 = 2 |
//! | plane  | `synth(SynthModel::Plane,  16, 0.3, 3)`   | θ0 = 1, θ1 = 2, θ2 = −3 |

use super::{read_csv_str, DataError, Dataset, ReadOptions};

const BUILTIN: [(&str, &str); 3] = [
    ("origin", include_str!("builtin/origin.csv")),
    ("line", include_str!("builtin/line.csv")),
    ("plane", include_str!("builtin/plane.csv")),
];

pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(name, _)| *name).collect()
}

/// The built-in data set `name` (see [`builtin_names`]).
pub fn builtin(name: &str) -> Result<Dataset, DataError> {
    let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) else {
        return Err(DataError::UnknownBuiltin {
            name: name.into(),
            available: builtin_names().iter().map(|s| s.to_string()).collect(),
        });
    };
    let (data, _) = read_csv_str(
        &format!("builtin:{name}.csv"),
        text,
        &ReadOptions::default(),
    )?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{synth, SynthModel};

    /// The generator table in the module comment, executable.
    const GENERATORS: [(&str, SynthModel, usize, f64, u64); 3] = [
        ("origin", SynthModel::Origin, 10, 0.2, 1),
        ("line", SynthModel::Line, 12, 0.3, 2),
        ("plane", SynthModel::Plane, 16, 0.3, 3),
    ];

    #[test]
    fn builtins_are_the_documented_synth_draws_rounded_to_3_decimals() {
        for (name, model, n, noise, seed) in GENERATORS {
            let data = builtin(name).unwrap();
            let (fresh, _) = synth(model, n, noise, seed).unwrap();
            assert_eq!(data.names, fresh.names, "{name}");
            for (a, b) in data
                .columns
                .iter()
                .flatten()
                .zip(fresh.columns.iter().flatten())
            {
                // Rounding to 3 decimals moves a value by at most 0.0005.
                assert!((a - b).abs() <= 0.0005 + 1e-12, "{name}: {a} vs {b}");
            }
            assert_eq!(data.n_rows(), n);
        }
    }

    #[test]
    fn unknown_builtin_lists_the_choices() {
        let msg = builtin("cube").unwrap_err().to_string();
        assert!(msg.contains("origin, line, plane"), "{msg}");
    }
}
