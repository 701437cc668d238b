//! The record of one forward + backward: for every node its value and
//! gradient, and for every edge into it the local partial and the
//! chain-rule product, and the op's notation for both. Every view (explain, drawings, reports, `--json`)
//! reads this and nothing else of the engine.
//!
//! JSON schema (`Trace`):
//! ```text
//! { "root": 5,                          // index of the node differentiated
//!   "nodes": [ {
//!       "id": 3, "name": "z2", "op": "sub",   // name is null when unnamed
//!       "kind": "input" | "param" | "constant" | null (computed),
//!       "shape": "scalar" | {"vector": n} | {"matrix": [rows, cols]},
//!       "value": [..],                  // row-major, shape.len() numbers
//!       "grad": [..] | null,            // ∂root/∂node; null: no param feeds it
//!       "edges": [ {                    // one per input, in operand order
//!           "from": 1,                  // the input node's id
//!           "local": {"rows": r, "cols": c, "data": [..]} | null,
//!                                       // Jacobian ∂node/∂input (r = node's
//!                                       // length, c = input's); null when
//!                                       // larger than the trace's limit
//!           "product": [..] | null      // upstream·local = this edge's
//!                                       // contribution to the input's grad
//!       } ] } ] }
//! ```

use super::engine::{Graph, NodeId};
use super::ops::leaf::LeafKind;
use super::{Jacobian, Notation, Partial, Shape};
use serde::{Deserialize, Serialize};

/// Largest Jacobian (rows × cols) a trace materializes by default.
pub const DEFAULT_MAX_JACOBIAN: usize = 4096;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub root: usize,
    pub nodes: Vec<TraceNode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceNode {
    pub id: usize,
    pub name: Option<String>,
    pub op: String,
    pub kind: Option<LeafKind>,
    pub shape: Shape,
    pub value: Vec<f64>,
    pub grad: Option<Vec<f64>>,
    pub edges: Vec<TraceEdge>,
    /// How the derivation writes the op (`Op::notation`); not in the JSON.
    #[serde(skip)]
    pub notation: Option<Notation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEdge {
    pub from: usize,
    pub local: Option<Jacobian>,
    pub product: Option<Vec<f64>>,
    /// How the derivation writes `local` (`Op::partial_notation`); not in
    /// the JSON.
    #[serde(skip)]
    pub partial: Partial,
}

impl TraceNode {
    /// The node's name, or `#id` when it has none.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("#{}", self.id))
    }
}

impl Trace {
    pub fn node(&self, id: usize) -> &TraceNode {
        &self.nodes[id]
    }

    /// The newest node called `name`.
    pub fn find(&self, name: &str) -> Option<&TraceNode> {
        self.nodes
            .iter()
            .rev()
            .find(|n| n.name.as_deref() == Some(name))
    }
}

impl Graph {
    /// The trace of the last forward and `backward(root)`, with Jacobians up
    /// to `DEFAULT_MAX_JACOBIAN` elements.
    pub fn trace(&self, root: NodeId) -> Trace {
        self.trace_with_limit(root, DEFAULT_MAX_JACOBIAN)
    }

    pub fn trace_with_limit(&self, root: NodeId, max_jacobian: usize) -> Trace {
        let nodes = self.nodes[..=root.index()]
            .iter()
            .enumerate()
            .map(|(id, node)| {
                let x = Graph::inputs_of(&self.values, node);
                let out = self.value(NodeId(id as u32));
                let upstream = self.grad(NodeId(id as u32));
                let edges = node
                    .input_ids()
                    .iter()
                    .enumerate()
                    .map(|(i, &from)| {
                        let from_len = self.nodes[from as usize].shape.len();
                        let local = (out.len().saturating_mul(from_len) <= max_jacobian)
                            .then(|| node.op.jacobian(i, &x, out));
                        let product = upstream.map(|up| {
                            let mut contribution = vec![0.0; from_len];
                            node.op.vjp(i, &x, out, up, &mut contribution);
                            contribution
                        });
                        TraceEdge {
                            from: from as usize,
                            local,
                            product,
                            partial: node.op.partial_notation(i, x.sa, x.sb),
                        }
                    })
                    .collect();
                TraceNode {
                    id,
                    name: node.name.clone(),
                    op: node.op.name(),
                    kind: node.leaf,
                    shape: node.shape,
                    value: out.to_vec(),
                    grad: upstream.map(<[f64]>::to_vec),
                    edges,
                    notation: node.op.notation(),
                }
            })
            .collect();
        Trace {
            root: root.index(),
            nodes,
        }
    }
}
