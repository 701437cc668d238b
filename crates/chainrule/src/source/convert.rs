//! A source written to a design cache: one pass, chunk by chunk, so
//! converting a file larger than memory needs one chunk of memory.

use std::path::{Path, PathBuf};

use super::{check_stop, PassObserver, RowSource, SourceError};
use crate::data::{CacheHeader, CacheWriter, DataError, FileStamp};

/// Writes every row of `source` to the cache file `path` (atomically);
/// returns the number of rows. The observer may stop the pass after any
/// chunk ([`SourceError::Stopped`]); the temp files then go, and `path` is
/// untouched.
pub fn write_cache(
    source: &mut dyn RowSource,
    path: &Path,
    formula: &str,
    inputs: &[PathBuf],
    observer: &mut dyn PassObserver,
) -> Result<u64, SourceError> {
    let write_error = |source| DataError::Write {
        path: path.to_path_buf(),
        source,
    };
    refuse_overwriting_an_input(path, inputs)?;
    let header = CacheHeader {
        response: source.response().into(),
        names: source.names().to_vec(),
        formula: formula.into(),
        source: Some(stamps(inputs)?),
    };
    let mut writer = CacheWriter::create(path, &header).map_err(write_error)?;
    observer.on_pass("convert");
    source.pass(&mut |batch, bytes| {
        writer.append(batch.x, batch.y).map_err(write_error)?;
        observer.on_chunk(batch.len(), bytes);
        check_stop(observer)
    })?;
    Ok(writer.finish().map_err(write_error)?)
}

/// The stamps of the input files, taken before their rows are read: a file
/// that changes during the pass then no longer matches, and the cache is
/// rebuilt next time.
pub(super) fn stamps(inputs: &[PathBuf]) -> Result<Vec<FileStamp>, SourceError> {
    inputs
        .iter()
        .map(|p| {
            FileStamp::of(p).map_err(|source| {
                SourceError::from(DataError::Io {
                    path: p.clone(),
                    source,
                })
            })
        })
        .collect()
}

/// The cache file must not be one of the inputs.
fn refuse_overwriting_an_input(cache: &Path, paths: &[PathBuf]) -> Result<(), SourceError> {
    let Ok(target) = std::fs::canonicalize(cache) else {
        return Ok(()); // not there yet: it is no input
    };
    if paths
        .iter()
        .any(|p| std::fs::canonicalize(p).is_ok_and(|c| c == target))
    {
        return Err(SourceError::Engine(format!(
            "{}: the design cache would overwrite an input file of this run; \
             name a new file for the cache",
            cache.display()
        )));
    }
    Ok(())
}
