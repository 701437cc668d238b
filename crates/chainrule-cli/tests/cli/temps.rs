//! No temp file outlives its run: `convert`, `train --cache` and atomic
//! `--out` writes remove theirs on an error, on a full disk (simulated
//! with RLIMIT_FSIZE, which makes write(2) fail with EFBIG as ENOSPC
//! would), on Ctrl-C and on a second Ctrl-C. SIGKILL cannot be caught:
//! the temp it leaves is named `.NAME.tmp-<pid>-<n>` next to the target,
//! and the next write to that target removes it.
#![cfg(unix)]

use assert_cmd::cargo::cargo_bin;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn chainrule() -> Command {
    Command::new(cargo_bin("chainrule"))
}

/// Names in `dir` that look like our temp files.
fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A CSV of y = 1 + 2·x1 − 3·x2 + noise (chainrule synth's plane).
fn plane_csv(dir: &Path, name: &str, n: usize) -> String {
    let path = dir.join(name).display().to_string();
    let out = run(chainrule()
        .args(["synth", "--model", "plane", "--n", &n.to_string()])
        .args(["--out", &path]));
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

#[test]
fn a_convert_that_fails_midway_leaves_no_temp_and_the_old_cache() {
    // Found here: an unfinished cache writer removed its temp only when
    // the target did not exist yet, so re-converting over an existing
    // cache and failing left `.c.crd.tmp-<pid>-0` behind.
    let dir = tempfile::tempdir().unwrap();
    let good = plane_csv(dir.path(), "good.csv", 1000);
    let cache = dir.path().join("c.crd").display().to_string();
    let out = run(chainrule().args(["convert", &good, "--out", &cache]));
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&cache).unwrap();
    // A bad cell on line 3002, after the first chunk of 1000 rows went
    // to the temp file.
    let mut text = std::fs::read_to_string(&good).unwrap();
    text.push_str(&text.lines().skip(1).collect::<Vec<_>>().join("\n"));
    text.push_str("\n1,oops,2\n");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, text).unwrap();
    let out = run(chainrule()
        .args(["convert", bad.to_str().unwrap(), "--out", &cache])
        .args(["--chunk-rows", "1000"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("oops"), "{}", stderr(&out));
    assert_eq!(temps(dir.path()), Vec::<String>::new());
    assert_eq!(std::fs::read(&cache).unwrap(), before);
}

/// `cmd` with files limited to `bytes` and SIGXFSZ ignored, so a write
/// past the limit fails with EFBIG instead of killing the process.
fn with_file_size_limit(cmd: &mut Command, bytes: u64) -> &mut Command {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        })
    }
}

#[test]
fn a_full_disk_is_an_error_and_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 rows of the plane: a cache of 20,000 × 3 f64 = 480 kB, a CSV
    // of about 1 MB; the limit of 64 kB cuts every write short.
    let data = plane_csv(dir.path(), "d.csv", 20_000);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let cache = out_dir.join("c.crd").display().to_string();
    let csv = out_dir.join("s.csv").display().to_string();
    let model = out_dir.join("m.json").display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (&["convert", &data, "--out", &cache], "c.crd"),
        (
            &["train", &data, "--epochs", "1", "--cache", &cache],
            "c.crd",
        ),
        (&["synth", "--n", "20000", "--out", &csv], "s.csv"),
    ];
    for (args, target) in cases {
        let out = run(with_file_size_limit(chainrule().args(args), 64 << 10));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(target), "{args:?}: {err}");
        assert!(
            err.contains("too large") || err.contains("File too large"),
            "{args:?}: {err}"
        );
        assert_eq!(temps(&out_dir), Vec::<String>::new(), "{args:?}");
        assert!(!out_dir.join(target).exists(), "{args:?}");
    }
    // The model file is small: under the same limit `train --out` works.
    let out = run(with_file_size_limit(
        chainrule().args(["train", &data, "--epochs", "1", "--out", &model]),
        64 << 10,
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(temps(&out_dir), Vec::<String>::new());
}

/// Starts `convert` of `data` into `cache` and waits until its temp file
/// exists (the conversion is under way), or panics after 60 s.
fn convert_under_way(data: &str, cache: &Path) -> Child {
    let child = chainrule()
        .args(["convert", data, "--out", cache.to_str().unwrap()])
        .args(["--chunk-rows", "100"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let dir = cache.parent().unwrap();
    let start = Instant::now();
    while temps(dir).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temp file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child, not yet reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}

#[test]
fn ctrl_c_once_or_twice_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    // 300,000 rows in chunks of 100: seconds of converting, stopped early.
    let data = plane_csv(dir.path(), "d.csv", 300_000);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let cache = out_dir.join("c.crd");
    for presses in [1, 2] {
        let child = convert_under_way(&data, &cache);
        for _ in 0..presses {
            signal(&child, libc::SIGINT);
        }
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{presses}: {err}");
        assert_eq!(temps(&out_dir), Vec::<String>::new(), "{presses}: {err}");
        assert!(!cache.exists(), "{presses}");
    }
}

#[test]
fn a_temp_left_by_sigkill_is_named_for_its_target_and_removed_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = plane_csv(dir.path(), "d.csv", 300_000);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let cache = out_dir.join("c.crd");
    let child = convert_under_way(&data, &cache);
    let pid = child.id();
    signal(&child, libc::SIGKILL);
    child.wait_with_output().unwrap();
    let left = temps(&out_dir);
    assert!(!left.is_empty());
    for name in &left {
        assert!(name.starts_with(&format!(".c.crd.tmp-{pid}-")), "{name}");
    }
    // The next convert to the same target removes them (pid is dead).
    let small = plane_csv(dir.path(), "small.csv", 100);
    let out = run(chainrule().args(["convert", &small, "--out", cache.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(temps(&out_dir), Vec::<String>::new());
}
