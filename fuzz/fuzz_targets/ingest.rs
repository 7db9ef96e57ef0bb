//! libFuzzer target: arbitrary bytes as a parquet file must give a store or a typed error, never a panic.
#![no_main]

use ferrobt_core::{open_parquet, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("ferrobt-fuzz-ingest-{}.parquet", std::process::id()));
    std::fs::write(&path, data).expect("temp file");
    if let Err(e) = open_parquet(&[path.to_string_lossy().into_owned()], &IngestOptions::default()) {
        assert!(e.code().starts_with("ERR_"), "untyped error: {e}");
    }
});
