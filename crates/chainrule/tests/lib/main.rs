//! The library's integration tests, in one binary so that an edit links
//! one test executable, not fourteen. `no_alloc.rs` stays apart: it
//! installs a counting global allocator.

mod api;
mod compiled_graph;
mod correct_default;
mod data_errors;
mod explain;
mod expr_lang;
mod formula_terms;
mod fuzz_corpus_replay;
mod graph_derivation;
mod graph_ops;
mod invariances;
mod kernel_agrees;
mod layers;
mod modes_agree;
mod nist_fit;
mod nist_hc;
mod nist_train;
mod number_parse;
mod one_pass;
mod parallel_parse;
mod report_browser;
mod row_lines;
mod statsmodels_ols;
mod stream_train;
mod tables;
mod train_loop;
