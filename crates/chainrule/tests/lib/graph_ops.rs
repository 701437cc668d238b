//! Laws every op obeys, checked on random shapes and values:
//! 1. its VJP equals central finite differences of x ↦ Σ_k u_k·op(x)_k
//!    (relative error ≤ 1e-6 in f64);
//! 2. its VJP equals upstreamᵀ · its explicit Jacobian (to rounding);
//! 3. the engine's backward through a graph gives the same as the VJP;
//! 4. it states how the derivation writes it and each of its partials,
//!    naming only operands it has.

use chainrule::graph::notation::sketch;
use chainrule::graph::ops::arith::{AddRule, DivRule, MulRule, SubRule};
use chainrule::graph::ops::binary::Elementwise;
use chainrule::graph::ops::functions::{Exp, Log, Neg, Pow, Relu, Square, Tanh};
use chainrule::graph::ops::linalg::{Dot, MatVec};
use chainrule::graph::ops::reduce::Reduce;
use chainrule::graph::ops::unary::Map;
use chainrule::graph::{Graph, Inputs, Mark, Op, Partial, Shape};
use proptest::prelude::*;

/// Which values an operand may take: some ops are only smooth away from a
/// point (log, div, relu, fractional powers).
#[derive(Clone, Copy, Debug)]
enum Domain {
    Any,
    /// |x| in [0.5, 2], either sign: away from the kink of relu / pole of div.
    AwayFromZero,
    Positive,
}

fn draw(domain: Domain, raw: f64) -> f64 {
    // raw is uniform in [-1, 1)
    match domain {
        Domain::Any => 2.0 * raw,
        Domain::AwayFromZero => raw.signum() * (0.5 + 1.5 * raw.abs()),
        Domain::Positive => 0.5 + 1.5 * raw.abs(),
    }
}

struct Case {
    op: Box<dyn Op>,
    shapes: Vec<Shape>,
    domains: Vec<Domain>,
}

fn shape_of(kind: u8, n: usize, d: usize) -> Shape {
    match kind % 3 {
        0 => Shape::Scalar,
        1 => Shape::Vector(n),
        _ => Shape::Matrix(n, d),
    }
}

/// Every op of the engine with shapes built from (kind, n, d).
fn cases(kind: u8, other: u8, n: usize, d: usize, p: f64) -> Vec<Case> {
    let s = shape_of(kind, n, d);
    // Binary ops: equal shapes, or a scalar on one side (other picks which).
    let (sa, sb) = match other % 3 {
        0 => (s, s),
        1 => (Shape::Scalar, s),
        _ => (s, Shape::Scalar),
    };
    use Domain::*;
    let unary = |op: Box<dyn Op>, dom: Domain| Case {
        op,
        shapes: vec![s],
        domains: vec![dom],
    };
    let binary = |op: Box<dyn Op>, da: Domain, db: Domain| Case {
        op,
        shapes: vec![sa, sb],
        domains: vec![da, db],
    };
    vec![
        binary(Box::new(Elementwise::<AddRule>::new()), Any, Any),
        binary(Box::new(Elementwise::<SubRule>::new()), Any, Any),
        binary(Box::new(Elementwise::<MulRule>::new()), Any, Any),
        binary(Box::new(Elementwise::<DivRule>::new()), Any, AwayFromZero),
        unary(Box::new(Map(Neg)), Any),
        unary(Box::new(Map(Square)), Any),
        unary(Box::new(Map(Pow(p))), Positive),
        unary(Box::new(Map(Pow(3.0))), Any),
        unary(Box::new(Map(Exp)), Any),
        unary(Box::new(Map(Log)), Positive),
        unary(Box::new(Map(Tanh)), Any),
        unary(Box::new(Map(Relu)), AwayFromZero),
        unary(Box::new(Reduce { mean: false }), Any),
        unary(Box::new(Reduce { mean: true }), Any),
        Case {
            op: Box::new(Dot),
            shapes: vec![Shape::Vector(n), Shape::Vector(n)],
            domains: vec![Any, Any],
        },
        Case {
            op: Box::new(MatVec),
            shapes: vec![Shape::Matrix(n, d), Shape::Vector(d)],
            domains: vec![Any, Any],
        },
    ]
}

