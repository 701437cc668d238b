//! The one-pass closed form: the Gram matrix of [A | y] summed in
//! double-double, and least squares to the last digit from it alone.
//!
//! Every product x_a·x_b is exact as a double-double (Dekker), and a sum
//! of N of them kept as `Dd::add` keeps it loses at most ≈ N²·2⁻¹⁰⁵ of the
//! terms' size (the low parts' own roundings). So G = [A | y]ᵀ[A | y] is
//! known to [`GramStats::error_bound`] relative, some 10⁻²⁶ for pieces of a
//! thousand rows. The normal equations square the condition number, so θ
//! solved from G in double-double is off by ≈ κ(A·S)²·m·bound, S scaling
//! A's columns to unit norm: below f64's rounding whenever that is at most
//! 2⁻⁶⁰, which [`GramStats::solve`] checks, declining otherwise (the caller
//! then reads the rows again, for the QR). G merges by addition, so pieces
//! of a file are summed on the threads that parse them.
//!
//! From G: the R of [A | y] by Cholesky in double-double (what the TSQR
//! gives, to ≈ 2⁻¹⁰⁴ rather than 2⁻⁵³), θ = R_A⁻¹·R_y, RSS(θ) =
//! ‖R_y − R_A·θ‖² + R_yy², the total sum of squares from R's y column, and
//! G_A⁻¹ = R_A⁻¹·R_A⁻ᵀ for the covariance; each rounded once.

use rayon::prelude::*;

use super::{metrics, QrStats, Solution, SolveError};
use crate::model::Batch;
use crate::numeric::double_double::two_product;
use crate::numeric::svd::singular_values;
use crate::numeric::Dd;

/// What a single pass over the rows keeps: G of [A | y] in double-double.
#[derive(Clone, Debug)]
pub struct GramStats {
    /// Rows summed in.
    pub count: u64,
    /// Columns of [A | y]: p + 1.
    m: usize,
    intercept: bool,
    /// G's upper triangle, m × m row-major (below the diagonal unused).
    g: Vec<Dd>,
    /// Rows added to one accumulator, the longest such run, and the
    /// accumulators merged: the terms of the rounding bound.
    added: u64,
    longest: u64,
    merges: u64,
}

/// Rows per piece in `GramStats::of_rows`: about what a 64 KiB piece of
/// a CSV holds, so the rounding bound is that of the one-pass fit.
const PIECE_ROWS: usize = 1024;

/// The largest κ(A·S)²·m·bound for which θ from G is trusted: 2⁻⁶⁰,
/// 1/128 of f64's half ulp (2⁻⁵³).
const TRUSTED: f64 = 8.673617379884035e-19;

impl GramStats {
    /// No rows yet, for `n_params` = p parameters (θ0 first with an
    /// intercept).
    pub fn empty(n_params: usize, intercept: bool) -> Self {
        let m = n_params + 1;
        GramStats {
            count: 0,
            m,
            intercept,
            g: vec![Dd::default(); m * m],
            added: 0,
            longest: 0,
            merges: 0,
        }
    }

