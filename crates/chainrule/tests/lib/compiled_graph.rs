//! The compiled graph is a fast path held to the node-by-node engine: the
//! same J and gradients to the bit on the vectorized lesson (every block
//! shape, with and without θ0, d from 0 to 16), on graphs of other
//! row-wise ops, and on any number of threads; graphs it cannot run in
//! blocks are refused with the node at fault.

use chainrule::graph::sum::BLOCK_ROWS;
use chainrule::graph::{Compiled, Graph, NodeId, Shape};
use chainrule::model::vectorized::VectorizedGraph;
use chainrule::model::{Batch, LinearModel};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Uniform data in [−3, 3), one seed: random values make every rounding
/// (and so every summation order) visible in the bits.
fn uniform(len: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..len).map(|_| rng.random_range(-3.0..3.0)).collect()
}

/// J, ∂J/∂θ0 and ∂J/∂θ of the lesson graph, as bits.
fn lesson_bits(g: &VectorizedGraph) -> Vec<u64> {
    let p = usize::from(g.theta0.is_some()) + g.graph.shape(g.w).len();
    let mut grad = vec![f64::NAN; p];
    g.write_grad(&mut grad);
    std::iter::once(g.graph.value(g.j)[0])
        .chain(grad)
        .map(f64::to_bits)
        .collect()
}

fn lesson(n: usize, d: usize, intercept: bool, seed: u64) -> (Vec<u64>, Vec<u64>) {
    let model = LinearModel::new(d, intercept);
    let (x, y) = (uniform(n * d, seed), uniform(n, seed ^ 1));
    let theta = uniform(model.n_params(), seed ^ 2);
    let b = Batch::new(&x, &y, d);
    let mut g = VectorizedGraph::new(&model, n).unwrap();
    g.step(b, &theta);
    let unfused = lesson_bits(&g);
    // A fresh graph, so nothing the unfused run wrote is read back.
    let mut c = VectorizedGraph::new(&model, n).unwrap();
    c.step_compiled(b, &theta);
    (unfused, lesson_bits(&c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Law: compiled = node by node, bit for bit.
    #[test]
    fn the_lesson_compiled_has_the_unfused_bits(
        d in prop_oneof![0usize..5, Just(7usize), Just(16usize)],
        intercept in any::<bool>(),
        n in prop_oneof![
            1usize..20,
            500usize..530,
            BLOCK_ROWS - 2..BLOCK_ROWS + 3,
            // several blocks: inline, and through the pool
            2 * BLOCK_ROWS + 1..2 * BLOCK_ROWS + 9,
            5 * BLOCK_ROWS + 1..5 * BLOCK_ROWS + 9,
        ],
        seed in any::<u64>(),
    ) {
        prop_assume!(d > 0 || intercept);
        let (unfused, compiled) = lesson(n, d, intercept, seed);
        prop_assert_eq!(unfused, compiled);
    }
}

#[test]
fn the_same_bits_on_any_number_of_threads() {
    // Blocks are fixed by n and their sums added in block order.
    let (n, d) = (6 * BLOCK_ROWS + 5, 2);
    let model = LinearModel::new(d, true);
    let (x, y) = (uniform(n * d, 9), uniform(n, 10));
    let theta = [0.3, -1.2, 2.5];
    let on = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut g = VectorizedGraph::new(&model, n).unwrap();
        pool.install(|| g.step_compiled(Batch::new(&x, &y, d), &theta));
        lesson_bits(&g)
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert_eq!(one, on(3));
}

/// A graph over `n` rows that is not the lesson: a tanh unit and an
/// exponential, the row vector u read twice, params broadcast as scalars
/// and a weight vector through matvec; root = sum.
///   h = tanh(X·w + b),  u = h·c − Y,  r = exp(u·a) + u·u,  S = Σ r
fn other(n: usize) -> (Graph, Vec<NodeId>, NodeId, NodeId, NodeId) {
    let mut g = Graph::new();
    let x = g.input("X", Shape::Matrix(n, 3)).unwrap();
    let y = g.input("Y", Shape::Vector(n)).unwrap();
    g.set(x, &uniform(n * 3, 4)).unwrap();
    g.set(y, &uniform(n, 5)).unwrap();
    let w = g.param("w", Shape::Vector(3), &[0.4, -0.2, 0.1]).unwrap();
    let b = g.param("b", Shape::Scalar, &[0.05]).unwrap();
    let c = g.param("c", Shape::Scalar, &[1.3]).unwrap();
    let a = g.param("a", Shape::Scalar, &[-0.25]).unwrap();
    let xw = g.matvec(x, w).unwrap();
    let z = g.add(xw, b).unwrap();
    let h = g.tanh(z).unwrap();
    let hc = g.mul(h, c).unwrap();
    let u = g.sub(hc, y).unwrap();
    let ua = g.mul(u, a).unwrap();
    let e = g.exp(ua).unwrap();
    let uu = g.mul(u, u).unwrap();
    let r = g.add(e, uu).unwrap();
    let s = g.sum(r).unwrap();
    (g, vec![w, b, c, a], s, x, y)
}

fn bits(g: &Graph, params: &[NodeId], root: NodeId) -> Vec<u64> {
    let mut v = vec![g.value(root)[0]];
    for &p in params {
        v.extend(g.grad(p).unwrap());
    }
    v.into_iter().map(f64::to_bits).collect()
}

#[test]
fn other_row_wise_graphs_compile_to_the_same_bits() {
    for n in [1, 7, 9, 513, BLOCK_ROWS + 1, 4 * BLOCK_ROWS + 3] {
        let (mut g, params, s, x, y) = other(n);
        g.forward();
        g.backward(s).unwrap();
        let unfused = bits(&g, &params, s);
        let (mut h, params, s, _, _) = other(n);
        let mut plan = Compiled::new(&h, s, n).unwrap();
        plan.run(&mut h, &[]).unwrap();
        assert_eq!(unfused, bits(&h, &params, s), "n {n}");
        // Fed in place of the graph's own values: the same data, the same bits.
        let (xv, yv) = (g.value(x).to_vec(), g.value(y).to_vec());
        let (mut h, params, s, x2, y2) = other(n);
        h.set(x2, &vec![0.0; n * 3]).unwrap();
        let mut plan = Compiled::new(&h, s, n).unwrap();
        plan.run(&mut h, &[(x2, &xv), (y2, &yv)]).unwrap();
        assert_eq!(unfused, bits(&h, &params, s), "fed, n {n}");
    }
}

#[test]
fn graphs_that_cannot_run_in_blocks_are_refused_by_name() {
    let n = 16;
    let mut g = Graph::new();
    let y = g.input("Y", Shape::Vector(n)).unwrap();
    let b = g.param("b", Shape::Scalar, &[1.0]).unwrap();
    let m = g.mean(y).unwrap();
    g.set_name(m, "ȳ");
    // Centering reads a sum over rows inside the pass: two passes, not one.
    let c = g.sub(y, m).unwrap();
    let cb = g.mul(c, b).unwrap();
    let s = g.sum(cb).unwrap();
    let e = Compiled::new(&g, s, n).unwrap_err();
    assert!(e.0.contains("ȳ"), "{e}");
    // A root that is not a sum over rows.
    let mut g = Graph::new();
    let y = g.input("Y", Shape::Vector(n)).unwrap();
    let w = g.param("w", Shape::Vector(n), &[0.5; 16]).unwrap();
    let d = g.dot(y, w).unwrap();
    let e = Compiled::new(&g, d, n).unwrap_err();
    assert!(e.0.contains("dot"), "{e}");
}
