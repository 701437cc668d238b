//! A column whose cells are not all numbers: kept as the text written, so a
//! formula can use it as a categorical variable (or refuse it, naming the
//! cell that is not a number).

/// Where a cell is in its file: 1-based line (header = line 1) and the
/// cell's text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CellAt {
    pub line: u64,
    pub text: String,
}

/// The cells of one text column, in row order, with what a formula needs
/// to judge it: a column of labels (`numbers == 0`) is categorical; one
/// that is mostly numbers with a stray word is probably a typo.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextColumn {
    pub name: String,
    /// 1-based column in the file.
    pub index: usize,
    /// Row i's cell. A number read before the column's first text cell is
    /// kept as Rust prints the f64 (`2.50` → `2.5`).
    pub values: Vec<String>,
    /// How many of the cells are numbers.
    pub numbers: usize,
    /// The column's first cell that is not a number.
    pub first_text: Option<CellAt>,
}

impl TextColumn {
    /// A column that was numeric until `text` at `line`: its numbers so far
    /// become labels.
    pub(super) fn from_numbers(name: &str, index: usize, numbers: &[f64]) -> Self {
        TextColumn {
            name: name.into(),
            index,
            values: numbers.iter().map(|v| label_of(*v)).collect(),
            numbers: numbers.len(),
            first_text: None,
        }
    }

    pub(super) fn push_text(&mut self, text: &str, line: u64) {
        self.first_text.get_or_insert_with(|| CellAt {
            line,
            text: text.into(),
        });
        self.values.push(text.into());
    }

    pub(super) fn push_number(&mut self, text: &str) {
        self.numbers += 1;
        self.values.push(text.into());
    }
}

/// The label of a number used as a category (`factor(x)`): the shortest
/// text that reads back as the same f64, as R's `as.character` gives for
/// everyday values (`2` → "2", `0.5` → "0.5").
pub fn label_of(v: f64) -> String {
    format!("{v}")
}
