//! Where numbers cross from Python: 1-D float64 columns become a
//! `Dataset` (copied: the library's data owns its columns), and a 2-D
//! float64 matrix with its response is read in place when C-contiguous
//! (numpy's default layout is the design's row-major layout) and copied
//! once into that layout otherwise. Nothing is parsed from text.

use std::borrow::Cow;

use chainrule::Dataset;
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::error::{input, OrRaise};

/// The first non-finite entry's index, in one branch-free pass per chunk
/// (a NaN or ±inf has every exponent bit set).
fn first_non_finite(values: &[f64]) -> Option<usize> {
    const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
    const CHUNK: usize = 4096;
    let bad = |v: &f64| v.to_bits() & EXPONENT == EXPONENT;
    values.chunks(CHUNK).enumerate().find_map(|(c, chunk)| {
        chunk
            .iter()
            .fold(false, |any, v| any | bad(v))
            .then(|| c * CHUNK + chunk.iter().position(bad).expect("one is bad"))
    })
}

fn refuse_non_finite(py: Python<'_>, column: &str, row: usize, value: f64) -> PyErr {
    input(
        py,
        format!(
            "column \"{column}\" is {value} at row {row} (rows count from 1): chainrule reads \
             finite numbers only; drop or fill the missing values first (pandas: df.dropna())"
        ),
    )
}

/// A 1-D array as a slice, in place when contiguous.
fn column<'a>(array: &'a PyReadonlyArray1<'_, f64>) -> Cow<'a, [f64]> {
    match array.as_slice() {
        Ok(values) => Cow::Borrowed(values),
        Err(_) => Cow::Owned(array.as_array().to_vec()),
    }
}

/// Named columns as the library's `Dataset`, each checked finite.
pub fn dataset(
    py: Python<'_>,
    names: Vec<String>,
    columns: &[PyReadonlyArray1<'_, f64>],
) -> PyResult<Dataset> {
    let mut owned = Vec::with_capacity(columns.len());
    for (name, array) in names.iter().zip(columns) {
        let values = column(array);
        if let Some(i) = first_non_finite(&values) {
            return Err(refuse_non_finite(py, name, i + 1, values[i]));
        }
        owned.push(values.into_owned());
    }
    Dataset::new(names, owned).or_raise(py)
}

/// A design matrix X (n × d) and its response y, as the library's row-major
/// slices: borrowed from numpy when X is C-contiguous. Its numbers are not
/// checked finite until asked (`check_finite`).
pub struct Matrix<'a> {
    pub x: Cow<'a, [f64]>,
    pub y: Cow<'a, [f64]>,
}

impl<'a> Matrix<'a> {
    /// X's columns are `names`.
    pub fn new(
        py: Python<'_>,
        names: &[String],
        x: &'a PyReadonlyArray2<'_, f64>,
        y: &'a PyReadonlyArray1<'_, f64>,
    ) -> PyResult<Matrix<'a>> {
        let [n, d] = [x.shape()[0], x.shape()[1]];
        if d != names.len() {
            return Err(input(
                py,
                format!(
                    "X has {d} columns but {} names were given ({})",
                    names.len(),
                    names.join(", ")
                ),
            ));
        }
        if y.len() != n {
            return Err(input(
                py,
                format!("X has {n} rows but y has {}: give one y per row", y.len()),
            ));
        }
        let x = match x.as_slice() {
            Ok(values) if x.is_c_contiguous() => Cow::Borrowed(values),
            _ => Cow::Owned(x.as_array().iter().copied().collect()),
        };
        Ok(Matrix { x, y: column(y) })
    }

    /// Refuses a NaN or ±inf, naming its column and row. Not checked up
    /// front (a pass over every number, a third of a short run's time): any
    /// such number makes J or θ non-finite, so callers look when a result
    /// is, and then say where.
    pub fn check_finite(&self, py: Python<'_>, names: &[String], response: &str) -> PyResult<()> {
        if let Some(i) = first_non_finite(&self.x) {
            let d = names.len();
            return Err(refuse_non_finite(py, &names[i % d], i / d + 1, self.x[i]));
        }
        if let Some(i) = first_non_finite(&self.y) {
            return Err(refuse_non_finite(py, response, i + 1, self.y[i]));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_non_finite;

    #[test]
    fn finds_the_first_nan_or_infinity_across_chunks() {
        let mut v = vec![1.0; 10_000];
        assert_eq!(first_non_finite(&v), None);
        v[9_000] = f64::INFINITY;
        v[5_000] = f64::NAN;
        assert_eq!(first_non_finite(&v), Some(5_000));
        // f64::MAX is finite: only an all-ones exponent is refused.
        assert_eq!(first_non_finite(&[f64::MAX, -f64::MAX, 0.0]), None);
    }
}
