//! File lines of CSV records, for messages. The csv crate knows a record's
//! byte offset but not its line (its own counter skips blank lines), so
//! the line is counted from the bytes: one forward scan for a whole read,
//! since records are asked for in file order; asking for an earlier byte
//! starts the scan again from the top.

use std::io::{BufRead, BufReader, Read};

/// Finds the 1-based line of record starts in the bytes `open` gives.
pub(super) struct LineFinder<R, F> {
    open: F,
    reader: Option<BufReader<R>>,
    /// Bytes consumed, and the line the next byte is on.
    at: u64,
    line: u64,
}

impl<R: Read, F: FnMut() -> std::io::Result<R>> LineFinder<R, F> {
    pub fn new(open: F) -> Self {
        LineFinder {
            open,
            reader: None,
            at: 0,
            line: 1,
        }
    }

    /// The line of the record that the csv crate says starts at byte
    /// `start`. The crate puts that start *before* any blank lines it then
    /// skips, so blank lines right after `start` are counted too (and
    /// consumed: the next record starts after them).
    pub fn line_at(&mut self, start: u64) -> std::io::Result<u64> {
        if self.reader.is_none() || start < self.at {
            self.reader = Some(BufReader::new((self.open)()?));
            self.at = 0;
            self.line = 1;
        }
        let reader = self.reader.as_mut().expect("opened above");
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(self.line);
            }
            let mut used = 0;
            let mut found = false;
            for &b in buf {
                if self.at + used as u64 >= start && b != b'\n' && b != b'\r' {
                    found = true;
                    break;
                }
                used += 1;
                self.line += u64::from(b == b'\n');
            }
            reader.consume(used);
            self.at += used as u64;
            if found {
                return Ok(self.line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_order_and_out_of_order_match_a_count_from_the_top() {
        // Record starts of "x\n\n1\n2\r\n\n3" as csv gives them: 0 (x),
        // 2 (before the blank line, so 1 is on line 3), 5 (2, line 4),
        // 8 (before the blank line: 3 is on line 6).
        let text = b"x\n\n1\n2\r\n\n3";
        let mut finder = LineFinder::new(|| Ok(&text[..]));
        let lines: Vec<u64> = [0, 2, 5, 8].map(|b| finder.line_at(b).unwrap()).into();
        assert_eq!(lines, [1, 3, 4, 6]);
        // Back to an earlier record: the scan restarts.
        assert_eq!(finder.line_at(5).unwrap(), 4);
        // Past the end: the last line.
        assert_eq!(finder.line_at(100).unwrap(), 6);
    }
}
