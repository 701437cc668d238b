//! What several subcommands share: loading data through a formula, and
//! printing tables and JSON.

use anyhow::{Context, Result};
use chainrule::data::Design;
use chainrule::data::{
    read_csv, CsvChunks, DataError, Dataset, ReadOptions, ReadReport, DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
};
use chainrule::model::formula::Formula;
use std::path::{Path, PathBuf};

/// A mistake in how the command was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// The formula from `--formula`, or a preset name (`origin`, `line`, `plane`).
pub fn parse_formula(text: &str) -> Result<Formula> {
    if let Some(f) = Formula::preset(text) {
        return Ok(f);
    }
    Formula::parse(text).map_err(|e| usage(format!("--formula:\n{e}")))
}

/// Resource limits on the data file, shared by the commands that read one.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct DataLimits {
    /// Refuse data files with more columns than this
    #[arg(long, default_value_t = DEFAULT_MAX_COLUMNS, value_name = "N")]
    pub max_columns: usize,
    /// Refuse data files with more cells (rows × columns) than this; memory
    /// for the data is about 8 bytes per cell, plus the design matrix
    #[arg(long, default_value_t = DEFAULT_MAX_CELLS, value_name = "N")]
    pub max_cells: usize,
}

impl DataLimits {
    pub fn read_options(self, drop_missing: bool) -> ReadOptions {
        ReadOptions {
            drop_missing,
            max_columns: self.max_columns,
            max_cells: self.max_cells,
            only: None,
        }
    }
}

/// Reads DATA and builds the design matrix the formula asks for (default
/// limits).
pub fn load(path: &Path, formula: &Formula, drop_missing: bool) -> Result<(Dataset, Design)> {
    load_with(
        path,
        formula,
        &ReadOptions {
            drop_missing,
            ..ReadOptions::default()
        },
    )
}

/// Refuses, by name, what the data readers cannot read: a directory (its
/// error would be the OS's, at "line 0") and a named pipe (FIFO). The
/// readers open a data file twice (a second handle finds line numbers for
/// messages); a FIFO's second open waits forever for a writer that has
/// gone. `/dev/stdin` and `<(…)` (`/dev/fd/N`) reopen the same pipe, so
/// they are let through.
pub fn readable_data(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path);
    if meta.as_ref().is_ok_and(|m| m.is_dir()) {
        return Err(anyhow::anyhow!(
            "{}: is a directory; give a data file (CSV/TSV, .crd or .parquet)",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let reopens_itself = ["/dev/stdin", "/dev/fd/", "/proc/"]
            .iter()
            .any(|p| path.starts_with(p));
        if !reopens_itself && meta.is_ok_and(|m| m.file_type().is_fifo()) {
            return Err(anyhow::anyhow!(
                "{}: is a named pipe (FIFO); the data is opened twice, and a FIFO's second \
                 open waits for a writer that has gone: save it to a file first (`… > \
                 data.csv`), or pipe it in as /dev/stdin",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Refuses a design cache (or a damaged one) where a table is read: its
/// bytes would otherwise reach the CSV reader and fail obscurely.
pub fn not_a_cache(path: &Path) -> Result<()> {
    readable_data(path)?;
    if chainrule::data::DesignCache::is_meant_as_cache(path) {
        return Err(anyhow::anyhow!(
            "{}: a design cache (.crd, made by `chainrule convert`) holds a design, not the \
             table's columns; only `train` and `fit` read one: give this command the CSV/TSV \
             the cache was made from",
            path.display()
        ));
    }
    Ok(())
}

/// Reads DATA with `opts` and builds the design matrix the formula asks for.
pub fn load_with(path: &Path, formula: &Formula, opts: &ReadOptions) -> Result<(Dataset, Design)> {
    not_a_cache(path)?;
    let opts = ReadOptions {
        only: formula.columns_to_read(),
        ..opts.clone()
    };
    let (data, report) = read_csv(path, &opts).map_err(with_hint)?;
    note_dropped(report);
    let design = formula
        .design(&data)
        .with_context(|| format!("--formula {formula}"))?;
    Ok((data, design))
}

/// The first `rows` rows of the CSV at `path` (rows with missing cells
/// skipped when `drop_missing`, not counted) through the formula; the rest
/// of the file is never read.
pub fn load_first(
    path: &Path,
    formula: &Formula,
    drop_missing: bool,
    rows: usize,
) -> Result<Design> {
    let opts = ReadOptions {
        drop_missing,
        only: formula.columns_to_read(),
        ..ReadOptions::default()
    };
    not_a_cache(path)?;
    let mut chunks = CsvChunks::open(path, &opts, rows.max(1))?;
    let mut data = Dataset::new(Vec::new(), Vec::new())?;
    chunks.next_chunk(&mut data)?;
    note_dropped(chunks.report());
    let coding = formula
        .coding(&data)
        .with_context(|| format!("--formula {formula}"))?;
    // What a categorical variable or poly() learns would be learned from
    // the rows shown alone, not from the file (a stray word in a numeric
    // column would even pass for a category): the lessons take numbers.
    if let Some(key) = coding.levels.keys().find(|k| data.text_column(k).is_some()) {
        return Err(anyhow::anyhow!(
            "{}: column \"{key}\" holds text in the rows shown, and the lessons take numbers; \
             fix the cell if \"{key}\" is numeric (`chainrule fit` names it), or fit a \
             categorical variable with `chainrule fit`",
            path.display()
        ));
    }
    if let Some(key) = coding.levels.keys().chain(coding.poly.keys()).next() {
        return Err(anyhow::anyhow!(
            "{}: `{key}` needs what the whole file says (its categories or its orthogonal \
             basis), but a step reads only the rows it shows; use numeric columns and raw \
             powers (I(x^2), poly(x, 2, raw = TRUE)) here, or fit the model with `chainrule \
             fit`",
            path.display()
        ));
    }
    formula
        .design_coded(&data, &coding)
        .with_context(|| format!("--formula {formula}"))
}

/// Says on stderr how many rows `--drop-missing` skipped, if any.
fn note_dropped(report: ReadReport) {
    if report.rows_dropped > 0 {
        eprintln!(
            "note: --drop-missing skipped {} of {} rows read (empty, NaN or infinite cells); the results use only the {} kept",
            report.rows_dropped,
            report.rows_read,
            report.rows_read - report.rows_dropped
        );
    }
}

fn with_hint(e: DataError) -> anyhow::Error {
    anyhow::Error::new(e)
}

pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values always print")
    );
}

/// The rows of the files through the formula: one library call; a note
/// for each thing it did, formula errors named by the flag.
pub fn open_source(
    paths: &[PathBuf],
    formula: &Formula,
    options: &chainrule::source::OpenOptions,
    progress: &mut super::progress::Progress,
) -> Result<chainrule::source::Opened> {
    for path in paths {
        readable_data(path)?;
    }
    let opened = chainrule::source::open(paths, formula, options, progress).map_err(|e| match e {
        chainrule::source::SourceError::Formula(_) => {
            anyhow::Error::new(e).context(format!("--formula {formula}"))
        }
        // Ctrl-C while a design cache was written: its temp files are gone.
        chainrule::source::SourceError::Stopped => super::interrupt::Interrupted(
            "interrupted while reading the data: nothing was written or trained".into(),
        )
        .into(),
        e => anyhow::Error::new(e),
    });
    progress.clear();
    opened
}
