//! libFuzzer target: ingest of corrupted parquet. The input is a list of edits to a valid sample file
//! generated at start-up (so every run starts from real pages, footer and statistics), or a whole
//! file when it begins with the parquet magic `PAR1`. Any panic escaping ingest, an abort, or an
//! error without one of the stable codes is a finding.
#![no_main]

#[path = "../../crates/core/tests/oracle/mod.rs"]
#[allow(dead_code)] // each target uses its half of the shared checks
mod oracle;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The valid file edits apply to, and the scratch path each case is written to.
struct Setup {
    good: Vec<u8>,
    case: PathBuf,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> Setup {
    let dir = oracle::scratch_dir("cargo-fuzz");
    let good_path = dir.join("good.parquet");
    oracle::write_one_day_sample(&good_path);
    Setup { good: std::fs::read(&good_path).expect("read sample"), case: dir.join("case.parquet") }
}

/// Applies `input` to `good`: 5-byte edits (u32 LE offset, new byte); 1 to 4 trailing bytes truncate.
fn edited(good: &[u8], input: &[u8]) -> Vec<u8> {
    let mut bytes = good.to_vec();
    let mut edits = input.chunks_exact(5);
    for edit in &mut edits {
        let at = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % bytes.len();
        bytes[at] = edit[4];
    }
    let rest = edits.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 4];
        word[..rest.len()].copy_from_slice(rest);
        bytes.truncate(1 + u32::from_le_bytes(word) as usize % bytes.len());
    }
    bytes
}

fuzz_target!(
    init: {
        SETUP.get_or_init(setup);
        // Panics polars raises on corrupt metadata are caught inside ingest and returned as
        // ERR_PARQUET; libfuzzer-sys' hook would abort on them before they are caught. A panic that
        // escapes ingest still fails the run: libfuzzer-sys aborts when the closure unwinds.
        let _ = std::panic::take_hook();
    },
    |input: &[u8]| {
        let setup = SETUP.get().expect("initialised");
        let bytes = if input.starts_with(b"PAR1") { input.to_vec() } else { edited(&setup.good, input) };
        std::fs::write(&setup.case, &bytes).expect("write case");
        oracle::ingest(&setup.case);
    }
);
