//! Seeded synthetic regression data with a known true θ.
//!
//! Row i draws its features x_ij ~ Uniform[X_LOW, X_HIGH) in column order,
//! then the noise e_i ~ N(0, noise²), and sets
//! y_i = θ0 + Σj θj·x_ij + e_i (no θ0 for `Origin`).
//! The stream is Xoshiro256PlusPlus seeded with `seed_from_u64(seed)`; the
//! uniform draws are made here from raw 64-bit outputs (53 high bits), so
//! they do not depend on how a rand version maps integers to floats. The
//! normal draws come from rand_distr's `Normal` (ziggurat).

use std::io::{self, Write};
use std::ops::ControlFlow;

use rand::{RngCore, SeedableRng};
use rand_distr::{Distribution, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::presets::{preset, PRESETS};
use super::write::{csv_header, push_number};
use super::{DataError, Dataset};

/// Features are drawn uniformly from `[X_LOW, X_HIGH)`: centred on 0, so
/// the intercept and slope directions are orthogonal on average and plain
/// gradient descent converges without standardizing.
pub const X_LOW: f64 = -3.0;
pub const X_HIGH: f64 = 3.0;

/// The models that data can be drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthModel {
    /// y = 2·x: θ = \[θ1\] = \[2\], no intercept; column `x`.
    Origin,
    /// y = 1 + 2·x: θ = [θ0, θ1] = [1, 2]; column `x`.
    Line,
    /// y = 1 + 2·x1 − 3·x2: θ = [1, 2, −3]; columns `x1`, `x2`.
    Plane,
    /// d features `x1..xd` with θ0 = 1, θj = (−1)^(j+1)·(j+1):
    /// [1, 2, −3, 4, −5, …]; `Features(2)` is the plane.
    Features(usize),
}

impl SynthModel {
    /// The preset's model (`origin`, `line`, `plane`).
    pub fn from_name(name: &str) -> Option<Self> {
        preset(name).map(|p| p.synth)
    }

    pub fn intercept(self) -> bool {
        !matches!(self, SynthModel::Origin)
    }

    /// The number of feature columns (without `y`).
    pub fn features(self) -> usize {
        match self {
            SynthModel::Origin | SynthModel::Line => 1,
            SynthModel::Plane => 2,
            SynthModel::Features(d) => d,
        }
    }

    pub fn feature_names(self) -> Vec<String> {
        match self {
            SynthModel::Origin | SynthModel::Line => vec!["x".into()],
            SynthModel::Plane => SynthModel::Features(2).feature_names(),
            SynthModel::Features(d) => (1..=d).map(|j| format!("x{j}")).collect(),
        }
    }

    /// θ in the project's layout: θ0 first when there is an intercept.
    pub fn true_theta(self) -> Vec<f64> {
        match self {
            SynthModel::Origin | SynthModel::Line | SynthModel::Plane => PRESETS
                .iter()
                .find(|p| p.synth == self)
                .expect("the lesson models are presets")
                .truth
                .to_vec(),
            SynthModel::Features(d) => std::iter::once(1.0)
                .chain((1..=d).map(|j| {
                    let size = (j + 1) as f64;
                    if j % 2 == 1 {
                        size
                    } else {
                        -size
                    }
                }))
                .collect(),
        }
    }
}

/// n rows from `model` with noise standard deviation `noise`; returns the
/// data (features, then `y`) and the true θ. Same arguments ⇒ same data:
/// the rows of [`SynthRows`], gathered into columns.
pub fn synth(
    model: SynthModel,
    n: usize,
    noise: f64,
    seed: u64,
) -> Result<(Dataset, Vec<f64>), DataError> {
    let mut rows = SynthRows::new(model, n, noise, seed)?;
    // Reserved fallibly, before anything else of size n: a count beyond
    // memory is an error, not an abort.
    let width = rows.width();
    let no_memory = |_| DataError::Synth {
        message: format!("{n} rows × {width} columns do not fit in memory"),
    };
    let mut columns: Vec<Vec<f64>> = Vec::new();
    columns.try_reserve_exact(width).map_err(no_memory)?;
    for _ in 0..width {
        let mut column = Vec::new();
        column.try_reserve_exact(n).map_err(no_memory)?;
        columns.push(column);
    }
    while let Some(row) = rows.next_row() {
        for (column, &v) in columns.iter_mut().zip(row) {
            column.push(v);
        }
    }
    Ok((Dataset::new(rows.names(), columns)?, rows.theta))
}

