//! The CSV reader's fast path, for the usual file: one record a line, every
//! cell of the columns read a finite number. The file is read in large
//! blocks of whole lines (plain `read`s into one reused buffer: memory is
//! one block, and the page cache is not mapped into the process); each
//! block is cut at line breaks into ranges that are parsed in parallel and
//! appended in file order, so rows come out in the order of the file
//! whatever the threads do. Nothing is allocated per row: cells are parsed
//! straight from the buffer into each range's columns.
//!
//! It gives what the sequential reader (`read.rs`, the csv crate) gives,
//! bit for bit, because it only ever answers for files where the two
//! cannot differ: every cell it keeps went through the same float parser
//! (`number::parse_f64`'s fast-float step, finite) after the same ASCII
//! trim, and records are lines split at the delimiter. At the first thing
//! outside that — a quote anywhere (a quoted field may hold a line break,
//! so a cut between ranges could land inside it; such files are read
//! sequentially), a blank line, a carriage return not ending a line, a row
//! of the wrong width, a cell that is not a finite number, text that is not
//! UTF-8, a line longer than a block or than the line limit, too many cells
//! — it gives up ([`Unplain`]), and the caller reads the file with the
//! sequential reader from the start (or, streaming, from the first row not
//! yet handed out). That reader then finds the first problem in file order
//! and reports it exactly as it always has: no error is worded here.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memchr::{memchr, memchr_iter, memrchr};
use rayon::prelude::*;

use super::columns::Columns;
use super::line_limit::BYTES_PER_COLUMN;
use super::read::{csv_reader, delimiter_for, header_names};
use super::{Dataset, ReadOptions, ReadReport, RowLines};

/// How a file's data rows are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// The csv-crate reader, one record after another (every file it can
    /// read; the reference the fast path is tested against).
    Sequential,
    /// Blocks of `block_bytes` read whole, each cut at line breaks into
    /// `ranges` parsed in parallel; files it cannot take go sequentially.
    Ranges { ranges: usize, block_bytes: usize },
}

/// Bytes read per block: large enough that a block's parallel parse
/// outweighs its fork and join (tens of microseconds against about a
/// millisecond per core), small enough to stay in cache, to bound a
/// streamed pass's memory and to tell progress about every MiB. 8 MiB
/// measured no faster on the 288 MB file of issue #15.
pub const BLOCK_BYTES: usize = 1 << 20;

impl Default for Parse {
    /// One range per thread of rayon's pool: one per available core
    /// (`std::thread::available_parallelism`), or `RAYON_NUM_THREADS`.
    fn default() -> Self {
        Parse::Ranges {
            ranges: rayon::current_num_threads(),
            block_bytes: BLOCK_BYTES,
        }
    }
}

/// The file is not one the fast path answers for; read it sequentially.
#[derive(Debug)]
pub(super) struct Unplain;

/// A file open on the fast path: its header read, its data rows to come.
pub(super) struct PlainFile {
    blocks: Blocks,
    pub names: Vec<String>,
    pub columns: Columns,
    delimiter: u8,
    max_line: usize,
    ranges: usize,
    /// Each range's parsed cells, per column read (kept between blocks so
    /// their memory is allocated once).
    parts: Vec<Vec<Vec<f64>>>,
}

impl PlainFile {
    /// Opens a regular file and reads its header line. Pipes and other
    /// streams are left to the sequential reader: giving up half way needs
    /// the file read again from its start.
    pub fn open(
        path: &Path,
        opts: &ReadOptions,
        ranges: usize,
        block_bytes: usize,
    ) -> Result<Self, Unplain> {
        // Looked at before opening: opening a named pipe and closing it
        // unread would cost its writer the reader it waits for.
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Err(Unplain);
        }
        let file = File::open(path).map_err(|_| Unplain)?;
        let label = path.display().to_string();
        let delimiter = delimiter_for(&label);
        let mut blocks = Blocks::new(file, block_bytes.max(2));
        let max_line = opts.max_columns.saturating_mul(BYTES_PER_COLUMN);
        let header = blocks.header(max_line)?;
        if header.len() > max_line {
            return Err(Unplain);
        }
        let names = parse_header(header, delimiter, &label, opts)?;
        let columns = Columns::pick(&names, opts.only.as_deref(), &label).map_err(|_| Unplain)?;
        let ranges = ranges.max(1);
        Ok(PlainFile {
            blocks,
            parts: vec![vec![Vec::new(); columns.width()]; ranges],
            names,
            columns,
            delimiter,
            max_line,
            ranges,
        })
    }

    /// Bytes of the file consumed so far (header and whole blocks).
    pub fn bytes_read(&self) -> u64 {
        self.blocks.consumed
    }

    /// Parses the next block, appending its rows to `out` (one vector per
    /// column read, in file order). `Ok(false)` at the end of the file.
    pub fn next_block(&mut self, out: &mut [Vec<f64>]) -> Result<bool, Unplain> {
        let Some(block) = self.blocks.next()? else {
            return Ok(false);
        };
        let cuts = cut_at_lines(block, self.ranges);
        let layout = Layout {
            delimiter: self.delimiter,
            fields: self.names.len(),
            picked: &self.columns.picked,
            max_line: self.max_line,
        };
        let parts = &mut self.parts[..cuts.len()];
        cuts.par_iter()
            .zip(parts.par_iter_mut())
            .try_for_each(|(text, cells)| parse_range(text, &layout, cells))?;
        for cells in parts.iter_mut() {
            for (column, part) in out.iter_mut().zip(cells.iter_mut()) {
                column.extend_from_slice(part);
                part.clear();
            }
        }
        Ok(true)
    }
}

