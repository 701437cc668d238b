//! Least squares on the data as written in the file, not their f64
//! roundings.
//!
//! Rounding each cell to f64 perturbs it by up to ε/2 relative, which moves
//! θ by about κ(A)·ε relative: NIST's Filip (κ ≈ 10¹⁵ unscaled) keeps 7.6
//! certified digits, Norris, Pontius and Wampler2 lose one or two. The
//! solver can take what rounding dropped (`FitOptions::x_lo`, `y_lo`), so
//! a fit that may have lost digits this way reads the columns it used again
//! as double-doubles ([`read_decimal`]) and solves once more: θ is then the
//! least-squares answer for the decimal data, to every digit NIST
//! certifies.
//!
//! Each feature's exact value comes from its columns: a column is its
//! decimal, `I(x^k)` the double-double power, `I(a*b)` the double-double
//! product. A function (`log(x)`) has no exact value to carry and stays in
//! f64: the fit says so. Indicators (0 or 1) are exact already.

use std::path::Path;

use super::refine::{refine, refine_with, Lows};
use super::{scan, PassObserver, RowSource, SourceError};
use crate::data::{read_decimal, DataError, DecimalChunks, DecimalColumns, Design, ReadOptions};
use crate::model::formula::{Expr, Formula, Op, Term, Variable};
use crate::model::Batch;
use crate::numeric::Dd;
use crate::solve::{least_squares_with, DesignRows, FitOptions, Solution, SolveError};

/// Refit on the decimal data when κ(A)·ε exceeds this: rounding the data
/// to f64 may then cost θ its 15th significant digit (κ above ≈ 4.5, so
/// every design but a nearly orthogonal one).
pub const DECIMAL_KAPPA_EPS: f64 = 1e-15;

/// Above this many cells (rows × parameters) the refit waits for κ(A)·ε
/// above [`DECIMAL_KAPPA_EPS_LARGE`]. The refit reads the file again and
/// solves twice: measured on 10⁶ rows × 7 parameters, 1.6 → 4.8 s of CPU
/// and 250 → 540 MB, worth it for the last digit on small data, not on
/// every large one.
pub const DECIMAL_CELLS: usize = 4_000_000;

/// The estimated relative change of θ from rounding the data to f64 above
/// which a large design is refitted too: it may cost four digits or more.
pub const DECIMAL_KAPPA_EPS_LARGE: f64 = 1e-12;

/// Whether a fit's θ may have lost digits to the f64 rounding of its data
/// (and the refit is worth its cost, above). Small designs: whenever the
/// unscaled κ(A)·ε says any digit may be at stake (the refit is cheap).
/// Large ones: when the first-order change of θ under a relative change
/// ε of every cell, [`rounding_change`], exceeds
/// [`DECIMAL_KAPPA_EPS_LARGE`] (κₛ above ≈ 4500). The unscaled κ also counts the columns'
/// units (a year beside a rate of 0.01 makes it 10⁶ whatever the data), so
/// it would refit most large tables for nothing.
pub fn worth_decimal(s: &Solution) -> bool {
    match s.n.saturating_mul(s.p) <= DECIMAL_CELLS {
        true => s.condition_number * f64::EPSILON > DECIMAL_KAPPA_EPS,
        false => rounding_change(s) > DECIMAL_KAPPA_EPS_LARGE,
    }
}

/// θ's relative change, to first order, when every cell moves by up to ε
/// relative (f64 rounding), in the coordinates where A's columns have unit
/// norm: κₛ·ε, κₛ the condition number of those columns (van der Sluis:
/// the units drop out). The worst case adds κₛ²·ε·‖r‖/‖ŷ‖ for a change
/// of A aligned with the residuals r (Golub & Van Loan, "Matrix
/// Computations", §5.3.7), which rounding, independent from cell to cell,
/// does not make: on 20,000 rows with a year column the refit moved θ by
/// 1e-16 where κₛ·ε is 1e-13 and the worst case 1e-12 (tests/lib/one_pass.rs).
pub fn rounding_change(s: &Solution) -> f64 {
    s.scaled_condition_number * f64::EPSILON
}

