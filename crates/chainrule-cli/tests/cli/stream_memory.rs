//! Memory stays flat when streaming: peak RSS (`/usr/bin/time -v`, "Maximum
//! resident set size") of `train --chunk-rows` on a file 100 chunks long
//! stays within a small constant of the same run on a file one chunk long,
//! while loading the big file whole takes tens of megabytes more.
//!
//! Needs GNU time at /usr/bin/time (`apt-get install time`; .ci/run installs
//! it); without it the test fails and says so.

use assert_cmd::cargo::CommandCargoExt;
use chainrule::data::{synth, write_csv, SynthModel};
use std::path::Path;
use std::process::Command;

const CHUNK_ROWS: usize = 10_000;

/// Peak RSS in KiB of `chainrule args…`.
fn peak_rss_kib(args: &[&str]) -> u64 {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "this test measures memory with GNU time: apt-get install time"
    );
    let bin = Command::cargo_bin("chainrule").unwrap();
    let out = Command::new(time)
        .arg("-v")
        .arg(bin.get_program())
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chainrule {args:?} failed:\n{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .expect("GNU time -v prints the peak RSS");
    line.rsplit(':').next().unwrap().trim().parse().unwrap()
}

#[test]
#[ignore = "needs GNU time at /usr/bin/time (apt-get install time); .ci/run installs it and runs ignored tests"]
fn streaming_peak_rss_does_not_grow_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    let big = dir.path().join("big.csv");
    write_csv(
        &small,
        &synth(SynthModel::Plane, CHUNK_ROWS, 0.1, 1).unwrap().0,
    )
    .unwrap();
    // 100 chunks: 1,000,000 rows × 3 columns, 24 MB as f64, ~57 MB of text.
    write_csv(
        &big,
        &synth(SynthModel::Plane, 100 * CHUNK_ROWS, 0.1, 2)
            .unwrap()
            .0,
    )
    .unwrap();
    let chunk = CHUNK_ROWS.to_string();
    let run = |file: &Path, stream: bool| {
        let mut args = vec!["train", file.to_str().unwrap(), "--epochs", "2"];
        if stream {
            args.extend(["--chunk-rows", chunk.as_str()]);
        }
        peak_rss_kib(&args)
    };
    let one_chunk = run(&small, true);
    let hundred_chunks = run(&big, true);
    let in_memory = run(&big, false);
    let budget_kib = (CHUNK_ROWS * 3 * 8 / 1024) as u64;
    eprintln!(
        "peak RSS: one chunk {one_chunk} KiB, 100 chunks streamed {hundred_chunks} KiB, \
         100 chunks in memory {in_memory} KiB (chunk data {budget_kib} KiB)"
    );
    // Within 4 MiB (a small constant: allocator and I/O buffers) of the
    // one-chunk run, whatever the file's length.
    assert!(
        hundred_chunks <= one_chunk + 4096,
        "streaming 100 chunks peaked at {hundred_chunks} KiB vs {one_chunk} KiB for one"
    );
    // The whole file in memory holds X and y (24 MB) at least once: the
    // measurement can tell the difference.
    assert!(
        in_memory >= hundred_chunks + 20_000,
        "in memory {in_memory} KiB"
    );
}

/// `fit` on a large CSV is one streamed pass by default: its peak RSS is
/// that of the same fit on a file 100 times shorter, within the buffers of
/// one block (1 MiB of text, parsed in pieces) and a few MiB of slack.
#[test]
#[ignore = "needs GNU time at /usr/bin/time (apt-get install time); .ci/run installs it and runs ignored tests"]
fn fit_in_one_pass_peak_rss_does_not_grow_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, n: usize| {
        let path = dir.path().join(name);
        write_csv(&path, &synth(SynthModel::Plane, n, 0.1, 3).unwrap().0).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (small, big) = (
        write("small.csv", CHUNK_ROWS),
        write("big.csv", 100 * CHUNK_ROWS),
    );
    let one_block = peak_rss_kib(&["fit", &small, "--chunk-rows", "65536"]);
    let hundred = peak_rss_kib(&["fit", &big]);
    eprintln!("fit peak RSS: {one_block} KiB for 10⁴ rows, {hundred} KiB for 10⁶ rows");
    assert!(
        hundred <= one_block + 8 * 1024,
        "fit on 10⁶ rows peaked at {hundred} KiB vs {one_block} KiB for 10⁴"
    );
}

/// `synth` writes rows as it draws them: 200 times the rows, the same
/// peak memory within a few MB (built whole, 2·10⁶ rows of the plane took
/// 48 MB of f64 and 115 MB of text more).
#[test]
#[ignore = "needs GNU time at /usr/bin/time (apt-get install time); .ci/run installs it and runs ignored tests"]
fn synth_peak_rss_does_not_grow_with_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let out = out.to_str().unwrap();
    let run = |n: &str| peak_rss_kib(&["synth", "--model", "plane", "--n", n, "--out", out]);
    let small = run("10000");
    let big = run("2000000");
    assert!(
        big <= small + 8 * 1024,
        "peak RSS {big} KiB for 2·10⁶ rows, {small} KiB for 10⁴"
    );
}
