//! The derivation's graphs, built by hand with the engine, against numbers
//! worked out on paper (each derivation is in the comment above it).

use chainrule::graph::{Graph, Shape};
use chainrule::model::Mode;
use chainrule::render::graph::{dot, layout, svg};
use chainrule::render::view::View;
use chainrule::teach::lesson_step;

const S: Shape = Shape::Scalar;

#[test]
fn reuse_doubles_a_gradient() {
    // b = a + a, c = b + b = 4a ⇒ dc/da = 4.
    let mut g = Graph::new();
    let a = g.param("a", S, &[1.0]).unwrap();
    let b = g.add(a, a).unwrap();
    let c = g.add(b, b).unwrap();
    g.forward();
    g.backward(c).unwrap();
    assert_eq!(g.value(c), &[4.0]);
    assert_eq!(g.grad(a).unwrap(), &[4.0]);
}

#[test]
fn square_by_self_product() {
    // y = x·x ⇒ dy/dx = 2x = 6 at x = 3.
    let mut g = Graph::new();
    let x = g.param("x", S, &[3.0]).unwrap();
    let y = g.mul(x, x).unwrap();
    g.forward();
    g.backward(y).unwrap();
    assert_eq!(g.grad(x).unwrap(), &[6.0]);
}

#[test]
fn diamond() {
    // c = a+b = 5, d = ab = 6, e = c+d, f = cd, y = e+f.
    // dy/dc = 1 + d = 7, dy/dd = 1 + c = 6;
    // dy/da = dy/dc·1 + dy/dd·b = 7 + 18 = 25; dy/db = 7 + 6·a = 19.
    let mut g = Graph::new();
    let a = g.param("a", S, &[2.0]).unwrap();
    let b = g.param("b", S, &[3.0]).unwrap();
    let c = g.add(a, b).unwrap();
    let d = g.mul(a, b).unwrap();
    let e = g.add(c, d).unwrap();
    let f = g.mul(c, d).unwrap();
    let y = g.add(e, f).unwrap();
    g.forward();
    g.backward(y).unwrap();
    assert_eq!(g.grad(a).unwrap(), &[25.0]);
    assert_eq!(g.grad(b).unwrap(), &[19.0]);
}

#[test]
fn one_sample_of_y_equals_theta_x() {
    // θ = 0.5, x = 2, y = 3: z1 = θx = 1, z2 = y − z1 = 2, L = z2² = 4,
    // ∂L/∂θ = ∂L/∂z2·∂z2/∂z1·∂z1/∂θ = (2·2)·(−1)·2 = −8.
    let mut g = Graph::new();
    let theta = g.param("θ", S, &[0.5]).unwrap();
    let x = g.input("x", S).unwrap();
    let y = g.input("y", S).unwrap();
    let z1 = g.mul(theta, x).unwrap();
    let z2 = g.sub(y, z1).unwrap();
    let l = g.square(z2).unwrap();
    g.set(x, &[2.0]).unwrap();
    g.set(y, &[3.0]).unwrap();
    g.forward();
    g.backward(l).unwrap();
    assert_eq!(
        (g.value(z1), g.value(z2), g.value(l)),
        (&[1.0][..], &[2.0][..], &[4.0][..])
    );
    assert_eq!(g.grad(theta).unwrap(), &[-8.0]);
    // Inputs carry no gradient: nothing needs it.
    assert!(g.grad(x).is_none());

    // The trace records each edge's local partial and product.
    let t = g.trace(l);
    let l_node = &t.nodes[l.index()];
    assert_eq!(l_node.edges[0].local.as_ref().unwrap().data, vec![4.0]); // ∂L/∂z2 = 2·z2
    let z2_node = &t.nodes[z2.index()];
    assert_eq!(z2_node.edges[1].local.as_ref().unwrap().data, vec![-1.0]); // ∂z2/∂z1
    assert_eq!(z2_node.edges[1].product.as_ref().unwrap(), &vec![-4.0]); // 4·(−1)
}

