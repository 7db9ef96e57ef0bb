//! Ingest: expands paths and globs, reads each file by its content (parquet, or DBN with the `dbn`
//! crate), validates it and groups bars by symbol.

mod dbn;
mod dbn_write;
mod options;
mod preflight;
mod scan;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use dbn::Instrument;
pub use dbn_write::{write_dbn, DbnWriteOptions};
pub use options::{GenericSchema, IngestOptions, OnDuplicate, OnUnsorted, Schema, TimeUnit};
pub(crate) use preflight::check_footer_metadata;

use crate::bars::SymbolBars;
use crate::error::{Result, StoreError};
use crate::store::BarStore;
use dbn::DbnContent;
use validate::SymbolRows;

/// What ingest did beyond reading: rows seen, and rows sorted or dropped by the ordering policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Files read, in read order.
    pub files: Vec<String>,
    /// Rows read after the time filter.
    pub rows_read: u64,
    /// Symbols whose bars had to be sorted (`onUnsorted: "sort"`).
    pub symbols_sorted: u64,
    /// Rows dropped as earlier copies of a duplicated timestamp (`onDuplicate: "keepLast"`).
    pub duplicates_dropped: u64,
    /// The instruments of the DBN definition files read, one per symbol (its last definition in read
    /// order), ascending by symbol; empty without a definition file.
    pub instruments: Vec<Instrument>,
}

/// Which file formats an open reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Formats {
    /// Parquet and DBN alike, each file told by its content (see [`open`]).
    #[default]
    Any,
    /// Parquet only: a DBN file is `ERR_PARQUET` (saying it is DBN).
    Parquet,
    /// DBN only (`.dbn`, `.dbn.zst`): anything else, a parquet file included, is `ERR_DBN`.
    Dbn,
}

/// Reads every file named by `patterns` (paths or globs), parquet or DBN, into one store, with what
/// ingest did.
///
/// Each file is told by its first bytes, not its name: `PAR1` is parquet; `DBN` followed by the
/// version byte (1, 2 or 3) is DBN, and a zstd frame (magic `28 B5 2F FD`) is zstd-compressed DBN. A
/// file that is neither is DBN's error when named `*.dbn` or `*.dbn.zst`, else parquet's. DBN files
/// hold OHLCV-1s/1m/1h/1d bars (their symbols from the metadata's symbology mappings) or instrument
/// definitions (see [`IngestReport::instruments`]); lists may mix parquet and DBN. DBN bars are
/// validated, grouped and ordered exactly like parquet rows, with the record's position in the file
/// as its row. The schema options (`databento`/`generic`) apply to parquet files only.
///
/// # Errors
/// `ERR_IO`, `ERR_PARQUET`, `ERR_DBN` (truncated, corrupt zstd frame, unsupported DBN version),
/// `ERR_EMPTY`, `ERR_SCHEMA` (also: a DBN schema other than OHLCV or definitions, a DBN instrument id
/// without a symbology mapping, definitions without any bar file), value codes (`ERR_NULL`, also for
/// a DBN `UNDEF_PRICE`; `ERR_NOT_FINITE`, `ERR_HIGH_LOW`, `ERR_NEGATIVE_VOLUME`,
/// `ERR_TIMESTAMP_RANGE`), `ERR_UNSORTED`, `ERR_DUPLICATE`.
pub fn open(patterns: &[String], options: &IngestOptions) -> Result<(BarStore, IngestReport)> {
    open_formats(patterns, options, Formats::Any)
}

/// [`open`] for DBN files only (`.dbn`, `.dbn.zst`).
///
/// # Errors
/// As [`open`]; a file that is not DBN (parquet included) is `ERR_DBN`.
pub fn open_dbn(patterns: &[String], options: &IngestOptions) -> Result<(BarStore, IngestReport)> {
    open_formats(patterns, options, Formats::Dbn)
}

/// [`open`] for parquet files only (DataBento column schema or generic).
///
/// # Errors
/// `ERR_IO`, `ERR_PARQUET` (a DBN file included), `ERR_EMPTY`, `ERR_SCHEMA`, value codes (`ERR_NULL`,
/// `ERR_NOT_FINITE`, `ERR_HIGH_LOW`, `ERR_NEGATIVE_VOLUME`, `ERR_TIMESTAMP_RANGE`), `ERR_UNSORTED`,
/// `ERR_DUPLICATE`.
pub fn open_parquet(patterns: &[String], options: &IngestOptions) -> Result<(BarStore, IngestReport)> {
    open_formats(patterns, options, Formats::Parquet)
}

