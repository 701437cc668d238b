//! CSV/TSV → [`Dataset`], with errors that point at the file, line and column.
//!
//! The first record is the header (required). Lines are 1-based file lines,
//! so the header is line 1 and the first data row is usually line 2; blank
//! lines are skipped but still counted (the csv crate's own line counter
//! skips them, so a line number is recomputed from the record's byte
//! offset — only when there is an error to report). A cell is *missing* when it is
//! empty, one of the usual missing-value markers (`NA`, `N/A`, `null`, …) or
//! a number that is not finite (`NaN`, `inf`); missing cells are an error
//! unless [`ReadOptions::drop_missing`] drops their rows.
//!
//! With [`ReadOptions::only`] (a formula's columns) the other columns are
//! never parsed: text or an empty cell there is no error and drops no row.
//! A column kept whose cells are not all numbers is read as text
//! ([`TextColumn`](super::TextColumn)); what that means is the formula's
//! call.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::columns::Columns;
use super::line_limit::{LineLimit, LineTooLong};
use super::lines::LineTracker;
use super::plain::Parse;
use super::{DataError, Dataset};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Drop rows that have a missing cell (in a column read) instead of failing.
    pub drop_missing: bool,
    /// Read only these columns (a formula's: `Formula::columns_to_read`);
    /// `None` reads every column. A name the file lacks is an error.
    pub only: Option<Vec<String>>,
    /// Refuse headers with more columns than this (guards against reading a
    /// wide binary or transposed file into memory).
    pub max_columns: usize,
    /// Refuse files with more cells (rows × columns) than this, checked row
    /// by row before the row is stored, so memory stays under 8 bytes × the
    /// limit however large the file is.
    pub max_cells: usize,
}

/// Default cell limit: 10⁸ cells, 800 MB of f64 (a design matrix and the
/// trainer's copies come on top).
pub const DEFAULT_MAX_CELLS: usize = 100_000_000;

/// Default column limit.
pub const DEFAULT_MAX_COLUMNS: usize = 10_000;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            drop_missing: false,
            only: None,
            max_columns: DEFAULT_MAX_COLUMNS,
            max_cells: DEFAULT_MAX_CELLS,
        }
    }
}

/// What reading did: `rows_read` data rows were in the file, of which
/// `rows_dropped` were dropped for missing values; the data set holds the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadReport {
    pub rows_read: usize,
    pub rows_dropped: usize,
}

/// Reads a CSV file (tab-separated when the name ends in `.tsv`).
pub fn read_csv(path: &Path, opts: &ReadOptions) -> Result<(Dataset, ReadReport), DataError> {
    read_csv_counted(path, opts, &mut |_| {})
}

/// [`read_csv`], telling `read_so_far` the bytes read, about every MiB
/// (for a progress bar on a file read whole).
pub fn read_csv_counted(
    path: &Path,
    opts: &ReadOptions,
    read_so_far: &mut dyn FnMut(u64),
) -> Result<(Dataset, ReadReport), DataError> {
    read_csv_parsed(path, opts, Parse::default(), read_so_far)
}

/// [`read_csv_counted`], parsed as `parse` says: in parallel ranges where
/// the file allows (see [`Parse`]), else one record after another. The
/// data set, the report and any error are the same either way.
pub fn read_csv_parsed(
    path: &Path,
    opts: &ReadOptions,
    parse: Parse,
    read_so_far: &mut dyn FnMut(u64),
) -> Result<(Dataset, ReadReport), DataError> {
    if let Parse::Ranges {
        ranges,
        block_bytes,
    } = parse
    {
        if let Ok(read) = super::plain::read_whole(path, opts, ranges, block_bytes, read_so_far) {
            return Ok(read);
        }
    }
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let label = path.display().to_string();
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return read_once(file, &label, path, opts, read_so_far);
    }
    let line_at = line_in_file(path);
    let counted = Counted {
        inner: file,
        bytes: 0,
        reported: 0,
        read_so_far,
    };
    let reader = LineLimit::new(BufReader::new(counted), opts.max_columns);
    let mut lines = LineTracker::new(File::open(path).map_err(io_error)?);
    let row_line = &mut |start| lines.line_of(start);
    let delimiter = delimiter_for(&label);
    let (mut data, report) = read_from(&label, delimiter, reader, &line_at, row_line, opts)?;
    data.path = Some(path.to_path_buf());
    Ok((data, report))
}

