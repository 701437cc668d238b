#![no_main]
//! Fuzz target: see `check_csv` in ../src/checks.rs (shared with the
//! corpus replay test, tests/fuzz_corpus_replay.rs).

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_csv(data));
