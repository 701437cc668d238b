//! Stopping a long run from outside: Ctrl-C (SIGINT), `kill` or a job
//! scheduler's stop (SIGTERM) and a closed terminal (SIGHUP) are handled
//! alike. The first asks training to stop after the step in progress (the
//! trainer's observer polls [`requested`]); the command then saves what it
//! has only where `--out` asked for it, says so on stderr and exits with
//! 128 + the signal's number, the shell's convention (130 for SIGINT, 143
//! for SIGTERM, 129 for SIGHUP). A second signal exits at once with that
//! code, saving nothing, after removing the temp files of writes in flight
//! (`data/atomic.rs`; only a SIGKILL leaves one, which the next write to
//! the same path removes); so does a run still going [`GRACE`] after the
//! first.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};

const SIGINT: i32 = 2;
#[cfg(unix)]
const SIGHUP: i32 = 1;
#[cfg(unix)]
const SIGTERM: i32 = 15;

/// How long a stop may take before the run is ended anyway: a step, a
/// chunk and the final save take well under a second.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// The first stop signal received; 0 while none came.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Installs the handlers (once per process; later calls do nothing).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(listen);
}

/// A thread waits for the signals and acts in ordinary code, so it may
/// print and exit (a signal handler itself may do neither safely).
#[cfg(unix)]
fn listen() {
    // Fails only where the signals cannot be hooked: the default
    // actions then stay, which end the process as before.
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            on_signal(signal);
        }
    });
}

#[cfg(not(unix))]
fn listen() {
    // Fails only when a handler is already set: then it is ours.
    let _ = ctrlc::set_handler(|| on_signal(SIGINT));
}

fn on_signal(signal: i32) {
    // Writes to stderr may fail (SIGHUP: the terminal is gone); the stop
    // must happen all the same.
    let mut stderr = std::io::stderr();
    if RECEIVED
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        let _ = writeln!(
            stderr,
            "\n{} again: stopping now, nothing saved",
            name(signal)
        );
        chainrule::data::atomic::remove_temps_in_flight();
        std::process::exit(128 + signal);
    }
    // A run blocked in a read (a pipe whose writer is gone, a stalled
    // network file system) never reaches the check between steps: it
    // ends after a grace period, as after a second signal.
    std::thread::spawn(move || {
        std::thread::sleep(GRACE);
        let _ = writeln!(
            std::io::stderr(),
            "\nstill running {} s after {}: stopping now, nothing saved",
            GRACE.as_secs(),
            name(signal)
        );
        chainrule::data::atomic::remove_temps_in_flight();
        std::process::exit(128 + signal);
    });
    let again = if signal == SIGINT {
        "Ctrl-C again to quit now".to_string()
    } else {
        format!("send {} again to quit now", name(signal))
    };
    let _ = writeln!(
        stderr,
        "\n{}: stopping after the current step or chunk ({again})",
        name(signal)
    );
}

/// The signal as the user knows it.
fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "interrupt",
        #[cfg(unix)]
        SIGTERM => "SIGTERM",
        #[cfg(unix)]
        SIGHUP => "SIGHUP",
        _ => "signal",
    }
}

/// Whether a stop signal came.
pub fn requested() -> bool {
    RECEIVED.load(Ordering::Relaxed) != 0
}

/// Exit code of a run stopped by a signal: 128 + its number (130 where
/// none came, as for Ctrl-C).
pub fn exit_code() -> i32 {
    128 + match RECEIVED.load(Ordering::Relaxed) {
        0 => SIGINT,
        signal => signal,
    }
}

/// The run was stopped by a signal; the message says what was kept (exit
/// code [`exit_code`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);
