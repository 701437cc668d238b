//! The parallel range parse (`Parse::Ranges`) against the sequential
//! csv-crate reader (`Parse::Sequential`, the reader as it always was):
//! the same data set, bit for bit, the same line of every row, and the
//! same first error, on the NIST files and on generated files with bad
//! cells, quotes and odd lines placed at every row, so that some land on
//! each side of a block or range boundary. Blocks of a few dozen bytes put
//! such a boundary every line or two.

use std::path::Path;

use chainrule::data::{read_csv_parsed, CsvChunks, Dataset, Parse, ReadOptions, BLOCK_BYTES};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Every way of cutting the file that the tests try: ranges per block and
/// block bytes (one range is the single-threaded parse of the fast path).
const CUTS: [(usize, usize); 5] = [(1, BLOCK_BYTES), (2, 64), (3, 97), (7, 4096), (4, 1 << 20)];

/// What a read gave, in a form where equality is bit equality.
#[derive(Debug, PartialEq)]
enum Outcome {
    Read {
        names: Vec<String>,
        bits: Vec<Vec<u64>>,
        text: String,
        lines: Vec<u64>,
        rows: (usize, usize),
    },
    Failed(String),
}

fn outcome(read: Result<(Dataset, usize, usize), chainrule::data::DataError>) -> Outcome {
    match read {
        Ok((d, read, dropped)) => Outcome::Read {
            names: d.names.clone(),
            bits: (d.columns.iter())
                .map(|c| c.iter().map(|v| v.to_bits()).collect())
                .collect(),
            text: format!("{:?}", d.text),
            lines: d.lines.to_vec(),
            rows: (read, dropped),
        },
        Err(e) => Outcome::Failed(format!("{e} / {e:?}")),
    }
}

/// The whole file read with `parse`, and how often progress was told.
fn whole(path: &Path, opts: &ReadOptions, parse: Parse) -> (Outcome, usize) {
    let mut told = 0;
    let read = read_csv_parsed(path, opts, parse, &mut |_| told += 1);
    let read = read.map(|(d, r)| (d, r.rows_read, r.rows_dropped));
    (outcome(read), told)
}

/// The file in chunks of 7 rows: each chunk's outcome, the last one the
/// error if there is one.
fn chunked(path: &Path, opts: &ReadOptions, parse: Parse) -> Vec<Outcome> {
    let mut chunks = match CsvChunks::open_parsed(path, opts, 7, parse) {
        Ok(c) => c,
        Err(e) => return vec![outcome(Err(e))],
    };
    let mut out = Vec::new();
    let mut chunk = Dataset::default();
    loop {
        match chunks.next_chunk(&mut chunk) {
            Ok(true) => {
                let r = chunks.report();
                out.push(outcome(Ok((chunk.clone(), r.rows_read, r.rows_dropped))));
            }
            Ok(false) => return out,
            Err(e) => {
                out.push(outcome(Err(e)));
                return out;
            }
        }
    }
}

/// Asserts that every cut gives the sequential reader's outcome, whole and
/// chunked; returns whether the sequential read succeeded.
fn agrees(path: &Path, opts: &ReadOptions) -> bool {
    let (want, _) = whole(path, opts, Parse::Sequential);
    let want_chunks = chunked(path, opts, Parse::Sequential);
    for (ranges, block_bytes) in CUTS {
        let parse = Parse::Ranges {
            ranges,
            block_bytes,
        };
        let (got, _) = whole(path, opts, parse);
        assert_eq!(got, want, "{} whole, {parse:?}", path.display());
        let got = chunked(path, opts, parse);
        assert_eq!(got, want_chunks, "{} chunked, {parse:?}", path.display());
    }
    matches!(want, Outcome::Read { .. })
}

/// The fast path answered (it tells progress once per block; the
/// sequential reader once per MiB and at the end), so the agreement above
/// was not the sequential reader agreeing with itself. Files under 256
/// bytes are too short to tell the two apart.
fn fast_path_answers(path: &Path, opts: &ReadOptions) -> bool {
    let bytes = std::fs::metadata(path).unwrap().len() as usize;
    let parse = Parse::Ranges {
        ranges: 2,
        block_bytes: 64,
    };
    let (_, told) = whole(path, opts, parse);
    if bytes < 256 {
        return false;
    }
    // Each 64-byte block holds at most 64 bytes of whole lines.
    assert!(told >= bytes / 64 - 1, "{}: told {told}", path.display());
    true
}

#[test]
fn nist_files_parse_the_same_in_ranges() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/nist");
    let (mut files, mut checked) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            assert!(agrees(&path, &ReadOptions::default()), "{}", path.display());
            checked += usize::from(fast_path_answers(&path, &ReadOptions::default()));
            files += 1;
        }
    }
    // tests/data/nist holds eleven NIST StRD files, four of them of 256
    // bytes or more (Filip, Longley, Norris, Pontius).
    assert_eq!((files, checked), (11, 4));
}

