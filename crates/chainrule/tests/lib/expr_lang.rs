//! The expression language end to end: formulas of the derivation typed as
//! text, differentiated by the engine, checked against hand derivations and
//! finite differences; errors with their exact spot; deep and long inputs.

use chainrule::expr::{build, parse, run, run_program, run_with_limit, ErrorKind, Evaluated};
use chainrule::graph::{NodeId, DEFAULT_MAX_ELEMENTS};
use proptest::prelude::*;

/// The newest node bound to `name`.
fn node(ev: &Evaluated, name: &str) -> NodeId {
    ev.names.iter().rev().find(|(n, _)| n == name).unwrap().1
}

fn value(ev: &Evaluated, name: &str) -> Vec<f64> {
    ev.graph.value(node(ev, name)).to_vec()
}

fn grad(ev: &Evaluated, name: &str) -> Vec<f64> {
    ev.graph.grad(node(ev, name)).unwrap().to_vec()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn one_sample_of_the_derivation() {
    let ev = run(include_str!("../../../../examples/one_sample.expr"), None).unwrap();
    // By hand: z1 = θ·x = 0.5·2 = 1, z2 = y − z1 = 2, L = z2² = 4.
    assert_eq!(value(&ev, "z1"), [1.0]);
    assert_eq!(value(&ev, "z2"), [2.0]);
    assert_eq!(value(&ev, "L"), [4.0]);
    // ∂L/∂θ = ∂L/∂z2 · ∂z2/∂z1 · ∂z1/∂θ = 2·z2 · (−1) · x = −8.
    assert_eq!(grad(&ev, "θ"), [-8.0]);
    // x and y are declared data: no gradient, nothing to update.
    assert_eq!(ev.trace.find("x").unwrap().grad, None);
    assert_eq!(ev.trace.find("y").unwrap().grad, None);
    assert_eq!(ev.trace.find("L").unwrap().value, [4.0]);
}

#[test]
fn data_get_a_gradient_only_when_asked() {
    let mut program = parse(include_str!("../../../../examples/one_sample.expr")).unwrap();
    assert!(program.ask_gradient("x") && program.ask_gradient("y"));
    assert!(!program.ask_gradient("z1"), "z1 is computed, not a literal");
    let ev = run_program(&program, None, DEFAULT_MAX_ELEMENTS).unwrap();
    // ∂L/∂x = 2·z2·(−1)·θ = −2, ∂L/∂y = 2·z2 = 4.
    assert_eq!(grad(&ev, "x"), [-2.0]);
    assert_eq!(grad(&ev, "y"), [4.0]);
    assert_eq!(grad(&ev, "θ"), [-8.0]);
}

#[test]
fn programs_without_declarations_keep_every_literal_a_param() {
    // The older rule: ∂L/∂x = 2·z2·(−1)·θ = −2 at x = 2, y = 3, θ = 0.5.
    let ev = run(
        "x = 2; y = 3; θ = 0.5; z1 = θ * x; z2 = y - z1; L = z2^2",
        None,
    )
    .unwrap();
    assert_eq!(grad(&ev, "x"), [-2.0]);
    assert_eq!(grad(&ev, "θ"), [-8.0]);
}

#[test]
fn the_same_sample_with_ascii_names_and_semicolons() {
    let ev = run(
        "x = 2; y = 3; theta = 0.5; z1 = theta * x; z2 = y - z1; L = z2^2",
        None,
    )
    .unwrap();
    assert_eq!(grad(&ev, "theta"), [-8.0]); // as above: 2·z2·(−1)·x
}

#[test]
fn two_samples_unrolled_with_the_mean_node() {
    let ev = run(include_str!("../../../../examples/two_samples.expr"), None).unwrap();
    // By hand: z1⁽ⁱ⁾ = θx⁽ⁱ⁾ = (0.5, 1), z2⁽ⁱ⁾ = y⁽ⁱ⁾ − z1⁽ⁱ⁾ = (1.5, 3),
    // J = (1.5² + 3²)/2 = (2.25 + 9)/2 = 5.625.
    assert_eq!(value(&ev, "z2_1"), [1.5]);
    assert_eq!(value(&ev, "z2_2"), [3.0]);
    assert_eq!(value(&ev, "J"), [5.625]);
    // ∂J/∂z1⁽ⁱ⁾ = −(1/2)·2(y⁽ⁱ⁾ − z1⁽ⁱ⁾) = −1.5, −3.
    assert_eq!(grad(&ev, "z1_1"), [-1.5]);
    assert_eq!(grad(&ev, "z1_2"), [-3.0]);
    // ∂J/∂θ = −(1/2)·Σ 2x⁽ⁱ⁾(y⁽ⁱ⁾ − θx⁽ⁱ⁾) = −(1·1.5 + 2·3) = −7.5.
    assert_eq!(grad(&ev, "θ"), [-7.5]);
}

#[test]
fn three_samples_vectorized() {
    let ev = run(include_str!("../../../../examples/vectorized.expr"), None).unwrap();
    // By hand: Z1 = Xθ = (0.5, 1, 1.5), Z2 = Y − Z1 = (1.5, 3, 4.5),
    // J = (2.25 + 9 + 20.25)/3 = 10.5.
    assert_eq!(value(&ev, "Z2"), [1.5, 3.0, 4.5]);
    assert_eq!(value(&ev, "J"), [10.5]);
    // ∂J/∂θ = −(2/3)·XᵀZ2 = −(2/3)·(1.5 + 6 + 13.5) = −14.
    assert!(close(grad(&ev, "θ")[0], -14.0, 1e-15));
    assert_eq!(ev.trace.find("X").unwrap().grad, None);
}

#[test]
fn reuse_accumulates_gradients() {
    // c = b + b = 2(a + a) = 4a ⇒ dc/da = 4.
    let ev = run("a = 1\nb = a + a\nc = b + b", None).unwrap();
    assert_eq!(grad(&ev, "a"), [4.0]);
    // y = x·x ⇒ dy/dx = 2x = 6 at x = 3.
    let ev = run("x = 3; y = x * x", None).unwrap();
    assert_eq!(grad(&ev, "x"), [6.0]);
}

#[test]
fn diamond_of_shared_nodes() {
    // a = 2, b = 3: c = a + b = 5, d = a·b = 6, e = c + d, f = c·d, y = e + f.
    // ∂y/∂c = 1 + d = 7, ∂y/∂d = 1 + c = 6.
    // ∂y/∂a = ∂y/∂c·1 + ∂y/∂d·b = 7 + 6·3 = 25.
    // ∂y/∂b = ∂y/∂c·1 + ∂y/∂d·a = 7 + 6·2 = 19.
    let ev = run(
        "a = 2\nb = 3\nc = a + b\nd = a * b\ne = c + d\nf = c * d\ny = e + f",
        None,
    )
    .unwrap();
    assert_eq!(value(&ev, "y"), [41.0]); // e + f = 11 + 30
    assert_eq!(grad(&ev, "a"), [25.0]);
    assert_eq!(grad(&ev, "b"), [19.0]);
}

#[test]
fn every_function_against_finite_differences() {
    let src = "a = 0.7; b = 1.3; v = [0.5, -1, 2]; w = [1, 2, 3]
        s = tanh(a * b) + log(a^2 + 1) * relu(b) - exp(-a) / b + square(a - b)
        t = dot(v, w) * sum(tanh(v)) + mean(v^3) * a + b^(1/2)
        J = s * t";
    let ev = run(src, None).unwrap();
    let mut built = build(&parse(src).unwrap(), DEFAULT_MAX_ELEMENTS).unwrap();
    let g = &mut built.graph;
    let h = 1e-6;
    for name in ["a", "b", "v"] {
        let id = node(&ev, name);
        let x0 = g.value(id).to_vec();
        for (k, analytic) in grad(&ev, name).into_iter().enumerate() {
            // Central difference: (J(x + h·e_k) − J(x − h·e_k)) / 2h.
            let mut at = |step: f64| {
                let mut x = x0.clone();
                x[k] += step;
                g.set(id, &x).unwrap();
                g.forward();
                g.value(built.last)[0]
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                close(analytic, numeric, 1e-6),
                "∂J/∂{name}[{k}]: {analytic} vs {numeric}"
            );
        }
        g.set(id, &x0).unwrap();
    }
}

#[test]
fn minus_binds_looser_than_power() {
    // As in math: −2² = −(2²) = −4; (−2)² = 4; 2^−1 = 0.5; 2^3^2 = 2^9 = 512.
    for (src, want) in [
        ("-2^2", -4.0),
        ("(-2)^2", 4.0),
        ("2^-1", 0.5),
        ("2^3^2", 512.0),
    ] {
        let ev = run(src, None).unwrap();
        assert_eq!(ev.graph.value(ev.root), [want], "{src}");
    }
}

#[test]
fn unicode_names_comments_and_separators() {
    let ev = run(
        "θ0 = 1 # intercept\nθ1 = 2; x₁ = 3 ;; z₁ = θ1 * x₁ + θ0\n\n# the end\n",
        None,
    )
    .unwrap();
    // z₁ = θ1·x₁ + θ0 = 7; ∂z₁/∂θ1 = x₁ = 3, ∂z₁/∂θ0 = 1.
    assert_eq!(value(&ev, "z₁"), [7.0]);
    assert_eq!(grad(&ev, "θ1"), [3.0]);
    assert_eq!(grad(&ev, "θ0"), [1.0]);
}

#[test]
fn rebinding_and_bare_last_expression() {
    // c = 1, then c = c + 1 = 2, then the bare c·c = 4; d(c·c)/d(first c) = 2·2 = 4.
    let ev = run("c = 1\nfirst = c\nc = c + 1\nc * c", None).unwrap();
    assert_eq!(ev.graph.value(ev.root), [4.0]);
    assert_eq!(grad(&ev, "first"), [4.0]);
    // `of` picks the root; the newest binding of the name.
    let ev = run("x = 3; y = x * x; z = y + x", Some("y")).unwrap();
    assert_eq!(grad(&ev, "x"), [6.0]); // dy/dx = 2x
}

#[test]
fn log_of_a_negative_is_nan_not_an_error() {
    let ev = run("x = -1; y = log(x)", None).unwrap();
    assert!(ev.graph.value(ev.root)[0].is_nan());
}

/// The rendered error: message, source line, caret.
fn rendered(src: &str) -> String {
    run(src, None).unwrap_err().render(src)
}

#[test]
fn errors_render_with_line_column_and_caret() {
    assert_eq!(
        rendered("x = 2; y = 3; theta = 0.5\nz1 = thetaa * x"),
        "2:6: unknown name 'thetaa' (known: x, y, theta)\n  |\n2 | z1 = thetaa * x\n  |      ^^^^^^"
    );
    assert_eq!(
        rendered("M = [[1, 2], [3, 4], [5, 6]]\nv = [1, 2, 3]\nz = M @ v"),
        "3:7: shape mismatch: matvec: shapes matrix[3×2] and vector[3] do not fit together \
         (M @ v needs an n×d matrix and a vector of length d)\n  |\n3 | z = M @ v\n  |       ^"
    );
    assert_eq!(
        rendered("M = [[1, 2],\n     [3]]"),
        "2:6: ragged matrix: row 2 has length 1 but row 1 has length 2; every row needs the same length\
         \n  |\n2 |      [3]]\n  |      ^"
    );
    // Columns count chars: "θ = " is 4 chars (5 bytes), so '$' is at 5.
    assert_eq!(
        rendered("θ = $"),
        "1:5: unexpected character '$'\n  |\n1 | θ = $\n  |     ^"
    );
}

/// line, column and kind of the error `src` gives.
fn error(src: &str) -> (usize, usize, ErrorKind) {
    let e = run(src, None).unwrap_err();
    (e.line(), e.col(), e.kind)
}

#[test]
fn each_error_points_at_its_spot() {
    let unclosed = ErrorKind::Unclosed {
        open: '(',
        close: ')',
    };
    assert_eq!(error("x = 1\ny = (x + 1"), (2, 5, unclosed));
    assert_eq!(
        error("v = [1, 2").2,
        ErrorKind::Unclosed {
            open: '[',
            close: ']'
        }
    );
    assert_eq!(error("x = 1 +* 2").1, 8);
    assert_eq!(error("x = 1\ny = sqrt(x)").0, 2);
    assert!(matches!(
        error("y = sqrt(1)").2,
        ErrorKind::UnknownFunction { .. }
    ));
    let dot = ErrorKind::Arity {
        func: "dot",
        expected: 2,
        got: 3,
    };
    assert_eq!(error("v = [1]; d = dot(v, v, v)"), (1, 14, dot));
    // "x = 2; y = 3; z = x ^ y": the exponent y is at column 23.
    let (line, col, kind) = error("x = 2; y = 3; z = x ^ y");
    assert_eq!((line, col), (1, 23));
    assert!(kind.to_string().contains("exp(y * log(x))"), "{kind}");
    assert_eq!(error("# nothing\n\n").2, ErrorKind::EmptyProgram);
    let (line, col, kind) = error("v = [1, 2]\nw = v * 2");
    assert_eq!((line, col), (2, 1));
    assert_eq!(
        kind.to_string(),
        "backward needs a scalar, but 'w' is a vector[2]; wrap it in sum(...) or mean(...)"
    );
}

#[test]
fn element_limit_says_which_limit_and_how_to_raise_it() {
    // A 3-vector param takes 3 values + 3 gradients = 6 elements > 5.
    let e = run_with_limit("x = 1\nv = [1, 2, 3]", None, 5).unwrap_err();
    assert_eq!((e.line(), e.col()), (2, 5));
    let message = e.to_string();
    assert!(
        message.contains("limit of 5") && message.contains("raise the limit"),
        "{message}"
    );
}

#[test]
fn a_hundred_thousand_statements() {
    let n = 100_000;
    let mut src = String::from("v0 = 1\n");
    for i in 1..n {
        src.push_str(&format!("v{i} = v{} + 1\n", i - 1));
    }
    let mut built = build(&parse(&src).unwrap(), DEFAULT_MAX_ELEMENTS).unwrap();
    built.graph.forward();
    // v_i = 1 + i, so the last is n.
    assert_eq!(built.graph.value(built.last), [n as f64]);
    assert_eq!(built.names.len(), n);
}

/// Runs `f` on a thread with a deliberately small stack (256 KiB): deep
/// inputs must cost heap, not native stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn ten_thousand_nested_parentheses() {
    on_small_stack(|| {
        let depth = 10_000;
        let src = format!("x = 3\ny = {}x * x{}", "(".repeat(depth), ")".repeat(depth));
        let ev = run(&src, None).unwrap();
        assert_eq!(grad(&ev, "x"), [6.0]); // d(x·x)/dx = 2x
    });
}