/// A pipe or a device (`/dev/stdin`, `<(zcat data.gz)`) read whole into
/// memory first: opening it again for the line numbers, as a regular file
/// is, would take the bytes from the reader (rows lost, or a row cut in two).
fn read_once(
    file: File,
    label: &str,
    path: &Path,
    opts: &ReadOptions,
    read_so_far: &mut dyn FnMut(u64),
) -> Result<(Dataset, ReadReport), DataError> {
    let mut bytes = Vec::new();
    let counted = Counted {
        inner: file,
        bytes: 0,
        reported: 0,
        read_so_far,
    };
    // The line limit while reading, so an endless line (/dev/zero) is
    // refused, not buffered.
    let read = LineLimit::new(counted, opts.max_columns).read_to_end(&mut bytes);
    if let Err(source) = read {
        if let Some(long) = source
            .get_ref()
            .and_then(|i| i.downcast_ref::<LineTooLong>())
        {
            return Err(DataError::LineTooLong {
                file: label.into(),
                line: line_at_byte(&bytes[..], long.start).unwrap_or(0),
                max: long.max,
            });
        }
        return Err(DataError::Io {
            path: path.to_path_buf(),
            source,
        });
    }
    let line_at = |byte: u64| line_at_byte(&bytes[..], byte).unwrap_or(0);
    let reader = LineLimit::new(&bytes[..], opts.max_columns);
    let mut lines = LineTracker::new(&bytes[..]);
    let row_line = &mut |start| lines.line_of(start);
    let (mut data, report) = read_from(
        label,
        delimiter_for(label),
        reader,
        &line_at,
        row_line,
        opts,
    )?;
    data.path = Some(path.to_path_buf());
    Ok((data, report))
}

/// A reader that reports its running byte count every [`REPORT_EVERY`].
struct Counted<'a, R> {
    inner: R,
    bytes: u64,
    reported: u64,
    read_so_far: &'a mut dyn FnMut(u64),
}

/// Bytes between two reports: often enough for a bar redrawn ten times a
/// second, rare enough to cost nothing.
const REPORT_EVERY: u64 = 1 << 20;

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.bytes - self.reported >= REPORT_EVERY || n == 0 {
            self.reported = self.bytes;
            (self.read_so_far)(self.bytes);
        }
        Ok(n)
    }
}

/// Reads CSV text held in memory; `name` labels messages and picks the
/// delimiter the way a file name would (`.tsv` → tab).
pub fn read_csv_str(
    name: &str,
    text: &str,
    opts: &ReadOptions,
) -> Result<(Dataset, ReadReport), DataError> {
    let line_at = |byte: u64| line_at_byte(text.as_bytes(), byte).unwrap_or(0);
    let reader = LineLimit::new(text.as_bytes(), opts.max_columns);
    let mut lines = LineTracker::new(text.as_bytes());
    let row_line = &mut |start| lines.line_of(start);
    read_from(name, delimiter_for(name), reader, &line_at, row_line, opts)
}

/// The 1-based line of the record that the csv crate says starts at byte
/// `start`. The crate puts that start *before* any blank lines it then
/// skips, so blank lines right after `start` are counted too.
pub(super) fn line_at_byte<R: Read>(bytes: R, start: u64) -> std::io::Result<u64> {
    let mut line = 1;
    for (at, b) in std::io::BufReader::new(bytes).bytes().enumerate() {
        let b = b?;
        if at as u64 >= start && b != b'\n' && b != b'\r' {
            break;
        }
        line += u64::from(b == b'\n');
    }
    Ok(line)
}

