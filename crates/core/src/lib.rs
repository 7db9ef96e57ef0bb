//! ferrobt's napi-free core: parquet ingest with polars and DBN ingest with the `dbn` crate, validation, a per-symbol bar index (i64 ns
//! UTC), window slicing by binary search, resampling, and a seeded sample-data generator.
#![deny(missing_docs)]

// Layers, each using only those above it: error, bars, resample, store, ingest, shared (sample is standalone).
pub mod bars;
pub mod error;
pub mod ingest;
pub mod resample;
pub mod sample;
pub mod shared;
pub mod store;

pub use bars::{BarColumns, BarSlice, SymbolBars};
pub use error::{Result, StoreError};
pub use ingest::{
    open, open_dbn, open_formats, open_parquet, write_dbn, DbnWriteOptions, Formats, GenericSchema, IngestOptions,
    IngestReport, Instrument, OnDuplicate, OnUnsorted, Schema, TimeUnit,
};
pub use resample::{ResampleOptions, Timeframe};
pub use shared::{open_parquet_shared, open_shared, SharedStore};
pub use store::BarStore;