#[test]
fn ten_thousand_unary_minuses() {
    on_small_stack(|| {
        let depth = 10_000; // even: the minuses cancel, y = x·x
        let src = format!("x = 3\ny = {}x * x", "-".repeat(depth));
        let program = parse(&src).unwrap();
        let printed = program.to_string();
        assert_eq!(parse(&printed).unwrap(), program);
        let ev = run(&src, None).unwrap();
        assert_eq!(ev.graph.value(ev.root), [9.0]);
        assert_eq!(grad(&ev, "x"), [6.0]);
        drop(program);
    });
}

#[test]
fn ten_thousand_deep_operator_chains() {
    on_small_stack(|| {
        let depth = 10_000;
        // Left-deep: ((x + 1) + 1) + … ; right-deep exponent: x^(1^(1^…)) = x^1.
        let src = format!(
            "x = 3\ny = x{}\nz = x{}",
            " + 1".repeat(depth),
            "^1".repeat(depth)
        );
        let program = parse(&src).unwrap();
        assert_eq!(parse(&program.to_string()).unwrap(), program);
        let ev = run(&src, Some("y")).unwrap();
        assert_eq!(value(&ev, "y"), [3.0 + depth as f64]);
        assert_eq!(value(&ev, "z"), [3.0]);
    });
}

