//! The arena. Nodes are appended after their inputs, so index order is a
//! topological order: forward walks up, backward walks down, and neither
//! sorts nor allocates. Values and gradients live in two flat buffers; each
//! node owns a slice of each (only nodes that lead back to a param own a
//! gradient slice, so data matrices carry no gradient buffer).

use super::ops::arith::{AddRule, DivRule, MulRule, SubRule};
use super::ops::binary::Elementwise;
use super::ops::functions::{Exp, Log, Neg, Pow, Relu, Square, Tanh};
use super::ops::leaf::{Leaf, LeafKind};
use super::ops::linalg::{Dot, MatVec};
use super::ops::reduce::Reduce;
use super::ops::unary::Map;
use super::{GraphError, Inputs, Op, Shape};

/// Index of a node in its graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Default cap on the f64 elements one graph may hold (values and
/// gradients together): 2^28 elements = 2 GiB.
pub const DEFAULT_MAX_ELEMENTS: usize = 1 << 28;

/// Where an input's value and gradient live, copied into the reading node
/// at build time so that forward and backward never look the input up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub offset: usize,
    pub len: usize,
    pub shape: Shape,
    pub grad_offset: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub name: Option<String>,
    pub op: Box<dyn Op>,
    pub arity: usize,
    pub inputs: [u32; 2],
    pub slots: [Slot; 2],
    pub shape: Shape,
    /// `shape.len()`, kept so the hot loops need not recompute it.
    pub len: usize,
    pub offset: usize,
    /// Where its gradient lives, if any path leads from a param to it.
    pub grad_offset: Option<usize>,
    pub leaf: Option<LeafKind>,
}

impl Node {
    pub fn input_ids(&self) -> &[u32] {
        &self.inputs[..self.arity]
    }
}

