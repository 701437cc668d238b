//! The fused pass over one block of rows: for each row the residual
//! z2 = y − (θ0 + x·w), and, accumulated as it goes, Σ z2², Σ z2 and
//! Σ z2·xj — everything J and ∂J/∂θ need, without an n-sized temporary.
//!
//! Why it is written this way:
//! - One running sum waits for the previous add (about 4 cycles) on every
//!   row, which caps a pass far below memory speed. The small-d paths keep
//!   `LANES` independent sums per quantity (row i goes to lane i mod LANES)
//!   and reduce them in one fixed tree at the end, so the result depends
//!   only on the rows, never on timing. LLVM turns the lane loops into SIMD.
//! - d = 1, 2, 3 are const generics: x·w and the updates unroll and the
//!   row-major [x1, x2] pairs are loaded as whole vectors. Larger d has
//!   enough bytes per row to hide one sum's latency, so the general path
//!   keeps one sum per quantity and vectorizes along the row instead.
//! - Rust never fuses a·b + c into an FMA and never reorders float adds,
//!   so the bits are the same on any IEEE 754 machine.
//! - A mini-batch shorter than LANES rows takes one sum per quantity in row
//!   order (zeroing and reducing 8 lanes would cost more than its rows).

use super::Element;

/// Independent partial sums per quantity on the small-d paths: 8 hides the
/// add latency (4 cycles) at 2 rows per cycle, which memory never feeds.
pub const LANES: usize = 8;

/// Slots of a block's raw sums: `[Σ z2², Σ z2, Σ z2·x1, …, Σ z2·xd]`.
pub const SUM_Z2_SQ: usize = 0;
pub const SUM_Z2: usize = 1;
pub const SUM_Z2_X: usize = 2;

/// Raw sums of rows `x` (row-major, d = `w.len()` per row) and `y` at
/// intercept `t0` and weights `w`, written (not added) into `out`
/// (length d + 2, layout above).
#[inline]
pub fn block_sums<T: Element>(x: &[T], y: &[T], t0: f64, w: &[f64], out: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len() * w.len());
    debug_assert_eq!(out.len(), w.len() + 2);
    match w.len() {
        0 => intercept_only(y, t0, out),
        1 => fixed::<T, 1>(x, y, t0, w, out),
        2 => fixed::<T, 2>(x, y, t0, w, out),
        3 => fixed::<T, 3>(x, y, t0, w, out),
        _ => general(x, y, t0, w, out),
    }
}

