//! Checks a scanned file's values and collects its rows per symbol; then orders each symbol's bars
//! under the chosen policy. Every error names the file, the source column and the first bad row.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone};
use polars::prelude::*;

use super::options::{IngestOptions, OnDuplicate, OnUnsorted};
use super::scan::{names, SourceNames};
use super::IngestReport;
use crate::bars::{BarColumns, SymbolBars};
use crate::error::{value_code, Result, StoreError};

/// Plausible bar times: 1980-01-01 .. 2100-01-01 UTC, in ns. Outside means a wrong unit or garbage.
const TS_MIN_NS: i64 = 315_532_800_000_000_000;
const TS_MAX_NS: i64 = 4_102_444_800_000_000_000;

/// Rows gathered per symbol, with where each came from.
#[derive(Default)]
pub(crate) struct SymbolRows {
    by_symbol: HashMap<String, Collected>,
}

#[derive(Default)]
struct Collected {
    bars: BarColumns,
    /// (file index, row in file) of each bar.
    origin: Vec<(usize, u64)>,
}

/// A scanned file's columns as plain vectors.
struct FileColumns<'a> {
    rows: Vec<u64>,
    bars: BarColumns,
    symbols: &'a StringChunked,
}

impl SymbolRows {
    pub fn is_empty(&self) -> bool {
        self.by_symbol.is_empty()
    }

    /// Validates one scanned file and appends its rows to their symbols.
    pub fn add_file(
        &mut self,
        file_index: usize,
        path: &Path,
        df: &DataFrame,
        sources: &SourceNames,
        naive_zone: Option<&str>,
    ) -> Result<()> {
        let mut cols = extract(path, df, sources)?;
        if let Some(zone) = naive_zone {
            localise(path, &sources.ts, &cols.rows, &mut cols.bars.ts, zone)?;
        }
        check_values(path, sources, &cols)?;
        for i in 0..cols.rows.len() {
            let symbol = cols.symbols.get(i).unwrap_or_default();
            let entry = self.by_symbol.entry(symbol.to_owned()).or_default();
            entry.bars.push_from(&cols.bars, i);
            entry.origin.push((file_index, cols.rows[i]));
        }
        Ok(())
    }

    /// Applies the ordering policy to every symbol and builds its bars.
    pub fn finish(
        self,
        files: &[PathBuf],
        options: &IngestOptions,
        report: &mut IngestReport,
    ) -> Result<Vec<SymbolBars>> {
        let mut out = Vec::with_capacity(self.by_symbol.len());
        for (symbol, collected) in self.by_symbol {
            let bars = order(&symbol, collected, files, options, report)?;
            out.push(SymbolBars::from_columns(symbol, bars));
        }
        Ok(out)
    }
}

fn extract<'a>(path: &Path, df: &'a DataFrame, sources: &SourceNames) -> Result<FileColumns<'a>> {
    let rows: Vec<u64> =
        column(df, names::ROW)?.idx().map_err(StoreError::from)?.into_no_null_iter().map(u64::from).collect();
    let source_name = |name: &str| match name {
        names::TS => sources.ts.clone(),
        names::SYMBOL => sources.symbol.clone().unwrap_or_else(|| "symbol".into()),
        other => other.to_owned(),
    };
    for name in [names::TS, "open", "high", "low", "close", names::VOLUME, names::SYMBOL] {
        let c = column(df, name)?;
        if c.null_count() > 0 {
            let first = (0..c.len()).find(|&i| c.get(i).is_ok_and(|v| v.is_null())).unwrap_or(0);
            return Err(value_error(path, &source_name(name), rows[first], value_code::NULL, "null value".into()));
        }
    }
    let f64s = |name: &str| -> Result<Vec<f64>> {
        Ok(column(df, name)?.f64().map_err(StoreError::from)?.into_no_null_iter().collect())
    };
    let bars = BarColumns {
        ts: column(df, names::TS)?.i64().map_err(StoreError::from)?.into_no_null_iter().collect(),
        open: f64s("open")?,
        high: f64s("high")?,
        low: f64s("low")?,
        close: f64s("close")?,
        volume: f64s(names::VOLUME)?,
    };
    let symbols = column(df, names::SYMBOL)?.str().map_err(StoreError::from)?;
    Ok(FileColumns { rows, bars, symbols })
}

