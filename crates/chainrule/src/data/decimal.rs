//! A CSV's cells as the decimals they are written as, not their f64
//! roundings: each cell parsed to a double-double
//! ([`Dd::parse_decimal`]), for the rows a read with the same
//! [`ReadOptions`] keeps. Least squares on ill-conditioned data (NIST's
//! Filip) moves in the 8th digit when the data are rounded to f64; with
//! these values the solver answers the problem as written.
//!
//! A second, independent read of the file: the fast reader stays f64-only,
//! and this one runs only when a fit needs it. Rows are kept and dropped by
//! the reader's own rule (a missing cell in a column read drops the row
//! under `drop_missing`), so row i here is row i of the data set.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::read::{classify, delimiter_for, Cell};
use super::DataError;
use crate::numeric::Dd;

/// The columns read, and their cells row by row: `None` where a cell is
/// not a plain decimal (text, or a number `Dd::parse_decimal` does not
/// take, such as one with more than 38 digits).
#[derive(Debug, Clone, PartialEq)]
pub struct DecimalColumns {
    pub names: Vec<String>,
    /// Row-major: cell j of row i is `cells[i * names.len() + j]`.
    pub cells: Vec<Option<Dd>>,
}

impl DecimalColumns {
    pub fn n_rows(&self) -> usize {
        self.cells.len() / self.names.len().max(1)
    }

    /// Column `name` down the rows, if it was read.
    pub fn column(&self, name: &str) -> Option<Vec<Option<Dd>>> {
        let j = self.names.iter().position(|n| n == name)?;
        let w = self.names.len();
        Some(self.cells.iter().skip(j).step_by(w).copied().collect())
    }
}

/// The columns `opts.only` names (every column when `None`) of the CSV at
/// `path` (tab-separated when it ends in `.tsv`), as decimals.
pub fn read_decimal(path: &Path, opts: &super::ReadOptions) -> Result<DecimalColumns, DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter_for(&path.display().to_string()))
        .from_reader(BufReader::new(file));
    let csv_error = |e: csv::Error| {
        io_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.to_string(),
        ))
    };
    let mut records = csv.records();
    let header = match records.next() {
        Some(r) => r.map_err(csv_error)?,
        None => {
            return Err(DataError::Empty {
                file: path.display().to_string(),
            })
        }
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let picked: Vec<usize> = match &opts.only {
        Some(only) => only
            .iter()
            .filter_map(|c| header.iter().position(|h| h == c))
            .collect(),
        None => (0..header.len()).collect(),
    };
    let mut cells = Vec::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let row: Vec<&str> = picked
            .iter()
            .map(|&j| record.get(j).unwrap_or(""))
            .collect();
        // The reader's rule: a missing cell drops the row (under
        // drop_missing; otherwise the reader has refused the file).
        if row.iter().any(|c| matches!(classify(c), Cell::Missing(_))) {
            continue;
        }
        cells.extend(row.iter().map(|c| Dd::parse_decimal(c)));
    }
    Ok(DecimalColumns {
        names: picked.iter().map(|&j| header[j].clone()).collect(),
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ReadOptions;

    #[test]
    fn cells_keep_their_decimal_digits_and_missing_rows_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, "y,x,t\n0.1,2,a\n,3,b\n.11019,760.,c\n").unwrap();
        let opts = ReadOptions {
            drop_missing: true,
            only: Some(vec!["y".into(), "x".into()]),
            ..ReadOptions::default()
        };
        let d = read_decimal(&path, &opts).unwrap();
        assert_eq!(d.names, ["y", "x"]);
        assert_eq!(d.n_rows(), 2, "the row with an empty y is dropped");
        let y = d.column("y").unwrap();
        // 0.1's f64 is 0.1000000000000000055511151231257827…: the low part
        // holds −5.55e-18 of it (the f64's excess over the decimal).
        let tenth = y[0].unwrap();
        assert_eq!(tenth.hi, 0.1);
        assert!(
            (tenth.lo + 5.551115123125783e-18).abs() < 1e-30,
            "{tenth:?}"
        );
        assert_eq!(y[1].unwrap().hi, 0.11019);
        assert_eq!(d.column("x").unwrap()[1].unwrap().hi, 760.0);
    }
}
