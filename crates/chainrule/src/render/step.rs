//! One step to show: a forward + backward pass recorded as a `Trace`, with
//! the learning rate of the update that follows. Every view renders a
//! `Step`; `teach` takes them.

use super::lang::Lang;
use crate::graph::{LeafKind, Trace};
use crate::model::Mode;

/// What a step shows, for its heading (worded in the reader's language).
#[derive(Clone, Debug)]
pub enum Title {
    /// A model's graph on rows `first..=last` (1-based) of `source`
    /// (None: values given on the command line).
    Model {
        equation: String,
        mode: Mode,
        first: usize,
        last: usize,
        source: Option<String>,
    },
    /// A `grad` program, by file name.
    Program(String),
}

#[derive(Clone, Debug)]
pub struct Step {
    /// What is shown: model, mode, rows; or the program.
    pub title: Title,
    /// Step k of n (1-based) when several steps are taken in a row.
    pub index: Option<(usize, usize)>,
    pub mode: Option<Mode>,
    pub trace: Trace,
    /// The param nodes the update moves (trace ids), in θ order.
    pub params: Vec<usize>,
    /// The learning rate of the update θ ← θ − lr·∂J/∂θ (None: no update).
    pub lr: Option<f64>,
}

impl Step {
    /// A step of `trace`; its params are the trace's param nodes.
    pub fn new(title: Title, mode: Option<Mode>, trace: Trace, lr: Option<f64>) -> Step {
        let params = param_ids(&trace);
        Step {
            title,
            index: None,
            mode,
            trace,
            params,
            lr,
        }
    }

    /// One line saying what is shown, in `lang`.
    pub fn heading(&self, lang: Lang) -> String {
        let base = match &self.title {
            Title::Model {
                equation,
                mode,
                first,
                last,
                source,
            } => {
                let source = source.clone().unwrap_or_else(|| lang.t("source-flags"));
                let rows = if first == last {
                    lang.tr(
                        "rows-one",
                        &[("row", &first.to_string()), ("source", &source)],
                    )
                } else {
                    lang.tr(
                        "rows-range",
                        &[
                            ("first", &first.to_string()),
                            ("last", &last.to_string()),
                            ("source", &source),
                        ],
                    )
                };
                lang.tr(
                    "title-model",
                    &[
                        ("equation", equation),
                        ("mode", &mode.to_string()),
                        ("rows", &rows),
                    ],
                )
            }
            Title::Program(name) => lang.tr("title-program", &[("name", name)]),
        };
        match self.index {
            Some((k, n)) => lang.tr(
                "title-step",
                &[
                    ("title", &base),
                    ("k", &k.to_string()),
                    ("n", &n.to_string()),
                ],
            ),
            None => base,
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
