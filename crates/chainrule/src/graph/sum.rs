//! The one order in which the engine sums over rows.
//!
//! Float addition is not associative, so the bits of a reduction are fixed
//! by its order. Every sum over the rows of a tensor — `sum`/`mean`, the
//! gradient of a scalar broadcast over a vector, the gradient of matvec's
//! vector — adds its terms in this order, whether the graph runs node by
//! node or compiled into blocks (`compiled.rs`), so the two give the same
//! bits (`dot` still sums in index order; a graph that reads one over rows
//! is not compiled):
//!
//! - the rows split into blocks of `BLOCK_ROWS`;
//! - within a block, row k goes to lane k mod `LANES`, each lane summing its
//!   rows in order, and the lanes are added by one fixed tree — except that
//!   a block of fewer than `LANES` rows is summed in row order;
//! - the block sums are added in block order.
//!
//! Every sum starts at −0.0, the exact identity of addition (so a single
//! term is itself, sign of zero included). The lanes are what lets a pass
//! keep 8 independent sums in flight (and in SIMD registers); the blocks are
//! what lets it hand blocks to threads and still reduce in a fixed order.
//! It is the kernel's order (`kernel/block.rs`), so the graph and the
//! kernel differ only in their arithmetic, not in how they sum.

/// Rows per block: the kernel's block, fixed so results never depend on
/// the thread count.
pub const BLOCK_ROWS: usize = 8192;

/// Independent partial sums within a block.
pub const LANES: usize = 8;

/// Rows of terms a `RowSums` fills and adds at a time: its scratch stays
/// in L1 however long the sum.
const CHUNK: usize = 256;

/// Running sums of `width` quantities over rows, in the order above.
#[derive(Clone, Debug)]
pub struct RowSums {
    width: usize,
    /// The current block's partial sums, lane-major (`LANES` × `width`), so
    /// that `LANES` rows of row-major terms add onto them element for
    /// element.
    lanes: Vec<f64>,
    /// Rows added to the current block so far.
    row: usize,
    /// The sums of the finished blocks.
    total: Vec<f64>,
    /// Up to `CHUNK` rows of terms, row-major.
    terms: Vec<f64>,
}

impl RowSums {
    pub fn new(width: usize) -> Self {
        RowSums {
            width,
            lanes: vec![-0.0; LANES * width],
            row: 0,
            total: vec![-0.0; width],
            terms: Vec::new(),
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Adds `rows` more rows, a chunk at a time: `fill(lo, terms)` writes
    /// the terms of rows `lo..lo + terms.len() / width` (counted from the
    /// first of these `rows`), row-major, `width` per row.
    #[inline]
    pub fn add_rows(&mut self, rows: usize, mut fill: impl FnMut(usize, &mut [f64])) {
        let w = self.width;
        if w == 0 {
            return;
        }
        let mut terms = std::mem::take(&mut self.terms);
        terms.resize(CHUNK * w, 0.0);
        let mut k = 0;
        while k < rows {
            let m = (rows - k).min(BLOCK_ROWS - self.row).min(CHUNK);
            let t = &mut terms[..m * w];
            fill(k, t);
            self.add_terms(t, m);
            k += m;
            if self.row == BLOCK_ROWS {
                self.end_block();
            }
        }
        self.terms = terms;
    }

    /// Adds rows of row-major terms that do not run past the block.
    #[inline]
    fn add_terms(&mut self, t: &[f64], m: usize) {
        let w = self.width;
        let mut i = 0;
        if self.row.is_multiple_of(LANES) {
            // Aligned: LANES rows land on the lanes element for element.
            let group = LANES * w;
            for g in t.chunks_exact(group) {
                for (a, v) in self.lanes.iter_mut().zip(g) {
                    *a += v;
                }
            }
            i = m / LANES * LANES;
        }
        for r in i..m {
            let l = (self.row + r) % LANES;
            for (a, v) in self.lanes[l * w..(l + 1) * w].iter_mut().zip(&t[r * w..]) {
                *a += v;
            }
        }
        self.row += m;
    }

    /// Adds one quantity's terms, one per row (width 1).
    #[inline]
    pub fn add_column(&mut self, terms: &[f64]) {
        debug_assert_eq!(self.width, 1);
        let mut k = 0;
        while k < terms.len() {
            let m = (terms.len() - k).min(BLOCK_ROWS - self.row);
            self.add_terms(&terms[k..k + m], m);
            k += m;
            if self.row == BLOCK_ROWS {
                self.end_block();
            }
        }
    }

    /// Folds the current block into the total.
    fn end_block(&mut self) {
        let w = self.width;
        for (c, t) in self.total.iter_mut().enumerate() {
            let lanes: [f64; LANES] = std::array::from_fn(|l| self.lanes[l * w + c]);
            *t += block_sum(&lanes, self.row);
        }
        self.lanes.fill(-0.0);
        self.row = 0;
    }

    /// The sums of every row added, in the order above.
    pub fn finish(mut self) -> Vec<f64> {
        if self.row > 0 {
            self.end_block();
        }
        self.total
    }
}

/// The sum of one block of `rows` rows from its lanes.
#[inline]
pub(crate) fn block_sum(lanes: &[f64; LANES], rows: usize) -> f64 {
    if rows < LANES {
        // Lane k holds row k alone: add them in row order.
        lanes[..rows].iter().fold(-0.0, |s, &v| s + v)
    } else {
        let a = lanes;
        ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
    }
}

/// Σ terms, in the order above.
pub fn ordered_sum(terms: &[f64]) -> f64 {
    let mut s = RowSums::new(1);
    s.add_column(terms);
    s.finish()[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_the_lanes_is_the_plain_sum() {
        // 0.1 + 0.2 + 0.3 rounds differently by grouping: (0.1 + 0.2) + 0.3
        // = 0.6000000000000001, 0.1 + (0.2 + 0.3) = 0.6.
        assert_eq!(ordered_sum(&[0.1, 0.2, 0.3]), (0.1 + 0.2) + 0.3);
        assert_eq!(ordered_sum(&[-0.0]).to_bits(), (-0.0f64).to_bits());
        assert_eq!(ordered_sum(&[]).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn lanes_and_blocks_follow_the_stated_order() {
        // An independent spelling of the order: blocks, lanes, tree.
        let reference = |t: &[f64]| {
            let mut total = -0.0;
            for block in t.chunks(BLOCK_ROWS) {
                let s = if block.len() < LANES {
                    block.iter().fold(-0.0, |s, &v| s + v)
                } else {
                    let mut a = [-0.0; LANES];
                    for (k, v) in block.iter().enumerate() {
                        a[k % LANES] += v;
                    }
                    ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
                };
                total += s;
            }
            total
        };
        for n in [8, 9, 100, BLOCK_ROWS, BLOCK_ROWS + 3, 3 * BLOCK_ROWS + 17] {
            let t: Vec<f64> = (0..n).map(|i| (i as f64 * 0.731).sin() * 1e3).collect();
            assert_eq!(ordered_sum(&t).to_bits(), reference(&t).to_bits(), "n {n}");
            // Fed in uneven pieces, the order (and so the bits) is the same.
            let mut s = RowSums::new(1);
            for piece in t.chunks(13) {
                s.add_column(piece);
            }
            assert_eq!(s.finish()[0].to_bits(), reference(&t).to_bits(), "n {n}");
        }
    }
}