    /// Sums in the rows of `batch` as rows [1 | x | y] of [A | y].
    pub fn add_batch(&mut self, batch: Batch<'_>) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA, checked just above.
            return unsafe { self.add_batch_fma(batch) };
        }
        self.add_rows(batch, two_product);
    }

    /// [`add_batch`](Self::add_batch) with each product's rounding error
    /// from one fused multiply-add: the same exact error Dekker's split
    /// computes in 17 operations, so the same bits (the sums took 16% of
    /// the one-pass fit's CPU with Dekker, 14% with FMA).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "fma")]
    unsafe fn add_batch_fma(&mut self, batch: Batch<'_>) {
        self.add_rows(batch, |a, b| {
            let p = a * b;
            (p, a.mul_add(b, -p))
        });
    }

    /// The rows summed in, a·b and its rounding error from `product`.
    #[inline(always)]
    fn add_rows(&mut self, batch: Batch<'_>, product: impl Fn(f64, f64) -> (f64, f64)) {
        let m = self.m;
        let first = usize::from(self.intercept);
        assert_eq!(batch.d + first + 1, m, "rows match the statistics");
        let mut v = vec![1.0; m];
        for i in 0..batch.len() {
            v[first..m - 1].copy_from_slice(batch.row(i));
            v[m - 1] = batch.y[i];
            if self.intercept {
                // Products with the column of ones are the values: exact.
                for (g, &b) in self.g[1..m].iter_mut().zip(&v[1..]) {
                    g.add(b);
                }
            }
            for a in first..m {
                let va = v[a];
                for (g, &b) in self.g[a * m + a..(a + 1) * m].iter_mut().zip(&v[a..]) {
                    let (p, e) = product(va, b);
                    g.add(p);
                    g.lo += e;
                }
            }
        }
        if self.intercept {
            self.g[0].add(batch.len() as f64);
        }
        self.count += batch.len() as u64;
        self.added += batch.len() as u64;
        self.longest = self.longest.max(self.added);
    }

    /// G of every row of `rows`, summed on every core in pieces of
    /// `PIECE_ROWS` (1,024) and merged in row order: the same bits on any number
    /// of threads.
    pub fn of_rows(rows: Batch<'_>, intercept: bool) -> GramStats {
        let p = rows.d + usize::from(intercept);
        let starts: Vec<usize> = (0..rows.len()).step_by(PIECE_ROWS).collect();
        let pieces: Vec<GramStats> = starts
            .par_iter()
            .map(|&start| {
                let mut g = GramStats::empty(p, intercept);
                g.add_batch(rows.slice(start, (start + PIECE_ROWS).min(rows.len())));
                g
            })
            .collect();
        let mut total = GramStats::empty(p, intercept);
        pieces.iter().for_each(|g| total.merge(g));
        total
    }

    /// Adds `other`'s rows.
    pub fn merge(&mut self, other: &GramStats) {
        assert_eq!(self.m, other.m, "merging statistics of different models");
        for (a, b) in self.g.iter_mut().zip(&other.g) {
            a.add(b.hi);
            a.lo += b.lo;
        }
        self.count += other.count;
        self.longest = self.longest.max(other.longest);
        self.merges += other.merges + 1;
    }

    /// G's rounding relative to the size of its terms: ≈ (N² + merges)·2⁻¹⁰⁵
    /// for N rows summed into one accumulator (module docs).
    pub fn error_bound(&self) -> f64 {
        let n = self.longest as f64;
        (n * n + self.merges as f64 + 1.0) * 2f64.powi(-105)
    }

    /// The least-squares solution, or None when G cannot give it to the
    /// last digit: a rank-deficient or too ill-conditioned design (see
    /// `TRUSTED`), or a fit so close that RSS is below what G resolves.
    /// The caller then solves from the rows.
    pub fn solve(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
    ) -> Result<Option<Solution>, SolveError> {
        self.solve_with(response, names, intercept, None)
    }

    /// The statistics [`solve`](Self::solve) reports, at a θ obtained some
    /// other way (training): RSS(θ), σ² = RSS(θ)/(n − p) and σ²·G⁻¹, as
    /// `least_squares_at` gives them from the rows; None where `solve`
    /// would decline.
    pub fn solve_at(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
        theta: &[f64],
    ) -> Result<Option<Solution>, SolveError> {
        assert_eq!(theta.len(), self.m - 1, "θ has p entries");
        self.solve_with(response, names, intercept, Some(theta))
    }

    fn solve_with(
        &self,
        response: &str,
        names: &[String],
        intercept: bool,
        at: Option<&[f64]>,
    ) -> Result<Option<Solution>, SolveError> {
        let (m, p) = (self.m, self.m - 1);
        if self.count == 0 {
            return Err(SolveError::NoRows);
        }
        let Some(r) = self.cholesky() else {
            return Ok(None);
        };
        let stats = QrStats {
            count: self.count,
            m,
            r: r.iter().map(|v| v.value()).collect(),
        };
        let mut s = stats.solve(response, names, intercept)?;
        let bound = self.error_bound();
        if s.rank < p || scaled_condition(&stats.r, m).powi(2) * m as f64 * bound > TRUSTED {
            return Ok(None);
        }
        let theta: Vec<f64> = match at {
            Some(theta) => theta.to_vec(),
            None => back_substitute(&r, m, p, |i| r[i * m + p])
                .into_iter()
                .map(Dd::value)
                .collect(),
        };
        let rss = rss_at(&r, m, &theta);
        let first = usize::from(intercept);
        let mut tss = Dd::default();
        for k in first..m {
            tss = tss + r[k * m + p] * r[k * m + p];
        }
        // RSS and TSS are differences of sums of size G_yy: below 2⁵⁰ of G's
        // rounding they would not keep 15 digits.
        let g_yy = self.g[p * m + p].value();
        let resolved = |v: Dd| v.value() >= g_yy * bound * 2f64.powi(50);
        if !resolved(rss) || !resolved(tss) {
            return Ok(None);
        }
        let n = self.count as usize;
        let df = n.saturating_sub(p);
        let residual_sd = match df {
            0 => f64::NAN,
            _ => (rss.value() / df as f64).sqrt(),
        };
        let sigma2 = residual_sd * residual_sd;
        let inverse = inverse_gram(&r, m, p);
        s.cov_params = inverse.iter().map(|v| v.value() * sigma2).collect();
        s.std_errors = (0..p).map(|j| s.cov_params[j * p + j].sqrt()).collect();
        s.t_stats = theta
            .iter()
            .zip(&s.std_errors)
            .map(|(t, e)| t / e)
            .collect();
        let fit = metrics::from_rss_tss(rss, tss, n);
        s.theta = theta;
        s.residual_sd = residual_sd;
        s.r_squared = fit.r_squared;
        s.mse = fit.mse;
        s.rmse = fit.rmse;
        s.rss = rss.value();
        s.tss = tss.value();
        Ok(Some(s))
    }

    /// R (m × m, upper, row-major) with RᵀR = G, in double-double; None
    /// when a pivot of A's columns is not positive (rank deficient). R_yy
    /// is 0 when y is fitted exactly to G's precision.
    fn cholesky(&self) -> Option<Vec<Dd>> {
        let m = self.m;
        let mut r = vec![Dd::default(); m * m];
        for k in 0..m {
            let mut pivot = self.g[k * m + k];
            for i in 0..k {
                pivot = pivot - r[i * m + k] * r[i * m + k];
            }
            let last = k == m - 1;
            if !last && (pivot.hi.is_nan() || pivot.hi <= 0.0) {
                return None;
            }
            r[k * m + k] = pivot.sqrt();
            if r[k * m + k].hi == 0.0 {
                continue;
            }
            for j in k + 1..m {
                let mut v = self.g[k * m + j];
                for i in 0..k {
                    v = v - r[i * m + k] * r[i * m + j];
                }
                r[k * m + j] = v / r[k * m + k];
            }
        }
        Some(r)
    }
}

