//! The columns of a table being read, row by row. Only the columns asked
//! for are kept (a formula's, see [`ReadOptions::only`](super::ReadOptions));
//! each stays numeric while every cell is a number and becomes a
//! [`TextColumn`] at its first cell that is not.

use super::read::Cell;
use super::{DataError, Dataset, RowLines, TextColumn};

/// The file columns kept (0-based, file order) and their cells so far.
pub(super) struct Columns {
    /// File column of each kept column.
    pub picked: Vec<usize>,
    names: Vec<String>,
    kept: Vec<Kept>,
    lines: RowLines,
}

enum Kept {
    Numbers(Vec<f64>),
    Text(TextColumn),
}

impl Columns {
    /// The columns named in `only` (every column when `None`), checked
    /// against the header `names`: a name the file lacks is an error that
    /// lists the file's columns.
    pub fn pick(names: &[String], only: Option<&[String]>, file: &str) -> Result<Self, DataError> {
        let picked = match only {
            None => (0..names.len()).collect(),
            Some(wanted) => {
                let mut picked = Vec::new();
                for name in wanted {
                    let j = names.iter().position(|n| n == name).ok_or_else(|| {
                        DataError::UnknownColumn {
                            file: file.into(),
                            name: name.clone(),
                            available: names.to_vec(),
                        }
                    })?;
                    if !picked.contains(&j) {
                        picked.push(j);
                    }
                }
                picked.sort_unstable();
                picked
            }
        };
        Ok(Columns {
            names: picked.iter().map(|&j| names[j].clone()).collect(),
            kept: picked.iter().map(|_| Kept::Numbers(Vec::new())).collect(),
            picked,
            lines: RowLines::default(),
        })
    }

    pub fn width(&self) -> usize {
        self.picked.len()
    }

    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Appends one row: `cells[k]` is kept column k's cell (none missing);
    /// its text is read from `record` only for a text column.
    pub fn push(&mut self, cells: &[Cell], record: &csv::StringRecord, line: u64) {
        let raw = |k: usize| &record[self.picked[k]];
        for (k, kept) in self.kept.iter_mut().enumerate() {
            match (&mut *kept, &cells[k]) {
                (Kept::Numbers(v), Cell::Value(x)) => v.push(*x),
                (Kept::Numbers(v), _) => {
                    let mut text = TextColumn::from_numbers(&self.names[k], self.picked[k] + 1, v);
                    text.push_text(raw(k), line);
                    *kept = Kept::Text(text);
                }
                (Kept::Text(t), Cell::Value(_)) => t.push_number(raw(k)),
                (Kept::Text(t), _) => t.push_text(raw(k), line),
            }
        }
        self.lines.push(line);
    }

    /// A data set of the columns picked, every one numeric: `numbers[k]`
    /// is kept column k, `lines` the rows' lines (the fast path's rows,
    /// which never pass through [`Columns::push`]).
    pub fn numeric(&self, numbers: Vec<Vec<f64>>, lines: RowLines) -> Dataset {
        Dataset {
            names: self.names.clone(),
            columns: numbers,
            lines,
            ..Dataset::default()
        }
    }

    /// The rows read so far as a data set; `self` starts empty again.
    pub fn take(&mut self) -> Dataset {
        let mut data = Dataset {
            lines: std::mem::take(&mut self.lines),
            ..Dataset::default()
        };
        for (k, kept) in self.kept.iter_mut().enumerate() {
            match std::mem::replace(kept, Kept::Numbers(Vec::new())) {
                Kept::Numbers(v) => {
                    data.names.push(self.names[k].clone());
                    data.columns.push(v);
                }
                Kept::Text(t) => data.text.push(t),
            }
        }
        data
    }
}
