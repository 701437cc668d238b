//! The command line's words for what the library says in its own: the
//! library names settings ("raise the cell limit"), the CLI names the flag
//! that sets them. One place, so every subcommand says it the same way.

use chainrule::data::DataError;
use chainrule::expr::{ErrorKind, ExprError};
use chainrule::graph::GraphError;
use chainrule::source::SourceError;
use chainrule::train::TrainError;

/// The flag that answers `e`, if the error is one a flag can fix.
pub fn flag_hint(e: &anyhow::Error) -> Option<&'static str> {
    e.chain().find_map(|cause| {
        if let Some(d) = data_error(cause) {
            return data_hint(d);
        }
        if let Some(x) = cause.downcast_ref::<ExprError>() {
            return expr_hint(x);
        }
        if let Some(GraphError::TooLarge { .. }) = cause.downcast_ref::<GraphError>() {
            return Some(MAX_ELEMENTS);
        }
        None
    })
}

/// The data error inside `cause`: `#[error(transparent)]` wrappers pass
/// their inner error's text and source through, so the chain never shows
/// the `DataError` as a link of its own.
fn data_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a DataError> {
    if let Some(d) = cause.downcast_ref::<DataError>() {
        return Some(d);
    }
    let source = match cause.downcast_ref::<TrainError>() {
        Some(TrainError::Source(s)) => Some(s),
        _ => cause.downcast_ref::<SourceError>(),
    };
    match source {
        Some(SourceError::Data(d)) => Some(d),
        _ => match cause.downcast_ref::<chainrule::Error>() {
            Some(chainrule::Error::Data(d)) => Some(d),
            Some(chainrule::Error::Source(SourceError::Data(d))) => Some(d),
            _ => None,
        },
    }
}

/// `grad` renders its errors with the program's text; it asks here.
pub fn expr_hint(e: &ExprError) -> Option<&'static str> {
    match e.kind {
        ErrorKind::TooLarge { .. } => Some(MAX_ELEMENTS),
        ErrorKind::TooManyTokens { .. } => Some("raise the limit (--max-tokens N)"),
        _ => None,
    }
}

const MAX_ELEMENTS: &str = "raise the limit (--max-elements N)";

fn data_hint(e: &DataError) -> Option<&'static str> {
    Some(match e {
        DataError::Missing { .. } => {
            "--drop-missing skips rows with empty, NaN or infinite cells and says how many (train, fit, predict, explain, graph, report)"
        }
        DataError::TooManyColumns { .. } => "raise the column limit with --max-columns N",
        DataError::LineTooLong { .. } => {
            "raise the column limit with --max-columns N (each column allows 1 KiB of line)"
        }
        DataError::TooManyCells { .. } => "raise the cell limit with --max-cells N",
        _ => return None,
    })
}
