//! The one call a front end makes to get rows: files in, a [`RowSource`]
//! out. It decides, by what the files are and what was asked:
//!
//! - a CSV/TSV alone, with no chunking asked: read whole into memory (one
//!   chunk); every view of the run (report, exact metrics) is then possible;
//! - otherwise it streams: CSV chunk by chunk, a design cache by its
//!   memory map, Parquet by row groups (feature `parquet`; without it a
//!   Parquet file is refused by name, never misread as CSV), several files
//!   one after the other;
//! - with a design cache asked for: the cache is reused while it was made
//!   from these very files (path, size, time and a hash of their ends, as
//!   recorded in its header) with this formula, else written in one pass
//!   first; training then reads the cache. A cache path that names one of
//!   the inputs is refused: writing it would destroy the data.

use std::path::{Path, PathBuf};

use super::{
    CacheSource, ChainSource, CsvSource, MemorySource, PassObserver, RowSource, SourceError,
    DEFAULT_CHUNK_ROWS,
};
use crate::data::{read_csv_counted, Dataset, DesignCache, ReadOptions};
use crate::model::formula::Formula;

/// How to read the files.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    pub read: ReadOptions,
    /// Stream this many rows at a time; `None`: read a lone CSV whole, and
    /// stream anything else in [`DEFAULT_CHUNK_ROWS`].
    pub chunk_rows: Option<usize>,
    /// Keep (and reuse) a design cache in this file and read from it.
    pub cache: Option<PathBuf>,
}

impl OpenOptions {
    /// Whether these files are streamed rather than read whole.
    pub fn streams(&self, paths: &[PathBuf]) -> bool {
        // A lone pipe is read whole: it can be read only once.
        if let [path] = paths {
            if self.cache.is_none() && !is_regular(path) {
                return false;
            }
        }
        self.chunk_rows.is_some()
            || self.cache.is_some()
            || paths.len() > 1
            || paths
                .iter()
                .any(|p| DesignCache::is_meant_as_cache(p) || has_parquet_magic(p))
    }

    /// The files to fit in one pass ([`fit_one_pass`](super::fit_one_pass)),
    /// when the closed form may take that route: regular files, not caches
    /// or Parquet, no cache asked for, and streaming asked for (chunks, or
    /// several files) or the data at least
    /// [`ONE_PASS_BYTES`](super::ONE_PASS_BYTES) long.
    pub fn one_pass<'p>(&self, paths: &'p [PathBuf]) -> Option<&'p [PathBuf]> {
        let mut size = 0;
        for path in paths {
            let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
            if DesignCache::is_meant_as_cache(path) || has_parquet_magic(path) {
                return None;
            }
            size += meta.len();
        }
        let worth = self.chunk_rows.is_some() || paths.len() > 1 || size >= super::ONE_PASS_BYTES;
        (self.cache.is_none() && !paths.is_empty() && worth).then_some(paths)
    }
}

/// The note for `--na drop` when no row had a missing value.
pub fn none_dropped(rows: usize) -> String {
    format!("no row had a missing value in the formula's columns: all {rows} rows kept")
}

/// An opened source and what opening it did.
pub struct Opened {
    pub source: Box<dyn RowSource>,
    /// Whether the rows stream from disk (false: held in memory).
    pub streamed: bool,
    /// How the rows are read, in words ("in memory", "streamed in chunks
    /// of 65536").
    pub how: String,
    /// Things worth telling the user (rows dropped, a cache written or
    /// reused).
    pub notes: Vec<String>,
}

