//! Checks a scanned file's values and collects its rows per symbol; then orders each symbol's bars
//! under the chosen policy. Every error names the file, the source column and the first bad row.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::IdxSize;

use super::options::{IngestOptions, OnDuplicate, OnUnsorted};
use super::scan::{names::VOLUME, FileRows, ScannedFile, SourceNames, SymbolCodes};
use super::IngestReport;
use crate::bars::{BarColumns, SymbolBars};
use crate::error::{value_code, Result, StoreError};

/// Plausible bar times: 1980-01-01 .. 2100-01-01 UTC, in ns. Outside means a wrong unit or garbage.
const TS_MIN_NS: i64 = 315_532_800_000_000_000;
const TS_MAX_NS: i64 = 4_102_444_800_000_000_000;

/// Rows gathered per symbol, with where each came from.
#[derive(Default)]
pub(crate) struct SymbolRows {
    slot_of: HashMap<String, usize>,
    /// Per symbol, in order of first appearance: its name and bars.
    collected: Vec<(String, Collected)>,
}

#[derive(Default)]
struct Collected {
    bars: BarColumns,
    /// (file index, row in file) of each bar.
    origin: Vec<(u32, IdxSize)>,
}

impl SymbolRows {
    pub fn is_empty(&self) -> bool {
        self.collected.is_empty()
    }

    /// Validates one scanned file and moves its rows to their symbols, column by column: each source
    /// column is freed once spread, so at most one column exists twice.
    pub fn add_file(&mut self, file_index: usize, path: &Path, file: ScannedFile) -> Result<()> {
        let ScannedFile { rows, bars, symbols, sources } = file;
        if bars.is_empty() {
            return Ok(());
        }
        check_values(path, &sources, &rows, &bars)?;
        let slots: Vec<usize> = symbols.names.into_iter().map(|name| self.slot(name)).collect();
        let file_index = file_index as u32;
        let origin = (0..bars.len()).map(|i| (file_index, rows.at(i) as IdxSize));
        if symbols.codes.is_empty() {
            let Some(&slot) = slots.first() else { return Ok(()) };
            let target = &mut self.collected[slot].1;
            target.origin.extend(origin);
            let to = &mut target.bars;
            let BarColumns { ts, open, high, low, close, volume } = bars;
            append(&mut to.ts, ts);
            for (to, from) in [
                (&mut to.open, open),
                (&mut to.high, high),
                (&mut to.low, low),
                (&mut to.close, close),
                (&mut to.volume, volume),
            ] {
                append(to, from);
            }
            return Ok(());
        }
        let codes = &symbols.codes;
        let mut counts = vec![0usize; slots.len()];
        for &code in codes {
            counts[code as usize] += 1;
        }
        for (&slot, &count) in slots.iter().zip(&counts) {
            self.collected[slot].1.origin.reserve_exact(count);
        }
        for (&code, origin) in codes.iter().zip(origin) {
            self.collected[slots[code as usize]].1.origin.push(origin);
        }
        let BarColumns { ts, open, high, low, close, volume } = bars;
        self.spread(&slots, &counts, codes, ts, |c| &mut c.bars.ts);
        self.spread(&slots, &counts, codes, open, |c| &mut c.bars.open);
        self.spread(&slots, &counts, codes, high, |c| &mut c.bars.high);
        self.spread(&slots, &counts, codes, low, |c| &mut c.bars.low);
        self.spread(&slots, &counts, codes, close, |c| &mut c.bars.close);
        self.spread(&slots, &counts, codes, volume, |c| &mut c.bars.volume);
        Ok(())
    }

    /// Starts taking in a file of `len` rows column by column, as it is read ([`Self::spread`]): its
    /// symbols' slots and its rows' origins. `None` for a file without rows (no symbol is created).
    pub fn begin_file(
        &mut self,
        file_index: usize,
        symbols: SymbolCodes,
        rows: &FileRows,
        len: usize,
    ) -> Option<FileSpread> {
        if len == 0 {
            return None;
        }
        let slots: Vec<usize> = symbols.names.into_iter().map(|name| self.slot(name)).collect();
        let starts: Vec<usize> = slots.iter().map(|&slot| self.collected[slot].1.origin.len()).collect();
        let codes = symbols.codes;
        let file_index = file_index as u32;
        let origin = (0..len).map(|i| (file_index, rows.at(i) as IdxSize));
        let counts = if codes.is_empty() {
            let &slot = slots.first()?;
            self.collected[slot].1.origin.extend(origin);
            vec![len]
        } else {
            let mut counts = vec![0usize; slots.len()];
            for &code in &codes {
                counts[code as usize] += 1;
            }
            for (&slot, &count) in slots.iter().zip(&counts) {
                self.collected[slot].1.origin.reserve_exact(count);
            }
            for (&code, origin) in codes.iter().zip(origin) {
                self.collected[slots[code as usize]].1.origin.push(origin);
            }
            counts
        };
        Some(FileSpread { slots, counts, codes, starts })
    }

