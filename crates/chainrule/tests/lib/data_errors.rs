//! Every way reading a CSV can fail says where (file, line, column) and what
//! to do. Line numbers are 1-based file lines: the header is line 1.

use std::path::{Path, PathBuf};

use chainrule::data::{read_csv, DataError, ReadOptions};

/// Writes `text` to `name` in a fresh temp dir and reads it back.
fn read_text(name: &str, text: &[u8], opts: &ReadOptions) -> (PathBuf, DataError) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let err = read_csv(&path, opts).expect_err("the file is bad");
    // The dir is removed on return; callers only compare the path's text.
    (path, err)
}

fn message(name: &str, text: &str) -> (String, DataError) {
    let (path, err) = read_text(name, text.as_bytes(), &ReadOptions::default());
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "names the file: {msg}"
    );
    (msg, err)
}

fn assert_has(msg: &str, parts: &[&str]) {
    for part in parts {
        assert!(msg.contains(part), "message lacks {part:?}: {msg}");
    }
}

#[test]
fn missing_file_names_the_path() {
    let path = Path::new("/definitely/not/here/data.csv");
    let err = read_csv(path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    assert_has(
        &err.to_string(),
        &["/definitely/not/here/data.csv", "check the path"],
    );
}

#[test]
fn empty_file_asks_for_a_header() {
    let (msg, err) = message("empty.csv", "");
    assert!(matches!(err, DataError::Empty { .. }));
    assert_has(&msg, &["empty", "header"]);
}

#[test]
fn header_only_asks_for_rows() {
    let (msg, err) = message("head.csv", "x,y\n");
    assert!(matches!(err, DataError::NoRows { .. }));
    assert_has(&msg, &["no data rows", "add at least one row"]);
}

#[test]
fn ragged_row_names_line_and_counts() {
    // Line 1 header, line 2 fine, line 3 has an extra field.
    let (msg, err) = message("ragged.csv", "x,y\n1,2\n3,4,5\n");
    assert!(matches!(
        err,
        DataError::Ragged {
            line: 3,
            found: 3,
            expected: 2,
            ..
        }
    ));
    assert_has(&msg, &["ragged.csv:3:", "3 fields", "header has 2"]);
}

#[test]
fn short_row_is_ragged_too() {
    let (msg, _) = message("short.csv", "x,y\n1,2\n3,4\n5\n");
    assert_has(&msg, &["short.csv:4:", "1 fields", "header has 2"]);
}

#[test]
fn non_numeric_cell_names_line_column_and_text() {
    // The brief's own example: data.csv line 7, column "x" is column 2.
    // Reading keeps x as text; the formula that uses it as a number says
    // where the first text cell is.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    std::fs::write(&path, "y,x\n1,1\n2,2\n3,3\n4,4\n5,5\n6,abc\n").unwrap();
    let (data, _) = read_csv(&path, &ReadOptions::default()).unwrap();
    let err = chainrule::model::formula::Formula::parse("y ~ x")
        .unwrap()
        .design(&data)
        .unwrap_err();
    assert!(matches!(
        err,
        chainrule::model::formula::FormulaError::NotANumber {
            index: 2,
            numbers: 5,
            words: 1,
            ..
        }
    ));
    let msg = err.to_string();
    assert_has(
        &msg,
        &[
            &format!(
                "{}:7: column \"x\" (column 2): \"abc\" is not a number",
                path.display()
            ),
            "or write factor(x)",
        ],
    );
}

#[test]
fn missing_values_suggest_drop_missing() {
    // Empty cell, NaN, inf and NA, each on line 3 in column "y" (column 2).
    for (cell, what) in [
        ("", "empty cell"),
        ("NaN", "\"NaN\" is not a finite number"),
        ("inf", "\"inf\" is not a finite number"),
        ("NA", "\"NA\" marks a missing value"),
    ] {
        let (msg, err) = message("gaps.csv", &format!("x,y\n1,2\n3,{cell}\n"));
        assert!(
            matches!(
                err,
                DataError::Missing {
                    line: 3,
                    index: 2,
                    ..
                }
            ),
            "{msg}"
        );
        assert_has(
            &msg,
            &[
                "gaps.csv:3:",
                "column \"y\" (column 2)",
                what,
                "skip rows with missing values",
            ],
        );
    }
}

#[test]
fn drop_missing_reads_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gaps.csv");
    std::fs::write(&path, "x,y\n1,2\n3,\n5,6\n").unwrap();
    let opts = ReadOptions {
        drop_missing: true,
        ..ReadOptions::default()
    };
    let (data, report) = read_csv(&path, &opts).unwrap();
    assert_eq!(data.columns, [vec![1.0, 5.0], vec![2.0, 6.0]]);
    assert_eq!((report.rows_read, report.rows_dropped), (3, 1));
    assert_eq!(data.path.as_deref(), Some(path.as_path()));
}

#[test]
fn every_row_missing_is_an_error_even_when_dropping() {
    let opts = ReadOptions {
        drop_missing: true,
        ..ReadOptions::default()
    };
    let (_, err) = read_text("allgone.csv", b"x,y\n1,\n,2\n", &opts);
    assert!(matches!(err, DataError::AllRowsDropped { dropped: 2, .. }));
}

#[test]
fn duplicate_column_names_both_positions() {
    let (msg, err) = message("dup.csv", "x,y,x\n1,2,3\n");
    assert!(matches!(
        err,
        DataError::DuplicateColumn {
            first: 1,
            second: 3,
            ..
        }
    ));
    assert_has(
        &msg,
        &[
            "dup.csv:1:",
            "\"x\" appears twice",
            "columns 1 and 3",
            "rename",
        ],
    );
}

#[test]
fn empty_column_name() {
    let (msg, _) = message("noname.csv", "x,,y\n1,2,3\n");
    assert_has(&msg, &["noname.csv:1:", "column 2 has an empty name"]);
}

#[test]
fn too_many_columns_names_the_limit() {
    let opts = ReadOptions {
        max_columns: 2,
        ..ReadOptions::default()
    };
    let (path, err) = read_text("wide.csv", b"a,b,c\n1,2,3\n", &opts);
    let msg = err.to_string();
    assert!(matches!(
        err,
        DataError::TooManyColumns {
            found: 3,
            max: 2,
            ..
        }
    ));
    assert_has(
        &msg,
        &[&format!("{}:1:", path.display()), "3 columns", "limit of 2"],
    );
}

#[test]
fn tsv_is_read_with_tabs_and_errors_point_into_it() {
    let (msg, _) = message("data.tsv", "x\ty\n1\t\n");
    assert_has(
        &msg,
        &["data.tsv:2:", "column \"y\" (column 2)", "empty cell"],
    );
    // A word among numbers is named where the formula meets it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.tsv");
    std::fs::write(&path, "x\ty\n1\t2\n3\tfour\n").unwrap();
    let (data, _) = read_csv(&path, &ReadOptions::default()).unwrap();
    let err = chainrule::model::formula::Formula::parse("y ~ x")
        .unwrap()
        .design(&data)
        .unwrap_err();
    assert_has(
        &err.to_string(),
        &["data.tsv:3:", "column \"y\" (column 2)", "\"four\""],
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let (path, err) = read_text("bin.csv", b"x,y\n1,2\n3,\xff\n", &ReadOptions::default());
    let msg = err.to_string();
    assert_has(&msg, &[&format!("{}:3:", path.display()), "UTF-8"]);
}
