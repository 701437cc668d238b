//! A compiled graph: forward and backward in one blocked pass over the rows.
//!
//! When every node that reads the data is row-wise (row k of its output
//! reads row k of its row inputs, and parameters whole) and the root is a
//! sum or mean over the rows — the vectorized lesson Z1 = X·θ + θ0,
//! Z2 = Y − Z1, L = Z2∘Z2, J = mean L is one — the pass runs the graph's
//! own ops on a tile of `TILE` rows at a time: forward up the row nodes,
//! then backward down them, while the tile's intermediates are still in
//! cache. Nothing n-sized is written; what leaves a tile are the terms of
//! the sums over rows (J, and the gradients of whatever is read whole),
//! added in `sum.rs`'s order — the order the node-by-node engine uses — so
//! every number the pass writes has the engine's bits. Blocks of rows go
//! to threads and their sums are added in block order, so the bits do not
//! depend on the thread count either.
//!
//! What it writes: the values of the nodes that are not row-indexed (the
//! params and what is computed from them, and the root) and their
//! gradients. Row-indexed nodes keep whatever values and gradients they had:
//! traces need the node-by-node engine, which stays the reference.

use super::engine::{Graph, Node};
use super::lesson::{detect, Lesson};
use super::sum::{RowSums, BLOCK_ROWS};
use super::{GraphError, Inputs, LeafKind, NodeId, RowRule, Shape};
use rayon::prelude::*;
use std::fmt;

/// Rows evaluated at a time: a multiple of the lanes that divides a block,
/// so a tile never straddles a block; 512 rows of a few nodes stay in L1/L2.
const TILE: usize = 512;

/// Below this many rows the pass stays on the calling thread.
const PARALLEL_MIN_ROWS: usize = 4 * BLOCK_ROWS;

/// Why a graph does not compile; the node-by-node engine still runs it.
#[derive(Clone, Debug, PartialEq)]
pub struct NotCompiled(pub String);

impl fmt::Display for NotCompiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Role {
    /// Computed once, node by node: params, constants and what only they
    /// feed.
    Whole,
    /// Data with one row per row, read in place.
    RowLeaf { width: usize },
    /// Computed per tile into scratch at `at` (`TILE`·width values), with
    /// its gradient at `grad_at` when a param feeds it.
    Row {
        width: usize,
        at: usize,
        grad_at: Option<usize>,
    },
    /// The root: scale·Σ over the rows of its input.
    Sum { scale: f64 },
}

/// Where a row-indexed leaf's values are: fed to `run`, or the graph's own.
pub(super) struct Sources<'a> {
    feeds: &'a [(NodeId, &'a [f64])],
    nodes: &'a [Node],
    values: &'a [f64],
}

impl<'a> Sources<'a> {
    pub(super) fn get(&self, i: usize) -> &'a [f64] {
        match self.feeds.iter().find(|f| f.0.index() == i) {
            Some(&(_, v)) => v,
            None => {
                let n = &self.nodes[i];
                &self.values[n.offset..n.offset + n.len]
            }
        }
    }
}

/// The plan for one graph, root and row count; reusable across runs.
#[derive(Debug)]
pub struct Compiled {
    rows: usize,
    root: usize,
    roles: Vec<Role>,
    value_scratch: usize,
    grad_scratch: usize,
    /// (node, input slot, input length): a row node's edge into an input
    /// read whole that collects a gradient — a sum over rows.
    edges: Vec<(usize, usize, usize)>,
    /// The edge each (node, input slot) is, if any.
    edge_of: Vec<[Option<usize>; 2]>,
    /// Where each edge's sums sit in a block's row of `partials`.
    edge_at: Vec<usize>,
    /// Per block: Σ of the root's input, then each edge's sums.
    width: usize,
    partials: Vec<f64>,
    /// The block sums added up, and the calling thread's tile scratch
    /// (values, gradients), kept between runs.
    totals: Vec<f64>,
    scratch: (Vec<f64>, Vec<f64>),
    /// The lesson's graph, fused row by row (`lesson.rs`).
    lesson: Option<Lesson>,
}

/// (rows, columns) of a tensor whose leading dimension is `rows`.
fn by_rows(shape: Shape, rows: usize) -> Option<usize> {
    match shape {
        Shape::Vector(n) if n == rows => Some(1),
        Shape::Matrix(n, d) if n == rows => Some(d),
        _ => None,
    }
}

