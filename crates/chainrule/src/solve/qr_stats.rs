//! The closed form's mergeable value: the R factor of [A | y] (TSQR).
//!
//! With A = [1 | X] (n × p) and y, the QR factorization [A | y] = Q·R has
//! an (p+1) × (p+1) upper triangular R, and since Q has orthonormal columns
//! that span every column of [A | y], for every θ
//!
//! ‖y − A·θ‖ = ‖R_y − R_A·θ‖   (R_A: R's first p columns, R_y: its last),
//!
//! exactly. So R is all least squares needs, whatever n is. R merges: the R
//! of two blocks stacked is the R of [R₁; R₂] (Demmel et al., "TSQR"), and
//! a block of rows folds in the same way. Householder on the stacked rows is
//! backward stable, like the in-memory QR; unlike the normal equations AᵀA
//! it never squares the condition number. Signs are normalized (R's
//! diagonal ≥ 0), so R is unique for a full-rank [A | y] and blocks merged
//! in any order agree to rounding.
//!
//! The p × p Gram matrix AᵀA = R_AᵀR_A also gives the Hessian (2/n)·AᵀA for
//! `--lr auto` and the column means and deviations for `--standardize`.

use super::{least_squares, least_squares_at, DesignRows, FitOptions, Solution, SolveError};
use crate::data::Design;
use crate::model::{Batch, LinearModel};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QrStats {
    /// Rows folded in.
    pub count: u64,
    /// Columns of [A | y]: p + 1.
    pub m: usize,
    /// R, m × m row-major (zeros below the diagonal).
    pub r: Vec<f64>,
}

/// Rows stacked under R before one Householder sweep: enough to amortize
/// the sweep, small enough to stay in L1 (128 × 4 f64 = 4 KiB).
const BLOCK: usize = 128;

impl QrStats {
    /// No rows yet, for `n_params` = p parameters.
    pub fn empty(n_params: usize) -> Self {
        let m = n_params + 1;
        QrStats {
            count: 0,
            m,
            r: vec![0.0; m * m],
        }
    }

    /// Folds in the rows of `batch` as rows [1 | x | y] of [A | y].
    pub fn add_batch(&mut self, batch: Batch<'_>, model: &LinearModel) {
        let m = self.m;
        assert_eq!(model.n_params() + 1, m, "θ length matches the statistics");
        let mut block = Vec::with_capacity(BLOCK * m);
        for start in (0..batch.len()).step_by(BLOCK) {
            let end = (start + BLOCK).min(batch.len());
            block.clear();
            for i in start..end {
                if model.intercept {
                    block.push(1.0);
                }
                block.extend_from_slice(batch.row(i));
                block.push(batch.y[i]);
                debug_assert_eq!(block.len() % m, 0);
            }
            self.fold_rows(&mut block);
        }
        self.count += batch.len() as u64;
    }

    /// Adds `other`'s rows: R of [R_self; R_other].
    pub fn merge(&mut self, other: &QrStats) {
        assert_eq!(self.m, other.m, "merging statistics of different models");
        let mut rows = other.r.clone();
        self.fold_rows(&mut rows);
        self.count += other.count;
    }

