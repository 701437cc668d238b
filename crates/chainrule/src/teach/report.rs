//! The report's sections that train: each trains (or takes a finished
//! run), takes the step shown, and hands both to `render::report` to draw.

use super::lessons::LESSON_EPOCHS;
use super::step::{default_rows, design_step, equation, StepError};
use crate::data::{builtin, Design, PRESETS};
use crate::model::formula::Formula;
use crate::model::{Batch, LinearModel, Mode};
use crate::render::report::{html, Run, Section};
use crate::train::{train, Fit, LearningRate, Quiet, TrainConfig, TrainError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Step(#[from] StepError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("{0}")]
    Input(String),
}

/// What the report draws of a run.
pub fn run_of(fit: &Fit) -> Run {
    Run {
        theta: fit.theta.clone(),
        epoch_j: fit.epoch_j.clone(),
        step_j: fit.step_j.clone(),
        theta_path: fit.theta_path.clone(),
        epochs: fit.epochs,
        steps: fit.steps,
        lr: fit.lr,
        batch_size: fit.batch_size,
    }
}

/// Trains on the design from θ = 0 as `cfg` says, and takes the step
/// shown from the first rows at θ = 0 with the run's learning rate.
pub fn train_section(
    id: &str,
    title: &str,
    design: Design,
    cfg: &TrainConfig,
    source: &str,
) -> Result<Section, ReportError> {
    let model = LinearModel::new(design.d, design.intercept);
    let data = Batch::new(&design.x, &design.y, design.d);
    let fit = train(data, model, cfg, None, &mut Quiet)?;
    fit_section(id, title, design, &fit, cfg.mode, source)
}

/// A section for a finished run: the step shown is the derivation's
/// first rows (1, 2 or 3 by mode) at θ = 0 with the run's lr.
pub fn fit_section(
    id: &str,
    title: &str,
    design: Design,
    fit: &Fit,
    mode: Mode,
    source: &str,
) -> Result<Section, ReportError> {
    let k = default_rows(mode).min(design.n);
    let step = design_step(&design, 0..k, mode, None, fit.lr, source)?;
    Ok(Section {
        id: id.into(),
        title: title.into(),
        step,
        design,
        run: run_of(fit),
        mode,
    })
}

/// The nine lessons on built-in data, trained as `chainrule demo` trains
/// them (lr auto, `LESSON_EPOCHS` epochs, the mode's batch, seed 1).
pub fn lesson_sections() -> Result<Vec<Section>, ReportError> {
    let mut out = Vec::new();
    for preset in PRESETS.map(|p| p.name) {
        let data = builtin(preset).map_err(|e| ReportError::Input(e.to_string()))?;
        let formula = Formula::preset(preset).expect("presets exist");
        let design = formula
            .design(&data)
            .map_err(|e| ReportError::Input(e.to_string()))?;
        for mode in Mode::ALL {
            let cfg = TrainConfig {
                mode,
                lr: LearningRate::Auto,
                epochs: LESSON_EPOCHS,
                batch_size: None,
                seed: 1,
                ..TrainConfig::default()
            };
            let title = format!(
                "{} · {mode}",
                equation(&LinearModel::new(design.d, design.intercept))
            );
            out.push(train_section(
                &format!("{preset}-{mode}"),
                &title,
                design.clone(),
                &cfg,
                &format!("builtin:{preset}.csv"),
            )?);
        }
    }
    Ok(out)
}

/// The page `chainrule report` writes without data: the nine lessons.
pub fn lessons_page() -> Result<String, ReportError> {
    Ok(html("chainrule — the nine lessons", &lesson_sections()?))
}

/// The page `chainrule report --data` writes: one section, trained on the
/// design as `cfg` says. `formula` and `source` (the data's name) title it.
pub fn training_page(
    design: Design,
    cfg: &TrainConfig,
    formula: &str,
    source: &str,
) -> Result<String, ReportError> {
    let title = format!("{formula} · {}", cfg.mode);
    let section = train_section("run", &title, design, cfg, source)?;
    Ok(html(
        &format!("chainrule report — {source}: {formula}"),
        &[section],
    ))
}
