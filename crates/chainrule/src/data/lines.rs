//! The 1-based file line of each record, found in one forward pass beside
//! the CSV reader (a second handle on the same bytes), so every row knows
//! its line at a cost linear in the file — not a rescan per row. Blank
//! lines count, as in `read::line_at_byte`: the csv crate puts a record's
//! start before the blank lines it skips.

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

#[cfg(test)]
mod tests {
    use super::*;

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
