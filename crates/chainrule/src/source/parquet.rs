//! Parquet input (feature `parquet`), streamed: one row group at a time,
//! and within a row group at most `chunk_rows` rows, read column by column
//! with the `parquet` crate's low-level column readers — no Arrow, and
//! only the Snappy codec (what pyarrow, Spark and DataFusion write by
//! default; other codecs are refused with a message saying so).
//!
//! Columns: flat (not nested) DOUBLE, FLOAT, INT32 or INT64, converted to
//! f64 as their logical type says: signed or unsigned integers (UINT_32
//! and UINT_64 are stored in INT32/INT64 bits), DECIMAL(p, s) (stored as
//! INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY) scaled by 10^-s. Any
//! other logical type (dates, times, timestamps, strings, …) is refused by
//! name: its numbers are not the quantity the column names. Only the
//! columns the formula reads are decoded. A null, NaN or infinite value is
//! a missing cell: an error naming the row group and column, or a dropped
//! row with `drop_missing`, as for CSV.
//!
//! A corrupt file is an error naming it, never a crash: the parquet crate
//! returns errors for most damage but panics on some (see `guarded`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

use parquet::basic::{Compression, ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::data_type::DoubleType;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnDescriptor;

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
    /// The formula's response's name, as the design names it.
    response: String,
    opts: ReadOptions,
    chunk_rows: usize,
    /// (leaf index in the file, name, how to read its numbers) of the
    /// columns read, response first.
    columns: Vec<(usize, String, Numeric)>,
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
        // The footer is parsed; what follows only reads it.
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
            let kind = numeric_kind(&c).map_err(|what| {
                format_error(
                    path,
                    format!(
                        "column \"{name}\" holds {what} values; only numbers (DOUBLE, FLOAT, signed or unsigned integers, DECIMAL) can be used in a formula"
                    ),
                )
            })?;
            columns.push((i, name.clone(), kind));
        }
        let header = Dataset {
            path: Some(path.to_path_buf()),
            names: all.clone(),
            columns: vec![Vec::new(); all.len()],
            ..Default::default()
        };
        formula.check_streamable(&header, &path.display().to_string())?;
        let names = formula.feature_names(&header)?;
        formula.design(&header)?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            formula: formula.clone(),
            response: formula.response_name(),
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
    guarded(path, || {
        SerializedFileReader::new(file)
            .map_err(|e| format_error(path, format!("not a readable Parquet file: {e}")))
    })
}

/// How a column's stored numbers become f64.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Numeric {
    /// DOUBLE, FLOAT, or a signed integer.
    Plain,
    /// An unsigned integer in INT32 or INT64 bits.
    Unsigned,
    /// DECIMAL: the stored integer times 10^-scale.
    Decimal { scale: i32 },
}

/// The column's numeric reading, or the name of what it holds instead.
fn numeric_kind(c: &ColumnDescriptor) -> Result<Numeric, String> {
    let physical = c.physical_type();
    let integer = matches!(physical, PhysicalType::INT32 | PhysicalType::INT64);
    let bytes = matches!(
        physical,
        PhysicalType::FIXED_LEN_BYTE_ARRAY | PhysicalType::BYTE_ARRAY
    );
    // The logical type (format 2.4+) first; older writers set only the
    // converted type, which newer ones also set to match.
    let decimal = |scale: i32, precision: i32| {
        // 16 bytes hold any DECIMAL(38) (the format's widest in practice).
        if physical == PhysicalType::FIXED_LEN_BYTE_ARRAY && c.type_length() > 16 {
            return Err(format!(
                "DECIMAL({precision}, {scale}) in {} bytes (more than 16)",
                c.type_length()
            ));
        }
        if integer || bytes {
            Ok(Numeric::Decimal { scale })
        } else {
            Err(format!("DECIMAL stored as {physical}"))
        }
    };
    let kind = match c.logical_type_ref() {
        Some(LogicalType::Integer(t)) if integer => {
            if t.is_signed {
                Numeric::Plain
            } else {
                Numeric::Unsigned
            }
        }
        Some(LogicalType::Decimal(t)) => return decimal(t.scale, t.precision),
        Some(other) => return Err(logical_name(other)),
        None => match c.converted_type() {
            ConvertedType::NONE
            | ConvertedType::INT_8
            | ConvertedType::INT_16
            | ConvertedType::INT_32
            | ConvertedType::INT_64 => Numeric::Plain,
            ConvertedType::UINT_8
            | ConvertedType::UINT_16
            | ConvertedType::UINT_32
            | ConvertedType::UINT_64 => Numeric::Unsigned,
            ConvertedType::DECIMAL => return decimal(c.type_scale(), c.type_precision()),
            other => return Err(format!("{other}")),
        },
    };
    match physical {
        PhysicalType::DOUBLE | PhysicalType::FLOAT if kind == Numeric::Plain => Ok(kind),
        PhysicalType::INT32 | PhysicalType::INT64 => Ok(kind),
        other => Err(format!("{other}")),
    }
}

