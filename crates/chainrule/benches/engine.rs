//! The engine's speed: one prebuilt one-sample graph step, and one
//! vectorized-graph epoch over 1,000,000 rows × 2 features — node by node
//! and compiled into one blocked pass — beside the fused kernel's epoch and
//! a plain sum over the same matrix (the baselines of the same run).
//!
//! cargo bench --bench engine
//! (`chainrule bench` gives the same epochs at 10^7 rows as ratios.)

use chainrule::kernel::FusedKernel;
use chainrule::model::sample::SampleGraph;
use chainrule::model::vectorized::{Vectorized, VectorizedGraph};
use chainrule::model::{Batch, Gradient, LinearModel};
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// Forward + backward of y = θ1·x + θ0 for one sample, graph built once.
/// 1000 steps an iteration (the time shown is for 1000; the counter gives
/// steps/s): one step is a few timer ticks, and divan's own work per
/// iteration is of its order.
#[divan::bench(sample_count = 100)]
fn sample_step_line(bencher: Bencher) {
    let mut g = SampleGraph::new(&LinearModel::new(1, true)).unwrap();
    let theta = [0.1, 0.5];
    bencher
        .counter(divan::counter::ItemsCount::new(1000usize))
        .bench_local(|| {
            for _ in 0..1000 {
                g.step(black_box(&[2.0]), black_box(3.0), black_box(&theta));
            }
        });
}

const ROWS: usize = 1_000_000;

fn data() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..ROWS * 2).map(|i| (i % 97) as f64 * 0.01).collect();
    let y: Vec<f64> = (0..ROWS).map(|i| (i % 89) as f64 * 0.1).collect();
    (x, y)
}

/// Baseline: one pass summing X and y (24 MB), what memory allows.
#[divan::bench(sample_count = 20)]
fn plain_sum_1m_by_2(bencher: Bencher) {
    let (x, y) = data();
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| black_box(&x).iter().sum::<f64>() + black_box(&y).iter().sum::<f64>());
}

/// Baseline: the fused kernel's full-batch J and ∂J/∂θ.
#[divan::bench(sample_count = 20)]
fn kernel_1m_by_2(bencher: Bencher) {
    let (x, y) = data();
    let mut k = FusedKernel::with_capacity(2, true, ROWS);
    let mut grad = vec![0.0; 3];
    let theta = [0.1, 0.2, 0.3];
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| k.cost_and_grad_rows(&x, &y, black_box(&theta), &mut grad));
}

/// Full-batch J and ∂J/∂θ through the vectorized graph node by node.
#[divan::bench(sample_count = 20)]
fn vectorized_graph_unfused_1m_by_2(bencher: Bencher) {
    let (x, y) = data();
    let mut g = VectorizedGraph::new(&LinearModel::new(2, true), ROWS).unwrap();
    let theta = [0.1, 0.2, 0.3];
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| g.step(Batch::new(&x, &y, 2), black_box(&theta)));
}

/// Full-batch J and ∂J/∂θ through the vectorized graph (compiled: what
/// training runs).
#[divan::bench(sample_count = 20)]
fn vectorized_graph_1m_by_2(bencher: Bencher) {
    let (x, y) = data();
    let mut src = Vectorized::new(LinearModel::new(2, true), &[ROWS]).unwrap();
    let mut grad = vec![0.0; 3];
    let theta = [0.1, 0.2, 0.3];
    bencher
        .counter(divan::counter::ItemsCount::new(ROWS))
        .bench_local(|| src.cost_and_grad(Batch::new(&x, &y, 2), black_box(&theta), &mut grad));
}