/// A file of `rows` rows: three number columns written in the forms
/// seen in the wild, and a text column no formula reads.
fn generated(rng: &mut Xoshiro256PlusPlus, rows: usize) -> Vec<String> {
    let mut lines = vec!["y,x1,x2,label".to_string()];
    for i in 0..rows {
        let v: f64 = rng.random_range(-1e3..1e3);
        let cells = [
            format!("{v}"),
            format!(" {:e} ", v * 1e-7),
            format!("{:.3}", v / 7.0),
            format!("row {i}"),
        ];
        lines.push(cells.join(","));
    }
    lines
}

/// What may be wrong with one line (or cell): each is an error, a missing
/// value, text, or something only the sequential reader may read.
const ODDITIES: [&str; 10] = [
    "1,,2,a",                // empty cell
    "1,NA,2,a",              // missing marker
    "1,oops,2,a",            // text
    "1,inf,2,a",             // not finite
    "1,2,3",                 // ragged
    "",                      // blank line
    "1,\"2\n.5\",3,a",       // a quoted field over two lines
    "1,2,3,\"a,\"\"b\"\"\"", // quotes in a column not read
    "1,2\r3,4,5,a",          // a carriage return ending a record
    "1,\u{a0}2,3,a",         // a space the ASCII trim leaves
];

#[test]
fn generated_files_with_odd_lines_everywhere_parse_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.csv");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(15);
    let clean = generated(&mut rng, 60);
    std::fs::write(&path, clean.join("\n") + "\n").unwrap();
    let only = ReadOptions {
        only: Some(vec!["y".into(), "x1".into(), "x2".into()]),
        ..ReadOptions::default()
    };
    assert!(agrees(&path, &only));
    assert!(fast_path_answers(&path, &only));
    let drop = ReadOptions {
        drop_missing: true,
        ..only.clone()
    };
    for (k, odd) in ODDITIES.iter().enumerate() {
        // At every row, and a second oddity a few rows later: the first in
        // file order is the one reported.
        for at in 1..clean.len() {
            let mut lines = clean.clone();
            lines.insert(at, odd.to_string());
            let later = (at + 1 + k).min(lines.len());
            lines.insert(later, ODDITIES[(k + 1) % ODDITIES.len()].to_string());
            std::fs::write(&path, lines.join("\n")).unwrap();
            for opts in [&only, &drop] {
                agrees(&path, opts);
            }
        }
    }
}

#[test]
fn crlf_and_files_without_a_last_line_break_parse_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.csv");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(16);
    let lines = generated(&mut rng, 40);
    let only = ReadOptions {
        only: Some(vec!["x2".into(), "y".into()]),
        ..ReadOptions::default()
    };
    for (sep, end) in [("\r\n", "\r\n"), ("\n", ""), ("\r\n", "")] {
        std::fs::write(&path, lines.join(sep) + end).unwrap();
        assert!(agrees(&path, &only), "{sep:?} {end:?}");
    }
    std::fs::write(&path, lines.join("\r\n") + "\r\n").unwrap();
    assert!(fast_path_answers(&path, &only));
}

#[test]
fn the_csv_fuzz_corpus_parses_the_same() {
    // fuzz/corpus/csv: inputs the csv fuzz target kept for reaching new
    // paths of the reader; its first byte picks the options, as in
    // fuzz/src/checks.rs (bit 0: drop missing rows; bit 1: a .tsv name).
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/csv");
    let dir = tempfile::tempdir().unwrap();
    let mut files = 0;
    for entry in std::fs::read_dir(corpus).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let Some((&first, rest)) = bytes.split_first() else {
            continue;
        };
        let name = if first & 2 == 2 { "f.tsv" } else { "f.csv" };
        let path = dir.path().join(name);
        std::fs::write(&path, rest).unwrap();
        let opts = ReadOptions {
            drop_missing: first & 1 == 1,
            max_columns: 64,
            max_cells: 4096,
            only: None,
        };
        agrees(&path, &opts);
        files += 1;
    }
    assert!(files > 0, "no corpus");
}

#[test]
fn lines_at_the_line_limit_parse_the_same() {
    // max_columns 4 allows lines of 4 × 1024 bytes (data/line_limit.rs);
    // the limit counts a carriage return, so lines one byte either side
    // of it, with and without one, must go the same way in both readers.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let opts = ReadOptions {
        max_columns: 4,
        only: Some(vec!["y".into(), "x1".into()]),
        ..ReadOptions::default()
    };
    for len in 4094..4099 {
        for end in ["\n", "\r\n"] {
            let label = "a".repeat(len - "1,2,3,".len());
            let text = format!("y,x1,x2,label{end}1,2,3,{label}{end}4,5,6,b{end}");
            std::fs::write(&path, text).unwrap();
            agrees(&path, &opts);
        }
    }
}