/// Bytes per piece in [`fold_plain`]. Pieces, not threads, decide where
/// the file's rows are cut into separate sums, so a fold gives the same
/// bits on any number of cores; 64 KiB is about a thousand rows of a few
/// columns (a sum's rounding grows with the rows in it: `solve/gram.rs`).
pub const PIECE_BYTES: usize = 1 << 16;

impl PlainFile {
    /// Parses the next block in pieces of about [`PIECE_BYTES`] of whole
    /// lines, each turned into a value by `map` on the thread that parsed
    /// it. The values in file order; `Ok(None)` at the end of the file;
    /// `Err` when a piece is not plain or `map` declined it.
    fn next_pieces<A: Send>(
        &mut self,
        map: &(dyn Fn(Dataset) -> Option<A> + Sync),
    ) -> Result<Option<Vec<A>>, Unplain> {
        let Some(block) = self.blocks.next()? else {
            return Ok(None);
        };
        let cuts = cut_at_lines(block, block.len().div_ceil(PIECE_BYTES));
        let layout = Layout {
            delimiter: self.delimiter,
            fields: self.names.len(),
            picked: &self.columns.picked,
            max_line: self.max_line,
        };
        let columns = &self.columns;
        let values = cuts
            .par_iter()
            .map(|text| {
                let mut cells = vec![Vec::new(); columns.width()];
                parse_range(text, &layout, &mut cells)?;
                map(columns.numeric(cells, RowLines::default())).ok_or(Unplain)
            })
            .collect::<Result<Vec<A>, Unplain>>()?;
        Ok(Some(values))
    }
}

/// A regular file's rows in one pass, folded where they are parsed: each
/// piece of the file (about [`PIECE_BYTES`] of lines, its columns as a
/// [`Dataset`] of the columns `opts.only` names, without line numbers) is
/// mapped by `map` on the parse threads, and `each` receives the values
/// of every block in file order, with the bytes read so far. `Ok(false)`
/// when the fast path cannot take the file, or `map` declined a piece:
/// nothing is reported then, and the caller reads the file another way
/// (after what `each` was given, which it drops).
pub fn fold_plain<A: Send, E>(
    path: &Path,
    opts: &ReadOptions,
    map: &(dyn Fn(Dataset) -> Option<A> + Sync),
    each: &mut dyn FnMut(Vec<A>, u64) -> Result<(), E>,
) -> Result<bool, E> {
    let Ok(mut file) = PlainFile::open(path, opts, 1, BLOCK_BYTES) else {
        return Ok(false);
    };
    if file.columns.width() == 0 {
        return Ok(false);
    }
    let mut any = false;
    loop {
        match file.next_pieces(map) {
            Ok(Some(values)) => {
                any = true;
                each(values, file.bytes_read())?;
            }
            Ok(None) => return Ok(any),
            Err(Unplain) => return Ok(false),
        }
    }
}