/// The csv crate set up as every reader here reads: no header row of its
/// own (the first record is checked here), rows of any width (a ragged row
/// is reported here, with its line), cells trimmed.
pub(super) fn csv_reader<R: Read>(delimiter: u8, reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(reader)
}

/// [`line_at_byte`] in the file at `path` (0 when it cannot be read): for
/// messages, so the file is read again only when there is an error.
pub(super) fn line_in_file(path: &Path) -> impl Fn(u64) -> u64 + '_ {
    move |byte| {
        File::open(path)
            .and_then(|f| line_at_byte(f, byte))
            .unwrap_or(0)
    }
}

pub(super) fn delimiter_for(name: &str) -> u8 {
    if name.to_ascii_lowercase().ends_with(".tsv") {
        b'\t'
    } else {
        b','
    }
}

fn read_from<R: Read>(
    file: &str,
    delimiter: u8,
    reader: R,
    line_at: &dyn Fn(u64) -> u64,
    row_line: &mut dyn FnMut(u64) -> u64,
    opts: &ReadOptions,
) -> Result<(Dataset, ReadReport), DataError> {
    let mut csv = csv_reader(delimiter, reader);
    let mut record = csv::StringRecord::new();

    if !next_record(&mut csv, &mut record, file, line_at)? {
        return Err(DataError::Empty { file: file.into() });
    }
    let names = header_names(&record, file, opts)?;
    let mut columns = Columns::pick(&names, opts.only.as_deref(), file)?;
    let width = columns.width();
    let mut report = ReadReport::default();
    let mut cells = Vec::with_capacity(width);

    while next_record(&mut csv, &mut record, file, line_at)? {
        let line = || line_of(&record, line_at);
        report.rows_read += 1;
        let missing = parse_row(&record, &names, &columns.picked, &line, &mut cells, file)?;
        // Rows kept so far, this one included.
        let kept = report.rows_read - report.rows_dropped;
        if missing.is_none() && kept.saturating_mul(width) > opts.max_cells {
            return Err(DataError::TooManyCells {
                file: file.into(),
                line: line(),
                max: opts.max_cells,
            });
        }
        match missing {
            None => {
                columns.push(&cells, &record, row_line(start_of(&record)));
            }
            Some(_) if opts.drop_missing => report.rows_dropped += 1,
            Some((j, what)) => {
                return Err(DataError::Missing {
                    file: file.into(),
                    line: line(),
                    name: names[j].clone(),
                    index: j + 1,
                    what,
                })
            }
        }
    }

    if report.rows_read == 0 {
        return Err(DataError::NoRows { file: file.into() });
    }
    if report.rows_dropped == report.rows_read {
        return Err(DataError::AllRowsDropped {
            file: file.into(),
            dropped: report.rows_dropped,
        });
    }
    Ok((columns.take(), report))
}

/// One data record's cells in the columns `picked` into `cells`, after
/// checking its width. Returns the first missing cell (file column index,
/// what it was) — whether that drops the row or stops the read is the
/// caller's rule. Cells of other columns are not looked at.
pub(super) fn parse_row(
    record: &csv::StringRecord,
    names: &[String],
    picked: &[usize],
    line: &dyn Fn() -> u64,
    cells: &mut Vec<Cell>,
    file: &str,
) -> Result<Option<(usize, String)>, DataError> {
    if record.len() != names.len() {
        return Err(DataError::Ragged {
            file: file.into(),
            line: line(),
            found: record.len(),
            expected: names.len(),
        });
    }
    cells.clear();
    let mut missing = None;
    for &j in picked {
        let cell = classify(&record[j]);
        if let Cell::Missing(what) = &cell {
            missing.get_or_insert((j, what.clone()));
        }
        cells.push(cell);
    }
    Ok(missing)
}

