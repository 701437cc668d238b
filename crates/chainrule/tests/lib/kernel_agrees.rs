//! The fused kernel is a fast path, held to the general engine: the same
//! J and ∂J/∂θ as the vectorized graph on random data (every block shape,
//! n = 1, intercept only), the same bits on any number of threads, f32
//! storage within the error that rounding the inputs to f32 allows, and
//! training along the same trajectory as the graph.

use chainrule::kernel::{FusedKernel, BLOCK_ROWS};
use chainrule::model::vectorized::Vectorized;
use chainrule::model::{Batch, Engine, Gradient, LinearModel, Mode};
use chainrule::train::{train, LearningRate, Quiet, TrainConfig};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// x and θ uniform in [−3, 3) and [−2, 2), y = noise-free truth + uniform
/// noise, from one seed.
fn data(n: usize, d: usize, p: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-3.0..3.0)).collect();
    let y: Vec<f64> = (0..n).map(|_| rng.random_range(-5.0..5.0)).collect();
    let theta: Vec<f64> = (0..p).map(|_| rng.random_range(-2.0..2.0)).collect();
    (x, y, theta)
}

/// The scale a rounding error in each result is measured against: J is a
/// mean of squares (no cancellation), each ∂J/∂θk a mean of signed terms
/// −2·z2·a_k, whose rounding is bounded relative to (2/n)·Σ|z2·a_k|.
fn scales(model: &LinearModel, b: Batch<'_>, theta: &[f64]) -> (f64, Vec<f64>) {
    let n = b.len() as f64;
    let off = usize::from(model.intercept);
    let (mut j, mut g) = (0.0, vec![0.0; model.n_params()]);
    for i in 0..b.len() {
        let z2 = (b.y[i] - model.predict_row(theta, b.row(i))).abs();
        j += z2 * z2 / n;
        if model.intercept {
            g[0] += 2.0 * z2 / n;
        }
        for (k, x) in b.row(i).iter().enumerate() {
            g[off + k] += 2.0 * z2 * x.abs() / n;
        }
    }
    (j, g)
}

fn run(src: &mut dyn Gradient, b: Batch<'_>, theta: &[f64]) -> (f64, Vec<f64>) {
    let mut grad = vec![f64::NAN; theta.len()];
    let j = src.cost_and_grad(b, theta, &mut grad);
    (j, grad)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Law: kernel = vectorized graph to 1e-12 of each sum's magnitude.
    /// (The worst case of summation is n·ε relative to Σ|terms|; random
    /// rounding errors add like √n·ε ≈ 1e-14 at these n, far inside.)
    #[test]
    fn kernel_equals_the_vectorized_graph(
        d in prop_oneof![0usize..5, Just(7usize), Just(16usize)],
        intercept in any::<bool>(),
        n in prop_oneof![
            1usize..20,
            BLOCK_ROWS - 2..BLOCK_ROWS + 3,
            // several blocks, on the calling thread and through the pool
            3 * BLOCK_ROWS + 1..3 * BLOCK_ROWS + 9,
            5 * BLOCK_ROWS + 1..5 * BLOCK_ROWS + 9,
        ],
        seed in any::<u64>(),
    ) {
        prop_assume!(d > 0 || intercept);
        let model = LinearModel::new(d, intercept);
        let (x, y, theta) = data(n, d, model.n_params(), seed);
        let b = Batch::new(&x, &y, d);
        let (j_g, g_g) = run(&mut Vectorized::new(model, &[n]).unwrap(), b, &theta);
        let (j_k, g_k) = run(&mut FusedKernel::new(d, intercept), b, &theta);
        let (j_s, g_s) = scales(&model, b, &theta);
        prop_assert!((j_k - j_g).abs() <= 1e-12 * j_s, "J {j_k} vs graph {j_g}");
        for k in 0..model.n_params() {
            prop_assert!(
                (g_k[k] - g_g[k]).abs() <= 1e-12 * g_s[k],
                "∂J/∂θ[{k}] {} vs graph {}", g_k[k], g_g[k]
            );
        }
    }
}

#[test]
fn one_row_by_hand() {
    // y = θ0 + θ1·x at θ = (0.1, 0.5), x = 2, y = 3: z1 = 1.1, z2 = 1.9,
    // J = z2² = 3.61, ∂J/∂θ = −2·z2·(1, x) = (−3.8, −7.6).
    let mut k = FusedKernel::new(1, true);
    let mut g = [0.0; 2];
    let j = k.cost_and_grad_rows(&[2.0], &[3.0], &[0.1, 0.5], &mut g);
    assert!((j - 3.61).abs() < 1e-15);
    assert!((g[0] + 3.8).abs() < 1e-15 && (g[1] + 7.6).abs() < 1e-15);
}