/// The fixed pairwise tree that reduces the lanes.
#[inline(always)]
fn reduce(a: [f64; LANES]) -> f64 {
    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

/// d = 0: z1 = θ0 on every row.
#[inline(always)]
fn intercept_only<T: Element>(y: &[T], t0: f64, out: &mut [f64]) {
    let (mut q, mut s) = ([0.0; LANES], [0.0; LANES]);
    let (chunks, tail) = y.as_chunks::<LANES>();
    for y8 in chunks {
        for l in 0..LANES {
            let z2 = y8[l].to_f64() - t0;
            q[l] += z2 * z2;
            s[l] += z2;
        }
    }
    for (l, yi) in tail.iter().enumerate() {
        let z2 = yi.to_f64() - t0;
        q[l] += z2 * z2;
        s[l] += z2;
    }
    out[SUM_Z2_SQ] = reduce(q);
    out[SUM_Z2] = reduce(s);
}

/// d = D ≥ 1 known at compile time.
#[inline(always)]
fn fixed<T: Element, const D: usize>(x: &[T], y: &[T], t0: f64, w: &[f64], out: &mut [f64]) {
    let w: [f64; D] = w.try_into().expect("w has D weights");
    let (rows, _) = x.as_chunks::<D>();
    if y.len() < LANES {
        // A mini-batch shorter than the lanes: one sum each, in row order,
        // without zeroing and reducing 8 lanes it would not fill.
        let (mut q, mut s, mut g) = (0.0, 0.0, [0.0; D]);
        for (r, yi) in rows.iter().zip(y) {
            let mut z1 = t0;
            for j in 0..D {
                z1 += w[j] * r[j].to_f64();
            }
            let z2 = yi.to_f64() - z1;
            q += z2 * z2;
            s += z2;
            for j in 0..D {
                g[j] += z2 * r[j].to_f64();
            }
        }
        out[SUM_Z2_SQ] = q;
        out[SUM_Z2] = s;
        out[SUM_Z2_X..].copy_from_slice(&g);
        return;
    }
    let (mut q, mut s) = ([0.0; LANES], [0.0; LANES]);
    let mut g = [[0.0; LANES]; D];
    // One row into lane l. z1 sums θ0 first, then the weights in order.
    let mut row = |l: usize, r: &[T; D], yi: T| {
        let mut z1 = t0;
        for j in 0..D {
            z1 += w[j] * r[j].to_f64();
        }
        let z2 = yi.to_f64() - z1;
        q[l] += z2 * z2;
        s[l] += z2;
        for j in 0..D {
            g[j][l] += z2 * r[j].to_f64();
        }
    };
    let (r8s, rtail) = rows.as_chunks::<LANES>();
    let (y8s, ytail) = y.as_chunks::<LANES>();
    for (r8, y8) in r8s.iter().zip(y8s) {
        for l in 0..LANES {
            row(l, &r8[l], y8[l]);
        }
    }
    for (l, (r, &yi)) in rtail.iter().zip(ytail).enumerate() {
        row(l, r, yi);
    }
    out[SUM_Z2_SQ] = reduce(q);
    out[SUM_Z2] = reduce(s);
    for j in 0..D {
        out[SUM_Z2_X + j] = reduce(g[j]);
    }
}

/// Any d ≥ 1: one sum per quantity, the row's dot product in four partial
/// sums, and Σ z2·x updated along the row (contiguous, so it vectorizes).
#[inline(always)]
fn general<T: Element>(x: &[T], y: &[T], t0: f64, w: &[f64], out: &mut [f64]) {
    let d = w.len();
    let (head, g) = out.split_at_mut(SUM_Z2_X);
    g.fill(0.0);
    let (mut q, mut s) = (0.0, 0.0);
    for (r, yi) in x.chunks_exact(d).zip(y) {
        let z2 = yi.to_f64() - (t0 + dot(w, r));
        q += z2 * z2;
        s += z2;
        for (gj, xj) in g.iter_mut().zip(r) {
            *gj += z2 * xj.to_f64();
        }
    }
    head[SUM_Z2_SQ] = q;
    head[SUM_Z2] = s;
}

#[inline(always)]
fn dot<T: Element>(w: &[f64], x: &[T]) -> f64 {
    let (w4, wt) = w.as_chunks::<4>();
    let (x4, xt) = x.as_chunks::<4>();
    let mut a = [0.0; 4];
    for (w4, x4) in w4.iter().zip(x4) {
        for k in 0..4 {
            a[k] += w4[k] * x4[k].to_f64();
        }
    }
    let mut tail = 0.0;
    for (wj, xj) in wt.iter().zip(xt) {
        tail += wj * xj.to_f64();
    }
    ((a[0] + a[2]) + (a[1] + a[3])) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ z2², Σ z2, Σ z2·x by one plain loop: an independent reference.
    fn plain(x: &[f64], y: &[f64], t0: f64, w: &[f64]) -> Vec<f64> {
        let d = w.len();
        let mut out = vec![0.0; d + 2];
        for (i, yi) in y.iter().enumerate() {
            let r = &x[i * d..(i + 1) * d];
            let z2 = yi - t0 - r.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
            out[0] += z2 * z2;
            out[1] += z2;
            for j in 0..d {
                out[2 + j] += z2 * r[j];
            }
        }
        out
    }

    #[test]
    fn every_path_matches_the_plain_loop_on_small_integers() {
        // Integer data and θ keep every product and sum exact (all below
        // 2^53), so every summation order gives the plain loop's bits.
        for d in 0..7 {
            for n in [0, 1, 7, 8, 9, 17, 64] {
                let x: Vec<f64> = (0..n * d).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
                let y: Vec<f64> = (0..n).map(|i| ((i * 5) % 13) as f64).collect();
                let w: Vec<f64> = (0..d).map(|j| j as f64 - 1.0).collect();
                let mut out = vec![f64::NAN; d + 2];
                block_sums(&x, &y, 2.0, &w, &mut out);
                assert_eq!(out, plain(&x, &y, 2.0, &w), "d = {d}, n = {n}");
            }
        }
    }
}