#[test]
fn two_samples_as_branches_and_as_vectors_agree() {
    // θ = 0.5, x = (1, 2), y = (2, 4): z2 = (1.5, 3), L = (2.25, 9),
    // J = (2.25 + 9)/2 = 5.625; ∂J/∂θ = Σ (1/2)·2·z2(i)·(−1)·x(i)
    // = −(1.5·1 + 3·2) = −7.5.
    let (xs, ys) = ([1.0, 2.0], [2.0, 4.0]);

    // Unrolled: two scalar branches sharing θ, joined by a mean.
    let mut g = Graph::new();
    let theta = g.param("θ", S, &[0.5]).unwrap();
    let mut losses = Vec::new();
    for (&xi, &yi) in xs.iter().zip(&ys) {
        let x = g.constant(S, &[xi]).unwrap();
        let y = g.constant(S, &[yi]).unwrap();
        let z1 = g.mul(theta, x).unwrap();
        let z2 = g.sub(y, z1).unwrap();
        losses.push(g.square(z2).unwrap());
    }
    let sum = g.add(losses[0], losses[1]).unwrap();
    let two = g.constant(S, &[2.0]).unwrap();
    let j = g.div(sum, two).unwrap();
    g.forward();
    g.backward(j).unwrap();
    assert_eq!(g.value(j), &[5.625]);
    assert_eq!(g.grad(theta).unwrap(), &[-7.5]);

    // Vectorized: X (2×1) @ θ, Y − Z1, square, mean.
    let mut v = Graph::new();
    let theta = v.param("θ", Shape::Vector(1), &[0.5]).unwrap();
    let x = v.input("X", Shape::Matrix(2, 1)).unwrap();
    let y = v.input("Y", Shape::Vector(2)).unwrap();
    let z1 = v.matvec(x, theta).unwrap();
    let z2 = v.sub(y, z1).unwrap();
    let l = v.square(z2).unwrap();
    let j = v.mean(l).unwrap();
    v.set(x, &xs).unwrap();
    v.set(y, &ys).unwrap();
    v.forward();
    v.backward(j).unwrap();
    assert_eq!(v.value(j), &[5.625]);
    assert_eq!(v.grad(theta).unwrap(), &[-7.5]);
}

#[test]
fn repeated_steps_reuse_the_graph() {
    // Backward zeroes gradients first: two identical passes give identical
    // gradients (not doubled ones).
    let mut g = Graph::new();
    let a = g.param("a", S, &[3.0]).unwrap();
    let y = g.square(a).unwrap();
    for _ in 0..2 {
        g.forward();
        g.backward(y).unwrap();
        assert_eq!(g.grad(a).unwrap(), &[6.0]); // d a²/da = 2a
    }
}

#[test]
fn errors_are_values_not_panics() {
    let mut g = Graph::new();
    let m = g.input("M", Shape::Matrix(3, 2)).unwrap();
    let v = g.input("v", Shape::Vector(3)).unwrap();
    let err = g.matvec(m, v).unwrap_err().to_string();
    assert!(
        err.contains("matrix[3×2]") && err.contains("vector[3]"),
        "{err}"
    );
    let err = g.backward(v).unwrap_err().to_string();
    assert!(err.contains("scalar root"), "{err}");
    let err = g.set(v, &[1.0]).unwrap_err().to_string();
    assert!(err.contains("3 values"), "{err}");
    let mut small = Graph::with_limit(100);
    let err = small
        .input("big", Shape::Matrix(1_000_000, 1_000_000))
        .unwrap_err()
        .to_string();
    assert!(err.contains("limit of 100"), "{err}");
}

// The lessons' drawings: branches, paths and layout of the view.

#[test]
fn unrolled_branches_meet_at_j_and_both_reach_theta() {
    let step = lesson_step("line", Mode::Unrolled).unwrap();
    let view = View::new(&step.trace, true);
    let j = view.root();
    let into_j: Vec<_> = view
        .edges_into(j)
        .map(|e| view.node(e.from).label())
        .collect();
    assert_eq!(into_j, ["L(1)", "L(2)"]);
    let theta1 = step.trace.find("θ1").unwrap().id;
    assert_eq!(view.paths_to(theta1, 10).len(), 2);
    let dot = dot(&view);
    assert!(dot.contains("label=\"∂J/∂L⁽¹⁾ = 1/2 = 0.5\""), "{dot}");
    let svg = svg(&view);
    assert_eq!(svg.matches("<g class=\"edge\"").count(), view.edges.len());
    assert!(svg.contains(&format!("id=\"e{theta1}-")));
}

#[test]
fn leaves_sit_left_of_their_first_reader() {
    let step = lesson_step("origin", Mode::Sample).unwrap();
    let view = View::new(&step.trace, true);
    let lay = layout(&view, chainrule::render::Lang::En);
    let x_of = |name: &str| {
        let id = step.trace.find(name).unwrap().id;
        lay.boxes.iter().find(|b| b.id == id).unwrap().x
    };
    assert!(x_of("θ") < x_of("z1"));
    assert!(x_of("z1") < x_of("y") || x_of("y") < x_of("z2"));
    assert!(x_of("z2") < x_of("L"));
}
