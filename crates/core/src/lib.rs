//! ferrobt's napi-free core: parquet ingest with polars and DBN ingest with the `dbn` crate, validation, a per-symbol bar index (i64 ns
//! UTC), window slicing by binary search, resampling, a lazy catalog of many symbols under a memory
//! budget, and seeded sample-data generators.
#![deny(missing_docs)]

// Layers, each using only those above it: error, bars, resample, store, ingest, shared, catalog (sample is
// standalone; catalog's stock generator uses its random numbers).
pub mod bars;
pub mod catalog;
pub mod error;
pub mod ingest;
pub mod resample;
pub mod sample;
pub mod shared;
pub mod store;

pub use bars::{BarColumns, BarSlice, SymbolBars};
pub use catalog::{build_catalog, generate_stocks, BuildReport, Catalog, CatalogStats, GenerateReport, StockSpec};
pub use error::{Result, StoreError};
pub use ingest::{
    open, open_dbn, open_formats, open_parquet, write_dbn, DbnWriteOptions, Formats, GenericSchema, IngestOptions,
    IngestReport, Instrument, OnDuplicate, OnUnsorted, Schema, TimeUnit,
};
pub use resample::{ResampleOptions, Timeframe};
pub use shared::{open_parquet_shared, open_shared, SharedStore};
pub use store::BarStore;
