//! The lesson data sets compiled into the binary, one per preset
//! (`presets.rs` says how each was drawn; the test below draws them again
//! and compares).

use super::presets::{preset, preset_names};
use super::{read_csv_str, DataError, Dataset, ReadOptions};

pub fn builtin_names() -> Vec<&'static str> {
    preset_names()
}

/// The built-in data set `name` (see [`builtin_names`]).
pub fn builtin(name: &str) -> Result<Dataset, DataError> {
    let Some(text) = preset(name).map(|p| p.csv) else {
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
    use crate::data::presets::PRESETS;
    use crate::data::synth;

    #[test]
    fn builtins_are_the_documented_synth_draws_rounded_to_3_decimals() {
        for p in PRESETS {
            let (name, n) = (p.name, p.rows);
            let data = builtin(name).unwrap();
            let (fresh, truth) = synth(p.synth, n, p.noise, p.seed).unwrap();
            assert_eq!(truth, p.truth, "{name}");
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
