//! `chainrule bench --csv FILE`: CSV → θ, as `fit` runs it, beside a plain
//! read of the same file from the page cache in the same run.
//!
//! Items, each timed `repeats` times after one warm-up (the warm-up also
//! brings the file into the page cache):
//! - `csv_read`: the file's bytes into memory (`std::fs::read`): the floor
//!   any reader of this file stands on;
//! - `csv_fit`: `fit FILE` — one pass, each piece of the file parsed and
//!   summed into the Gram matrix on the thread that parsed it (the route
//!   `fit` takes when it can: `source::fit_one_pass`), every statistic;
//! - `csv_fit_memory`: the rows read whole into memory, then solved by QR
//!   with every statistic (`fit`'s route for small or hard files);
//! - `csv_fit_streamed`: chunks of 65536 rows into the TSQR sums, then a
//!   refinement pass (`fit --chunk-rows` where one pass cannot answer).

use crate::bench_run::{Item, Spread};
use chainrule::data::ReadOptions;
use chainrule::model::formula::Formula;
use chainrule::solve::least_squares;
use chainrule::source::{fit_one_pass, fit_stream, open, OpenOptions};
use chainrule::train::Quiet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a fit reads the file.
#[derive(Clone, Copy)]
enum Route {
    /// As `fit FILE` does: one pass when it can answer, else in memory.
    Fit,
    Memory,
    Streamed,
}

/// θ from `path` through `formula` by `route`. Returns the rows used.
fn fit_csv(path: &Path, formula: &Formula, route: Route) -> Result<(usize, Vec<f64>), String> {
    if let Route::Fit = route {
        let paths = [path.to_path_buf()];
        let one = fit_one_pass(&paths, formula, &ReadOptions::default(), &mut Quiet);
        if let Some((s, _)) = one.map_err(|e| e.to_string())? {
            return Ok((s.n, s.theta));
        }
    }
    let options = OpenOptions {
        chunk_rows: matches!(route, Route::Streamed).then_some(65_536),
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

/// The four items for `path`, or why they could not run.
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
    progress("csv: fit (one pass)");
    let (rows, _) = fit_csv(path, &formula, Route::Fit)?;
    let fit_times = time_repeats(repeats, || fit_csv(path, &formula, Route::Fit))?;
    progress("csv: fit in memory");
    let memory_times = time_repeats(repeats, || fit_csv(path, &formula, Route::Memory))?;
    progress("csv: fit streamed in chunks of 65536 rows");
    let streamed_times = time_repeats(repeats, || fit_csv(path, &formula, Route::Streamed))?;
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
            format!("csv → θ: fit {formula}, one pass (the default)"),
            fit_times,
        ),
        item(
            "csv_fit_memory",
            format!("csv → θ: fit {formula}, in memory"),
            memory_times,
        ),
        item(
            "csv_fit_streamed",
            format!("csv → θ: fit {formula}, streamed"),
            streamed_times,
        ),
    ])
}
