//! Categorical variables under R's treatment coding: a column of k levels
//! becomes k − 1 indicator features, one per level but the reference,
//! which the intercept absorbs.
//!
//! Levels are sorted by Unicode code point (byte order of UTF-8): as
//! Python's `sorted`, so as patsy, and as R in the C locale (R's default
//! `sort` follows the user's locale, where `"b" < "C"`; in the C locale
//! `"C" < "b"`). `factor(x)` of a numeric column sorts the values as
//! numbers, as R's `factor` does (`2 < 10`), and labels them as R prints
//! them (`2`, `0.5`). The reference is the first level unless
//! `C(x, ref = "b")` names one.
//!
//! The levels seen at fit time are the model's [`Coding`], stored in the
//! model file: new rows are coded with it, never with their own levels,
//! so a level the fit never saw is an error naming the row.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::FormulaError;
use crate::data::{label_of, Dataset, TextColumn};
use crate::numeric::OrthoPoly;

/// What a fit learned from its data that the formula alone does not say:
/// each categorical column's levels, in order, and each orthogonal
/// polynomial's basis (R's `coefs`: α and ‖p‖²).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Coding {
    /// Column → its levels in sorted order (the reference is the first,
    /// unless the formula names another).
    pub levels: BTreeMap<String, Vec<String>>,
    /// `poly(x, 3)` → its basis over the fitted rows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub poly: BTreeMap<String, OrthoPoly>,
}

impl Coding {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty() && self.poly.is_empty()
    }
}

/// The cells of a column as category labels, row by row.
pub(super) fn labels(data: &Dataset, column: &str) -> Option<Vec<String>> {
    if let Some(t) = data.text_column(column) {
        return Some(t.values.clone());
    }
    let values = data.column(column).ok()?;
    Some(values.iter().map(|&v| label_of(v)).collect())
}

/// A column's levels in the order described in the module docs.
pub(super) fn learn_levels(data: &Dataset, column: &str) -> Option<Vec<String>> {
    if let Some(t) = data.text_column(column) {
        let mut levels = t.values.clone();
        levels.sort_unstable();
        levels.dedup();
        return Some(levels);
    }
    let mut values = data.column(column).ok()?.to_vec();
    values.sort_unstable_by(f64::total_cmp);
    values.dedup();
    Some(values.into_iter().map(label_of).collect())
}

/// Whether a text column is a column of labels (no cell a number), so a
/// bare name in a formula makes it categorical; one with numbers too is
/// refused by [`mixed`], since a stray word in a numeric column is more
/// likely a typo than a category.
pub(super) fn is_labels(t: &TextColumn) -> bool {
    t.numbers == 0
}

/// The error for a column of numbers and text used without `factor()`.
pub(super) fn mixed(data: &Dataset, t: &TextColumn) -> FormulaError {
    let at = t.first_text.clone().unwrap_or_default();
    FormulaError::NotANumber {
        at: format!("{}:{}", data.source_name(), at.line),
        name: t.name.clone(),
        index: t.index,
        text: at.text,
        numbers: t.numbers,
        words: t.values.len() - t.numbers,
    }
}

/// The indicator of `level` among `levels` for column `column`: 1 where
/// a row's label is `level`. A label outside `levels` is an error naming
/// the row.
pub(super) fn indicator(
    data: &Dataset,
    column: &str,
    levels: &[String],
    level: &str,
) -> Result<Vec<f64>, FormulaError> {
    let labels = labels(data, column).ok_or_else(|| FormulaError::UnknownColumn {
        file: data.source_name(),
        name: column.into(),
        available: data.all_names(),
    })?;
    let known: HashSet<&str> = levels.iter().map(String::as_str).collect();
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| match known.contains(label.as_str()) {
            true => Ok(f64::from(u8::from(label == level))),
            false => Err(FormulaError::UnseenLevel {
                at: data.row_at(i),
                name: column.into(),
                level: label.clone(),
                levels: levels.to_vec(),
            }),
        })
        .collect()
}
