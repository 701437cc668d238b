//! The heart of the project: the same batch at the same θ gives the same J
//! and ∂J/∂θ in all three modes, and all equal the closed-form gradient
//! ∂J/∂θ = −(2/n)·[1 | X]ᵀ(y − z1) written out by hand below.

use chainrule::model::{gradient_source, Batch, LinearModel, Mode};
use proptest::prelude::*;

/// The textbook gradient, summed directly (an independent implementation).
fn by_hand(model: &LinearModel, batch: Batch<'_>, theta: &[f64]) -> (f64, Vec<f64>) {
    let n = batch.len() as f64;
    let mut j = 0.0;
    let mut grad = vec![0.0; model.n_params()];
    for i in 0..batch.len() {
        let row = batch.row(i);
        let z2 = batch.y[i] - model.predict_row(theta, row);
        j += z2 * z2 / n;
        let off = usize::from(model.intercept);
        if model.intercept {
            grad[0] += -2.0 * z2 / n;
        }
        for (k, &x) in row.iter().enumerate() {
            grad[off + k] += -2.0 * z2 * x / n;
        }
    }
    (j, grad)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300) || (a - b).abs() <= 1e-14
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn three_modes_one_gradient(
        d in 0usize..5, intercept in any::<bool>(), n in 1usize..9,
        raw in prop::collection::vec(-3.0f64..3.0, 64),
    ) {
        prop_assume!(d > 0 || intercept);
        let model = LinearModel::new(d, intercept);
        let mut it = raw.iter().cycle();
        let x: Vec<f64> = (0..n * d).map(|_| *it.next().unwrap()).collect();
        let y: Vec<f64> = (0..n).map(|_| *it.next().unwrap()).collect();
        let theta: Vec<f64> = (0..model.n_params()).map(|_| *it.next().unwrap()).collect();
        let batch = Batch::new(&x, &y, d);
        let (j_ref, g_ref) = by_hand(&model, batch, &theta);
        for mode in Mode::ALL {
            let mut src = gradient_source(mode, model, &[n]).unwrap();
            let mut grad = vec![f64::NAN; model.n_params()];
            let j = src.cost_and_grad(batch, &theta, &mut grad);
            prop_assert!(close(j, j_ref, 1e-12), "{mode}: J {j} vs {j_ref}");
            for (k, (&g, &r)) in grad.iter().zip(&g_ref).enumerate() {
                prop_assert!(close(g, r, 1e-12), "{mode}: ∂J/∂θ[{k}] {g} vs {r}");
            }
        }
    }
}

#[test]
fn derivation_two_samples_in_every_mode() {
    // θ = 0.5, x = (1, 2), y = (2, 4), no intercept: J = 5.625, ∂J/∂θ = −7.5
    // (hand derivation in tests/graph_derivation.rs).
    let model = LinearModel::new(1, false);
    let (x, y) = ([1.0, 2.0], [2.0, 4.0]);
    for mode in Mode::ALL {
        let mut src = gradient_source(mode, model, &[2]).unwrap();
        let mut grad = [0.0];
        let j = src.cost_and_grad(Batch::new(&x, &y, 1), &[0.5], &mut grad);
        assert_eq!((j, grad[0]), (5.625, -7.5), "{mode}");
    }
}