/// A logical type's name as the Parquet format writes it.
fn logical_name(t: &LogicalType) -> String {
    let name = match t {
        LogicalType::String => "STRING",
        LogicalType::Map => "MAP",
        LogicalType::List => "LIST",
        LogicalType::Enum => "ENUM",
        LogicalType::Date => "DATE",
        LogicalType::Time(_) => "TIME",
        LogicalType::Timestamp(_) => "TIMESTAMP",
        LogicalType::Integer(_) => "INTEGER (not in INT32/INT64)",
        LogicalType::Json => "JSON",
        LogicalType::Bson => "BSON",
        LogicalType::Uuid => "UUID",
        LogicalType::Float16 => "FLOAT16",
        LogicalType::Unknown => "UNKNOWN (always null)",
        other => return format!("{other:?}"),
    };
    name.into()
}

thread_local! {
    /// Whether this thread is inside [`guarded`] (its panics are caught).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, which calls into the parquet crate, turning a panic there into
/// an error naming the file. The crate returns errors for most corrupt
/// input, but some crafted footers and pages reach an index out of range or
/// an overflow inside it (issue #11: a corrupt footer panicked); a corrupt
/// file must not crash the run, so the unwind is caught at this boundary.
/// While inside, the panic hook stays quiet, since the message becomes the
/// error; panics anywhere else reach the hook that was set before.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, SourceError>) -> Result<T, SourceError> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        Err(format_error(
            path,
            format!("corrupt Parquet data: the parquet reader gave up ({why}); the file is damaged or not written to the format"),
        ))
    })
}

/// Up to `max` values of one column into `out` (as f64, as `kind` says),
/// with nulls as NaN. Returns the number of rows read.
fn read_column(
    reader: &mut ColumnReader,
    kind: Numeric,
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
                        // A corrupt page may define more levels than values.
                        it.next().map_or(f64::NAN, $conv)
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
    // 10^scale is exact for scale ≤ 22, so a stored integer below 2^53
    // becomes the correctly rounded decimal.
    let unit = match kind {
        Numeric::Decimal { scale } => 10f64.powi(scale),
        _ => 1.0,
    };
    let unsigned = kind == Numeric::Unsigned;
    match reader {
        ColumnReader::DoubleColumnReader(r) => read!(r, |v: f64| v),
        ColumnReader::FloatColumnReader(r) => read!(r, f64::from),
        // UINT_32 and UINT_64 are the same bits read without a sign.
        ColumnReader::Int32ColumnReader(r) if unsigned => read!(r, |v: i32| f64::from(v as u32)),
        ColumnReader::Int64ColumnReader(r) if unsigned => read!(r, |v: i64| v as u64 as f64),
        ColumnReader::Int32ColumnReader(r) => read!(r, |v: i32| f64::from(v) / unit),
        ColumnReader::Int64ColumnReader(r) => read!(r, |v: i64| v as f64 / unit),
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            read!(r, |v: parquet::data_type::FixedLenByteArray| decimal_bytes(
                v.data()
            ) / unit)
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            read!(r, |v: parquet::data_type::ByteArray| decimal_bytes(
                v.data()
            ) / unit)
        }
        _ => unreachable!("column types are checked when the file is opened"),
    }
}

