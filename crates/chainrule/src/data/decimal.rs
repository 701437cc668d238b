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
    let mut chunks = DecimalChunks::open(path, opts)?;
    Ok(chunks.next_chunk(usize::MAX)?.unwrap_or(DecimalColumns {
        names: chunks.names.clone(),
        cells: Vec::new(),
    }))
}

/// [`read_decimal`] a chunk of rows at a time, for a fit that streams.
pub struct DecimalChunks {
    path: std::path::PathBuf,
    records: csv::StringRecordsIntoIter<BufReader<File>>,
    picked: Vec<usize>,
    names: Vec<String>,
}

impl DecimalChunks {
    pub fn open(path: &Path, opts: &super::ReadOptions) -> Result<Self, DataError> {
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter_for(&path.display().to_string()))
            .from_reader(BufReader::new(file))
            .into_records();
        let header = match records.next() {
            Some(r) => r.map_err(|e| csv_error(path, e))?,
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
        Ok(DecimalChunks {
            path: path.to_path_buf(),
            records,
            names: picked.iter().map(|&j| header[j].clone()).collect(),
            picked,
        })
    }

    /// The next `rows` rows kept (fewer at the end); None after the last.
    pub fn next_chunk(&mut self, rows: usize) -> Result<Option<DecimalColumns>, DataError> {
        let mut cells = Vec::new();
        let mut kept = 0;
        while kept < rows {
            let Some(record) = self.records.next() else {
                break;
            };
            let record = record.map_err(|e| csv_error(&self.path, e))?;
            let row: Vec<&str> = self
                .picked
                .iter()
                .map(|&j| record.get(j).unwrap_or(""))
                .collect();
            // The reader's rule: a missing cell drops the row (under
            // drop_missing; otherwise the reader has refused the file).
            if row.iter().any(|c| matches!(classify(c), Cell::Missing(_))) {
                continue;
            }
            cells.extend(row.iter().map(|c| Dd::parse_decimal(c)));
            kept += 1;
        }
        Ok((kept > 0).then(|| DecimalColumns {
            names: self.names.clone(),
            cells,
        }))
    }
}

fn csv_error(path: &Path, e: csv::Error) -> DataError {
    DataError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    }
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
