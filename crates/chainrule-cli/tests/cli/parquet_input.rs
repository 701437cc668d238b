//! Parquet input (feature `parquet`): a file this test writes itself, in
//! several row groups, trains and fits exactly like the same rows in CSV
//! (the same rows in the same order ⇒ the same sums; relative 1e-12).
#![cfg(feature = "parquet")]

use super::cli_stream::theta;
use super::run::json_of;
use chainrule::data::{synth, write_csv, SynthModel};
use chainrule::source::parquet::write_parquet;

#[test]
fn parquet_trains_and_fits_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = synth(SynthModel::Plane, 4000, 0.2, 3).unwrap();
    let csv = dir.path().join("p.csv");
    let pq = dir.path().join("p.parquet");
    write_csv(&csv, &data).unwrap();
    write_parquet(&pq, &data, 1500).unwrap();
    let (csv, pq) = (csv.to_str().unwrap(), pq.to_str().unwrap());
    for args in [
        vec!["train", "--epochs", "30", "--formula", "y ~ x1 + x2"],
        vec!["fit", "--formula", "y ~ x1 + x2"],
    ] {
        let want = json_of(&[&args[..1], &[csv], &args[1..]].concat());
        let got = json_of(&[&args[..1], &[pq], &args[1..], &["--chunk-rows", "512"]].concat());
        for (a, b) in theta(&got).iter().zip(theta(&want)) {
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{args:?}: {a} vs {b}");
        }
    }
}
