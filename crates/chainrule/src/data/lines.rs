//! The 1-based file line of each record, found in one forward pass beside
//! the CSV reader (a second handle on the same bytes), so every row knows
//! its line at a cost linear in the file — not a rescan per row. Blank
//! lines count, as in `read::line_at_byte`: the csv crate puts a record's
//! start before the blank lines it skips.
//!
//! The lines are kept as [`RowLines`]: in the usual file row i is on line
//! i + 2, which costs two numbers, not eight bytes a row (40 MB of a
//! 5,000,000-row file); a list only once a blank line or a dropped row
//! breaks the run.

use std::io::{BufReader, Bytes, Read};
use std::iter::Peekable;

pub(super) struct LineTracker<R: Read> {
    bytes: Peekable<Bytes<BufReader<R>>>,
    /// Bytes consumed so far, and the line the next byte is on.
    at: u64,
    line: u64,
}

impl<R: Read> LineTracker<R> {
    pub fn new(inner: R) -> Self {
        LineTracker {
            bytes: BufReader::new(inner).bytes().peekable(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the record that starts at byte `start`; starts must
    /// come in increasing order. 0 when the bytes cannot be read.
    pub fn line_of(&mut self, start: u64) -> u64 {
        while self.at < start {
            match self.bytes.next() {
                Some(Ok(b)) => self.step(b),
                _ => return 0,
            }
        }
        while let Some(Ok(b @ (b'\n' | b'\r'))) = self.bytes.peek() {
            let b = *b;
            self.bytes.next();
            self.step(b);
        }
        self.line
    }

    fn step(&mut self, b: u8) {
        self.at += 1;
        self.line += u64::from(b == b'\n');
    }
}

/// Row i's 1-based file line, for messages about one row.
#[derive(Debug, Clone, Eq)]
pub enum RowLines {
    /// Rows 0..rows are on lines first..first + rows (no rows: not read
    /// from a file, or nothing read yet).
    Consecutive { first: u64, rows: usize },
    /// Each row's line, once they stopped following one another.
    Listed(Vec<u64>),
}

impl Default for RowLines {
    fn default() -> Self {
        RowLines::Consecutive { first: 0, rows: 0 }
    }
}

impl RowLines {
    /// `rows` rows on the lines from `first` on.
    pub fn consecutive(first: u64, rows: usize) -> Self {
        RowLines::Consecutive { first, rows }
    }

    /// Row i's line; `None` past the rows known (and for data not read
    /// from a file).
    pub fn line_of(&self, i: usize) -> Option<u64> {
        match self {
            RowLines::Consecutive { first, rows } => (i < *rows).then(|| first + i as u64),
            RowLines::Listed(lines) => lines.get(i).copied(),
        }
    }

    /// How many rows have a line.
    pub fn len(&self) -> usize {
        match self {
            RowLines::Consecutive { rows, .. } => *rows,
            RowLines::Listed(lines) => lines.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next row is on `line`.
    pub fn push(&mut self, line: u64) {
        match self {
            RowLines::Consecutive { first, rows } if *rows == 0 => (*first, *rows) = (line, 1),
            RowLines::Consecutive { first, rows } if *first + *rows as u64 == line => *rows += 1,
            RowLines::Consecutive { first, rows } => {
                let mut lines: Vec<u64> = (*first..*first + *rows as u64).collect();
                lines.push(line);
                *self = RowLines::Listed(lines);
            }
            RowLines::Listed(lines) => lines.push(line),
        }
    }

    /// Keeps the first `rows` rows' lines.
    pub fn truncate(&mut self, rows: usize) {
        match self {
            RowLines::Consecutive { rows: n, .. } => *n = rows.min(*n),
            RowLines::Listed(lines) => lines.truncate(rows),
        }
    }

    /// Every row's line, in row order.
    pub fn to_vec(&self) -> Vec<u64> {
        (0..self.len()).filter_map(|i| self.line_of(i)).collect()
    }
}

/// Equal when every row is on the same line, however the lines are kept.
impl PartialEq for RowLines {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && (0..self.len()).all(|i| self.line_of(i) == other.line_of(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_lines_costs_no_list_until_it_breaks() {
        // Rows on lines 2, 3, 4 (no blank line), then 6 (line 5 blank).
        let mut lines = RowLines::default();
        assert_eq!(lines.line_of(0), None);
        for line in [2, 3, 4] {
            lines.push(line);
        }
        assert_eq!(lines, RowLines::Consecutive { first: 2, rows: 3 });
        assert!(matches!(lines, RowLines::Consecutive { .. }));
        lines.push(6);
        assert!(matches!(lines, RowLines::Listed(_)));
        assert_eq!(lines.to_vec(), [2, 3, 4, 6]);
        assert_eq!((lines.line_of(3), lines.line_of(4)), (Some(6), None));
        lines.truncate(3);
        assert_eq!(lines, RowLines::consecutive(2, 3));
    }

    #[test]
    fn agrees_with_the_rescan() {
        // Records start at bytes 0 (header), 4 (before a blank line), 9.
        let text = "x,y\n\n1,2\n\"a\nb\",3\n";
        let mut t = LineTracker::new(text.as_bytes());
        for start in [0, 4, 9] {
            let want = super::super::read::line_at_byte(text.as_bytes(), start).unwrap();
            assert_eq!(t.line_of(start), want, "byte {start}");
        }
    }
}
