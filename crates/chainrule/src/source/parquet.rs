//! Parquet input (feature `parquet`), streamed: one row group at a time,
//! and within a row group at most `chunk_rows` rows, read column by column
//! with the `parquet` crate's low-level column readers — no Arrow, and
//! only the Snappy codec (what pyarrow, Spark and DataFusion write by
//! default; other codecs are refused with a message saying so).
//!
//! Columns: flat (not nested) DOUBLE, FLOAT, INT32 or INT64, converted to
//! f64. Only the columns the formula reads are decoded. A null, NaN or
//! infinite value is a missing cell: an error naming the row group and
//! column, or a dropped row with `drop_missing`, as for CSV.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, Repetition, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::data_type::DoubleType;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::{ChunkFn, RowSource, SourceError};
use crate::data::{DataError, Dataset, ReadOptions};
use crate::model::formula::Formula;
use crate::model::Batch;

/// Parquet files begin (and end) with these four bytes.
const MAGIC: &[u8; 4] = b"PAR1";

/// Whether `path` is a Parquet file (by its magic bytes).
pub fn is_parquet(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    // A pipe's first bytes belong to the reader after us (see
    // `DesignCache::is_cache`): only regular files are sniffed.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == MAGIC)
}

fn format_error(path: &Path, message: impl Into<String>) -> SourceError {
    SourceError::Data(DataError::Format {
        file: path.display().to_string(),
        message: message.into(),
    })
}

/// A Parquet file read row group by row group, the formula applied per chunk.
pub struct ParquetSource {
    path: PathBuf,
    formula: Formula,
    opts: ReadOptions,
    chunk_rows: usize,
    /// (leaf index in the file, name) of the columns read, response first.
    columns: Vec<(usize, String)>,
    names: Vec<String>,
    bytes: u64,
    rows: u64,
}

impl ParquetSource {
    pub fn open(
        path: &Path,
        formula: &Formula,
        opts: &ReadOptions,
        chunk_rows: usize,
    ) -> Result<Self, SourceError> {
        let reader = open_reader(path)?;
        let meta = reader.metadata();
        let schema = meta.file_metadata().schema_descr();
        let all: Vec<String> = (0..schema.num_columns())
            .map(|i| schema.column(i).path().string())
            .collect();
        let used = formula.columns_used(&all);
        let mut columns = Vec::new();
        for name in &used {
            let Some(i) = all.iter().position(|c| c == name) else {
                continue; // the formula reports the unknown column below
            };
            let c = schema.column(i);
            if c.max_rep_level() > 0 {
                return Err(format_error(
                    path,
                    format!(
                    "column \"{name}\" is repeated (a list); only flat numeric columns can be read"
                ),
                ));
            }
            match c.physical_type() {
                PhysicalType::DOUBLE | PhysicalType::FLOAT | PhysicalType::INT32 | PhysicalType::INT64 => {}
                other => {
                    return Err(format_error(path, format!(
                        "column \"{name}\" holds {other} values; only DOUBLE, FLOAT, INT32 and INT64 columns can be used in a formula"
                    )))
                }
            }
            columns.push((i, name.clone()));
        }
        let header = Dataset {
            path: Some(path.to_path_buf()),
            names: all.clone(),
            columns: vec![Vec::new(); all.len()],
            ..Default::default()
        };
        let names = formula.feature_names(&header)?;
        formula.design(&header)?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            formula: formula.clone(),
            opts: opts.clone(),
            chunk_rows: chunk_rows.max(1),
            columns,
            names,
            bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            rows: meta.file_metadata().num_rows().max(0) as u64,
        })
    }

    /// Rows in the file (from its footer).
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

fn open_reader(path: &Path) -> Result<SerializedFileReader<File>, SourceError> {
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    SerializedFileReader::new(file)
        .map_err(|e| format_error(path, format!("not a readable Parquet file: {e}")))
}

