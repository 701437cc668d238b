//! The command line's integration tests, in one binary: each module runs
//! the built `chainrule` executable.

mod cache;
mod cli;
mod cli_render;
mod cli_stream;
mod cluster;
mod convert_parquet;
mod correct;
mod datafusion_engine;
mod formula_fit;
mod fuzz_cli;
mod help;
mod interrupt;
mod limits;
mod parquet_hostile;
mod parquet_input;
mod predict_rows;
mod real_tables;
mod robust;
mod step_data;
mod stream_memory;
mod tables;
mod teach;
mod temps;
mod train_json;
mod warnings;