/// The rows of [`synth`] one at a time, so that any number of them can be
/// written in the memory of one row (`write_csv_rows`).
pub struct SynthRows {
    model: SynthModel,
    /// The true θ, θ0 first when there is an intercept.
    pub theta: Vec<f64>,
    normal: Normal<f64>,
    rng: Xoshiro256PlusPlus,
    /// Rows still to draw, of n.
    left: usize,
    n: usize,
    /// The row last drawn: the features x_ij, then y_i.
    row: Vec<f64>,
}

impl SynthRows {
    pub fn new(model: SynthModel, n: usize, noise: f64, seed: u64) -> Result<Self, DataError> {
        let bad = |message: String| Err(DataError::Synth { message });
        if n == 0 {
            return bad("the number of rows must be at least 1".into());
        }
        if !(noise.is_finite() && noise >= 0.0) {
            return bad(format!("noise must be a finite number ≥ 0, got {noise}"));
        }
        if model == SynthModel::Features(0) {
            return bad("the number of features must be at least 1".into());
        }
        // A row is d + 1 numbers: reserved fallibly, so that a d beyond
        // memory is an error, not an abort.
        let width = model.features().saturating_add(1);
        let mut row = Vec::new();
        if row.try_reserve_exact(width).is_err() {
            return bad(format!(
                "rows of {width} cells do not fit in memory; ask for fewer features"
            ));
        }
        row.resize(width, 0.0);
        let normal = Normal::new(0.0, noise).map_err(|e| DataError::Synth {
            message: e.to_string(),
        })?;
        Ok(SynthRows {
            model,
            theta: model.true_theta(),
            normal,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            left: n,
            n,
            row,
        })
    }

    /// Rows in all.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Columns of a row: the features, then y.
    pub fn width(&self) -> usize {
        self.model.features() + 1
    }

    /// The column names: `x…`, then `y`.
    pub fn names(&self) -> Vec<String> {
        let mut names = self.model.feature_names();
        names.push("y".into());
        names
    }

    /// The next row (the features x_ij, then y_i; [`Self::width`] values),
    /// or `None` once all n are drawn.
    pub fn next_row(&mut self) -> Option<&[f64]> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (theta0, slopes) = if self.model.intercept() {
            (self.theta[0], &self.theta[1..])
        } else {
            (0.0, &self.theta[..])
        };
        let (x, y) = self.row.split_at_mut(slopes.len());
        let mut sum = theta0;
        for (x, &t) in x.iter_mut().zip(slopes) {
            *x = X_LOW + (X_HIGH - X_LOW) * unit_interval(&mut self.rng);
            sum += t * *x;
        }
        y[0] = sum + self.normal.sample(&mut self.rng);
        Some(&self.row)
    }
}

/// Rows written between two calls of `write_csv_rows`'s `on_rows`.
pub const ROWS_PER_REPORT: usize = 1 << 16;