/// The shape of `m` rows of a tensor shaped like `shape`.
fn tile_shape(shape: Shape, m: usize) -> Shape {
    match shape {
        Shape::Matrix(_, d) => Shape::Matrix(m, d),
        _ => Shape::Vector(m),
    }
}

impl Compiled {
    /// Plans `root` (the graph's last node) over `rows` rows, or says why
    /// the graph does not qualify.
    pub fn new(g: &Graph, root: NodeId, rows: usize) -> Result<Self, NotCompiled> {
        let no = |why: String| Err(NotCompiled(why));
        let root = root.index();
        if root + 1 != g.len() {
            return no("the root is not the graph's last node".into());
        }
        if rows == 0 {
            return no("there are no rows".into());
        }
        let mut roles = Vec::with_capacity(g.len());
        let (mut value_scratch, mut grad_scratch) = (0, 0);
        let mut edges = Vec::new();
        for (i, node) in g.nodes.iter().enumerate() {
            let role = if let Some(kind) = node.leaf {
                match by_rows(node.shape, rows) {
                    Some(width) if kind != LeafKind::Param => Role::RowLeaf { width },
                    _ => Role::Whole,
                }
            } else {
                let mut row_in = [false; 2];
                for (r, &input) in row_in.iter_mut().zip(node.input_ids()) {
                    *r = match roles[input as usize] {
                        Role::Whole => false,
                        Role::RowLeaf { .. } | Role::Row { .. } => true,
                        Role::Sum { .. } => {
                            return no(format!(
                                "{} reads a sum over rows",
                                g.name(NodeId(i as u32))
                            ))
                        }
                    };
                }
                if row_in == [false; 2] {
                    Role::Whole
                } else {
                    let [a, b] = node.slots;
                    match node.op.row_rule(row_in, a.shape, b.shape) {
                        RowRule::Rowwise => {
                            let Some(width) = by_rows(node.shape, rows) else {
                                return no(format!(
                                    "{} is not one row per row",
                                    g.name(NodeId(i as u32))
                                ));
                            };
                            let at = value_scratch;
                            value_scratch += TILE * width;
                            let grad_at = node.grad_offset.map(|_| {
                                grad_scratch += TILE * width;
                                grad_scratch - TILE * width
                            });
                            if grad_at.is_some() {
                                for (slot, (&row, s)) in
                                    row_in.iter().zip(&node.slots).enumerate().take(node.arity)
                                {
                                    if !row && s.grad_offset.is_some() {
                                        edges.push((i, slot, s.len));
                                    }
                                }
                            }
                            Role::Row { width, at, grad_at }
                        }
                        RowRule::Sum { scale } if i == root => Role::Sum { scale },
                        RowRule::Sum { .. } => {
                            return no(format!(
                                "{} sums over rows but is not the root",
                                g.name(NodeId(i as u32))
                            ))
                        }
                        RowRule::Whole => {
                            return no(format!(
                                "{} ({}) cannot run a block of rows at a time",
                                g.name(NodeId(i as u32)),
                                node.op.name()
                            ))
                        }
                    }
                }
            };
            roles.push(role);
        }
        if !matches!(roles[root], Role::Sum { .. }) {
            return no("the root is not a sum or mean over the rows".into());
        }
        let mut edge_of = vec![[None; 2]; roles.len()];
        let mut edge_at = Vec::with_capacity(edges.len());
        let mut width = 1;
        for (e, &(node, slot, len)) in edges.iter().enumerate() {
            edge_of[node][slot] = Some(e);
            edge_at.push(width);
            width += len;
        }
        let lesson = detect(&g.nodes, &roles, &edges, &edge_at, root);
        Ok(Compiled {
            lesson,
            totals: Vec::with_capacity(width),
            scratch: (vec![0.0; value_scratch], vec![0.0; grad_scratch]),
            rows,
            root,
            roles,
            value_scratch,
            grad_scratch,
            edges,
            edge_of,
            edge_at,
            width,
            partials: Vec::new(),
        })
    }

