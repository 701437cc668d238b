//! A bound on the length of one line, so that a file with no line breaks
//! (`/dev/zero`, a binary file, a gigabyte on one line) is refused after a
//! few megabytes instead of being buffered whole by the CSV reader, which
//! keeps a record in memory until its end.
//!
//! The bound comes from the column limit (1 KiB per allowed column: 10 MiB
//! by default), so the flag that raises one raises the other.

use std::io::{self, Read};

/// Bytes a line may take per column the reader allows.
pub const BYTES_PER_COLUMN: usize = 1024;

/// The error [`LineLimit`] raises, inside an `io::Error`.
#[derive(Debug)]
pub(super) struct LineTooLong {
    /// Where the long line starts (0-based byte offset in the input).
    pub start: u64,
    pub max: usize,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a line longer than {} bytes", self.max)
    }
}

impl std::error::Error for LineTooLong {}

/// Wraps a reader and fails once a line runs past `max` bytes.
pub(super) struct LineLimit<R> {
    inner: R,
    max: usize,
    /// Bytes read so far, and where the current line began.
    offset: u64,
    line_start: u64,
}

impl<R> LineLimit<R> {
    pub fn new(inner: R, max_columns: usize) -> Self {
        LineLimit {
            inner,
            max: max_columns.saturating_mul(BYTES_PER_COLUMN),
            offset: 0,
            line_start: 0,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        // Only the last line break of the chunk matters: scan from the end.
        if let Some(k) = buf[..n].iter().rposition(|&b| b == b'\n') {
            self.line_start = self.offset + k as u64 + 1;
        }
        self.offset += n as u64;
        if self.offset - self.line_start > self.max as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LineTooLong {
                    start: self.line_start,
                    max: self.max,
                },
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_pass_and_a_long_one_is_stopped_where_it_starts() {
        // 2 columns allowed → 2048 bytes a line; line 2 starts at byte 4.
        let mut text = b"a,b\n".to_vec();
        text.extend(std::iter::repeat_n(b'7', 5000));
        let mut reader = LineLimit::new(&text[..], 2);
        let mut sink = Vec::new();
        let e = reader.read_to_end(&mut sink).unwrap_err();
        let long = e.get_ref().unwrap().downcast_ref::<LineTooLong>().unwrap();
        assert_eq!((long.start, long.max), (4, 2048));

        let fine = b"a,b\n1,2\n3,4\n";
        let mut sink = Vec::new();
        LineLimit::new(&fine[..], 2).read_to_end(&mut sink).unwrap();
        assert_eq!(sink, fine);
    }
}
