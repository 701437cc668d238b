//! Rows waiting to be dealt into mini-batches of k.
//!
//! Each chunk of a pass is dealt together with the rows carried over from
//! the chunk before: with shuffling on, those rows are permuted
//! (xoshiro256++) and dealt k at a time; rows short of a batch carry into
//! the next chunk, so every batch but the epoch's last has k rows, and
//! [`Window::finish`] deals the rest as that last, shorter batch.
//!
//! Rows in memory are one chunk, so the window is the whole data set: one
//! permutation of all n rows per epoch (the permutation of the epoch
//! before, shuffled again), batches gathered from it. A streamed shuffle
//! only mixes rows within a chunk and its carry: a file sorted by something
//! that matters should be shuffled once beforehand, or read in larger
//! chunks. Without shuffling, batches are consecutive rows, handed out as
//! slices of the chunk (no copy) when nothing is carried.

use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::fit::TrainError;
use crate::model::Batch;

/// One mini-batch step: the rows, and the epoch row the batch starts at.
pub type StepFn<'f> = dyn FnMut(Batch<'_>, usize) -> Result<(), TrainError> + 'f;

pub struct Window {
    k: usize,
    d: usize,
    /// Rows carried over (fewer than k).
    carry_x: Vec<f64>,
    carry_y: Vec<f64>,
    next_x: Vec<f64>,
    next_y: Vec<f64>,
    /// Row of the epoch the next batch starts at.
    first_row: usize,
    /// The permutation of the rows being dealt (carry first, then the
    /// chunk); kept between chunks of the same size.
    order: Vec<usize>,
    bx: Vec<f64>,
    by: Vec<f64>,
}

impl Window {
    pub fn new(k: usize, d: usize) -> Self {
        Window {
            k,
            d,
            carry_x: Vec::with_capacity(k * d),
            carry_y: Vec::with_capacity(k),
            next_x: Vec::with_capacity(k * d),
            next_y: Vec::with_capacity(k),
            first_row: 0,
            order: Vec::new(),
            bx: vec![0.0; k * d],
            by: vec![0.0; k],
        }
    }

    /// A new epoch: nothing carried.
    pub fn clear(&mut self) {
        self.carry_x.clear();
        self.carry_y.clear();
        self.first_row = 0;
    }

    /// Deals the carried rows and `chunk` in whole batches of k.
    pub fn deal(
        &mut self,
        chunk: Batch<'_>,
        shuffle: bool,
        rng: &mut Xoshiro256PlusPlus,
        step: &mut StepFn<'_>,
    ) -> Result<(), TrainError> {
        let (k, d) = (self.k, self.d);
        let carried = self.carry_y.len();
        let rows = carried + chunk.len();
        let used = rows - rows % k;
        if self.order.len() != rows {
            self.order.clear();
            self.order.extend(0..rows);
        }
        if shuffle {
            self.order.shuffle(rng);
        }
        for s in (0..used).step_by(k) {
            if !shuffle && carried == 0 {
                step(chunk.slice(s, s + k), self.first_row + s)?;
                continue;
            }
            for slot in 0..k {
                let r = self.order[s + slot];
                let x = &mut self.bx[slot * d..(slot + 1) * d];
                if carried == 0 {
                    // The common case (and all of it in memory): no branch
                    // per row on where it lives.
                    x.copy_from_slice(chunk.row(r));
                    self.by[slot] = chunk.y[r];
                } else if r < carried {
                    x.copy_from_slice(&self.carry_x[r * d..(r + 1) * d]);
                    self.by[slot] = self.carry_y[r];
                } else {
                    x.copy_from_slice(chunk.row(r - carried));
                    self.by[slot] = chunk.y[r - carried];
                }
            }
            step(Batch::new(&self.bx, &self.by, d), self.first_row + s)?;
        }
        self.next_x.clear();
        self.next_y.clear();
        for &r in &self.order[used..rows] {
            if r < carried {
                self.next_x
                    .extend_from_slice(&self.carry_x[r * d..(r + 1) * d]);
                self.next_y.push(self.carry_y[r]);
            } else {
                self.next_x.extend_from_slice(chunk.row(r - carried));
                self.next_y.push(chunk.y[r - carried]);
            }
        }
        std::mem::swap(&mut self.carry_x, &mut self.next_x);
        std::mem::swap(&mut self.carry_y, &mut self.next_y);
        self.first_row += used;
        Ok(())
    }

    /// Deals what is left as the epoch's last, shorter batch.
    pub fn finish(&mut self, step: &mut StepFn<'_>) -> Result<(), TrainError> {
        let m = self.carry_y.len();
        if m > 0 {
            step(
                Batch::new(&self.carry_x, &self.carry_y, self.d),
                self.first_row,
            )?;
        }
        self.first_row += m;
        self.carry_x.clear();
        self.carry_y.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Rows 0..7 (x = y = row number) in chunks of 3, batches of 2.
    fn dealt(shuffle: bool) -> Vec<(Vec<f64>, usize)> {
        let x: Vec<f64> = (0..7).map(f64::from).collect();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut win = Window::new(2, 1);
        let mut out = Vec::new();
        let mut step = |b: Batch<'_>, start: usize| {
            out.push((b.y.to_vec(), start));
            Ok(())
        };
        for start in (0..7).step_by(3) {
            let end = (start + 3).min(7);
            let chunk = Batch::new(&x[start..end], &x[start..end], 1);
            win.deal(chunk, shuffle, &mut rng, &mut step).unwrap();
        }
        win.finish(&mut step).unwrap();
        out
    }

    #[test]
    fn unshuffled_batches_are_consecutive_rows_across_chunks() {
        // Chunks [0 1 2] [3 4 5] [6]: row 2 waits for row 3; 6 is the short
        // last batch. Starts count rows of the epoch.
        let want: Vec<(Vec<f64>, usize)> = vec![
            (vec![0.0, 1.0], 0),
            (vec![2.0, 3.0], 2),
            (vec![4.0, 5.0], 4),
            (vec![6.0], 6),
        ];
        assert_eq!(dealt(false), want);
    }

    #[test]
    fn shuffled_batches_deal_every_row_once() {
        // Law: a shuffle permutes; it neither drops nor repeats a row, and
        // every batch but the last has k rows.
        let got = dealt(true);
        let mut rows: Vec<f64> = got.iter().flat_map(|(b, _)| b.clone()).collect();
        rows.sort_by(f64::total_cmp);
        assert_eq!(rows, (0..7).map(f64::from).collect::<Vec<_>>());
        assert!(got[..got.len() - 1].iter().all(|(b, _)| b.len() == 2));
    }
}
