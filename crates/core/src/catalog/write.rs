//! Writes catalog files: one symbol's bars of one UTC month as DataBento-layout parquet at
//! `symbol=NAME/year=YYYY/<part>-MM.parquet` (a month a file, so a catalog under a memory budget loads
//! and evicts a symbol a month at a time; snappy, statistics on, no wall-clock metadata, so the same
//! bars always give the same bytes), through a temporary name renamed into place.

use std::path::{Path, PathBuf};

use chrono::{Datelike, TimeZone, Utc};
use polars::prelude::*;

use super::layout::percent_encode;
use crate::error::{Result, StoreError};

/// Volumes as the writer stores them: whole numbers as u64 (DataBento's type), anything else as f64.
pub(crate) enum Volumes<'a> {
    /// Whole share or contract counts.
    Whole(Vec<u64>),
    /// Volumes with a fraction (or beyond 2^53), kept exactly as f64.
    Fractional(&'a [f64]),
}

impl<'a> Volumes<'a> {
    /// u64 when every value is a whole number in `[0, 2^53]`, else the f64s as they are.
    pub fn of(values: &'a [f64]) -> Self {
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if values.iter().all(|&v| (0.0..=EXACT).contains(&v) && v.fract() == 0.0) {
            Self::Whole(values.iter().map(|&v| v as u64).collect())
        } else {
            Self::Fractional(values)
        }
    }
}

/// One file's bars (all slices of one length, `ts` ascending, ns UTC).
pub(crate) struct PartBars<'a> {
    pub ts: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: Volumes<'a>,
}

/// The directory of `symbol`'s bars of `year` under `root`.
pub(crate) fn partition_dir(root: &Path, symbol: &str, year: i32) -> PathBuf {
    root.join(format!("symbol={}", percent_encode(symbol))).join(format!("year={year}"))
}

/// Writes `bars` of `symbol` to `dir/name` (creating `dir`); returns the file's size in bytes.
///
/// # Errors
/// `ERR_IO` when the directory or the file cannot be written.
pub(crate) fn write_part(dir: &Path, name: &str, symbol: &str, bars: PartBars<'_>) -> Result<u64> {
    let path = dir.join(name);
    let io = |reason: String| StoreError::Io { path: path.clone(), reason };
    std::fs::create_dir_all(dir).map_err(|e| io(e.to_string()))?;
    let n = bars.ts.len();
    let volume = match bars.volume {
        Volumes::Whole(v) => Column::new("volume".into(), v),
        Volumes::Fractional(v) => Column::new("volume".into(), v),
    };
    let mut df = DataFrame::new(
        n,
        vec![
            Int64Chunked::from_slice("ts_event".into(), bars.ts)
                .into_datetime(TimeUnit::Nanoseconds, Some(polars::prelude::TimeZone::UTC))
                .into_column(),
            Column::new("open".into(), bars.open),
            Column::new("high".into(), bars.high),
            Column::new("low".into(), bars.low),
            Column::new("close".into(), bars.close),
            volume,
            StringChunked::full("symbol".into(), symbol, n).into_column(),
        ],
    )
    .map_err(|e| io(e.to_string()))?;
    let temporary = dir.join(format!(".{name}.tmp"));
    let file = std::fs::File::create(&temporary).map_err(|e| io(e.to_string()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(|e| io(e.to_string()))?;
    std::fs::rename(&temporary, &path).map_err(|e| io(e.to_string()))?;
    Ok(std::fs::metadata(&path).map_err(|e| io(e.to_string()))?.len())
}

/// 00:00 UTC on 1 January of `year`, ns.
pub(crate) fn year_start_ns(year: i32) -> i64 {
    month_start_ns(year, 1)
}

/// 00:00 UTC on the 1st of `month` (1–12; 13 is January of the next year) of `year`, ns.
fn month_start_ns(year: i32, month: u32) -> i64 {
    let (year, month) = if month > 12 { (year + 1, 1) } else { (year, month) };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().and_then(|d| d.timestamp_nanos_opt()).unwrap_or(i64::MAX)
}

/// One UTC month of bars: its year, its month (1–12) and their index range.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MonthRun {
    pub year: i32,
    pub month: u32,
    pub range: std::ops::Range<usize>,
}

impl MonthRun {
    /// The file name of this month's part of input `index`: `part-NNNNN-MM.parquet` (names sort in
    /// time order within a year for inputs given in time order).
    pub fn file_name(&self, index: usize) -> String {
        format!("part-{index:05}-{:02}.parquet", self.month)
    }
}

/// Splits ascending `ts` into runs of one UTC calendar month.
pub(crate) fn month_runs(ts: &[i64]) -> Vec<MonthRun> {
    let mut runs = Vec::new();
    let mut start = 0;
    while start < ts.len() {
        let day = chrono::DateTime::from_timestamp_nanos(ts[start]);
        let (year, month) = (day.year(), day.month());
        let next = month_start_ns(year, month + 1);
        let end = start + ts[start..].partition_point(|&t| t < next);
        runs.push(MonthRun { year, month, range: start..end });
        start = end;
    }
    runs
}

/// Refuses an output directory that exists and holds anything (a catalog is written whole, never
/// merged into another one); creates it otherwise.
///
/// # Errors
/// `ERR_ARGUMENT` for a non-empty directory or a file in the way; `ERR_IO` when it cannot be created.
pub(crate) fn prepare_out(out: &Path) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(out) {
        if !meta.is_dir() {
            return Err(StoreError::argument("out", format!("{} exists and is not a directory", out.display())));
        }
        let mut entries =
            std::fs::read_dir(out).map_err(|e| StoreError::Io { path: out.to_owned(), reason: e.to_string() })?;
        if entries.next().is_some() {
            return Err(StoreError::argument(
                "out",
                format!("{} is not empty; write a catalog into a new or empty directory", out.display()),
            ));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| StoreError::Io { path: out.to_owned(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_split_at_utc_months() {
        let (y24, feb) = (year_start_ns(2024), month_start_ns(2024, 2));
        let ts = [y24 - 2, y24 - 1, y24, y24 + 5, feb, year_start_ns(2025)];
        let runs: Vec<(i32, u32, std::ops::Range<usize>)> =
            month_runs(&ts).into_iter().map(|r| (r.year, r.month, r.range)).collect();
        assert_eq!(runs, vec![(2023, 12, 0..2), (2024, 1, 2..4), (2024, 2, 4..5), (2025, 1, 5..6)]);
        assert_eq!(month_runs(&ts)[0].file_name(3), "part-00003-12.parquet");
        assert!(month_runs(&[]).is_empty());
    }

    #[test]
    fn whole_volumes_are_stored_as_integers() {
        assert!(matches!(Volumes::of(&[0.0, 3.0, 1e15]), Volumes::Whole(v) if v == [0, 3, 1_000_000_000_000_000]));
        assert!(matches!(Volumes::of(&[1.5]), Volumes::Fractional(_)));
        assert!(matches!(Volumes::of(&[1e300]), Volumes::Fractional(_)));
    }
}