fn inputs<'a>(vals: &'a [Vec<f64>], shapes: &[Shape]) -> Inputs<'a> {
    Inputs {
        a: &vals[0],
        b: vals.get(1).map_or(&[][..], |v| v),
        sa: shapes[0],
        sb: shapes.get(1).copied().unwrap_or(Shape::Scalar),
    }
}

fn eval(op: &dyn Op, vals: &[Vec<f64>], shapes: &[Shape]) -> Vec<f64> {
    let out_shape = op
        .shape(shapes[0], shapes.get(1).copied().unwrap_or(Shape::Scalar))
        .unwrap();
    let mut out = vec![0.0; out_shape.len()];
    op.forward(&inputs(vals, shapes), &mut out);
    out
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn vjp_matches_finite_differences_and_jacobian(
        kind in 0u8..3, other in 0u8..3, n in 1usize..5, d in 1usize..4,
        p in 0.5f64..3.0,
        raw in prop::collection::vec(-1.0f64..1.0, 64),
    ) {
        for case in cases(kind, other, n, d, p) {
            let op = case.op.as_ref();
            let mut it = raw.iter().cycle();
            let vals: Vec<Vec<f64>> = case.shapes.iter().zip(&case.domains)
                .map(|(s, &dom)| (0..s.len()).map(|_| draw(dom, *it.next().unwrap())).collect())
                .collect();
            let out = eval(op, &vals, &case.shapes);
            let upstream: Vec<f64> = (0..out.len()).map(|_| draw(Domain::Any, *it.next().unwrap())).collect();
            let f = |v: &[Vec<f64>]| -> f64 {
                eval(op, v, &case.shapes).iter().zip(&upstream).map(|(o, u)| o * u).sum()
            };
            for i in 0..case.shapes.len() {
                let mut vjp = vec![0.0; vals[i].len()];
                op.vjp(i, &inputs(&vals, &case.shapes), &out, &upstream, &mut vjp);
                let jac = op.jacobian(i, &inputs(&vals, &case.shapes), &out);
                let from_jac = jac.vjp(&upstream);
                for k in 0..vals[i].len() {
                    // Central difference, step scaled to the value.
                    let h = 1e-5 * vals[i][k].abs().max(1.0);
                    let mut plus = vals.clone();
                    plus[i][k] += h;
                    let mut minus = vals.clone();
                    minus[i][k] -= h;
                    let fd = (f(&plus) - f(&minus)) / (2.0 * h);
                    prop_assert!(close(vjp[k], fd, 1e-6),
                        "{} input {i}[{k}] shapes {:?}: vjp {} vs finite difference {}",
                        op.name(), case.shapes, vjp[k], fd);
                    prop_assert!(close(vjp[k], from_jac[k], 1e-12),
                        "{} input {i}[{k}]: vjp {} vs upstreamᵀ·J {}", op.name(), vjp[k], from_jac[k]);
                }
            }
        }
    }

    /// The engine's backward through `J = sum(u ∘ op(a, b))` gives each
    /// param the op's VJP with upstream u.
    #[test]
    fn engine_backward_equals_op_vjp(
        n in 1usize..6,
        raw in prop::collection::vec(-1.0f64..1.0, 18),
    ) {
        let a: Vec<f64> = raw[..n].iter().map(|&r| draw(Domain::Any, r)).collect();
        let b: Vec<f64> = raw[6..6 + n].iter().map(|&r| draw(Domain::AwayFromZero, r)).collect();
        let u: Vec<f64> = raw[12..12 + n].to_vec();
        let mut g = Graph::new();
        let pa = g.param("a", Shape::Vector(n), &a).unwrap();
        let pb = g.param("b", Shape::Vector(n), &b).unwrap();
        let q = g.div(pa, pb).unwrap();
        let cu = g.constant(Shape::Vector(n), &u).unwrap();
        let weighted = g.mul(q, cu).unwrap();
        let root = g.sum(weighted).unwrap();
        g.forward();
        g.backward(root).unwrap();
        for k in 0..n {
            // d/da_k Σ u·a/b = u_k / b_k ; d/db_k = −u_k·a_k / b_k²
            prop_assert!(close(g.grad(pa).unwrap()[k], u[k] / b[k], 1e-14));
            prop_assert!(close(g.grad(pb).unwrap()[k], -u[k] * a[k] / (b[k] * b[k]), 1e-14));
        }
    }
}

