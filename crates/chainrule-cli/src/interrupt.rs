//! Ctrl-C during a long run: the first SIGINT asks training to stop after
//! the step in progress (the trainer's observer polls [`requested`]); the
//! command then saves what it has only where `--out` asked for it, says so
//! on stderr and exits with 130 (128 + SIGINT, the shell's convention). A
//! second Ctrl-C exits at once with 130, saving nothing, after removing
//! the temp files of writes in flight (`data/atomic.rs`; only a SIGKILL
//! leaves one, which the next write to the same path removes).

use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code of an interrupted run.
pub const EXIT_INTERRUPTED: i32 = 130;

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once per process; later calls do nothing).
pub fn install() {
    // Fails only when a handler is already set: then it is ours.
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted again: stopping now, nothing saved");
            chainrule::data::atomic::remove_temps_in_flight();
            std::process::exit(EXIT_INTERRUPTED);
        }
        eprintln!(
            "\ninterrupt: stopping after the current step or chunk (Ctrl-C again to quit now)"
        );
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// The run was interrupted; the message says what was kept (exit code 130).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);