pub(super) fn next_record<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    file: &str,
    line_at: &dyn Fn(u64) -> u64,
) -> Result<bool, DataError> {
    csv.read_record(record).map_err(|e| {
        if let csv::ErrorKind::Io(io) = e.kind() {
            if let Some(long) = io.get_ref().and_then(|i| i.downcast_ref::<LineTooLong>()) {
                return DataError::LineTooLong {
                    file: file.into(),
                    line: line_at(long.start),
                    max: long.max,
                };
            }
        }
        let line = e.position().map_or(0, |p| line_at(p.byte()));
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { err, .. } => {
                format!("field {} is not valid UTF-8", err.field() + 1)
            }
            _ => e.to_string(),
        };
        DataError::Csv {
            file: file.into(),
            line,
            message,
        }
    })
}

/// The byte where the csv crate says `record` starts.
pub(super) fn start_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| p.byte())
}

pub(super) fn line_of(record: &csv::StringRecord, line_at: &dyn Fn(u64) -> u64) -> u64 {
    record.position().map_or(0, |p| line_at(p.byte()))
}

pub(super) fn header_names(
    record: &csv::StringRecord,
    file: &str,
    opts: &ReadOptions,
) -> Result<Vec<String>, DataError> {
    if record.len() > opts.max_columns {
        return Err(DataError::TooManyColumns {
            file: file.into(),
            found: record.len(),
            max: opts.max_columns,
        });
    }
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (j, raw) in record.iter().enumerate() {
        let name = if j == 0 {
            raw.trim_start_matches('\u{feff}').trim()
        } else {
            raw
        };
        if name.is_empty() {
            return Err(DataError::EmptyColumnName {
                file: file.into(),
                index: j + 1,
            });
        }
        if let Some(first) = names.iter().position(|n| n == name) {
            return Err(DataError::DuplicateColumn {
                file: file.into(),
                name: name.into(),
                first: first + 1,
                second: j + 1,
            });
        }
        names.push(name.into());
    }
    Ok(names)
}

pub(super) enum Cell {
    Value(f64),
    /// Why the cell counts as missing, for the message.
    Missing(String),
    /// Not a number: a label, or a typo.
    Text,
}

/// Markers that spreadsheets, R and pandas write for a missing value.
const MISSING_MARKERS: [&str; 7] = ["NA", "N/A", "na", "n/a", "null", "NULL", "None"];

