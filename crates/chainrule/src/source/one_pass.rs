//! The closed form from CSV files in a single pass: the file is parsed in
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

use std::path::PathBuf;

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

/// The most parameters fitted in one pass: each piece of the file (16 to a
/// block, held until the block is merged) keeps its own (p + 1)² Gram
/// matrix in double-double, 1 MiB at 256; wider designs stream with TSQR.
pub const ONE_PASS_MAX_PARAMS: usize = 255;

/// The least-squares fit of `paths` (read one after the other as one data
/// set) through `formula` in one pass, with the design's labels (no rows);
/// `Ok(None)` when this route cannot answer (module docs). Errors are only
/// a stop asked for by `observer`.
pub fn fit_one_pass(
    paths: &[PathBuf],
    formula: &Formula,
    opts: &ReadOptions,
    observer: &mut dyn PassObserver,
) -> Result<Option<(Solution, Design)>, SourceError> {
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(source) = CsvSource::open(path, formula, opts, 1) else {
            return Ok(None);
        };
        sources.push(source);
    }
    let Some(first) = sources.first() else {
        return Ok(None);
    };
    let same = |s: &CsvSource| s.names() == first.names() && s.response() == first.response();
    if !sources.iter().all(same) {
        return Ok(None);
    }
    let p = first.names().len() + usize::from(first.intercept());
    if p > ONE_PASS_MAX_PARAMS {
        return Ok(None);
    }
    let mut total = GramStats::empty(p, first.intercept());
    observer.on_pass("scan");
    let mut before = 0;
    for source in &sources {
        if !add_file(source, &mut total, before, observer)? {
            return Ok(None);
        }
        before += source.bytes_total().unwrap_or(0);
    }
    let solved = total.solve(first.response(), first.names(), first.intercept());
    match solved {
        Ok(Some(s)) if !worth_decimal(&s) => Ok(Some((s, first.empty_design()))),
        _ => Ok(None),
    }
}

/// Adds every row of `source`'s file to `total`, telling `observer` the
/// bytes read after `before` (the files ahead of it); false when the fast
/// path gave up on the file.
fn add_file(
    source: &CsvSource,
    total: &mut GramStats,
    before: u64,
    observer: &mut dyn PassObserver,
) -> Result<bool, SourceError> {
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
    fold_plain(
        &source.path,
        &source.opts,
        &map,
        &mut |pieces: Vec<GramStats>, bytes| {
            let rows_before = total.count;
            pieces.iter().for_each(|g| total.merge(g));
            observer.on_chunk((total.count - rows_before) as usize, before + bytes);
            check_stop(observer)
        },
    )
}
