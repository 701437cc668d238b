//! The HTML report as a person meets it: opened from a file in headless
//! Chromium (Debian's `chromium`, which .ci/run installs), no server, no
//! network. The page's self-test (`#selftest`) steps every lesson's player
//! to the end, back one step and forward again, and writes what the boxes
//! show into the DOM; this test reads the dumped DOM and checks every value
//! and gradient shown against the trace, every edge's upstream × local =
//! contribution, and that the console saw no errors. It then saves
//! screenshots at 1280×800 and at phone width:
//!   target/report-screenshot.png, target/report-screenshot-phone.png
//! If Chromium is missing this test fails, it does not skip.

use chainrule::render::num;
use chainrule::render::report::html;
use chainrule::render::view::View;
use chainrule::teach::lesson_sections;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = std::env::var_os("PATH").map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        });
        if let Some(Some(p)) = found {
            return p;
        }
    }
    panic!(
        "the report's browser test needs Chromium and found none on PATH: \
         install it (Debian: apt-get install -y chromium); .ci/run does this"
    );
}

/// Runs Chromium headless with a fresh profile; returns (stdout, stderr).
fn run_chromium(args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().expect("a temporary profile directory");
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(args)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    let start = Instant::now();
    // Read the pipes on threads so a chatty browser never blocks on them.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    loop {
        if let Some(status) = child.try_wait().expect("wait on chromium") {
            assert!(
                status.success() || status.code().is_some(),
                "chromium died: {status}"
            );
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (t_out.join().unwrap(), t_err.join().unwrap())
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The numbers in a shown text (`value [1.5, −2]`, `∂J/∂z1⁽¹⁾ = −4.206`),
/// read after the label.
fn numbers(text: &str) -> Vec<f64> {
    let tail = text
        .rsplit_once(" = ")
        .map_or_else(|| text.strip_prefix("value ").unwrap_or(text), |(_, t)| t);
    tail.trim_matches(|c| c == '[' || c == ']')
        .split(", ")
        .filter(|s| !s.starts_with('…'))
        .map(|s| num::parse(s.trim()).unwrap_or_else(|| panic!("not a number: {s:?} in {text:?}")))
        .collect()
}

/// Equal to the six significant digits the page prints.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1e-9)
}

#[test]
#[ignore = "needs headless Chromium (apt-get install chromium); .ci/run installs it and runs ignored tests"]
fn report_plays_in_chromium_with_the_traces_numbers() {
    let sections = lesson_sections().expect("the lessons train");
    let dir = target_dir();
    let page = dir.join("report-test.html");
    std::fs::write(&page, html("chainrule — the nine lessons", &sections)).unwrap();
    let url = format!("file://{}", page.display());

    let (dom, stderr) = run_chromium(&[
        "--virtual-time-budget=5000".into(),
        "--dump-dom".into(),
        format!("{url}#selftest"),
    ]);
    let start = dom.find("<pre id=\"selftest\">").unwrap_or_else(|| {
        panic!("no self-test result in the page (did the script run?)\nstderr:\n{stderr}")
    });
    let body = &dom[start + "<pre id=\"selftest\">".len()..];
    let json = unescape(&body[..body.find("</pre>").expect("closed pre")]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("self-test JSON");

    assert_eq!(report["errors"], serde_json::json!([]), "console errors");
    assert_eq!(report["problems"], serde_json::json!([]), "player problems");
    for line in stderr.lines().filter(|l| l.contains("CONSOLE")) {
        assert!(
            !line.contains("Uncaught") && !line.contains("Error"),
            "console: {line}"
        );
    }

    for s in &sections {
        let got = &report["sections"][&s.id];
        let view = View::new(&s.step.trace, true);
        let trace = &s.step.trace;
        for &id in &view.nodes {
            let node = trace.node(id);
            let shown = &got["nodes"][id.to_string()];
            let val = shown["val"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: {} shows no value", s.id, node.label()));
            for (k, v) in numbers(val).into_iter().enumerate() {
                assert!(
                    close(v, node.value[k]),
                    "{}: {} shows {val}, trace {:?}",
                    s.id,
                    node.label(),
                    node.value
                );
            }
            match &node.grad {
                Some(g) => {
                    let text = shown["grad"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{}: {} shows no gradient", s.id, node.label()));
                    for (k, v) in numbers(text).into_iter().enumerate() {
                        assert!(
                            close(v, g[k]),
                            "{}: {} shows {text}, trace {g:?}",
                            s.id,
                            node.label()
                        );
                    }
                }
                None => assert!(
                    shown["grad"].is_null(),
                    "{}: {} shows a gradient it has not",
                    s.id,
                    node.label()
                ),
            }
        }
        // Each flow label reads upstream × local = contribution.
        let flows = got["flows"].as_array().expect("flows");
        assert!(!flows.is_empty(), "{}: no gradient flowed", s.id);
        for f in flows {
            let f = f.as_str().unwrap();
            let (lhs, rhs) = f.split_once(" = ").expect("a product");
            if let (Some((a, b)), false) = (lhs.split_once(" × "), rhs.starts_with('[')) {
                let (Some(a), Some(b)) = (
                    num::parse(a),
                    num::parse(b.trim_matches(|c| c == '(' || c == ')')),
                ) else {
                    continue;
                };
                let c = num::parse(rhs).expect("a number");
                assert!(close(a * b, c) || (a * b - c).abs() < 1e-5, "{}: {f}", s.id);
            }
        }
    }

    // Screenshots, mid-backward in the unrolled line lesson.
    for (name, size) in [
        ("report-screenshot.png", "1280,800"),
        ("report-screenshot-phone.png", "390,844"),
    ] {
        let png = dir.join(name);
        let _ = std::fs::remove_file(&png);
        run_chromium(&[
            format!("--window-size={size}"),
            "--virtual-time-budget=2000".into(),
            format!("--screenshot={}", png.display()),
            format!("{url}#line-unrolled/12"),
        ]);
        let bytes =
            std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot at {}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{name} is not a picture"
        );
        eprintln!("screenshot: {}", png.display());
    }
}
