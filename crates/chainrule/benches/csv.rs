//! CSV → θ beside the floor under it: a plain read of the same file from
//! the page cache, and the number parser beside `str::parse` on the same
//! cells. `chainrule bench --csv FILE` reports the same ratios on any file.
//!
//! cargo bench --bench csv

use chainrule::data::number::parse_f64;
use chainrule::data::ReadOptions;
use chainrule::model::formula::Formula;
use chainrule::solve::least_squares;
use chainrule::source::{fit_stream, open, OpenOptions};
use chainrule::train::Quiet;
use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const ROWS: usize = 200_000;

/// A plane y = 1 + 2·x1 − 3·x2 + noise, written the way `synth` writes
/// (shortest round-trip digits), once per run.
fn file() -> &'static (tempfile::TempDir, PathBuf, u64) {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf, u64)> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut text = String::from("x1,x2,y\n");
        for _ in 0..ROWS {
            let (a, b): (f64, f64) = (rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0));
            let y = 1.0 + 2.0 * a - 3.0 * b + rng.random_range(-0.1..0.1);
            text.push_str(&format!("{a},{b},{y}\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plane.csv");
        std::fs::write(&path, &text).unwrap();
        (dir, path, text.len() as u64)
    })
}

/// Baseline: the file's bytes into memory.
#[divan::bench(sample_count = 20)]
fn read_file(bencher: Bencher) {
    let (_, path, bytes) = file();
    bencher
        .counter(BytesCount::new(*bytes))
        .bench_local(|| std::fs::read(black_box(path)).unwrap());
}

fn fit(chunk_rows: Option<usize>) -> Vec<f64> {
    let (_, path, _) = file();
    let formula = Formula::parse("y ~ x1 + x2").unwrap();
    let options = OpenOptions {
        chunk_rows,
        ..OpenOptions::default()
    };
    let mut opened = open(std::slice::from_ref(path), &formula, &options, &mut Quiet).unwrap();
    match opened.source.design() {
        Some(design) => least_squares(design).unwrap().theta,
        None => fit_stream(&mut *opened.source, &mut Quiet).unwrap().theta,
    }
}

/// `fit` in memory: read, parse, design, QR and every statistic.
#[divan::bench(sample_count = 10)]
fn fit_in_memory(bencher: Bencher) {
    let (_, _, bytes) = file();
    bencher
        .counter(BytesCount::new(*bytes))
        .bench_local(|| fit(None));
}

/// `fit` on a large file: one pass, pieces parsed and summed into the
/// Gram matrix on every core (`source::fit_one_pass`).
#[divan::bench(sample_count = 10)]
fn fit_one_pass(bencher: Bencher) {
    let (_, path, bytes) = file();
    let formula = Formula::parse("y ~ x1 + x2").unwrap();
    bencher.counter(BytesCount::new(*bytes)).bench_local(|| {
        chainrule::source::fit_one_pass(
            std::slice::from_ref(path),
            &formula,
            &ReadOptions::default(),
            &mut Quiet,
        )
        .unwrap()
        .expect("the plane is answered in one pass")
        .0
        .theta
    });
}

/// The TSQR route `fit --chunk-rows` takes where one pass cannot answer:
/// a streamed pass, then a refinement pass.
#[divan::bench(sample_count = 10)]
fn fit_streamed_tsqr(bencher: Bencher) {
    let (_, _, bytes) = file();
    bencher
        .counter(BytesCount::new(*bytes))
        .bench_local(|| fit(Some(65_536)));
}

/// The file's cells, as slices of its text (in one buffer, as a reader
/// sees them, so the parse and not the cache misses is what is timed).
fn cells() -> Vec<&'static str> {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| std::fs::read_to_string(&file().1).unwrap());
    text.lines().skip(1).flat_map(|l| l.split(',')).collect()
}

/// Baseline: `str::parse::<f64>` on every cell of the file.
#[divan::bench(sample_count = 20)]
fn parse_std(bencher: Bencher) {
    let cells = cells();
    bencher
        .counter(divan::counter::ItemsCount::new(cells.len()))
        .bench_local(|| {
            cells
                .iter()
                .map(|c| black_box(c).parse::<f64>().unwrap())
                .sum::<f64>()
        });
}

/// `data::number::parse_f64` on the same cells.
#[divan::bench(sample_count = 20)]
fn parse_fast(bencher: Bencher) {
    let cells = cells();
    bencher
        .counter(divan::counter::ItemsCount::new(cells.len()))
        .bench_local(|| {
            cells
                .iter()
                .map(|c| parse_f64(black_box(c)).unwrap())
                .sum::<f64>()
        });
}
