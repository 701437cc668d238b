//! Taking the step a view shows: one forward + backward pass of a model in
//! a mode (the graphs of `model/`) or of a `grad` program, kept as a
//! `render::Step` (the trace and the lr of the update that follows).

use crate::data::{builtin, Design};
use crate::expr::{self, ExprError};
use crate::graph::GraphError;
use crate::model::formula::Formula;
use crate::model::sample::SampleGraph;
use crate::model::unrolled::UnrolledGraph;
use crate::model::vectorized::VectorizedGraph;
use crate::model::{Batch, LinearModel, Mode};
use crate::render::step::Title;
use crate::render::Step;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StepError {
    #[error("{0}")]
    Input(String),
    #[error("cannot build the computational graph: {0}")]
    Graph(#[from] GraphError),
    #[error("{0}")]
    Program(#[from] ExprError),
}

/// What a model step is made of: the model, the mode, k rows of features
/// (row-major, k × d), their targets, θ (θ0 first) and the learning rate.
pub struct ModelStep<'a> {
    pub model: LinearModel,
    pub mode: Mode,
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub theta: &'a [f64],
    pub lr: f64,
    /// Where the rows came from, for the title (`rows 1–2 of line.csv`);
    /// None: values given on the command line.
    pub source: Option<String>,
    /// The rows' numbers in the source, 1-based, for the title.
    pub first_row: usize,
}

/// The derivation's equation of the model: `y = θ2·x2 + θ1·x1 + θ0`.
pub fn equation(model: &LinearModel) -> String {
    let offset = usize::from(model.intercept);
    let mut terms: Vec<String> = (0..model.d)
        .rev()
        .map(|j| {
            format!(
                "{}·{}",
                model.param_symbol(offset + j),
                model.feature_symbol(j)
            )
        })
        .collect();
    if model.intercept {
        terms.push("θ0".into());
    }
    if terms.is_empty() {
        terms.push("0".into());
    }
    format!("y = {}", terms.join(" + "))
}

/// Runs the mode's graph forward and backward on the rows at θ.
pub fn model_step(s: &ModelStep<'_>) -> Result<Step, StepError> {
    let m = &s.model;
    let k = s.y.len();
    if s.x.len() != k * m.d {
        return Err(StepError::Input(format!(
            "{} feature values for {k} rows of {} features: give one value per row for each feature",
            s.x.len(),
            m.d
        )));
    }
    if k == 0 {
        return Err(StepError::Input("no rows: give at least one sample".into()));
    }
    if s.theta.len() != m.n_params() {
        return Err(StepError::Input(format!(
            "θ has {} entries but {} needs {} ({})",
            s.theta.len(),
            equation(m),
            m.n_params(),
            (0..m.n_params())
                .map(|i| m.param_symbol(i))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let batch = Batch::new(s.x, s.y, m.d);
    let trace = match s.mode {
        Mode::Sample => {
            if k != 1 {
                return Err(StepError::Input(format!(
                    "mode sample shows one sample, but {k} rows were given: pick one row, or use --mode unrolled or vectorized for a batch"
                )));
            }
            let mut g = SampleGraph::new(m)?;
            g.step(batch.row(0), s.y[0], s.theta);
            g.graph.trace(g.root())
        }
        Mode::Unrolled => {
            let mut g = UnrolledGraph::new(m, k)?;
            g.step(batch, s.theta);
            g.graph.trace(g.j)
        }
        Mode::Vectorized => {
            let mut g = VectorizedGraph::new(m, k)?;
            g.step(batch, s.theta);
            g.graph.trace(g.j)
        }
    };
    let title = Title::Model {
        equation: equation(m),
        mode: s.mode,
        first: s.first_row,
        last: s.first_row + k - 1,
        source: s.source.clone(),
    };
    Ok(Step::new(title, Some(s.mode), trace, Some(s.lr)))
}

/// The learning rate of a shown step when none is asked for.
pub const DEFAULT_LR: f64 = 0.1;

/// Rows a step shows by default, the derivation's sizes: one sample, two
/// samples unrolled, three vectorized.
pub fn default_rows(mode: Mode) -> usize {
    match mode {
        Mode::Sample => 1,
        Mode::Unrolled => 2,
        Mode::Vectorized => 3,
    }
}

/// A step on rows `rows` (0-based, half-open) of a design, at θ (zeros
/// when None). `source` names the data for the title (None: the values
/// came from the command line).
pub fn design_step(
    design: &Design,
    rows: std::ops::Range<usize>,
    mode: Mode,
    theta: Option<&[f64]>,
    lr: f64,
    source: Option<&str>,
) -> Result<Step, StepError> {
    let name = source.unwrap_or("the values given");
    if rows.start >= rows.end || rows.end > design.n {
        return Err(StepError::Input(format!(
            "rows {}–{} do not fit {name}, which has {} rows (rows count from 1)",
            rows.start + 1,
            rows.end,
            design.n
        )));
    }
    let model = LinearModel::new(design.d, design.intercept);
    if model.n_params() == 0 {
        // No θ: there is no graph to draw (z1 would be nothing).
        return Err(StepError::Input(format!(
            "{name}: the formula leaves nothing to learn (no numeric feature column and no \
             intercept); check that the feature columns hold numbers in the rows used, or \
             name them with --formula"
        )));
    }
    let zeros = vec![0.0; model.n_params()];
    let (a, b) = (rows.start, rows.end);
    let mut step = model_step(&ModelStep {
        model,
        mode,
        x: &design.x[a * design.d..b * design.d],
        y: &design.y[a..b],
        theta: theta.unwrap_or(&zeros),
        lr,
        source: source.map(str::to_string),
        first_row: a + 1,
    })?;
    name_columns(&mut step, &model, &design.names, &design.response);
    Ok(step)
}

/// How a design column is written in the derivation: the formula's
/// `I(x^2)` as `x²`, anything else as it stands.
pub fn column_symbol(name: &str) -> String {
    let inner = name
        .strip_prefix("I(")
        .and_then(|n| n.strip_suffix(')'))
        .unwrap_or(name);
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    out.push(super_digit(d));
                    chars.next();
                }
            }
            '*' | ':' => out.push('·'),
            ' ' => {}
            c => out.push(c),
        }
    }
    out
}

fn super_digit(d: char) -> char {
    ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize]
}

