//! The command line under hostile input, whole commands at a time: a
//! seeded generator writes files (random bytes, CSVs truncated or with
//! BOMs, CRLF, quotes, odd numbers, wrong columns; mutated `.crd` caches,
//! model files, programs and, with the `parquet` feature, Parquet files)
//! and picks flag values, then runs `train`, `fit`, `predict`, `explain`,
//! `graph`, `grad`, `synth`, `convert`, `report` and `bench --csv` on them
//! (`hostile_files.rs` runs each of them on a fixed list of hostile files:
//! directories, /dev/null and FIFOs among them). Every run must
//! end with exit code 0, 1 or 2 (never a signal), print no panic, say why
//! on stderr when it fails, leave no temp file and finish within a time
//! limit. Cases that once failed live in `fuzz_cli_corpus/` (JSON: the
//! arguments and each file's bytes in hex) and are replayed first.
//!
//! `FUZZ_SEED` and `FUZZ_CASES` change the seed (default 11) and the number
//! of generated cases (default 300); a failure prints the case as corpus
//! JSON, ready to be saved.
#![cfg(unix)]

use assert_cmd::cargo::cargo_bin;
use rand::{Rng, RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run slower than this is a hang (the files are at most a few hundred
/// rows; the slowest honest run here takes well under a second).
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(30);

/// One command line and the files it reads, named relative to its folder.
#[derive(Clone, Debug)]
struct Case {
    args: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

impl Case {
    fn to_json(&self) -> String {
        let files: serde_json::Map<String, serde_json::Value> = self
            .files
            .iter()
            .map(|(n, b)| (n.clone(), hex(b).into()))
            .collect();
        serde_json::json!({ "args": self.args, "files": files }).to_string()
    }

    fn from_json(text: &str) -> Case {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        Case {
            args: v["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
            files: v["files"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(n, h)| (n.clone(), unhex(h.as_str().unwrap())))
                .collect(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// What a run did.
pub(crate) struct Ran {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stderr: String,
    pub elapsed: Duration,
    pub temps: Vec<String>,
}

/// Runs `chainrule args…` in `dir` (stdin empty, stdout dropped, stderr
/// to `err_path`), killed past [`TIME_LIMIT`].
pub(crate) fn run_in(dir: &Path, args: &[String], err_path: &Path) -> Ran {
    // stderr to a file: a pipe could fill and stall the child.
    let start = Instant::now();
    let mut child = Command::new(cargo_bin("chainrule"))
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(err_path).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let temps = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    let stderr = String::from_utf8_lossy(&std::fs::read(err_path).unwrap()).into_owned();
    Ran {
        code: status.code(),
        signal: status.signal(),
        stderr,
        elapsed,
        temps,
    }
}

/// Runs `case` in a fresh folder under `root`.
fn run(case: &Case, root: &Path, k: usize) -> Ran {
    let dir = root.join(format!("case{k}"));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in &case.files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let ran = run_in(&dir, &case.args, &root.join(format!("stderr{k}")));
    let _ = std::fs::remove_dir_all(&dir);
    ran
}

/// What is wrong with a run, if anything.
pub(crate) fn fault(ran: &Ran) -> Option<String> {
    if let Some(sig) = ran.signal {
        return Some(format!("died on signal {sig}"));
    }
    if ran.elapsed > TIME_LIMIT {
        return Some(format!("ran past {TIME_LIMIT:?}"));
    }
    if ran.stderr.contains("panicked at") {
        return Some("panicked".into());
    }
    match ran.code {
        Some(0) => {}
        Some(1 | 2) if ran.stderr.trim().is_empty() => {
            return Some("failed with nothing on stderr".into())
        }
        Some(1 | 2) => {}
        other => return Some(format!("exit code {other:?}")),
    }
    if !ran.temps.is_empty() {
        return Some(format!("left temp files {:?}", ran.temps));
    }
    None
}

/// Valid files the generator mutates: a CSV, a design cache, a model
/// file (and a Parquet file), made once by the binary itself.
struct Seeds {
    csv: Vec<u8>,
    crd: Vec<u8>,
    model: Vec<u8>,
    #[cfg(feature = "parquet")]
    parquet: Vec<u8>,
}

fn seeds(root: &Path) -> Seeds {
    let dir = root.join("seeds");
    std::fs::create_dir_all(&dir).unwrap();
    let ok = |args: &[&str]| {
        let out = Command::new(cargo_bin("chainrule"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
    };
    ok(&["synth", "--model", "plane", "--n", "50", "--out", "d.csv"]);
    ok(&["convert", "d.csv", "--out", "d.crd"]);
    ok(&["train", "d.csv", "--epochs", "2", "--out", "m.json"]);
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    Seeds {
        csv: read("d.csv"),
        crd: read("d.crd"),
        model: read("m.json"),
        #[cfg(feature = "parquet")]
        parquet: {
            let data = chainrule::data::read_csv(&dir.join("d.csv"), &Default::default())
                .unwrap()
                .0;
            chainrule::source::parquet::write_parquet(&dir.join("d.parquet"), &data, 20).unwrap();
            read("d.parquet")
        },
    }
}

/// Numbers and words that flags and cells are likely to choke on.
const ODD: &[&str] = &[
    "1",
    "2",
    "0.5",
    "0",
    "-1",
    "-0",
    "1e308",
    "-1e308",
    "1e309",
    "1e-320",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "",
    " ",
    "abc",
    "18446744073709551616",
    "99999999999",
    "0x10",
    "1_000",
    "1,5",
    "٣",
    "１",
    "1e",
    "--",
];

/// Values for flags whose large values are honest long runs (epochs,
/// steps): small or malformed only.
const SMALL: &[&str] = &["1", "2", "3", "0", "-1", "abc", "1e309", "", "NaN"];

const FORMULAS: &[&str] = &[
    "y ~ x1 + x2",
    "y ~ .",
    "y ~ x1",
    "y ~ x1 - 1",
    "y ~ poly(x1, 3)",
    "y ~ I(x1^2) + x2",
    "y ~ x1 * x2",
    "x1 ~ y",
    "y ~ z",
    "y ~",
    "~",
    "",
    "y ~ ((((x1))))",
    "y ~ poly(x1, 30)",
    "y ~ I(x1^30)",
    "y ~ log(x1)",
    "y ~ x1 + x1 + x1",
    "origin",
    "line",
    "plane",
];

fn pick<'a>(rng: &mut Xoshiro256PlusPlus, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn random_bytes(rng: &mut Xoshiro256PlusPlus, max: usize) -> Vec<u8> {
    let mut b = vec![0u8; rng.random_range(0..=max)];
    rng.fill_bytes(&mut b);
    b
}

/// `bytes` damaged: truncated, bytes flipped, random bytes spliced in.
fn mutate(rng: &mut Xoshiro256PlusPlus, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..4) {
            0 => b.truncate(rng.random_range(0..=b.len())),
            1 if !b.is_empty() => {
                for _ in 0..rng.random_range(1..=8) {
                    let i = rng.random_range(0..b.len());
                    b[i] = rng.random();
                }
            }
            2 => {
                let at = rng.random_range(0..=b.len());
                let junk = random_bytes(rng, 16);
                b.splice(at..at, junk);
            }
            _ => {
                let at = rng.random_range(0..=b.len());
                let odd = pick(rng, ODD).as_bytes().to_vec();
                b.splice(at..at, odd);
            }
        }
    }
    b
}

/// A CSV with hostile features: odd cells, BOM, CRLF, quotes, other
/// separators, wrong or duplicate header names, ragged rows, truncation.
fn hostile_csv(rng: &mut Xoshiro256PlusPlus) -> Vec<u8> {
    let sep = pick(rng, &[",", ",", ",", ";", "\t"]);
    let mut names = vec!["x1", "x2", "y"];
    match rng.random_range(0..6) {
        0 => names.push("y"),
        1 => names[0] = "",
        2 => names[1] = "\"x,2\"",
        3 => names.truncate(rng.random_range(0..3)),
        _ => {}
    }
    let mut text = String::new();
    if rng.random_bool(0.2) {
        text.push('\u{feff}');
    }
    text.push_str(&names.join(sep));
    let eol = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
    text.push_str(eol);
    let rows = rng.random_range(0..40);
    for _ in 0..rows {
        let width = if rng.random_bool(0.1) {
            rng.random_range(0..6)
        } else {
            names.len()
        };
        let cells: Vec<String> = (0..width)
            .map(|_| match rng.random_range(0..10) {
                0 => pick(rng, ODD).to_string(),
                1 => format!("\"{}\"", rng.random_range(-9.0..9.0f64)),
                _ => format!("{}", rng.random_range(-9.0..9.0f64)),
            })
            .collect();
        text.push_str(&cells.join(sep));
        text.push_str(eol);
        if rng.random_bool(0.02) {
            text.push_str(eol);
        }
    }
    let mut b = text.into_bytes();
    if rng.random_bool(0.2) {
        b.truncate(rng.random_range(0..=b.len()));
    }
    b
}

/// A `grad` program: random tokens of the language, or damaged text.
fn hostile_program(rng: &mut Xoshiro256PlusPlus) -> String {
    const TOKENS: &[&str] = &[
        "x",
        "y",
        "θ",
        "=",
        "+",
        "-",
        "*",
        "/",
        "^",
        "@",
        "(",
        ")",
        "[",
        "]",
        ",",
        ";",
        "\n",
        "2",
        "0.5",
        "1e308",
        "1e-320",
        "0",
        "sum(",
        "mean(",
        "dot(",
        "relu(",
        "exp(",
        "log(",
        "tanh(",
        "square(",
        "data ",
        "param ",
        "[1, 2]",
        "[[1, 2], [3, 4]]",
        "#",
        "NaN",
    ];
    if rng.random_bool(0.2) {
        return String::from_utf8_lossy(&random_bytes(rng, 64)).into_owned();
    }
    let mut p = String::from("data x = 2\nparam θ = 0.5\n");
    for _ in 0..rng.random_range(0..30) {
        p.push_str(pick(rng, TOKENS));
        p.push(' ');
    }
    p
}

/// A data file `stem.csv`, `.crd` or `.parquet`, valid, damaged or junk.
fn data_file(rng: &mut Xoshiro256PlusPlus, seeds: &Seeds, stem: &str) -> (String, Vec<u8>) {
    let (ext, bytes) = match rng.random_range(0..10) {
        0 => ("csv", random_bytes(rng, 400)),
        1 => ("csv", mutate(rng, &seeds.csv)),
        2 => ("crd", mutate(rng, &seeds.crd)),
        3 => ("crd", random_bytes(rng, 200)),
        #[cfg(feature = "parquet")]
        4 => ("parquet", mutate(rng, &seeds.parquet)),
        #[cfg(feature = "parquet")]
        5 => ("parquet", seeds.parquet.clone()),
        6 => ("csv", Vec::new()),
        _ => ("csv", hostile_csv(rng)),
    };
    (format!("{stem}.{ext}"), bytes)
}

fn generate(rng: &mut Xoshiro256PlusPlus, seeds: &Seeds) -> Case {
    let mut files = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let (data, bytes) = data_file(rng, seeds, "d");
    files.push((data.clone(), bytes));
    let data = data.as_str();
    // Sometimes a second file, read as more rows of the same table.
    let more = rng.random_bool(0.15).then(|| {
        let (name, bytes) = match rng.random_range(0..3) {
            0 => ("e.csv".to_string(), seeds.csv.clone()),
            1 => ("e.crd".to_string(), seeds.crd.clone()),
            _ => data_file(rng, seeds, "e"),
        };
        files.push((name.clone(), bytes));
        name
    });
    let formula = |rng: &mut Xoshiro256PlusPlus, args: &mut Vec<String>| {
        if rng.random_bool(0.6) {
            args.extend(["--formula".into(), pick(rng, FORMULAS).into()]);
        }
    };
    // Half the time a plain value, so runs get past flag checking.
    let flag = |rng: &mut Xoshiro256PlusPlus, args: &mut Vec<String>, name: &str, v: &[&str]| {
        if rng.random_bool(0.3) {
            let plain = rng.random_bool(0.5) && v.len() > 3;
            let value = pick(rng, if plain { &v[..3] } else { v });
            args.extend([name.to_string(), value.to_string()]);
        }
    };
    match rng.random_range(0..10) {
        0 | 1 => {
            args.extend(["train".into(), data.into()]);
            args.extend(more.clone());
            formula(rng, &mut args);
            flag(rng, &mut args, "--epochs", SMALL);
            flag(rng, &mut args, "--lr", ODD);
            flag(rng, &mut args, "--batch-size", ODD);
            flag(rng, &mut args, "--tol", ODD);
            flag(
                rng,
                &mut args,
                "--mode",
                &["sample", "vectorized", "unrolled", "fused", "x"],
            );
            flag(rng, &mut args, "--chunk-rows", ODD);
            flag(rng, &mut args, "--digits", ODD);
            flag(rng, &mut args, "--max-cells", ODD);
            flag(rng, &mut args, "--cache", &["c.crd", "d.csv", "d.crd", ""]);
            flag(
                rng,
                &mut args,
                "--out",
                &["m.json", "d.csv", "/dev/null", "", "."],
            );
            for f in [
                "--json",
                "--standardize",
                "--check",
                "--drop-missing",
                "--no-shuffle",
            ] {
                if rng.random_bool(0.2) {
                    args.push(f.into());
                }
            }
        }
        2 | 3 => {
            args.extend(["fit".into(), data.into()]);
            args.extend(more.clone());
            formula(rng, &mut args);
            flag(rng, &mut args, "--level", ODD);
            flag(rng, &mut args, "--digits", ODD);
            flag(rng, &mut args, "--chunk-rows", ODD);
            flag(rng, &mut args, "--max-columns", ODD);
            flag(rng, &mut args, "--cache", &["c.crd", "d.csv", "d.crd"]);
            for f in ["--json", "--drop-missing"] {
                if rng.random_bool(0.3) {
                    args.push(f.into());
                }
            }
        }
        4 => {
            let model = if rng.random_bool(0.7) {
                mutate(rng, &seeds.model)
            } else {
                seeds.model.clone()
            };
            files.push(("m.json".into(), model));
            args.extend(["predict".into(), "m.json".into(), data.into()]);
            if rng.random_bool(0.3) {
                args.push("--drop-missing".into());
            }
        }
        5 => {
            args.extend(["explain".into(), "--data".into(), data.into()]);
            formula(rng, &mut args);
            let rows = [
                "1",
                "1-3",
                "0",
                "3-1",
                "1-99999999999",
                "2-",
                "-",
                "1-1000000",
                "x",
            ];
            flag(rng, &mut args, "--rows", &rows);
            flag(
                rng,
                &mut args,
                "--mode",
                &["sample", "unrolled", "vectorized"],
            );
            flag(rng, &mut args, "--steps", SMALL);
            flag(rng, &mut args, "--format", &["text", "markdown", "json"]);
            flag(rng, &mut args, "--lr", ODD);
        }
        6 => {
            let program = hostile_program(rng);
            if rng.random_bool(0.5) {
                // An argument cannot hold a NUL byte.
                args.extend(["grad".into(), "-e".into(), program.replace('\0', "")]);
            } else {
                files.push(("p.expr".into(), program.into_bytes()));
                let cmd = pick(rng, &["grad", "explain --program", "graph --program"]);
                args.extend(cmd.split(' ').map(String::from));
                args.push("p.expr".into());
            }
            flag(rng, &mut args, "--max-elements", ODD);
        }
        7 => {
            args.push("synth".into());
            flag(rng, &mut args, "--n", ODD);
            flag(
                rng,
                &mut args,
                "--model",
                &["line", "plane", "origin", "0", "3", "abc", "99999999999"],
            );
            flag(rng, &mut args, "--noise", ODD);
            flag(rng, &mut args, "--seed", ODD);
            flag(
                rng,
                &mut args,
                "--out",
                &["s.csv", "s.tsv", "/dev/null", "."],
            );
        }
        8 => {
            args.extend(["convert".into(), data.into()]);
            args.extend(more.clone());
            args.push("--out".into());
            args.push(pick(rng, &["c.crd", "c.crd", data, ".", ""]).into());
            formula(rng, &mut args);
            flag(rng, &mut args, "--chunk-rows", ODD);
        }
        _ if rng.random_bool(0.2) => {
            // Small and one repeat: the timing loops run once each.
            args.extend(["bench", "--csv", data, "--n", "50", "--repeats", "1"].map(String::from));
            formula(rng, &mut args);
        }
        _ => {
            let cmd = pick(rng, &["report", "graph"]);
            args.extend([cmd.into(), "--data".into(), data.into()]);
            formula(rng, &mut args);
            if cmd == "report" {
                args.extend([
                    "--out".into(),
                    pick(rng, &["r.html", "/dev/null", "."]).into(),
                ]);
                flag(rng, &mut args, "--epochs", SMALL);
            }
            flag(
                rng,
                &mut args,
                "--mode",
                &["sample", "unrolled", "vectorized"],
            );
        }
    }
    Case { args, files }
}

/// The saved cases, replayed in name order.
fn corpus() -> Vec<(PathBuf, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/fuzz_cli_corpus");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let case = Case::from_json(&std::fs::read_to_string(&p).unwrap());
            (p, case)
        })
        .collect()
}

#[test]
fn whole_commands_on_hostile_files_and_flags_end_cleanly() {
    let root = tempfile::tempdir().unwrap();
    let seeds = seeds(root.path());
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(11);
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let saved = corpus();
    assert!(!saved.is_empty(), "the corpus is empty");
    let generated = (0..cases).map(|_| generate(&mut rng, &seeds));
    let all = saved
        .into_iter()
        .map(|(p, c)| (p.display().to_string(), c))
        .chain(
            generated
                .enumerate()
                .map(|(k, c)| (format!("seed {seed} case {k}"), c)),
        );
    let mut faults = Vec::new();
    let mut codes = [0usize; 3];
    for (k, (name, case)) in all.enumerate() {
        let ran = run(&case, root.path(), k);
        if let Some(why) = fault(&ran) {
            let tail: String = ran.stderr.chars().take(600).collect();
            faults.push(format!(
                "{name}: {why}\n  {tail}\n  corpus JSON: {}",
                case.to_json()
            ));
        } else if let Some(c) = ran.code {
            codes[c as usize] += 1;
        }
    }
    eprintln!("exit 0: {}, 1: {}, 2: {}", codes[0], codes[1], codes[2]);
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n\n")
    );
    // The generator reaches past argument parsing: every outcome occurs.
    assert!(codes.iter().all(|&c| c > 0), "{codes:?}");
}

/// θ of a model file.
fn theta(model: &Path) -> Vec<f64> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(model).unwrap()).unwrap();
    v["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect()
}

#[test]
fn a_cache_truncated_and_rewritten_under_a_running_train_never_crashes_it() {
    // While `train` reads a memory-mapped cache, another writer truncates
    // it to a random length or rewrites it in place (what `cp new.crd
    // c.crd` does), again and again. Each run must end in exit 1 with a
    // message (SIGBUS becomes one: src/mapped.rs) or exit 0 with the same
    // θ as a run on the untouched cache: the bytes it read were the cache's.
    let dir = tempfile::tempdir().unwrap();
    let ok = |args: &[&str]| {
        let out = Command::new(cargo_bin("chainrule"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(&[
        "synth", "--model", "plane", "--n", "20000", "--out", "d.csv",
    ]);
    ok(&["convert", "d.csv", "--out", "good.crd"]);
    let good = std::fs::read(dir.path().join("good.crd")).unwrap();
    let train = [
        "train",
        "c.crd",
        "--epochs",
        "200",
        "--mode",
        "vectorized",
        "--seed",
        "3",
    ];
    std::fs::write(dir.path().join("c.crd"), &good).unwrap();
    ok(&[&train[..], &["--out", "want.json"]].concat());
    let want = theta(&dir.path().join("want.json"));
    let cache = dir.path().join("c.crd");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let (mut clean, mut refused) = (0, 0);
    for trial in 0..12 {
        std::fs::write(&cache, &good).unwrap();
        let model = dir.path().join(format!("m{trial}.json"));
        let mut child = Command::new(cargo_bin("chainrule"))
            .args(train)
            .args(["--out", model.to_str().unwrap()])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut edits = 0;
        // Edits at random moments, sparse enough that some runs finish
        // between them.
        while child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < TIME_LIMIT, "trial {trial} hangs");
            std::thread::sleep(Duration::from_millis(rng.random_range(0..60)));
            if rng.random_bool(0.5) {
                let f = File::options().write(true).open(&cache).unwrap();
                f.set_len(rng.random_range(0..good.len() as u64)).unwrap();
                std::thread::sleep(Duration::from_micros(rng.random_range(0..3000)));
            }
            std::fs::write(&cache, &good).unwrap();
            edits += 1;
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.signal(), None, "trial {trial}: {err}");
        assert!(!err.contains("panicked at"), "trial {trial}: {err}");
        match out.status.code() {
            Some(0) => {
                let got = theta(&model);
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                        "trial {trial}: θ {got:?} ≠ {want:?}"
                    );
                }
                clean += 1;
            }
            Some(1) => {
                assert!(!err.trim().is_empty(), "trial {trial}");
                assert!(
                    !model.exists(),
                    "trial {trial}: a model was written after an error"
                );
                refused += 1;
            }
            other => panic!("trial {trial}: exit {other:?} after {edits} edits: {err}"),
        }
    }
    eprintln!("{clean} runs finished with the right θ, {refused} stopped with an error");
}

#[test]
fn the_checker_flags_each_kind_of_fault() {
    // The fuzz test passes only if `fault` says nothing; each field below
    // alone must make it speak.
    let clean = || Ran {
        code: Some(1),
        signal: None,
        stderr: "error: d.csv:2: bad cell".into(),
        elapsed: Duration::from_millis(5),
        temps: Vec::new(),
    };
    assert_eq!(fault(&clean()), None);
    let faults = [
        Ran {
            code: None,
            signal: Some(7),
            ..clean()
        },
        Ran {
            code: Some(101),
            stderr: "thread 'main' panicked at src/x.rs:1:1".into(),
            ..clean()
        },
        Ran {
            code: Some(101),
            ..clean()
        },
        Ran {
            stderr: " \n".into(),
            ..clean()
        },
        Ran {
            elapsed: TIME_LIMIT + Duration::from_secs(1),
            ..clean()
        },
        Ran {
            code: Some(0),
            temps: vec![".c.crd.tmp-1-0".into()],
            ..clean()
        },
    ];
    for ran in faults {
        assert!(fault(&ran).is_some(), "{:?} {:?}", ran.code, ran.stderr);
    }
}
