//! The training loop: the three modes walk the same trajectory, descent
//! reaches the least-squares answer, and a too-large step is caught.

use chainrule::model::{Batch, LinearModel, Mode};
use chainrule::train::{train, LearningRate, Quiet, StopReason, TrainConfig, TrainError};

/// y = 1 + 2·x1 − 3·x2 exactly, at 12 points on a small grid (so the
/// least-squares answer is θ = (1, 2, −3) with J = 0).
fn plane() -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..12 {
        let (x1, x2) = ((i % 4) as f64 * 0.5, (i / 4) as f64 * 0.7 - 0.3);
        x.extend([x1, x2]);
        y.push(1.0 + 2.0 * x1 - 3.0 * x2);
    }
    (x, y)
}

fn cfg(mode: Mode, batch: usize, epochs: usize) -> TrainConfig {
    TrainConfig {
        mode,
        lr: LearningRate::Fixed(0.05),
        epochs,
        batch_size: Some(batch),
        shuffle: Some(true),
        seed: 7,
        ..TrainConfig::plain()
    }
}

#[test]
fn modes_walk_the_same_trajectory() {
    let (x, y) = plane();
    let data = Batch::new(&x, &y, 2);
    let model = LinearModel::new(2, true);
    // Batch 1: all three modes; batch 3: unrolled and vectorized. Same seed
    // ⇒ same shuffles ⇒ the same θ after every epoch, to rounding.
    for (batch, modes) in [
        (1, &[Mode::Sample, Mode::Unrolled, Mode::Vectorized][..]),
        (3, &[Mode::Unrolled, Mode::Vectorized][..]),
    ] {
        let fits: Vec<_> = modes
            .iter()
            .map(|&m| train(data, model, &cfg(m, batch, 5), None, &mut Quiet).unwrap())
            .collect();
        for f in &fits[1..] {
            for (path_a, path_b) in fits[0].theta_path.iter().zip(&f.theta_path) {
                for (a, b) in path_a.iter().zip(path_b) {
                    assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
                }
            }
        }
    }
}

#[test]
fn full_batch_descent_reaches_the_exact_fit() {
    let (x, y) = plane();
    let data = Batch::new(&x, &y, 2);
    let c = TrainConfig {
        lr: LearningRate::Auto,
        epochs: 20_000,
        tol: Some(0.0),
        ..TrainConfig::plain()
    };
    let fit = train(data, LinearModel::new(2, true), &c, None, &mut Quiet).unwrap();
    // The data are exactly y = 1 + 2·x1 − 3·x2 (see `plane`).
    for (t, truth) in fit.theta.iter().zip([1.0, 2.0, -3.0]) {
        assert!((t - truth).abs() < 1e-9, "{:?}", fit.theta);
    }
    // lr = 1/λmax ⇒ J never goes up on the quadratic cost — in exact
    // arithmetic. In f64 each residual carries rounding of a few ε·|y|
    // (|y| ≤ 4.9 here, ε = 2.2e-16: about 1e-15), so once J is down to
    // that floor, (1e-14)² = 1e-28 allowing for the sums, it wanders by
    // rounding alone, whichever engine sums it.
    let floor = 1e-28;
    assert!(fit.epoch_j.windows(2).all(|w| w[1] <= w[0] || w[0] < floor));
}

#[test]
fn standardized_training_reports_original_units() {
    let (x, y) = plane();
    let mut shifted = x.clone();
    shifted
        .iter_mut()
        .step_by(2)
        .for_each(|v| *v = *v * 1000.0 + 5000.0);
    // y = 1 + 2·x1 − 3·x2 with x1 = (x1′ − 5000)/1000 ⇒ θ1′ = 0.002, θ0′ = −9.
    let c = TrainConfig {
        lr: LearningRate::Auto,
        epochs: 5_000,
        standardize: true,
        ..TrainConfig::plain()
    };
    let fit = train(
        Batch::new(&shifted, &y, 2),
        LinearModel::new(2, true),
        &c,
        None,
        &mut Quiet,
    )
    .unwrap();
    for (t, truth) in fit.theta.iter().zip([-9.0, 0.002, -3.0]) {
        assert!(
            (t - truth).abs() < 1e-9 * truth.abs().max(1.0),
            "{:?}",
            fit.theta
        );
    }
}

#[test]
fn too_large_a_step_is_named() {
    let (x, y) = plane();
    let c = TrainConfig {
        lr: LearningRate::Fixed(10.0),
        epochs: 1000,
        ..TrainConfig::plain()
    };
    let err = train(
        Batch::new(&x, &y, 2),
        LinearModel::new(2, true),
        &c,
        None,
        &mut Quiet,
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Diverged { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("learning rate 10")
            && msg.contains("automatic learning rate")
            && !msg.contains("--"),
        "{msg}"
    );
}

#[test]
fn tolerance_stops_early() {
    let (x, y) = plane();
    let c = TrainConfig {
        lr: LearningRate::Auto,
        epochs: 100_000,
        tol: Some(1e-6),
        ..TrainConfig::plain()
    };
    let fit = train(
        Batch::new(&x, &y, 2),
        LinearModel::new(2, true),
        &c,
        None,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(fit.stop, StopReason::Converged);
    assert!(fit.epochs < 100_000);
}

#[test]
fn sample_mode_refuses_batches() {
    let (x, y) = plane();
    let err = train(
        Batch::new(&x, &y, 2),
        LinearModel::new(2, true),
        &cfg(Mode::Sample, 4, 1),
        None,
        &mut Quiet,
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::BadBatchSize(_)), "{err}");
    assert!(
        err.to_string()
            .contains("mode sample takes one row per step"),
        "{err}"
    );
}
