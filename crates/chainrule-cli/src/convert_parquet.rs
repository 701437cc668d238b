//! `convert --to parquet`: CSV to a directory of Parquet files, one per
//! chunk of rows, streamed (memory holds one chunk) — the input of
//! `train|fit --cluster`, whose executors each read a share of the files.

use super::common::usage;

#[cfg(not(feature = "parquet"))]
pub fn run(
    _: &[std::path::PathBuf],
    _: &chainrule::data::ReadOptions,
    _: &std::path::Path,
    _: usize,
) -> anyhow::Result<()> {
    Err(usage(
        "--to parquet: this chainrule was built without Parquet; rebuild with --features parquet",
    ))
}

#[cfg(feature = "parquet")]
pub use parquet::run;

#[cfg(feature = "parquet")]
mod parquet {
    use super::usage;
    use anyhow::{Context, Result};
    use chainrule::data::{CsvChunks, Dataset, ReadOptions};
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    /// Rows per row group inside each file: a reader's unit of work.
    const ROW_GROUP_ROWS: usize = 65_536;

    /// Writes every column of the CSV files `inputs` as `out/part-NNNNN.parquet`,
    /// `chunk_rows` rows per file; each file appears whole (written under a
    /// hidden name, then renamed).
    pub fn run(
        inputs: &[PathBuf],
        read: &ReadOptions,
        out: &Path,
        chunk_rows: usize,
    ) -> Result<()> {
        std::fs::create_dir_all(out)
            .with_context(|| format!("--out {}: cannot create the directory", out.display()))?;
        let existing = std::fs::read_dir(out)
            .with_context(|| format!("--out {}", out.display()))?
            .filter_map(|e| e.ok())
            .any(|e| e.path().extension().is_some_and(|x| x == "parquet"));
        if existing {
            return Err(usage(format!(
            "--out {}: the directory already holds Parquet files, which a reader would take as part of the data; remove them or choose an empty directory",
            out.display()
        )));
        }
        let start = Instant::now();
        let (mut files, mut rows) = (0usize, 0usize);
        let mut chunk = Dataset::new(Vec::new(), Vec::new())?;
        for input in inputs {
            let mut csv = CsvChunks::open(input, read, chunk_rows)?;
            while csv.next_chunk(&mut chunk)? {
                if chunk.n_rows() == 0 {
                    continue;
                }
                let name = format!("part-{files:05}.parquet");
                write_part(&out.join(format!(".{name}.tmp")), &out.join(&name), &chunk)?;
                files += 1;
                rows += chunk.n_rows();
            }
        }
        println!(
            "{} → {}/part-*.parquet ({rows} rows × {} columns in {files} files, {:.3} s)",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            out.display(),
            chunk.names.len(),
            start.elapsed().as_secs_f64()
        );
        Ok(())
    }

    fn write_part(tmp: &Path, path: &Path, chunk: &Dataset) -> Result<()> {
        let written = chainrule::source::parquet::write_parquet(tmp, chunk, ROW_GROUP_ROWS)
            .map_err(anyhow::Error::from)
            .and_then(|()| std::fs::rename(tmp, path).map_err(anyhow::Error::from));
        if written.is_err() {
            let _ = std::fs::remove_file(tmp);
        }
        written.with_context(|| format!("writing {}", path.display()))
    }
}
