//! A source written to a design cache: one pass, chunk by chunk, so
//! converting a file larger than memory needs one chunk of memory.

use std::path::Path;

use super::{PassObserver, RowSource, SourceError};
use crate::data::{CacheHeader, CacheWriter, DataError};

/// Writes every row of `source` to the cache file `path` (atomically);
/// returns the number of rows.
pub fn write_cache(
    source: &mut dyn RowSource,
    path: &Path,
    formula: &str,
    observer: &mut dyn PassObserver,
) -> Result<u64, SourceError> {
    let write_error = |source| DataError::Write {
        path: path.to_path_buf(),
        source,
    };
    let header = CacheHeader {
        response: source.response().into(),
        names: source.names().to_vec(),
        formula: formula.into(),
    };
    let mut writer = CacheWriter::create(path, &header).map_err(write_error)?;
    observer.on_pass("convert");
    source.pass(&mut |batch, bytes| {
        writer.append(batch.x, batch.y).map_err(write_error)?;
        observer.on_chunk(batch.len(), bytes);
        Ok(())
    })?;
    Ok(writer.finish().map_err(write_error)?)
}
