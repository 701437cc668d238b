//! One sample's scalar chain x, y, θ → z1 → z2 → L, built into a graph
//! whose θ nodes may be shared with other branches (the unrolled mode).

use crate::graph::{Graph, GraphError, NodeId, Shape};
use crate::model::LinearModel;

/// The θ params of a scalar graph: one scalar node per entry of θ.
pub struct ThetaNodes(pub Vec<NodeId>);

impl ThetaNodes {
    pub fn new(g: &mut Graph, model: &LinearModel) -> Result<Self, GraphError> {
        let ids = (0..model.n_params())
            .map(|k| g.param(&model.param_symbol(k), Shape::Scalar, &[0.0]))
            .collect::<Result<_, _>>()?;
        Ok(ThetaNodes(ids))
    }

    pub fn set(&self, g: &mut Graph, theta: &[f64]) {
        for (&id, &t) in self.0.iter().zip(theta) {
            g.value_mut(id).expect("θ is a leaf")[0] = t;
        }
    }

    /// Adds each θ node's gradient into `grad`.
    pub fn add_grad(&self, g: &Graph, grad: &mut [f64]) {
        for (&id, out) in self.0.iter().zip(grad) {
            *out += g.grad(id).expect("θ is a param")[0];
        }
    }
}

pub struct Branch {
    pub x: Vec<NodeId>,
    pub y: NodeId,
    pub z1: NodeId,
    pub z2: NodeId,
    pub l: NodeId,
}

impl Branch {
    /// Builds z1 = θ1·x1 + … + θd·xd (+ θ0), z2 = y − z1, L = z2², naming
    /// every node with `sup` appended (`""`, or `"(1)"` for sample 1).
    pub fn build(
        g: &mut Graph,
        model: &LinearModel,
        theta: &ThetaNodes,
        sup: &str,
    ) -> Result<Self, GraphError> {
        let offset = usize::from(model.intercept);
        let mut x = Vec::with_capacity(model.d);
        let mut z1: Option<NodeId> = None;
        for j in 0..model.d {
            let xj = g.input(&format!("{}{sup}", model.feature_symbol(j)), Shape::Scalar)?;
            x.push(xj);
            let term = g.mul(theta.0[offset + j], xj)?;
            z1 = Some(match z1 {
                None => term,
                Some(acc) => g.add(acc, term)?,
            });
        }
        let z1 = match (z1, model.intercept) {
            (Some(acc), true) => g.add(acc, theta.0[0])?,
            (Some(acc), false) => acc,
            // Intercept only: z1 = θ0, through an identity-like `θ0 + 0`
            // so z1 is a node of its own that can carry the name.
            (None, _) => {
                let zero = g.constant(Shape::Scalar, &[0.0])?;
                g.add(theta.0[0], zero)?
            }
        };
        g.set_name(z1, &format!("z1{sup}"));
        let y = g.input(&format!("y{sup}"), Shape::Scalar)?;
        let z2 = g.sub(y, z1)?;
        g.set_name(z2, &format!("z2{sup}"));
        let l = g.square(z2)?;
        g.set_name(l, &format!("L{sup}"));
        Ok(Branch { x, y, z1, z2, l })
    }

    /// Writes one row's x and y into the branch's input nodes.
    pub fn load(&self, g: &mut Graph, row: &[f64], y: f64) {
        for (&id, &v) in self.x.iter().zip(row) {
            g.value_mut(id).expect("x is a leaf")[0] = v;
        }
        g.value_mut(self.y).expect("y is a leaf")[0] = y;
    }
}
