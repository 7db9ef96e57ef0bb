//! `ferrobt catalog build`: converts files the store reads (parquet, DBN) into the catalog layout,
//! one input file at a time (memory stays at one input's bars), each through the ingest's own
//! validation.

use std::collections::BTreeMap;
use std::path::Path;

use super::write::{month_runs, partition_dir, prepare_out, write_part, PartBars, Volumes};
use crate::error::{Result, StoreError};
use crate::ingest::{expand, open_files, read_definitions, validate_range, Formats, IngestOptions, NO_ROWS_IN_RANGE};

/// What [`build_catalog`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildReport {
    /// Input files read, in read order.
    pub inputs: Vec<String>,
    /// Symbols written, ascending.
    pub symbols: Vec<String>,
    /// Parquet files written.
    pub files: u64,
    /// Bars written.
    pub bars: u64,
    /// Bytes written.
    pub bytes: u64,
    /// DBN instrument-definition inputs, copied as they are into `_definitions/`.
    pub definitions: u64,
}

/// Reads every file `inputs` names (paths or globs; parquet and DBN, as [`crate::open`] reads them,
/// with `options`' schema, time filter and ordering policy) and writes their bars to `out` as a catalog:
/// `symbol=NAME/year=YYYY/part-NNNNN-MM.parquet`, one part per input file holding bars of that symbol
/// and UTC month (NNNNN = the input's position, MM the month), DataBento columns (`ts_event`, `open`..`close`,
/// `volume`, `symbol`).
///
/// DBN files of instrument definitions among the inputs are copied unchanged to
/// `_definitions/NNNNN-<name>`, where [`super::Catalog::instruments`] reads them.
///
/// Inputs are read one at a time, so a symbol's bars must come in time order across inputs (each
/// input's first bar after the previous inputs' last, per symbol); `out` must be new or empty.
///
/// # Errors
/// Every error of [`crate::open`], naming the input; `ERR_ARGUMENT` for no input, a non-empty `out`,
/// or inputs whose bars of one symbol overlap in time; `ERR_IO` when `out` cannot be written.
pub fn build_catalog(inputs: &[String], out: &Path, options: &IngestOptions) -> Result<BuildReport> {
    if inputs.is_empty() {
        return Err(StoreError::argument("inputs", "no input file given"));
    }
    validate_range(options)?;
    let files = expand(inputs)?;
    prepare_out(out)?;
    let mut report = BuildReport::default();
    // Per symbol: the last bar written and the input it came from.
    let mut last: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for (index, path) in files.iter().enumerate() {
        report.inputs.push(path.to_string_lossy().into_owned());
        let store = match open_files(std::slice::from_ref(path), options, Formats::Any) {
            Ok((store, _)) => store,
            // The time filter leaves nothing of this input: nothing to write.
            Err(StoreError::Empty { reason, .. }) if reason == NO_ROWS_IN_RANGE => continue,
            // Instrument definitions: kept beside the bars, byte for byte.
            Err(StoreError::Schema { column, .. }) if column == "schema" && read_definitions(path)?.is_some() => {
                report.bytes += copy_definitions(path, index, out)?;
                report.definitions += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        for name in store.symbol_names() {
            let bars = store.bars_of(&name)?;
            let ts = bars.ts();
            let (Some(&first), Some(&newest)) = (ts.first(), ts.last()) else { continue };
            if let Some(&(previous, from)) = last.get(&name) {
                if first <= previous {
                    return Err(StoreError::argument(
                        "inputs",
                        format!(
                            "{}: bars of '{name}' start at {first} ns, not after the last one of {} ({previous} ns); \
                             a catalog is built from inputs in time order per symbol",
                            path.display(),
                            files[from].display()
                        ),
                    ));
                }
            }
            last.insert(name.clone(), (newest, index));
            for run in month_runs(ts) {
                let slice = bars.slice(run.range.clone());
                let part = PartBars {
                    ts: slice.ts,
                    open: slice.open,
                    high: slice.high,
                    low: slice.low,
                    close: slice.close,
                    volume: Volumes::of(slice.volume),
                };
                let dir = partition_dir(out, &name, run.year);
                report.bytes += write_part(&dir, &run.file_name(index), &name, part)?;
                report.files += 1;
                report.bars += slice.ts.len() as u64;
            }
        }
    }
    report.symbols = last.into_keys().collect();
    Ok(report)
}

/// Copies the definitions file `path` (input `index`) to `out/_definitions/`; returns its size.
fn copy_definitions(path: &Path, index: usize, out: &Path) -> Result<u64> {
    let dir = out.join(super::DEFINITIONS_DIR);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let target = dir.join(format!("{index:05}-{name}"));
    let io = |e: std::io::Error| StoreError::Io { path: target.clone(), reason: e.to_string() };
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::copy(path, &target).map_err(io)
}
