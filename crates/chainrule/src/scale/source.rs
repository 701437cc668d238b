//! Where the rows of a design come from when they do not all fit in memory:
//! a [`DesignSource`] makes one pass over every row, in file order, handing
//! out chunks as [`Batch`]es. A CSV is parsed chunk by chunk (the formula
//! applied per chunk); a design cache hands out slices of its memory map;
//! Parquet (feature `parquet`) decodes a row group at a time.

use std::path::{Path, PathBuf};

use super::ScaleError;
use crate::data::{CsvChunks, Dataset, Design, DesignCache, ReadOptions, ReadReport};
use crate::model::formula::Formula;
use crate::model::Batch;

/// Rows per chunk when nothing else is asked: 65,536 rows of a few f64
/// columns is about a megabyte, enough to amortize per-chunk work.
pub const DEFAULT_CHUNK_ROWS: usize = 1 << 16;

/// Rows per chunk of a memory-mapped cache, at least (2^20 rows of d = 2
/// are 24 MB of views, no copies; measured on 10^7 × 2: 1.3× the in-memory
/// kernel's epoch against 1.4× with 65,536-row chunks).
pub const MAP_CHUNK_ROWS: usize = 1 << 20;

/// Called once per chunk: the rows, and the bytes of input consumed so far.
pub type ChunkFn<'f> = dyn FnMut(Batch<'_>, u64) -> Result<(), ScaleError> + 'f;

pub trait DesignSource {
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
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), ScaleError>;

    fn d(&self) -> usize {
        self.names().len()
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
pub struct CsvDesign {
    path: PathBuf,
    formula: Formula,
    opts: ReadOptions,
    chunk_rows: usize,
    names: Vec<String>,
    bytes: u64,
    /// Rows read and dropped in the last complete pass.
    pub report: ReadReport,
}

impl CsvDesign {
    pub fn open(
        path: &Path,
        formula: &Formula,
        opts: &ReadOptions,
        chunk_rows: usize,
    ) -> Result<Self, ScaleError> {
        let chunks = CsvChunks::open(path, opts, chunk_rows)?;
        let header = Dataset {
            path: Some(path.to_path_buf()),
            names: chunks.names().to_vec(),
            columns: vec![Vec::new(); chunks.names().len()],
        };
        // Checks every column the formula names against the header now,
        // before any pass.
        let names = formula.feature_names(&header)?;
        formula.design(&header)?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(CsvDesign {
            path: path.to_path_buf(),
            formula: formula.clone(),
            opts: opts.clone(),
            chunk_rows,
            names,
            bytes,
            report: ReadReport::default(),
        })
    }
}

impl DesignSource for CsvDesign {
    fn response(&self) -> &str {
        &self.formula.response
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
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), ScaleError> {
        let mut chunks = CsvChunks::open(&self.path, &self.opts, self.chunk_rows)?;
        let mut chunk = Dataset {
            path: None,
            names: Vec::new(),
            columns: Vec::new(),
        };
        while chunks.next_chunk(&mut chunk)? {
            let design = self.formula.design(&chunk)?;
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
pub struct CacheDesign {
    pub cache: DesignCache,
    label: String,
    chunk_rows: usize,
    intercept: bool,
}

impl CacheDesign {
    /// `intercept`: whether the model fitted to the cached X has θ0 (the
    /// cache holds X without the column of ones either way). Chunks of a
    /// map are views that cost no memory, so they are at least
    /// [`MAP_CHUNK_ROWS`] rows: fewer, longer kernel calls.
    pub fn open(path: &Path, intercept: bool, chunk_rows: usize) -> Result<Self, ScaleError> {
        Ok(CacheDesign {
            cache: DesignCache::open(path)?,
            label: path.display().to_string(),
            chunk_rows: chunk_rows.max(MAP_CHUNK_ROWS),
            intercept,
        })
    }
}

impl DesignSource for CacheDesign {
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
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), ScaleError> {
        let all = Batch::new(self.cache.x(), self.cache.y(), self.cache.d);
        let row_bytes = 8 * (self.cache.d as u64 + 1);
        for start in (0..all.len()).step_by(self.chunk_rows) {
            let end = (start + self.chunk_rows).min(all.len());
            each(all.slice(start, end), end as u64 * row_bytes)?;
        }
        Ok(())
    }
}

/// A design already in memory, handed out in chunks: the reference the
/// streamed paths are tested against, and what `train` streams when the
/// data is small.
pub struct MemoryDesign<'a> {
    pub design: &'a Design,
    pub chunk_rows: usize,
}

impl DesignSource for MemoryDesign<'_> {
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
        "data".into()
    }
    fn bytes_total(&self) -> Option<u64> {
        Some(8 * (self.design.x.len() + self.design.y.len()) as u64)
    }
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), ScaleError> {
        let all = Batch::new(&self.design.x, &self.design.y, self.design.d);
        let k = self.chunk_rows.max(1);
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
pub struct ChainDesign {
    pub parts: Vec<Box<dyn DesignSource>>,
}

impl ChainDesign {
    /// Checks that every part has the first part's response and features.
    pub fn new(parts: Vec<Box<dyn DesignSource>>) -> Result<Self, ScaleError> {
        let first = parts
            .first()
            .ok_or_else(|| ScaleError::Engine("no data files given".into()))?;
        for part in &parts[1..] {
            if part.names() != first.names() || part.response() != first.response() {
                return Err(ScaleError::Engine(format!(
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
        Ok(ChainDesign { parts })
    }
}

impl DesignSource for ChainDesign {
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
    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), ScaleError> {
        let mut before = 0;
        for part in &mut self.parts {
            part.pass(&mut |batch, bytes| each(batch, before + bytes))?;
            before += part.bytes_total().unwrap_or(0);
        }
        Ok(())
    }
}
