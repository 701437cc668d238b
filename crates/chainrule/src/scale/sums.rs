//! Built-in SQL sums, for a cluster whose nodes lack chainrule's
//! aggregate functions (a stock Ballista): every node has `SUM` and
//! `COUNT`, so a pass is still one query, with θ inlined as literals.
//!
//! - The gradient at θ: with r = θ·a − y (a = (1, x) with an intercept),
//!   L = r², ∂L/∂θk = 2·r·ak, so Σ∂L/∂θk = 2·SUM(r·ak) and ΣL = SUM(r·r) —
//!   the kernel's sums, to rounding (the order of addition differs).
//! - The setup statistics (n, the learning rate, scaling, R², the closed
//!   form of `--check`): the Gram matrix G = [A | y]ᵀ[A | y] as SUM(ai·aj),
//!   and R from its Cholesky factor, G = RᵀR. This squares the condition
//!   number of A (κ(G) = κ(A)²): a closed form from it loses twice the
//!   digits TSQR loses, which is why `fit` refuses it.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::logical_expr::Expr;
use datafusion::prelude::lit;

use crate::solve::QrStats;
use crate::source::{GradStats, SourceError};

/// The columns of [A | y]: 1 (with an intercept), the features, y.
fn augmented(y: &Expr, x: &[Expr], intercept: bool) -> Vec<Expr> {
    let ones = intercept.then(|| lit(1.0));
    ones.into_iter()
        .chain(x.iter().cloned())
        .chain(std::iter::once(y.clone()))
        .collect()
}

/// COUNT, SUM(r·r), then SUM(r·ak) for each parameter k.
pub fn grad(y: &Expr, x: &[Expr], theta: &[f64], intercept: bool) -> Vec<Expr> {
    let a = augmented(y, x, intercept);
    let p = a.len() - 1;
    let prediction = a[..p]
        .iter()
        .zip(theta)
        .map(|(ak, &t)| lit(t) * ak.clone())
        .reduce(|s, term| s + term)
        .unwrap_or_else(|| lit(0.0));
    let r = prediction - y.clone();
    let mut out = vec![count(y.clone()), sum(r.clone() * r.clone())];
    out.extend(a[..p].iter().map(|ak| sum(r.clone() * ak.clone())));
    out
}

/// The value of column `j` of the one-row answer (an empty sum is 0).
fn value(batch: &RecordBatch, j: usize) -> Result<f64, SourceError> {
    let c = batch.column(j);
    if c.is_null(0) {
        return Ok(0.0);
    }
    if let Some(v) = c.as_primitive_opt::<Float64Type>() {
        return Ok(v.value(0));
    }
    if let Some(v) = c.as_primitive_opt::<Int64Type>() {
        return Ok(v.value(0) as f64);
    }
    Err(SourceError::Engine(format!(
        "built-in sums: column {} is {}, not a number",
        j + 1,
        c.data_type()
    )))
}

/// [`GradStats`] from [`grad`]'s answer.
pub fn grad_stats(batch: &RecordBatch, n_params: usize) -> Result<GradStats, SourceError> {
    Ok(GradStats {
        count: value(batch, 0)? as u64,
        j_sum: value(batch, 1)?,
        grad_sum: (0..n_params)
            .map(|k| value(batch, 2 + k).map(|s| 2.0 * s))
            .collect::<Result<_, _>>()?,
    })
}

/// COUNT, then SUM(ai·aj) for i ≤ j, row by row of the upper triangle.
pub fn gram(y: &Expr, x: &[Expr], intercept: bool) -> Vec<Expr> {
    let a = augmented(y, x, intercept);
    let mut out = vec![count(y.clone())];
    for i in 0..a.len() {
        for j in i..a.len() {
            out.push(sum(a[i].clone() * a[j].clone()));
        }
    }
    out
}

/// [`QrStats`] of [A | y] (m columns) from [`gram`]'s answer.
pub fn qr_from_gram(batch: &RecordBatch, m: usize) -> Result<QrStats, SourceError> {
    let mut g = vec![0.0; m * m];
    let mut col = 1;
    for i in 0..m {
        for j in i..m {
            g[i * m + j] = value(batch, col)?;
            col += 1;
        }
    }
    Ok(QrStats {
        count: value(batch, 0)? as u64,
        m,
        r: cholesky_upper(&g, m),
    })
}

/// R upper triangular with RᵀR = G (G's upper triangle read, row-major).
/// A pivot lost to rounding (a column dependent on those before it, or y
/// fitted exactly) leaves its row of R zero, as TSQR's R would have it.
pub fn cholesky_upper(g: &[f64], m: usize) -> Vec<f64> {
    let mut r = vec![0.0; m * m];
    for i in 0..m {
        let dot = |a: usize, b: usize, r: &[f64]| {
            (0..i).map(|k| r[k * m + a] * r[k * m + b]).sum::<f64>()
        };
        let pivot = g[i * m + i] - dot(i, i, &r);
        // Below this, the pivot is rounding noise of the diagonal.
        if pivot <= 4.0 * f64::EPSILON * m as f64 * g[i * m + i].abs() {
            continue;
        }
        let rii = pivot.sqrt();
        r[i * m + i] = rii;
        for j in i + 1..m {
            r[i * m + j] = (g[i * m + j] - dot(i, j, &r)) / rii;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reproduces_the_gram_matrix() {
        // G = AᵀA for A = [1 1; 1 2; 1 4] (hand-written): [3 7; 7 21].
        let r = cholesky_upper(&[3.0, 7.0, 7.0, 21.0], 2);
        let g = |i: usize, j: usize| (0..2).map(|k| r[k * 2 + i] * r[k * 2 + j]).sum::<f64>();
        assert!((g(0, 0) - 3.0).abs() < 1e-14);
        assert!((g(0, 1) - 7.0).abs() < 1e-14);
        assert!((g(1, 1) - 21.0).abs() < 1e-13);
        assert_eq!(r[2], 0.0, "upper triangular");
    }

    #[test]
    fn a_dependent_column_leaves_a_zero_row() {
        // A = [1 2; 1 2]: the second column is twice the first, G = [2 4; 4 8].
        let r = cholesky_upper(&[2.0, 4.0, 4.0, 8.0], 2);
        assert_eq!(r[3], 0.0);
    }
}
