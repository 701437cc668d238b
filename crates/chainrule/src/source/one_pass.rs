//! The closed form from one CSV in a single pass: the file is parsed in
//! pieces on every core (`data::fold_plain`), each piece's rows go through
//! the formula and into a Gram matrix in double-double on the thread that
//! parsed them, and the pieces' sums are added in file order
//! (`solve::GramStats`). Memory is one block of the file; nothing is read
//! twice.
//!
//! It answers only where that answer is the in-memory referee's to the
//! last digit: a file the fast path parses (every cell a finite number,
//! no quotes), a formula of numeric columns, a design conditioned well
//! enough for its Gram matrix (see `solve/gram.rs`) and a fit whose θ the
//! f64 rounding of the data did not move (`worth_decimal` false). Anything
//! else is `None`, and the caller reads the rows as before — in memory or
//! streamed with refinement — which also words every error.

use std::path::Path;

use super::decimal::worth_decimal;
use super::{check_stop, CsvSource, PassObserver, RowSource, SourceError};
use crate::data::{fold_plain, Dataset, Design, ReadOptions};
use crate::model::formula::{Coding, Formula};
use crate::model::Batch;
use crate::solve::{GramStats, Solution};

/// Files smaller than this are read into memory when nothing else is
/// asked: there the one-pass route saves little, and the in-memory fit
/// carries the data as written beyond f64 where that matters.
pub const ONE_PASS_BYTES: u64 = 8 << 20;

/// The least-squares fit of `path` through `formula` in one pass, with the
/// design's labels (no rows); `Ok(None)` when this route cannot answer
/// (module docs). Errors are only a stop asked for by `observer`.
pub fn fit_one_pass(
    path: &Path,
    formula: &Formula,
    opts: &ReadOptions,
    observer: &mut dyn PassObserver,
) -> Result<Option<(Solution, Design)>, SourceError> {
    let Ok(source) = CsvSource::open(path, formula, opts, 1) else {
        return Ok(None);
    };
    let Some(gram) = gram_of(&source, observer)? else {
        return Ok(None);
    };
    let solved = gram.solve(source.response(), source.names(), source.intercept());
    match solved {
        Ok(Some(s)) if !worth_decimal(&s) => Ok(Some((s, source.empty_design()))),
        _ => Ok(None),
    }
}

/// G of [A | y] over every row of `source`'s file, or None when the fast
/// path gave up on it.
fn gram_of(
    source: &CsvSource,
    observer: &mut dyn PassObserver,
) -> Result<Option<GramStats>, SourceError> {
    let intercept = source.intercept();
    let names = source.names();
    let p = names.len() + usize::from(intercept);
    let numbers_only = Coding::default();
    let map = |data: Dataset| {
        let design = source.formula.design_coded(&data, &numbers_only).ok()?;
        if design.names != names {
            return None;
        }
        let mut gram = GramStats::empty(p, intercept);
        gram.add_batch(Batch::new(&design.x, &design.y, design.d));
        Some(gram)
    };
    let mut total = GramStats::empty(p, intercept);
    observer.on_pass("scan");
    let whole = fold_plain(
        &source.path,
        &source.opts,
        &map,
        &mut |pieces: Vec<GramStats>, bytes| {
            let before = total.count;
            pieces.iter().for_each(|g| total.merge(g));
            observer.on_chunk((total.count - before) as usize, bytes);
            check_stop(observer)
        },
    )?;
    Ok(whole.then_some(total))
}
