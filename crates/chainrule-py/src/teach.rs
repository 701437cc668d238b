//! What the notebook shows: a step (a model's graph or a `grad` program run
//! forward and backward) with its drawings and derivation, and the HTML
//! report. Every view is `render`'s; every step is `teach`'s or `expr`'s.

use chainrule::data::atomic::write_atomic;
use chainrule::render::graph::{dot, svg};
use chainrule::render::view::View;
use chainrule::render::{derive, Step};
use chainrule::teach::{self, ReportError, StepError};
use chainrule::train::{LearningRate, TrainConfig};
use chainrule::{Error, LinearRegression};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::data::dataset;
use crate::error::{from_library, input, OrRaise};
use crate::model::parse_mode;

fn step_error(py: Python<'_>, e: StepError) -> PyErr {
    match e {
        StepError::Graph(g) => from_library(py, Error::Graph(g)),
        e => input(py, e.to_string()),
    }
}

fn report_error(py: Python<'_>, e: ReportError) -> PyErr {
    match e {
        ReportError::Train(t) => from_library(py, Error::Train(t)),
        ReportError::Step(s) => step_error(py, s),
        e => input(py, e.to_string()),
    }
}

/// One forward + backward pass and its views (`chainrule.Trace` wraps it).
#[pyclass(name = "Step", module = "chainrule._chainrule", frozen)]
pub struct PyStep {
    step: Step,
}

impl PyStep {
    pub fn new(step: Step) -> Self {
        PyStep { step }
    }
}

#[pymethods]
impl PyStep {
    #[getter]
    fn title(&self) -> String {
        self.step.heading(chainrule::render::Lang::from_env())
    }

    #[getter]
    fn lr(&self) -> Option<f64> {
        self.step.lr
    }

    /// The trace as JSON (the schema of `chainrule grad --json`).
    fn trace_json(&self) -> String {
        serde_json::to_string(&self.step.trace).expect("a trace serializes")
    }

    /// The graph drawn as SVG; `all_nodes` keeps the unnamed helpers.
    #[pyo3(signature = (all_nodes = false))]
    fn svg(&self, all_nodes: bool) -> String {
        svg(&View::new(&self.step.trace, !all_nodes))
    }

    #[pyo3(signature = (all_nodes = false))]
    fn dot(&self, all_nodes: bool) -> String {
        dot(&View::new(&self.step.trace, !all_nodes))
    }

    /// The derivation in aligned Unicode text (`chainrule explain`).
    fn text(&self) -> String {
        derive(&self.step).text()
    }

    /// The derivation as Markdown with TeX blocks (`--format markdown`).
    fn markdown(&self) -> String {
        derive(&self.step).markdown()
    }
}

/// A `grad` program differentiated from its last statement (or `of`).
#[pyfunction]
#[pyo3(signature = (program, of = None))]
pub fn grad(py: Python<'_>, program: &str, of: Option<&str>) -> PyResult<PyStep> {
    let evaluated = chainrule::expr::run(program, of)
        .map_err(|e| input(py, format!("program:{}", e.render(program))))?;
    let step = Step::new(
        chainrule::render::step::Title::Program("program".into()),
        None,
        evaluated.trace,
        None,
    );
    Ok(PyStep { step })
}

/// A `grad` program as a step with an update of rate `lr`.
#[pyfunction]
#[pyo3(signature = (program, lr = None))]
pub fn explain_program(py: Python<'_>, program: &str, lr: Option<f64>) -> PyResult<PyStep> {
    let step = teach::program_step("program", program, lr).map_err(|e| match e {
        StepError::Program(e) => input(py, format!("program:{}", e.render(program))),
        e => step_error(py, e),
    })?;
    Ok(PyStep { step })
}

/// A lesson's first step on its built-in data (`origin`, `line`, `plane`).
#[pyfunction]
pub fn explain_lesson(py: Python<'_>, preset: &str, mode: &str) -> PyResult<PyStep> {
    let step = teach::lesson_step(preset, parse_mode(py, mode)?).map_err(|e| step_error(py, e))?;
    Ok(PyStep { step })
}

/// A step on rows `start..end` (0-based, half-open) of named columns; by
/// default the derivation's first rows (1 sample, 2 unrolled, 3 vectorized).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (formula, names, columns, mode, rows, theta, lr, source))]
pub fn explain_table(
    py: Python<'_>,
    formula: &str,
    names: Vec<String>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    mode: &str,
    rows: Option<(usize, usize)>,
    theta: Option<Vec<f64>>,
    lr: f64,
    source: &str,
) -> PyResult<PyStep> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let data = dataset(py, names, &columns)?;
    let design = model.formula().design(&data).or_raise(py)?;
    let mode = parse_mode(py, mode)?;
    let (start, end) = rows.unwrap_or((0, teach::default_rows(mode).min(design.n)));
    let step = teach::design_step(
        &design,
        start..end,
        mode,
        theta.as_deref(),
        lr,
        Some(source),
    )
    .map_err(|e| step_error(py, e))?;
    Ok(PyStep { step })
}

/// Writes the page atomically, as the CLI does; a failure is an `OSError`.
fn write_page(path: &std::path::Path, page: &str) -> PyResult<()> {
    write_atomic(path, page.as_bytes()).map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!(
            "{}: cannot write the report: {e}",
            path.display()
        ))
    })
}

/// `chainrule report --out PATH`: the nine lessons.
#[pyfunction]
pub fn report_lessons(py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
    let page = py
        // Boxed: the error crosses the closure, and is large (clippy).
        .detach(|| teach::lessons_page(chainrule::render::Lang::from_env()).map_err(Box::new))
        .map_err(|e| report_error(py, *e))?;
    write_page(&path, &page)
}

/// `chainrule report --data … --out PATH`: one run trained on the columns.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (path, formula, names, columns, mode, lr, epochs, batch_size, source))]
pub fn report_table(
    py: Python<'_>,
    path: std::path::PathBuf,
    formula: &str,
    names: Vec<String>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    mode: &str,
    lr: Option<f64>,
    epochs: usize,
    batch_size: Option<usize>,
    source: &str,
) -> PyResult<()> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let data = dataset(py, names, &columns)?;
    let design = model.formula().design(&data).or_raise(py)?;
    let cfg = TrainConfig {
        mode: parse_mode(py, mode)?,
        lr: lr.map_or(LearningRate::Auto, LearningRate::Fixed),
        epochs,
        batch_size,
        ..TrainConfig::plain()
    };
    let text = model.formula().to_string();
    let page = py
        .detach(|| {
            teach::training_page(
                design,
                &cfg,
                &text,
                source,
                chainrule::render::Lang::from_env(),
            )
            .map_err(Box::new)
        })
        .map_err(|e| report_error(py, *e))?;
    write_page(&path, &page)
}