#[derive(Debug)]
pub struct Graph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) values: Vec<f64>,
    pub(crate) grads: Vec<f64>,
    max_elements: usize,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    pub fn new() -> Self {
        Self::with_limit(DEFAULT_MAX_ELEMENTS)
    }

    /// A graph that refuses to grow past `max_elements` f64 values and
    /// gradients, before allocating them.
    pub fn with_limit(max_elements: usize) -> Self {
        Graph {
            nodes: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
            max_elements,
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    fn push(&mut self, op: Box<dyn Op>, inputs: &[NodeId]) -> Result<NodeId, GraphError> {
        let sa = inputs.first().map_or(Shape::Scalar, |&a| self.shape(a));
        let sb = inputs.get(1).map_or(Shape::Scalar, |&b| self.shape(b));
        let shape = op.shape(sa, sb)?;
        let needs_grad = match op.arity() {
            0 => false,
            _ => inputs.iter().any(|&i| self.node(i).grad_offset.is_some()),
        };
        self.append(op, inputs, shape, needs_grad, None)
    }

    fn append(
        &mut self,
        op: Box<dyn Op>,
        inputs: &[NodeId],
        shape: Shape,
        needs_grad: bool,
        leaf: Option<LeafKind>,
    ) -> Result<NodeId, GraphError> {
        let wanted = shape_elements(shape) * if needs_grad { 2 } else { 1 };
        let held = self.values.len() as u128 + self.grads.len() as u128;
        if held + wanted > self.max_elements as u128 {
            return Err(GraphError::TooLarge {
                shape,
                elements: shape_elements(shape),
                limit: self.max_elements,
            });
        }
        let len = shape.len();
        let id = NodeId(self.nodes.len() as u32);
        let offset = self.values.len();
        self.values.resize(offset + len, 0.0);
        let grad_offset = needs_grad.then(|| {
            let g = self.grads.len();
            self.grads.resize(g + len, 0.0);
            g
        });
        let mut ids = [0u32; 2];
        let empty = Slot {
            offset: 0,
            len: 0,
            shape: Shape::Vector(0),
            grad_offset: None,
        };
        let mut slots = [empty; 2];
        for ((id, slot), i) in ids.iter_mut().zip(&mut slots).zip(inputs) {
            let from = &self.nodes[i.index()];
            *id = i.0;
            *slot = Slot {
                offset: from.offset,
                len: from.len,
                shape: from.shape,
                grad_offset: from.grad_offset,
            };
        }
        self.nodes.push(Node {
            name: None,
            arity: op.arity(),
            op,
            inputs: ids,
            slots,
            shape,
            len,
            offset,
            grad_offset,
            leaf,
        });
        Ok(id)
    }

    fn leaf(
        &mut self,
        name: Option<&str>,
        kind: LeafKind,
        shape: Shape,
    ) -> Result<NodeId, GraphError> {
        let op = Box::new(Leaf { kind, shape });
        let id = self.append(op, &[], shape, kind == LeafKind::Param, Some(kind))?;
        self.nodes[id.index()].name = name.map(str::to_string);
        Ok(id)
    }

    /// Data fed in before each forward (`set`); it gets no gradient.
    pub fn input(&mut self, name: &str, shape: Shape) -> Result<NodeId, GraphError> {
        self.leaf(Some(name), LeafKind::Input, shape)
    }

    /// A parameter: a leaf that collects ∂root/∂param in backward.
    pub fn param(&mut self, name: &str, shape: Shape, value: &[f64]) -> Result<NodeId, GraphError> {
        let id = self.leaf(Some(name), LeafKind::Param, shape)?;
        self.set(id, value)?;
        Ok(id)
    }

    pub fn constant(&mut self, shape: Shape, value: &[f64]) -> Result<NodeId, GraphError> {
        let id = self.leaf(None, LeafKind::Constant, shape)?;
        self.set(id, value)?;
        Ok(id)
    }

    pub fn add(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Elementwise::<AddRule>::new()), &[a, b])
    }

    pub fn sub(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Elementwise::<SubRule>::new()), &[a, b])
    }

    pub fn mul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Elementwise::<MulRule>::new()), &[a, b])
    }

    pub fn div(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Elementwise::<DivRule>::new()), &[a, b])
    }

    pub fn pow(&mut self, a: NodeId, p: f64) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Pow(p))), &[a])
    }

    pub fn neg(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Neg)), &[a])
    }

    pub fn square(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Square)), &[a])
    }

    pub fn exp(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Exp)), &[a])
    }

    pub fn log(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Log)), &[a])
    }

    pub fn tanh(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Tanh)), &[a])
    }

    pub fn relu(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Map(Relu)), &[a])
    }

    pub fn sum(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Reduce { mean: false }), &[a])
    }

    pub fn mean(&mut self, a: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Reduce { mean: true }), &[a])
    }

    pub fn dot(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(Dot), &[a, b])
    }

    pub fn matvec(&mut self, m: NodeId, v: NodeId) -> Result<NodeId, GraphError> {
        self.push(Box::new(MatVec), &[m, v])
    }

    /// Gives a node the name shown in traces (`z1`, `L(2)`, `J`).
    pub fn set_name(&mut self, id: NodeId, name: &str) {
        self.nodes[id.index()].name = Some(name.to_string());
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The node's name, or `#index` for an unnamed one.
    pub fn name(&self, id: NodeId) -> String {
        self.node(id)
            .name
            .clone()
            .unwrap_or_else(|| format!("#{}", id.index()))
    }

    /// The last node named `name` (a rebound name refers to its newest node).
    pub fn find(&self, name: &str) -> Option<NodeId> {
        let i = self
            .nodes
            .iter()
            .rposition(|n| n.name.as_deref() == Some(name))?;
        Some(NodeId(i as u32))
    }

    pub fn shape(&self, id: NodeId) -> Shape {
        self.node(id).shape
    }

    pub fn op_name(&self, id: NodeId) -> String {
        self.node(id).op.name()
    }

    pub fn leaf_kind(&self, id: NodeId) -> Option<LeafKind> {
        self.node(id).leaf
    }

    pub fn inputs(&self, id: NodeId) -> Vec<NodeId> {
        self.node(id)
            .input_ids()
            .iter()
            .map(|&i| NodeId(i))
            .collect()
    }

    pub fn value(&self, id: NodeId) -> &[f64] {
        let n = self.node(id);
        &self.values[n.offset..n.offset + n.shape.len()]
    }

    /// ∂root/∂node after `backward(root)`; `None` for nodes no param feeds
    /// (their gradient is never needed, so never computed).
    pub fn grad(&self, id: NodeId) -> Option<&[f64]> {
        let n = self.node(id);
        n.grad_offset.map(|g| &self.grads[g..g + n.shape.len()])
    }

    /// Writes a leaf's value in place (no allocation: call it every step).
    pub fn value_mut(&mut self, id: NodeId) -> Result<&mut [f64], GraphError> {
        let n = &self.nodes[id.index()];
        if !matches!(
            n.leaf,
            Some(LeafKind::Input | LeafKind::Param | LeafKind::Constant)
        ) {
            return Err(GraphError::NotALeaf {
                name: self.name(id),
            });
        }
        let (offset, len) = (n.offset, n.shape.len());
        Ok(&mut self.values[offset..offset + len])
    }

    /// Sets a leaf's value; the slice must have the node's length.
    pub fn set(&mut self, id: NodeId, value: &[f64]) -> Result<(), GraphError> {
        let shape = self.shape(id);
        if value.len() != shape.len() {
            return Err(GraphError::WrongLength {
                name: self.name(id),
                shape,
                expected: shape.len(),
                got: value.len(),
            });
        }
        self.value_mut(id)?.copy_from_slice(value);
        Ok(())
    }

    /// The values of a node's inputs (empty slices past its arity).
    pub(crate) fn inputs_of<'a>(values: &'a [f64], node: &Node) -> Inputs<'a> {
        let [a, b] = node.slots;
        Inputs {
            a: &values[a.offset..a.offset + a.len],
            b: &values[b.offset..b.offset + b.len],
            sa: a.shape,
            sb: b.shape,
        }
    }

    /// Computes every node's value from the leaves, in index order.
    pub fn forward(&mut self) {
        let Graph { nodes, values, .. } = self;
        for node in nodes.iter().filter(|n| n.arity > 0) {
            // Inputs precede the node, so they lie wholly before its offset.
            let (before, after) = values.split_at_mut(node.offset);
            let x = Self::inputs_of(before, node);
            node.op.forward(&x, &mut after[..node.len]);
        }
    }

    /// Fills ∂root/∂node for every node a param feeds. Gradients accumulate
    /// (`+=`) over every edge leaving a node, so a node read twice (θ shared
    /// by two branches, `x*x`) gets both contributions.
    pub fn backward(&mut self, root: NodeId) -> Result<(), GraphError> {
        let shape = self.shape(root);
        if !shape.is_scalar() {
            return Err(GraphError::RootNotScalar {
                name: self.name(root),
                shape,
            });
        }
        let Graph {
            nodes,
            values,
            grads,
            ..
        } = self;
        grads.fill(0.0);
        let Some(root_grad) = nodes[root.index()].grad_offset else {
            return Ok(()); // no param reaches the root: every gradient is 0
        };
        grads[root_grad] = 1.0;
        for node in nodes[..=root.index()].iter().rev() {
            let Some(g) = node.grad_offset.filter(|_| node.arity > 0) else {
                continue;
            };
            let x = Self::inputs_of(values, node);
            let out = &values[node.offset..node.offset + node.len];
            for (i, slot) in node.slots[..node.arity].iter().enumerate() {
                let Some(gi) = slot.grad_offset else { continue };
                let (before, after) = grads.split_at_mut(g);
                let upstream = &after[..node.len];
                let grad_in = &mut before[gi..gi + slot.len];
                node.op.vjp(i, &x, out, upstream, grad_in);
            }
        }
        Ok(())
    }
}

fn shape_elements(shape: Shape) -> u128 {
    match shape {
        Shape::Scalar => 1,
        Shape::Vector(n) => n as u128,
        Shape::Matrix(r, c) => r as u128 * c as u128,
    }
}
