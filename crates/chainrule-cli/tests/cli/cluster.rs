//! A real Ballista cluster on loopback (feature `distributed`): a
//! `chainrule scheduler` and `chainrule executor`s, each the built binary
//! as a child process on free 127.0.0.1 ports, and `train|fit --cluster`
//! over a Parquet data set split into several files. θ equals the local
//! in-memory run and the closed form to relative 1e-9 (partials merge in
//! whatever order executors finish: agreement to rounding, not to the bit).
//! Every child is killed when its guard drops, so a failing test leaves no
//! process behind.
#![cfg(feature = "distributed")]

use super::cli_stream::theta;
use super::datafusion_engine::{data, split_parquet};
use assert_cmd::cargo::cargo_bin;
use chainrule::model::{Batch, LinearModel};
use chainrule::solve::least_squares;
use chainrule::train::{train, LearningRate, Quiet, TrainConfig};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The scheduler's executor timeout here: a killed executor is noticed
/// within it (plus a heartbeat), so the kill test stays short; yet four
/// missed heartbeats (one per 2 s), so a live executor slowed by a loaded
/// machine is not dropped too.
const EXECUTOR_TIMEOUT_S: &str = "8";

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// A port nobody listens on now (the OS's pick for port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port`, or panics after `limit`.
fn wait_listening(port: u16, limit: Duration, what: &str, log: &Path) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < limit,
            "{what} not listening on {port} after {limit:?}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A scheduler and executors, killed (and reaped) on drop.
struct Cluster {
    url: String,
    scheduler_port: u16,
    executors: Vec<Child>,
    scheduler: Option<Child>,
    logs: PathBuf,
}

