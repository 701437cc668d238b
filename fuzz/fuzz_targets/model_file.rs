#![no_main]
//! Fuzz target: see `check_model_file` in ../src/checks.rs (shared with the
//! corpus replay test, tests/fuzz_corpus_replay.rs).

#[path = "../src/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_model_file(data));
