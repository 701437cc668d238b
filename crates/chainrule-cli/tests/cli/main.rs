//! The command line's integration tests, in one binary: each module runs
//! the built `chainrule` executable.

mod cache;
mod cli;
mod cli_render;
mod cli_stream;
mod datafusion_engine;
mod help;
mod interrupt;
mod limits;
mod parquet_input;
mod real_tables;
mod robust;
mod step_data;
mod stream_memory;
mod tables;
mod teach;
mod train_json;
mod warnings;
