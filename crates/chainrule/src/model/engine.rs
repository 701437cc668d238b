//! What computes the vectorized mode's numbers: the graph engine, node by
//! node, or the fused kernel, one pass over the rows. Same J and ∂J/∂θ to
//! rounding (tests/kernel_agrees.rs); the graph is the one to read, the
//! kernel the one to run.

use super::Mode;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// `kernel/`: the vectorized mode's sums fused into one multi-threaded
    /// pass, nothing n-sized written.
    Kernel,
    /// `graph/`: forward and backward through the mode's computational graph.
    Graph,
}

impl Engine {
    /// Kernel for vectorized, graph for sample and unrolled.
    pub fn default_for(mode: Mode) -> Engine {
        match mode {
            Mode::Vectorized => Engine::Kernel,
            Mode::Sample | Mode::Unrolled => Engine::Graph,
        }
    }

    /// The engine asked for, checked against the mode: the kernel computes
    /// the vectorized mode only. Sample and unrolled exist to show the
    /// gradient flowing through per-row scalar nodes; fusing those away
    /// would leave a different mode with the same numbers.
    pub fn resolve(asked: Option<Engine>, mode: Mode) -> Result<Engine, String> {
        match (asked, mode) {
            (None, m) => Ok(Engine::default_for(m)),
            (Some(Engine::Kernel), m @ (Mode::Sample | Mode::Unrolled)) => Err(format!(
                "the kernel engine computes the vectorized mode's sums in one fused pass; mode {m} is there to show the gradient flow through its scalar graph, so it runs on the graph engine only. Use mode vectorized for the kernel, or the default engine"
            )),
            (Some(e), _) => Ok(e),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Kernel => "kernel",
            Engine::Graph => "graph",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