#[test]
fn relu_derivative_at_zero_is_zero() {
    // Documented convention (micrograd, PyTorch): relu′(0) = 0.
    let mut g = Graph::new();
    let x = g.param("x", Shape::Scalar, &[0.0]).unwrap();
    let y = g.relu(x).unwrap();
    g.forward();
    g.backward(y).unwrap();
    assert_eq!(g.value(y), &[0.0]);
    assert_eq!(g.grad(x).unwrap(), &[0.0]);
}

#[test]
fn log_of_negative_is_nan_not_a_panic() {
    // IEEE 754: ln(−1) = NaN; the engine documents rather than refuses it.
    let mut g = Graph::new();
    let x = g.param("x", Shape::Scalar, &[-1.0]).unwrap();
    let y = g.log(x).unwrap();
    g.forward();
    g.backward(y).unwrap();
    assert!(g.value(y)[0].is_nan());
    assert_eq!(g.grad(x).unwrap(), &[-1.0]); // d ln x/dx = 1/x = −1
}

#[test]
fn every_op_states_its_notation() {
    for case in cases(1, 0, 3, 2, 0.5) {
        let op = &case.op;
        let name = op.name();
        let in_range = |marks: &[Mark]| {
            marks
                .iter()
                .all(|m| !matches!(m, Mark::Operand(i, _) if *i >= op.arity()))
        };
        let forward = op
            .notation()
            .unwrap_or_else(|| panic!("{name} states no notation"));
        assert!(in_range(&forward.marks), "{name}: {forward:?}");
        let sb = case.shapes.get(1).copied().unwrap_or(Shape::Scalar);
        for i in 0..op.arity() {
            match op.partial_notation(i, case.shapes[0], sb) {
                Partial::Unstated => panic!("{name} states no partial for input {i}"),
                Partial::Elementwise(m) | Partial::Plain(m) => assert!(in_range(&m), "{name}"),
                Partial::One | Partial::MinusOne => {}
            }
        }
    }
}

#[test]
fn notation_reads_as_the_derivation_writes_it() {
    let v = Shape::Vector(4);
    let partial = |op: &dyn Op, i: usize| match op.partial_notation(i, v, v) {
        Partial::Elementwise(m) | Partial::Plain(m) => sketch(&m),
        other => format!("{other:?}"),
    };
    // ∂L/∂z2 = 2·z2 (L = z2²), ∂z2/∂z1 = −1 (z2 = y − z1), ∂J/∂L = (1/n)·1ᵀ.
    assert_eq!(partial(&Map(Square), 0), "2·a0");
    assert_eq!(partial(&Elementwise::<SubRule>::new(), 1), "MinusOne");
    assert_eq!(partial(&Reduce { mean: true }, 0), "(1/4)·1ᵀ");
    // ∂(M·v)/∂v = M; ∂(a·b)/∂a = b; d/dx x³ = 3·x².
    assert_eq!(partial(&MatVec, 1), "a0");
    assert_eq!(partial(&Elementwise::<MulRule>::new(), 0), "a1");
    assert_eq!(partial(&Map(Pow(3.0)), 0), "3·a0^2");
    let forward = |op: &dyn Op| sketch(&op.notation().unwrap().marks);
    assert_eq!(forward(&Elementwise::<SubRule>::new()), "a0 − a1");
    assert_eq!(forward(&Reduce { mean: true }), "mean(a0)");
}