fn check_values(path: &Path, sources: &SourceNames, cols: &FileColumns<'_>) -> Result<()> {
    let b = &cols.bars;
    let fail =
        |i: usize, column: &str, code, reason: String| Err(value_error(path, column, cols.rows[i], code, reason));
    for i in 0..b.len() {
        if !(TS_MIN_NS..TS_MAX_NS).contains(&b.ts[i]) {
            let reason = format!("timestamp {} ns is outside 1980..2100 UTC; is the unit wrong?", b.ts[i]);
            return fail(i, &sources.ts, "ERR_TIMESTAMP_RANGE", reason);
        }
        for (name, v) in [("open", b.open[i]), ("high", b.high[i]), ("low", b.low[i]), ("close", b.close[i])] {
            if !v.is_finite() {
                return fail(i, name, value_code::NOT_FINITE, format!("price {v} is not finite"));
            }
        }
        if b.high[i] < b.low[i] {
            return fail(i, "high", value_code::HIGH_LOW, format!("high {} < low {}", b.high[i], b.low[i]));
        }
        if b.volume[i].is_nan() || b.volume[i] < 0.0 {
            return fail(
                i,
                names::VOLUME,
                value_code::NEGATIVE_VOLUME,
                format!("volume {} is negative or NaN", b.volume[i]),
            );
        }
    }
    Ok(())
}

/// Converts naive wall-clock ns in `zone` to UTC ns.
fn localise(path: &Path, column: &str, rows: &[u64], ts: &mut [i64], zone: &str) -> Result<()> {
    let tz: chrono_tz::Tz =
        zone.parse().map_err(|_| StoreError::argument("naiveTimeZone", format!("unknown time zone '{zone}'")))?;
    for (i, t) in ts.iter_mut().enumerate() {
        let naive = DateTime::from_timestamp_nanos(*t).naive_utc();
        let local = tz.from_local_datetime(&naive).earliest().ok_or_else(|| {
            value_error(
                path,
                column,
                rows[i],
                "ERR_TIMESTAMP_RANGE",
                format!("{naive} does not exist in {zone} (DST gap)"),
            )
        })?;
        *t = local.timestamp_nanos_opt().unwrap_or(*t);
    }
    Ok(())
}

/// Checks (or, by policy, restores) ascending unique timestamps of one symbol.
fn order(
    symbol: &str,
    mut c: Collected,
    files: &[PathBuf],
    options: &IngestOptions,
    report: &mut IngestReport,
) -> Result<BarColumns> {
    let ts = &c.bars.ts;
    if let Some(i) = (1..ts.len()).find(|&i| ts[i] < ts[i - 1]) {
        if options.on_unsorted == OnUnsorted::Error {
            let (file, row) = c.origin[i];
            let reason = format!("{} ns follows {} ns", ts[i], ts[i - 1]);
            return Err(StoreError::Unsorted {
                path: files[file].clone(),
                column: ts_name(options),
                row,
                symbol: symbol.into(),
                reason,
            });
        }
        let mut perm: Vec<usize> = (0..ts.len()).collect();
        perm.sort_by_key(|&i| ts[i]);
        c = permute(&c, &perm);
        report.symbols_sorted += 1;
    }
    let ts = &c.bars.ts;
    if let Some(i) = (1..ts.len()).find(|&i| ts[i] == ts[i - 1]) {
        if options.on_duplicate == OnDuplicate::Error {
            let (file, row) = c.origin[i];
            return Err(StoreError::Duplicate {
                path: files[file].clone(),
                column: ts_name(options),
                row,
                symbol: symbol.into(),
                ts: ts[i],
            });
        }
        let keep: Vec<usize> = (0..ts.len()).filter(|&i| i + 1 == ts.len() || ts[i + 1] != ts[i]).collect();
        report.duplicates_dropped += (ts.len() - keep.len()) as u64;
        c = permute(&c, &keep);
    }
    Ok(c.bars)
}

fn permute(c: &Collected, order: &[usize]) -> Collected {
    let mut out = Collected::default();
    for &i in order {
        out.bars.push_from(&c.bars, i);
        out.origin.push(c.origin[i]);
    }
    out
}

fn ts_name(options: &IngestOptions) -> String {
    match &options.schema {
        super::options::Schema::Databento => "ts_event".into(),
        super::options::Schema::Generic(g) => g.timestamp_column.clone(),
    }
}

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column> {
    df.column(name).map_err(StoreError::from)
}

fn value_error(path: &Path, column: &str, row: u64, code: &'static str, reason: String) -> StoreError {
    StoreError::Value { path: path.to_owned(), column: column.to_owned(), row, code, reason }
}
