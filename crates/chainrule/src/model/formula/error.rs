//! What can go wrong between a formula's text and its design matrix; each
//! error names the column, cell or row at fault and what to do.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormulaError {
    /// `column` is 1-based, counted in characters of `text`.
    #[error("{text}\n{caret}^ {message}", caret = " ".repeat(column - 1))]
    Syntax {
        text: String,
        column: usize,
        message: String,
    },

    #[error(
        "{file}: formula names column \"{name}\", which the data does not have; \
         the columns are: {}", available.join(", ")
    )]
    UnknownColumn {
        file: String,
        name: String,
        available: Vec<String>,
    },

    #[error("the response \"{name}\" also appears on the right of `~`; remove it from the terms")]
    ResponseOnBothSides { name: String },

    #[error(
        "{at}: column \"{name}\" (column {index}): \"{}\" is not a number, though \
         {numbers} of the column's {} cells are; fix the cell if \"{name}\" is numeric, or \
         write factor({name}) in the formula to use every value as a category",
        shown(text), numbers + words
    )]
    NotANumber {
        /// `file:line` of the cell.
        at: String,
        name: String,
        index: usize,
        text: String,
        numbers: usize,
        words: usize,
    },

    #[error(
        "{at}: column \"{name}\" holds text (\"{}\"), so it can only enter the \
         formula as a category (`{name}`, `C({name})`), not in `{term}`",
        shown(text)
    )]
    TextInArithmetic {
        /// `file:line` of the column's first text cell.
        at: String,
        name: String,
        text: String,
        term: String,
    },

    #[error(
        "{at}: {expr} needs {domain}, but {inner} is {value}; drop or fix the row, \
         or choose a transformation defined there"
    )]
    Domain {
        /// `file:line` of the row.
        at: String,
        /// What could not be computed: `log(x + 1)`, `x1/x2`.
        expr: String,
        /// Its argument (the divisor, the base): `x + 1`, `x2`.
        inner: String,
        domain: String,
        value: f64,
    },

    #[error(
        "{at}: column \"{name}\" has the level \"{}\", which the model was not fitted \
         with (its levels: {}); fix the cell, or fit the model on data that has this level",
        shown(level), levels.join(", ")
    )]
    UnseenLevel {
        at: String,
        name: String,
        level: String,
        levels: Vec<String>,
    },

    #[error(
        "C({name}, ref = \"{reference}\"): \"{reference}\" is not a level of \"{name}\"; \
         its levels are: {}",
        levels.join(", ")
    )]
    UnknownReference {
        name: String,
        reference: String,
        levels: Vec<String>,
    },

    #[error(
        "{file}: column \"{name}\" is categorical, which needs every level known before the \
         first row: read the file whole (no --chunk-rows, --cache or more files) to use it"
    )]
    CategoricalStreamed { file: String, name: String },

    #[error(
        "{file}: {term} is R's orthogonal polynomial, whose basis is fitted to every row: \
         read the file whole (no --chunk-rows, --cache, more files or Parquet), or write \
         the raw powers, poly(x, k, raw = TRUE)"
    )]
    PolyStreamed { file: String, term: String },

    #[error("{term}: {reason}")]
    PolyBasis { term: String, reason: String },

    #[error(
        "{term}: the model holds no fitted basis for this orthogonal polynomial (a model \
         fitted from a design cache or a stream has none); fit it from the file read whole"
    )]
    NoBasis { term: String },

    #[error(
        "feature {feature} overflows at data row {row}: it is {value}, beyond f64's range \
         (about 1.8e308); rescale the column (divide it by a power of 10) or lower the power"
    )]
    Overflow {
        feature: String,
        /// 1-based, counting the rows read (after any dropped ones).
        row: usize,
        value: f64,
    },
}

/// A cell as a message shows it: whole up to 60 characters, else its start
/// and its length (a 5 MB cell once filled the terminal).
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn a_long_cell_is_cut_to_its_start_and_length() {
        // 60 characters pass whole; 61 are cut after 60 (counted in chars,
        // so a multibyte character is never split).
        assert_eq!(shown(&"a".repeat(60)), "a".repeat(60));
        assert_eq!(
            shown(&"é".repeat(61)),
            format!("{}… (122 bytes)", "é".repeat(60))
        );
    }
}
