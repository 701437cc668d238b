//! The library's errors as Python exceptions. The classes live in
//! `chainrule/_errors.py` (so `InputError` can be both a `ChainruleError`
//! and a `ValueError`); here each error picks its class and keeps the
//! library's message word for word.

use chainrule::Error;
use pyo3::prelude::*;

/// Which Python class an error raises: `InputError` (a `ValueError`) for
/// anything the caller can fix in the data, formula, settings or file;
/// `TrainingError` when descent itself failed (divergence, a non-finite J).
fn class_of(error: &Error) -> &'static str {
    match error {
        Error::Train(chainrule::train::TrainError::Diverged { .. })
        | Error::Train(chainrule::train::TrainError::NonFinite { .. }) => "TrainingError",
        _ => "InputError",
    }
}

/// Raises `class` (a name in `chainrule._errors`) with `message`.
pub fn raise(py: Python<'_>, class: &str, message: String) -> PyErr {
    let made = py
        .import("chainrule._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|cls| cls.call1((message,)));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        Err(e) => e,
    }
}

/// The library's error, raised with its own message.
pub fn from_library(py: Python<'_>, error: Error) -> PyErr {
    raise(py, class_of(&error), error.to_string())
}

/// Bad input the binding itself spots (shapes, names, settings).
pub fn input(py: Python<'_>, message: impl Into<String>) -> PyErr {
    raise(py, "InputError", message.into())
}

/// `Result<T, chainrule::Error>` → `PyResult<T>`.
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T, E: Into<Error>> OrRaise<T> for Result<T, E> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| from_library(py, e.into()))
    }
}
