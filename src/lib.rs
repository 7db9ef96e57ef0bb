//! ferrobt's N-API binding: converts between JS and the napi-free core (`ferrobt-core`); no logic.

mod conversion;
mod error;
mod sample;
mod store;
