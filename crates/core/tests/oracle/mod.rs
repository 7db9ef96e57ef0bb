//! Checks shared by the stable fuzz tests and the cargo-fuzz targets (`fuzz/`): what ingest may
//! answer for a corrupted file (parquet or DBN), and the slicing API compared with a naive scan.

use std::path::{Path, PathBuf};

use ferrobt_core::sample::{generate, write_parquet, SampleSpec};
use ferrobt_core::{
    open, open_parquet, write_dbn, BarColumns, BarStore, DbnWriteOptions, IngestOptions, ResampleOptions, SymbolBars,
    Timeframe,
};

/// A fresh folder under the system temp dir, named for `purpose` and this process.
pub fn scratch_dir(purpose: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrobt-{purpose}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes the valid file corruptions start from: one day (2024-01-02) of seeded sample bars.
pub fn write_one_day_sample(path: &Path) {
    let spec = SampleSpec {
        start: chrono::NaiveDate::from_ymd_opt(2024, 1, 2).expect("date"),
        end: chrono::NaiveDate::from_ymd_opt(2024, 1, 3).expect("date"),
        ..SampleSpec::default()
    };
    write_parquet(generate(&spec).expect("sample"), path).expect("write sample");
}

/// Writes the same day of bars as [`write_one_day_sample`] as DBN (zstd-compressed when `zstd`).
pub fn write_one_day_dbn(path: &Path, zstd: bool) {
    let parquet = path.with_extension("source.parquet");
    write_one_day_sample(&parquet);
    let (store, _) = open_parquet(&[parquet.to_string_lossy().into()], &IngestOptions::default()).expect("sample");
    write_dbn(&store, path, &DbnWriteOptions { zstd, ..DbnWriteOptions::default() }).expect("write DBN");
    std::fs::remove_file(parquet).expect("remove the parquet source");
}

/// The cargo-fuzz ingest targets' input format: applies `input` to the valid file `good` as 5-byte
/// edits (u32 LE offset, new byte); 1 to 4 trailing bytes truncate.
#[allow(dead_code)] // the stable mutation tests (tests/fuzz.rs) corrupt files their own way
pub fn edited(good: &[u8], input: &[u8]) -> Vec<u8> {
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

/// The codes a corrupt file may get: faults of the file itself. ERR_INTERNAL (a polars failure not
/// attributed to the input), ERR_IO (the file is readable) or a panic is a finding.
pub const INGEST_CODES: [&str; 11] = [
    "ERR_PARQUET",
    "ERR_DBN",
    "ERR_EMPTY",
    "ERR_SCHEMA",
    "ERR_NULL",
    "ERR_NOT_FINITE",
    "ERR_HIGH_LOW",
    "ERR_NEGATIVE_VOLUME",
    "ERR_TIMESTAMP_RANGE",
    "ERR_UNSORTED",
    "ERR_DUPLICATE",
];

/// What ingesting one (possibly corrupt) file came to.
pub enum Ingested {
    Loaded,
    Rejected { by_reader_panic: bool },
}

/// Opens `path` (any format, told by its content) and checks that a failure is typed; panics (a
/// finding) on an unknown code.
pub fn ingest(path: &Path) -> Ingested {
    match open(&[path.to_string_lossy().into()], &IngestOptions::default()) {
        Ok((store, _)) => {
            check_loaded(&store);
            Ingested::Loaded
        }
        Err(e) => {
            assert!(INGEST_CODES.contains(&e.code()), "{} is not a fault of the file: {e}", e.code());
            Ingested::Rejected { by_reader_panic: e.to_string().contains("the parquet reader failed") }
        }
    }
}

/// A store that loaded (its values passed validation, however odd) must resample to 5-minute and
/// day bars with every symbol's volume conserved and its timestamps strictly ascending.
fn check_loaded(store: &BarStore) {
    for timeframe in ["5m", "1d"] {
        let resampled = store
            .resample(Timeframe::parse(timeframe).expect("timeframe"), &ResampleOptions::default())
            .expect("a loaded store resamples");
        for symbol in store.symbol_names() {
            let (minute, bins) =
                (store.bars_of(&symbol).expect("symbol"), resampled.bars_of(&symbol).expect("resampled symbol"));
            let (total, binned) = (minute.volume().iter().sum::<f64>(), bins.volume().iter().sum::<f64>());
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0) || (a.is_infinite() && a == b);
            assert!(close(total, binned), "{symbol} {timeframe}: volume {total} became {binned}");
            assert!(
                bins.ts().windows(2).all(|w| w[0] < w[1]),
                "{symbol} {timeframe}: resampled timestamps not ascending"
            );
        }
    }
}

/// A one-symbol store over `ts` (ascending, distinct ns), prices irrelevant to slicing.
pub fn store(ts: &[i64]) -> SymbolBars {
    let n = ts.len();
    SymbolBars::from_columns(
        "F".into(),
        BarColumns {
            ts: ts.to_vec(),
            open: vec![1.0; n],
            high: vec![1.0; n],
            low: vec![1.0; n],
            close: vec![1.0; n],
            volume: vec![1.0; n],
        },
    )
}

/// Asserts `window(end, length)`, `last bar at end` and `between(from, end)` against a linear scan of `ts`.
pub fn check_queries(bars: &SymbolBars, ts: &[i64], end: i64, length: usize, from: i64) {
    let before: Vec<i64> = ts.iter().copied().filter(|&x| x < end).collect();
    assert_eq!(
        &bars.ts()[bars.window_range(end, length)],
        &before[before.len().saturating_sub(length)..],
        "window(end={end}, length={length})"
    );
    assert_eq!(bars.last_index(end).map(|i| ts[i]), ts.iter().copied().rfind(|&x| x <= end), "last bar at {end}");
    let between: Vec<i64> = ts.iter().copied().filter(|&x| from <= x && x < end).collect();
    assert_eq!(&bars.ts()[bars.between_range(from, end)], &between[..], "between({from}, {end})");
}
