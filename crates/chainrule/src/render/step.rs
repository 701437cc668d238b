//! One step to show: a forward + backward pass recorded as a `Trace`, with
//! the learning rate of the update that follows. Every view renders a
//! `Step`; `teach` takes them.

use crate::graph::{LeafKind, Trace};
use crate::model::Mode;

#[derive(Clone, Debug)]
pub struct Step {
    /// One line saying what is shown: model, mode, rows.
    pub title: String,
    pub mode: Option<Mode>,
    pub trace: Trace,
    /// The param nodes the update moves (trace ids), in θ order.
    pub params: Vec<usize>,
    /// The learning rate of the update θ ← θ − lr·∂J/∂θ (None: no update).
    pub lr: Option<f64>,
}

impl Step {
    /// A step of `trace`; its params are the trace's param nodes.
    pub fn new(title: String, mode: Option<Mode>, trace: Trace, lr: Option<f64>) -> Step {
        let params = param_ids(&trace);
        Step {
            title,
            mode,
            trace,
            params,
            lr,
        }
    }

    /// A param's value after the update, element by element.
    pub fn updated(&self, id: usize) -> Option<Vec<f64>> {
        let lr = self.lr?;
        let node = self.trace.node(id);
        let grad = node.grad.as_ref()?;
        Some(
            node.value
                .iter()
                .zip(grad)
                .map(|(t, g)| t - lr * g)
                .collect(),
        )
    }
}

/// The param nodes of a trace, in the order they were made (θ order for
/// model graphs: θ0, θ1, … or θ for the weights and θ0 after it).
fn param_ids(trace: &Trace) -> Vec<usize> {
    let mut ids: Vec<usize> = trace
        .nodes
        .iter()
        .filter(|n| n.kind == Some(LeafKind::Param))
        .map(|n| n.id)
        .collect();
    // The vectorized graph makes θ (weights) before θ0: show θ0 first.
    ids.sort_by_key(|&id| trace.node(id).name.as_deref() != Some("θ0"));
    ids
}
