//! `train` and `fit`: one call each into `LinearRegression`, with the GIL
//! released while the library works, and the results it returns.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use chainrule::render::report::epoch_plot;
use chainrule::render::summary::{exact_summary, theta_summary, TABLE_DIGITS};
use chainrule::render::Step;
use chainrule::teach;
use chainrule::train::Observer;
use chainrule::{Dataset, Engine, Exact, Fitted, LinearRegression, Mode, StopReason};
use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyUserWarning;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::data::{dataset, Matrix};
use crate::error::{input, OrRaise};
use crate::teach::PyStep;

/// The training settings of `chainrule.train`, as the CLI's flags name them.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub struct Settings {
    mode: String,
    /// `None`: lr auto.
    lr: Option<f64>,
    epochs: usize,
    batch_size: Option<usize>,
    seed: u64,
    shuffle: Option<bool>,
    tol: Option<f64>,
    standardize: bool,
    engine: Option<String>,
}

pub fn parse_mode(py: Python<'_>, mode: &str) -> PyResult<Mode> {
    mode.parse().map_err(|e: String| input(py, e))
}

impl Settings {
    fn model(&self, py: Python<'_>, formula: &str) -> PyResult<LinearRegression> {
        let mut m = LinearRegression::new(formula)
            .or_raise(py)?
            .mode(parse_mode(py, &self.mode)?)
            .epochs(self.epochs)
            .seed(self.seed)
            .standardize(self.standardize);
        m = match self.lr {
            None => m.lr_auto(),
            Some(lr) if lr > 0.0 && lr.is_finite() => m.lr(lr),
            Some(lr) => {
                return Err(input(
                    py,
                    format!("lr={lr}: expected a positive number (e.g. 0.01) or 'auto'"),
                ))
            }
        };
        if let Some(k) = self.batch_size {
            m = m.batch_size(k);
        }
        if let Some(s) = self.shuffle {
            m = m.shuffle(s);
        }
        if let Some(t) = self.tol {
            m = m.tol(t);
        }
        if let Some(name) = &self.engine {
            let engine = [Engine::Kernel, Engine::Graph]
                .into_iter()
                .find(|e| e.as_str() == name)
                .ok_or_else(|| {
                    input(
                        py,
                        format!("engine={name:?}: expected 'kernel', 'graph' or None"),
                    )
                })?;
            m = m.engine(engine);
        }
        Ok(m)
    }
}

/// Polls Python for signals (Ctrl-C) while the library trains without the
/// GIL, at most every `EVERY`: an epoch costs a clock read, a step a
/// counter (the clock is read every 64 steps), and only a due poll takes
/// the GIL.
struct Interruptible {
    last: Instant,
    calls: u32,
    raised: Option<PyErr>,
}

const EVERY: Duration = Duration::from_millis(50);

impl Interruptible {
    fn new() -> Self {
        Interruptible {
            last: Instant::now(),
            calls: 0,
            raised: None,
        }
    }

