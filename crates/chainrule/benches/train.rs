//! End-to-end training speed: 1,000,000 rows × 3 features, vectorized
//! graph, ten epochs full batch and ten epochs of 64-row mini-batches (so
//! the one-time graph build is amortized; rows/s counts every epoch), beside
//! a plain read (sum) of the same data in the same run.
//!
//! cargo bench --bench train

use chainrule::model::{Batch, LinearModel, Mode};
use chainrule::train::{train, LearningRate, Quiet, TrainConfig};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

const ROWS: usize = 1_000_000;
const D: usize = 3;
const EPOCHS: usize = 10;

fn data() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..ROWS * D).map(|i| (i % 97) as f64 * 0.01).collect();
    let y: Vec<f64> = (0..ROWS).map(|i| (i % 89) as f64 * 0.1).collect();
    (x, y)
}

/// Baseline: one pass summing X and y (32 MB).
#[divan::bench(sample_count = 10)]
fn plain_read(bencher: Bencher) {
    let (x, y) = data();
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| black_box(&x).iter().sum::<f64>() + black_box(&y).iter().sum::<f64>());
}

fn one_epoch(bencher: Bencher, batch_size: Option<usize>) {
    let (x, y) = data();
    let cfg = TrainConfig {
        mode: Mode::Vectorized,
        lr: LearningRate::Fixed(1e-3),
        epochs: EPOCHS,
        batch_size,
        shuffle: Some(false),
        ..TrainConfig::plain()
    };
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS * EPOCHS))
        .bench_local(|| {
            let data = Batch::new(&x, &y, D);
            train(data, LinearModel::new(D, true), &cfg, None, &mut Quiet).unwrap()
        });
}

/// Full-batch epochs (one step each) through the vectorized graph.
#[divan::bench(sample_count = 10)]
fn epoch_full_batch(bencher: Bencher) {
    one_epoch(bencher, None);
}

/// Epochs of 64-row mini-batches (15,625 steps each).
#[divan::bench(sample_count = 10)]
fn epoch_batch_64(bencher: Bencher) {
    one_epoch(bencher, Some(64));
}
