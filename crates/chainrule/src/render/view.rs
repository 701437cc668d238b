//! The derivation's view of a trace: the nodes a reader names (z1, z2, L, J,
//! x, y, θ …) and the edges between them, with unnamed helper nodes folded
//! away. `z1 = θ1·x + θ0` is one node although the engine builds it from a
//! mul and an add; the unrolled J = (L(1) + L(2)) / 2 is one node although
//! the engine adds and divides. A folded edge's local partial is the
//! product of the local Jacobians along the way (the sum over the ways, if
//! several), so every number stays the trace's own.
//!
//! Symbols (`2·z2`, `−I`, `diag(2·Z2)`, `(1/n)·1ᵀ`) are the ops' own
//! notation (recorded in the trace), put in the form the operands' shapes
//! ask for; the same symbols, with scalar nodes replaced by their values,
//! give the "numbers substituted" form.

use crate::graph::{Jacobian, LeafKind, Mark, Partial, Shape, Trace, TraceNode};

/// One piece of a formula: a node (drawn by name, or by value when
/// substituted), a number, or fixed notation in text and TeX.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Node(usize),
    Num(f64),
    Sym(&'static str, &'static str),
}

/// A formula as a row of pieces, rendered as text or TeX.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expr(pub Vec<Piece>);

impl Expr {
    fn node(id: usize) -> Self {
        Expr(vec![Piece::Node(id)])
    }
    fn sym(text: &'static str, tex: &'static str) -> Self {
        Expr(vec![Piece::Sym(text, tex)])
    }
    fn num(v: f64) -> Self {
        Expr(vec![Piece::Num(v)])
    }
    fn then(mut self, other: Expr) -> Self {
        self.0.extend(other.0);
        self
    }
    fn s(self, text: &'static str, tex: &'static str) -> Self {
        self.then(Expr::sym(text, tex))
    }
    fn paren(self) -> Self {
        Expr::sym("(", "(").then(self).s(")", ")")
    }
    /// `1` or `I`: a factor that a product of partials may drop.
    fn is_unit(&self) -> bool {
        matches!(self.0.as_slice(), [Piece::Sym("1" | "I", _)])
    }
}

/// A visible node's forward formula (None for leaves).
#[derive(Clone, Debug)]
pub struct Formula {
    pub expr: Expr,
}

/// An edge of the view: `to` reads `from` (directly or through folded
/// helper nodes).
#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// ∂to/∂from in symbols.
    pub sym: Expr,
    /// ∂to/∂from as a Jacobian (rows = to's length, cols = from's); None
    /// when the trace left one on the way out for size.
    pub local: Option<Jacobian>,
    /// ∂root/∂to · ∂to/∂from: this edge's share of ∂root/∂from.
    pub product: Option<Vec<f64>>,
}

/// The derivation's view of a trace.
pub struct View<'t> {
    pub trace: &'t Trace,
    /// Visible nodes (trace ids) in topological order.
    pub nodes: Vec<usize>,
    visible: Vec<bool>,
    /// Forward formulas, by trace id (None for leaves and folded nodes).
    formulas: Vec<Option<Formula>>,
    /// Edges grouped by `to` in topological order, operands in order.
    pub edges: Vec<Edge>,
}

impl<'t> View<'t> {
    /// Folds unnamed helper nodes into the named nodes that read them
    /// (`fold = false` keeps every node of the engine's graph).
    pub fn new(trace: &'t Trace, fold: bool) -> Self {
        let n = trace.nodes.len();
        let visible: Vec<bool> = trace
            .nodes
            .iter()
            .map(|node| {
                !fold
                    || node.id == trace.root
                    || (node.name.is_some() && node.kind != Some(LeafKind::Constant))
                    || matches!(node.kind, Some(LeafKind::Input | LeafKind::Param))
            })
            .collect();
        let mut me = View {
            trace,
            nodes: (0..n).filter(|&i| visible[i]).collect(),
            visible,
            formulas: vec![None; n],
            edges: Vec::new(),
        };
        for id in me.nodes.clone() {
            let node = &trace.nodes[id];
            if node.kind.is_some() {
                continue;
            }
            me.formulas[id] = Some(Formula {
                expr: me.formula_at(id, 0).0,
            });
            me.edges.extend(me.folded_edges(id));
        }
        me
    }