    fn poll(&mut self) -> ControlFlow<()> {
        if self.last.elapsed() < EVERY {
            return ControlFlow::Continue(());
        }
        self.last = Instant::now();
        match Python::attach(|py| py.check_signals()) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.raised = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// Passes and chunks are not watched: in memory there is one chunk.
impl chainrule::source::PassObserver for Interruptible {}

impl Observer for Interruptible {
    fn on_epoch(&mut self, _epoch: usize, _j: f64) -> ControlFlow<()> {
        self.poll()
    }
    fn on_step(&mut self, _step: usize) -> ControlFlow<()> {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(64) {
            self.poll()
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// After training: a KeyboardInterrupt keeps the fit so far (as the CLI
/// does) and says so in a warning; any other exception a signal handler
/// raised propagates.
fn finish(
    py: Python<'_>,
    model: &LinearRegression,
    head: Dataset,
    fitted: chainrule::Result<Fitted>,
    watch: Interruptible,
) -> PyResult<Trained> {
    let fitted = fitted.or_raise(py)?;
    if let Some(e) = watch.raised {
        if !e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
            return Err(e);
        }
        let run = fitted.model_file();
        let message = format!(
            "interrupted after {} whole epochs and {} steps: the result holds θ after the last \
             whole step (stop == 'interrupted')",
            run.epochs, run.steps
        );
        let message = std::ffi::CString::new(message).expect("no NUL in the message");
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 2)?;
    }
    let first = first_step(model, &head, &fitted);
    Ok(Trained { fitted, first })
}

/// The run's first step as the report shows it (`teach::fit_section`): the
/// mode's first rows (1, 2 or 3) at θ = 0 with the run's learning rate.
/// `head` holds at least those rows. None when it cannot be drawn.
fn first_step(model: &LinearRegression, head: &Dataset, fitted: &Fitted) -> Option<Step> {
    let file = fitted.model_file();
    let k = teach::default_rows(file.settings.mode).min(head.n_rows());
    let design = model.formula().design(head).ok()?;
    teach::design_step(
        &design,
        0..k,
        file.settings.mode,
        None,
        file.lr,
        Some("data"),
    )
    .ok()
}

/// The first rows of named columns: enough for any mode's first step.
fn head_of_columns(names: &[String], columns: &[&[f64]]) -> Dataset {
    const ROWS: usize = 3;
    let head = columns.iter().map(|c| c[..ROWS.min(c.len())].to_vec());
    Dataset::new(names.to_vec(), head.collect()).expect("the columns were a dataset's")
}

/// Gradient descent on named columns.
#[pyfunction]
pub fn train_table(
    py: Python<'_>,
    formula: &str,
    names: Vec<String>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    settings: Settings,
) -> PyResult<Trained> {
    let model = settings.model(py, formula)?;
    let data = dataset(py, names, &columns)?;
    let mut watch = Interruptible::new();
    let fitted = py.detach(|| model.fit_observed(&data, &mut watch));
    let all: Vec<&[f64]> = data.columns.iter().map(Vec::as_slice).collect();
    let head = head_of_columns(&data.names, &all);
    finish(py, &model, head, fitted, watch)
}

/// Gradient descent on a design matrix, read in place.
#[pyfunction]
pub fn train_matrix(
    py: Python<'_>,
    formula: &str,
    names: Vec<String>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, f64>,
    settings: Settings,
) -> PyResult<Trained> {
    let model = settings.model(py, formula)?;
    let response = &model.formula().response_name();
    let m = Matrix::new(py, &names, &x, &y)?;
    let mut watch = Interruptible::new();
    let fitted = py.detach(|| model.fit_matrix(&names, &m.x, &m.y, &mut watch));
    // A NaN or ±inf in the data fails training or leaves J non-finite:
    // then say which cell, rather than how descent broke.
    if fitted.as_ref().map_or(true, |f| !f.metrics().j.is_finite()) {
        m.check_finite(py, &names, response)?;
    }
    let (d, k) = (names.len(), m.y.len().min(3));
    let mut columns: Vec<Vec<f64>> = (0..d)
        .map(|j| (0..k).map(|i| m.x[i * d + j]).collect())
        .collect();
    columns.push(m.y[..k].to_vec());
    let mut all_names = names.clone();
    all_names.push(response.clone());
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let head = head_of_columns(&all_names, &slices);
    finish(py, &model, head, fitted, watch)
}

/// The closed form on named columns.
#[pyfunction]
pub fn fit_table(
    py: Python<'_>,
    formula: &str,
    names: Vec<String>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Closed> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let data = dataset(py, names, &columns)?;
    let exact = py.detach(|| model.fit_exact(&data)).or_raise(py)?;
    Ok(Closed { exact })
}

/// The closed form on CSV/TSV files read as one data set, as `chainrule
/// fit` reads them (one parallel pass where it answers to the last digit).
#[pyfunction]
pub fn fit_csv(py: Python<'_>, formula: &str, paths: Vec<std::path::PathBuf>) -> PyResult<Closed> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let exact = py.detach(|| model.fit_exact_csv(&paths)).or_raise(py)?;
    Ok(Closed { exact })
}

/// The closed form on a design matrix.
#[pyfunction]
pub fn fit_matrix(
    py: Python<'_>,
    formula: &str,
    names: Vec<String>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, f64>,
) -> PyResult<Closed> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let m = Matrix::new(py, &names, &x, &y)?;
    // The solver refuses a NaN or ±inf itself, naming column and row.
    let exact = py
        .detach(|| model.fit_exact_matrix(&names, &m.x, &m.y))
        .or_raise(py)?;
    Ok(Closed { exact })
}

/// The data columns a formula reads (response first, when present), of
/// those available: the binding converts only these. A column the formula
/// names but the data lacks is refused here, with every column listed.
#[pyfunction]
pub fn columns_used(
    py: Python<'_>,
    formula: &str,
    available: Vec<String>,
) -> PyResult<Vec<String>> {
    let model = LinearRegression::new(formula).or_raise(py)?;
    let no_rows = vec![Vec::new(); available.len()];
    let names = chainrule::Dataset::new(available.clone(), no_rows).or_raise(py)?;
    model.formula().feature_names(&names).or_raise(py)?;
    let mut used = model.formula().columns_used(&available);
    used.retain(|c| available.contains(c));
    Ok(used)
}

fn stop_name(stop: StopReason) -> &'static str {
    match stop {
        StopReason::Epochs => "epochs",
        StopReason::Converged => "converged",
        StopReason::Interrupted => "interrupted",
    }
}

/// A model trained by gradient descent (`chainrule.Trained` wraps it).
#[pyclass(module = "chainrule._chainrule", frozen)]
pub struct Trained {
    fitted: Fitted,
    /// The first step, drawn in Jupyter; None once loaded from a file.
    first: Option<Step>,
}

#[pymethods]
impl Trained {
    #[getter]
    fn theta<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.fitted.theta())
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.fitted.names()
    }

    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.fitted.history())
    }

    #[getter]
    fn stop(&self) -> &'static str {
        stop_name(self.fitted.stop())
    }

    #[getter]
    fn formula(&self) -> String {
        self.fitted.model_file().formula.clone()
    }

    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = self.fitted.metrics();
        let d = PyDict::new(py);
        d.set_item("j", m.j)?;
        d.set_item("rmse", m.rmse)?;
        d.set_item("r_squared", m.r_squared)?;
        Ok(d)
    }

    /// The model file's contents (what `save` writes), as JSON text.
    fn model_json(&self) -> String {
        serde_json::to_string_pretty(self.fitted.model_file()).expect("a model file serializes")
    }

    /// The θ table, as `chainrule train` prints it (`digits` significant
    /// digits; 17 prints every bit).
    #[pyo3(signature = (digits = TABLE_DIGITS))]
    fn summary(&self, digits: usize) -> String {
        let file = self.fitted.model_file();
        let s = &file.settings;
        let lr_kind = match s.lr {
            chainrule::train::LearningRate::Auto => " auto",
            chainrule::train::LearningRate::Fixed(_) => "",
        };
        let engine = s.engine.map_or("-", Engine::as_str);
        let batch = self
            .fitted
            .run()
            .map_or("-".to_string(), |r| r.batch_size.to_string());
        let mut out = format!(
            "{}  (mode {} on {engine}, batch {batch}, lr {:.6e}{lr_kind})\n",
            file.formula, s.mode, file.lr
        );
        let m = &file.metrics;
        out += &theta_summary(
            &self.fitted.names(),
            &file.theta,
            None,
            (m.j, m.rmse, m.r_squared),
            digits,
        );
        let plural = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
        out += &format!(
            "{}, {}, stopped: {}",
            plural(file.epochs, "epoch"),
            plural(file.steps, "step"),
            match file.stop {
                StopReason::Epochs => "ran every epoch asked for",
                StopReason::Converged => "the gradient fell below tol",
                StopReason::Interrupted => "interrupted",
            },
        );
        if let Some(run) = self.fitted.run() {
            out += &format!(", {:.3} s", run.seconds);
        }
        out
    }

    /// The run's first step (graph and derivation), as the report shows it;
    /// None for a model loaded from a file.
    #[getter]
    fn first_step(&self) -> Option<PyStep> {
        self.first.clone().map(PyStep::new)
    }

    /// J by epoch, drawn as the report draws it (None without epochs).
    fn j_svg(&self) -> Option<String> {
        let history = self.fitted.history();
        (!history.is_empty()).then(|| epoch_plot(history, chainrule::render::Lang::from_env()))
    }

    fn predict_table<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: Vec<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let data = dataset(py, names, &columns)?;
        let z1 = self.fitted.predict(&data).or_raise(py)?;
        Ok(PyArray1::from_vec(py, z1))
    }

    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        self.fitted.save(path).or_raise(py)
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Trained> {
        let fitted = Fitted::load(path).or_raise(py)?;
        Ok(Trained {
            fitted,
            first: None,
        })
    }
}