/// A DECIMAL's unscaled integer: big-endian two's complement, at most 16
/// bytes (longer is NaN, reported as a missing cell naming the column).
fn decimal_bytes(b: &[u8]) -> f64 {
    if b.is_empty() || b.len() > 16 {
        return f64::NAN;
    }
    let fill = if b[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut full = [fill; 16];
    full[16 - b.len()..].copy_from_slice(b);
    i128::from_be_bytes(full) as f64
}

impl RowSource for ParquetSource {
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
        let path = self.path.clone();
        let err = |e: parquet::errors::ParquetError| format_error(&path, e.to_string());
        let reader = open_reader(&self.path)?;
        let meta = reader.metadata().clone();
        let schema = meta.file_metadata().schema_descr();
        let mut chunk = Dataset {
            path: Some(self.path.clone()),
            names: self.columns.iter().map(|(_, n, _)| n.clone()).collect(),
            columns: vec![Vec::new(); self.columns.len()],
            ..Default::default()
        };
        let mut levels = Vec::new();
        let mut keep = Vec::new();
        let (mut rows_seen, mut rows_used) = (0u64, 0u64);
        let mut bytes_done = 0u64;
        for g in 0..meta.num_row_groups() {
            let rg_meta = meta.row_group(g);
            let mut readers = guarded(&path, || {
                let group = reader.get_row_group(g).map_err(err)?;
                self.columns
                    .iter()
                    .map(|&(i, _, _)| group.get_column_reader(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(err)
            })?;
            let mut left = rg_meta.num_rows().max(0) as usize;
            while left > 0 {
                let want = left.min(self.chunk_rows);
                let mut got = want;
                for (j, r) in readers.iter_mut().enumerate() {
                    let c = schema.column(self.columns[j].0);
                    let nullable = c.max_def_level() > 0
                        || c.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
                    let kind = self.columns[j].2;
                    let out = &mut chunk.columns[j];
                    let n = guarded(&path, || {
                        read_column(r, kind, want, nullable, &mut levels, out).map_err(err)
                    })?;
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

    /// A one-row-group file of `schema`, each column written by `write`
    /// (called with the column's index and its writer).
    fn write_typed(
        path: &Path,
        schema: &str,
        mut write: impl FnMut(usize, &mut parquet::column::writer::ColumnWriter<'_>),
    ) {
        let schema = Arc::new(parse_message_type(schema).unwrap());
        let props = Arc::new(WriterProperties::builder().build());
        let file = File::create(path).unwrap();
        let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
        let mut group = writer.next_row_group().unwrap();
        let mut j = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            write(j, col.untyped());
            col.close().unwrap();
            j += 1;
        }
        group.close().unwrap();
        writer.close().unwrap();
    }

    /// The design's feature columns and y after one pass.
    fn read_all(path: &Path, formula: &str) -> Result<(Vec<f64>, Vec<f64>), SourceError> {
        let f = Formula::parse(formula).unwrap();
        let mut source = ParquetSource::open(path, &f, &ReadOptions::default(), 64)?;
        let (mut x, mut y) = (Vec::new(), Vec::new());
        source.pass(&mut |b, _| {
            x.extend_from_slice(b.x);
            y.extend_from_slice(b.y);
            Ok(())
        })?;
        Ok((x, y))
    }

    use parquet::column::writer::ColumnWriter as W;
    use parquet::data_type::FixedLenByteArray;

    #[test]
    fn unsigned_integers_are_read_without_a_sign() {
        // UINT_32 4294967295 is stored as the i32 bits -1; UINT_64 2^63 as
        // i64::MIN. Read signed, they were -1 and -9.2e18 (issue #11).
        let dir = tempfile::tempdir().unwrap();
        for (name, schema) in [
            (
                "logical.parquet",
                "message m { REQUIRED INT32 a (INTEGER(32,false)); REQUIRED INT64 b (INTEGER(64,false)); REQUIRED INT32 y; }",
            ),
            (
                "converted.parquet",
                "message m { REQUIRED INT32 a (UINT_32); REQUIRED INT64 b (UINT_64); REQUIRED INT32 y; }",
            ),
        ] {
            let path = dir.path().join(name);
            write_typed(&path, schema, |j, w| match (j, w) {
                (0, W::Int32ColumnWriter(c)) => {
                    c.write_batch(&[-1, 7], None, None).unwrap();
                }
                (1, W::Int64ColumnWriter(c)) => {
                    c.write_batch(&[i64::MIN, 8], None, None).unwrap();
                }
                (2, W::Int32ColumnWriter(c)) => {
                    c.write_batch(&[1, 2], None, None).unwrap();
                }
                _ => unreachable!(),
            });
            let (x, y) = read_all(&path, "y ~ a + b - 1").unwrap();
            // Row-major: (a, b) per row; 2^32 − 1 and 2^63 exactly.
            assert_eq!(x, [4294967295.0, 9223372036854775808.0, 7.0, 8.0], "{name}");
            assert_eq!(y, [1.0, 2.0]);
        }
    }

    #[test]
    fn decimals_are_scaled() {
        // DECIMAL(p, s) stores value·10^s as an integer: 12345 with s = 2 is
        // 123.45; −1234567 with s = 3 is −1234.567; the 5 big-endian bytes
        // 00 00 01 E2 40 are 123456, with s = 4 12.3456; FF FF FF FF FF is
        // −1, i.e. −0.0001. Unscaled, they were read 100 to 10^4 times too
        // large (issue #11).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.parquet");
        let schema = "message m { REQUIRED INT32 a (DECIMAL(9,2)); REQUIRED INT64 b (DECIMAL(18,3)); REQUIRED FIXED_LEN_BYTE_ARRAY(5) c (DECIMAL(10,4)); REQUIRED BYTE_ARRAY d (DECIMAL(10,1)); REQUIRED DOUBLE y; }";
        write_typed(&path, schema, |j, w| match (j, w) {
            (0, W::Int32ColumnWriter(c)) => {
                c.write_batch(&[12345, -1], None, None).unwrap();
            }
            (1, W::Int64ColumnWriter(c)) => {
                c.write_batch(&[-1234567, 1], None, None).unwrap();
            }
            (2, W::FixedLenByteArrayColumnWriter(c)) => {
                let v: Vec<FixedLenByteArray> = [vec![0, 0, 1, 0xE2, 0x40], vec![0xff; 5]]
                    .into_iter()
                    .map(FixedLenByteArray::from)
                    .collect();
                c.write_batch(&v, None, None).unwrap();
            }
            (3, W::ByteArrayColumnWriter(c)) => {
                // 0x01 0x00 = 256 → 25.6; 0x85 = −123 → −12.3.
                let v = [vec![1u8, 0].into(), vec![0x85u8].into()];
                c.write_batch(&v, None, None).unwrap();
            }
            (4, W::DoubleColumnWriter(c)) => {
                c.write_batch(&[1.0, 2.0], None, None).unwrap();
            }
            _ => unreachable!(),
        });
        let (x, _) = read_all(&path, "y ~ a + b + c + d - 1").unwrap();
        assert_eq!(
            x,
            [123.45, -1234.567, 12.3456, 25.6, -0.01, 0.001, -0.0001, -12.3]
        );
    }

    #[test]
    fn other_logical_types_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for (ty, shown) in [
            ("INT32 a (DATE)", "DATE"),
            ("INT64 a (TIMESTAMP(MILLIS,true))", "TIMESTAMP"),
            ("INT64 a (TIMESTAMP_MICROS)", "TIMESTAMP_MICROS"),
            ("INT32 a (TIME(MILLIS,true))", "TIME"),
            ("BYTE_ARRAY a (UTF8)", "UTF8"),
            ("BYTE_ARRAY a (STRING)", "STRING"),
            ("BYTE_ARRAY a", "BYTE_ARRAY"),
            ("BOOLEAN a", "BOOLEAN"),
            ("INT96 a", "INT96"),
            ("FIXED_LEN_BYTE_ARRAY(2) a (FLOAT16)", "FLOAT16"),
        ] {
            let path = dir.path().join("t.parquet");
            let schema = format!("message m {{ REQUIRED {ty}; REQUIRED DOUBLE y; }}");
            // No rows: the refusal comes from the schema alone.
            write_typed(&path, &schema, |_, _| {});
            let e = read_all(&path, "y ~ a").unwrap_err().to_string();
            assert!(
                e.contains(&format!("column \"a\" holds {shown} values")),
                "{ty}: {e}"
            );
            assert!(e.contains("t.parquet"), "{e}");
        }
    }

    #[test]
    fn corrupt_bytes_anywhere_are_errors_naming_the_file() {
        // Every byte of a small file, in turn, XORed with two patterns:
        // each read must end in Ok (damage the format cannot see, such as
        // a changed value) or an error naming the file; a panic inside the
        // parquet crate fails this test unless `guarded` caught it.
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.parquet");
        let data = Dataset::new(
            vec!["x".into(), "y".into()],
            vec![vec![1.0, 2.0, 3.0, 4.0], vec![3.0, 5.0, 7.0, 9.0]],
        )
        .unwrap();
        write_parquet(&good, &data, 2).unwrap();
        let bytes = std::fs::read(&good).unwrap();
        let bad = dir.path().join("bad.parquet");
        let (mut errors, mut caught) = (0, 0);
        for i in 0..bytes.len() {
            for pattern in [0x01u8, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= pattern;
                std::fs::write(&bad, &b).unwrap();
                if let Err(e) = read_all(&bad, "y ~ x") {
                    let e = e.to_string();
                    assert!(e.contains("bad.parquet"), "byte {i} ^ {pattern:#x}: {e}");
                    errors += 1;
                    caught += usize::from(e.contains("the parquet reader gave up"));
                }
            }
        }
        // Damage to the footer and page headers is seen; to a stored double
        // it is not (no page checksums). Parquet 59.3 on this 902-byte file:
        // 736 errors in 1804 reads, 9 of them caught panics.
        assert!(
            errors >= bytes.len() / 2,
            "{errors} errors in {} bytes",
            bytes.len()
        );
        eprintln!(
            "{errors} errors, {caught} of them caught panics, over {} bytes",
            bytes.len()
        );
        // Truncated at every length: always an error.
        for len in 0..bytes.len() {
            std::fs::write(&bad, &bytes[..len]).unwrap();
            let e = read_all(&bad, "y ~ x").unwrap_err().to_string();
            assert!(e.contains("bad.parquet"), "length {len}: {e}");
        }
    }
}
