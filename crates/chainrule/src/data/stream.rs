//! CSV/TSV read in chunks of at most `chunk_rows` rows, so memory stays the
//! size of one chunk however long the file is. The same checks and located
//! errors as [`read_csv`](super::read_csv): each chunk is a small
//! [`Dataset`] with the file's column names, and its cells are classified by
//! the same rules, and only the columns [`ReadOptions::only`] names are
//! read.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::columns::Columns;
use super::line_limit::LineLimit;
use super::lines::{LineTracker, RowLines};
use super::plain::{Parse, PlainFile, Unplain};
use super::read::{
    csv_reader, delimiter_for, header_names, line_in_file, line_of, next_record, parse_row,
    start_of,
};
use super::{DataError, Dataset, ReadOptions, ReadReport};

/// A CSV file open for one pass, chunk by chunk: by the fast path
/// (`plain.rs`, ranges parsed in parallel) while the file allows, else —
/// from the first row not yet handed out — by the csv-crate reader.
pub struct CsvChunks {
    path: PathBuf,
    label: String,
    names: Vec<String>,
    opts: ReadOptions,
    chunk_rows: usize,
    report: ReadReport,
    done: bool,
    rows: Rows,
}

enum Rows {
    Plain {
        file: Box<PlainFile>,
        /// Rows parsed but not yet handed out, per column read.
        pending: Vec<Vec<f64>>,
        eof: bool,
    },
    Records(Box<Records>),
}

/// The sequential reader's state.
struct Records {
    csv: csv::Reader<LineLimit<BufReader<File>>>,
    record: csv::StringRecord,
    columns: Columns,
    lines: LineTracker<File>,
}

impl CsvChunks {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path, opts: &ReadOptions, chunk_rows: usize) -> Result<Self, DataError> {
        Self::open_parsed(path, opts, chunk_rows, Parse::default())
    }

    /// [`CsvChunks::open`], parsed as `parse` says (the same chunks and
    /// errors either way).
    pub fn open_parsed(
        path: &Path,
        opts: &ReadOptions,
        chunk_rows: usize,
        parse: Parse,
    ) -> Result<Self, DataError> {
        let label = path.display().to_string();
        let plain = match parse {
            Parse::Ranges {
                ranges,
                block_bytes,
            } => PlainFile::open(path, opts, ranges, block_bytes).ok(),
            Parse::Sequential => None,
        };
        let (names, rows) = match plain {
            Some(file) => {
                let pending = vec![Vec::new(); file.columns.width()];
                let names = file.names.clone();
                let eof = false;
                let file = Box::new(file);
                (names, Rows::Plain { file, pending, eof })
            }
            None => {
                let (names, records) = Records::open(path, &label, opts)?;
                (names, Rows::Records(Box::new(records)))
            }
        };
        Ok(CsvChunks {
            path: path.to_path_buf(),
            label,
            names,
            opts: opts.clone(),
            chunk_rows: chunk_rows.max(1),
            report: ReadReport::default(),
            done: false,
            rows,
        })
    }

    /// Every column the file's header names (read or not).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Bytes of the file consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        match &self.rows {
            Rows::Plain { file, .. } => file.bytes_read(),
            Rows::Records(r) => r.csv.position().byte(),
        }
    }

    /// Rows read and dropped so far.
    pub fn report(&self) -> ReadReport {
        self.report
    }

    /// Reads the next chunk into `chunk` (replaced by the chunk's rows:
    /// the columns read, numeric or text, as a whole-file read would give
    /// them for these rows). `Ok(false)` at the end of the file; a file
    /// without data rows is an error, as in `read_csv`.
    pub fn next_chunk(&mut self, chunk: &mut Dataset) -> Result<bool, DataError> {
        if self.done {
            return Ok(false);
        }
        if let Rows::Plain { .. } = self.rows {
            match self.plain_chunk(chunk) {
                Ok(more) => return Ok(more),
                Err(Unplain) => {
                    // Read sequentially from the first row not handed out:
                    // it finds and reports what the fast path gave up on.
                    let (_, mut records) = Records::open(&self.path, &self.label, &self.opts)?;
                    records.skip(self.report.rows_read, &self.label, &self.path)?;
                    self.rows = Rows::Records(Box::new(records));
                }
            }
        }
        self.records_chunk(chunk)
    }

    /// The next chunk by the fast path: blocks parsed until a chunk's rows
    /// are pending, then those rows handed out.
    fn plain_chunk(&mut self, chunk: &mut Dataset) -> Result<bool, Unplain> {
        let Rows::Plain { file, pending, eof } = &mut self.rows else {
            return Err(Unplain);
        };
        let Some(rows) = pending.first().map(Vec::len) else {
            return Err(Unplain); // rows are counted by the columns read
        };
        let mut rows = rows;
        while rows < self.chunk_rows && !*eof {
            *eof = !file.next_block(pending)?;
            rows = pending[0].len();
        }
        let take = rows.min(self.chunk_rows);
        let first_line = self.report.rows_read as u64 + 2;
        let kept = (self.report.rows_read + take).saturating_mul(pending.len());
        if kept > self.opts.max_cells || (take == 0 && self.report.rows_read == 0) {
            return Err(Unplain);
        }
        let numbers = pending
            .iter_mut()
            .map(|p| p.drain(..take).collect())
            .collect();
        // The header is line 1 and no line is blank: row i is on line i + 2.
        *chunk = file
            .columns
            .numeric(numbers, RowLines::consecutive(first_line, take));
        chunk.path = Some(self.path.clone());
        self.report.rows_read += take;
        self.done = take == 0;
        Ok(take > 0)
    }

    fn records_chunk(&mut self, chunk: &mut Dataset) -> Result<bool, DataError> {
        let Rows::Records(records) = &mut self.rows else {
            unreachable!("the fast path hands over to the records")
        };
        let Records {
            csv,
            record,
            columns,
            lines,
        } = &mut **records;
        let mut cells = Vec::with_capacity(columns.width());
        let path = self.path.clone();
        let line_at = line_in_file(&path);
        let file = self.label.as_str();
        while columns.rows() < self.chunk_rows {
            if !next_record(csv, record, file, &line_at)? {
                self.done = true;
                break;
            }
            let record = &*record;
            let line = || line_of(record, &line_at);
            self.report.rows_read += 1;
            let picked = &columns.picked;
            match parse_row(record, &self.names, picked, &line, &mut cells, file)? {
                None => {
                    let line = lines.line_of(start_of(record));
                    columns.push(&cells, record, line);
                }
                Some(_) if self.opts.drop_missing => self.report.rows_dropped += 1,
                Some((j, what)) => {
                    return Err(DataError::Missing {
                        file: file.into(),
                        line: line(),
                        name: self.names[j].clone(),
                        index: j + 1,
                        what,
                    })
                }
            }
        }
        if self.done {
            if self.report.rows_read == 0 {
                return Err(DataError::NoRows { file: file.into() });
            }
            if self.report.rows_dropped == self.report.rows_read {
                return Err(DataError::AllRowsDropped {
                    file: file.into(),
                    dropped: self.report.rows_dropped,
                });
            }
        }
        *chunk = columns.take();
        chunk.path = Some(self.path.clone());
        Ok(chunk.n_rows() > 0)
    }
}