/// The closed-form fit (`chainrule.Closed` wraps it).
#[pyclass(module = "chainrule._chainrule", frozen)]
pub struct Closed {
    exact: Exact,
}

#[pymethods]
impl Closed {
    #[getter]
    fn theta<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.exact.theta())
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.exact.names()
    }

    #[getter]
    fn formula(&self) -> String {
        self.exact.formula().to_string()
    }

    #[getter]
    fn std_errors<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.exact.solution().std_errors)
    }

    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.exact.solution().warnings.clone()
    }

    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.exact.solution();
        let d = PyDict::new(py);
        d.set_item("j", s.mse)?;
        d.set_item("rmse", s.rmse)?;
        d.set_item("r_squared", s.r_squared)?;
        d.set_item("residual_sd", s.residual_sd)?;
        d.set_item("n", s.n)?;
        d.set_item("rank", s.rank)?;
        Ok(d)
    }

    /// The table `chainrule fit` prints: θ, standard errors, t, p-values,
    /// `level` confidence intervals, R², adjusted R², F, log-likelihood,
    /// AIC and BIC.
    #[pyo3(signature = (digits = TABLE_DIGITS, level = 0.95))]
    fn summary(&self, digits: usize, level: f64) -> PyResult<String> {
        if !(level > 0.0 && level < 1.0) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "level must be between 0 and 1, not {level}"
            )));
        }
        let s = self.exact.solution();
        Ok(exact_summary(
            &self.exact.names(),
            s,
            &s.inference(level),
            digits,
        ))
    }

    fn predict_table<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: Vec<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let data = dataset(py, names, &columns)?;
        let z1 = self.exact.predict(&data).or_raise(py)?;
        Ok(PyArray1::from_vec(py, z1))
    }
}
