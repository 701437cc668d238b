//! Views of a step and of a training run, all drawn from a `Trace` (and a
//! `Fit`): text and Markdown derivations (`explain`), graph drawings (DOT,
//! Mermaid, SVG laid out here), SVG plots, and the self-contained HTML
//! report. Nothing here reaches into the engine.

pub mod explain;
pub mod graph;
pub mod math;
pub mod num;
pub mod plot;
pub mod report;
pub mod step;
pub mod view;

pub use explain::{derive, Derivation};
pub use step::{equation, model_step, program_step, ModelStep, Step, StepError};
