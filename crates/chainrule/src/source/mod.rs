//! Where the rows of a design come from: a [`RowSource`] makes one pass
//! over every row, in file order, handing out chunks as [`Batch`]es. The
//! training loop (`crate::train`) and the closed form read any source the
//! same way.
//!
//! - [`MemorySource`]: a design already in memory, as ONE chunk (the whole
//!   slice, no copy), so the fused kernel runs over it at full speed.
//! - [`CsvSource`]: a CSV parsed chunk by chunk, the formula applied per
//!   chunk.
//! - [`CacheSource`]: a design cache, chunks are slices of its memory map.
//! - [`ChainSource`]: several files with the same columns as one data set.
//! - `ParquetSource` (feature `parquet`, `parquet.rs`): a row group at a
//!   time.
//!
//! [`open`] picks the source for a list of files (by kind, and the design
//! cache policy), so a front end makes one call. The passes every front
//! end needs over a source ([`scan`] for the TSQR statistics, [`stats_at`]
//! for J and ∂J/∂θ's sums, [`fit_stream`] for the closed form) and
//! [`write_cache`] live here too.

mod convert;
pub mod decimal;
mod grad_stats;
mod one_pass;
mod open;
#[cfg(feature = "parquet")]
pub mod parquet;
mod passes;
mod refine;

pub use convert::write_cache;
pub use grad_stats::{block_stats, GradStats};
pub use one_pass::{fit_one_pass, ONE_PASS_BYTES};
pub use open::{none_dropped, open, OpenOptions, Opened};
pub use passes::{fit_stream, scan, stats_at};

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::data::{CsvChunks, DataError, Dataset, Design, DesignCache, ReadOptions, ReadReport};
use crate::model::formula::{Coding, Formula, FormulaError};
use crate::model::Batch;
use crate::solve::SolveError;

/// Why a source could not hand out its rows.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Formula(#[from] FormulaError),
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// An engine (Parquet, DataFusion, Ballista) said no; the text says why.
    #[error("{0}")]
    Engine(String),
    /// The pass was stopped by its caller (the training loop, when its
    /// observer asks to stop mid-epoch); no source returns it by itself.
    #[error("the pass was stopped before its end")]
    Stopped,
}

/// Rows per chunk when nothing else is asked: 65,536 rows of a few f64
/// columns is about a megabyte, enough to amortize per-chunk work.
pub const DEFAULT_CHUNK_ROWS: usize = 1 << 16;

/// Rows per chunk of a memory-mapped cache, at least (2^20 rows of d = 2
/// are 24 MB of views, no copies; measured on 10^7 × 2: 1.3× the in-memory
/// kernel's epoch against 1.4× with 65,536-row chunks).
pub const MAP_CHUNK_ROWS: usize = 1 << 20;

/// Called once per chunk: the rows, and the bytes of input consumed so far.
pub type ChunkFn<'f> = dyn FnMut(Batch<'_>, u64) -> Result<(), SourceError> + 'f;

/// Watches passes over a source: chunks as they are read (progress).
pub trait PassObserver {
    /// A pass over the data begins (`what`: "scan", "epoch", "metrics",
    /// "refine", "convert").
    fn on_pass(&mut self, _what: &str) {}
    /// `rows` rows of the current pass were just used; `bytes` of input
    /// have been consumed in this pass so far.
    fn on_chunk(&mut self, _rows: usize, _bytes: u64) {}
    /// Asked after every chunk: `true` abandons the pass there (Ctrl-C),
    /// so a streamed pass stops within one chunk, not at its end. The pass
    /// then returns [`SourceError::Stopped`]; a training epoch cut short
    /// takes no step, so θ stays that of the last whole step. Keep it
    /// cheap (an atomic load).
    fn stop_requested(&self) -> bool {
        false
    }
}

/// After a chunk: the observer's stop as the pass's error.
pub(crate) fn check_stop(observer: &dyn PassObserver) -> Result<(), SourceError> {
    match observer.stop_requested() {
        true => Err(SourceError::Stopped),
        false => Ok(()),
    }
}

pub trait RowSource {
    /// The response's name (y).
    fn response(&self) -> &str;
    /// Feature names, θ1..θd order.
    fn names(&self) -> &[String];
    fn intercept(&self) -> bool;
    /// What to call the input in messages.
    fn label(&self) -> String;
    /// Size of the input in bytes, when known (for progress).
    fn bytes_total(&self) -> Option<u64>;
    /// One pass over every row in order, chunk by chunk.
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError>;