/// Up to `max` values of one column into `out` (as f64), with nulls as NaN.
/// Returns the number of rows read.
fn read_column(
    reader: &mut ColumnReader,
    max: usize,
    nullable: bool,
    levels: &mut Vec<i16>,
    out: &mut Vec<f64>,
) -> parquet::errors::Result<usize> {
    macro_rules! read {
        ($r:expr, $conv:expr) => {{
            let mut values = Vec::with_capacity(max);
            levels.clear();
            let defs = if nullable { Some(&mut *levels) } else { None };
            let (rows, _, _) = $r.read_records(max, defs, None, &mut values)?;
            out.clear();
            if nullable {
                let mut it = values.into_iter();
                for &l in levels.iter() {
                    out.push(if l > 0 {
                        $conv(it.next().expect("one value per defined level"))
                    } else {
                        f64::NAN
                    });
                }
            } else {
                out.extend(values.into_iter().map($conv));
            }
            Ok(rows)
        }};
    }
    match reader {
        ColumnReader::DoubleColumnReader(r) => read!(r, |v: f64| v),
        ColumnReader::FloatColumnReader(r) => read!(r, f64::from),
        ColumnReader::Int32ColumnReader(r) => read!(r, f64::from),
        ColumnReader::Int64ColumnReader(r) => read!(r, |v: i64| v as f64),
        _ => unreachable!("column types are checked when the file is opened"),
    }
}

impl RowSource for ParquetSource {
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

    fn pass(&mut self, each: &mut ChunkFn<'_>) -> Result<(), SourceError> {
        let path = self.path.clone();
        let err = |e: parquet::errors::ParquetError| format_error(&path, e.to_string());
        let reader = open_reader(&self.path)?;
        let meta = reader.metadata().clone();
        let schema = meta.file_metadata().schema_descr();
        let mut chunk = Dataset {
            path: Some(self.path.clone()),
            names: self.columns.iter().map(|(_, n)| n.clone()).collect(),
            columns: vec![Vec::new(); self.columns.len()],
            ..Default::default()
        };
        let mut levels = Vec::new();
        let mut keep = Vec::new();
        let (mut rows_seen, mut rows_used) = (0u64, 0u64);
        let mut bytes_done = 0u64;
        for g in 0..meta.num_row_groups() {
            let group = reader.get_row_group(g).map_err(err)?;
            let rg_meta = meta.row_group(g);
            let mut readers = self
                .columns
                .iter()
                .map(|&(i, _)| group.get_column_reader(i))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            let mut left = rg_meta.num_rows().max(0) as usize;
            while left > 0 {
                let want = left.min(self.chunk_rows);
                let mut got = want;
                for (j, r) in readers.iter_mut().enumerate() {
                    let c = schema.column(self.columns[j].0);
                    let nullable = c.max_def_level() > 0
                        || c.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
                    let n = read_column(r, want, nullable, &mut levels, &mut chunk.columns[j])
                        .map_err(err)?;
                    got = got.min(n);
                }
                if got == 0 {
                    return Err(format_error(
                        &self.path,
                        format!("row group {g} ended early"),
                    ));
                }
                left -= got;
                // Missing cells (null, NaN, ±inf): drop the row or stop.
                keep.clear();
                keep.extend((0..got).map(|i| chunk.columns.iter().all(|c| c[i].is_finite())));
                if let Some(i) = keep.iter().position(|k| !k) {
                    if !self.opts.drop_missing {
                        let j = chunk
                            .columns
                            .iter()
                            .position(|c| !c[i].is_finite())
                            .expect("a missing cell");
                        let v = chunk.columns[j][i];
                        let what = if v.is_nan() {
                            "null or NaN"
                        } else {
                            "infinite"
                        };
                        return Err(format_error(
                            &self.path,
                            format!(
                                "row {} (row group {g}), column \"{}\": the value is {what}; \
                             fix the data or pass --drop-missing to skip such rows",
                                rows_seen + i as u64 + 1,
                                chunk.names[j]
                            ),
                        ));
                    }
                    for c in &mut chunk.columns {
                        let mut k = keep.iter();
                        c.retain(|_| *k.next().expect("one flag per row"));
                    }
                }
                for c in &mut chunk.columns {
                    c.truncate(got);
                }
                rows_seen += got as u64;
                rows_used += chunk.n_rows() as u64;
                if chunk.n_rows() > 0 {
                    let design = self.formula.design(&chunk)?;
                    let done = bytes_done
                        + (rg_meta.compressed_size().max(0) as u64)
                            * (rg_meta.num_rows().max(0) as u64 - left as u64)
                            / (rg_meta.num_rows().max(1) as u64);
                    each(Batch::new(&design.x, &design.y, design.d), done)?;
                }
            }
            bytes_done += rg_meta.compressed_size().max(0) as u64;
        }
        if rows_seen == 0 {
            return Err(DataError::NoRows { file: self.label() }.into());
        }
        if rows_used == 0 {
            return Err(DataError::AllRowsDropped {
                file: self.label(),
                dropped: rows_seen as usize,
            }
            .into());
        }
        Ok(())
    }
}