/// The whole file in memory by the fast path, telling `read_so_far` the
/// bytes read after every block. The columns are reserved once, from the
/// first block's bytes per row, so they do not double as they grow.
pub(super) fn read_whole(
    path: &Path,
    opts: &ReadOptions,
    ranges: usize,
    block_bytes: usize,
    read_so_far: &mut dyn FnMut(u64),
) -> Result<(Dataset, ReadReport), Unplain> {
    let mut file = PlainFile::open(path, opts, ranges, block_bytes)?;
    let width = file.columns.width();
    if width == 0 {
        return Err(Unplain); // rows are counted by the columns read
    }
    let total = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut numbers = vec![Vec::new(); width];
    let header = file.bytes_read();
    while file.next_block(&mut numbers)? {
        let rows = numbers[0].len();
        if rows.saturating_mul(width) > opts.max_cells {
            return Err(Unplain);
        }
        if numbers[0].capacity() == rows {
            let per_row = (file.bytes_read() - header) as f64 / rows as f64;
            let expected = (total.saturating_sub(header) as f64 / per_row * 1.02) as usize;
            let more = expected.min(opts.max_cells / width).saturating_sub(rows) + 1024;
            numbers.iter_mut().for_each(|c| c.reserve_exact(more));
        }
        read_so_far(file.bytes_read());
    }
    let rows = numbers[0].len();
    if rows == 0 {
        return Err(Unplain);
    }
    numbers.iter_mut().for_each(Vec::shrink_to_fit);
    // The header is line 1 and no line is blank: row i is on line i + 2.
    let lines = super::RowLines::consecutive(2, rows);
    let mut data = file.columns.numeric(numbers, lines);
    data.path = Some(path.to_path_buf());
    let report = ReadReport {
        rows_read: rows,
        rows_dropped: 0,
    };
    Ok((data, report))
}

/// The header, read by the csv crate exactly as the sequential reader
/// reads it (so names, BOM and trimming agree); any problem with it is the
/// sequential reader's to report.
fn parse_header(
    line: &[u8],
    delimiter: u8,
    label: &str,
    opts: &ReadOptions,
) -> Result<Vec<String>, Unplain> {
    // A leading blank line is skipped by the csv crate (the header is then
    // not line 1); a carriage return inside the line would end the record.
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let odd = |b: &u8| *b == b'"' || *b == b'\r';
    if line.iter().any(odd) || line.first().is_none_or(|b| b.is_ascii_whitespace()) {
        return Err(Unplain);
    }
    let mut csv = csv_reader(delimiter, line);
    let mut record = csv::StringRecord::new();
    match csv.read_record(&mut record) {
        Ok(true) => header_names(&record, label, opts).map_err(|_| Unplain),
        _ => Err(Unplain),
    }
}

/// `block` cut into at most `ranges` pieces, each ending at a line break
/// (the last one at the block's end).
fn cut_at_lines(block: &[u8], ranges: usize) -> Vec<&[u8]> {
    let mut cuts = Vec::with_capacity(ranges);
    let mut start = 0;
    for r in 1..ranges {
        let aim = (block.len() * r / ranges).max(start);
        let Some(nl) = memchr(b'\n', &block[aim..]) else {
            break;
        };
        let end = aim + nl + 1;
        cuts.push(&block[start..end]);
        start = end;
    }
    if start < block.len() {
        cuts.push(&block[start..]);
    }
    cuts
}

/// What a data line must look like.
struct Layout<'a> {
    delimiter: u8,
    /// Cells per record (the header's).
    fields: usize,
    /// File columns read, increasing.
    picked: &'a [usize],
    max_line: usize,
}

/// Whole lines into `cells` (one vector per column read).
fn parse_range(text: &[u8], layout: &Layout, cells: &mut [Vec<f64>]) -> Result<(), Unplain> {
    // A quote may open a field that spans lines; a carriage return alone
    // ends a record for the csv crate. Both are rare: looked for once.
    if memchr(b'"', text).is_some() || std::str::from_utf8(text).is_err() {
        return Err(Unplain);
    }
    let lone_cr = memchr_iter(b'\r', text).any(|at| text.get(at + 1) != Some(&b'\n'));
    if lone_cr {
        return Err(Unplain);
    }
    let mut start = 0;
    for end in memchr_iter(b'\n', text).chain((text.last() != Some(&b'\n')).then_some(text.len())) {
        parse_line(&text[start..end], layout, cells)?;
        start = end + 1;
    }
    Ok(())
}

/// One record's cells in the columns read. A cell is parsed where it
/// stands, without first finding its end: the parser stops at the first
/// byte that cannot continue a number, and that byte must be blank space
/// before the delimiter or the line's end. So the number read is exactly
/// the trimmed cell (fast-float's `parse` is this `parse_partial` with the
/// whole text consumed). Blank space is ASCII whitespace other than the
/// delimiter (a tab separates TSV cells, it does not pad them).
fn parse_line(line: &[u8], layout: &Layout, cells: &mut [Vec<f64>]) -> Result<(), Unplain> {
    // The line limit counts a carriage return before the line break.
    if line.len() > layout.max_line {
        return Err(Unplain);
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(Unplain);
    }
    let d = layout.delimiter;
    let skip_blank = |mut at: usize| {
        while line
            .get(at)
            .is_some_and(|&b| b != d && b.is_ascii_whitespace())
        {
            at += 1;
        }
        at
    };
    let mut next = layout.picked.iter().zip(cells.iter_mut()).peekable();
    let mut at = 0;
    for j in 0..layout.fields {
        if j > 0 {
            if line.get(at) != Some(&d) {
                return Err(Unplain); // too few cells, or more than a number in one
            }
            at += 1;
        }
        match next.next_if(|(&p, _)| p == j) {
            Some((_, column)) => {
                at = skip_blank(at);
                let (v, used) = match fast_float2::parse_partial::<f64, _>(&line[at..]) {
                    Ok((v, used)) if v.is_finite() => (v, used),
                    _ => return Err(Unplain),
                };
                column.push(v);
                at = skip_blank(at + used);
            }
            None => at += memchr(d, &line[at..]).unwrap_or(line.len() - at),
        }
    }
    match at == line.len() {
        true => Ok(()),
        false => Err(Unplain), // more cells than the header's, or text after a number
    }
}

