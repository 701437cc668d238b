//! The command line's integration tests, in one binary: each module runs
//! the built `chainrule` executable.

mod cache;
mod cache_damaged;
mod cli;
mod cli_render;
mod cli_stream;
mod cluster;
mod convert_parquet;
mod correct;
mod datafusion_engine;
mod fit_json;
mod formula_fit;
mod fuzz_cli;
mod help;
mod hostile_files;
mod interrupt;
mod limits;
mod nist_cli;
mod one_pass;
mod parquet_hostile;
mod parquet_input;
mod predict_rows;
mod real_tables;
mod robust;
mod run;
mod step_data;
mod stream_memory;
mod synth_stream;
mod tables;
mod teach;
mod temps;
mod train_inference;
mod train_json;
mod warnings;