#[test]
fn equality_ignores_spans_but_not_structure() {
    assert_eq!(
        parse("a-b -c").unwrap(),
        parse("(a - b) - c # same").unwrap()
    );
    assert_ne!(parse("a - b - c").unwrap(), parse("a - (b - c)").unwrap());
    assert_ne!(parse("y = 1").unwrap(), parse("z = 1").unwrap());
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["x", "θ", "z₁", "θ0", "_t", "L", "exp"]).prop_map(String::from)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        (0.0f64..1e6).prop_map(|v| format!("{v}")),
        (-300i32..300, 1.0f64..10.0).prop_map(|(e, m)| format!("{m}e{e}")),
        (0u32..1000).prop_map(|n| format!(".{n}")),
    ]
}

fn row(len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(-1e3f64..1e3, len).prop_map(|v| {
        let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        format!("[{}]", items.join(", "))
    })
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..4).prop_flat_map(row),
        (1usize..3, 1usize..3).prop_flat_map(|(r, c)| prop::collection::vec(row(c), r)
            .prop_map(|rows| format!("[{}]", rows.join(",\n ")))),
    ]
}

/// Well-formed expression text: random precedence mixing, random
/// parentheses, unary minus chains, calls and literals.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![4 => number(), 4 => name(), 1 => literal()];
    leaf.prop_recursive(6, 48, 3, |inner| {
        let op = prop::sample::select(vec!["+", "-", "*", "/", "@", "^"]);
        let func =
            prop::sample::select(vec!["relu", "exp", "log", "tanh", "sum", "mean", "square"]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}^-{b}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (func, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("dot({a}, {b})")),
        ]
    })
}