/// The step's data nodes and equation under the data's own column names
/// (`height` rather than `x`, `x²` rather than `x2`), where they differ
/// from the model's default symbols. Sample-indexed names keep their index
/// (`x1(2)` → `height(2)`); the vectorized X and Y stay matrices.
fn name_columns(step: &mut Step, model: &LinearModel, names: &[String], response: &str) {
    let mut map: Vec<(String, String)> = names
        .iter()
        .enumerate()
        .take(model.d)
        .map(|(j, n)| (model.feature_symbol(j), column_symbol(n)))
        .collect();
    map.push(("y".into(), column_symbol(response)));
    map.retain(|(a, b)| a != b);
    if map.is_empty() {
        return;
    }
    for node in &mut step.trace.nodes {
        let Some(name) = &node.name else { continue };
        let (base, index) = match name.split_once('(') {
            Some((b, i)) => (b, Some(i)),
            None => (name.as_str(), None),
        };
        if let Some((_, to)) = map.iter().find(|(from, _)| from == base) {
            node.name = Some(match index {
                Some(i) => format!("{to}({i}"),
                None => to.clone(),
            });
        }
    }
    if let Title::Model { equation: eq, .. } = &mut step.title {
        let offset = usize::from(model.intercept);
        let mut terms: Vec<String> = (0..model.d)
            .rev()
            .map(|j| {
                format!(
                    "{}·{}",
                    model.param_symbol(offset + j),
                    column_symbol(&names[j])
                )
            })
            .collect();
        if model.intercept {
            terms.push("θ0".into());
        }
        *eq = format!("{} = {}", column_symbol(response), terms.join(" + "));
    }
}

/// A lesson's first step: the preset's built-in data, the mode's default
/// rows, θ = 0, lr = `DEFAULT_LR`.
pub fn lesson_step(preset: &str, mode: Mode) -> Result<Step, StepError> {
    let data = builtin(preset).map_err(|e| StepError::Input(e.to_string()))?;
    let formula = Formula::preset(preset)
        .ok_or_else(|| StepError::Input(format!("no lesson called {preset}")))?;
    let design = formula
        .design(&data)
        .map_err(|e| StepError::Input(e.to_string()))?;
    let k = default_rows(mode).min(design.n);
    design_step(
        &design,
        0..k,
        mode,
        None,
        DEFAULT_LR,
        Some(&format!("builtin:{preset}.csv")),
    )
}

/// `n` steps of gradient descent on the same rows, θ carried from each
/// step's update to the next (the first at `theta`, zeros when None);
/// titles say `step k of n`.
pub fn design_steps(
    design: &Design,
    rows: std::ops::Range<usize>,
    mode: Mode,
    theta: Option<&[f64]>,
    lr: f64,
    source: Option<&str>,
    n: usize,
) -> Result<Vec<Step>, StepError> {
    let mut theta = theta.map(<[f64]>::to_vec);
    let mut out = Vec::with_capacity(n);
    for k in 1..=n {
        let mut step = design_step(design, rows.clone(), mode, theta.as_deref(), lr, source)?;
        theta = Some(next_theta(&step));
        if n > 1 {
            step.index = Some((k, n));
        }
        out.push(step);
    }
    Ok(out)
}

