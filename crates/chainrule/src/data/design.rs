//! The design matrix: what a formula makes of a data set.
//!
//! θ layout, everywhere in the project: θ[0] = θ0 (intercept) when the
//! model has one, then θ1..θd for the d features in `names` order; without
//! an intercept θ has d entries θ1..θd. The column of ones is *not* stored
//! in `x`; `intercept` says whether it is part of the model.

/// X (n × d, row-major, without the ones column) and y.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub response: String,
    /// Feature names, length d: `x`, `x^2`, `a*b`, …
    pub names: Vec<String>,
    pub intercept: bool,
    pub n: usize,
    pub d: usize,
    /// Row-major: feature j of row i is `x[i * d + j]`.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Design {
    /// Builds a design from feature columns (each of length n = `y.len()`).
    ///
    /// # Panics
    /// When the lengths disagree: that is a bug in the caller, not bad data.
    pub fn from_columns(
        response: &str,
        names: Vec<String>,
        intercept: bool,
        columns: &[Vec<f64>],
        y: Vec<f64>,
    ) -> Design {
        let (n, d) = (y.len(), columns.len());
        assert_eq!(names.len(), d, "one name per feature column");
        assert!(columns.iter().all(|c| c.len() == n), "columns of length n");
        let x = (0..n)
            .flat_map(|i| columns.iter().map(move |c| c[i]))
            .collect();
        Design {
            response: response.into(),
            names,
            intercept,
            n,
            d,
            x,
            y,
        }
    }

    /// [`from_columns`](Self::from_columns), taking the columns and
    /// releasing their rows as they are copied, so that X and the columns
    /// are never both whole in memory: X is filled from its last row back,
    /// a sixteenth of the rows at a time, and each column is then cut to
    /// the rows not yet copied. X starts as zeroed pages, resident only
    /// once written, so memory stays near the numbers' own size rather
    /// than twice it. (Sixteen cuts, not one per row: an allocator that
    /// copies to shrink copies each column a bounded number of times.)
    ///
    /// # Panics
    /// When the lengths disagree, as [`from_columns`](Self::from_columns).
    pub fn from_owned_columns(
        response: &str,
        names: Vec<String>,
        intercept: bool,
        mut columns: Vec<Vec<f64>>,
        y: Vec<f64>,
    ) -> Design {
        const CUTS: usize = 16;
        let (n, d) = (y.len(), columns.len());
        assert_eq!(names.len(), d, "one name per feature column");
        assert!(columns.iter().all(|c| c.len() == n), "columns of length n");
        let mut x = vec![0.0; n * d];
        let step = n.div_ceil(CUTS).max(1);
        let mut end = n;
        while end > 0 && d > 0 {
            let start = end.saturating_sub(step);
            for (k, row) in x[start * d..end * d].chunks_exact_mut(d).enumerate() {
                for (v, c) in row.iter_mut().zip(&columns) {
                    *v = c[start + k];
                }
            }
            for c in &mut columns {
                c.truncate(start);
                c.shrink_to_fit();
            }
            end = start;
        }
        Design {
            response: response.into(),
            names,
            intercept,
            n,
            d,
            x,
            y,
        }
    }

    /// Features of row i (length d).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Number of parameters p = d + 1 with an intercept, d without.
    pub fn p(&self) -> usize {
        self.d + usize::from(self.intercept)
    }

    /// The θ subscript of parameter slot k: θ\[k\] is θ_{k} with an intercept,
    /// θ_{k+1} without (there is no θ0 then).
    pub fn theta_subscript(&self, k: usize) -> usize {
        if self.intercept {
            k
        } else {
            k + 1
        }
    }

    /// What θ\[k\] multiplies: `None` for the intercept, else the feature name.
    pub fn param_feature(&self, k: usize) -> Option<&str> {
        let j = self.theta_subscript(k).checked_sub(1)?;
        self.names.get(j).map(String::as_str)
    }

    /// The slot k in θ of the parameter for feature `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        let j = self.names.iter().position(|n| n == name)?;
        Some(j + usize::from(self.intercept))
    }

    /// Human labels for θ in slot order: `θ0 (intercept)`, `θ1 (x)`, …
    pub fn param_names(&self) -> Vec<String> {
        (0..self.p())
            .map(|k| {
                let what = self.param_feature(k).unwrap_or("intercept");
                format!("θ{} ({what})", self.theta_subscript(k))
            })
            .collect()
    }

    /// The prediction z1 = θ0 + Σ θj·xj for row i.
    pub fn predict_row(&self, theta: &[f64], i: usize) -> f64 {
        let (theta0, slopes) = if self.intercept {
            (theta[0], &theta[1..])
        } else {
            (0.0, theta)
        };
        theta0
            + self
                .row(i)
                .iter()
                .zip(slopes)
                .map(|(x, t)| x * t)
                .sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> Design {
        Design::from_columns(
            "y",
            vec!["x".into()],
            true,
            &[vec![1.0, 2.0]],
            vec![3.0, 5.0],
        )
    }

    #[test]
    fn rows_are_row_major() {
        let d = Design::from_columns(
            "y",
            vec!["a".into(), "b".into()],
            false,
            &[vec![1.0, 2.0], vec![10.0, 20.0]],
            vec![0.0, 0.0],
        );
        assert_eq!(d.x, [1.0, 10.0, 2.0, 20.0]);
        assert_eq!(d.row(1), [2.0, 20.0]);
    }

    #[test]
    fn owned_columns_give_the_same_design() {
        // 37 rows: the sixteen cuts of 3 rows leave a short first block.
        let a: Vec<f64> = (0..37).map(|i| f64::from(i) * 0.1).collect();
        let b: Vec<f64> = (0..37).map(|i| 1.0 / f64::from(i + 1)).collect();
        let y: Vec<f64> = (0..37).map(f64::from).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let columns = vec![a, b];
        let want = Design::from_columns("y", names.clone(), true, &columns, y.clone());
        let got = Design::from_owned_columns("y", names.clone(), true, columns, y.clone());
        assert_eq!(got, want);
        let none = Design::from_owned_columns("y", vec![], false, vec![], y.clone());
        assert_eq!(none, Design::from_columns("y", vec![], false, &[], y));
    }

    #[test]
    fn params_are_named_by_theta_subscript_and_column() {
        let with = line();
        assert_eq!(with.param_names(), ["θ0 (intercept)", "θ1 (x)"]);
        assert_eq!(with.param_index("x"), Some(1));
        let mut without = line();
        without.intercept = false;
        assert_eq!(without.param_names(), ["θ1 (x)"]);
        assert_eq!(without.param_index("x"), Some(0));
        assert_eq!(without.param_feature(0), Some("x"));
    }

    #[test]
    fn predict_uses_the_theta_layout() {
        // θ0 = 1, θ1 = 2 on x = 2: 1 + 2·2 = 5.
        assert_eq!(line().predict_row(&[1.0, 2.0], 1), 5.0);
    }
}
