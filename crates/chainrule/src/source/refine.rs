//! Iterative refinement of the streamed closed form, one pass per step.
//!
//! The θ solved from the TSQR factor R alone carries R's rounding: about
//! κ(A)·ε relative error, 6–12 digits on the NIST polynomial sets where the
//! in-memory fit, which refines against the rows, gets 15. The same cure
//! works on a stream: each pass sums the gradient g = Aᵀ(y − A·θ) with the
//! residuals and the sums in double-double (so g is the exact gradient at θ
//! to about 32 digits), and the correction δ solves AᵀA·δ = g through R
//! (the semi-normal equations RᵀR·δ = g). A step is kept only when the
//! gradient it leaves is smaller, so a design too ill-conditioned for
//! refinement keeps the unrefined θ rather than a worse one.
//!
//! With [`Lows`] (the decimal data, `source/decimal.rs`) the gradient is
//! that of the data as written, X + x_lo and y + y_lo, so θ moves towards
//! their least-squares answer instead, as far as these steps reach.

use super::{check_stop, PassObserver, RowSource, SourceError};
use crate::model::Batch;
use crate::numeric::double_double::Dd;
use crate::numeric::svd::singular_values;
use crate::solve::{QrStats, Solution};

/// What rounding the rows to f64 dropped, batch by batch in the order a
/// pass hands them out.
pub trait Lows {
    /// A pass over the rows begins.
    fn restart(&mut self) -> Result<(), SourceError>;
    /// x_lo (row-major like `batch.x`) and y_lo of the pass's next batch.
    fn next(&mut self, batch: Batch<'_>) -> Result<(Vec<f64>, Vec<f64>), SourceError>;
}

/// Passes after the first gradient: each multiplies θ's error by about
/// κ(A)²·ε, so two or three reach 15 digits where refinement helps at all.
const MAX_STEPS: usize = 3;

/// Refines `s.theta` (full rank only) against the rows of `source`, and
/// the t statistics with it.
pub fn refine(
    source: &mut dyn RowSource,
    stats: &QrStats,
    s: &mut Solution,
    observer: &mut dyn PassObserver,
) -> Result<(), SourceError> {
    refine_with(source, stats, s, observer, None).map(|_| ())
}

/// [`refine`] towards the least-squares θ of the rows plus `lows`; the
/// number of steps taken (each one lowered the gradient).
pub fn refine_with(
    source: &mut dyn RowSource,
    stats: &QrStats,
    s: &mut Solution,
    observer: &mut dyn PassObserver,
    mut lows: Option<&mut dyn Lows>,
) -> Result<usize, SourceError> {
    let (m, p) = (stats.m, stats.m - 1);
    if p == 0 || s.rank < p || s.theta.len() != p {
        return Ok(0);
    }
    // R_A, the leading p × p block: AᵀA = R_AᵀR_A.
    let r: Vec<f64> = (0..p * p).map(|i| stats.r[(i / p) * m + i % p]).collect();
    if !(0..p).all(|k| r[k * p + k] > 0.0) {
        return Ok(0);
    }
    // Column norms of A (those of R_A): the gradient is compared with each
    // component in its column's units, so no column of large values hides
    // the others.
    let scale: Vec<f64> = (0..p)
        .map(|j| (0..=j).map(|k| r[k * p + j].powi(2)).sum::<f64>().sqrt())
        .collect();
    let size = |g: &[f64]| -> f64 {
        g.iter()
            .zip(&scale)
            .map(|(g, c)| (g / c).powi(2))
            .sum::<f64>()
    };
    // How far a step may move θ and be taken unchecked: its error is
    // ≈ κ²ε of its size, so below an ulp of θ when it moves θ by at most
    // 1/κ² relative (κ of the columns scaled to unit norm, ≤ 10⁴ here);
    // otherwise by at most 4 ulps, whatever κ.
    let columns = (0..p)
        .map(|j| (0..p).map(|k| r[k * p + j] / scale[j]).collect())
        .collect();
    let sv = singular_values(columns);
    let kappa = sv[0] / sv[p - 1];
    let unchecked = if kappa <= 1e4 {
        1.0 / (kappa * kappa)
    } else {
        4.0 * f64::EPSILON
    };
    let mut g = gradient(source, &s.theta, observer, lows.as_deref_mut())?;
    let mut theta = s.theta.clone();
    let mut steps = 0;
    for _ in 0..MAX_STEPS {
        let delta = semi_normal_solve(&r, p, &g);
        let tried: Vec<f64> = theta.iter().zip(&delta).map(|(t, d)| t + d).collect();
        if tried == theta || tried.iter().any(|t| !t.is_finite()) {
            break;
        }
        if within(&theta, &tried, unchecked) {
            // The step's own error (≈ κ²ε of its size) is below an ulp of
            // θ, and another step would move θ by less than that: take it
            // without the pass that would check it (well-conditioned data
            // end here, after one gradient pass).
            theta = tried;
            steps += 1;
            break;
        }
        let g_tried = gradient(source, &tried, observer, lows.as_deref_mut())?;
        if size(&g_tried) >= size(&g) {
            break;
        }
        theta = tried;
        g = g_tried;
        steps += 1;
    }
    s.t_stats = theta
        .iter()
        .zip(&s.std_errors)
        .map(|(t, e)| t / e)
        .collect();
    s.theta = theta;
    Ok(steps)
}

/// Whether every component moved by at most `relative` of itself.
fn within(theta: &[f64], tried: &[f64], relative: f64) -> bool {
    theta
        .iter()
        .zip(tried)
        .all(|(t, u)| (t - u).abs() <= relative * t.abs())
}

/// g = Aᵀ(y − A·θ) over every row, residuals and sums in double-double;
/// A + A_lo and y + y_lo with `lows`.
fn gradient<'l>(
    source: &mut dyn RowSource,
    theta: &[f64],
    observer: &mut dyn PassObserver,
    mut lows: Option<&mut (dyn Lows + 'l)>,
) -> Result<Vec<f64>, SourceError> {
    let intercept = source.intercept();
    let first = usize::from(intercept);
    let mut g = vec![Dd { hi: 0.0, lo: 0.0 }; theta.len()];
    if let Some(l) = lows.as_deref_mut() {
        l.restart()?;
    }
    observer.on_pass("refine");
    source.pass(&mut |batch, bytes| {
        let (x_lo, y_lo) = match lows.as_deref_mut() {
            Some(l) => l.next(batch)?,
            None => (Vec::new(), Vec::new()),
        };
        let d = batch.d;
        for i in 0..batch.len() {
            let row = batch.row(i);
            let row_lo = x_lo.get(i * d..(i + 1) * d).unwrap_or(&[]);
            let mut e = crate::solve::residual(row, batch.y[i], intercept, theta);
            if let Some(&v) = y_lo.get(i) {
                e.add(v);
            }
            for (x, t) in row_lo.iter().zip(&theta[first..]) {
                e.add_product(-x, *t);
            }
            if intercept {
                g[0].add(e.hi);
                g[0].add(e.lo);
            }
            for (j, gj) in g[first..].iter_mut().enumerate() {
                gj.add_product(row[j], e.hi);
                gj.add_product(row[j], e.lo);
                if let Some(&x) = row_lo.get(j) {
                    gj.add_product(x, e.hi);
                }
            }
        }
        observer.on_chunk(batch.len(), bytes);
        check_stop(observer)
    })?;
    Ok(g.into_iter().map(Dd::value).collect())
}

/// δ with R_AᵀR_A·δ = g: Rᵀz = g forward, then R·δ = z back.
fn semi_normal_solve(r: &[f64], p: usize, g: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; p];
    for i in 0..p {
        let s: f64 = (0..i).map(|k| r[k * p + i] * z[k]).sum();
        z[i] = (g[i] - s) / r[i * p + i];
    }
    let mut delta = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| r[i * p + k] * delta[k]).sum();
        delta[i] = (z[i] - s) / r[i * p + i];
    }
    delta
}
