//! `convert --to parquet` (feature `parquet`): CSV to a directory of
//! Parquet files, one per --chunk-rows rows. The files read back as the
//! CSV's rows: `fit` on them equals `fit` on the CSV; a directory that
//! already holds Parquet files is refused, since a reader would mix them in.
#![cfg(feature = "parquet")]

use super::cli_stream::theta;
use super::run::json;
use assert_cmd::Command;

fn fit_json(files: &[std::path::PathBuf]) -> serde_json::Value {
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    json(&[&["fit"], &files[..], &["--json"]].concat())
}

#[test]
fn csv_to_parquet_parts_reads_back_as_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    // Hand-written rows, 7 of them: files of 3, 3 and 1 rows.
    let csv = dir.path().join("d.csv");
    std::fs::write(
        &csv,
        "x1,x2,y\n1,2,3.1\n2,1,3.9\n3,5,8.2\n4,3,7.1\n5,4,9.3\n6,8,13.8\n7,2,9.9\n",
    )
    .unwrap();
    let parts = dir.path().join("parts");
    let convert = |parts: &std::path::Path| {
        Command::cargo_bin("chainrule")
            .unwrap()
            .arg("convert")
            .arg(&csv)
            .args(["--to", "parquet", "--chunk-rows", "3", "--out"])
            .arg(parts)
            .output()
            .unwrap()
    };
    let out = convert(&parts);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "part-00000.parquet",
            "part-00001.parquet",
            "part-00002.parquet"
        ],
        "one file per 3 rows, no temporary file left"
    );
    let (want, got) = (fit_json(std::slice::from_ref(&csv)), fit_json(&files));
    assert_eq!(got["n"], 7);
    // The same rows, streamed file by file (TSQR) instead of one QR in
    // memory: the same closed form to rounding.
    for (a, b) in theta(&got).iter().zip(theta(&want)) {
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
    }
    // Again into the same directory: refused (usage), nothing overwritten.
    let again = convert(&parts);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds Parquet files"));
}
