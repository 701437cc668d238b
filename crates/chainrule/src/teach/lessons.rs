//! The nine lessons: origin / line / plane × sample / unrolled / vectorized
//! on the built-in data. Each lesson takes its first step by
//! backpropagation, checks that the other two modes give the same gradient
//! on the same rows, trains, and sets θ against the truth the data were
//! drawn from and against the closed-form least-squares answer.

use crate::data::{builtin, preset, PRESETS};
use crate::model::formula::Formula;
use crate::model::{gradient_source, Batch, LinearModel, Mode};
use crate::numeric::lre;
use crate::solve::least_squares;
use crate::train::{train, LearningRate, Quiet, TrainConfig};
use serde::Serialize;

/// Epochs each lesson trains for.
pub const LESSON_EPOCHS: usize = 400;

#[derive(Clone, Debug, Serialize)]
pub struct Lesson {
    pub preset: &'static str,
    pub formula: String,
    pub mode: Mode,
    /// Names of θ's entries (`θ`, or `θ0`, `θ1`, …).
    pub params: Vec<String>,
    /// Rows (0-based, half-open) of the first step's batch.
    pub first_rows: (usize, usize),
    /// J and ∂J/∂θ of the first step, at θ = 0.
    pub first_j: f64,
    pub first_grad: Vec<f64>,
    /// Largest |Δ| between this mode's first gradient and the other modes'
    /// on the same rows.
    pub modes_max_difference: f64,
    pub lr: f64,
    pub epochs: usize,
    pub theta: Vec<f64>,
    pub true_theta: Vec<f64>,
    pub closed_form: Vec<f64>,
    /// Fewest digits any θj shares with the closed form.
    pub digits_vs_closed_form: f64,
}

fn batch_size(mode: Mode, n: usize) -> usize {
    match mode {
        Mode::Sample => 1,
        Mode::Unrolled => 2,
        Mode::Vectorized => n,
    }
}

/// Runs one lesson.
pub fn lesson(name: &'static str, mode: Mode) -> Lesson {
    let data = builtin(name).expect("built-in data parse");
    let formula = Formula::preset(name).expect("presets exist");
    let design = formula.design(&data).expect("presets fit their data");
    let model = LinearModel::new(design.d, design.intercept);
    let all = Batch::new(&design.x, &design.y, design.d);
    let k = batch_size(mode, design.n);
    let first = all.slice(0, k);
    let zero = vec![0.0; model.n_params()];
    let step = |m: Mode| {
        let mut src = gradient_source(m, model, &[k]).expect("small graphs fit");
        let mut grad = vec![0.0; model.n_params()];
        let j = src.cost_and_grad(first, &zero, &mut grad);
        (j, grad)
    };
    let (first_j, first_grad) = step(mode);
    let modes_max_difference = Mode::ALL
        .iter()
        .flat_map(|&m| {
            let (_, g) = step(m);
            first_grad
                .iter()
                .zip(g)
                .map(|(a, b)| (a - b).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0, f64::max);
    let cfg = TrainConfig {
        mode,
        lr: LearningRate::Auto,
        epochs: LESSON_EPOCHS,
        batch_size: Some(k),
        seed: 1,
        ..TrainConfig::plain()
    };
    let fit = train(all, model, &cfg, None, &mut Quiet).expect("lesson data train");
    let closed_form = least_squares(&design).expect("lesson data solve").theta;
    let digits_vs_closed_form = fit
        .theta
        .iter()
        .zip(&closed_form)
        .map(|(a, b)| lre(*a, *b))
        .fold(15.0, f64::min);
    let truth = preset(name).expect("lessons are presets").truth;
    Lesson {
        preset: name,
        formula: formula.to_string(),
        mode,
        params: (0..model.n_params())
            .map(|i| model.param_symbol(i))
            .collect(),
        first_rows: (0, k),
        first_j,
        first_grad,
        modes_max_difference,
        lr: fit.lr,
        epochs: fit.epochs,
        theta: fit.theta,
        true_theta: truth.to_vec(),
        closed_form,
        digits_vs_closed_form,
    }
}

/// All nine lessons, in teaching order.
pub fn all_lessons() -> Vec<Lesson> {
    PRESETS
        .iter()
        .flat_map(|p| Mode::ALL.map(|m| lesson(p.name, m)))
        .collect()
}
