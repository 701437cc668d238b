//! Teaching: the nine lessons (3 models × 3 modes on the built-in data),
//! the step a view shows (a model or `grad` program run forward and
//! backward into a `Trace`), and the report's sections that train. This
//! layer computes; `render` draws what it computed.

pub mod lessons;
pub mod report;
pub mod step;

pub use lessons::{all_lessons, lesson, Lesson, LESSON_EPOCHS};
pub use report::{
    fit_section, lesson_sections, lessons_page, train_section, training_page, ReportError,
};
pub use step::{
    default_rows, design_step, equation, lesson_step, model_step, program_step, ModelStep,
    StepError, DEFAULT_LR,
};
