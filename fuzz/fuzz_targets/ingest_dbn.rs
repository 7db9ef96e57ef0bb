//! libFuzzer target: ingest of corrupted DBN. The input's first byte picks the valid file its edits
//! apply to (one day of sample bars written as plain DBN, or as zstd-compressed DBN), the rest is the
//! edits; an input that itself begins with `DBN` or a zstd frame is taken as a whole file. Any panic
//! escaping ingest, an abort, or an error without one of the stable codes is a finding.
#![no_main]

#[path = "../../crates/core/tests/oracle/mod.rs"]
#[allow(dead_code)] // each target uses its half of the shared checks
mod oracle;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The valid files edits apply to (plain, zstd), and the scratch path each case is written to.
struct Setup {
    good: [Vec<u8>; 2],
    case: PathBuf,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> Setup {
    let dir = oracle::scratch_dir("cargo-fuzz-dbn");
    let read = |name: &str, zstd: bool| {
        let path = dir.join(name);
        oracle::write_one_day_dbn(&path, zstd);
        std::fs::read(&path).expect("read sample")
    };
    Setup { good: [read("good.dbn", false), read("good.dbn.zst", true)], case: dir.join("case.dbn") }
}

fuzz_target!(
    init: {
        SETUP.get_or_init(setup);
        // Panics inside ingest are caught there and returned as typed errors; libfuzzer-sys' hook
        // would abort on them first. A panic that escapes ingest still fails the run.
        let _ = std::panic::take_hook();
    },
    |input: &[u8]| {
        let setup = SETUP.get().expect("initialised");
        let whole = input.starts_with(b"DBN") || input.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]);
        let bytes = match input.split_first() {
            _ if whole => input.to_vec(),
            Some((pick, edits)) => oracle::edited(&setup.good[usize::from(pick & 1)], edits),
            None => setup.good[0].clone(),
        };
        std::fs::write(&setup.case, &bytes).expect("write case");
        oracle::ingest(&setup.case);
    }
);