impl Records {
    /// Opens `path` and reads its header; returns the header's names.
    fn open(
        path: &Path,
        label: &str,
        opts: &ReadOptions,
    ) -> Result<(Vec<String>, Self), DataError> {
        let io_error = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let mut csv = csv_reader(
            delimiter_for(label),
            LineLimit::new(BufReader::new(file), opts.max_columns),
        );
        let mut record = csv::StringRecord::new();
        let line_at = line_in_file(path);
        if !next_record(&mut csv, &mut record, label, &line_at)? {
            return Err(DataError::Empty { file: label.into() });
        }
        let names = header_names(&record, label, opts)?;
        let columns = Columns::pick(&names, opts.only.as_deref(), label)?;
        let lines = LineTracker::new(File::open(path).map_err(io_error)?);
        let records = Records {
            csv,
            record,
            columns,
            lines,
        };
        Ok((names, records))
    }

    /// Passes over `rows` data records (already handed out by the fast
    /// path, so they read without error).
    fn skip(&mut self, rows: usize, label: &str, path: &Path) -> Result<(), DataError> {
        let line_at = line_in_file(path);
        for _ in 0..rows {
            next_record(&mut self.csv, &mut self.record, label, &line_at)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read_csv;

    #[test]
    fn chunks_concatenate_to_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let text: String = std::iter::once("x,y\n".to_string())
            .chain((0..10).map(|i| format!("{i},{}\n", 2 * i)))
            .collect();
        std::fs::write(&path, text).unwrap();
        let opts = ReadOptions::default();
        let (whole, _) = read_csv(&path, &opts).unwrap();
        let mut chunks = CsvChunks::open(&path, &opts, 3).unwrap();
        let mut chunk = Dataset::new(vec![], vec![]).unwrap();
        let mut got = vec![Vec::new(), Vec::new()];
        let mut sizes = Vec::new();
        while chunks.next_chunk(&mut chunk).unwrap() {
            sizes.push(chunk.n_rows());
            for (g, c) in got.iter_mut().zip(&chunk.columns) {
                g.extend_from_slice(c);
            }
        }
        // 10 rows in chunks of 3: 3 + 3 + 3 + 1.
        assert_eq!(sizes, [3, 3, 3, 1]);
        assert_eq!(got, whole.columns);
        assert_eq!(chunks.bytes_read(), std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn errors_are_located_in_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "x,y\n1,2\n3,\n5,oops\n").unwrap();
        let mut chunks = CsvChunks::open(&path, &ReadOptions::default(), 1).unwrap();
        let mut chunk = Dataset::new(vec![], vec![]).unwrap();
        assert!(chunks.next_chunk(&mut chunk).unwrap());
        let err = chunks.next_chunk(&mut chunk).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::Missing {
                    line: 3,
                    index: 2,
                    ..
                }
            ),
            "{err}"
        );
        // A text cell makes a text column of its chunk, located in the file.
        let only_x = ReadOptions {
            only: Some(vec!["x".into()]),
            ..ReadOptions::default()
        };
        let mut chunks = CsvChunks::open(&path, &only_x, 2).unwrap();
        assert!(chunks.next_chunk(&mut chunk).unwrap());
        assert_eq!(chunk.columns, [vec![1.0, 3.0]]);
        std::fs::write(&path, "x,y\n1,2\n3,4\n5,oops\n").unwrap();
        let mut chunks = CsvChunks::open(&path, &ReadOptions::default(), 2).unwrap();
        assert!(chunks.next_chunk(&mut chunk).unwrap());
        assert!(chunks.next_chunk(&mut chunk).unwrap());
        let at = chunk.text_column("y").unwrap().first_text.clone().unwrap();
        assert_eq!((at.line, at.text.as_str()), (4, "oops"));
    }
}