    pub fn node(&self, id: usize) -> &'t TraceNode {
        &self.trace.nodes[id]
    }

    pub fn is_visible(&self, id: usize) -> bool {
        self.visible[id]
    }

    pub fn formula(&self, id: usize) -> Option<&Formula> {
        self.formulas[id].as_ref()
    }

    pub fn root(&self) -> usize {
        self.trace.root
    }

    /// Edges into `to` (from its operands).
    pub fn edges_into(&self, to: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.to == to)
    }

    /// Edges out of `from` (to the nodes that read it).
    pub fn edges_from(&self, from: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from == from)
    }

    /// The order backward visits visible nodes: a node comes once every
    /// node that reads it has been visited; among those ready, the oldest
    /// first (so the unrolled graph is walked branch 1, then branch 2).
    pub fn backward_order(&self) -> Vec<usize> {
        let mut readers = vec![0usize; self.trace.nodes.len()];
        for e in &self.edges {
            readers[e.from] += 1;
        }
        let mut ready = std::collections::BTreeSet::from([self.root()]);
        let mut order = Vec::new();
        while let Some(id) = ready.pop_first() {
            order.push(id);
            for e in self.edges_into(id) {
                readers[e.from] -= 1;
                if readers[e.from] == 0 {
                    ready.insert(e.from);
                }
            }
        }
        order
    }

    /// Every path of edges from the root down to `to`, outermost edge first
    /// (at most `limit` paths).
    pub fn paths_to(&self, to: usize, limit: usize) -> Vec<Vec<&Edge>> {
        let mut out = Vec::new();
        let mut stack: Vec<Vec<&Edge>> = self
            .edges_from(to)
            .map(|e| vec![e])
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        while let Some(path) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let top = path.last().expect("paths are never empty").to;
            if top == self.root() {
                let mut p = path.clone();
                p.reverse();
                out.push(p);
                continue;
            }
            let next: Vec<_> = self.edges_from(top).collect();
            for e in next.into_iter().rev() {
                let mut p = path.clone();
                p.push(e);
                stack.push(p);
            }
        }
        out
    }

    /// Node `id` as an operand inside another node's formula: its name when
    /// visible, its value when an unnamed constant scalar, else its formula.
    fn operand(&self, id: usize, depth: usize) -> (Expr, u8) {
        let node = &self.trace.nodes[id];
        if self.visible[id] || depth > MAX_INLINE_DEPTH {
            return (Expr::node(id), 9);
        }
        if node.kind == Some(LeafKind::Constant) {
            return match node.value.as_slice() {
                [v] => (Expr::num(*v), if *v < 0.0 { 3 } else { 9 }),
                _ => (Expr::node(id), 9),
            };
        }
        self.formula_at(id, depth + 1)
    }

    /// The forward formula of computed node `id` and its precedence
    /// (1: + −, 2: · /, 3: unary −, 4: powers, 9: atoms), as its op writes
    /// it (`Op::notation`); a node whose op states none is drawn by name.
    fn formula_at(&self, id: usize, depth: usize) -> (Expr, u8) {
        let node = &self.trace.nodes[id];
        match &node.notation {
            Some(n) => (self.fill(id, &n.marks, depth), n.precedence),
            None => (Expr::node(id), 9),
        }
    }

    /// Marks with operand slots filled: an operand by name, value or its
    /// own formula (at `depth`), parenthesized when it binds too loosely.
    fn fill(&self, id: usize, marks: &[Mark], depth: usize) -> Expr {
        let node = &self.trace.nodes[id];
        let mut out = Expr::default();
        for m in marks {
            out = out.then(match m {
                Mark::Operand(i, min) => {
                    let (e, p) = self.operand(node.edges[*i].from, depth);
                    if p < *min {
                        e.paren()
                    } else {
                        e
                    }
                }
                Mark::Num(v) => Expr::num(*v),
                Mark::Text(text, tex) => Expr::sym(text, tex),
            });
        }
        out
    }

    /// ∂node/∂operand_i for one engine edge, in symbols: the op's partial
    /// (`Op::partial_notation`) in the form the shapes ask for.
    fn hop_symbol(&self, id: usize, i: usize) -> Expr {
        let node = &self.trace.nodes[id];
        let out_scalar = node.shape.is_scalar();
        let from = &self.trace.nodes[node.edges[i].from];
        let broadcast = !out_scalar && from.shape.is_scalar();
        match &node.edges[i].partial {
            Partial::One if out_scalar => Expr::sym("1", "1"),
            Partial::One if broadcast => Expr::sym("𝟏", "\\mathbf{1}"),
            Partial::One => Expr::sym("I", "I"),
            Partial::MinusOne if out_scalar => Expr::sym("−1", "-1"),
            Partial::MinusOne if broadcast => Expr::sym("−𝟏", "-\\mathbf{1}"),
            Partial::MinusOne => Expr::sym("−I", "-I"),
            // Elementwise partials are scalars; on vectors they sit on a diagonal.
            Partial::Elementwise(marks) if out_scalar || broadcast => self.fill(id, marks, 0),
            Partial::Elementwise(marks) => Expr::sym("diag(", "\\operatorname{diag}(")
                .then(self.fill(id, marks, 0))
                .s(")", ")"),
            Partial::Plain(marks) => self.fill(id, marks, 0),
            Partial::Unstated => Expr::sym("∂", "\\partial"),
        }
    }

    /// The view's edges into visible node `to`: its operands, reached
    /// through folded helpers; a visible input reached along several ways
    /// gets one edge whose local partial sums the ways.
    fn folded_edges(&self, to: usize) -> Vec<Edge> {
        struct Way {
            from: usize,
            sym: Expr,
            local: Option<Jacobian>,
        }
        let mut ways: Vec<Way> = Vec::new();
        let start_len = self.trace.nodes[to].shape.len();
        let identity = Jacobian {
            rows: start_len,
            cols: start_len,
            data: (0..start_len * start_len)
                .map(|k| f64::from(u8::from(k / start_len == k % start_len)))
                .collect(),
        };
        // (node, symbols so far, Jacobian ∂to/∂node so far), breadth first
        // so that inputs come in operand order, nearest first.
        let mut queue =
            std::collections::VecDeque::from([(to, Vec::<Expr>::new(), Some(identity))]);
        while let Some((id, syms, jac)) = queue.pop_front() {
            let node = &self.trace.nodes[id];
            for (i, edge) in node.edges.iter().enumerate() {
                let from = &self.trace.nodes[edge.from];
                if from.kind == Some(LeafKind::Constant) && !self.visible[edge.from] {
                    continue;
                }
                let mut s = syms.clone();
                s.push(self.hop_symbol(id, i));
                let j = match (&jac, &edge.local) {
                    (Some(a), Some(b)) => Some(matmul(a, b)),
                    _ => None,
                };
                if self.visible[edge.from] {
                    ways.push(Way {
                        from: edge.from,
                        sym: product_symbol(s),
                        local: j,
                    });
                } else {
                    queue.push_back((edge.from, s, j));
                }
            }
        }
        // Merge ways that end at the same input, keeping operand order.
        let mut edges: Vec<Edge> = Vec::new();
        for way in ways {
            match edges.iter_mut().find(|e| e.from == way.from) {
                Some(e) => {
                    e.sym = std::mem::take(&mut e.sym).s(" + ", " + ").then(way.sym);
                    e.local = match (e.local.take(), way.local) {
                        (Some(a), Some(b)) => Some(Jacobian {
                            rows: a.rows,
                            cols: a.cols,
                            data: a.data.iter().zip(&b.data).map(|(x, y)| x + y).collect(),
                        }),
                        _ => None,
                    };
                }
                None => edges.push(Edge {
                    from: way.from,
                    to,
                    sym: way.sym,
                    local: way.local,
                    product: None,
                }),
            }
        }
        let upstream = self.trace.nodes[to].grad.as_deref();
        for e in &mut edges {
            e.product = match (upstream, &e.local) {
                (Some(up), Some(j)) => Some(j.vjp(up)),
                _ => None,
            };
        }
        edges
    }
}

