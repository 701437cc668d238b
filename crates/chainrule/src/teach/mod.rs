//! Teaching: the nine lessons (3 models × 3 modes on the built-in data),
//! the step a view shows (a model or `grad` program run forward and
//! backward into a `Trace`), and the report's sections that train. This
//! layer computes; `render` draws what it computed.

pub mod lessons;
pub mod report;
pub mod step;

pub use lessons::{all_lessons, lesson, Lesson, LESSON_EPOCHS};
pub use report::{
    example_section, fit_section, lesson_sections, lesson_sections_in, lessons_page, train_section,
    training_page, tutorial_section, Example, ReportError, REPORT_STEPS,
};
pub use step::{
    default_rows, design_step, design_steps, equation, lesson_step, model_step, next_theta,
    program_step, program_steps, ModelStep, StepError, DEFAULT_LR,
};