    /// Every row at once, when the source holds them in memory as one
    /// chunk: the loop then plans and scales on them directly.
    fn whole(&self) -> Option<Batch<'_>> {
        None
    }

    /// The design itself, when it is in memory (for exact metrics, the
    /// in-memory referee and the report).
    fn design(&self) -> Option<&Design> {
        None
    }

    fn d(&self) -> usize {
        self.names().len()
    }

    /// The categorical levels the design was coded with (empty when it
    /// has no categorical variable), for the model file.
    fn coding(&self) -> Option<&Coding> {
        None
    }

    /// The design's shape without its rows, for a `Design`'s labels.
    fn empty_design(&self) -> Design {
        Design {
            response: self.response().into(),
            names: self.names().to_vec(),
            intercept: self.intercept(),
            n: 0,
            d: self.d(),
            x: Vec::new(),
            y: Vec::new(),
        }
    }
}

/// A CSV file read chunk by chunk, the formula applied to each chunk.
pub struct CsvSource {
    path: PathBuf,
    formula: Formula,
    /// The formula's response's name, as the design names it.
    response: String,
    opts: ReadOptions,
    chunk_rows: usize,
    names: Vec<String>,
    bytes: u64,
    /// Rows read and dropped in the last complete pass.
    pub report: ReadReport,
}

impl CsvSource {
    /// Opens `path` and checks the formula against its first chunk. Only
    /// the formula's columns are read (`opts.only` is set from it). A
    /// categorical variable is refused: its levels would have to be known
    /// before the first chunk is coded.
    pub fn open(
        path: &Path,
        formula: &Formula,
        opts: &ReadOptions,
        chunk_rows: usize,
    ) -> Result<Self, SourceError> {
        let opts = ReadOptions {
            only: formula.columns_to_read(),
            ..opts.clone()
        };
        let mut chunks = CsvChunks::open(path, &opts, chunk_rows)?;
        let mut first = Dataset::default();
        chunks.next_chunk(&mut first)?;
        formula.check_streamable(&first, &path.display().to_string())?;
        let names = formula.feature_names(&first)?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(CsvSource {
            path: path.to_path_buf(),
            formula: formula.clone(),
            response: formula.response_name(),
            opts,
            chunk_rows,
            names,
            bytes,
            report: ReadReport::default(),
        })
    }
}

impl RowSource for CsvSource {
    fn response(&self) -> &str {
        &self.response
    }
    fn names(&self) -> &[String] {
        &self.names
    }
    fn intercept(&self) -> bool {
        self.formula.intercept
    }
    fn label(&self) -> String {
        self.path.display().to_string()
    }
    fn bytes_total(&self) -> Option<u64> {
        Some(self.bytes)
    }
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        let mut chunks = CsvChunks::open(&self.path, &self.opts, self.chunk_rows)?;
        let mut chunk = Dataset::default();
        let numbers_only = Coding::default();
        while chunks.next_chunk(&mut chunk)? {
            let design = self.formula.design_coded(&chunk, &numbers_only)?;
            each(
                Batch::new(&design.x, &design.y, design.d),
                chunks.bytes_read(),
            )?;
        }
        self.report = chunks.report();
        Ok(())
    }
}

/// A design cache, memory-mapped: chunks are slices of the map.
pub struct CacheSource {
    pub cache: DesignCache,
    label: String,
    chunk_rows: usize,
    intercept: bool,
}

impl CacheSource {
    /// `intercept`: whether the model fitted to the cached X has θ0 (the
    /// cache holds X without the column of ones either way). Chunks of a
    /// map are views that cost no memory, so they are at least
    /// [`MAP_CHUNK_ROWS`] rows: fewer, longer kernel calls.
    pub fn open(path: &Path, intercept: bool, chunk_rows: usize) -> Result<Self, SourceError> {
        Ok(CacheSource {
            cache: DesignCache::open(path)?,
            label: path.display().to_string(),
            chunk_rows: chunk_rows.max(MAP_CHUNK_ROWS),
            intercept,
        })
    }
}

impl RowSource for CacheSource {
    fn response(&self) -> &str {
        &self.cache.header.response
    }
    fn names(&self) -> &[String] {
        &self.cache.header.names
    }
    fn intercept(&self) -> bool {
        self.intercept
    }
    fn label(&self) -> String {
        self.label.clone()
    }
    fn bytes_total(&self) -> Option<u64> {
        Some(self.cache.bytes())
    }
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        let all = Batch::new(self.cache.x(), self.cache.y(), self.cache.d);
        let row_bytes = 8 * (self.cache.d as u64 + 1);
        for start in (0..all.len()).step_by(self.chunk_rows) {
            let end = (start + self.chunk_rows).min(all.len());
            each(all.slice(start, end), end as u64 * row_bytes)?;
        }
        Ok(())
    }
}

