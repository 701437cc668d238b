//! Laws that tie data, training and the gradient together:
//!
//! - y·c ⇒ θ·c: J(θ; X, cy) = c²·J(θ/c; X, y), so descent from 0 with the
//!   same learning rate (`--lr auto` looks only at X) walks c times the path.
//! - xj·c ⇒ θj/c (θ0 and the other θk unchanged): standardized training
//!   sees the same standardized column, and the closed form's minimizer
//!   moves the same way.
//! - Permuting rows permutes the terms of the full-batch mean ∂J/∂θ =
//!   (1/n)·Σ ∂L(i)/∂θ; a sum of n terms in another order differs by at most
//!   about 2(n−1)·ε·Σ|terms| (Higham, Accuracy and Stability of Numerical
//!   Algorithms, §4.2), which bounds the change.

use chainrule::data::Design;
use chainrule::model::{gradient_source, Batch, LinearModel, Mode};
use chainrule::solve::least_squares;
use chainrule::train::{train, LearningRate, Quiet, TrainConfig};
use proptest::prelude::*;

fn fit(x: &[f64], y: &[f64], d: usize, standardize: bool) -> Vec<f64> {
    let cfg = TrainConfig {
        mode: Mode::Vectorized,
        lr: LearningRate::Auto,
        epochs: 300,
        standardize,
        ..TrainConfig::plain()
    };
    let model = LinearModel::new(d, true);
    train(Batch::new(x, y, d), model, &cfg, None, &mut Quiet)
        .unwrap()
        .theta
}

fn close(a: &[f64], b: &[f64], rel: f64) -> bool {
    let scale = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .all(|(u, v)| (u - v).abs() <= rel * scale.max(1e-300))
}

/// n rows of d features in [-3, 3] and y = 1 + Σ (j+1)·xj + noise.
fn data(n: usize, d: usize, raw: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = raw.iter().take(n * d).copied().collect();
    let y = (0..n)
        .map(|i| {
            let row = &x[i * d..(i + 1) * d];
            let signal: f64 = row
                .iter()
                .enumerate()
                .map(|(j, v)| (j + 1) as f64 * v)
                .sum();
            1.0 + signal + 0.1 * raw[(n * d + i) % raw.len()]
        })
        .collect();
    (x, y)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Law: training on y·c gives θ·c (same steps, each scaled by c); the
    /// only difference is rounding, a few ulps per step.
    #[test]
    fn scaling_y_scales_theta(
        n in 4usize..40, d in 1usize..4, log_c in -6.0f64..6.0, standardize in any::<bool>(),
        raw in prop::collection::vec(-3.0f64..3.0, 200),
    ) {
        let c = 10f64.powf(log_c);
        let (x, y) = data(n, d, &raw);
        let yc: Vec<f64> = y.iter().map(|v| v * c).collect();
        let theta = fit(&x, &y, d, standardize);
        let scaled: Vec<f64> = theta.iter().map(|t| t * c).collect();
        let theta_c = fit(&x, &yc, d, standardize);
        prop_assert!(close(&theta_c, &scaled, 1e-10), "{:?} vs {:?}", theta_c, scaled);
    }

    /// Law: multiplying feature j by c divides θj by c and leaves the rest.
    /// Standardized training sees the same column up to rounding; the
    /// closed form (QR) is the independent referee of the same law.
    #[test]
    fn scaling_a_feature_divides_its_theta(
        n in 6usize..40, d in 1usize..4, log_c in -4.0f64..4.0, pick in 0usize..3,
        raw in prop::collection::vec(-3.0f64..3.0, 200),
    ) {
        let (j, c) = (pick % d, 10f64.powf(log_c));
        let (x, y) = data(n, d, &raw);
        let mut xc = x.clone();
        (0..n).for_each(|i| xc[i * d + j] *= c);
        let mut expected = fit(&x, &y, d, true);
        expected[1 + j] /= c;
        let got = fit(&xc, &y, d, true);
        // Compare θj·c with θj, so that a large or small c does not hide
        // or inflate the error.
        let unscale = |t: &[f64]| -> Vec<f64> {
            let mut t = t.to_vec();
            t[1 + j] *= c;
            t
        };
        prop_assert!(close(&unscale(&got), &unscale(&expected), 1e-8),
            "{:?} vs {:?}", got, expected);

        let design = |x: Vec<f64>| Design {
            response: "y".into(),
            names: (0..d).map(|k| format!("x{k}")).collect(),
            intercept: true,
            n,
            d,
            x,
            y: y.clone(),
        };
        let s = least_squares(&design(x)).unwrap();
        let sc = least_squares(&design(xc)).unwrap();
        prop_assume!(s.rank == s.p);
        let mut expected = s.theta.clone();
        expected[1 + j] /= c;
        prop_assert!(close(&unscale(&sc.theta), &unscale(&expected), 1e-9),
            "{:?} vs {:?}", sc.theta, expected);
    }

    /// Law: the full-batch gradient is a mean over rows, so permuting rows
    /// changes it by rounding only: |Δgk| ≤ 2n·ε·(1/n)·Σi |∂L(i)/∂θk|.
    #[test]
    fn permuting_rows_keeps_the_full_batch_gradient(
        n in 1usize..64, d in 1usize..4, intercept in any::<bool>(),
        theta in prop::collection::vec(-5.0f64..5.0, 4),
        raw in prop::collection::vec(-1e3f64..1e3, 300),
        perm_seed in any::<u64>(),
    ) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let (x, y) = data(n, d, &raw);
        let model = LinearModel::new(d, intercept);
        let theta = &theta[..model.n_params()];
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(perm_seed));
        let px: Vec<f64> = order.iter().flat_map(|&i| x[i * d..(i + 1) * d].to_vec()).collect();
        let py: Vec<f64> = order.iter().map(|&i| y[i]).collect();

        // Σi |∂L(i)/∂θk| / n, with ∂L(i)/∂θk = −2·z2(i)·a(i)k (a = [1 | x]).
        let mut magnitude = vec![0.0; model.n_params()];
        for i in 0..n {
            let row = &x[i * d..(i + 1) * d];
            let z2 = y[i] - model.predict_row(theta, row);
            let a = intercept.then_some(1.0).into_iter().chain(row.iter().copied());
            magnitude.iter_mut().zip(a).for_each(|(m, a)| *m += (2.0 * z2 * a).abs() / n as f64);
        }
        for mode in [Mode::Vectorized, Mode::Unrolled, Mode::Sample] {
            let mut source = gradient_source(mode, model, &[n]).unwrap();
            let (mut g, mut pg) = (vec![0.0; model.n_params()], vec![0.0; model.n_params()]);
            let j = source.cost_and_grad(Batch::new(&x, &y, d), theta, &mut g);
            let pj = source.cost_and_grad(Batch::new(&px, &py, d), theta, &mut pg);
            let eps = f64::EPSILON;
            prop_assert!((j - pj).abs() <= 2.0 * n as f64 * eps * j.abs() + 1e-300, "{mode}: J");
            for k in 0..g.len() {
                let bound = 2.0 * n as f64 * eps * magnitude[k];
                prop_assert!((g[k] - pg[k]).abs() <= bound,
                    "{mode}: ∂J/∂θ{k}: {} vs {} (bound {bound:e})", g[k], pg[k]);
            }
        }
    }
}