/// x with R_A·x = b (R_A: R's leading p × p block), in double-double.
fn back_substitute(r: &[Dd], m: usize, p: usize, b: impl Fn(usize) -> Dd) -> Vec<Dd> {
    let mut x = vec![Dd::default(); p];
    for i in (0..p).rev() {
        let mut v = b(i);
        for j in i + 1..p {
            v = v - r[i * m + j] * x[j];
        }
        x[i] = v / r[i * m + i];
    }
    x
}

/// ‖R_y − R_A·θ‖² + R_yy² = ‖y − A·θ‖², in double-double.
fn rss_at(r: &[Dd], m: usize, theta: &[f64]) -> Dd {
    let p = m - 1;
    let mut rss = r[p * m + p] * r[p * m + p];
    for k in 0..p {
        let mut e = r[k * m + p];
        for (j, &t) in theta.iter().enumerate().skip(k) {
            e = e - r[k * m + j] * Dd::new(t);
        }
        rss = rss + e * e;
    }
    rss
}

/// G_A⁻¹ = R_A⁻¹·R_A⁻ᵀ (p × p, row-major), in double-double.
fn inverse_gram(r: &[Dd], m: usize, p: usize) -> Vec<Dd> {
    // Column c of U = R_A⁻¹ solves R_A·u = e_c.
    let u: Vec<Vec<Dd>> = (0..p)
        .map(|c| back_substitute(r, m, p, |i| Dd::new(if i == c { 1.0 } else { 0.0 })))
        .collect();
    let mut out = vec![Dd::default(); p * p];
    for a in 0..p {
        for b in a..p {
            // (U·Uᵀ)_ab = Σ_k U_ak·U_bk, U upper: k ≥ b.
            let mut v = Dd::default();
            for uk in &u[b..] {
                v = v + uk[a] * uk[b];
            }
            out[a * p + b] = v;
            out[b * p + a] = v;
        }
    }
    out
}

/// κ(A·S) = κ(R_A·S), S scaling R_A's columns (A's) to unit norm.
fn scaled_condition(r: &[f64], m: usize) -> f64 {
    let p = m - 1;
    let columns = (0..p)
        .map(|j| {
            let column: Vec<f64> = (0..p).map(|k| r[k * m + j]).collect();
            let norm = crate::numeric::qr::norm(&column);
            column.into_iter().map(|v| v / norm).collect()
        })
        .collect();
    let s = singular_values(columns);
    match s.last() {
        Some(&min) if min > 0.0 => s[0] / min,
        _ => f64::INFINITY,
    }
}