#[test]
fn intercept_only_is_the_mean() {
    // d = 0: z1 = θ0, so ∂J/∂θ0 = −2·(ȳ − θ0). y = 1, 2, 3, 6 (ȳ = 3),
    // θ0 = 1: ∂J/∂θ0 = −4, J = (0 + 1 + 4 + 25)/4 = 7.5.
    let mut k = FusedKernel::new(0, true);
    let mut g = [0.0];
    let j = k.cost_and_grad_rows::<f64>(&[], &[1.0, 2.0, 3.0, 6.0], &[1.0], &mut g);
    assert_eq!((j, g[0]), (7.5, -4.0));
}

/// J and ∂J/∂θ as bits, on a pool of `threads`.
fn bits_on(threads: usize, k: &mut FusedKernel, x: &[f64], y: &[f64], t: &[f64]) -> Vec<u64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut g = vec![0.0; t.len()];
    let j = pool.install(|| k.cost_and_grad_rows(x, y, t, &mut g));
    std::iter::once(j).chain(g).map(f64::to_bits).collect()
}

#[test]
fn the_same_bits_on_any_number_of_threads() {
    // Blocks are fixed by n and added in block order, so neither the pool
    // size nor running inline may change a single bit.
    for d in [0, 1, 2, 3, 7] {
        for n in [5 * BLOCK_ROWS + 7, 100_003] {
            let (x, y, theta) = data(n, d, d + 1, 42 + d as u64);
            let mut pooled = FusedKernel::new(d, true).with_parallel_min_rows(0);
            let one = bits_on(1, &mut pooled, &x, &y, &theta);
            for threads in [2, 3] {
                assert_eq!(
                    one,
                    bits_on(threads, &mut pooled, &x, &y, &theta),
                    "d {d} n {n}"
                );
            }
            let mut inline = FusedKernel::new(d, true).with_parallel_min_rows(usize::MAX);
            assert_eq!(
                one,
                bits_on(3, &mut inline, &x, &y, &theta),
                "inline, d {d}"
            );
        }
    }
}

#[test]
fn f32_storage_is_f64_arithmetic_on_the_rounded_inputs() {
    // f32 → f64 is exact, and every sum is f64: f32 storage must give the
    // bits of the f64 kernel run on the same rounded values.
    let (n, d) = (3 * BLOCK_ROWS + 11, 3);
    let (x, y, theta) = data(n, d, d + 1, 7);
    let (x32, y32): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    let widen = |v: &[f32]| v.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
    let mut k = FusedKernel::new(d, true);
    let (mut g32, mut g64) = (vec![0.0; d + 1], vec![0.0; d + 1]);
    let j32 = k.cost_and_grad_rows(&x32, &y32, &theta, &mut g32);
    let j64 = k.cost_and_grad_rows(&widen(&x32), &widen(&y32), &theta, &mut g64);
    assert_eq!((j32.to_bits(), g32), (j64.to_bits(), g64));
}