    /// R ← the R of [R; rows] (rows row-major, m wide), by one Householder
    /// reflection per column acting on R's row k and the block's column k.
    /// `rows` is overwritten.
    fn fold_rows(&mut self, rows: &mut [f64]) {
        let m = self.m;
        let b = rows.len() / m;
        for k in 0..m {
            // Everything in this reflection is computed on column k divided
            // by a power of two near its largest entry: exact (so ordinary
            // data keep their bits), and no square overflows for entries
            // near 1e160 or underflows near 1e-160.
            let x0 = self.r[k * m + k];
            let big = (0..b).fold(x0.abs(), |a, i| a.max(rows[i * m + k].abs()));
            if big == 0.0 || !big.is_finite() {
                continue;
            }
            let s = 2f64.powi((big.log2().floor() as i32).clamp(-1000, 1000));
            let x0 = x0 / s;
            let tail: f64 = (0..b).map(|i| (rows[i * m + k] / s).powi(2)).sum();
            if tail == 0.0 {
                continue;
            }
            let norm = (x0 * x0 + tail).sqrt();
            // α = −sign(x0)·‖x‖ keeps v0 = x0 − α free of cancellation.
            let alpha = if x0 >= 0.0 { -norm } else { norm };
            let v0 = x0 - alpha;
            let beta = 1.0 / (norm * (norm + x0.abs()));
            for j in k + 1..m {
                let dot = v0 * self.r[k * m + j]
                    + (0..b)
                        .map(|i| rows[i * m + k] / s * rows[i * m + j])
                        .sum::<f64>();
                let f = beta * dot;
                self.r[k * m + j] -= f * v0;
                for i in 0..b {
                    rows[i * m + j] -= f * (rows[i * m + k] / s);
                }
            }
            let alpha = alpha * s;
            self.r[k * m + k] = alpha;
            // Canonical sign: a row of R times −1 is still an R of the same
            // columns (Q's column k flips), and R's diagonal ≥ 0 makes R unique.
            if alpha < 0.0 {
                self.r[k * m + k..(k + 1) * m]
                    .iter_mut()
                    .for_each(|v| *v = -*v);
            }
        }
    }

