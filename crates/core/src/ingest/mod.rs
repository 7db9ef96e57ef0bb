//! Parquet ingest: expands paths and globs, scans each file, validates it and groups bars by symbol.

mod options;
mod preflight;
mod scan;
mod validate;

use std::path::PathBuf;

pub use options::{GenericSchema, IngestOptions, OnDuplicate, OnUnsorted, Schema, TimeUnit};

use crate::bars::SymbolBars;
use crate::error::{Result, StoreError};
use crate::store::BarStore;
use validate::SymbolRows;

/// What ingest did beyond reading: rows seen, and rows sorted or dropped by the ordering policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Files read, in read order.
    pub files: Vec<String>,
    /// Rows read after the time filter.
    pub rows_read: u64,
    /// Symbols whose bars had to be sorted (`onUnsorted: "sort"`).
    pub symbols_sorted: u64,
    /// Rows dropped as earlier copies of a duplicated timestamp (`onDuplicate: "keepLast"`).
    pub duplicates_dropped: u64,
}

/// Reads every file named by `patterns` (paths or globs) into one store, with what ingest did.
///
/// # Errors
/// `ERR_IO`, `ERR_PARQUET`, `ERR_EMPTY`, `ERR_SCHEMA`, value codes (`ERR_NULL`, `ERR_NOT_FINITE`,
/// `ERR_HIGH_LOW`, `ERR_NEGATIVE_VOLUME`, `ERR_TIMESTAMP_RANGE`), `ERR_UNSORTED`, `ERR_DUPLICATE`.
pub fn open_parquet(patterns: &[String], options: &IngestOptions) -> Result<(BarStore, IngestReport)> {
    if patterns.is_empty() {
        return Err(StoreError::argument("paths", "no parquet path given"));
    }
    validate_range(options)?;
    let files = expand(patterns)?;
    let mut rows = SymbolRows::default();
    let mut report = IngestReport::default();
    let mut first_zone: Option<(PathBuf, Option<String>)> = None;
    for (file_index, path) in files.iter().enumerate() {
        let scanned = scan_guarded(path, options)?;
        check_same_zone(&mut first_zone, path, &scanned.sources)?;
        if scanned.len() == 0 && options.start_ns.is_none() && options.end_ns.is_none() {
            return Err(StoreError::Empty { path: path.clone(), reason: "file has no rows".into() });
        }
        report.rows_read += scanned.len() as u64;
        rows.add_file(file_index, path, scanned)?;
        report.files.push(path.to_string_lossy().into_owned());
    }
    if rows.is_empty() {
        let path = files.first().cloned().unwrap_or_default();
        return Err(StoreError::Empty { path, reason: "no rows in the requested time range".into() });
    }
    let symbols: Vec<SymbolBars> = rows.finish(&files, options, &mut report)?;
    Ok((BarStore::new(symbols), report))
}

/// Scans one file; a panic inside the parquet reader (corrupt metadata makes polars 0.55 unwrap,
/// as fuzzing found) becomes `ERR_PARQUET` naming the file instead of unwinding further.
fn scan_guarded(path: &std::path::Path, options: &IngestOptions) -> Result<scan::ScannedFile> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan::scan_file(path, options))).unwrap_or_else(|panic| {
        let what = crate::error::panic_message(panic.as_ref());
        Err(StoreError::Parquet {
            path: path.to_owned(),
            reason: format!("corrupt file (the parquet reader failed: {})", reader_failure(&what)),
        })
    })
}

/// The readable part of a reader panic: the text of a polars error unwrapped inside it (up to its
/// first line break), else the panic's first line.
fn reader_failure(panic: &str) -> &str {
    match panic.split_once("ErrString(\"") {
        Some((_, inner)) => inner.split(['"', '\\']).next().unwrap_or(inner),
        None => panic.lines().next().unwrap_or_default(),
    }
}

/// Files read together must agree on their timestamps' time zone (a mix usually means one was
/// written in local time by mistake).
fn check_same_zone(
    first: &mut Option<(PathBuf, Option<String>)>,
    path: &std::path::Path,
    sources: &scan::SourceNames,
) -> Result<()> {
    let zone = match &sources.ts_dtype {
        polars::prelude::DataType::Datetime(_, tz) => tz.as_ref().map(ToString::to_string),
        _ => return Ok(()),
    };
    match first {
        None => *first = Some((path.to_owned(), zone)),
        Some((first_path, first_zone)) if *first_zone != zone => {
            let shown = |z: &Option<String>| z.clone().unwrap_or_else(|| "no time zone (naive)".into());
            return Err(StoreError::Schema {
                path: path.to_owned(),
                column: sources.ts.clone(),
                reason: format!(
                    "mixed time zones: {} here, {} in {}",
                    shown(&zone),
                    shown(first_zone),
                    first_path.display()
                ),
            });
        }
        Some(_) => {}
    }
    Ok(())
}

fn validate_range(options: &IngestOptions) -> Result<()> {
    match (options.start_ns, options.end_ns) {
        (Some(s), Some(e)) if s >= e => {
            Err(StoreError::argument("start", format!("start {s} ns is not before end {e} ns")))
        }
        _ => Ok(()),
    }
}

/// Expands globs (a pattern with `*`, `?` or `[`), sorted; plain paths are kept as given.
/// The files `patterns` name, in read order (each glob's matches sorted).
pub(crate) fn expand(patterns: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for pattern in patterns {
        if !pattern.contains(['*', '?', '[']) {
            out.push(PathBuf::from(pattern));
            continue;
        }
        let bad = |reason: String| StoreError::Io { path: PathBuf::from(pattern), reason };
        let mut matched: Vec<PathBuf> = glob::glob(pattern)
            .map_err(|e| bad(format!("bad glob pattern: {e}")))?
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if matched.is_empty() {
            return Err(bad("glob matched no files".into()));
        }
        matched.sort();
        out.extend(matched);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::reader_failure;

    #[test]
    fn reader_failures_read_as_the_polars_error_inside_the_panic() {
        let panic = r#"called `Result::unwrap()` on an `Err` value: ComputeError(ErrString("unable to parse time zone: 'UTX'. Please check the list.\n\nHint: did you mean 'UTC'?"))"#;
        assert_eq!(reader_failure(panic), "unable to parse time zone: 'UTX'. Please check the list.");
        assert_eq!(reader_failure("thrift bool field\nmore"), "thrift bool field");
    }
}
