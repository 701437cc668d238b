//! Everything that can go wrong while reading or making a data set.
//!
//! Every message names the file (or built-in name), the 1-based file line
//! (the header is line 1) and the column where it applies, and ends with
//! what the user can do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {}: {source}; check the path and permissions", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}; check that the directory exists and is writable", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{file}: the file is empty; it needs a header line naming the columns, e.g. `x,y`")]
    Empty { file: String },

    #[error("{file}: has a header but no data rows; add at least one row of numbers")]
    NoRows { file: String },

    #[error(
        "{file}: all {dropped} data rows had a missing value and were dropped; \
         fill in the missing cells"
    )]
    AllRowsDropped { file: String, dropped: usize },

    #[error(
        "{file}:{line}: row has {found} fields but the header has {expected}; \
         make every row have {expected} fields"
    )]
    Ragged {
        file: String,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error(
        "{file}:{line}: column \"{name}\" (column {index}): {what}; fill in the cell, \
         or skip rows with missing values (drop missing)"
    )]
    Missing {
        file: String,
        line: u64,
        name: String,
        index: usize,
        /// "empty cell", "\"NA\" marks a missing value", "\"NaN\" is not a finite number".
        what: String,
    },

    #[error(
        "{file}:1: column \"{name}\" appears twice (columns {first} and {second}); \
         rename one of them"
    )]
    DuplicateColumn {
        file: String,
        name: String,
        first: usize,
        second: usize,
    },

    #[error("{file}:1: column {index} has an empty name; give every column a name in the header")]
    EmptyColumnName { file: String, index: usize },

    #[error(
        "{file}:1: the header has {found} columns, more than the limit of {max}; \
         keep only the columns you need, or raise the column limit"
    )]
    TooManyColumns {
        file: String,
        found: usize,
        max: usize,
    },

    #[error(
        "{file}:{line}: the data has more than {max} cells (rows × columns), the limit; \
         raise the cell limit, or keep fewer rows or columns"
    )]
    TooManyCells { file: String, line: u64, max: usize },

    #[error(
        "{file}:{line}: {max} bytes and no line break yet: not a line of a CSV table \
         (1 KiB is allowed for each column under the column limit); check that this is the \
         data file, or raise the column limit"
    )]
    LineTooLong { file: String, line: u64, max: usize },

    #[error("{file}:{line}: {message}; check that the file is UTF-8 text in CSV form")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },

    /// A binary input (design cache, Parquet) that cannot be used as it is.
    #[error("{file}: {message}")]
    Format { file: String, message: String },

    #[error("{file}: no column named \"{name}\"; the columns are: {}", available.join(", "))]
    UnknownColumn {
        file: String,
        name: String,
        available: Vec<String>,
    },

    #[error(
        "column \"{name}\" has {found} values but the first column has {expected}; \
         give every column the same length"
    )]
    ColumnLength {
        name: String,
        found: usize,
        expected: usize,
    },

    #[error("no built-in data set named \"{name}\"; choose one of: {}", available.join(", "))]
    UnknownBuiltin {
        name: String,
        available: Vec<String>,
    },

    #[error("synthetic data: {message}")]
    Synth { message: String },
}
