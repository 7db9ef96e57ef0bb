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
        let bytes = if input.starts_with(b"PAR1") { input.to_vec() } else { oracle::edited(&setup.good, input) };
        std::fs::write(&setup.case, &bytes).expect("write case");
        oracle::ingest(&setup.case);
    }
);