/// The rows of `paths` (read one after the other as one data set) through
/// `formula`.
pub fn open(
    paths: &[PathBuf],
    formula: &Formula,
    options: &OpenOptions,
    observer: &mut dyn PassObserver,
) -> Result<Opened, SourceError> {
    let first = paths
        .first()
        .ok_or_else(|| SourceError::Engine("no data files given".into()))?;
    let mut notes = Vec::new();
    if paths.len() > 1 {
        if let Some(pipe) = paths.iter().find(|p| !is_regular(p)) {
            return Err(SourceError::Engine(format!(
                "{}: not a regular file (a pipe or a device), which can be read only once, \
                 but several files are streamed in several passes; save it to a file first",
                pipe.display()
            )));
        }
    }
    if options.chunk_rows.is_some() && !options.streams(paths) {
        notes.push(format!(
            "{} is not a regular file (a pipe or a device), which can be read only once: \
             its rows are held in memory, not streamed",
            first.display()
        ));
    }
    if !options.streams(paths) {
        observer.on_pass("read");
        let read = ReadOptions {
            only: formula.columns_to_read(),
            ..options.read.clone()
        };
        let (data, report) =
            read_csv_counted(first, &read, &mut |bytes| observer.on_chunk(0, bytes))?;
        if read.drop_missing && report.rows_dropped == 0 {
            notes.push(none_dropped(report.rows_read));
        }
        if report.rows_dropped > 0 {
            notes.push(format!(
                "dropped {} of {} rows with missing values; θ and every statistic describe \
                 only the {} rows kept — fill in the cells to use them all",
                report.rows_dropped,
                report.rows_read,
                report.rows_read - report.rows_dropped
            ));
        }
        let coding = formula.coding(&data)?;
        let design = formula.design_owned(data, &coding)?;
        let source = MemorySource::owned(design)
            .labelled(first.display().to_string())
            .coded(coding);
        return Ok(Opened {
            source: Box::new(source),
            streamed: false,
            how: "in memory".into(),
            notes,
        });
    }
    let chunk_rows = options.chunk_rows.unwrap_or(DEFAULT_CHUNK_ROWS).max(1);
    let how = format!("streamed in chunks of {chunk_rows}");
    let mut parts = Vec::new();
    for path in paths {
        parts.push(open_one(path, formula, &options.read, chunk_rows)?);
    }
    let mut source: Box<dyn RowSource> = if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Box::new(ChainSource::new(parts)?)
    };
    if let Some(cache) = &options.cache {
        if fresh_cache(cache, paths, &formula.to_string(), &*source) {
            notes.push(format!(
                "training from the design cache {}",
                cache.display()
            ));
        } else {
            let rows =
                super::write_cache(&mut *source, cache, &formula.to_string(), paths, observer)?;
            notes.push(format!(
                "wrote the design cache {} ({rows} rows); later runs read it directly",
                cache.display()
            ));
        }
        source = Box::new(CacheSource::open(cache, formula.intercept, chunk_rows)?);
    }
    Ok(Opened {
        source,
        streamed: true,
        how,
        notes,
    })
}

/// One file as a stream, by its kind.
fn open_one(
    path: &Path,
    formula: &Formula,
    opts: &ReadOptions,
    chunk_rows: usize,
) -> Result<Box<dyn RowSource>, SourceError> {
    // A damaged cache too: refused by name, never read as a CSV.
    if DesignCache::is_meant_as_cache(path) {
        let source = CacheSource::open(path, formula.intercept, chunk_rows)?;
        let header = &source.cache.header;
        let columns = Dataset {
            path: Some(path.to_path_buf()),
            names: std::iter::once(header.response.clone())
                .chain(header.names.iter().cloned())
                .collect(),
            columns: vec![Vec::new(); header.names.len() + 1],
            ..Default::default()
        };
        let wanted = formula.feature_names(&columns)?;
        if wanted != header.names || formula.response_name() != header.response {
            return Err(SourceError::Engine(format!(
                "{}: the design cache holds {} ~ {} (made with `{}`), but the formula asks for {} ~ {}; \
                 convert the original data again with this formula",
                path.display(),
                header.response,
                header.names.join(" + "),
                header.formula,
                formula.response_name(),
                wanted.join(" + ")
            )));
        }
        return Ok(Box::new(source));
    }
    #[cfg(feature = "parquet")]
    if super::parquet::is_parquet(path) {
        return Ok(Box::new(super::parquet::ParquetSource::open(
            path, formula, opts, chunk_rows,
        )?));
    }
    #[cfg(not(feature = "parquet"))]
    if has_parquet_magic(path) {
        return Err(SourceError::Engine(format!(
            "{} is a Parquet file, and this chainrule was built without Parquet support; \
             rebuild with the cargo feature `parquet`",
            path.display()
        )));
    }
    Ok(Box::new(CsvSource::open(path, formula, opts, chunk_rows)?))
}

/// Parquet files begin with `PAR1` (checked even without the feature, so
/// that such a file is refused by name rather than parsed as CSV).
fn has_parquet_magic(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    // Only regular files: a pipe's first bytes belong to the CSV reader.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == b"PAR1")
}

/// A cache is reused when its header says it was made from these files,
/// unchanged, with this formula (and so holds the same response and
/// features).
fn fresh_cache(cache: &Path, paths: &[PathBuf], formula: &str, source: &dyn RowSource) -> bool {
    let Ok(now) = super::convert::stamps(paths) else {
        return false;
    };
    DesignCache::open(cache).is_ok_and(|c| {
        c.header.source.as_ref() == Some(&now)
            && c.header.formula == formula
            && c.header.names == source.names()
            && c.header.response == source.response()
    })
}

/// Whether `path` is a regular file (a pipe, a device or `/dev/stdin` is
/// not; nor is a path that cannot be looked at, whose error comes later).
fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file()) || std::fs::metadata(path).is_err()
}