    /// Forward and backward from the root: the same values and gradients
    /// as `forward` then `backward(root)` for every node not row-indexed.
    /// `feeds` gives row-indexed leaves' values in place of the graph's
    /// own (the batch, read where it lies).
    pub fn run(&mut self, g: &mut Graph, feeds: &[(NodeId, &[f64])]) -> Result<(), GraphError> {
        for &(id, v) in feeds {
            let n = g.node(id);
            if !matches!(self.roles[id.index()], Role::RowLeaf { .. }) {
                return Err(GraphError::NotALeaf { name: g.name(id) });
            }
            if v.len() != n.len {
                return Err(GraphError::WrongLength {
                    name: g.name(id),
                    shape: n.shape,
                    expected: n.len,
                    got: v.len(),
                });
            }
        }
        self.forward_whole(g);
        let Graph {
            nodes,
            values,
            grads,
            ..
        } = g;
        let sources = Sources {
            feeds,
            nodes,
            values,
        };
        self.pass(nodes, values, &sources);
        let mut totals = std::mem::take(&mut self.totals);
        totals.clear();
        totals.resize(self.width, -0.0);
        for block in self.partials.chunks_exact(self.width) {
            for (t, s) in totals.iter_mut().zip(block) {
                *t += s;
            }
        }
        let root = &nodes[self.root];
        if let Role::Sum { scale } = self.roles[self.root] {
            values[root.offset] = totals[0] * scale;
        }
        self.backward_whole(nodes, values, grads, &totals);
        self.totals = totals;
        Ok(())
    }

    /// The nodes read whole, in index order (the engine's `forward`).
    fn forward_whole(&self, g: &mut Graph) {
        let Graph { nodes, values, .. } = g;
        for (node, role) in nodes.iter().zip(&self.roles) {
            if node.arity > 0 && matches!(role, Role::Whole) {
                let (before, after) = values.split_at_mut(node.offset);
                node.op
                    .forward(&Graph::inputs_of(before, node), &mut after[..node.len]);
            }
        }
    }

    /// Every block of rows, into `partials` (one row of `width` per block).
    fn pass(&mut self, nodes: &[Node], values: &[f64], sources: &Sources<'_>) {
        let blocks = self.rows.div_ceil(BLOCK_ROWS);
        self.partials.resize(blocks * self.width, 0.0);
        let mut partials = std::mem::take(&mut self.partials);
        let mut kept = std::mem::take(&mut self.scratch);
        let me = &*self;
        let scratch = || (vec![0.0; me.value_scratch], vec![0.0; me.grad_scratch]);
        let job = |s: &mut (Vec<f64>, Vec<f64>), (b, out): (usize, &mut [f64])| {
            me.block(nodes, values, sources, b, &mut s.0, &mut s.1, out);
        };
        if self.rows < PARALLEL_MIN_ROWS || rayon::current_num_threads() == 1 {
            // On the calling thread, with the plan's own scratch: a step
            // allocates nothing.
            let chunks = partials.chunks_mut(self.width).enumerate();
            chunks.for_each(|c| job(&mut kept, c));
        } else {
            partials
                .par_chunks_mut(self.width)
                .enumerate()
                .for_each_init(scratch, job);
        }
        self.partials = partials;
        self.scratch = kept;
    }

