//! Row lines and the design taken from its data set, as `source::open`
//! reads a file in memory.
//!
//! A row's file line is kept as a run (row i on line i + 2) until a blank
//! line or a dropped row breaks it; a message about one row must name the
//! same line whichever way the lines were kept and whichever reader (the
//! parallel fast path, the sequential one, chunks) read the file. Every
//! expected line is counted by hand in the file text of its test: the
//! header is line 1.

use std::path::{Path, PathBuf};

use chainrule::data::{read_csv_parsed, CsvChunks, Dataset, Parse, ReadOptions, RowLines};
use chainrule::model::formula::{Formula, FormulaError};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The file read whole by the fast path (small blocks and several ranges,
/// so the rows cross blocks) and by the sequential reader.
fn both_readers(path: &Path, opts: &ReadOptions) -> [Dataset; 2] {
    let fast = Parse::Ranges {
        ranges: 3,
        block_bytes: 16,
    };
    [fast, Parse::Sequential]
        .map(|parse| read_csv_parsed(path, opts, parse, &mut |_| {}).unwrap().0)
}

/// Where `y ~ log(x)` fails on `data`: the `at` of its domain error.
fn log_fails_at(data: &Dataset) -> String {
    match Formula::parse("y ~ log(x)").unwrap().design(data) {
        Err(FormulaError::Domain { at, value, .. }) => {
            assert_eq!(value, 0.0, "the row with x = 0");
            at
        }
        other => panic!("expected a domain error, got {other:?}"),
    }
}

#[test]
fn a_run_of_lines_names_the_line_of_the_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    // Lines 2..6 hold rows 0..4; x = 0 (log's domain error) on line 5.
    let path = write(dir.path(), "run.csv", "x,y\n1,1\n2,2\n3,3\n0,4\n5,5\n");
    for data in both_readers(&path, &ReadOptions::default()) {
        assert_eq!(data.lines, RowLines::consecutive(2, 5));
        assert!(matches!(&data.lines, RowLines::Runs { starts, .. } if starts.len() == 1));
        assert_eq!(log_fails_at(&data), format!("{}:5", path.display()));
        assert_eq!(data.lines.line_of(5), None, "no row 5");
    }
}

#[test]
fn a_blank_line_moves_the_lines_after_it() {
    let dir = tempfile::tempdir().unwrap();
    // Line 3 is blank: rows 0..4 are on lines 2, 4, 5, 6, 7; x = 0 on line 6.
    let path = write(dir.path(), "blank.csv", "x,y\n1,1\n\n2,2\n3,3\n0,4\n5,5\n");
    for data in both_readers(&path, &ReadOptions::default()) {
        assert_eq!(data.lines.to_vec(), [2, 4, 5, 6, 7]);
        assert_eq!(log_fails_at(&data), format!("{}:6", path.display()));
    }
}

#[test]
fn a_dropped_row_keeps_the_lines_of_the_rows_kept() {
    let dir = tempfile::tempdir().unwrap();
    // Line 3 has a missing y and is dropped: rows kept on 2, 4, 5, 6;
    // x = 0 on line 5.
    let path = write(dir.path(), "dropped.csv", "x,y\n1,1\n2,NA\n3,3\n0,4\n5,5\n");
    let opts = ReadOptions {
        drop_missing: true,
        ..ReadOptions::default()
    };
    for data in both_readers(&path, &opts) {
        assert_eq!(data.lines.to_vec(), [2, 4, 5, 6]);
        assert_eq!(log_fails_at(&data), format!("{}:5", path.display()));
    }
}

#[test]
fn chunks_carry_the_lines_on() {
    let dir = tempfile::tempdir().unwrap();
    // Chunks of 2 rows: lines 2-3, 4-5, 6; with line 4 blank: 2-3, 5-6, 7.
    let plain = write(dir.path(), "plain.csv", "x,y\n1,1\n2,2\n3,3\n0,4\n5,5\n");
    let blank = write(dir.path(), "gap.csv", "x,y\n1,1\n2,2\n\n3,3\n0,4\n5,5\n");
    for (path, want) in [
        (plain, [[2, 3], [4, 5], [6, 0]]),
        (blank, [[2, 3], [5, 6], [7, 0]]),
    ] {
        for parse in [Parse::default(), Parse::Sequential] {
            let opts = ReadOptions::default();
            let mut chunks = CsvChunks::open_parsed(&path, &opts, 2, parse).unwrap();
            let mut chunk = Dataset::default();
            let mut got = Vec::new();
            while chunks.next_chunk(&mut chunk).unwrap() {
                got.push([0, 1].map(|i| chunk.lines.line_of(i).unwrap_or(0)));
            }
            assert_eq!(got, want, "{} {parse:?}", path.display());
        }
    }
}

/// The design made by taking the data set equals the one made from a
/// borrowed data set, bit for bit (`Design`'s equality compares the f64s;
/// no NaN can be in a design), for formulas on the taken path (columns as
/// they are, `.`, no term) and on the borrowed one (a transformation, an
/// interaction, a categorical variable, a transformed response).
#[test]
fn the_design_taken_from_the_data_set_is_the_design() {
    // Rows long enough that the sixteen cuts of `from_owned_columns` fall
    // inside the data; values with every bit of the mantissa in use.
    let mut text = String::from("y,x1,x2,g\n");
    for i in 0..100 {
        let (a, b) = (f64::from(i) / 7.0, (f64::from(i) * 0.37).sin());
        let g = ["a", "b", "c"][i as usize % 3];
        text += &format!("{},{a},{b},{g}\n", 1.0 + 2.0 * a - b);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", &text);
    let formulas = [
        "y ~ x1 + x2",
        "y ~ x2 + x1 - 1",
        "y ~ x1",
        "y ~ 1",
        "y ~ . - g",
        "y ~ log(x1 + 1) + x2",
        "y ~ x1 * x2",
        "y ~ x1 + g",
        "log(y + 10) ~ x1",
    ];
    for formula in formulas {
        let formula = Formula::parse(formula).unwrap();
        let [data, _] = both_readers(&path, &ReadOptions::default());
        let coding = formula.coding(&data).unwrap();
        let want = formula.design_coded(&data, &coding).unwrap();
        let got = formula.design_owned(data, &coding).unwrap();
        assert_eq!(got, want, "{formula}");
    }
}

#[test]
fn a_non_finite_cell_is_refused_by_the_taken_path_as_by_the_borrowed() {
    // A data set made in memory may hold what no file read gives: y = ∞
    // in row 2 (1-based) of `y ~ x`.
    let data = Dataset::new(
        vec!["x".into(), "y".into()],
        vec![vec![1.0, 2.0, 3.0], vec![1.0, f64::INFINITY, 3.0]],
    )
    .unwrap();
    let formula = Formula::parse("y ~ x").unwrap();
    let coding = formula.coding(&data).unwrap();
    let want = formula.design_coded(&data, &coding).unwrap_err();
    let got = formula.design_owned(data, &coding).unwrap_err();
    assert!(
        matches!(got, FormulaError::Overflow { row: 2, .. }),
        "{got:?}"
    );
    assert_eq!(got.to_string(), want.to_string());
}
