//! The library's front door: a linear model named by a formula, fitted by
//! gradient descent through the computational graph (or the fused kernel)
//! or in closed form, then used to predict and saved to a model file.
//!
//! ```
//! use chainrule::{Dataset, LinearRegression, Mode};
//!
//! // y = 1 + 2·x, exactly: θ0 = 1, θ1 = 2 is the least-squares answer.
//! let x = vec![0.0, 1.0, 2.0, 3.0];
//! let y = x.iter().map(|x| 1.0 + 2.0 * x).collect();
//! let data = Dataset::new(vec!["x".into(), "y".into()], vec![x, y])?;
//!
//! // The defaults are correct ones: standardized features, lr auto, a stop
//! // once ‖∂J/∂θ‖ ≤ 1e-12·‖∂J/∂θ at θ = 0‖.
//! let model = LinearRegression::new("y ~ x")?.mode(Mode::Vectorized);
//! let fitted = model.fit(&data)?;
//! assert!((fitted.theta()[1] - 2.0).abs() < 1e-9);
//!
//! let exact = model.fit_exact(&data)?;
//! assert!((exact.theta()[0] - 1.0).abs() < 1e-12);
//!
//! let new = Dataset::new(vec!["x".into()], vec![vec![10.0]])?;
//! assert!((fitted.predict(&new)?[0] - 21.0).abs() < 1e-7);
//! # Ok::<(), chainrule::Error>(())
//! ```

use std::path::{Path, PathBuf};

use crate::data::{Dataset, Design, ReadOptions};
use crate::error::{Error, Result};
use crate::model::formula::{Coding, Expr, Formula, Term};
use crate::model::{Batch, Engine, LinearModel, Mode};
use crate::solve::{
    least_squares, least_squares_rows, metrics, metrics_rows, DesignRows, Solution,
};
use crate::source::{fit_one_pass, fit_stream, open, OpenOptions};
use crate::train::{
    train, Fit, LearningRate, Metrics, ModelFile, Observer, Quiet, StopReason, TrainConfig,
};

/// A linear model y = θ0 + Σ θj·xj named by an R-style formula, with the
/// settings of its training. Build it, then [`fit`](Self::fit) (gradient
/// descent) or [`fit_exact`](Self::fit_exact) (closed form).
#[derive(Clone, Debug)]
pub struct LinearRegression {
    formula: Formula,
    config: TrainConfig,
}

impl LinearRegression {
    /// A model from a formula such as `"y ~ x1 + x2"`, `"y ~ x - 1"` or
    /// `"y ~ poly(x, 3)"`, or a preset name (`origin`, `line`, `plane`).
    /// Defaults ([`TrainConfig::default`]): mode vectorized, full batch,
    /// standardized features, the automatic learning rate, at most 1000
    /// epochs, stopping once ‖∂J/∂θ‖ ≤ 1e-12·‖∂J/∂θ at θ = 0‖. For the
    /// lessons' plain update, [`standardize(false)`](Self::standardize).
    pub fn new(formula: &str) -> Result<Self> {
        let formula = match Formula::preset(formula) {
            Some(f) => f,
            None => Formula::parse(formula)?,
        };
        Ok(LinearRegression {
            formula,
            config: TrainConfig::default(),
        })
    }

