//! The columns of X a term makes: the product of one column from each of
//! its variables, in every combination, the first variable varying
//! fastest (R's `model.matrix` order). A numeric variable gives its values
//! (`x`, `log(x)`; `poly(x, k)` gives k columns), a categorical one its
//! indicators. Names join the parts with `:` as R does: `x1:x2`,
//! `regionSouth:x1`.

use super::expr::Expr;
use super::{coding, lookup, FormulaError};
use crate::data::Dataset;
use crate::numeric::OrthoPoly;

/// One factor of a feature.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    /// A number per row.
    Numeric(Expr),
    /// Column `index` (0-based) of an orthogonal polynomial of `column`,
    /// named `{key}{index + 1}` as R names it: `poly(x, 3)1`.
    Orthogonal {
        column: String,
        key: String,
        basis: OrthoPoly,
        index: usize,
    },
    /// 1 where `column` is `level` (one of `levels`), named `{prefix}{level}`.
    Indicator {
        column: String,
        prefix: String,
        levels: Vec<String>,
        level: String,
    },
}

/// One column of X: the product of its parts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Feature(pub Vec<Part>);

impl Part {
    fn name(&self) -> String {
        match self {
            Part::Numeric(e) => e.name(),
            Part::Orthogonal { key, index, .. } => format!("{key}{}", index + 1),
            Part::Indicator { prefix, level, .. } => format!("{prefix}{level}"),
        }
    }

    fn values(&self, data: &Dataset) -> Result<Vec<f64>, FormulaError> {
        match self {
            Part::Numeric(e) => e.eval(data, &e.to_string()),
            Part::Orthogonal {
                column,
                key,
                basis,
                index,
            } => {
                let mut row = vec![0.0; basis.degree()];
                let x = lookup(data, column, key)?;
                Ok(x.iter()
                    .map(|&v| {
                        basis.eval_into(v, &mut row);
                        row[*index]
                    })
                    .collect())
            }
            Part::Indicator {
                column,
                levels,
                level,
                ..
            } => coding::indicator(data, column, levels, level),
        }
    }
}

impl Feature {
    pub(super) fn name(&self) -> String {
        let names: Vec<String> = self.0.iter().map(Part::name).collect();
        names.join(":")
    }

    /// The product of the parts, row by row.
    pub(super) fn values(&self, data: &Dataset) -> Result<Vec<f64>, FormulaError> {
        let mut parts = self.0.iter();
        let first = parts.next().expect("a feature has a part");
        let mut out = first.values(data)?;
        for part in parts {
            for (o, v) in out.iter_mut().zip(part.values(data)?) {
                *o *= v;
            }
        }
        Ok(out)
    }
}

/// Every combination of one part per variable, the first varying fastest.
pub(super) fn combine(blocks: Vec<Vec<Part>>) -> Vec<Feature> {
    let mut out = vec![Feature(Vec::new())];
    for block in blocks {
        out = block
            .iter()
            .flat_map(|part| {
                out.iter().map(move |f| {
                    let mut parts = f.0.clone();
                    parts.push(part.clone());
                    Feature(parts)
                })
            })
            .collect();
    }
    out
}
