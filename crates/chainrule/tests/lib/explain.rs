//! `explain` on the nine lessons: snapshots of the text and Markdown
//! (reviewed by eye, committed under tests/snapshots/, checked by plain
//! `cargo test`), and a check that every number printed is the trace's.

use chainrule::data::preset_names;
use chainrule::model::LinearModel;
use chainrule::model::Mode;
use chainrule::render::num;
use chainrule::render::{derive, Step};
use chainrule::teach::{lesson_step, model_step, ModelStep};

fn lessons() -> Vec<(String, Step)> {
    preset_names()
        .into_iter()
        .flat_map(|p| {
            Mode::ALL.map(|m| (format!("{p}_{m}"), lesson_step(p, m).expect("lessons run")))
        })
        .collect()
}

#[test]
fn nine_lessons_in_text() {
    for (name, step) in lessons() {
        insta::assert_snapshot!(format!("{name}_text"), derive(&step).text());
    }
}

#[test]
fn nine_lessons_in_markdown() {
    for (name, step) in lessons() {
        insta::assert_snapshot!(format!("{name}_markdown"), derive(&step).markdown());
    }
}

/// Every number the step may print: the trace's values, gradients, local
/// partials and products, lr and the updated θ (θ − lr·∂J/∂θ from the
/// trace's θ and ∂J/∂θ), and the small integers of the formulas: the 1 and
/// 2 of `1/k`, `2·z2`, `z2²`, and the batch size n of `(1/n)·1ᵀ`.
fn allowed(step: &Step) -> Vec<f64> {
    let mut v: Vec<f64> = vec![1.0, 2.0];
    for n in &step.trace.nodes {
        v.extend(&n.value);
        v.extend(n.grad.iter().flatten());
        v.push(n.value.len() as f64);
        for e in &n.edges {
            v.extend(e.local.iter().flat_map(|j| j.data.iter()));
            v.extend(e.product.iter().flatten());
        }
    }
    v.extend(step.lr);
    for &p in &step.params {
        v.extend(step.updated(p).unwrap_or_default());
    }
    v
}

/// The numbers in a rendering, unsigned: digits not inside a name (`z1`,
/// `θ0`, TeX subscripts `_{1}` and sample indices `^{(2)}` are names).
fn printed_numbers(text: &str) -> Vec<String> {
    let mut cleaned = text.to_string();
    for (open, close) in [("_{", "}"), ("^{(", ")}")] {
        while let Some(a) = cleaned.find(open) {
            let b = a + cleaned[a..].find(close).expect("closed") + close.len();
            cleaned.replace_range(a..b, " ");
        }
    }
    let chars: Vec<char> = cleaned.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' || c == '\\' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '\\')
            {
                i += 1;
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i + 1 < chars.len()
                && chars[i] == 'e'
                && (chars[i + 1] == '-' || chars[i + 1].is_ascii_digit())
            {
                i += 2;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            out.push(
                chars[start..i]
                    .iter()
                    .collect::<String>()
                    .trim_end_matches('.')
                    .to_string(),
            );
        } else {
            i += 1;
        }
    }
    out
}

fn check_numbers(name: &str, step: &Step, rendering: &str) {
    let allowed: Vec<String> = allowed(step).iter().map(|v| num::ascii(v.abs())).collect();
    // The title names the rows shown; the numbers start below it.
    let body = rendering.split_once('\n').map_or("", |(_, b)| b);
    let printed = printed_numbers(body);
    assert!(printed.len() > 10, "{name}: too few numbers found");
    for n in printed {
        assert!(
            allowed.contains(&n),
            "{name}: {n} is not a number of the trace\n{rendering}"
        );
    }
}

#[test]
fn every_number_printed_is_the_traces() {
    for (name, step) in lessons() {
        let d = derive(&step);
        check_numbers(&name, &step, &d.text());
        check_numbers(&name, &step, &d.markdown());
    }
}

#[test]
fn the_derivations_one_sample_by_hand() {
    // examples/one_sample.expr by hand: x = 2, y = 3, θ = 0.5 ⇒ z1 = 1,
    // z2 = 2, L = 4; ∂L/∂θ = (2·z2)·(−1)·x = (2·2)·(−1)·2 = −8;
    // θ ← 0.5 − 0.1·(−8) = 1.3. In the tutorial's symbols:
    // ∂L/∂z1 = 2z2·(−1) = −2z2 = −2(y − z1);
    // ∂L/∂θ = −2x(y − z1) = −2x(y − θx); θ ← θ + lr·2x(y − θx).
    let step = model_step(&ModelStep {
        model: LinearModel::new(1, false),
        mode: Mode::Sample,
        x: &[2.0],
        y: &[3.0],
        theta: &[0.5],
        lr: 0.1,
        source: Some("hand".into()),
        first_row: 1,
    })
    .unwrap();
    let text = derive(&step).text();
    for line in [
        "z1 = θ·x = 0.5·2 = 1",
        "z2 = y − z1 = 3 − 1 = 2",
        "∂z2/∂z1 = −1",
        "∂L/∂z2  = 2·z2 = 2·2 = 4",
        "∂L/∂z1 = ∂L/∂z2·∂z2/∂z1 = −2·z2 = −2·(y − z1) = −2·(y − θ·x) = 4·(−1) = −4",
        "∂L/∂θ = ∂L/∂z2·∂z2/∂z1·∂z1/∂θ = −2·x·z2 = −2·x·(y − z1) = −2·x·(y − θ·x) = (2·2)·(−1)·2",
        "θ  ← θ − lr·∂L/∂θ = θ + lr·2·x·(y − θ·x) = 0.5 − 0.1·(−8) = 1.3",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn unrolled_sums_the_branches_and_vectorized_multiplies_jacobians() {
    let unrolled = derive(&lesson_step("origin", Mode::Unrolled).unwrap()).text();
    let has_line =
        |text: &str, a: &str, b: &str| text.lines().any(|l| l.contains(a) && l.contains(b));
    assert!(
        has_line(&unrolled, "∂J/∂L⁽¹⁾ ", "= 1/2 = 0.5"),
        "{unrolled}"
    );
    assert!(unrolled.contains("∂J/∂θ = ∂J/∂L⁽¹⁾·"), "{unrolled}");
    assert!(unrolled.contains(" + ∂J/∂L⁽²⁾·"), "{unrolled}");
    let vectorized = derive(&lesson_step("line", Mode::Vectorized).unwrap()).text();
    for s in [
        "∂J/∂L   = (1/3)·1ᵀ",
        "diag(2·Z2)",
        "∂Z2/∂Z1 = −I",
        "∂Z1/∂θ  = X",
    ] {
        assert!(vectorized.contains(s), "missing {s:?} in\n{vectorized}");
    }
}
