//! [`Dataset`] → CSV (or TSV for `.tsv`), written atomically.

use std::path::Path;

use super::{atomic::write_atomic, DataError, Dataset};

/// Writes the data set with a header row; numbers round-trip exactly.
pub fn write_csv(path: &Path, data: &Dataset) -> Result<(), DataError> {
    let sep = if path
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".tsv")
    {
        '\t'
    } else {
        ','
    };
    write_atomic(path, to_csv_string(data, sep).as_bytes()).map_err(|source| DataError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The CSV text for `data`; `sep` is `','` or `'\t'`. Names that need it
/// are quoted (they may contain the separator or quotes).
pub fn to_csv_string(data: &Dataset, sep: char) -> String {
    let mut out = String::new();
    let header: Vec<String> = data.names.iter().map(|n| quote(n, sep)).collect();
    out.push_str(&header.join(&sep.to_string()));
    out.push('\n');
    for i in 0..data.n_rows() {
        for (j, column) in data.columns.iter().enumerate() {
            if j > 0 {
                out.push(sep);
            }
            out.push_str(&format_number(column[i]));
        }
        out.push('\n');
    }
    out
}

fn quote(name: &str, sep: char) -> String {
    if name.contains([sep, '"', '\n', '\r']) || name.trim() != name {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    }
}

/// Shortest text that parses back to the same f64: plain digits for
/// everyday magnitudes, exponent form for very large or very small ones
/// (Rust's `{}` never uses an exponent and would print 1e300 in full).
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-5..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_csv, ReadOptions};

    #[test]
    fn round_trips_through_read_csv() {
        let data = Dataset::new(
            vec!["a,b".into(), "y".into()],
            vec![vec![0.1, -1e300, 5e-324], vec![1.0 / 3.0, 0.0, 123456.789]],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        for file in ["d.csv", "d.tsv"] {
            let path = dir.path().join(file);
            write_csv(&path, &data).unwrap();
            let (back, _) = read_csv(&path, &ReadOptions::default()).unwrap();
            assert_eq!(back.names, data.names);
            assert_eq!(back.columns, data.columns);
        }
    }
}
