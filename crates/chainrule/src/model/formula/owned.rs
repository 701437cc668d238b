//! The design of a data set read for it alone (`source::open` reads a
//! file's columns for one formula and has no other use for them): taken
//! rather than borrowed, so that the data set and the design are not both
//! in memory, the columns' rows released as they are copied into X.

use super::interaction::{Feature, Part};
use super::{Coding, Expr, Formula, FormulaError};
use crate::data::{Dataset, Design};

impl Formula {
    /// [`design_coded`](Formula::design_coded), consuming `data`. When the
    /// response and every feature are numeric columns as they are
    /// (`y ~ x1 + x2`), y is the response's column, moved, and X is made
    /// of the feature columns by [`Design::from_owned_columns`]: the same
    /// numbers, copied, as `design_coded` gives. Any other formula (a
    /// transformation, an interaction, a categorical variable) and any
    /// non-finite cell go through `design_coded` itself, the data set
    /// dropped after.
    pub fn design_owned(&self, mut data: Dataset, coding: &Coding) -> Result<Design, FormulaError> {
        let features = self.features(&data, coding)?;
        let column_of = |e: &Expr| match e {
            Expr::Column(c) => data.index_of(c),
            _ => None,
        };
        let plain: Option<Vec<usize>> = (features.iter())
            .map(|f| match f.0.as_slice() {
                [Part::Numeric(e)] => column_of(e),
                _ => None,
            })
            .collect();
        let (Some(plain), Some(response)) = (plain, column_of(&self.response)) else {
            return self.design_coded(&data, coding);
        };
        let mut used = plain.clone();
        used.push(response);
        used.sort_unstable();
        used.dedup();
        // The reader keeps only finite numbers, but a data set made in
        // memory may hold others: design_coded names the row at fault.
        let finite = |j: &usize| data.columns[*j].iter().all(|v| v.is_finite());
        if used.len() != plain.len() + 1 || !used.iter().all(finite) {
            return self.design_coded(&data, coding);
        }
        let y = std::mem::take(&mut data.columns[response]);
        let columns = (plain.iter())
            .map(|&j| std::mem::take(&mut data.columns[j]))
            .collect();
        drop(data);
        let names = features.iter().map(Feature::name).collect();
        Ok(Design::from_owned_columns(
            &self.response_name(),
            names,
            self.intercept,
            columns,
            y,
        ))
    }
}