/// [`open`] reading only the given `formats`.
///
/// # Errors
/// As [`open`], [`open_dbn`] or [`open_parquet`].
pub fn open_formats(
    patterns: &[String],
    options: &IngestOptions,
    formats: Formats,
) -> Result<(BarStore, IngestReport)> {
    if patterns.is_empty() {
        let what = match formats {
            Formats::Any => "no path given",
            Formats::Parquet => "no parquet path given",
            Formats::Dbn => "no DBN path given",
        };
        return Err(StoreError::argument("paths", what));
    }
    validate_range(options)?;
    open_files(&expand(patterns)?, options, formats)
}

/// [`open_formats`] of files already listed (globs expanded), in read order, with options whose time
/// range [`validate_range`] accepted.
///
/// # Errors
/// As [`open_formats`], but for the empty list, a bad glob and a bad range, which the caller reports.
pub(crate) fn open_files(
    files: &[PathBuf],
    options: &IngestOptions,
    formats: Formats,
) -> Result<(BarStore, IngestReport)> {
    let mut rows = SymbolRows::default();
    let mut report = IngestReport::default();
    let mut first_zone: Option<(PathBuf, Option<String>)> = None;
    let mut instruments: BTreeMap<String, Instrument> = BTreeMap::new();
    let (mut bar_files, mut first_definitions) = (0usize, None::<&PathBuf>);
    for (file_index, path) in files.iter().enumerate() {
        let bytes = scan::read_file(path)?;
        report.files.push(path.to_string_lossy().into_owned());
        let scanned = match detect(path, &bytes, formats)? {
            Content::Parquet => match scan_guarded(path, bytes, options, &mut rows, file_index)? {
                scan::Scanned::Whole(scanned) => {
                    check_same_zone(&mut first_zone, path, &scanned.sources)?;
                    scanned
                }
                scan::Scanned::Spread { len, sources, file } => {
                    // The same checks, in the same order, as for a whole file below.
                    check_same_zone(&mut first_zone, path, &sources)?;
                    bar_files += 1;
                    if len == 0 && options.start_ns.is_none() && options.end_ns.is_none() {
                        return Err(StoreError::Empty { path: path.clone(), reason: "file has no rows".into() });
                    }
                    report.rows_read += len as u64;
                    if let Some(file) = file {
                        rows.check_file(path, &sources, &file)?;
                    }
                    continue;
                }
            },
            Content::Dbn { zstd } => match dbn::decode(path, &bytes, zstd, options)? {
                DbnContent::Bars(scanned) => *scanned,
                DbnContent::Definitions(defined) => {
                    first_definitions.get_or_insert(path);
                    instruments.extend(defined.into_iter().map(|i| (i.symbol.clone(), i)));
                    continue;
                }
            },
        };
        bar_files += 1;
        if scanned.len() == 0 && options.start_ns.is_none() && options.end_ns.is_none() {
            return Err(StoreError::Empty { path: path.clone(), reason: "file has no rows".into() });
        }
        report.rows_read += scanned.len() as u64;
        rows.add_file(file_index, path, scanned)?;
    }
    if let (0, Some(path)) = (bar_files, first_definitions) {
        return Err(StoreError::Schema {
            path: path.clone(),
            column: "schema".into(),
            reason: "holds instrument definitions, not bars; give definitions beside OHLCV bar files".into(),
        });
    }
    if rows.is_empty() {
        let path = files.first().cloned().unwrap_or_default();
        return Err(StoreError::Empty { path, reason: NO_ROWS_IN_RANGE.into() });
    }
    let symbols: Vec<SymbolBars> = rows.finish(files, options, &mut report)?;
    report.instruments = instruments.into_values().collect();
    Ok((BarStore::new(symbols), report))
}

/// The instrument definitions the DBN file at `path` holds, or `None` when it holds bars (or is
/// parquet): what [`open`] would take into [`IngestReport::instruments`] from it.
///
/// # Errors
/// `ERR_IO`, `ERR_EMPTY`, `ERR_DBN` (a corrupt DBN file), `ERR_SCHEMA` (another DBN schema).
pub(crate) fn read_definitions(path: &Path) -> Result<Option<Vec<Instrument>>> {
    let bytes = scan::read_file(path)?;
    match detect(path, &bytes, Formats::Any)? {
        Content::Parquet => Ok(None),
        Content::Dbn { zstd } => match dbn::decode(path, &bytes, zstd, &IngestOptions::default())? {
            DbnContent::Bars(_) => Ok(None),
            DbnContent::Definitions(defined) => Ok(Some(defined)),
        },
    }
}