    /// How the gradient is computed: one sample, unrolled branches, or
    /// vectorized (the batch as matrices).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.config.mode = mode;
        self
    }

    /// A fixed learning rate.
    pub fn lr(mut self, lr: f64) -> Self {
        self.config.lr = LearningRate::Fixed(lr);
        self
    }

    /// The learning rate 1/λmax of the cost's Hessian: the largest step
    /// for which full-batch descent never goes up.
    pub fn lr_auto(mut self) -> Self {
        self.config.lr = LearningRate::Auto;
        self
    }

    pub fn epochs(mut self, epochs: usize) -> Self {
        self.config.epochs = epochs;
        self
    }

    /// Rows per step (default: the mode's — 1, 2, or every row).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.config.batch_size = Some(rows);
        self
    }

    /// Seed of the row shuffle, so a run can be repeated.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Shuffle rows each epoch (default: when batches are smaller than the data).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.config.shuffle = Some(shuffle);
        self
    }

    /// Stop once ‖∂J/∂θ‖ over every row is at most this fraction of its
    /// norm at θ = 0 (training units): then ‖θ − θ̂‖/‖θ̂‖ ≤ κ(H)·tol, with
    /// κ(H) the condition number of the cost's Hessian. 0 runs every
    /// epoch; a negative or non-finite tolerance is refused when training.
    pub fn tol(mut self, tol: f64) -> Self {
        self.config.tol = Some(tol);
        self
    }

    /// Train on standardized features (θ is reported in original units);
    /// on by default. `false` is plain descent on the features as they
    /// are, the lessons' update, which crawls when their scales differ.
    pub fn standardize(mut self, on: bool) -> Self {
        self.config.standardize = on;
        self
    }

    /// What computes the gradient: the graph, or the fused kernel.
    pub fn engine(mut self, engine: Engine) -> Self {
        self.config.engine = Some(engine);
        self
    }

    /// The formula, parsed.
    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// The training settings as they stand.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Trains by gradient descent from θ = 0 on `data`.
    pub fn fit(&self, data: &Dataset) -> Result<Fitted> {
        self.fit_observed(data, &mut Quiet)
    }

    /// [`fit`](Self::fit), with an observer that sees every step and epoch
    /// and may stop the run early (the fit so far is returned).
    pub fn fit_observed(&self, data: &Dataset, observer: &mut dyn Observer) -> Result<Fitted> {
        let coding = self.formula.coding(data)?;
        let design = self.formula.design_coded(data, &coding)?;
        let mut config = self.config.clone();
        config.engine = Some(
            config
                .resolved_engine()
                .map_err(crate::train::TrainError::BadEngine)?,
        );
        let model = LinearModel::new(design.d, design.intercept);
        let batch = Batch::new(&design.x, &design.y, design.d);
        let fit = train(batch, model, &config, None, observer)?;
        let m = metrics(&design, &fit.theta);
        let file = ModelFile::new(
            self.formula.to_string(),
            design.response.clone(),
            design.names.clone(),
            design.intercept,
            config,
            &fit,
            Metrics {
                j: m.mse,
                rmse: m.rmse,
                r_squared: m.r_squared,
            },
        )
        .with_coding(Some(&coding));
        Ok(Fitted {
            formula: self.formula.clone(),
            file,
            fit: Some(fit),
        })
    }

    /// [`fit_observed`](Self::fit_observed) on a design matrix the caller
    /// holds already: `x` row-major n × d with one column per entry of
    /// `names`, and the response `y`. The formula must take exactly these
    /// columns as its features, in order (`y ~ x1 + x2`, `y ~ x1 + x2 - 1`);
    /// the rows are then read in place, never copied (the Python binding
    /// hands numpy's memory over this way).
    pub fn fit_matrix(
        &self,
        names: &[String],
        x: &[f64],
        y: &[f64],
        observer: &mut dyn Observer,
    ) -> Result<Fitted> {
        let d = self.matrix_features(names, x, y)?;
        let (intercept, response) = (self.formula.intercept, self.formula.response_name());
        let mut config = self.config.clone();
        config.engine = Some(
            config
                .resolved_engine()
                .map_err(crate::train::TrainError::BadEngine)?,
        );
        let fit = train(
            Batch::new(x, y, d),
            LinearModel::new(d, intercept),
            &config,
            None,
            observer,
        )?;
        let m = metrics_rows(x, y, d, intercept, &fit.theta);
        let file = ModelFile::new(
            self.formula.to_string(),
            response,
            names.to_vec(),
            intercept,
            config,
            &fit,
            Metrics {
                j: m.mse,
                rmse: m.rmse,
                r_squared: m.r_squared,
            },
        );
        Ok(Fitted {
            formula: self.formula.clone(),
            file,
            fit: Some(fit),
        })
    }

    /// [`fit_exact`](Self::fit_exact) on a design matrix laid out as for
    /// [`fit_matrix`](Self::fit_matrix), read in place.
    pub fn fit_exact_matrix(&self, names: &[String], x: &[f64], y: &[f64]) -> Result<Exact> {
        self.matrix_features(names, x, y)?;
        let solution = least_squares_rows(DesignRows {
            response: &self.formula.response_name(),
            names,
            intercept: self.formula.intercept,
            x,
            y,
        })?;
        Ok(Exact {
            formula: self.formula.clone(),
            response: self.formula.response_name(),
            features: names.to_vec(),
            intercept: self.formula.intercept,
            coding: Coding::default(),
            solution,
        })
    }

    /// d, once the matrix is n × d for n = `y.len()` and the formula's
    /// features on columns `names` are `names` themselves (plain columns:
    /// no power, product or `poly` to compute).
    fn matrix_features(&self, names: &[String], x: &[f64], y: &[f64]) -> Result<usize> {
        let d = names.len();
        if x.len() != y.len() * d {
            return Err(Error::Mismatch(format!(
                "the matrix holds {} numbers, but {} rows of {d} columns need {}",
                x.len(),
                y.len(),
                y.len() * d
            )));
        }
        let Expr::Column(response) = &self.formula.response else {
            return Err(Error::Mismatch(format!(
                "the formula `{}` transforms the response, but a matrix fit takes y as given; \
                 transform y before handing it over and write the response as a column",
                self.formula
            )));
        };
        let mut columns = names.to_vec();
        columns.push(response.clone());
        let empty = Dataset::new(columns, vec![Vec::new(); d + 1])?;
        let features = self.formula.feature_names(&empty)?;
        if features != names {
            return Err(Error::Mismatch(format!(
                "the formula `{}` makes the features [{}] from the columns [{}]; a matrix can \
                 only be fitted by a formula that takes its columns as they are, in order \
                 (give named columns for powers, products and poly)",
                self.formula,
                features.join(", "),
                names.join(", ")
            )));
        }
        Ok(d)
    }

    /// [`fit_exact`](Self::fit_exact) on CSV/TSV files read as one data
    /// set, as `chainrule fit` reads them: in one parallel pass, summed in
    /// double-double, where that gives the same answer to the last digit
    /// (`source::fit_one_pass`: the file's cells are plain numbers, the
    /// design well conditioned); otherwise one file is read into memory and
    /// several are streamed, TSQR and refinement. The data as written are
    /// not carried beyond f64 (the CLI's decimal refit).
    pub fn fit_exact_csv(&self, paths: &[PathBuf]) -> Result<Exact> {
        let read = ReadOptions::default();
        let exact = |solution, design: &Design, coding: Option<&Coding>| Exact {
            formula: self.formula.clone(),
            response: design.response.clone(),
            features: design.names.clone(),
            intercept: design.intercept,
            coding: coding.cloned().unwrap_or_default(),
            solution,
        };
        if let Some((s, design)) = fit_one_pass(paths, &self.formula, &read, &mut Quiet)? {
            return Ok(exact(s, &design, None));
        }
        let options = OpenOptions {
            read,
            ..OpenOptions::default()
        };
        let mut opened = open(paths, &self.formula, &options, &mut Quiet)?;
        let source = &mut *opened.source;
        Ok(match source.design() {
            Some(design) => exact(least_squares(design)?, design, source.coding()),
            None => {
                let s = fit_stream(source, &mut Quiet)?;
                exact(s, &source.empty_design(), None)
            }
        })
    }

    /// The closed-form least-squares θ (Householder QR with refinement),
    /// with standard errors: the referee training is checked against.
    pub fn fit_exact(&self, data: &Dataset) -> Result<Exact> {
        let coding = self.formula.coding(data)?;
        let design = self.formula.design_coded(data, &coding)?;
        let solution = least_squares(&design)?;
        Ok(Exact {
            formula: self.formula.clone(),
            response: design.response.clone(),
            features: design.names.clone(),
            intercept: design.intercept,
            coding,
            solution,
        })
    }
}

