//! `fit --weights COL`: the weight column read through the formula, so its
//! rows are the design's rows (a row with a missing weight is dropped or
//! refused like any missing cell), then taken out of the features unless
//! the formula uses it as one.

use anyhow::Result;
use chainrule::data::Design;
use chainrule::model::formula::{Formula, Term};

/// The formula to read the data with: `formula` plus the weight column
/// when the formula does not read it already.
pub fn reading(formula: &Formula, column: &str) -> Result<Formula> {
    if formula.response_columns().contains(&column) {
        return Err(super::common::usage(format!(
            "--weights {column} names the response; give the column of weights"
        )));
    }
    let mut f = formula.clone();
    if !uses(formula, column) {
        f.terms.push(Term::column(column));
    }
    Ok(f)
}

/// Whether the formula itself makes `column` a feature.
fn uses(formula: &Formula, column: &str) -> bool {
    formula
        .terms
        .iter()
        .any(|t| *t == Term::Dot || *t == Term::column(column))
}

/// The weights and the design the formula asked for, from a design read
/// with [`reading`]'s formula.
pub fn split(design: &Design, formula: &Formula, column: &str) -> Result<(Design, Vec<f64>)> {
    let Some(j) = design.names.iter().rposition(|n| n == column) else {
        return Err(anyhow::anyhow!(
            "--weights {column}: the data has no column \"{column}\"; the formula's \
             features are: {}",
            design.names.join(", ")
        ));
    };
    let d = design.d;
    let weights = (0..design.n).map(|i| design.x[i * d + j]).collect();
    if uses(formula, column) {
        return Ok((design.clone(), weights));
    }
    let mut out = design.clone();
    out.names.remove(j);
    out.d = d - 1;
    out.x = design
        .x
        .chunks(d.max(1))
        .flat_map(|row| {
            row.iter()
                .enumerate()
                .filter(|&(k, _)| k != j)
                .map(|(_, v)| *v)
        })
        .collect();
    Ok((out, weights))
}