impl Cluster {
    /// A scheduler and `executors` executors (stock ones, without
    /// chainrule's functions, when `stock`), each logging to a file in `logs`.
    fn start(logs: &Path, executors: usize, stock: bool) -> Cluster {
        let port = free_port();
        let log = logs.join("scheduler.log");
        let mut cmd = Command::new(cargo_bin("chainrule"));
        cmd.args(["scheduler", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--executor-timeout", EXECUTOR_TIMEOUT_S]);
        if stock {
            cmd.arg("--stock");
        }
        let mut cluster = Cluster {
            url: format!("df://127.0.0.1:{port}"),
            scheduler_port: port,
            executors: Vec::new(),
            scheduler: Some(spawn_logged(&mut cmd, &log)),
            logs: logs.to_path_buf(),
        };
        wait_listening(port, Duration::from_secs(30), "the scheduler", &log);
        for k in 0..executors {
            cluster.add_executor(k, stock);
        }
        cluster
    }

    fn add_executor(&mut self, k: usize, stock: bool) {
        let (flight, grpc) = (free_port(), free_port());
        let log = self.logs.join(format!("executor-{k}.log"));
        let work = self.logs.join(format!("work-{k}"));
        std::fs::create_dir_all(&work).unwrap();
        let mut cmd = Command::new(cargo_bin("chainrule"));
        cmd.args(["executor", "--scheduler"])
            .arg(format!("127.0.0.1:{}", self.scheduler_port))
            .args(["--bind", &format!("127.0.0.1:{flight}")])
            .args(["--grpc-port", &grpc.to_string(), "--concurrency", "2"])
            .arg("--work-dir")
            .arg(&work);
        if stock {
            cmd.arg("--stock");
        }
        self.executors.push(spawn_logged(&mut cmd, &log));
        wait_listening(flight, Duration::from_secs(30), "an executor", &log);
    }

    /// Runs `chainrule args…` (at most a minute) and returns its --json
    /// output, or panics with every node's output.
    fn run_ok(&self, args: &[String]) -> serde_json::Value {
        let out = run_bounded(args, Duration::from_secs(60)).expect("hung: killed after 60 s");
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.output()
        );
        json(&out)
    }

    /// Every node's output, for a failure message.
    fn output(&self) -> String {
        let mut names: Vec<_> = std::fs::read_dir(&self.logs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                format!(
                    "--- {}\n{}",
                    p.display(),
                    std::fs::read_to_string(p).unwrap_or_default()
                )
            })
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain(self.scheduler.as_mut()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn_logged(cmd: &mut Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap()
}

/// A child that is killed if it is still running when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `chainrule args…`, killing it after `limit`: None if it had to be.
/// Its output goes to files, which never fill up as a pipe can.
fn run_bounded(args: &[String], limit: Duration) -> Option<Output> {
    use std::io::{Read, Seek};
    let (mut stdout, mut stderr) = (tempfile::tempfile().unwrap(), tempfile::tempfile().unwrap());
    let child = Command::new(cargo_bin("chainrule"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout.try_clone().unwrap())
        .stderr(stderr.try_clone().unwrap())
        .spawn()
        .unwrap();
    let mut running = Running(child);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |f: &mut std::fs::File| {
        let mut bytes = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut bytes).unwrap();
        bytes
    };
    Some(Output {
        status,
        stdout: read(&mut stdout),
        stderr: read(&mut stderr),
    })
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The local in-memory trainer's θ on the same rows.
/// θ of the in-memory run with the CLI's defaults; `every_epoch`: as
/// `--tol 0`, no stop on the gradient.
fn local_theta(epochs: usize, every_epoch: bool) -> Vec<f64> {
    let (_, design) = data();
    let defaults = TrainConfig::default();
    let cfg = TrainConfig {
        lr: LearningRate::Auto,
        epochs,
        tol: if every_epoch { None } else { defaults.tol },
        ..defaults
    };
    train(
        Batch::new(&design.x, &design.y, 2),
        LinearModel::new(2, true),
        &cfg,
        None,
        &mut Quiet,
    )
    .unwrap()
    .theta
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `chainrule train PARTS --cluster URL --formula "y ~ x1 + x2" more…`.
fn train_args(parts: &Path, url: &str, more: &[&str]) -> Vec<String> {
    [
        strings(&["train"]),
        vec![parts.display().to_string()],
        strings(&["--cluster", url, "--formula", "y ~ x1 + x2"]),
        strings(more),
    ]
    .concat()
}

/// Four Parquet files of the 6000-row plane data set, in `dir`/parts.
fn parts(dir: &Path) -> PathBuf {
    let parts = dir.join("parts");
    std::fs::create_dir(&parts).unwrap();
    split_parquet(&parts, &data().0, 4);
    parts
}

#[test]
fn train_and_fit_on_a_loopback_cluster_equal_the_local_run() {
    let dir = tempfile::tempdir().unwrap();
    let parts = parts(dir.path());
    let cluster = Cluster::start(dir.path(), 2, false);
    // DATA as a directory of Parquet files.
    let args = train_args(
        &parts,
        &cluster.url,
        &["--epochs", "30", "--check", "--json"],
    );
    let v = cluster.run_ok(&args);
    assert_eq!(v["rows"], 6000);
    assert!(v["how"].as_str().unwrap().contains(&cluster.url), "{v}");
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("lacks")),
        "{v}"
    );
    for (a, b) in theta(&v).iter().zip(local_theta(30, false)) {
        assert!(rel(*a, b) < 1e-9, "θ {a} on the cluster vs {b} in memory");
    }
    // --check's closed form came from the TSQR aggregate on the executors.
    let (_, design) = data();
    let exact = least_squares(&design).unwrap();
    let cf = v["check"]["closed_form_theta"].as_array().unwrap();
    for (c, b) in cf.iter().zip(&exact.theta) {
        assert!(rel(c.as_f64().unwrap(), *b) < 1e-9, "{c} vs {b}");
    }
    // fit: DATA as a glob.
    let glob = parts.join("part-*.parquet").display().to_string();
    let fit_args = [
        strings(&["fit", &glob, "--cluster", &cluster.url]),
        strings(&["--formula", "y ~ x1 + x2", "--json"]),
    ]
    .concat();
    let v = cluster.run_ok(&fit_args);
    assert_eq!(v["n"], 6000);
    for (a, b) in theta(&v).iter().zip(&exact.theta) {
        assert!(rel(*a, *b) < 1e-9, "fit θ {a} vs the in-memory QR's {b}");
    }
}

#[test]
fn a_stock_cluster_trains_by_builtin_sums_and_refuses_fit() {
    let dir = tempfile::tempdir().unwrap();
    let parts = parts(dir.path());
    let cluster = Cluster::start(dir.path(), 1, true);
    let limit = Duration::from_secs(60);
    let args = train_args(&parts, &cluster.url, &["--epochs", "20", "--json"]);
    let out = run_bounded(&args, limit).expect("train on a stock cluster hung");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{}", cluster.output());
    // Said on stderr and in --json.
    assert!(
        stderr.contains("lacks chainrule's aggregate functions"),
        "{stderr}"
    );
    let v = json(&out);
    let warned = v["warnings"].as_array().unwrap().iter();
    assert!(
        warned
            .filter(|w| w.as_str().unwrap().contains("built-in SUM"))
            .count()
            == 1,
        "{v}"
    );
    // SUM((θ·x − y)·xj) is the same gradient, added in another order.
    for (a, b) in theta(&v).iter().zip(local_theta(20, false)) {
        assert!(rel(*a, b) < 1e-9, "θ {a} by built-in sums vs {b} in memory");
    }
    let fit_args = [
        strings(&["fit"]),
        vec![parts.display().to_string()],
        strings(&["--cluster", &cluster.url, "--formula", "y ~ x1 + x2"]),
    ]
    .concat();
    let out = run_bounded(&fit_args, limit).expect("fit on a stock cluster hung");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("square the condition number"), "{stderr}");
}

#[test]
fn an_executor_killed_mid_run_gives_the_right_theta_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let parts = parts(dir.path());
    let mut cluster = Cluster::start(dir.path(), 2, false);
    let epochs = 120;
    let epochs_text = epochs.to_string();
    // --tol 0: the run must still be in its epochs when the executor goes
    // (the gradient rule would stop it within a dozen).
    let more = [
        "--epochs",
        &epochs_text,
        "--tol",
        "0",
        "--json",
        "--query-timeout",
        "30",
    ];
    let args = train_args(&parts, &cluster.url, &more);
    let train = std::thread::spawn(move || run_bounded(&args, Duration::from_secs(50)));
    // Some epochs in (each query ~50 ms on loopback), then one executor goes.
    std::thread::sleep(Duration::from_millis(1500));
    let mut victim = cluster.executors.remove(0);
    victim.kill().unwrap();
    victim.wait().unwrap();
    let out = train
        .join()
        .unwrap()
        .expect("train hung after an executor was killed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        eprintln!("the run completed on the surviving executor");
        let v = json(&out);
        assert_eq!(v["epochs"], epochs, "{v}");
        for (a, b) in theta(&v).iter().zip(local_theta(epochs, true)) {
            assert!(rel(*a, b) < 1e-9, "θ {a} after the kill vs {b} in memory");
        }
    } else {
        eprintln!("the run failed: {stderr}\n{}", cluster.output());
        assert_eq!(out.status.code(), Some(1), "{stderr}\n{}", cluster.output());
        assert!(stderr.contains("error:"), "{stderr}");
        assert!(
            stderr.contains(&cluster.url),
            "the error names the cluster: {stderr}"
        );
    }
}
