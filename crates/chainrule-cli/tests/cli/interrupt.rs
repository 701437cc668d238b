//! Nothing lost: a long `train --out` is stopped by SIGINT or SIGKILL at
//! random moments. Whatever the moment, the model file is the previous
//! one byte for byte or a complete, valid newer one. After SIGINT the run
//! says what it kept, exits 130 and leaves no temporary file; after
//! SIGKILL a stale temp file may remain, and the next write removes it.
#![cfg(unix)]

use assert_cmd::cargo::cargo_bin;
use chainrule::train::ModelFile;
use rand::{Rng, SeedableRng};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The temp files (`.NAME.tmp-…`, data/atomic.rs) in `dir`.
pub(crate) fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn run_ok(args: &[&str]) {
    super::run::ok(args);
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) on our own child's pid; it has not been reaped yet.
    unsafe { libc::kill(pid as libc::pid_t, sig) };
}

#[derive(Clone, Copy, Debug)]
enum Stop {
    Int,
    Kill,
    /// SIGINT, then SIGKILL a few ms later: likely inside the final save.
    IntThenKill(u64),
}

#[test]
fn sigint_and_sigkill_never_corrupt_the_model_file() {
    let seed: u64 = std::env::var("INTERRUPT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("INTERRUPT_SEED={seed}");
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv").display().to_string();
    let model = dir.path().join("model.json");
    let model_arg = model.display().to_string();
    run_ok(&["synth", "--model", "3", "--n", "20000", "--out", &data]);
    run_ok(&["train", &data, "--epochs", "1", "--out", &model_arg]);

    for trial in 0..8 {
        let before = std::fs::read(&model).unwrap();
        let stop = match rng.random_range(0..3) {
            0 => Stop::Int,
            1 => Stop::Kill,
            _ => Stop::IntThenKill(rng.random_range(0..5)),
        };
        // One row per step, a million epochs: it runs until stopped.
        let child = Command::new(cargo_bin("chainrule"))
            .args(["train", &data, "--mode", "sample", "--epochs", "1000000"])
            .args(["--out", &model_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // At least 300 ms: the Ctrl-C handler is installed at start-up, and
        // a loaded CI machine can take a while to get there.
        std::thread::sleep(Duration::from_millis(rng.random_range(300..700)));
        match stop {
            Stop::Int => signal(child.id(), libc::SIGINT),
            Stop::Kill => signal(child.id(), libc::SIGKILL),
            Stop::IntThenKill(ms) => {
                signal(child.id(), libc::SIGINT);
                std::thread::sleep(Duration::from_millis(ms));
                signal(child.id(), libc::SIGKILL);
            }
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!(
            "trial {trial} ({stop:?}, seed {seed}): {:?} {stderr}",
            out.status
        );

        let after = std::fs::read(&model).unwrap();
        let valid = ModelFile::load(&model);
        assert!(valid.is_ok(), "{what}: {:?}", valid.err());
        if after != before {
            // Only the Ctrl-C path saves; a SIGKILL may land after its
            // rename and before the exit, so the exit code can be either.
            let newer = valid.as_ref().unwrap();
            assert_eq!(
                newer.stop,
                chainrule::train::StopReason::Interrupted,
                "{what}: changed without a save"
            );
        }
        match (stop, out.status.code()) {
            (Stop::Int, code) => {
                assert_eq!(code, Some(130), "{what}");
                assert!(stderr.contains("the model so far was written to"), "{what}");
                assert_eq!(
                    valid.unwrap().stop,
                    chainrule::train::StopReason::Interrupted
                );
                assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{what}");
            }
            (_, Some(130)) => {} // the save finished before SIGKILL
            (_, _) => assert_eq!(out.status.signal(), Some(libc::SIGKILL), "{what}"),
        }
    }

    // Whatever stale temp files SIGKILL left, the next write removes them.
    run_ok(&["train", &data, "--epochs", "1", "--out", &model_arg]);
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
}

#[test]
fn sigint_without_out_saves_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv").display().to_string();
    run_ok(&["synth", "--n", "5000", "--out", &data]);
    let child = Command::new(cargo_bin("chainrule"))
        .args(["train", &data, "--mode", "sample", "--epochs", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(child.id(), libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("nothing was saved (no --out)"), "{stderr}");
    // The result so far is still printed, marked as interrupted.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("stopped: interrupted"), "{stdout}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The library side: an observer that breaks after step 5 of a one-row-per-
/// step run leaves θ after exactly 5 updates, no whole epoch, and says so.
#[test]
fn an_observer_stops_training_between_steps() {
    use chainrule::model::{Batch, LinearModel, Mode};
    use chainrule::train::{train, Observer, StopReason, TrainConfig};
    use std::ops::ControlFlow;

    struct StopAt(usize);
    impl chainrule::source::PassObserver for StopAt {}
    impl Observer for StopAt {
        fn on_step(&mut self, step: usize) -> ControlFlow<()> {
            if step == self.0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let x: Vec<f64> = (0..100).map(f64::from).collect();
    let y: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    let cfg = TrainConfig {
        mode: Mode::Sample,
        epochs: 10,
        ..TrainConfig::plain()
    };
    let model = LinearModel::new(1, false);
    let fit = train(Batch::new(&x, &y, 1), model, &cfg, None, &mut StopAt(5)).unwrap();
    assert_eq!(
        (fit.steps, fit.epochs, fit.stop),
        (5, 0, StopReason::Interrupted)
    );
    // The same 5 steps without a stop: 5 epochs of one row each (x = 0..5 in
    // file order, no shuffle) end at the same θ.
    let cfg5 = TrainConfig {
        shuffle: Some(false),
        epochs: 1,
        ..cfg.clone()
    };
    let first5 = train(
        Batch::new(&x[..5], &y[..5], 1),
        model,
        &cfg5,
        None,
        &mut chainrule::train::Quiet,
    )
    .unwrap();
    let stopped = train(
        Batch::new(&x, &y, 1),
        model,
        &TrainConfig {
            shuffle: Some(false),
            ..cfg
        },
        None,
        &mut StopAt(5),
    )
    .unwrap();
    assert_eq!(stopped.theta, first5.theta);
}

/// Streamed full batch: an epoch is one pass over the file, and Ctrl-C
/// used to wait for its end, then make one more pass for the metrics. Now
/// the pass stops after the chunk in progress, no metrics pass follows,
/// and the run says what it kept. The bound is one whole pass over the
/// same file (`convert` to a design cache, timed here): the old behaviour
/// took between one and two. `--tol 0`: the run must still be in its
/// epochs when the signal comes, not stopped by the gradient rule.
#[test]
fn sigint_stops_a_streamed_run_within_a_chunk() {
    use std::time::Instant;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv").display().to_string();
    let model = dir.path().join("m.json");
    let model_arg = model.display().to_string();
    // 10⁶ rows of the plane preset: ~57 MB of CSV, a pass of a second or so.
    run_ok(&[
        "synth", "--model", "plane", "--n", "1000000", "--out", &data,
    ]);
    let cache = dir.path().join("big.crd").display().to_string();
    let started = Instant::now();
    run_ok(&["convert", &data, "--out", &cache, "--chunk-rows", "4096"]);
    let one_pass = started.elapsed();

    let child = Command::new(cargo_bin("chainrule"))
        .args(["train", &data, "--chunk-rows", "4096", "--epochs", "100000"])
        .args(["--tol", "0"])
        .args(["--out", &model_arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Past the first pass (the plan's scan) and into the epochs.
    std::thread::sleep(one_pass * 2 + Duration::from_millis(300));
    let sent = Instant::now();
    signal(child.id(), libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        took < one_pass,
        "stopped {took:?} after SIGINT; one pass takes {one_pass:?}\n{stderr}"
    );
    assert!(
        stderr.contains("the model so far was written to"),
        "{stderr}"
    );
    // The metrics would need one more pass: left out, and said.
    assert!(stderr.contains("were not computed (NaN"), "{stderr}");
    let saved = ModelFile::load(&model).unwrap();
    assert_eq!(saved.stop, chainrule::train::StopReason::Interrupted);
    assert!(saved.metrics.j.is_nan());
}

/// Ctrl-C during the first pass (the plan's scan of a streamed file):
/// nothing trained, nothing saved, said so.
#[test]
fn sigint_while_scanning_saves_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv").display().to_string();
    let model = dir.path().join("m.json");
    run_ok(&[
        "synth", "--model", "plane", "--n", "1000000", "--out", &data,
    ]);
    // `convert` makes one pass (`fit` makes several since it refines).
    let cache = dir.path().join("big.crd").display().to_string();
    let started = std::time::Instant::now();
    run_ok(&["convert", &data, "--out", &cache, "--chunk-rows", "4096"]);
    let one_pass = started.elapsed();
    let child = Command::new(cargo_bin("chainrule"))
        .args(["train", &data, "--chunk-rows", "4096"])
        .args(["--out", &model.display().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A quarter of the way into the scan; the handler is installed at
    // start-up, well before.
    std::thread::sleep((one_pass / 4).max(Duration::from_millis(100)));
    signal(child.id(), libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("nothing was trained or saved"), "{stderr}");
    assert!(!model.exists());
}

/// SIGTERM (`kill`, a job scheduler's stop) and SIGHUP (a closed
/// terminal) stop `train`, `fit` and `convert` as Ctrl-C does: after the
/// chunk in progress, saying so, with no temp file left (`fit --cache`
/// and `convert` write one while they run), exiting 128 + the signal's
/// number (143, 129: the shell's convention). A second signal quits at
/// once with the same code, again leaving no temp file.
#[test]
fn sigterm_and_sighup_stop_long_runs_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv").display().to_string();
    run_ok(&[
        "synth", "--model", "plane", "--n", "1000000", "--out", &data,
    ]);
    let at = |name: &str| dir.path().join(name).display().to_string();
    let started = std::time::Instant::now();
    run_ok(&[
        "convert",
        &data,
        "--out",
        &at("timed.crd"),
        "--chunk-rows",
        "4096",
    ]);
    let one_pass = started.elapsed();
    std::fs::remove_file(at("timed.crd")).unwrap();

    let (model, cache, converted) = (at("m.json"), at("c.crd"), at("out.crd"));
    let convert: &[&str] = &[
        "convert",
        &data,
        "--out",
        &converted,
        "--chunk-rows",
        "4096",
    ];
    let runs: [(&[&str], i32, i32, &str); 5] = [
        (
            &[
                "train",
                &data,
                "--chunk-rows",
                "4096",
                "--epochs",
                "100000",
                "--tol",
                "0",
                "--out",
                &model,
            ],
            libc::SIGTERM,
            1,
            "",
        ),
        (
            &["fit", &data, "--chunk-rows", "4096", "--cache", &cache],
            libc::SIGTERM,
            1,
            "nothing was written",
        ),
        (convert, libc::SIGTERM, 1, "out.crd was not written"),
        (convert, libc::SIGHUP, 1, "out.crd was not written"),
        (convert, libc::SIGTERM, 2, "again: stopping now"),
    ];
    for (args, sig, times, says) in runs {
        let child = Command::new(cargo_bin("chainrule"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // train: past its scan and into the epochs; the others: an eighth
        // of the way into their one pass (the timed pass can be several
        // times slower than these on a loaded machine; the handler is
        // installed within milliseconds of the start).
        let wait = if args[0] == "train" {
            one_pass * 2 + Duration::from_millis(300)
        } else {
            (one_pass / 8).max(Duration::from_millis(50))
        };
        std::thread::sleep(wait);
        for _ in 0..times {
            signal(child.id(), sig);
            std::thread::sleep(Duration::from_millis(2));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!("{args:?} after signal {sig} × {times}: {stderr}");
        assert_eq!(out.status.code(), Some(128 + sig), "{what}");
        let name = if sig == libc::SIGTERM {
            "SIGTERM"
        } else {
            "SIGHUP"
        };
        assert!(
            stderr.contains(&format!("{name}: stopping after the current step or chunk")),
            "{what}"
        );
        // Two signals sent before the handler ran are one pending signal
        // (standard signals do not queue): then the run stops as for one.
        let once = times == 2 && stderr.contains("out.crd was not written");
        assert!(stderr.contains(says) || once, "{what}");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{what}");
        assert!(!Path::new(&converted).exists(), "{what}");
        assert!(!Path::new(&cache).exists(), "{what}");
    }
    // train --out kept the model so far, marked as stopped.
    let saved = ModelFile::load(Path::new(&model)).unwrap();
    assert_eq!(saved.stop, chainrule::train::StopReason::Interrupted);
}

/// A run blocked in a read never reaches the check between steps: after
/// SIGTERM it still ends, 10 s later (`interrupt::GRACE`), with 143, and
/// says why. Here `train` reads /dev/stdin from a pipe whose writer (this
/// test) stays open and writes nothing.
#[test]
fn a_run_blocked_in_a_read_ends_after_the_grace_period() {
    use std::time::Instant;
    let mut child = Command::new(cargo_bin("chainrule"))
        .args(["train", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Held, unwritten: the read blocks.
    let stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    signal(child.id(), libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    drop(stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("still running 10 s after SIGTERM"),
        "{stderr}"
    );
    assert!(
        (Duration::from_secs(10)..Duration::from_secs(20)).contains(&took),
        "{took:?}"
    );
}
