//! The log of a cluster node (`scheduler`, `executor`): Ballista reports
//! lost executors, failed tasks and retries through the `log` crate; they
//! go to stderr, warnings and errors by default, more with
//! `RUST_LOG=info|debug|trace`.

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = match record.level() {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
                Level::Trace => "trace",
            };
            eprintln!("{level}: {}: {}", record.target(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Sends Ballista's log to stderr, at `RUST_LOG`'s level (default warn).
pub fn install() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::Warn);
    if log::set_logger(&Stderr).is_ok() {
        log::set_max_level(level);
    }
}
