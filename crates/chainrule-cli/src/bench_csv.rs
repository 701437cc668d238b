//! `chainrule bench --csv FILE`: CSV → θ, as `fit` runs it, beside a plain
//! read of the same file from the page cache in the same run.
//!
//! Items, each timed `repeats` times after one warm-up (the warm-up also
//! brings the file into the page cache):
//! - `csv_read`: the file's bytes into memory (`std::fs::read`): the floor
//!   any reader of this file stands on;
//! - `csv_fit`: `fit FILE` in memory — read and parse every cell, build the
//!   design, solve by QR with every statistic;
//! - `csv_fit_streamed`: `fit FILE --chunk-rows 65536` — one pass of
//!   chunks into the least-squares sums, memory bounded by the chunk.

use crate::bench_run::{Item, Spread};
use chainrule::model::formula::Formula;
use chainrule::solve::least_squares;
use chainrule::source::{fit_stream, open, OpenOptions};
use chainrule::train::Quiet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// θ from `path` through `formula`, as `fit` computes it; streamed in
/// chunks of `chunk_rows` when given. Returns the rows used.
fn fit_csv(
    path: &Path,
    formula: &Formula,
    chunk_rows: Option<usize>,
) -> Result<(usize, Vec<f64>), String> {
    let options = OpenOptions {
        chunk_rows,
        ..OpenOptions::default()
    };
    let paths = [PathBuf::from(path)];
    let mut opened = open(&paths, formula, &options, &mut Quiet).map_err(|e| e.to_string())?;
    let s = match opened.source.design() {
        Some(design) => least_squares(design).map_err(|e| e.to_string())?,
        None => fit_stream(&mut *opened.source, &mut Quiet).map_err(|e| e.to_string())?,
    };
    Ok((s.n, s.theta))
}

fn time_repeats<T>(
    repeats: usize,
    mut op: impl FnMut() -> Result<T, String>,
) -> Result<Vec<f64>, String> {
    black_box(op()?);
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            black_box(op()?);
            Ok(t.elapsed().as_secs_f64())
        })
        .collect()
}

/// The three items for `path`, or why they could not run.
pub fn measure(
    path: &Path,
    formula: &str,
    repeats: usize,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<Vec<Item>, String> {
    let formula = Formula::parse(formula).map_err(|e| format!("--formula: {e}"))?;
    // Timed again and again: a pipe would be empty after the first read,
    // and its second open would wait for a writer that has gone.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err(format!(
            "{}: not a regular file; the benchmark reads it several times: give a file on disk",
            path.display()
        ));
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let bytes = read(path)?.len() as u64;
    progress(&format!("csv: plain read of {}", path.display()));
    let read_times = time_repeats(repeats, || read(path))?;
    progress("csv: fit in memory");
    let (rows, _) = fit_csv(path, &formula, None)?;
    let fit_times = time_repeats(repeats, || fit_csv(path, &formula, None))?;
    progress("csv: fit streamed in chunks of 65536 rows");
    let streamed_times = time_repeats(repeats, || fit_csv(path, &formula, Some(65_536)))?;
    let read_s = Spread::of(read_times.clone()).median;
    let item = |name: &str, what: String, times: Vec<f64>| {
        let s = Spread::of(times);
        Item {
            name: name.into(),
            what,
            rows,
            bytes,
            rows_per_s: rows as f64 / s.median,
            gb_per_s: bytes as f64 / s.median / 1e9,
            ratio_to_read: read_s / s.median,
            ratio_to_kernel: None,
            ns_per_step: None,
            steps_per_s: None,
            seconds: s,
        }
    };
    Ok(vec![
        item(
            "csv_read",
            "csv: read the file (page cache)".into(),
            read_times,
        ),
        item(
            "csv_fit",
            format!("csv → θ: fit {formula}, in memory"),
            fit_times,
        ),
        item(
            "csv_fit_streamed",
            format!("csv → θ: fit {formula}, streamed"),
            streamed_times,
        ),
    ])
}