/// A design in memory. By default ONE chunk, the whole slice (no copy);
/// `chunked(k)` hands it out k rows at a time instead, like a file (the
/// reference the streamed paths are tested against).
pub struct MemorySource<'a> {
    design: Cow<'a, Design>,
    chunk_rows: Option<usize>,
    label: String,
    coding: Option<Coding>,
}

impl<'a> MemorySource<'a> {
    pub fn new(design: &'a Design) -> Self {
        MemorySource {
            design: Cow::Borrowed(design),
            chunk_rows: None,
            label: "data".into(),
            coding: None,
        }
    }

    pub fn owned(design: Design) -> MemorySource<'static> {
        MemorySource {
            design: Cow::Owned(design),
            chunk_rows: None,
            label: "data".into(),
            coding: None,
        }
    }

    /// Chunks of `rows` rows (at least 1) instead of one.
    pub fn chunked(mut self, rows: usize) -> Self {
        self.chunk_rows = Some(rows.max(1));
        self
    }

    /// The categorical levels the design was made with.
    pub fn coded(mut self, coding: Coding) -> Self {
        self.coding = Some(coding).filter(|c| !c.is_empty());
        self
    }

    /// What messages call it (a file name, say).
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

impl RowSource for MemorySource<'_> {
    fn response(&self) -> &str {
        &self.design.response
    }
    fn names(&self) -> &[String] {
        &self.design.names
    }
    fn intercept(&self) -> bool {
        self.design.intercept
    }
    fn label(&self) -> String {
        self.label.clone()
    }
    fn bytes_total(&self) -> Option<u64> {
        Some(8 * (self.design.x.len() + self.design.y.len()) as u64)
    }
    fn whole(&self) -> Option<Batch<'_>> {
        self.chunk_rows
            .is_none()
            .then(|| Batch::new(&self.design.x, &self.design.y, self.design.d))
    }
    fn design(&self) -> Option<&Design> {
        Some(&self.design)
    }
    fn coding(&self) -> Option<&Coding> {
        self.coding.as_ref()
    }
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        let all = Batch::new(&self.design.x, &self.design.y, self.design.d);
        let k = self.chunk_rows.unwrap_or(all.len()).max(1);
        let row_bytes = 8 * (self.design.d as u64 + 1);
        for start in (0..all.len()).step_by(k) {
            let end = (start + k).min(all.len());
            each(all.slice(start, end), end as u64 * row_bytes)?;
        }
        Ok(())
    }
}

/// Several files with the same columns, read one after the other as one
/// data set (`data/part-*.csv`).
pub struct ChainSource {
    pub parts: Vec<Box<dyn RowSource>>,
}

impl ChainSource {
    /// Checks that every part has the first part's response and features.
    pub fn new(parts: Vec<Box<dyn RowSource>>) -> Result<Self, SourceError> {
        let first = parts
            .first()
            .ok_or_else(|| SourceError::Engine("no data files given".into()))?;
        for part in &parts[1..] {
            if part.names() != first.names() || part.response() != first.response() {
                return Err(SourceError::Engine(format!(
                    "{} has features {:?} (response {}), but {} has {:?} (response {}): \
                     files read as one data set need the same columns",
                    part.label(),
                    part.names(),
                    part.response(),
                    first.label(),
                    first.names(),
                    first.response()
                )));
            }
        }
        Ok(ChainSource { parts })
    }
}

impl RowSource for ChainSource {
    fn response(&self) -> &str {
        self.parts[0].response()
    }
    fn names(&self) -> &[String] {
        self.parts[0].names()
    }
    fn intercept(&self) -> bool {
        self.parts[0].intercept()
    }
    fn label(&self) -> String {
        format!("{} (+{} more)", self.parts[0].label(), self.parts.len() - 1)
    }
    fn bytes_total(&self) -> Option<u64> {
        self.parts.iter().map(|p| p.bytes_total()).sum()
    }
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        let mut before = 0;
        for part in &mut self.parts {
            part.pass(&mut |batch, bytes| each(batch, before + bytes))?;
            before += part.bytes_total().unwrap_or(0);
        }
        Ok(())
    }
}