    /// Moves the file's timestamps to its symbols (see [`Self::begin_file`]); frees `values`.
    pub fn spread_ts(&mut self, file: &FileSpread, values: Vec<i64>) {
        self.spread_file(file, values, |b| &mut b.ts);
    }

    /// Moves one of the file's f64 columns to its symbols (see [`Self::begin_file`]); frees `values`.
    pub fn spread_f64(&mut self, file: &FileSpread, column: BarColumn, values: Vec<f64>) {
        self.spread_file(file, values, |b| match column {
            BarColumn::Open => &mut b.open,
            BarColumn::High => &mut b.high,
            BarColumn::Low => &mut b.low,
            BarColumn::Close => &mut b.close,
            BarColumn::Volume => &mut b.volume,
        });
    }

    fn spread_file<T: Copy>(
        &mut self,
        file: &FileSpread,
        values: Vec<T>,
        field: impl Fn(&mut BarColumns) -> &mut Vec<T>,
    ) {
        if file.codes.is_empty() {
            append(field(&mut self.collected[file.slots[0]].1.bars), values);
            return;
        }
        self.spread(&file.slots, &file.counts, &file.codes, values, |c| field(&mut c.bars));
    }

    /// Checks the values of the file `file` spread once all its columns are in: the first bad value in
    /// file order, as [`Self::add_file`] reports it (each check looks at one row, so the first bad row
    /// of the file is the first of its symbols' first bad rows).
    pub fn check_file(&self, path: &Path, sources: &SourceNames, file: &FileSpread) -> Result<()> {
        let mut first: Option<(u64, StoreError)> = None;
        for (&slot, &start) in file.slots.iter().zip(&file.starts) {
            let c = &self.collected[slot].1;
            let Some((j, (column, code, reason))) =
                (start..c.bars.len()).find_map(|j| Some((j, bad_value(sources, &c.bars, j)?)))
            else {
                continue;
            };
            let row = u64::from(c.origin[j].1);
            if first.as_ref().is_none_or(|(first_row, _)| row < *first_row) {
                first = Some((row, value_error(path, column, row, code, reason)));
            }
        }
        first.map_or(Ok(()), |(_, e)| Err(e))
    }

    /// The slot of `symbol`, created empty on first sight.
    fn slot(&mut self, symbol: String) -> usize {
        if let Some(&slot) = self.slot_of.get(&symbol) {
            return slot;
        }
        self.collected.push((symbol.clone(), Collected::default()));
        self.slot_of.insert(symbol, self.collected.len() - 1);
        self.collected.len() - 1
    }

    /// Appends each of `values` to the column `field` picks in the slot its code names, a run of rows
    /// of one symbol at a time; frees `values`.
    fn spread<T: Copy>(
        &mut self,
        slots: &[usize],
        counts: &[usize],
        codes: &[u32],
        values: Vec<T>,
        field: impl Fn(&mut Collected) -> &mut Vec<T>,
    ) {
        let mut targets: Vec<Vec<T>> =
            slots.iter().map(|&slot| std::mem::take(field(&mut self.collected[slot].1))).collect();
        for (target, &count) in targets.iter_mut().zip(counts) {
            target.reserve_exact(count);
        }
        let mut start = 0;
        while let Some(&code) = codes.get(start) {
            let end = codes[start..].iter().position(|&c| c != code).map_or(codes.len(), |n| start + n);
            targets[code as usize].extend_from_slice(&values[start..end]);
            start = end;
        }
        drop(values);
        for (&slot, target) in slots.iter().zip(targets) {
            *field(&mut self.collected[slot].1) = target;
        }
    }

