//! A data set: named f64 columns, stored column-major, and the text
//! columns beside them (cells that are not all numbers), which only a
//! formula gives a meaning (categorical, or an error naming the cell).

use std::path::PathBuf;

use super::{DataError, RowLines, TextColumn};

/// Named numeric columns of equal length, in file order, and the text
/// columns, each as long.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    /// The file it came from; `None` for built-in, synthetic or in-memory data.
    pub path: Option<PathBuf>,
    /// The numeric columns' names.
    pub names: Vec<String>,
    /// `columns[j][i]` is row i of column `names[j]`.
    pub columns: Vec<Vec<f64>>,
    /// Columns with a cell that is not a number, in file order.
    pub text: Vec<TextColumn>,
    /// Row i's 1-based line in the file, when read from one (none
    /// otherwise): for messages about one row.
    pub lines: RowLines,
}

impl Dataset {
    /// Checks that names are unique and non-empty and all columns have one length.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self, DataError> {
        let file = "data".to_string();
        if names.len() != columns.len() {
            return Err(DataError::ColumnLength {
                name: "(names)".into(),
                found: names.len(),
                expected: columns.len(),
            });
        }
        for (j, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(DataError::EmptyColumnName { file, index: j + 1 });
            }
            if let Some(first) = names[..j].iter().position(|m| m == name) {
                return Err(DataError::DuplicateColumn {
                    file,
                    name: name.clone(),
                    first: first + 1,
                    second: j + 1,
                });
            }
            if columns[j].len() != columns[0].len() {
                return Err(DataError::ColumnLength {
                    name: name.clone(),
                    found: columns[j].len(),
                    expected: columns[0].len(),
                });
            }
        }
        Ok(Dataset {
            names,
            columns,
            ..Dataset::default()
        })
    }

    /// A CSV/TSV file with a header row, read with the default options
    /// (every cell a finite number; see [`read_csv`](super::read_csv) for
    /// dropping rows with missing values and for limits).
    pub fn from_csv(path: impl AsRef<std::path::Path>) -> Result<Self, DataError> {
        Ok(super::read_csv(path.as_ref(), &super::ReadOptions::default())?.0)
    }

    pub fn n_rows(&self) -> usize {
        self.columns
            .first()
            .map(Vec::len)
            .or_else(|| self.text.first().map(|t| t.values.len()))
            .unwrap_or(0)
    }

    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Where the data came from, for messages: the path, or `"data"`.
    pub fn source_name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "data".to_string(), |p| p.display().to_string())
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn column(&self, name: &str) -> Result<&[f64], DataError> {
        match self.index_of(name) {
            Some(j) => Ok(&self.columns[j]),
            None => Err(DataError::UnknownColumn {
                file: self.source_name(),
                name: name.to_string(),
                available: self.all_names(),
            }),
        }
    }

    /// The text column `name`, if it is one.
    pub fn text_column(&self, name: &str) -> Option<&TextColumn> {
        self.text.iter().find(|t| t.name == name)
    }

    /// Every column's name, numeric and text, text ones last (for messages).
    pub fn all_names(&self) -> Vec<String> {
        let text = self.text.iter().map(|t| t.name.clone());
        self.names.iter().cloned().chain(text).collect()
    }

    /// Where row i (0-based) is, for a message: `file:LINE`, or `data row
    /// N` (1-based) when the rows did not come from a file.
    pub fn row_at(&self, i: usize) -> String {
        match self.lines.line_of(i) {
            Some(line) => format!("{}:{line}", self.source_name()),
            None => format!("{}: data row {}", self.source_name(), i + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lookup_names_the_alternatives() {
        let d = Dataset::new(vec!["x".into(), "y".into()], vec![vec![1.0], vec![2.0]]).unwrap();
        assert_eq!(d.n_rows(), 1);
        assert_eq!(d.column("y").unwrap(), &[2.0]);
        let msg = d.column("z").unwrap_err().to_string();
        assert!(msg.contains("\"z\"") && msg.contains("x, y"), "{msg}");
    }

    #[test]
    fn new_rejects_duplicates_and_ragged_columns() {
        assert!(Dataset::new(vec!["x".into(), "x".into()], vec![vec![1.0], vec![2.0]]).is_err());
        assert!(Dataset::new(vec!["x".into(), "y".into()], vec![vec![1.0], vec![]]).is_err());
    }
}