/// A model trained by gradient descent: θ, how it got there, and what it
/// predicts. Saved and loaded as the CLI's model file.
#[derive(Clone, Debug)]
pub struct Fitted {
    formula: Formula,
    file: ModelFile,
    /// The whole run (per-step J, θ path); `None` once loaded from a file.
    fit: Option<Fit>,
}

impl Fitted {
    /// θ in original units: θ0 first when the model has an intercept.
    pub fn theta(&self) -> &[f64] {
        &self.file.theta
    }

    /// θ's names in order: `θ0`, then one per feature (`x1`, `x^2` …).
    pub fn names(&self) -> Vec<String> {
        param_names(&self.file.features, self.file.intercept)
    }

    /// J, RMSE and R² on the training data.
    pub fn metrics(&self) -> &Metrics {
        &self.file.metrics
    }

    /// J of each epoch.
    pub fn history(&self) -> &[f64] {
        &self.file.history
    }

    /// Why training stopped.
    pub fn stop(&self) -> StopReason {
        self.file.stop
    }

    /// The run's full record (per-step J, θ path), when trained in this
    /// process rather than loaded.
    pub fn run(&self) -> Option<&Fit> {
        self.fit.as_ref()
    }

    /// Everything the model file holds.
    pub fn model_file(&self) -> &ModelFile {
        &self.file
    }

    /// z1 = θ0 + Σ θj·xj for each row of `data`, which needs the formula's
    /// input columns (the response may be absent).
    pub fn predict(&self, data: &Dataset) -> Result<Vec<f64>> {
        predict(
            &self.formula,
            &self.file.response,
            &self.file.features,
            &self.file.theta,
            &self.file.coding(),
            data,
        )
    }

    /// The design [`predict`](Self::predict) builds from new rows: the
    /// model's features, checked against those it was fitted on (for
    /// intervals, which need each row's features).
    pub fn design(&self, data: &Dataset) -> Result<Design> {
        features_of(
            &self.formula,
            &self.file.response,
            &self.file.features,
            &self.file.coding(),
            data,
        )
    }

