//! Teaching the way the tutorial does: several steps with θ carried, the
//! tutorial's closed forms beside the numbers, programs that update only
//! their parameters.

use assert_cmd::Command;
use predicates::str::contains;

/// Run from the workspace root, where `examples/` is.
fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").expect("the binary builds");
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    cmd
}

fn stdout(args: &[&str]) -> String {
    let out = chainrule().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The tutorial's one-sample graph y = θx at x = 2, y = 3, θ = 0.5, lr = 0.1,
/// by hand, with θ ← θ + lr·2x(y − θx):
///   step 1: z1 = θx = 1,    z2 = y − z1 = 2,    L = 4,      ∂L/∂θ = −2·2·2 = −8,      θ = 0.5 + 0.8 = 1.3
///   step 2: z1 = 2.6,       z2 = 0.4,           L = 0.16,   ∂L/∂θ = −2·2·0.4 = −1.6,  θ = 1.3 + 0.16 = 1.46
///   step 3: z1 = 2.92,      z2 = 0.08,          L = 0.0064, ∂L/∂θ = −2·2·0.08 = −0.32, θ = 1.46 + 0.032 = 1.492
const BY_HAND: [(&str, &str, &str, &str, &str); 3] = [
    ("0.5", "2", "4", "−8", "1.3"),
    ("1.3", "0.4", "0.16", "−1.6", "1.46"),
    ("1.46", "0.08", "0.0064", "−0.32", "1.492"),
];

#[test]
fn three_steps_of_the_one_sample_example_match_the_hand_computation() {
    let flags = [
        "explain", "--lang", "en", "--model", "origin", "--x", "2", "--y", "3", "--theta", "0.5",
        "--lr", "0.1", "--steps", "3",
    ];
    let text = stdout(&flags);
    let program = stdout(&[
        "explain",
        "--lang",
        "en",
        "--program",
        "examples/one_sample.expr",
        "--lr",
        "0.1",
        "--steps",
        "3",
    ]);
    for out in [&text, &program] {
        for (theta, z2, l, grad, next) in BY_HAND {
            for line in [
                "z2 = y − z1 = 3 − ".to_string(),
                "= −2·x·(y − θ·x) = ".to_string(),
                format!(
                    "θ  ← θ − lr·∂L/∂θ = θ + lr·2·x·(y − θ·x) = {theta} − 0.1·({grad}) = {next}"
                ),
            ] {
                assert!(out.contains(&line), "missing {line:?} in\n{out}");
            }
            // L = z2² (the model writes z2², the program z2^2) = {z2}² = {l}.
            let loss = out.lines().any(|line| {
                line.trim_start().starts_with("L ")
                    && line.contains(z2)
                    && line.ends_with(&format!("= {l}"))
            });
            assert!(loss, "no L = {z2}² = {l} in\n{out}");
        }
        // The table: step, θ, L, ∂L/∂θ, θ after.
        for (k, (theta, _, l, grad, next)) in BY_HAND.iter().enumerate() {
            let row = format!("{}     {theta}", k + 1);
            let line = out
                .lines()
                .find(|l| l.trim_start().starts_with(&row))
                .unwrap_or_else(|| panic!("no row {row:?} in\n{out}"));
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cells, [&(k + 1).to_string(), *theta, *l, *grad, *next]);
        }
    }
}

#[test]
fn a_program_updates_its_parameters_only() {
    let out = stdout(&["explain", "--program", "examples/one_sample.expr"]);
    assert!(out.contains("θ  ← θ − lr·∂L/∂θ"), "{out}");
    assert!(
        !out.contains("x  ←") && !out.contains("y  ←"),
        "data are not updated:\n{out}"
    );
}

#[test]
fn grad_help_prints_the_language() {
    chainrule()
        .args(["grad", "--help"])
        .assert()
        .success()
        .stdout(contains("param NAME = LITERAL"))
        .stdout(contains("Operators, loosest first"))
        .stdout(contains("relu exp log tanh square sum mean"));
}

#[test]
fn explain_speaks_korean_when_asked_or_when_the_locale_is_korean() {
    let ko = stdout(&[
        "explain", "--lang", "ko", "--model", "line", "--mode", "unrolled",
    ]);
    for words in [
        "unrolled 모드 · builtin:line.csv의 1–2행",
        "J는 loss들의 평균을 구하는 node이다",
        "순전파 (forward)",
        "각 node에서의 편미분",
        "연쇄 법칙 (chain rule)",
        "파라미터 업데이트 (lr: 학습률)",
    ] {
        assert!(ko.contains(words), "missing {words:?} in\n{ko}");
    }
    // The locale decides without --lang: LC_ALL first, then LANG.
    let by_locale = |lc_all: &str, lang: &str| {
        let out = chainrule()
            .env("LC_ALL", lc_all)
            .env("LANG", lang)
            .env_remove("LC_MESSAGES")
            .args(["explain", "--x", "2", "--y", "3"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(by_locale("", "ko_KR.UTF-8").contains("순전파"));
    assert!(by_locale("C.UTF-8", "ko_KR.UTF-8").contains("forward"));
    assert!(by_locale("", "en_US.UTF-8").contains("forward"));
}

#[test]
fn report_makes_a_page_for_the_tutorials_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tutorial.html");
    chainrule()
        .args([
            "report", "--lang", "ko", "--x", "2", "--y", "3", "--theta", "0.5", "--lr", "0.1",
            "--steps", "3", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains(r#"<html lang="ko">"#));
    // θ ← θ + lr·2x(y − θx): 0.5 → 1.3 → 1.46 → 1.492 (see BY_HAND).
    for theta in ["θ ← 1.3", "θ ← 1.46", "θ ← 1.492"] {
        assert!(page.contains(theta), "missing {theta}");
    }
}

#[test]
fn help_summaries_of_the_teaching_commands_speak_korean() {
    chainrule()
        .args(["explain", "--lang", "ko", "--help"])
        .assert()
        .success()
        .stdout(contains("연쇄 법칙"));
    let top = chainrule()
        .env("LC_ALL", "ko_KR.UTF-8")
        .arg("--help")
        .output()
        .unwrap();
    let top = String::from_utf8(top.stdout).unwrap();
    assert!(top.contains("계산 그래프를 그린다"), "{top}");
}
