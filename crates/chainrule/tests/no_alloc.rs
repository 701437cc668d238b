//! A prebuilt graph steps without touching the allocator: forward and
//! backward only read and write the buffers made at build time. Counted with
//! a global allocator that tallies each thread's allocations.

use chainrule::model::sample::SampleGraph;
use chainrule::model::vectorized::Vectorized;
use chainrule::model::{Batch, Gradient, LinearModel};
use std::alloc::{GlobalAlloc, Layout, System};

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        THIS_THREAD.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

thread_local! {
    /// Allocations made by this thread: the test harness and the other
    /// tests allocate on their own threads at any moment.
    static THIS_THREAD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Allocations made so far by the calling thread.
fn allocations() -> usize {
    THIS_THREAD.with(|c| c.get())
}

#[test]
fn steps_allocate_nothing() {
    // y = θ1·x + θ0, one sample: the graph of the engine benchmark.
    let model = LinearModel::new(1, true);
    let mut sample = SampleGraph::new(&model).unwrap();
    let (x, y) = (vec![2.0; 64], vec![3.0; 64]);
    let mut vectorized = Vectorized::new(model, &[64]).unwrap();
    let mut grad = vec![0.0; 2];
    let theta = [0.1, 0.5];
    // Warm up once, then count.
    sample.step(&[2.0], 3.0, &theta);
    vectorized.cost_and_grad(Batch::new(&x, &y, 1), &theta, &mut grad);
    let before = allocations();
    for _ in 0..1000 {
        sample.step(&[2.0], 3.0, &theta);
        vectorized.cost_and_grad(Batch::new(&x, &y, 1), &theta, &mut grad);
    }
    let after = allocations();
    assert_eq!(after - before, 0, "allocations during 1000 steps");
    // And the numbers are the derivation's: z1 = 0.1 + 0.5·2 = 1.1,
    // z2 = 1.9, ∂L/∂θ0 = −2·z2 = −3.8 (the same for every row of the batch).
    assert!((grad[0] - (-3.8)).abs() < 1e-12);
}

#[test]
fn kernel_steps_allocate_nothing() {
    // The fused kernel keeps its block buffer: after `with_capacity(rows)`,
    // batches up to that many rows — mini-batches, and full batches below
    // the thread threshold, which run on the calling thread — allocate
    // nothing. (Through the pool, rayon's job queues may allocate; that is
    // per epoch, not per step.)
    use chainrule::kernel::{FusedKernel, PARALLEL_MIN_ROWS};
    let rows = PARALLEL_MIN_ROWS - 1;
    let (x, y) = (vec![2.0; rows * 2], vec![3.0; rows]);
    let mut kernel = FusedKernel::with_capacity(2, true, rows);
    let mut grad = vec![0.0; 3];
    let theta = [0.1, 0.5, 0.0];
    let before = allocations();
    for k in [1, 2, 64, rows] {
        for _ in 0..100 {
            kernel.cost_and_grad(Batch::new(&x[..2 * k], &y[..k], 2), &theta, &mut grad);
        }
    }
    let after = allocations();
    assert_eq!(after - before, 0, "allocations during kernel steps");
    // z1 = 0.1 + 0.5·2 + 0·2 = 1.1, z2 = 1.9 on every row: ∂J/∂θ0 = −3.8.
    assert!((grad[0] - (-3.8)).abs() < 1e-12);
}
