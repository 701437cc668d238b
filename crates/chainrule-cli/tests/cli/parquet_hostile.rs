//! A corrupt Parquet file through the command line (feature `parquet`):
//! issue #11 saw a damaged footer panic inside the parquet crate. Now each
//! damaged byte of the footer, and each truncation, ends in exit 1 with an
//! error naming the file, or exit 0 where the damage is invisible to the
//! format; never a panic or a signal. (The library's tests in
//! `source/parquet.rs` damage every byte; this runs the binary.)
#![cfg(all(feature = "parquet", unix))]

use assert_cmd::Command;
use chainrule::data::Dataset;
use chainrule::source::parquet::write_parquet;

#[test]
fn a_damaged_footer_or_a_truncation_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    // y = 1 + 2x on four hand-picked rows, two row groups.
    let data = Dataset::new(
        vec!["x".into(), "y".into()],
        vec![vec![1.0, 2.0, 3.0, 4.0], vec![3.0, 5.0, 7.0, 9.0]],
    )
    .unwrap();
    write_parquet(&good, &data, 2).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    // The footer: its length is the little-endian u32 before the final PAR1.
    let len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap());
    let footer = bytes.len() - 8 - len as usize..bytes.len();
    let bad = dir.path().join("bad.parquet");
    let mut damaged = Vec::new();
    for i in footer.clone().step_by(3) {
        let mut b = bytes.clone();
        b[i] ^= 0xff;
        damaged.push((format!("byte {i} ^ 0xff"), b));
    }
    for cut in [
        bytes.len() - 1,
        bytes.len() - 8,
        footer.start,
        bytes.len() / 2,
        4,
    ] {
        damaged.push((format!("cut at {cut}"), bytes[..cut].to_vec()));
    }
    let mut errors = 0;
    for (what, b) in &damaged {
        std::fs::write(&bad, b).unwrap();
        let out = Command::cargo_bin("chainrule")
            .unwrap()
            .args(["fit", bad.to_str().unwrap(), "--formula", "y ~ x"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked at"), "{what}: {err}");
        match out.status.code() {
            Some(0) => {}
            Some(1) => {
                assert!(err.contains("bad.parquet"), "{what}: {err}");
                errors += 1;
            }
            other => panic!("{what}: exit {other:?}: {err}"),
        }
    }
    // Every truncation is seen; most footer bytes are (statistics and
    // some metadata are not checked against the data).
    assert!(errors >= damaged.len() / 2, "{errors} of {}", damaged.len());
}