#[test]
fn f32_storage_agrees_with_f64_to_the_rounding_of_the_inputs() {
    // Rounding to f32 moves each input by at most u = 2^-24 of itself:
    // x̃ = x(1 + δ), ỹ = y(1 + η), |δ|, |η| ≤ u. Then per row
    //   |z̃2 − z2| ≤ u·a,  a = |y| + Σj |θj·xj|,
    //   |z̃2² − z2²| = |z̃2 − z2|·|z̃2 + z2| ≤ u·a·(2|z2| + u·a),
    //   |z̃2·x̃j − z2·xj| ≤ |z̃2 − z2|·|x̃j| + |z2|·|x̃j − xj|
    //                   ≤ u·a·|xj|(1 + u) + u·|z2|·|xj|,
    // and J, ∂J/∂θ are (1/n)·Σ and −(2/n)·Σ of these. The f64 rounding of
    // both runs adds 1e-12 of each sum's magnitude (the test above).
    let u = f64::powi(2.0, -24);
    let (n, d) = (2 * BLOCK_ROWS + 5, 2);
    let (x, y, theta) = data(n, d, d + 1, 11);
    let (x32, y32): (Vec<f32>, Vec<f32>) = (
        x.iter().map(|&v| v as f32).collect(),
        y.iter().map(|&v| v as f32).collect(),
    );
    let mut k = FusedKernel::new(d, true);
    let (mut g32, mut g64) = (vec![0.0; d + 1], vec![0.0; d + 1]);
    let j32 = k.cost_and_grad_rows(&x32, &y32, &theta, &mut g32);
    let j64 = k.cost_and_grad_rows(&x, &y, &theta, &mut g64);

    let model = LinearModel::new(d, true);
    let b = Batch::new(&x, &y, d);
    let nf = n as f64;
    let (mut bj, mut bg) = (0.0, vec![0.0; d + 1]);
    for (i, yi) in y.iter().enumerate() {
        let row = b.row(i);
        let z2 = (yi - model.predict_row(&theta, row)).abs();
        let a = yi.abs()
            + row
                .iter()
                .zip(&theta[1..])
                .map(|(x, t)| (x * t).abs())
                .sum::<f64>();
        bj += u * a * (2.0 * z2 + u * a) / nf;
        bg[0] += 2.0 * u * a / nf;
        for (j, xj) in row.iter().enumerate() {
            bg[1 + j] += 2.0 * (u * a * xj.abs() * (1.0 + u) + u * z2 * xj.abs()) / nf;
        }
    }
    let (sj, sg) = scales(&model, b, &theta);
    assert!(
        (j32 - j64).abs() <= bj + 1e-12 * sj,
        "J {j32} vs {j64}, bound {bj}"
    );
    for k in 0..=d {
        let diff = (g32[k] - g64[k]).abs();
        assert!(
            diff <= bg[k] + 1e-12 * sg[k],
            "∂J/∂θ[{k}] off by {diff}, bound {}",
            bg[k]
        );
        // The bound is not vacuous: it is a small fraction of the gradient.
        assert!(bg[k] < 1e-5 * sg[k]);
    }
}

#[test]
fn training_on_the_kernel_walks_the_graph_trajectory() {
    // Same seed ⇒ same shuffles; the two engines differ only in rounding,
    // which stable descent does not amplify.
    let (n, d) = (1000, 3);
    let (x, y, _) = data(n, d, 0, 3);
    let data = Batch::new(&x, &y, d);
    for (batch, intercept) in [
        (None, true),
        (Some(64), true),
        (Some(2), false),
        (Some(7), true),
    ] {
        let model = LinearModel::new(d, intercept);
        let fit = |engine| {
            let cfg = TrainConfig {
                mode: Mode::Vectorized,
                lr: LearningRate::Fixed(0.02),
                epochs: 30,
                batch_size: batch,
                seed: 5,
                engine: Some(engine),
                ..TrainConfig::plain()
            };
            train(data, model, &cfg, None, &mut Quiet).unwrap()
        };
        let (kernel, graph) = (fit(Engine::Kernel), fit(Engine::Graph));
        assert_eq!(kernel.steps, graph.steps);
        for (a, b) in kernel.epoch_j.iter().zip(&graph.epoch_j) {
            assert!((a - b).abs() <= 1e-12 * a.abs(), "J {a} vs {b}");
        }
        for (ta, tb) in kernel.theta_path.iter().zip(&graph.theta_path) {
            for (a, b) in ta.iter().zip(tb) {
                assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "θ {a} vs {b}");
            }
        }
    }
}

#[test]
fn the_kernel_is_for_the_vectorized_mode_only() {
    for mode in [Mode::Sample, Mode::Unrolled] {
        let cfg = TrainConfig {
            mode,
            engine: Some(Engine::Kernel),
            ..TrainConfig::plain()
        };
        let e = cfg.resolved_engine().unwrap_err();
        assert!(
            e.contains("Use mode vectorized") && !e.contains("--"),
            "{e}"
        );
        assert_eq!(
            TrainConfig {
                mode,
                ..TrainConfig::plain()
            }
            .resolved_engine(),
            Ok(Engine::Graph)
        );
    }
    assert_eq!(TrainConfig::default().resolved_engine(), Ok(Engine::Kernel));
}

#[test]
fn model_files_without_an_engine_still_load() {
    // The settings object as written before the engine existed.
    let old = r#"{"mode":"vectorized","lr":"auto","epochs":10,"batch_size":null,
        "shuffle":null,"seed":0,"tol":null,"standardize":false}"#;
    let cfg: TrainConfig = serde_json::from_str(old).unwrap();
    assert_eq!(cfg.engine, None);
    assert_eq!(cfg.resolved_engine(), Ok(Engine::Kernel));
}
