//! ferrobt's N-API binding: converts between JS and the napi-free core (`ferrobt-core`); no logic.

mod conversion;
mod error;
mod registry;
mod sample;
mod store;

/// mimalloc returns freed polars buffers to the OS far better than glibc malloc's per-thread arenas
/// (polars recommends a custom allocator); RSS stays flat over open/dispose cycles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
