//! Data: CSV/TSV reading with typed errors, atomic writing, seeded
//! synthetic data and the small built-in lesson data sets.

pub mod atomic;
mod builtin;
mod cache;
mod columns;
mod dataset;
mod decimal;
mod design;
mod error;
mod line_limit;
mod lines;
pub mod number;
mod plain;
pub mod presets;
mod read;
mod stream;
mod synth;
mod text;
mod write;

pub use builtin::{builtin, builtin_names};
pub use cache::{CacheHeader, CacheWriter, DesignCache, FileStamp};
pub use dataset::Dataset;
pub use decimal::{read_decimal, DecimalChunks, DecimalColumns};
pub use design::Design;
pub use error::DataError;
pub use lines::RowLines;
pub use plain::{fold_plain, Parse, BLOCK_BYTES, PIECE_BYTES};
pub use presets::{preset, preset_names, Preset, PRESETS};
pub use read::{
    read_csv, read_csv_counted, read_csv_parsed, read_csv_str, ReadOptions, ReadReport,
    DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS,
};
pub use stream::CsvChunks;
pub use synth::{synth, write_csv_rows, SynthModel, SynthRows, ROWS_PER_REPORT, X_HIGH, X_LOW};
pub use text::{label_of, CellAt, TextColumn};
pub use write::{format_number, separator_for, to_csv_string, write_csv};
