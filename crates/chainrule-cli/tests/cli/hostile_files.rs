//! Every command that reads a file, on each kind of hostile file: empty,
//! a header alone, a BOM, CRLF, NUL bytes, a 5 MB line, 10,000 columns, a
//! newline inside quotes, non-UTF-8, a directory, /dev/null and a FIFO.
//! Each run ends on its own (no hang, no signal, no panic), leaves no temp
//! file, and either succeeds or fails with exit 1 or 2 and a message that
//! names the file (with the line where one is at fault). The kinds that
//! cannot be a valid input of any reader must fail. `fuzz_cli.rs` throws
//! random files at the same commands; this is the fixed list.
#![cfg(unix)]

use super::fuzz_cli::{fault as fuzz_fault, run_in, Ran};
use assert_cmd::cargo::cargo_bin;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The commands, `@` standing for the hostile file; m.json, ok.csv and
/// p.expr are valid companions.
const READERS: &[&[&str]] = &[
    &["train", "@", "--epochs", "2"],
    &["train", "@", "--chunk-rows", "2", "--epochs", "2"],
    &["fit", "@"],
    &["fit", "@", "--chunk-rows", "2"],
    &["fit", "@", "--cache", "c.crd"],
    &["convert", "@", "--out", "c.crd"],
    &["predict", "m.json", "@"],
    &["predict", "@", "ok.csv"],
    &["explain", "--data", "@"],
    &["graph", "--data", "@"],
    &["report", "--data", "@", "--out", "r.html"],
    &["grad", "@"],
    &["explain", "--program", "@"],
    &["graph", "--program", "@"],
    &["bench", "--csv", "@", "--n", "100", "--repeats", "1"],
];

const OK_CSV: &[u8] = b"x,y\n1,3\n2,5\n3,7.1\n";

