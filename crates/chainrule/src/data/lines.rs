//! The 1-based file line of each record, found in one forward pass beside
//! the CSV reader (a second handle on the same bytes), so every row knows
//! its line at a cost linear in the file — not a rescan per row. Blank
//! lines count, as in `read::line_at_byte`: the csv crate puts a record's
//! start before the blank lines it skips.
//!
//! The lines are kept as [`RowLines`]: runs of rows on consecutive lines,
//! a new run at each blank line or dropped row. In the usual file row i is
//! on line i + 2, one run: a few bytes, not eight a row (40 MB of a
//! 5,000,000-row file).

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
    /// Runs of rows on consecutive lines: `(row, line)` of each run's
    /// first row, in row order, and `rows` rows in all (none: not read
    /// from a file, or nothing read yet). The usual file is one run.
    Runs {
        starts: Vec<(usize, u64)>,
        rows: usize,
    },
    /// Each row's line, once runs would take more memory (a file with a
    /// blank line after nearly every row).
    Listed(Vec<u64>),
}

impl Default for RowLines {
    fn default() -> Self {
        RowLines::Runs {
            starts: Vec::new(),
            rows: 0,
        }
    }
}

/// Runs are kept while they cost at most 8 bytes a row, as the list does
/// (a run takes 16); the first few always, so that a blank line near the
/// top of a file does not make every row pay.
const FREE_RUNS: usize = 32;

impl RowLines {
    /// `rows` rows on the lines from `first` on.
    pub fn consecutive(first: u64, rows: usize) -> Self {
        let starts = if rows > 0 { vec![(0, first)] } else { vec![] };
        RowLines::Runs { starts, rows }
    }

    /// Row i's line; `None` past the rows known (and for data not read
    /// from a file).
    pub fn line_of(&self, i: usize) -> Option<u64> {
        match self {
            RowLines::Runs { starts, rows } if i < *rows => {
                let k = starts.partition_point(|&(row, _)| row <= i) - 1;
                let (row, line) = starts[k];
                Some(line + (i - row) as u64)
            }
            RowLines::Runs { .. } => None,
            RowLines::Listed(lines) => lines.get(i).copied(),
        }
    }

    /// How many rows have a line.
    pub fn len(&self) -> usize {
        match self {
            RowLines::Runs { rows, .. } => *rows,
            RowLines::Listed(lines) => lines.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next row is on `line`.
    pub fn push(&mut self, line: u64) {
        let next = self.len();
        if self.line_of(next.wrapping_sub(1)).map(|l| l + 1) == Some(line) {
            match self {
                RowLines::Runs { rows, .. } => *rows += 1,
                RowLines::Listed(lines) => lines.push(line),
            }
            return;
        }
        match self {
            RowLines::Runs { starts, rows } if starts.len() < FREE_RUNS.max(*rows / 2) => {
                starts.push((*rows, line));
                *rows += 1;
            }
            RowLines::Runs { .. } => {
                let mut lines = self.to_vec();
                lines.push(line);
                *self = RowLines::Listed(lines);
            }
            RowLines::Listed(lines) => lines.push(line),
        }
    }

    /// Keeps the first `rows` rows' lines.
    pub fn truncate(&mut self, keep: usize) {
        match self {
            RowLines::Runs { starts, rows } => {
                *rows = keep.min(*rows);
                starts.truncate(starts.partition_point(|&(row, _)| row < *rows));
            }
            RowLines::Listed(lines) => lines.truncate(keep),
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
    fn a_blank_line_or_a_dropped_row_starts_a_run() {
        // Rows on lines 2, 3, 4, then 6 (line 5 blank or dropped), 7.
        let mut lines = RowLines::default();
        assert_eq!(lines.line_of(0), None);
        for line in [2, 3, 4, 6, 7] {
            lines.push(line);
        }
        let RowLines::Runs { starts, rows } = &lines else {
            panic!("two runs are kept as runs: {lines:?}");
        };
        assert_eq!((starts.as_slice(), *rows), ([(0, 2), (3, 6)].as_slice(), 5));
        assert_eq!(lines.to_vec(), [2, 3, 4, 6, 7]);
        assert_eq!((lines.line_of(4), lines.line_of(5)), (Some(7), None));
        lines.truncate(3);
        assert_eq!(lines, RowLines::consecutive(2, 3));
        assert!(matches!(&lines, RowLines::Runs { starts, .. } if starts.len() == 1));
    }

    #[test]
    fn a_blank_line_after_every_row_is_a_list() {
        // Rows on lines 2, 4, 6, …: every row starts a run, and past the
        // free runs a run a row would cost twice the list.
        let mut lines = RowLines::default();
        let want: Vec<u64> = (0..1000).map(|i| 2 + 2 * i).collect();
        want.iter().for_each(|&l| lines.push(l));
        assert!(matches!(lines, RowLines::Listed(_)), "{lines:?}");
        assert_eq!(lines.to_vec(), want);
        // Past the switch, consecutive lines still come out right.
        lines.push(2000);
        lines.push(2001);
        assert_eq!(lines.line_of(1001), Some(2001));
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