/// A file read in blocks of whole lines through one buffer.
struct Blocks {
    file: File,
    buf: Vec<u8>,
    /// Bytes handed out at most at a time (the buffer may be larger, when
    /// the header was).
    block_bytes: usize,
    /// `buf[start..filled]` is read but not yet handed out.
    start: usize,
    filled: usize,
    eof: bool,
    /// Bytes handed out so far.
    consumed: u64,
}

impl Blocks {
    fn new(file: File, block_bytes: usize) -> Self {
        Blocks {
            file,
            buf: vec![0; block_bytes],
            block_bytes,
            start: 0,
            filled: 0,
            eof: false,
            consumed: 0,
        }
    }

    /// Moves what is left to the front and reads until the buffer is full
    /// or the file ends.
    fn fill(&mut self) -> Result<(), Unplain> {
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        while !self.eof && self.filled < self.buf.len() {
            match self.file.read(&mut self.buf[self.filled..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Unplain),
            }
        }
        Ok(())
    }

    /// The first line, without its line break; the buffer grows for a
    /// header longer than a block, up to `max` bytes.
    fn header(&mut self, max: usize) -> Result<&[u8], Unplain> {
        loop {
            self.fill()?;
            if let Some(nl) = memchr(b'\n', &self.buf[..self.filled]) {
                self.start = nl + 1;
                self.consumed = self.start as u64;
                return Ok(&self.buf[..nl]);
            }
            if self.eof || self.buf.len() > max {
                return Err(Unplain);
            }
            self.buf.resize(2 * self.buf.len(), 0);
        }
    }

    /// The next block of whole lines (the file's last line may lack its
    /// line break); `None` at the end. A line longer than the buffer gives up.
    fn next(&mut self) -> Result<Option<&[u8]>, Unplain> {
        self.fill()?;
        let from = self.start;
        let upto = self.filled.min(from + self.block_bytes);
        let end = match self.eof && upto == self.filled {
            true => self.filled,
            false => memrchr(b'\n', &self.buf[from..upto]).ok_or(Unplain)? + from + 1,
        };
        if end == from {
            return Ok(None);
        }
        self.start = end;
        self.consumed += (end - from) as u64;
        Ok(Some(&self.buf[from..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_after_line_breaks_and_cover_the_block() {
        let block = b"1,2\n30,40\n5,6\n7,8";
        for ranges in 1..6 {
            let cuts = cut_at_lines(block, ranges);
            assert_eq!(cuts.concat(), block, "{ranges} ranges");
            assert!(cuts.len() <= ranges);
            for cut in &cuts[..cuts.len() - 1] {
                assert_eq!(cut.last(), Some(&b'\n'));
            }
        }
    }

    fn layout(picked: &[usize]) -> Layout<'_> {
        Layout {
            delimiter: b',',
            fields: 3,
            picked,
            max_line: 1 << 10,
        }
    }

    #[test]
    fn a_line_keeps_the_columns_read_and_gives_up_on_anything_else() {
        let mut cells = vec![Vec::new(), Vec::new()];
        parse_range(b"1, 2.5 ,x\n-3,4e1,y\r\n", &layout(&[0, 1]), &mut cells).unwrap();
        assert_eq!(cells, [vec![1.0, -3.0], vec![2.5, 40.0]]);
        for bad in [
            &b"1,2\n"[..],  // ragged
            b"1,2,3,4\n",   // ragged
            b"1,NA,3\n",    // missing
            b"1,,3\n",      // empty
            b"1,inf,3\n",   // not finite
            b"1,a,3\n",     // text
            b"\n1,2,3\n",   // blank line
            b"1,2\r,3\n",   // a lone carriage return ends a record
            b"1,\"2\",3\n", // a quote
            b"1,2,\xff\n",  // not UTF-8
        ] {
            let mut cells = vec![Vec::new(), Vec::new()];
            assert!(
                parse_range(bad, &layout(&[0, 1]), &mut cells).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
