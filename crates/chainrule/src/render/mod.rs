//! Views of a step and of a training run, all drawn from a `Trace` (and a
//! training `Run`): text and Markdown derivations (`explain`), graph drawings (DOT,
//! Mermaid, SVG laid out here), SVG plots, and the self-contained HTML
//! report. Nothing here reaches into the engine or trains: `teach` takes
//! the steps and runs, and calls these views.

pub mod explain;
pub mod graph;
pub mod lang;
pub mod math;
pub mod num;
pub mod plot;
pub mod report;
pub mod step;
pub mod summary;
pub mod symbolic;
pub mod view;

pub use explain::{derive, derive_in, Derivation};
pub use lang::Lang;
pub use step::Step;