/// What rounding the design to f64 dropped: X + x_lo and y + y_lo are the
/// decimal data (row-major like `Design::x`). Features without an exact
/// value have x_lo = 0 and are named in `f64_only`.
#[derive(Debug, Clone, PartialEq)]
pub struct DecimalLows {
    pub x_lo: Vec<f64>,
    pub y_lo: Vec<f64>,
    pub f64_only: Vec<String>,
}

/// A fit on the decimal data, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum DecimalFit {
    /// The refit, and the features it carried in f64 only.
    Refined {
        solution: Box<Solution>,
        f64_only: Vec<String>,
    },
    /// The data cannot be carried whole; the text says why.
    Declined(String),
}

/// Solves `design` (read from the CSV at `path` through `reading` with
/// `opts`; `formula` is what made its features, `reading` may add the
/// weight column) again with the decimal data.
pub fn fit_decimal(
    path: &Path,
    formula: &Formula,
    reading: &Formula,
    opts: &ReadOptions,
    design: &Design,
    options: &FitOptions<'_>,
) -> Result<DecimalFit, DecimalError> {
    let opts = ReadOptions {
        only: reading.columns_to_read(),
        ..opts.clone()
    };
    let data = read_decimal(path, &opts)?;
    let lows = match decimal_lows(&data, formula, design) {
        Ok(lows) => lows,
        Err(why) => return Ok(DecimalFit::Declined(why)),
    };
    let options = FitOptions {
        x_lo: Some(&lows.x_lo),
        y_lo: Some(&lows.y_lo),
        ..*options
    };
    let solution = least_squares_with(DesignRows::of(design), &options)?;
    Ok(DecimalFit::Refined {
        solution: Box::new(solution),
        f64_only: lows.f64_only,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum DecimalError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// x_lo and y_lo of `design` from the decimal cells; Err says why the
/// cells do not describe the design's rows (then nothing is carried).
pub fn decimal_lows(
    data: &DecimalColumns,
    formula: &Formula,
    design: &Design,
) -> Result<DecimalLows, String> {
    let (n, d) = (design.n, design.d);
    if data.n_rows() != n {
        return Err(format!(
            "the file has {} rows where the fit has {n}",
            data.n_rows()
        ));
    }
    let mut f64_only = Vec::new();
    // A transformed response without an exact value (log(y)) is carried
    // in f64, like such a feature.
    let y_lo = match exact_expr(&formula.response, data) {
        Some(y) => {
            let y_lo =
                lows(&y, &design.y).ok_or("the response has a cell that is not a plain decimal")?;
            check_lined_up(&design.response, &design.y, &y_lo)?;
            y_lo
        }
        None => {
            f64_only.push(design.response.clone());
            vec![0.0; n]
        }
    };
    let mut x_lo = vec![0.0; n * d];
    for (j, name) in design.names.iter().enumerate() {
        let x: Vec<f64> = (0..n).map(|i| design.x[i * d + j]).collect();
        let lo = match exact_feature(name, formula, data) {
            Some(Exact::Whole(exact)) => lows(&exact, &x),
            // An indicator times exact parts: 0 where the indicator is.
            Some(Exact::Gated(exact)) => gated(&exact, &x).and_then(|e| lows(&e, &x)),
            // 0 or 1: an indicator, exact in f64.
            None if x.iter().all(|&v| v == 0.0 || v == 1.0) => continue,
            None => None,
        };
        let Some(lo) = lo else {
            f64_only.push(name.clone());
            continue;
        };
        check_lined_up(name, &x, &lo)?;
        for (i, v) in lo.into_iter().enumerate() {
            x_lo[i * d + j] = v;
        }
    }
    Ok(DecimalLows {
        x_lo,
        y_lo,
        f64_only,
    })
}

/// A feature's exact values: all of it, or the product of its parts with
/// an exact value where its other parts (indicators, if the values say
/// so: see [`gated`]) are 1.
enum Exact {
    Whole(Vec<Option<Dd>>),
    Gated(Vec<Option<Dd>>),
}

/// The exact values of a feature whose other parts are indicators: where
/// the feature is 0 the indicator is, else it is 1 and the feature is
/// `exact` (to rounding); None if a row says otherwise.
fn gated(exact: &[Option<Dd>], x: &[f64]) -> Option<Vec<Option<Dd>>> {
    exact
        .iter()
        .zip(x)
        .map(|(e, &v)| match e {
            _ if v == 0.0 => Some(Some(Dd::default())),
            Some(e) if (e.hi - v).abs() <= 1e-12 * v.abs() => Some(Some(*e)),
            _ => None,
        })
        .collect()
}

/// Feature `name`'s exact values, row by row, from the decimal columns;
/// None when it has none (a function such as `log(x)`, a division, an
/// orthogonal polynomial, an indicator). The one place that reads the
/// formula's terms: a feature is its parts joined by `:`, each a column or
/// a numeric expression of the formula (raw powers included); parts with
/// neither (indicators, or what `gated` refuses) leave it [`Exact::Gated`].
fn exact_feature(name: &str, formula: &Formula, data: &DecimalColumns) -> Option<Exact> {
    // A column as it is (also one that `.` names).
    if let Some(column) = data.column(name) {
        return Some(Exact::Whole(column));
    }
    let mut exprs: Vec<Expr> = Vec::new();
    for term in &formula.terms {
        let Term::Interaction(variables) = term else {
            continue;
        };
        for variable in variables {
            match variable {
                Variable::Numeric(e) => exprs.push(e.clone()),
                Variable::RawPoly(c, k) => {
                    exprs.extend((1..=*k).map(|p| Expr::pow(Expr::column(c.clone()), f64::from(p))))
                }
                _ => {}
            }
        }
    }
    let mut product: Option<Vec<Option<Dd>>> = None;
    let mut whole = true;
    for part in name.split(':') {
        let values = match data.column(part) {
            Some(column) => column,
            None => match exprs.iter().find(|e| e.name() == part) {
                Some(e) => exact_expr(e, data)?,
                None => {
                    whole = false;
                    continue;
                }
            },
        };
        product = Some(match product {
            None => values,
            Some(p) => p
                .iter()
                .zip(&values)
                .map(|(u, v)| Some((*u)? * (*v)?))
                .collect(),
        });
    }
    match whole {
        true => product.map(Exact::Whole),
        false => product.map(Exact::Gated),
    }
}

/// `e` in double-double on every row: sums, differences, products and
/// whole powers of columns and numbers; None for anything else.
fn exact_expr(e: &Expr, data: &DecimalColumns) -> Option<Vec<Option<Dd>>> {
    let dd = |v: f64| Dd { hi: v, lo: 0.0 };
    let negate = |v: Dd| Dd {
        hi: -v.hi,
        lo: -v.lo,
    };
    let sum = |mut u: Dd, v: Dd| {
        u.add(v.hi);
        u.add(v.lo);
        u
    };
    Some(match e {
        Expr::Column(c) => data.column(c)?,
        Expr::Number(k) => vec![Some(dd(k.0)); data.n_rows()],
        Expr::Neg(a) => exact_expr(a, data)?
            .into_iter()
            .map(|v| v.map(negate))
            .collect(),
        Expr::Binary(op, a, b) => {
            let (u, v) = (exact_expr(a, data)?, exact_expr(b, data)?);
            let pairs = u.into_iter().zip(v);
            match op {
                Op::Add => pairs.map(|(u, v)| Some(sum(u?, v?))).collect(),
                Op::Sub => pairs.map(|(u, v)| Some(sum(u?, negate(v?)))).collect(),
                Op::Mul => pairs.map(|(u, v)| Some(u? * v?)).collect(),
                Op::Div => return None,
            }
        }
        Expr::Pow(a, k) if k.0.fract() == 0.0 && (1.0..=30.0).contains(&k.0) => {
            let k = k.0 as u32;
            exact_expr(a, data)?
                .into_iter()
                .map(|v| v.map(|x| (1..k).fold(x, |acc, _| acc * x)))
                .collect()
        }
        Expr::Pow(..) | Expr::Call(..) => return None,
    })
}

/// exact − f64 per row, or None when a cell has no exact value.
fn lows(exact: &[Option<Dd>], f64s: &[f64]) -> Option<Vec<f64>> {
    exact
        .iter()
        .zip(f64s)
        .map(|(e, &x)| e.map(|e| (e.hi - x) + e.lo))
        .collect()
}

/// The decimal value must be the f64 the fit used to within rounding
/// (x^k: k roundings of x, so k·ε/2; 10⁻¹² allows any power a formula
/// writes): a larger low part means the rows were not lined up (or the
/// reader parsed the cell differently), and carrying it would change the
/// data.
fn check_lined_up(name: &str, x: &[f64], lo: &[f64]) -> Result<(), String> {
    match x
        .iter()
        .zip(lo)
        .position(|(x, lo)| lo.abs() > 1e-12 * x.abs())
    {
        Some(i) => Err(format!(
            "row {}, \"{name}\": the cell as written is not the value read ({})",
            i + 1,
            x[i]
        )),
        None => Ok(()),
    }
}

/// The decimal residue of a CSV in step with a streamed source's passes
/// ([`Lows`] for `source::refine`): each batch of rows the source hands
/// out is matched with the same rows read as decimals.
struct DecimalStream<'a> {
    path: &'a Path,
    formula: &'a Formula,
    opts: ReadOptions,
    shape: Design,
    chunks: Option<DecimalChunks>,
    f64_only: Vec<String>,
}

impl Lows for DecimalStream<'_> {
    fn restart(&mut self) -> Result<(), SourceError> {
        self.chunks = Some(DecimalChunks::open(self.path, &self.opts)?);
        Ok(())
    }

    fn next(&mut self, batch: Batch<'_>) -> Result<(Vec<f64>, Vec<f64>), SourceError> {
        let chunks = self.chunks.as_mut().expect("restart opens the file");
        let chunk = chunks.next_chunk(batch.len())?.unwrap_or(DecimalColumns {
            names: Vec::new(),
            cells: Vec::new(),
        });
        let design = Design {
            n: batch.len(),
            x: batch.x.to_vec(),
            y: batch.y.to_vec(),
            ..self.shape.clone()
        };
        let lows = decimal_lows(&chunk, self.formula, &design).map_err(SourceError::Engine)?;
        for name in lows.f64_only {
            if !self.f64_only.contains(&name) {
                self.f64_only.push(name);
            }
        }
        Ok((lows.x_lo, lows.y_lo))
    }
}

/// The streamed closed form (`source::fit_stream`: TSQR statistics, solve,
/// refinement against the rows) and, when [`worth_decimal`] and the design
/// has full rank, the same refinement continued towards the least-squares
/// θ of the CSV at `path` as written (up to four more passes). The
/// statistics other than θ stay those of the f64 data. Measured on NIST
/// StRD in chunks of 7 rows, θ's certified digits: Wampler2 13.2 → 15,
/// Norris 14.1 → 14.4; Filip (7.6) and Pontius (13.5) stall, and say so.
pub fn fit_stream_decimal(
    source: &mut dyn RowSource,
    observer: &mut dyn PassObserver,
    path: &Path,
    formula: &Formula,
    opts: &ReadOptions,
) -> Result<(Solution, Option<DecimalFit>), SourceError> {
    let stats = scan(source, observer)?;
    let mut s = stats.solve(source.response(), source.names(), source.intercept())?;
    refine(source, &stats, &mut s, observer)?;
    if !worth_decimal(&s) || s.rank < s.p {
        return Ok((s, None));
    }
    let mut lows = DecimalStream {
        path,
        formula,
        opts: ReadOptions {
            only: formula.columns_to_read(),
            ..opts.clone()
        },
        shape: source.empty_design(),
        chunks: None,
        f64_only: Vec::new(),
    };
    let mut refined = s.clone();
    match refine_with(source, &stats, &mut refined, observer, Some(&mut lows)) {
        // Refinement through R alone (semi-normal equations) stalls on the
        // hardest designs (Filip, Pontius' raw x²): no step lowered the
        // gradient of the decimal data.
        Ok(0) => Ok((
            s,
            Some(DecimalFit::Declined(
                "the streamed refinement could not move θ towards them; fit with the rows \
                 in memory (no --chunk-rows) to carry them"
                    .into(),
            )),
        )),
        Ok(_) => Ok((
            s,
            Some(DecimalFit::Refined {
                solution: Box::new(refined),
                f64_only: lows.f64_only,
            }),
        )),
        Err(SourceError::Stopped) => Err(SourceError::Stopped),
        Err(why) => Ok((s, Some(DecimalFit::Declined(why.to_string())))),
    }
}