/// Writes the columns of `data` as a Parquet file of REQUIRED DOUBLE
/// columns, Snappy-compressed, `row_group_rows` rows per row group (for
/// tests, examples and `convert`-style tooling). Column names must be
/// plain identifiers.
pub fn write_parquet(
    path: &Path,
    data: &Dataset,
    row_group_rows: usize,
) -> Result<(), SourceError> {
    let err = |e: parquet::errors::ParquetError| format_error(path, e.to_string());
    let fields: String = data
        .names
        .iter()
        .map(|n| format!("REQUIRED DOUBLE {n}; "))
        .collect();
    let schema =
        Arc::new(parse_message_type(&format!("message schema {{ {fields}}}")).map_err(err)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let file = File::create(path).map_err(|source| DataError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(err)?;
    let n = data.n_rows();
    for start in (0..n.max(1)).step_by(row_group_rows.max(1)) {
        let end = (start + row_group_rows.max(1)).min(n);
        let mut group = writer.next_row_group().map_err(err)?;
        for column in &data.columns {
            let mut col = group
                .next_column()
                .map_err(err)?
                .expect("one writer per column");
            col.typed::<DoubleType>()
                .write_batch(&column[start..end], None, None)
                .map_err(err)?;
            col.close().map_err(err)?;
        }
        group.close().map_err(err)?;
    }
    writer.close().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{synth, SynthModel};
    use crate::source::MemorySource;

    #[test]
    fn row_groups_and_chunks_give_back_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let (data, _) = synth(SynthModel::Plane, 1000, 0.1, 4).unwrap();
        write_parquet(&path, &data, 300).unwrap();
        assert!(is_parquet(&path));
        let formula = Formula::parse("y ~ x2 + x1").unwrap();
        let want = formula.design(&data).unwrap();
        let mut source =
            ParquetSource::open(&path, &formula, &ReadOptions::default(), 128).unwrap();
        assert_eq!(source.rows(), 1000);
        let (mut x, mut y, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
        source
            .pass(&mut |b, _| {
                x.extend_from_slice(b.x);
                y.extend_from_slice(b.y);
                sizes.push(b.len());
                Ok(())
            })
            .unwrap();
        assert_eq!((x, y), (want.x.clone(), want.y.clone()));
        // Row groups of 300 (the last 100) read 128 rows at a time.
        assert_eq!(sizes, [128, 128, 44, 128, 128, 44, 128, 128, 44, 100]);
        let _ = MemorySource::new(&want).chunked(1);
    }

    #[test]
    fn unknown_columns_and_missing_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let data = Dataset::new(
            vec!["y".into(), "x".into()],
            vec![vec![1.0, 2.0, 3.0], vec![1.0, f64::NAN, 3.0]],
        )
        .unwrap();
        write_parquet(&path, &data, 10).unwrap();
        let f = Formula::parse("y ~ z").unwrap();
        let e = ParquetSource::open(&path, &f, &ReadOptions::default(), 8)
            .err()
            .unwrap();
        assert!(e.to_string().contains("\"z\""), "{e}");
        let f = Formula::parse("y ~ x").unwrap();
        let mut s = ParquetSource::open(&path, &f, &ReadOptions::default(), 8).unwrap();
        let e = s.pass(&mut |_, _| Ok(())).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("\"x\""), "{e}");
        let opts = ReadOptions {
            drop_missing: true,
            ..ReadOptions::default()
        };
        let mut s = ParquetSource::open(&path, &f, &opts, 8).unwrap();
        let mut rows = 0;
        s.pass(&mut |b, _| {
            rows += b.len();
            Ok(())
        })
        .unwrap();
        assert_eq!(rows, 2);
    }
}