/// The reason of the `ERR_EMPTY` an open gives when its time range selects no row of any file (the
/// catalog reads that as a symbol without bars in its window, not as a bad file).
pub(crate) const NO_ROWS_IN_RANGE: &str = "no rows in the requested time range";

/// What a file holds, by its first bytes.
enum Content {
    Parquet,
    Dbn { zstd: bool },
}

/// The first bytes of a zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// Tells parquet from DBN by content (the name only decides which reader reports a file that is
/// neither), refusing what `formats` does not read.
fn detect(path: &Path, bytes: &[u8], formats: Formats) -> Result<Content> {
    let sniffed = if bytes.starts_with(b"PAR1") {
        Some(Content::Parquet)
    } else if bytes.starts_with(b"DBN") {
        Some(Content::Dbn { zstd: false })
    } else if bytes.starts_with(&ZSTD_MAGIC) {
        Some(Content::Dbn { zstd: true })
    } else {
        None
    };
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let named_dbn = name.ends_with(".dbn") || name.ends_with(".dbn.zst");
    let not_dbn = || {
        let head: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02X}")).collect();
        StoreError::Dbn {
            path: path.to_owned(),
            reason: format!("starts with bytes {}, not 'DBN' or a zstd frame (28 B5 2F FD)", head.join(" ")),
        }
    };
    match (formats, sniffed) {
        (Formats::Parquet, Some(Content::Dbn { zstd: false })) => Err(StoreError::Parquet {
            path: path.to_owned(),
            reason: "this is a DBN file (DataBento's binary encoding); open it with BarStore.open or BarStore.openDbn"
                .into(),
        }),
        (Formats::Parquet, _) => Ok(Content::Parquet),
        (Formats::Dbn, Some(Content::Parquet)) => Err(StoreError::Dbn {
            path: path.to_owned(),
            reason: "this is a parquet file; open it with BarStore.open or BarStore.openParquet".into(),
        }),
        (_, Some(content)) => Ok(content),
        (Formats::Dbn, None) => Err(not_dbn()),
        (Formats::Any, None) if named_dbn => Err(not_dbn()),
        // Neither: parquet's reader names what is wrong (as it always has for non-parquet files).
        (Formats::Any, None) => Ok(Content::Parquet),
    }
}

