//! The report's sections that train: each trains (or takes a finished
//! run), takes the step shown, and hands both to `render::report` to draw.

use super::lessons::LESSON_EPOCHS;
use super::step::{default_rows, design_steps, equation, StepError};
use crate::data::{builtin, Dataset, Design, PRESETS};
use crate::model::formula::Formula;
use crate::model::{Batch, LinearModel, Mode};
use crate::render::report::{html_in, Run, Section};
use crate::render::Lang;
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

/// Steps the player of a training run's section runs through: the first
/// update and on into the next step.
pub const REPORT_STEPS: usize = 2;

/// A section for a finished run: the steps shown are the derivation's
/// first rows (1, 2 or 3 by mode) from θ = 0 with the run's lr.
pub fn fit_section(
    id: &str,
    title: &str,
    design: Design,
    fit: &Fit,
    mode: Mode,
    source: &str,
) -> Result<Section, ReportError> {
    let k = default_rows(mode).min(design.n);
    let steps = design_steps(
        &design,
        0..k,
        mode,
        None,
        fit.lr,
        Some(source),
        REPORT_STEPS,
    )?;
    Ok(Section {
        id: id.into(),
        title: title.into(),
        steps,
        design,
        run: run_of(fit),
        mode,
    })
}

/// What a teacher's own example is: rows (all of them are shown), the
/// starting θ, the learning rate and how many steps to play.
pub struct Example<'a> {
    pub design: Design,
    pub theta: Option<&'a [f64]>,
    pub lr: f64,
    pub steps: usize,
    /// None: values given on the command line.
    pub source: Option<&'a str>,
}

/// Epochs of the short run drawn beside an example's steps.
pub const EXAMPLE_EPOCHS: usize = 30;

/// A section for an example: its rows in the tutorial's mode for that
/// many rows (1 sample, 2 unrolled, more vectorized), `steps` steps from
/// θ, and a run of `EXAMPLE_EPOCHS` full-batch steps from the same θ with
/// the same lr for the plots.
pub fn example_section(id: &str, title: &str, ex: Example<'_>) -> Result<Section, ReportError> {
    let d = ex.design;
    let mode = match d.n {
        1 => Mode::Sample,
        2 => Mode::Unrolled,
        _ => Mode::Vectorized,
    };
    let steps = design_steps(
        &d,
        0..d.n,
        mode,
        ex.theta,
        ex.lr,
        ex.source,
        ex.steps.max(1),
    )?;
    let model = LinearModel::new(d.d, d.intercept);
    let cfg = TrainConfig {
        mode,
        lr: LearningRate::Fixed(ex.lr),
        epochs: EXAMPLE_EPOCHS,
        batch_size: Some(d.n),
        seed: 1,
        ..TrainConfig::plain()
    };
    let fit = train(
        Batch::new(&d.x, &d.y, d.d),
        model,
        &cfg,
        ex.theta,
        &mut Quiet,
    )?;
    Ok(Section {
        id: id.into(),
        title: title.into(),
        steps,
        design: d,
        run: run_of(&fit),
        mode,
    })
}

/// The tutorial's one-sample graph with numbers: y = θ·x at x = 2, y = 3
/// from θ = 0.5 with lr 0.1 (examples/one_sample.expr), three steps. The
/// tutorial's figures are not with its text, so these are our numbers,
/// chosen so every step can be done by hand: θ = 0.5 → 1.3 → 1.46 → 1.492.
pub const TUTORIAL_X: f64 = 2.0;
pub const TUTORIAL_Y: f64 = 3.0;
pub const TUTORIAL_THETA: f64 = 0.5;
pub const TUTORIAL_LR: f64 = 0.1;
pub const TUTORIAL_STEPS: usize = 3;

/// The tutorial's example as the first page of the lessons.
pub fn tutorial_section(lang: Lang) -> Result<Section, ReportError> {
    let data = Dataset::new(
        vec!["x".into(), "y".into()],
        vec![vec![TUTORIAL_X], vec![TUTORIAL_Y]],
    )
    .map_err(|e| ReportError::Input(e.to_string()))?;
    let design = Formula::preset("origin")
        .expect("presets exist")
        .design(&data)
        .map_err(|e| ReportError::Input(e.to_string()))?;
    let source = lang.t("source-tutorial");
    example_section(
        "tutorial",
        &lang.t("report-tutorial"),
        Example {
            design,
            theta: Some(&[TUTORIAL_THETA]),
            lr: TUTORIAL_LR,
            steps: TUTORIAL_STEPS,
            source: Some(&source),
        },
    )
}

/// The nine lessons on built-in data, trained as `chainrule demo` trains
/// them (lr auto, `LESSON_EPOCHS` epochs, the mode's batch, seed 1), in
/// English.
pub fn lesson_sections() -> Result<Vec<Section>, ReportError> {
    lesson_sections_in(Lang::En)
}

/// The tutorial's example (`tutorial_section`), then the nine lessons;
/// titles in `lang`.
pub fn lesson_sections_in(lang: Lang) -> Result<Vec<Section>, ReportError> {
    let mut out = vec![tutorial_section(lang)?];
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
                ..TrainConfig::plain()
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
pub fn lessons_page(lang: Lang) -> Result<String, ReportError> {
    Ok(html_in(
        &lang.t("report-lessons"),
        &lesson_sections_in(lang)?,
        lang,
    ))
}

/// The page `chainrule report --data` writes: one section, trained on the
/// design as `cfg` says. `formula` and `source` (the data's name) title it.
pub fn training_page(
    design: Design,
    cfg: &TrainConfig,
    formula: &str,
    source: &str,
    lang: Lang,
) -> Result<String, ReportError> {
    let title = format!("{formula} · {}", cfg.mode);
    let section = train_section("run", &title, design, cfg, source)?;
    Ok(html_in(
        &format!("chainrule report — {source}: {formula}"),
        &[section],
        lang,
    ))
}