/// Writes the rows as CSV text with separator `sep`: the very bytes that
/// `to_csv_string` gives for [`synth`]'s data, in the memory of one row
/// (and a buffer).
/// `on_rows(k)` is told of every `k` rows written (at most
/// [`ROWS_PER_REPORT`]); `Break` stops there, with `Ok(false)`.
pub fn write_csv_rows(
    rows: &mut SynthRows,
    out: &mut dyn Write,
    sep: char,
    on_rows: &mut dyn FnMut(usize) -> ControlFlow<()>,
) -> io::Result<bool> {
    // Text goes out in pieces of about BUFFER bytes (a row of many
    // features may be longer), so memory stays that of one row.
    const BUFFER: usize = 1 << 16;
    let mut text = csv_header(&rows.names(), sep).into_bytes();
    let mut sep_bytes = [0u8; 4];
    let sep_bytes = sep.encode_utf8(&mut sep_bytes).as_bytes();
    let mut since = 0;
    while let Some(row) = rows.next_row() {
        for (j, &v) in row.iter().enumerate() {
            if j > 0 {
                text.extend_from_slice(sep_bytes);
            }
            push_number(&mut text, v);
            if text.len() >= BUFFER {
                out.write_all(&text)?;
                text.clear();
            }
        }
        text.push(b'\n');
        since += 1;
        if since == ROWS_PER_REPORT || rows.left == 0 {
            out.write_all(&text)?;
            text.clear();
            if on_rows(std::mem::take(&mut since)).is_break() {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// A uniform draw from [0, 1): the 53 high bits of one output, times 2⁻⁵³.
fn unit_interval(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = synth(SynthModel::Plane, 50, 0.1, 7).unwrap();
        let b = synth(SynthModel::Plane, 50, 0.1, 7).unwrap();
        let c = synth(SynthModel::Plane, 50, 0.1, 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.0.columns, c.0.columns);
    }

    #[test]
    fn presets_have_documented_theta_and_names() {
        // The θ values are the lesson presets' (data/presets.rs).
        let (d, t) = synth(SynthModel::Origin, 3, 0.0, 1).unwrap();
        assert_eq!(
            (d.names.clone(), t),
            (vec!["x".into(), "y".into()], vec![2.0])
        );
        assert_eq!(SynthModel::Line.true_theta(), [1.0, 2.0]);
        assert_eq!(SynthModel::Plane.true_theta(), [1.0, 2.0, -3.0]);
        assert_eq!(
            SynthModel::Features(4).true_theta(),
            [1.0, 2.0, -3.0, 4.0, -5.0]
        );
        assert_eq!(SynthModel::Plane.feature_names(), ["x1", "x2"]);
    }

    #[test]
    fn zero_noise_lies_exactly_on_the_model() {
        let (d, t) = synth(SynthModel::Plane, 20, 0.0, 3).unwrap();
        for i in 0..d.n_rows() {
            let (x1, x2, y) = (d.columns[0][i], d.columns[1][i], d.columns[2][i]);
            assert!((X_LOW..X_HIGH).contains(&x1) && (X_LOW..X_HIGH).contains(&x2));
            assert_eq!(y, t[0] + t[1] * x1 + t[2] * x2);
        }
    }

    #[test]
    fn noise_has_the_requested_spread() {
        // y − (1 + 2x) is the noise; its sample sd over n = 20_000 draws has
        // standard error ≈ σ/√(2n) = 0.5/200 = 0.0025, so 0.02 is > 8 SE.
        let (d, _) = synth(SynthModel::Line, 20_000, 0.5, 11).unwrap();
        let e: Vec<f64> = (0..d.n_rows())
            .map(|i| d.columns[1][i] - (1.0 + 2.0 * d.columns[0][i]))
            .collect();
        let mean = e.iter().sum::<f64>() / e.len() as f64;
        let sd = (e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / e.len() as f64).sqrt();
        assert!(mean.abs() < 0.02 && (sd - 0.5).abs() < 0.02, "{mean} {sd}");
    }

    #[test]
    fn written_rows_are_the_in_memory_csv() {
        // The law: streaming changes how the bytes are made, not which.
        // 70,000 rows: more than one block of ROWS_PER_REPORT (65,536).
        for (model, n, sep) in [
            (SynthModel::Plane, 70_000, ','),
            (SynthModel::Origin, 5, '\t'),
            (SynthModel::Features(3_000), 3, ','),
        ] {
            let (data, _) = synth(model, n, 0.3, 9).unwrap();
            let mut rows = SynthRows::new(model, n, 0.3, 9).unwrap();
            let mut out = Vec::new();
            let mut told = Vec::new();
            let done = write_csv_rows(&mut rows, &mut out, sep, &mut |k| {
                told.push(k);
                ControlFlow::Continue(())
            })
            .unwrap();
            assert!(done);
            assert!(out == crate::data::to_csv_string(&data, sep).into_bytes());
            assert_eq!(told.iter().sum::<usize>(), n);
            assert!(told.iter().all(|&k| k <= ROWS_PER_REPORT));
        }
    }

    #[test]
    fn a_break_stops_the_writing_after_that_block() {
        let mut rows = SynthRows::new(SynthModel::Line, 200_000, 0.1, 1).unwrap();
        let mut out = Vec::new();
        let done =
            write_csv_rows(&mut rows, &mut out, ',', &mut |_| ControlFlow::Break(())).unwrap();
        assert!(!done);
        // The header and the first block of rows only.
        let lines = out.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(lines, 1 + ROWS_PER_REPORT);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(synth(SynthModel::Line, 0, 0.1, 1).is_err());
        assert!(synth(SynthModel::Line, 5, -1.0, 1).is_err());
        assert!(synth(SynthModel::Line, 5, f64::NAN, 1).is_err());
        assert!(synth(SynthModel::Features(0), 5, 0.1, 1).is_err());
    }
}
