//! ferrobt's N-API binding: converts between JS and the napi-free core (`ferrobt-core`); no logic.

mod catalog;
mod conversion;
mod error;
mod sample;
mod store;

/// mimalloc returns freed polars buffers to the OS far better than glibc malloc's per-thread arenas
/// (polars recommends a custom allocator); RSS stays flat over open/dispose cycles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// polars panics on some corrupt files (fuzzing found a dozen kinds). Every export catches panics and
/// returns a typed error carrying the message (`ERR_PARQUET` from ingest), so a panic raised in polars
/// is not printed to stderr as well; any other panic (in ferrobt's own code) still is.
#[napi_derive::module_init]
fn quiet_caught_polars_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.location().is_some_and(|at| at.file().contains("polars-")) {
            default_hook(info);
        }
    }));
}
