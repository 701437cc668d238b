//! The fused kernel for development: full-batch epochs beside a plain read
//! of the same data, mini-batch steps, one-row scalar-graph steps, and the
//! hand-off threshold (the same batch on the calling thread and through the
//! pool). `chainrule bench` is the user-facing report of the same kernels.
//!
//! cargo bench --bench kernel
//! cargo bench --bench kernel -- handoff

use chainrule::kernel::{FusedKernel, BLOCK_ROWS};
use chainrule::model::sample::SampleGraph;
use chainrule::model::vectorized::Vectorized;
use chainrule::model::{Batch, Gradient, LinearModel};
use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

const ROWS: usize = 1_000_000;

/// x in [−1, 1) (deterministic), y = 1 + x1 − x2 + …
fn data(n: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n * d)
        .map(|i| ((i * 37) % 97) as f64 / 48.5 - 1.0)
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|i| 1.0 + x[i * d..(i + 1) * d].iter().sum::<f64>())
        .collect();
    (x, y)
}

fn theta(d: usize) -> Vec<f64> {
    (0..=d).map(|j| 0.5 - 0.1 * j as f64).collect()
}

/// Baseline: Σ X + Σ y with eight running sums, one thread.
#[divan::bench(args = [2, 16], sample_count = 20)]
fn read(bencher: Bencher, d: usize) {
    let (x, y) = data(ROWS, d);
    let sum8 = |v: &[f64]| {
        let (c, t) = v.as_chunks::<8>();
        let mut a = [0.0; 8];
        for c in c {
            for l in 0..8 {
                a[l] += c[l];
            }
        }
        a.iter().sum::<f64>() + t.iter().sum::<f64>()
    };
    bencher
        .counter(BytesCount::new(ROWS * (d + 1) * 8))
        .bench_local(|| sum8(black_box(&x)) + sum8(black_box(&y)));
}

/// Full-batch J and ∂J/∂θ, f64, all threads.
#[divan::bench(args = [1, 2, 3, 16], sample_count = 20)]
fn kernel_epoch(bencher: Bencher, d: usize) {
    let (x, y) = data(ROWS, d);
    let (t, mut g) = (theta(d), vec![0.0; d + 1]);
    let mut k = FusedKernel::with_capacity(d, true, ROWS);
    bencher
        .counter(BytesCount::new(ROWS * (d + 1) * 8))
        .bench_local(|| k.cost_and_grad_rows(&x, &y, black_box(&t), &mut g));
}

/// The same with f32 storage (half the bytes).
#[divan::bench(args = [2, 16], sample_count = 20)]
fn kernel_epoch_f32(bencher: Bencher, d: usize) {
    let (x, y) = data(ROWS, d);
    let (x, y): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    let (t, mut g) = (theta(d), vec![0.0; d + 1]);
    let mut k = FusedKernel::with_capacity(d, true, ROWS);
    bencher
        .counter(BytesCount::new(ROWS * (d + 1) * 4))
        .bench_local(|| k.cost_and_grad_rows(&x, &y, black_box(&t), &mut g));
}

/// The vectorized graph's epoch, for the ratio.
#[divan::bench(args = [2], sample_count = 10)]
fn graph_epoch(bencher: Bencher, d: usize) {
    let (x, y) = data(ROWS, d);
    let (t, mut g) = (theta(d), vec![0.0; d + 1]);
    let mut src = Vectorized::new(LinearModel::new(d, true), &[ROWS]).unwrap();
    bencher
        .counter(BytesCount::new(ROWS * (d + 1) * 8))
        .bench_local(|| src.cost_and_grad(Batch::new(&x, &y, d), black_box(&t), &mut g));
}

/// One mini-batch step of k rows, d = 2, through the `Gradient` trait as
/// the trainer calls it (data in cache).
#[divan::bench(args = [1, 2, 64])]
fn kernel_step(bencher: Bencher, k: usize) {
    let (x, y) = data(k, 2);
    let (t, mut g) = (theta(2), vec![0.0; 3]);
    let mut src: Box<dyn Gradient> = Box::new(FusedKernel::with_capacity(2, true, k));
    bencher
        .counter(ItemsCount::new(k))
        .bench_local(|| src.cost_and_grad(Batch::new(black_box(&x), &y, 2), black_box(&t), &mut g));
}

/// One row through the prebuilt scalar graph y = θ1·x + θ0.
#[divan::bench]
fn scalar_graph_step(bencher: Bencher) {
    let mut g = SampleGraph::new(&LinearModel::new(1, true)).unwrap();
    let theta = [0.1, 0.5];
    bencher.bench_local(|| g.step(black_box(&[2.0]), black_box(3.0), black_box(&theta)));
}

/// The threshold below which batches stay on the calling thread: the same
/// batch (d = 2) inline and through the pool. Where `pooled` starts to win
/// is `PARALLEL_MIN_ROWS`.
#[divan::bench_group(sample_count = 200)]
mod handoff {
    use super::*;

    const BLOCKS: [usize; 5] = [2, 3, 4, 6, 8];

    fn run(bencher: Bencher, blocks: usize, min_rows: usize) {
        let n = blocks * BLOCK_ROWS;
        let (x, y) = data(n, 2);
        let (t, mut g) = (theta(2), vec![0.0; 3]);
        let mut k = FusedKernel::with_capacity(2, true, n).with_parallel_min_rows(min_rows);
        bencher
            .counter(ItemsCount::new(n))
            .bench_local(|| k.cost_and_grad_rows(&x, &y, black_box(&t), &mut g));
    }

    #[divan::bench(args = BLOCKS)]
    fn inline(bencher: Bencher, blocks: usize) {
        run(bencher, blocks, usize::MAX);
    }

    #[divan::bench(args = BLOCKS)]
    fn pooled(bencher: Bencher, blocks: usize) {
        run(bencher, blocks, 0);
    }
}