/// A hostile input: where it is and whether every reader must refuse it.
struct Kind {
    name: &'static str,
    make: fn(&Path) -> PathBuf,
    must_fail: bool,
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn wide() -> Vec<u8> {
    // 9,999 features and y, 3 rows of small integers.
    let mut text: Vec<String> = (1..10_000).map(|j| format!("x{j}")).collect();
    text.push("y".into());
    let mut out = text.join(",") + "\n";
    for i in 1..=3 {
        let row: Vec<String> = (0..10_000).map(|j| ((i * j) % 7).to_string()).collect();
        out += &(row.join(",") + "\n");
    }
    out.into_bytes()
}

const KINDS: &[Kind] = &[
    Kind {
        name: "empty",
        make: |d| file(d, "empty.csv", b""),
        must_fail: true,
    },
    Kind {
        name: "header only",
        make: |d| file(d, "header.csv", b"x,y\n"),
        must_fail: true,
    },
    Kind {
        name: "BOM",
        make: |d| file(d, "bom.csv", "\u{feff}x,y\n1,3\n2,5\n3,7.1\n".as_bytes()),
        must_fail: false,
    },
    Kind {
        name: "CRLF",
        make: |d| file(d, "crlf.csv", b"x,y\r\n1,3\r\n2,5\r\n3,7.1\r\n"),
        must_fail: false,
    },
    Kind {
        name: "NUL",
        make: |d| file(d, "nul.csv", b"x,y\n1,3\n2,\x005\n3,7\n"),
        must_fail: false,
    },
    Kind {
        name: "long number",
        make: |d| {
            file(
                d,
                "longnum.csv",
                &[&b"x,y\n1,"[..], &[b'9'; 5_000_000], b"\n2,5\n3,7\n"].concat(),
            )
        },
        must_fail: false,
    },
    Kind {
        name: "long line",
        make: |d| {
            file(
                d,
                "longline.csv",
                &[&b"x,y\n"[..], &[b'a'; 5_000_000], b"\n2,5\n"].concat(),
            )
        },
        must_fail: true,
    },
    Kind {
        name: "10k columns",
        make: |d| file(d, "wide.csv", &wide()),
        must_fail: false,
    },
    Kind {
        name: "quoted newline",
        make: |d| file(d, "quoted.csv", b"x,y\n\"1\n2\",3\n4,5\n6,7\n"),
        must_fail: true,
    },
    Kind {
        name: "non-UTF-8",
        make: |d| file(d, "latin1.csv", b"x\xff,y\n1,2\n2,3\n3,5\n"),
        must_fail: true,
    },
    Kind {
        name: "directory",
        make: |d| {
            let p = d.join("adir");
            std::fs::create_dir(&p).unwrap();
            p
        },
        must_fail: true,
    },
    Kind {
        name: "/dev/null",
        make: |_| PathBuf::from("/dev/null"),
        must_fail: true,
    },
];

/// Lines the message must name, for the data readers (`train`, `fit`,
/// `convert`): the first bad row, counting the header as line 1.
const LINES: &[(&str, &str)] = &[
    ("nul.csv", "nul.csv:3"),
    ("longnum.csv", "longnum.csv:2"),
    ("longline.csv", "longline.csv:2"),
    ("quoted.csv", "quoted.csv:2"),
    ("latin1.csv", "latin1.csv:1"),
];

fn run(dir: &Path, args: &[String]) -> Ran {
    run_in(dir, args, &dir.join("stderr.txt"))
}

/// A fresh folder with the valid companions.
fn folder(root: &Path, k: usize) -> PathBuf {
    let dir = root.join(format!("run{k}"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("ok.csv"), OK_CSV).unwrap();
    std::fs::copy(root.join("m.json"), dir.join("m.json")).unwrap();
    dir
}

/// What is wrong with a run, if anything: `fuzz_cli`'s faults, and a
/// failure that does not name the file.
fn fault(ran: &Ran, shown: &str) -> Option<String> {
    fuzz_fault(ran).or_else(|| {
        (ran.code != Some(0) && !ran.stderr.contains(shown))
            .then(|| format!("failed without naming {shown}"))
    })
}

/// Each fault with the start of its stderr, or nothing.
fn report(faults: &mut Vec<String>, what: &str, ran: &Ran, why: Option<String>) -> bool {
    let Some(why) = why else { return false };
    let tail: String = ran.stderr.chars().take(400).collect();
    faults.push(format!("{what}: {why}\n  {tail}"));
    true
}

fn model_file(root: &Path) {
    std::fs::write(root.join("ok.csv"), OK_CSV).unwrap();
    let out = Command::new(cargo_bin("chainrule"))
        .args(["train", "ok.csv", "--epochs", "2", "--out", "m.json"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn every_reader_on_every_hostile_file_ends_cleanly() {
    let root = tempfile::tempdir().unwrap();
    model_file(root.path());
    let mut faults = Vec::new();
    let mut k = 0;
    for kind in KINDS {
        for reader in READERS {
            k += 1;
            let dir = folder(root.path(), k);
            let path = (kind.make)(&dir);
            let shown = path.file_name().unwrap().to_string_lossy().into_owned();
            let shown = if shown == "null" {
                path.display().to_string()
            } else {
                shown
            };
            let args: Vec<String> = reader
                .iter()
                .map(|a| {
                    if *a == "@" {
                        path.display().to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            // Streamed, 10,000 columns take minutes: a d × d factor
            // (800 MB) per chunk (train --chunk-rows, bench's streamed
            // fit). Not a hostile-input fault; left out here.
            // Unoptimized (the `distributed` CI step builds the dev
            // profile), 10,000 columns pass the time limit in any reader
            // (`train`, a cached `fit`, `report`): the release step runs them.
            let streamed = reader.contains(&"--chunk-rows") || reader[0] == "bench";
            let slow = streamed || cfg!(debug_assertions);
            if kind.name == "10k columns" && slow {
                continue;
            }
            let ran = run(&dir, &args);
            let what = format!("{} × {args:?}", kind.name);
            if report(&mut faults, &what, &ran, fault(&ran, &shown)) {
                continue;
            }
            if kind.must_fail && ran.code == Some(0) {
                faults.push(format!("{what}: succeeded"));
            }
            let data_reader = ["train", "fit", "convert"].contains(&reader[0]);
            for (file, line) in LINES {
                if data_reader && shown == *file && !ran.stderr.contains(line) {
                    faults.push(format!(
                        "{what}: no {line} in {}",
                        ran.stderr.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// Writes `bytes` into the FIFO at `path` once a reader opens it (a
/// process substitution: `train <(cat ok.csv)`), then closes it; gives up
/// when `done` is set.
fn feed(path: PathBuf, bytes: &'static [u8], done: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !done.load(Ordering::SeqCst) {
            // Non-blocking: fails (ENXIO) while no reader has it open.
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&path);
            if let Ok(mut f) = opened {
                // Smaller than a pipe's buffer: one write, never EAGAIN.
                let _ = f.write_all(bytes);
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    })
}

/// A FIFO read once, holding a valid input for each reader: every reader
/// ends by itself (a second open would wait forever for a writer that has
/// gone), with its result or an error naming the FIFO. The data readers
/// refuse a named pipe by name (they open a file twice); `predict` and the
/// program readers read it.
#[test]
fn every_reader_on_a_fifo_ends_by_itself() {
    let root = tempfile::tempdir().unwrap();
    model_file(root.path());
    let model: &'static [u8] = Box::leak(
        std::fs::read(root.path().join("m.json"))
            .unwrap()
            .into_boxed_slice(),
    );
    let mut faults = Vec::new();
    for (k, reader) in READERS.iter().enumerate() {
        let dir = folder(root.path(), k);
        let fifo = dir.join("p.csv");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) on a NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let content: &'static [u8] = match reader {
            [_, "--program", ..] | ["grad", ..] => b"x = 2\ny = x * x\n",
            ["predict", "@", ..] => model,
            _ => OK_CSV,
        };
        let done = Arc::new(AtomicBool::new(false));
        let writer = feed(fifo.clone(), content, done.clone());
        let args: Vec<String> = reader
            .iter()
            .map(|a| {
                if *a == "@" {
                    "p.csv".to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let ran = run(&dir, &args);
        done.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        let data_reader = !matches!(
            reader,
            ["predict", ..] | ["grad", ..] | [_, "--program", ..]
        );
        let refused = ["p.csv: is a named pipe", "p.csv: not a regular file"]
            .iter()
            .any(|m| ran.stderr.contains(m));
        if data_reader && !refused {
            faults.push(format!(
                "FIFO × {args:?}: not refused as a pipe: {}",
                ran.stderr
            ));
        }
        report(
            &mut faults,
            &format!("FIFO × {args:?}"),
            &ran,
            fault(&ran, "p.csv"),
        );
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}