/// θ after a step's update, in θ order (θ0 first, then the weights).
pub fn next_theta(step: &Step) -> Vec<f64> {
    step.params
        .iter()
        .flat_map(|&p| {
            step.updated(p)
                .unwrap_or_else(|| step.trace.node(p).value.clone())
        })
        .collect()
}

/// Runs a `grad` program: forward, backward from its last statement.
pub fn program_step(name: &str, src: &str, lr: Option<f64>) -> Result<Step, StepError> {
    let ev = expr::run(src, None)?;
    Ok(Step::new(Title::Program(name.into()), None, ev.trace, lr))
}

/// `n` steps of a `grad` program: after each, its params move by
/// θ ← θ − lr·∂root/∂θ and the graph runs forward and backward again.
pub fn program_steps(name: &str, src: &str, lr: f64, n: usize) -> Result<Vec<Step>, StepError> {
    let mut ev = expr::run(src, None)?;
    let mut out = Vec::with_capacity(n);
    for k in 1..=n {
        let mut step = Step::new(
            Title::Program(name.into()),
            None,
            ev.graph.trace(ev.root),
            Some(lr),
        );
        if n > 1 {
            step.index = Some((k, n));
        }
        for &p in &step.params {
            let id = ev
                .names
                .iter()
                .map(|&(_, id)| id)
                .find(|id| id.index() == p)
                .expect("params are named bindings");
            let new = step.updated(p).expect("a step with lr updates");
            ev.graph.set(id, &new)?;
        }
        ev.graph.forward();
        ev.graph.backward(ev.root)?;
        out.push(step);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_their_names() {
        assert_eq!(column_symbol("I(x^2)"), "x²");
        assert_eq!(column_symbol("height"), "height");
        assert_eq!(column_symbol("x:z"), "x·z");
        // y ~ x + I(x^2): the derivation names x and x², never x2 (the flag).
        let data = crate::data::Dataset::new(
            vec!["x".into(), "y".into()],
            vec![vec![1.0, 2.0], vec![3.0, 4.0]],
        )
        .unwrap();
        let design = Formula::parse("y ~ x + I(x^2)")
            .unwrap()
            .design(&data)
            .unwrap();
        let step = design_step(&design, 0..2, Mode::Unrolled, None, 0.1, None).unwrap();
        assert!(step.trace.find("x²(1)").is_some());
        assert!(step.trace.find("x(2)").is_some());
        assert!(step.trace.find("x2(1)").is_none());
        assert!(step
            .heading(crate::render::Lang::En)
            .starts_with("y = θ2·x² + θ1·x + θ0"));
    }

    #[test]
    fn equations_read_as_the_derivation_writes_them() {
        assert_eq!(equation(&LinearModel::new(1, false)), "y = θ·x");
        assert_eq!(equation(&LinearModel::new(1, true)), "y = θ1·x + θ0");
        assert_eq!(
            equation(&LinearModel::new(2, true)),
            "y = θ2·x2 + θ1·x1 + θ0"
        );
    }

    #[test]
    fn one_sample_of_the_origin_model() {
        // By hand (examples/one_sample.expr): x = 2, y = 3, θ = 0.5 ⇒ z1 = 1,
        // z2 = 2, L = 4, ∂L/∂θ = 2·z2·(−1)·x = −8; θ − 0.1·(−8) = 1.3.
        let step = model_step(&ModelStep {
            model: LinearModel::new(1, false),
            mode: Mode::Sample,
            x: &[2.0],
            y: &[3.0],
            theta: &[0.5],
            lr: 0.1,
            source: None,
            first_row: 1,
        })
        .unwrap();
        let t = &step.trace;
        assert_eq!(t.find("L").unwrap().value, [4.0]);
        assert_eq!(step.params.len(), 1);
        let theta = step.params[0];
        assert_eq!(t.node(theta).grad.as_deref(), Some(&[-8.0][..]));
        assert!((step.updated(theta).unwrap()[0] - 1.3).abs() < 1e-15);
    }

    #[test]
    fn program_steps_carry_theta() {
        // examples/one_sample.expr, lr 0.1: θ ← θ + lr·2x(y − θx) with x = 2,
        // y = 3: 0.5 → 0.5 + 0.4·2 = 1.3 → 1.3 + 0.4·0.4 = 1.46.
        let src = include_str!("../../../../examples/one_sample.expr");
        let steps = program_steps("one_sample", src, 0.1, 2).unwrap();
        let theta = |s: &Step| s.trace.find("θ").unwrap().value[0];
        assert_eq!(theta(&steps[0]), 0.5);
        assert!((theta(&steps[1]) - 1.3).abs() < 1e-15);
        assert!((next_theta(&steps[1])[0] - 1.46).abs() < 1e-14);
        assert_eq!(steps[1].params.len(), 1, "x and y are data: only θ moves");
    }
}
