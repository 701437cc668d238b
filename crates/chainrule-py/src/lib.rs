//! The native half of the Python package `chainrule`: each function makes
//! one call into the library's API and converts at the edge, nothing more.
//! `data.rs` is where numpy arrays become slices or a `Dataset`,
//! `error.rs` where the library's errors become Python exceptions; the
//! Python half (`python/chainrule/`) reads DataFrames and draws in Jupyter.

mod data;
mod error;
mod model;
mod teach;

use pyo3::prelude::*;

#[pymodule]
fn _chainrule(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::Trained>()?;
    m.add_class::<model::Closed>()?;
    m.add_class::<teach::PyStep>()?;
    m.add_function(wrap_pyfunction!(model::train_table, m)?)?;
    m.add_function(wrap_pyfunction!(model::train_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(model::fit_table, m)?)?;
    m.add_function(wrap_pyfunction!(model::fit_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(model::fit_csv, m)?)?;
    m.add_function(wrap_pyfunction!(model::columns_used, m)?)?;
    m.add_function(wrap_pyfunction!(teach::grad, m)?)?;
    m.add_function(wrap_pyfunction!(teach::explain_program, m)?)?;
    m.add_function(wrap_pyfunction!(teach::explain_lesson, m)?)?;
    m.add_function(wrap_pyfunction!(teach::explain_table, m)?)?;
    m.add_function(wrap_pyfunction!(teach::report_lessons, m)?)?;
    m.add_function(wrap_pyfunction!(teach::report_table, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