fn program() -> impl Strategy<Value = String> {
    let statement = (prop::option::of(name()), expr()).prop_map(|(target, e)| match target {
        Some(n) => format!("{n} = {e}"),
        None => e,
    });
    let sep = prop::sample::select(vec!["\n", "; ", " # note\n", "\n\n"]);
    prop::collection::vec((statement, sep), 1..6).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(s, sep)| format!("{s}{sep}"))
            .collect()
    })
}

proptest! {
    /// parse ∘ print = identity on programs, and printing is canonical
    /// (printing the reparsed program gives the same text).
    #[test]
    fn print_then_parse_gives_the_same_program(src in program()) {
        let p = parse(&src).unwrap();
        let printed = p.to_string();
        let q = parse(&printed).unwrap();
        prop_assert_eq!(&q, &p);
        prop_assert_eq!(q.to_string(), printed);
    }

    /// No input makes the language panic: garbage gives an error, never a crash.
    #[test]
    fn arbitrary_text_never_panics(src in "[-+*/^@()\\[\\],;=#\n .0-9eθxyz_]{0,40}") {
        let _ = run(&src, None);
        let _ = run(&src, Some("x"));
    }

    /// Token soup: well-lexed but arbitrarily arranged input never panics.
    #[test]
    fn arbitrary_tokens_never_panic(tokens in prop::collection::vec(prop::sample::select(vec![
        "x", "y", "=", "1", "2.5", "-", "+", "*", "/", "^", "@", "(", ")", "[", "]", "[[", "]]",
        ",", ";", "\n", "dot", "sum", "relu", "mean", "foo",
    ]), 0..30)) {
        let src = tokens.join(" ");
        let _ = run(&src, None);
        let _ = run_with_limit(&src, None, 4);
    }

    /// Well-formed programs build or fail cleanly (unknown names, shapes).
    #[test]
    fn generated_programs_run_or_fail_cleanly(src in program()) {
        let _ = run_with_limit(&src, None, 10_000);
    }
}