    /// The rows of an input of node `node` for tile rows `lo..lo + m`.
    fn tile_input<'a>(
        &self,
        node: &Node,
        slot: usize,
        sources: &Sources<'a>,
        scratch: &'a [f64],
        lo: usize,
        m: usize,
    ) -> (&'a [f64], Shape) {
        let s = node.slots[slot];
        let input = node.inputs[slot] as usize;
        match self.roles[input] {
            Role::RowLeaf { width } => (
                &sources.get(input)[lo * width..(lo + m) * width],
                tile_shape(s.shape, m),
            ),
            Role::Row { width, at, .. } => (&scratch[at..at + m * width], tile_shape(s.shape, m)),
            Role::Whole | Role::Sum { .. } => {
                (&sources.values[s.offset..s.offset + s.len], s.shape)
            }
        }
    }

    fn tile_inputs<'a>(
        &self,
        node: &Node,
        sources: &Sources<'a>,
        scratch: &'a [f64],
        lo: usize,
        m: usize,
    ) -> Inputs<'a> {
        let (mut x, mut shapes) = ([&[][..]; 2], [Shape::Vector(0); 2]);
        for slot in 0..node.arity {
            (x[slot], shapes[slot]) = self.tile_input(node, slot, sources, scratch, lo, m);
        }
        Inputs {
            a: x[0],
            b: x[1],
            sa: shapes[0],
            sb: shapes[1],
        }
    }

    /// One block: each tile forward up the row nodes, then backward down
    /// them; the root's and the edges' sums written into `out`.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &self,
        nodes: &[Node],
        values: &[f64],
        sources: &Sources<'_>,
        b: usize,
        vs: &mut [f64],
        gs: &mut [f64],
        out: &mut [f64],
    ) {
        let (lo, hi) = (b * BLOCK_ROWS, ((b + 1) * BLOCK_ROWS).min(self.rows));
        if let Some(lesson) = &self.lesson {
            return lesson.block(nodes, values, sources, (lo, hi), out);
        }
        let root = &nodes[self.root];
        let mut j_sum = RowSums::new(1);
        let mut edge_sums: Vec<RowSums> = self.edges.iter().map(|e| RowSums::new(e.2)).collect();
        let scale = match self.roles[self.root] {
            Role::Sum { scale } => scale,
            _ => unreachable!("the root of a plan is a sum"),
        };
        let root_in = root.inputs[0] as usize;
        let backward = root.grad_offset.is_some();
        for t in (lo..hi).step_by(TILE) {
            let m = TILE.min(hi - t);
            for (i, node) in nodes.iter().enumerate().take(self.root) {
                let Role::Row { width, at, .. } = self.roles[i] else {
                    continue;
                };
                let (before, after) = vs.split_at_mut(at);
                let x = self.tile_inputs(node, sources, before, t, m);
                node.op.forward(&x, &mut after[..m * width]);
            }
            let (x, _) = self.tile_input(root, 0, sources, vs, t, m);
            j_sum.add_column(x);
            if !backward {
                continue;
            }
            // As the engine's backward: every gradient from +0, then the
            // root's vjp ∂J/∂x_k = 1·scale.
            gs.fill(0.0);
            if let Role::Row {
                grad_at: Some(g), ..
            } = self.roles[root_in]
            {
                let local = 1.0 * scale;
                gs[g..g + m].iter_mut().for_each(|v| *v += local);
            }
            for (i, node) in nodes.iter().enumerate().take(self.root).rev() {
                let Role::Row {
                    width,
                    at,
                    grad_at: Some(g),
                } = self.roles[i]
                else {
                    continue;
                };
                let x = self.tile_inputs(node, sources, vs, t, m);
                let out = &vs[at..at + m * width];
                let (before, after) = gs.split_at_mut(g);
                let up = &after[..m * width];
                for slot in 0..node.arity {
                    match (
                        self.roles[node.inputs[slot] as usize],
                        self.edge_of[i][slot],
                    ) {
                        (
                            Role::Row {
                                grad_at: Some(gi),
                                width: wi,
                                ..
                            },
                            _,
                        ) => {
                            node.op.vjp(slot, &x, out, up, &mut before[gi..gi + m * wi]);
                        }
                        (_, Some(e)) => node.op.vjp_rows(slot, &x, out, up, &mut edge_sums[e]),
                        _ => {}
                    }
                }
            }
        }
        out[0] = j_sum.finish()[0];
        let mut at = 1;
        for s in edge_sums {
            let w = s.width();
            out[at..at + w].copy_from_slice(&s.finish());
            at += w;
        }
    }

    /// The nodes read whole, backward from the root in index order down
    /// (the engine's `backward`), with each row node's edges into them
    /// adding the sums the pass collected.
    fn backward_whole(&self, nodes: &[Node], values: &[f64], grads: &mut [f64], totals: &[f64]) {
        for (node, role) in nodes.iter().zip(&self.roles) {
            if let (Some(g), Role::Whole | Role::Sum { .. }) = (node.grad_offset, role) {
                grads[g..g + node.len].fill(0.0);
            }
        }
        let Some(root_grad) = nodes[self.root].grad_offset else {
            return;
        };
        grads[root_grad] = 1.0;
        for (i, node) in nodes.iter().enumerate().take(self.root).rev() {
            let Some(g) = node.grad_offset.filter(|_| node.arity > 0) else {
                continue;
            };
            match self.roles[i] {
                Role::Row { .. } => {
                    for (slot, e) in self.edge_of[i].iter().enumerate() {
                        let (Some(e), Some(gi)) = (*e, node.slots[slot].grad_offset) else {
                            continue;
                        };
                        let (at, len) = (self.edge_at[e], self.edges[e].2);
                        for (gv, s) in grads[gi..gi + len].iter_mut().zip(&totals[at..at + len]) {
                            *gv += s;
                        }
                    }
                }
                Role::Whole => {
                    let x = Graph::inputs_of(values, node);
                    let out = &values[node.offset..node.offset + node.len];
                    for (slot, s) in node.slots[..node.arity].iter().enumerate() {
                        let Some(gi) = s.grad_offset else { continue };
                        let (before, after) = grads.split_at_mut(g);
                        node.op.vjp(
                            slot,
                            &x,
                            out,
                            &after[..node.len],
                            &mut before[gi..gi + s.len],
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