    /// Writes the model file atomically (a reader sees the old file or the
    /// new one, never half).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        self.file
            .save(path)
            .map_err(|source| crate::data::DataError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(())
    }

    /// Reads and checks a model file written by [`save`](Self::save) or
    /// `chainrule train --out`.
    pub fn load(path: impl AsRef<Path>) -> Result<Fitted> {
        let path = path.as_ref();
        let file = ModelFile::load(path)?;
        Self::from_model_file(file)
    }

    /// A fitted model from a model file's contents.
    pub fn from_model_file(file: ModelFile) -> Result<Fitted> {
        let formula = Formula::parse(&file.formula)?;
        Ok(Fitted {
            formula,
            file,
            fit: None,
        })
    }
}

/// The closed-form least-squares fit and its statistics.
#[derive(Clone, Debug)]
pub struct Exact {
    formula: Formula,
    response: String,
    features: Vec<String>,
    intercept: bool,
    /// The categorical levels θ was fitted with.
    coding: Coding,
    solution: Solution,
}

impl Exact {
    /// θ̂ = argmin ‖y − A·θ‖², θ0 first when the model has an intercept.
    pub fn theta(&self) -> &[f64] {
        &self.solution.theta
    }

    /// The formula it was fitted with.
    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// θ's names in order, as [`Fitted::names`].
    pub fn names(&self) -> Vec<String> {
        param_names(&self.features, self.intercept)
    }

    /// Standard errors, t statistics, R², rank and warnings.
    pub fn solution(&self) -> &Solution {
        &self.solution
    }

    /// Predictions for each row of `data`, as [`Fitted::predict`].
    pub fn predict(&self, data: &Dataset) -> Result<Vec<f64>> {
        predict(
            &self.formula,
            &self.response,
            &self.features,
            &self.solution.theta,
            &self.coding,
            data,
        )
    }
}

fn param_names(features: &[String], intercept: bool) -> Vec<String> {
    intercept
        .then(|| "θ0".to_string())
        .into_iter()
        .chain(features.iter().cloned())
        .collect()
}

/// z1 for each row of the design [`features_of`] builds.
fn predict(
    formula: &Formula,
    response: &str,
    features: &[String],
    theta: &[f64],
    coding: &Coding,
    data: &Dataset,
) -> Result<Vec<f64>> {
    let design = features_of(formula, response, features, coding, data)?;
    Ok((0..design.n)
        .map(|i| design.predict_row(theta, i))
        .collect())
}

/// The model's features built from new rows, checked by name against the
/// features it was fitted on: the one place new data meets the formula.
fn features_of(
    formula: &Formula,
    response: &str,
    features: &[String],
    coding: &Coding,
    data: &Dataset,
) -> Result<Design> {
    let dotted;
    let data = if formula.terms.contains(&Term::Dot) {
        dotted = fitted_columns_only(formula, features, coding, response, data)?;
        &dotted
    } else {
        data
    };
    // The response is never read: it may be absent, empty or unknown.
    let design = formula.design_predictors(data, coding)?;
    if design.names != features {
        return Err(Error::Mismatch(format!(
            "{}: the formula `{formula}` gives the features [{}] here, but the model was fitted \
             on [{}]; give the data the columns the model was fitted on",
            data.path
                .as_ref()
                .map_or("data".to_string(), |p| p.display().to_string()),
            design.names.join(", "),
            features.join(", ")
        )));
    }
    Ok(design)
}

/// For a formula with `.`: the new rows' columns cut down to the features
/// the model was fitted on (in the model's order) and those its other terms
/// name. `.` is never re-expanded against the new file, so its column order
/// and any extra columns do not matter; a missing feature is named by the
/// check that follows.
fn fitted_columns_only(
    formula: &Formula,
    features: &[String],
    coding: &Coding,
    response: &str,
    data: &Dataset,
) -> Result<Dataset> {
    let named = formula.terms.iter().flat_map(|t| t.columns());
    // A categorical column's features are named by level; its coding key
    // (a bare column's) is the column.
    let categorical = coding.levels.keys().map(String::as_str);
    let mut names: Vec<&str> = Vec::new();
    for c in features
        .iter()
        .map(String::as_str)
        .chain(named)
        .chain(categorical)
        .chain([response])
    {
        if data.index_of(c).is_some() && !names.contains(&c) {
            names.push(c);
        }
    }
    let columns = names
        .iter()
        .map(|c| data.columns[data.index_of(c).expect("kept only present columns")].clone())
        .collect();
    let mut kept = Dataset::new(names.into_iter().map(String::from).collect(), columns)?;
    kept.path = data.path.clone();
    kept.lines = data.lines.clone();
    kept.text = (data.text.iter())
        .filter(|t| coding.levels.contains_key(&t.name))
        .cloned()
        .collect();
    Ok(kept)
}