    /// Applies the ordering policy to every symbol and builds its bars.
    pub fn finish(
        self,
        files: &[PathBuf],
        options: &IngestOptions,
        report: &mut IngestReport,
    ) -> Result<Vec<SymbolBars>> {
        let mut out = Vec::with_capacity(self.collected.len());
        for (symbol, collected) in self.collected {
            let bars = order(&symbol, collected, files, options, report)?;
            out.push(SymbolBars::from_columns(symbol, bars));
        }
        Ok(out)
    }
}

/// A file taken in column by column ([`SymbolRows::begin_file`]).
pub(crate) struct FileSpread {
    /// The slot of each of the file's symbols, by code.
    slots: Vec<usize>,
    /// Rows of each symbol in the file.
    counts: Vec<usize>,
    /// The symbol code of each row; empty when the file holds one symbol.
    codes: Vec<u32>,
    /// Bars each symbol held before this file.
    starts: Vec<usize>,
}

/// An f64 column of [`BarColumns`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BarColumn {
    Open,
    High,
    Low,
    Close,
    Volume,
}

fn check_values(path: &Path, sources: &SourceNames, rows: &FileRows, b: &BarColumns) -> Result<()> {
    match (0..b.len()).find_map(|i| Some((i, bad_value(sources, b, i)?))) {
        Some((i, (column, code, reason))) => Err(value_error(path, column, rows.at(i), code, reason)),
        None => Ok(()),
    }
}

/// What is wrong with bar `i`, checked in this order: its time, each price, high against low, volume.
fn bad_value<'a>(sources: &'a SourceNames, b: &BarColumns, i: usize) -> Option<(&'a str, &'static str, String)> {
    if !(TS_MIN_NS..TS_MAX_NS).contains(&b.ts[i]) {
        let reason = format!("timestamp {} ns is outside 1980..2100 UTC; is the unit wrong?", b.ts[i]);
        return Some((&sources.ts, "ERR_TIMESTAMP_RANGE", reason));
    }
    for (name, v) in [("open", b.open[i]), ("high", b.high[i]), ("low", b.low[i]), ("close", b.close[i])] {
        if !v.is_finite() {
            return Some((name, value_code::NOT_FINITE, format!("price {v} is not finite")));
        }
    }
    if b.high[i] < b.low[i] {
        return Some(("high", value_code::HIGH_LOW, format!("high {} < low {}", b.high[i], b.low[i])));
    }
    if b.volume[i].is_nan() || b.volume[i] < 0.0 {
        return Some((VOLUME, value_code::NEGATIVE_VOLUME, format!("volume {} is negative or NaN", b.volume[i])));
    }
    None
}

/// Moves `from` into an empty `to`, else appends it.
fn append<T>(to: &mut Vec<T>, from: Vec<T>) {
    if to.is_empty() {
        *to = from;
    } else {
        to.extend(from);
    }
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
            let (file, row) = origin(&c, i);
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
        c = permute(c, &perm);
        report.symbols_sorted += 1;
    }
    let ts = &c.bars.ts;
    if let Some(i) = (1..ts.len()).find(|&i| ts[i] == ts[i - 1]) {
        if options.on_duplicate == OnDuplicate::Error {
            let (file, row) = origin(&c, i);
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
        c = permute(c, &keep);
    }
    Ok(c.bars)
}

/// The file index and file row of bar `i`.
fn origin(c: &Collected, i: usize) -> (usize, u64) {
    let (file, row) = c.origin[i];
    (file as usize, u64::from(row))
}

/// The bars (and origins) at `order`, built column by column, each source column freed once picked.
fn permute(c: Collected, order: &[usize]) -> Collected {
    let BarColumns { ts, open, high, low, close, volume } = c.bars;
    let bars = BarColumns {
        ts: pick(ts, order),
        open: pick(open, order),
        high: pick(high, order),
        low: pick(low, order),
        close: pick(close, order),
        volume: pick(volume, order),
    };
    Collected { bars, origin: pick(c.origin, order) }
}

fn pick<T: Copy>(values: Vec<T>, order: &[usize]) -> Vec<T> {
    order.iter().map(|&i| values[i]).collect()
}

fn ts_name(options: &IngestOptions) -> String {
    match &options.schema {
        super::options::Schema::Databento => "ts_event".into(),
        super::options::Schema::Generic(g) => g.timestamp_column.clone(),
    }
}

fn value_error(path: &Path, column: &str, row: u64, code: &'static str, reason: String) -> StoreError {
    StoreError::Value { path: path.to_owned(), column: column.to_owned(), row, code, reason }
}