/// How deep unnamed helpers are written out inside one formula; deeper
/// ones appear as `#id` (programs may nest expressions thousands deep).
const MAX_INLINE_DEPTH: usize = 32;

/// The product of partials along one way, units dropped.
fn product_symbol(factors: Vec<Expr>) -> Expr {
    let kept: Vec<Expr> = factors.iter().filter(|f| !f.is_unit()).cloned().collect();
    if kept.is_empty() {
        return factors.into_iter().last().unwrap_or_default();
    }
    let mut out = Expr::default();
    for (k, f) in kept.into_iter().enumerate() {
        if k > 0 {
            out = out.s("·", " \\cdot ");
        }
        out = out.then(f);
    }
    out
}

/// a·b for Jacobians (a: r×m, b: m×c).
pub fn matmul(a: &Jacobian, b: &Jacobian) -> Jacobian {
    let mut out = Jacobian::zeros(a.rows, b.cols);
    for r in 0..a.rows {
        for k in 0..a.cols {
            let x = a.get(r, k);
            if x == 0.0 {
                continue;
            }
            for c in 0..b.cols {
                out.data[r * b.cols + c] += x * b.get(k, c);
            }
        }
    }
    out
}

/// Whether the shape is a single number.
pub fn is_scalar(shape: Shape) -> bool {
    shape.is_scalar()
}
