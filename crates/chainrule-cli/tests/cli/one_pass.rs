//! `fit` in one streamed pass (`source::fit_one_pass`): taken for a CSV of
//! at least 8 MiB, or with `--chunk-rows`, where it can answer; its θ is
//! the in-memory fit's, bit for bit.

use super::cli_stream::theta;
use super::run::{json, ok};
use chainrule::data::{synth, write_csv, SynthModel};

#[test]
fn chunked_and_large_files_take_one_pass_with_the_in_memory_answer() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    write_csv(&small, &synth(SynthModel::Plane, 5_000, 0.1, 7).unwrap().0).unwrap();
    let small = small.to_str().unwrap();
    let memory = json(&["fit", small, "--json"]);
    let chunked = json(&["fit", small, "--chunk-rows", "100", "--json"]);
    assert_eq!(theta(&chunked), theta(&memory));
    let (text, _) = ok(&["fit", small, "--chunk-rows", "100"]);
    assert!(text.contains("5000 rows in one streamed pass"), "{text}");
    let (text, _) = ok(&["fit", small]);
    assert!(text.contains("5000 rows in memory"), "{text}");

    // 150,000 rows of the plane are about 8.6 MB: above ONE_PASS_BYTES.
    let large = dir.path().join("large.csv");
    write_csv(
        &large,
        &synth(SynthModel::Plane, 150_000, 0.1, 8).unwrap().0,
    )
    .unwrap();
    assert!(std::fs::metadata(&large).unwrap().len() >= 8 << 20);
    let (text, _) = ok(&["fit", large.to_str().unwrap()]);
    assert!(text.contains("150000 rows in one streamed pass"), "{text}");
}