pub(super) fn classify(text: &str) -> Cell {
    if text.is_empty() {
        return Cell::Missing("empty cell".into());
    }
    if MISSING_MARKERS.contains(&text) {
        return Cell::Missing(format!("\"{text}\" marks a missing value"));
    }
    match super::number::parse_f64(text) {
        Some(v) if v.is_finite() => Cell::Value(v),
        Some(_) => Cell::Missing(format!("\"{text}\" is not a finite number")),
        None => Cell::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Dataset, ReadReport), DataError> {
        read_csv_str("t.csv", text, &ReadOptions::default())
    }

    #[test]
    fn reads_columns_in_file_order() {
        let (d, r) = read("y,x\n1,2\n3,4.5\n").unwrap();
        assert_eq!(d.names, ["y", "x"]);
        assert_eq!(d.columns, [vec![1.0, 3.0], vec![2.0, 4.5]]);
        assert_eq!((r.rows_read, r.rows_dropped), (2, 0));
    }

    #[test]
    fn accepts_nist_number_forms_and_spaces() {
        // Wampler3.csv writes "760." and Pontius.csv ".11019".
        let (d, _) = read("y , x\n760., .11019\n-1E-3,+2\n").unwrap();
        assert_eq!(d.names, ["y", "x"]);
        assert_eq!(d.columns, [vec![760.0, -0.001], vec![0.11019, 2.0]]);
    }

    #[test]
    fn tsv_by_extension() {
        let (d, _) = read_csv_str("t.tsv", "a\tb\n1\t2\n", &ReadOptions::default()).unwrap();
        assert_eq!(d.names, ["a", "b"]);
    }

    #[test]
    fn header_bom_is_ignored() {
        let (d, _) = read("\u{feff}x,y\n1,2\n").unwrap();
        assert_eq!(d.names, ["x", "y"]);
    }

    #[test]
    fn drop_missing_counts_dropped_rows() {
        let opts = ReadOptions {
            drop_missing: true,
            ..ReadOptions::default()
        };
        let (d, r) = read_csv_str("t.csv", "x,y\n1,\n2,NaN\n3,NA\n4,5\n", &opts).unwrap();
        assert_eq!(d.columns, [vec![4.0], vec![5.0]]);
        assert_eq!((r.rows_read, r.rows_dropped), (4, 3));
    }

    /// The first text cell of column y, as the reader located it.
    fn first_text(d: &Dataset) -> (u64, String) {
        let at = d.text_column("y").unwrap().first_text.clone().unwrap();
        (at.line, at.text)
    }

    #[test]
    fn text_is_a_text_column_located_by_line() {
        let (d, _) = read("x,y\n1,2\n\n3,oops\n").unwrap();
        assert_eq!((d.names.clone(), d.text.len()), (vec!["x".to_string()], 1));
        // Line 1 header, 2 a row, 3 blank, 4 the row with "oops".
        assert_eq!(first_text(&d), (4, "oops".into()));
        let t = d.text_column("y").unwrap();
        // The number before the first text cell is kept as its label.
        assert_eq!(
            (t.values.clone(), t.numbers, t.index),
            (vec!["2".into(), "oops".into()], 1, 2)
        );
        assert_eq!(d.lines.to_vec(), [2, 4]);
        let err = read("x,y\r\n\r\n\r\n1,2,3\r\n").unwrap_err();
        assert!(matches!(err, DataError::Ragged { line: 4, .. }), "{err}");
    }

    #[test]
    fn quoted_newline_reports_the_line_where_the_row_starts() {
        let (d, _) = read("x,y\n\"1\n\",2\n3,oops\n").unwrap();
        assert_eq!(first_text(&d), (4, "oops".into()));
    }

    #[test]
    fn unused_columns_are_never_parsed() {
        // id is text, note has an empty cell and "NA": neither is read.
        let opts = ReadOptions {
            only: Some(vec!["y".into(), "x".into()]),
            ..ReadOptions::default()
        };
        let text = "id,y,note,x\nA7,1,,2\nB9,3,NA,4\n";
        let (d, r) = read_csv_str("t.csv", text, &opts).unwrap();
        assert_eq!(
            (d.names.clone(), d.text.len()),
            (vec!["y".to_string(), "x".into()], 0)
        );
        assert_eq!(d.columns, [vec![1.0, 3.0], vec![2.0, 4.0]]);
        assert_eq!((r.rows_read, r.rows_dropped), (2, 0));
        // Missing cells count only in the columns read.
        let drop = ReadOptions {
            drop_missing: true,
            ..opts.clone()
        };
        let (d, r) = read_csv_str("t.csv", "y,x,z\n1,,5\n2,3,\n", &drop).unwrap();
        assert_eq!(
            (d.columns.clone(), r.rows_dropped),
            (vec![vec![2.0], vec![3.0]], 1)
        );
        let err = read_csv_str("t.csv", "y,x,z\n1,,5\n", &opts).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::Missing {
                    line: 2,
                    index: 2,
                    ..
                }
            ),
            "{err}"
        );
        // A column asked for that the file lacks is named, with the file's columns.
        let err = read_csv_str("t.csv", "y,z\n1,2\n", &opts)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"x\"") && err.contains("y, z"), "{err}");
    }

    #[test]
    fn a_counted_read_reports_every_byte_by_its_end() {
        // 3 MiB of rows: reports at about every MiB, the last one the size.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        let mut text = String::from("x,y\n");
        while text.len() < 3 << 20 {
            text.push_str("1.25,2.5\n");
        }
        std::fs::write(&path, &text).unwrap();
        let mut seen = Vec::new();
        let (data, _) =
            read_csv_counted(&path, &ReadOptions::default(), &mut |b| seen.push(b)).unwrap();
        assert_eq!(data.n_rows(), (text.len() - 4) / 9);
        assert_eq!(seen.last(), Some(&(text.len() as u64)));
        assert!(
            seen.len() >= 3 && seen.windows(2).all(|w| w[0] <= w[1]),
            "{seen:?}"
        );
    }
}
