//! The compiled pass for the vectorized lesson's graph, fused into one loop
//! per row: Z1 = X·θ (+ θ0), Z2 = Y − Z1, L = Z2², J = scale·Σ L, and back.
//!
//! The tile pass (`compiled.rs`) runs each op over a tile, one loop per op
//! and edge — about fourteen passes over cache per row. When the graph is
//! exactly the lesson's, this runs the same ops' own rules (`AddRule`,
//! `SubRule`, `Square`, matvec's row dot) in registers, row by row, in the
//! tile pass's order of operations: each gradient starts at +0 and gets
//! `+=` its one contribution, as the engine's backward does. So the bits
//! are the tile pass's, and the node-by-node engine's (the tests compare
//! all three); only the memory traffic differs.

use super::compiled::{Role, Sources};
use super::engine::Node;
use super::ops::arith::{AddRule, SubRule};
use super::ops::binary::Binary;
use super::ops::functions::Square;
use super::ops::unary::Unary;
use super::sum::{block_sum, LANES};
use super::Shape;

/// Where the lesson's pieces are: node indices and the slots of a block's
/// sums (J at 0, then Σ for w and for θ0 where the plan put them).
#[derive(Clone, Copy, Debug)]
pub(super) struct Lesson {
    x: usize,
    y: usize,
    w: usize,
    theta0: Option<usize>,
    d: usize,
    scale: f64,
    w_at: usize,
    theta0_at: Option<usize>,
}

/// The lesson in `nodes`, if that is exactly what the plan's row nodes
/// compute (else the tile pass runs the graph).
pub(super) fn detect(
    nodes: &[Node],
    roles: &[Role],
    edges: &[(usize, usize, usize)],
    edge_at: &[usize],
    root: usize,
) -> Option<Lesson> {
    let Role::Sum { scale } = roles[root] else {
        return None;
    };
    let name = |i: usize| nodes[i].op.name();
    let input = |i: usize, slot: usize| nodes[i].inputs[slot] as usize;
    let l = input(root, 0);
    let z2 = input(l, 0);
    let z1 = input(z2, 1);
    let y = input(z2, 0);
    if name(l) != "square" || name(z2) != "sub" || nodes[y].shape != Shape::Vector(nodes[y].len) {
        return None;
    }
    let (xw, theta0) = match name(z1).as_str() {
        "add" => (input(z1, 0), Some(input(z1, 1))),
        "matvec" => (z1, None),
        _ => return None,
    };
    if name(xw) != "matvec" || theta0.is_some_and(|t| nodes[t].shape != Shape::Scalar) {
        return None;
    }
    let (x, w) = (input(xw, 0), input(xw, 1));
    let d = nodes[w].len;
    let row_leaf = |i: usize| matches!(roles[i], Role::RowLeaf { .. });
    let whole = |i: usize| matches!(roles[i], Role::Whole);
    let rows = roles
        .iter()
        .filter(|r| matches!(r, Role::Row { .. }))
        .count();
    let expected_rows = if theta0.is_some() { 4 } else { 3 };
    // Every row node is one of the lesson's, each collects a gradient, and
    // the sums over rows are exactly ∂J/∂w (and ∂J/∂θ0).
    let fed = [xw, z1, z2, l].iter().all(|&i| {
        matches!(
            roles[i],
            Role::Row {
                grad_at: Some(_),
                ..
            }
        )
    });
    let mut want = vec![(xw, 1, d)];
    if let Some(t) = theta0 {
        want.push((z1, 1, 1));
        if !whole(t) {
            return None;
        }
    }
    if !(1..=4).contains(&d)
        || !row_leaf(x)
        || !row_leaf(y)
        || !whole(w)
        || rows != expected_rows
        || !fed
        || edges != want.as_slice()
    {
        return None;
    }
    Some(Lesson {
        x,
        y,
        w,
        theta0,
        d,
        scale,
        w_at: edge_at[0],
        theta0_at: theta0.map(|_| edge_at[1]),
    })
}

impl Lesson {
    /// Rows `lo..hi` (one block): J's and the gradients' block sums into
    /// `out`, in the plan's layout.
    pub(super) fn block(
        &self,
        nodes: &[Node],
        values: &[f64],
        sources: &Sources<'_>,
        (lo, hi): (usize, usize),
        out: &mut [f64],
    ) {
        let d = self.d;
        let x = &sources.get(self.x)[lo * d..hi * d];
        let y = &sources.get(self.y)[lo..hi];
        let value = |i: usize| &values[nodes[i].offset..nodes[i].offset + nodes[i].len];
        let w = value(self.w);
        let t0 = self.theta0.map(|t| value(t)[0]);
        match d {
            1 => self.rows::<1>(x, y, w, t0, out),
            2 => self.rows::<2>(x, y, w, t0, out),
            3 => self.rows::<3>(x, y, w, t0, out),
            _ => self.rows::<4>(x, y, w, t0, out),
        }
    }

    #[inline(always)]
    fn rows<const D: usize>(
        &self,
        x: &[f64],
        y: &[f64],
        w: &[f64],
        t0: Option<f64>,
        out: &mut [f64],
    ) {
        let w: &[f64; D] = w.try_into().expect("w has d entries");
        let (xs, _) = x.as_chunks::<D>();
        let local = 1.0 * self.scale;
        let (mut sj, mut st, mut sw) = ([-0.0; LANES], [-0.0; LANES], [[-0.0; LANES]; D]);
        // Row k into lane l: the engine's ops, forward then backward, each
        // gradient from +0 as the engine's backward starts it.
        let mut row = |l: usize, r: &[f64; D], yk: f64| {
            let mut xw = -0.0;
            for c in 0..D {
                xw += r[c] * w[c];
            }
            let z1 = t0.map_or(xw, |t| AddRule::f(xw, t));
            let z2 = SubRule::f(yk, z1);
            let sq = Square.f(z2);
            let g_l = 0.0 + local;
            let g_z2 = 0.0 + g_l * Square.df(z2, sq);
            let g_z1 = 0.0 + g_z2 * SubRule::db(yk, z1, z2);
            let g_xw = match t0 {
                Some(t) => {
                    st[l] += g_z1 * AddRule::db(xw, t, z1);
                    0.0 + g_z1 * AddRule::da(xw, t, z1)
                }
                None => g_z1,
            };
            sj[l] += sq;
            for c in 0..D {
                sw[c][l] += g_xw * r[c];
            }
        };
        let (x8, xt) = xs.as_chunks::<LANES>();
        let (y8, yt) = y.as_chunks::<LANES>();
        for (r8, y8) in x8.iter().zip(y8) {
            for l in 0..LANES {
                row(l, &r8[l], y8[l]);
            }
        }
        for (l, (r, &yk)) in xt.iter().zip(yt).enumerate() {
            row(l, r, yk);
        }
        let n = y.len();
        out[0] = block_sum(&sj, n);
        for c in 0..D {
            out[self.w_at + c] = block_sum(&sw[c], n);
        }
        if let Some(at) = self.theta0_at {
            out[at] = block_sum(&st, n);
        }
    }
}