/// Scans one file into `rows` (see [`scan::scan_into`]); a panic inside the parquet reader (corrupt
/// metadata makes polars 0.55 unwrap, as fuzzing found) becomes `ERR_PARQUET` naming the file instead of
/// unwinding further (the open then fails, so rows half taken in are dropped with it).
fn scan_guarded(
    path: &Path,
    bytes: Vec<u8>,
    options: &IngestOptions,
    rows: &mut SymbolRows,
    file_index: usize,
) -> Result<scan::Scanned> {
    let scan = || scan::scan_into(path, bytes, options, Some((rows, file_index)));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan)).unwrap_or_else(|panic| {
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
    path: &Path,
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

/// Refuses a time filter whose start is not before its end (`ERR_ARGUMENT`).
pub(crate) fn validate_range(options: &IngestOptions) -> Result<()> {
    match (options.start_ns, options.end_ns) {
        (Some(s), Some(e)) if s >= e => {
            Err(StoreError::argument("start", format!("start {s} ns is not before end {e} ns")))
        }
        _ => Ok(()),
    }
}

/// The files `patterns` name, in read order: globs (a pattern with `*`, `?` or `[`) expanded, each
/// glob's matches sorted; plain paths kept as given.
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
    use super::*;
    use polars::prelude::{Column, DataFrame, Int64Chunked, IntoColumn, ParquetWriter, TimeUnit as Unit, TimeZone};

    const MIN_NS: i64 = 60_000_000_000;
    const JAN_2023_NS: i64 = 1_672_531_200_000_000_000;

    /// Each symbol and the bits of its columns (ts, four prices, volume), or the error.
    type Read = std::result::Result<Vec<(String, Vec<Vec<u64>>)>, String>;

    /// Writes a DataBento-layout file of `n` minute bars of symbols A, B, C in runs of three, with
    /// `patch` applied to (open, high, low, volume) of each row.
    fn write_file(name: &str, n: usize, patch: impl Fn(usize, &mut [f64; 4])) -> PathBuf {
        let path = std::env::temp_dir().join(format!("ferrobt-ingest-{}-{name}.parquet", std::process::id()));
        let rows: Vec<[f64; 4]> = (0..n)
            .map(|i| {
                let mut row = [10.0 + i as f64 / 8.0, 12.0 + i as f64 / 8.0, 9.0, i as f64];
                patch(i, &mut row);
                row
            })
            .collect();
        let column = |name: &str, k: usize| Column::new(name.into(), rows.iter().map(|r| r[k]).collect::<Vec<_>>());
        let ts: Vec<i64> = (0..n as i64).map(|i| JAN_2023_NS + (i / 3) * MIN_NS).collect();
        let mut df = DataFrame::new(
            n,
            vec![
                Int64Chunked::from_vec("ts_event".into(), ts)
                    .into_datetime(Unit::Nanoseconds, Some(TimeZone::UTC))
                    .into_column(),
                column("open", 0),
                column("high", 1),
                column("low", 2),
                column("close", 0),
                column("volume", 3),
                Column::new("symbol".into(), (0..n).map(|i| ["A", "B", "C"][i % 3]).collect::<Vec<_>>()),
            ],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        path
    }

    /// The store (symbol, bars as bits) or error of `files` read whole (every column first, then
    /// validated and spread) — the way ingest read files before columns were spread as read.
    fn read_whole(files: &[PathBuf], options: &IngestOptions) -> Read {
        let mut rows = SymbolRows::default();
        for (i, path) in files.iter().enumerate() {
            let file = scan::scan_bytes(path, scan::read_file(path).unwrap(), options).map_err(|e| e.to_string())?;
            rows.add_file(i, path, file).map_err(|e| e.to_string())?;
        }
        let symbols = rows.finish(files, options, &mut IngestReport::default()).map_err(|e| e.to_string())?;
        Ok(symbols.iter().map(bits).collect())
    }

    fn read_spread(files: &[PathBuf], options: &IngestOptions) -> Read {
        let (store, _) = open_files(files, options, Formats::Parquet).map_err(|e| e.to_string())?;
        Ok((0..store.symbol_names().len()).map(|i| bits(store.bars(i).unwrap())).collect())
    }

    fn bits(b: &SymbolBars) -> (String, Vec<Vec<u64>>) {
        let mut columns = vec![b.ts().iter().map(|&t| t as u64).collect::<Vec<_>>()];
        columns.extend((0..4).map(|k| b.price(k).iter().map(|v| v.to_bits()).collect()));
        columns.push(b.volume().iter().map(|v| v.to_bits()).collect());
        (b.symbol().to_owned(), columns)
    }

    #[test]
    fn columns_spread_as_they_are_read_give_the_store_and_the_first_bad_row_a_whole_read_gives() {
        let good = write_file("spread-good", 90, |_, _| {});
        // Bad values in several symbols: the first in file order (row 40, symbol B) is the one reported.
        let bad = write_file("spread-bad", 90, |i, r| match i {
            40 => r[1] = 1.0,      // high < low
            52 => r[0] = f64::NAN, // open
            44 => r[3] = -1.0,     // volume
            _ => {}
        });
        // The same row fails two checks: the price check comes first.
        let twice = write_file("spread-twice", 90, |i, r| {
            if i == 61 {
                (r[1], r[3]) = (f64::INFINITY, -2.0);
            }
        });
        let everything = IngestOptions::default();
        let from = IngestOptions { start_ns: Some(JAN_2023_NS + 5 * MIN_NS), ..IngestOptions::default() };
        let keep_last =
            IngestOptions { on_duplicate: OnDuplicate::KeepLast, on_unsorted: OnUnsorted::Sort, ..everything.clone() };
        let cases: [(&[PathBuf], &IngestOptions); 6] = [
            (std::slice::from_ref(&good), &everything),
            (std::slice::from_ref(&good), &from),
            (std::slice::from_ref(&bad), &everything),
            (std::slice::from_ref(&twice), &from),
            (&[good.clone(), good.clone()], &keep_last),
            (&[good.clone(), bad.clone()], &everything),
        ];
        for (files, options) in cases {
            assert_eq!(read_spread(files, options), read_whole(files, options), "{files:?}");
        }
        let e = read_spread(std::slice::from_ref(&bad), &everything).unwrap_err();
        assert!(e.contains("column 'high', row 40: high 1 < low 9"), "{e}");
        let e = read_spread(std::slice::from_ref(&twice), &everything).unwrap_err();
        assert!(e.contains("column 'high', row 61: price inf is not finite"), "{e}");
        for path in [good, bad, twice] {
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn reader_failures_read_as_the_polars_error_inside_the_panic() {
        let panic = r#"called `Result::unwrap()` on an `Err` value: ComputeError(ErrString("unable to parse time zone: 'UTX'. Please check the list.\n\nHint: did you mean 'UTC'?"))"#;
        assert_eq!(reader_failure(panic), "unable to parse time zone: 'UTX'. Please check the list.");
        assert_eq!(reader_failure("thrift bool field\nmore"), "thrift bool field");
    }
}
