//! `synth` writes its rows as it draws them (memory of one row, however
//! many), and the bytes are the ones it wrote when it built the whole data
//! set in memory first.
//!
//! The references below were produced by that earlier implementation (the
//! commit before the streaming one, cb8169b: `data::synth` filled every
//! column, then `to_csv_string` formatted the lot) with the very command
//! lines shown, and measured with Python: byte count, the first lines, and
//! FNV-1a 64 of the whole output (the hash written out in `fnv1a` below).
//! They are a valid reference because the change is meant to alter how the
//! bytes reach the file and nothing else: the draws (Xoshiro256++ from the
//! seed, in row order), the arithmetic of y and the number formatting are
//! the same, so any difference in a byte is a regression.
#![cfg(unix)]

use super::interrupt::temp_files;
use assert_cmd::Command;
use std::time::Duration;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

struct Reference {
    args: &'static [&'static str],
    /// Where the rows go: `--out FILE`, or stdout when `None`.
    out: Option<&'static str>,
    bytes: usize,
    fnv: u64,
    first: [&'static str; 3],
}

const REFERENCES: [Reference; 4] = [
    Reference {
        args: &["--model", "plane", "--n", "1000", "--noise", "0.1", "--seed", "7"],
        out: Some("a.csv"),
        bytes: 57601,
        fnv: 0x7b80_e3ea_f5c5_0c44,
        first: [
            "x1,x2,y",
            "-2.6678373811300014,-1.9673048733112937,1.6372394503090701",
            "-0.43674108425096847,2.7819571312873776,-8.229468803493178",
        ],
    },
    Reference {
        args: &["--model", "5", "--n", "300", "--noise", "0", "--seed", "3"],
        out: Some("b.tsv"),
        bytes: 34707,
        fnv: 0xf700_d9c8_72eb_668f,
        first: [
            "x1\tx2\tx3\tx4\tx5\ty",
            "-2.691291486300001\t0.8875052771956096\t2.2020843956755387\t2.0689341623791577\t0.7607768009252531\t-4.016771227828945",
            "-1.9188836656857013\t0.747103264301515\t0.32864389755448586\t-2.8474877485613614\t0.4601779625345612\t13.23400498395617",
        ],
    },
    Reference {
        args: &["--model", "origin", "--n", "200", "--seed", "11"],
        out: None,
        bytes: 7690,
        fnv: 0xf16a_a760_f1e0_6e94,
        first: [
            "x,y",
            "2.158697533070578,4.402863247194398",
            "2.7852233410204246,5.628061144086852",
        ],
    },
    // Every default: the line model, 100 rows, noise 0.1, seed 1.
    Reference {
        args: &[],
        out: None,
        bytes: 3850,
        fnv: 0x6f18_cba9_f2cd_eb3c,
        first: [
            "x,y",
            "1.8696729532913086,4.810901977855677",
            "-2.3990945787972975,-3.7529395105561485",
        ],
    },
];

#[test]
fn streamed_output_is_byte_for_byte_the_in_memory_output() {
    let dir = tempfile::tempdir().unwrap();
    for r in &REFERENCES {
        let mut cmd = chainrule();
        cmd.current_dir(dir.path()).arg("synth").args(r.args);
        if let Some(out) = r.out {
            cmd.args(["--out", out]);
        }
        let ran = cmd.output().unwrap();
        assert!(ran.status.success(), "{:?}", r.args);
        let bytes = match r.out {
            Some(out) => std::fs::read(dir.path().join(out)).unwrap(),
            None => ran.stdout,
        };
        let text = String::from_utf8(bytes.clone()).unwrap();
        let first: Vec<&str> = text.lines().take(3).collect();
        assert_eq!(first, r.first, "{:?}", r.args);
        assert_eq!(
            (bytes.len(), fnv1a(&bytes)),
            (r.bytes, r.fnv),
            "{:?}",
            r.args
        );
    }
}

/// A run longer than one block of rows (2¹⁶, `ROWS_PER_REPORT`) is the
/// same whether it goes to a file or to stdout, and is the same from run to
/// run (same seed ⇒ same bytes); another seed changes it.
#[test]
fn many_blocks_same_bytes_to_a_file_and_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["synth", "--model", "plane", "--n", "200000", "--seed", "5"];
    let file = dir.path().join("s.csv");
    chainrule()
        .args(args)
        .arg("--out")
        .arg(&file)
        .assert()
        .success();
    let stdout = chainrule().args(args).output().unwrap().stdout;
    let written = std::fs::read(&file).unwrap();
    assert_eq!(written.len(), stdout.len());
    assert!(written == stdout);
    // 200,000 rows and the header.
    assert_eq!(written.iter().filter(|&&b| b == b'\n').count(), 200_001);
    let other = chainrule()
        .args(["synth", "--model", "plane", "--n", "200000", "--seed", "6"])
        .output()
        .unwrap()
        .stdout;
    assert!(other != stdout);
}

/// A long synth stopped by SIGTERM or SIGINT: the file it replaces is left
/// as it was, no temp file remains, and it exits 128 + the signal.
#[test]
fn a_signal_stops_a_long_synth_and_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.csv");
    std::fs::write(&out, "x,y\n1,2\n").unwrap();
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // 10⁹ rows: minutes of writing, far past the signal.
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("chainrule"))
            .args(["synth", "--n", "1000000000", "--out"])
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        // SAFETY: kill(2) on our own child's pid; it has not been reaped.
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let ran = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&ran.stderr);
        assert_eq!(ran.status.code(), Some(128 + sig), "{stderr}");
        assert!(stderr.contains("big.csv was not written"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "x,y\n1,2\n");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new());
    }
}