    /// AᵀA (p × p, row-major) = R_AᵀR_A.
    pub fn gram(&self) -> Vec<f64> {
        let (m, p) = (self.m, self.m - 1);
        let mut g = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..p {
                g[a * p + b] = (0..=a.min(b))
                    .map(|k| self.r[k * m + a] * self.r[k * m + b])
                    .sum();
            }
        }
        g
    }

    /// Column means and standard deviations of the features (population,
    /// as [`Scaling::fit`](crate::model::Scaling::fit)): with an intercept
    /// column first, Σxj = R₀₀·R₀ⱼ and Σ(xj − x̄j)² = Σ_{k≥1} R_kj² (no
    /// cancellation); without one, μ = 0 and σ is the RMS.
    pub fn scaling(&self, model: &LinearModel) -> crate::model::Scaling {
        let m = self.m;
        let n = self.count.max(1) as f64;
        let off = usize::from(model.intercept);
        let mut mean = vec![0.0; model.d];
        let mut scale = vec![0.0; model.d];
        for j in 0..model.d {
            let c = off + j;
            let from = if model.intercept {
                mean[j] = self.r[0] * self.r[c] / n;
                1
            } else {
                0
            };
            // ‖R's column‖/√n, by the scaled norm: the plain Σ R² overflows
            // for columns near 1e160.
            let column: Vec<f64> = (from..=c).map(|k| self.r[k * m + c]).collect();
            let sd = crate::numeric::qr::norm(&column) / n.sqrt();
            scale[j] = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
        }
        crate::model::Scaling { mean, scale }
    }

    /// The statistics of the standardized design A·T, where T maps
    /// [1 | x] to [1 | (x − μ)/σ]: T is upper triangular, so R·T is the R of
    /// A·T (no pass over the rows needed).
    pub fn rescaled(&self, scaling: &crate::model::Scaling, intercept: bool) -> QrStats {
        let m = self.m;
        let off = usize::from(intercept);
        let mut out = self.clone();
        for k in 0..m {
            for (j, (&mu, &sd)) in scaling.mean.iter().zip(&scaling.scale).enumerate() {
                let c = off + j;
                let shift = if intercept { mu * self.r[k * m] } else { 0.0 };
                out.r[k * m + c] = (self.r[k * m + c] - shift) / sd;
            }
        }
        out
    }

    /// J(θ) = ‖y − A·θ‖²/n = ‖R_y − R_A·θ‖²/n (θ in the statistics'
    /// units): the cost at θ over every row folded in, without a pass.
    pub fn cost(&self, theta: &[f64]) -> f64 {
        let (m, p) = (self.m, self.m - 1);
        assert_eq!(theta.len(), p, "θ has p entries");
        let rss: f64 = (0..m)
            .map(|k| {
                let row = &self.r[k * m..(k + 1) * m];
                let fit: f64 = row[..p].iter().zip(theta).map(|(r, t)| r * t).sum();
                (row[p] - fit).powi(2)
            })
            .sum();
        rss / self.count.max(1) as f64
    }

    /// Σ(y − ȳ)² with an intercept, Σy² without: R² and the R-column of y
    /// with the intercept's row left out.
    pub fn total_sum_of_squares(&self, intercept: bool) -> f64 {
        let m = self.m;
        let y = m - 1;
        (usize::from(intercept)..m)
            .map(|k| self.r[k * m + y].powi(2))
            .sum()
    }

    /// The least-squares solution from R alone: the m × p system
    /// [R_A | R_y] has the same minimizer and residual norm as [A | y], so
    /// the in-memory referee (`solve::least_squares`: scaled columns, rank
    /// detection, refinement) solves it; statistics that depend on n
    /// (σ, standard errors, MSE, R²) are then restated for the n real rows.
    pub fn solve(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
    ) -> Result<Solution, SolveError> {
        self.restated(response, names, intercept, |compressed| {
            least_squares(compressed)
        })
    }

    /// The statistics [`solve`](Self::solve) reports, at a θ obtained some
    /// other way (gradient descent on streamed rows): the compressed system
    /// has RSS(θ) = ‖R_y − R_A·θ‖², the same as the rows', so
    /// `least_squares_at` on it is `least_squares_at` on the rows.
    pub fn solve_at(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
        theta: &[f64],
    ) -> Result<Solution, SolveError> {
        self.restated(response, names, intercept, |compressed| {
            least_squares_at(DesignRows::of(compressed), &FitOptions::default(), theta)
        })
    }

    /// `solve` on the m × p system [R_A | R_y], the figures that depend on
    /// n restated for the n real rows.
    fn restated(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
        solve: impl FnOnce(&Design) -> Result<Solution, SolveError>,
    ) -> Result<Solution, SolveError> {
        let (m, p) = (self.m, self.m - 1);
        let n = self.count as usize;
        if n == 0 {
            return Err(SolveError::NoRows);
        }
        let mut all_names: Vec<String> = Vec::with_capacity(p);
        if intercept {
            all_names.push("(intercept)".into());
        }
        all_names.extend(names.iter().cloned());
        let columns: Vec<Vec<f64>> = (0..p)
            .map(|c| (0..m).map(|k| self.r[k * m + c]).collect())
            .collect();
        let y: Vec<f64> = (0..m).map(|k| self.r[k * m + p]).collect();
        let compressed = Design::from_columns(response, all_names, false, &columns, y);
        let mut s = solve(&compressed)?;

        let rss = s.mse * m as f64;
        let df = n.saturating_sub(s.rank);
        let sd = if df > 0 {
            (rss / df as f64).sqrt()
        } else {
            f64::NAN
        };
        // Standard errors are σ·(a factor from R alone).
        let ratio = sd / s.residual_sd;
        s.std_errors.iter_mut().for_each(|e| *e *= ratio);
        s.cov_params.iter_mut().for_each(|c| *c *= ratio * ratio);
        s.t_stats = s
            .theta
            .iter()
            .zip(&s.std_errors)
            .map(|(t, e)| t / e)
            .collect();
        s.residual_sd = sd;
        s.mse = rss / n as f64;
        s.rmse = s.mse.sqrt();
        let tss = self.total_sum_of_squares(intercept);
        s.rss = rss;
        s.tss = tss;
        s.intercept = intercept;
        s.r_squared = 1.0 - rss / tss;
        if !s.r_squared.is_finite() {
            s.r_squared = f64::NAN;
        }
        s.n = n;
        // The compressed system's own degrees-of-freedom note is about m
        // rows, not n; restate it for the real rows.
        s.warnings.retain(|w| !w.contains("degrees of freedom"));
        if df == 0 {
            s.warnings
                .push(super::least_squares::no_degrees_of_freedom(n, s.rank));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{synth, SynthModel};
    use crate::model::formula::Formula;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    #[test]
    fn cost_from_r_is_the_mean_squared_residual() {
        // ‖y − Aθ‖ = ‖R_y − R_A·θ‖ (Q has orthonormal columns): J from R
        // equals the direct (1/n)·Σ(y − z1)² at any θ, to rounding.
        let data = synth(SynthModel::Plane, 300, 0.5, 2).unwrap().0;
        let design = Formula::parse("y ~ x1 + x2")
            .unwrap()
            .design(&data)
            .unwrap();
        let model = LinearModel::new(design.d, design.intercept);
        let mut stats = QrStats::empty(model.n_params());
        stats.add_batch(Batch::new(&design.x, &design.y, design.d), &model);
        for theta in [[0.0, 0.0, 0.0], [0.5, -1.0, 2.0]] {
            let direct = (0..design.n)
                .map(|i| (design.y[i] - design.predict_row(&theta, i)).powi(2))
                .sum::<f64>()
                / design.n as f64;
            assert!(rel(stats.cost(&theta), direct) < 1e-12, "{theta:?}");
        }
    }

    #[test]
    fn r_reproduces_the_gram_matrix() {
        // A = [1 x] with x = (0, 1, 2): AᵀA = [[3, 3], [3, 5]] (Σ1, Σx; Σx, Σx²).
        let (x, y) = ([0.0, 1.0, 2.0], [1.0, 2.0, 4.0]);
        let model = LinearModel::new(1, true);
        let mut s = QrStats::empty(2);
        s.add_batch(Batch::new(&x, &y, 1), &model);
        let g = s.gram();
        for (a, b) in g.iter().zip([3.0, 3.0, 3.0, 5.0]) {
            assert!((a - b).abs() < 1e-14, "{g:?}");
        }
        // Σ(y − ȳ)² with ȳ = 7/3: (16 + 1 + 25)/9 = 42/9.
        assert!(rel(s.total_sum_of_squares(true), 42.0 / 9.0) < 1e-14);
    }

    #[test]
    fn merged_blocks_solve_like_the_in_memory_referee() {
        let data = synth(SynthModel::Plane, 1000, 0.5, 7).unwrap().0;
        let design = Formula::parse("y ~ x1 + x2")
            .unwrap()
            .design(&data)
            .unwrap();
        let model = LinearModel::new(design.d, true);
        let whole = Batch::new(&design.x, &design.y, design.d);
        // Uneven blocks, merged out of order: same R to rounding.
        let mut parts = [QrStats::empty(3), QrStats::empty(3), QrStats::empty(3)];
        parts[0].add_batch(whole.slice(0, 17), &model);
        parts[1].add_batch(whole.slice(17, 600), &model);
        parts[2].add_batch(whole.slice(600, 1000), &model);
        let mut all = parts[2].clone();
        all.merge(&parts[0]);
        all.merge(&parts[1]);
        let got = all.solve("y", &design.names, true).unwrap();
        let want = least_squares(&design).unwrap();
        assert_eq!(got.n, 1000);
        for k in 0..3 {
            assert!(rel(got.theta[k], want.theta[k]) < 1e-12, "{k}");
            assert!(rel(got.std_errors[k], want.std_errors[k]) < 1e-10, "{k}");
        }
        assert!(rel(got.mse, want.mse) < 1e-10);
        assert!(rel(got.r_squared, want.r_squared) < 1e-12);
        assert!(rel(got.residual_sd, want.residual_sd) < 1e-10);
    }

    #[test]
    fn scaling_matches_the_in_memory_one() {
        let data = synth(SynthModel::Plane, 500, 0.5, 3).unwrap().0;
        for formula in ["y ~ x1 + x2", "y ~ x1 + x2 - 1"] {
            let design = Formula::parse(formula).unwrap().design(&data).unwrap();
            let model = LinearModel::new(design.d, design.intercept);
            let mut s = QrStats::empty(model.n_params());
            s.add_batch(Batch::new(&design.x, &design.y, design.d), &model);
            let got = s.scaling(&model);
            let want = crate::model::Scaling::fit(&design.x, design.d, design.intercept);
            for j in 0..2 {
                assert!((got.mean[j] - want.mean[j]).abs() < 1e-12 * want.scale[j]);
                assert!(rel(got.scale[j], want.scale[j]) < 1e-12);
            }
        }
    }
}
