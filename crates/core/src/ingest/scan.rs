//! Reads one parquet file's needed columns with polars, one column per read: each is checked against
//! the chosen layout, converted to ns / f64, moved into a plain vector and polars' copy freed before the
//! next is read (a whole frame of every column never exists). A read without a time filter decodes its
//! column with polars' synchronous parquet reader on the calling thread, from the footer the structure
//! check parsed; a filtered read is a lazy scan with the filter pushed in (row-group statistics skip what
//! lies outside), which runs on polars' streaming engine. Naive local times are filtered once localised.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone as _};
use polars::prelude::*;

use super::options::{IngestOptions, Schema, TimeUnit as IntUnit};
use super::validate::{BarColumn, FileSpread, SymbolRows};
use crate::bars::BarColumns;
use crate::error::{value_code, Result, StoreError};

/// Column names used in the reads.
pub(crate) mod names {
    pub const ROW: &str = "__row";
    pub const PRICES: [&str; 4] = ["open", "high", "low", "close"];
    pub const VOLUME: &str = "volume";
}

/// Where the normalised columns came from, for error messages.
pub(crate) struct SourceNames {
    pub ts: String,
    /// The timestamp column's type as stored (unit and time zone).
    pub ts_dtype: DataType,
}

/// One file's rows after the time filter, as plain vectors.
pub(crate) struct ScannedFile {
    /// Where each row sits in the file.
    pub rows: FileRows,
    /// `ts` is i64 ns UTC (naive timestamps localised); prices and volume f64, de-scaled.
    pub bars: BarColumns,
    pub symbols: SymbolCodes,
    pub sources: SourceNames,
}

/// The file row (0-based, as stored) of each row read.
pub(crate) enum FileRows {
    /// Every row was read: row `i` is file row `i`.
    All,
    /// The time filter kept these file rows, ascending.
    Kept(Vec<IdxSize>),
}

impl FileRows {
    /// The file row of row `i`.
    pub fn at(&self, i: usize) -> u64 {
        match self {
            Self::All => i as u64,
            Self::Kept(rows) => u64::from(rows[i]),
        }
    }
}

/// The symbol of each row, as an index into the file's distinct symbols.
pub(crate) struct SymbolCodes {
    /// Distinct symbols in order of first appearance.
    pub names: Vec<String>,
    /// Index into `names` per row; empty when the file holds one symbol (or none).
    pub codes: Vec<u32>,
}

/// What [`scan_into`] did with a file.
pub(crate) enum Scanned {
    /// The file's columns, for [`SymbolRows::add_file`].
    Whole(ScannedFile),
    /// The columns were moved to their symbols as they were read; their values still need
    /// [`SymbolRows::check_file`] (`None`: the file had no rows).
    Spread { len: usize, sources: SourceNames, file: Option<FileSpread> },
}

/// Reads the parquet file `bytes` (the contents of `path`) into its normalised columns (see [`ScannedFile`]).
#[cfg(test)]
pub(crate) fn scan_bytes(path: &Path, bytes: Vec<u8>, options: &IngestOptions) -> Result<ScannedFile> {
    match scan_into(path, bytes, options, None)? {
        Scanned::Whole(file) => Ok(file),
        Scanned::Spread { .. } => Err(internal("spread without a store")),
    }
}

/// Reads the parquet file `bytes` (the contents of `path`): with `into` (the rows being collected and
/// this file's index), each column is moved to its symbols as soon as it is read, so its source is
/// freed before the next read (the peak holds one column twice, not the whole file twice); naive local
/// times, which are localised and filtered once every column is in, and no `into`, give the whole file.
pub(crate) fn scan_into(
    path: &Path,
    bytes: Vec<u8>,
    options: &IngestOptions,
    into: Option<(&mut SymbolRows, usize)>,
) -> Result<Scanned> {
    let metadata = Arc::new(super::preflight::check_structure(path, &bytes)?);
    // From memory rather than a memory map: polars reads exactly the bytes checked above, and nothing
    // polars still runs after a failed scan can touch (SIGBUS on) a file truncated in the meantime.
    let mut reader = ColumnReader { path, bytes: polars_buffer::Buffer::from_vec(bytes), metadata, filter: None };
    let schema = reader.schema()?;
    let layout = Layout::of(&options.schema);
    let ts_dtype = column_dtype(path, &schema, &layout.ts)?;
    let (ts_plan, naive_zone, filter) = timestamp_plan(path, &layout, &ts_dtype, options)?;
    let prices = names::PRICES.into_iter().map(|name| price_expr(path, &schema, name)).collect::<Result<Vec<_>>>()?;
    let volume = volume_expr(path, &schema)?;
    let symbol = symbol_source(path, &schema, &layout)?;
    reader.filter = filter;
    let rows = reader.rows()?;
    // The read order keeps the peak low: the symbols first (their strings, the widest column, become
    // 4-byte codes at once), then volume (its cast to f64 briefly needs two more copies of the column)
    // while few columns are held. Nulls are reported in the order the columns are listed.
    let (symbols, symbol_null) = match &symbol {
        Some(name) => reader.symbol_codes(name)?,
        None => (SymbolCodes { names: vec![layout.default_symbol.clone()], codes: Vec::new() }, None),
    };
    // Each column goes to its symbols as soon as it is read. A null still fails the open once every
    // column is read (below, in column order); what was spread by then is dropped with the open.
    let (mut spreader, symbols) = match into.filter(|_| naive_zone.is_none() && symbol_null.is_none()) {
        Some((into, file_index)) => {
            let spreader = Spreader { into, file_index, symbols: Some(symbols), file: None, len: 0 };
            (Some(spreader), SymbolCodes { names: Vec::new(), codes: Vec::new() })
        }
        None => (None, symbols),
    };
    let f64_column = |column: BarColumn| {
        move |into: &mut SymbolRows, file: &FileSpread, values| into.spread_f64(file, column, values)
    };
    let read = reader.values::<Float64Type>(&volume)?;
    let volume = Spreader::take(&mut spreader, &rows, read, f64_column(BarColumn::Volume));
    let read = reader.values::<Int64Type>(&ts_plan)?;
    let ts = Spreader::take(&mut spreader, &rows, read, SymbolRows::spread_ts);
    let price_columns = [BarColumn::Open, BarColumn::High, BarColumn::Low, BarColumn::Close];
    let prices = price_columns
        .into_iter()
        .zip(&prices)
        .map(|(column, price)| {
            let read = reader.values::<Float64Type>(price)?;
            Ok(Spreader::take(&mut spreader, &rows, read, f64_column(column)))
        })
        .collect::<Result<Vec<_>>>()?;
    let null_at = |column: &str, i: usize| null_error(path, column, rows.at(i));
    let ts = ts.map_err(|i| null_at(&layout.ts, i))?;
    let mut prices = names::PRICES.into_iter().zip(prices).map(|(name, read)| read.map_err(|i| null_at(name, i)));
    let mut price = || prices.next().unwrap_or_else(|| Err(internal("four prices")));
    let (open, high, low, close) = (price()?, price()?, price()?, price()?);
    let volume = volume.map_err(|i| null_at(names::VOLUME, i))?;
    if let (Some(i), Some(name)) = (symbol_null, &symbol) {
        return Err(null_at(name, i));
    }
    let sources = SourceNames { ts: layout.ts, ts_dtype };
    if let Some(spreader) = spreader {
        return Ok(Scanned::Spread { len: spreader.len, sources, file: spreader.file });
    }
    let bars = BarColumns { ts, open, high, low, close, volume };
    let mut file = ScannedFile { rows, bars, symbols, sources };
    if let Some(zone) = naive_zone {
        localise(path, &file.sources.ts, &file.rows, &mut file.bars.ts, &zone)?;
        // Naive times can only be filtered once localised (nothing was pushed into the reads).
        if options.start_ns.is_some() || options.end_ns.is_some() {
            file.keep_range(options.start_ns, options.end_ns);
        }
    }
    Ok(Scanned::Whole(file))
}

/// Moves each column read to the symbols of the rows being collected (see [`scan_into`]).
struct Spreader<'a> {
    into: &'a mut SymbolRows,
    file_index: usize,
    /// The file's symbols until the first column read starts the file.
    symbols: Option<SymbolCodes>,
    /// The file being spread (`None` until then, and for a file without rows).
    file: Option<FileSpread>,
    /// Rows read.
    len: usize,
}

impl Spreader<'_> {
    /// Spreads the values of `read` (the first column read starts the file) and returns an empty column;
    /// passes a null's position on untouched; does nothing without a spreader.
    fn take<T>(
        spreader: &mut Option<Self>,
        rows: &FileRows,
        read: std::result::Result<Vec<T>, usize>,
        put: impl FnOnce(&mut SymbolRows, &FileSpread, Vec<T>),
    ) -> std::result::Result<Vec<T>, usize> {
        let (Some(spreader), Ok(values)) = (spreader, &read) else { return read };
        if let Some(symbols) = spreader.symbols.take() {
            spreader.len = values.len();
            spreader.file = spreader.into.begin_file(spreader.file_index, symbols, rows, values.len());
        }
        match &spreader.file {
            Some(file) => {
                put(spreader.into, file, read.unwrap_or_default());
                Ok(Vec::new())
            }
            None => read,
        }
    }
}

impl ScannedFile {
    /// Rows read (after the time filter).
    pub fn len(&self) -> usize {
        self.bars.len()
    }

    /// Keeps the rows with `start <= ts < end` (ns UTC), and only the symbols still present.
    fn keep_range(&mut self, start: Option<i64>, end: Option<i64>) {
        let inside = |t: i64| start.is_none_or(|s| t >= s) && end.is_none_or(|e| t < e);
        let keep: Vec<bool> = self.bars.ts.iter().map(|&t| inside(t)).collect();
        let rows = keep.iter().enumerate().filter(|(_, &k)| k).map(|(i, _)| self.rows.at(i) as IdxSize).collect();
        self.rows = FileRows::Kept(rows);
        let b = &mut self.bars;
        retain_kept(&mut b.ts, &keep);
        for column in [&mut b.open, &mut b.high, &mut b.low, &mut b.close, &mut b.volume] {
            retain_kept(column, &keep);
        }
        let symbols = &mut self.symbols;
        if symbols.codes.is_empty() {
            return;
        }
        retain_kept(&mut symbols.codes, &keep);
        let mut renumbered: Vec<Option<u32>> = vec![None; symbols.names.len()];
        let mut names = Vec::new();
        for code in &mut symbols.codes {
            let new = renumbered[*code as usize].get_or_insert_with(|| {
                names.push(std::mem::take(&mut symbols.names[*code as usize]));
                (names.len() - 1) as u32
            });
            *code = *new;
        }
        symbols.names = names;
        if symbols.names.len() <= 1 {
            symbols.codes = Vec::new();
        }
    }
}

fn retain_kept<T>(values: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    values.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Converts naive wall-clock ns in `zone` to UTC ns.
fn localise(path: &Path, column: &str, rows: &FileRows, ts: &mut [i64], zone: &str) -> Result<()> {
    let tz: chrono_tz::Tz =
        zone.parse().map_err(|_| StoreError::argument("naiveTimeZone", format!("unknown time zone '{zone}'")))?;
    for (i, t) in ts.iter_mut().enumerate() {
        let naive = DateTime::from_timestamp_nanos(*t).naive_utc();
        let local = tz.from_local_datetime(&naive).earliest().ok_or_else(|| StoreError::Value {
            path: path.to_owned(),
            column: column.to_owned(),
            row: rows.at(i),
            code: "ERR_TIMESTAMP_RANGE",
            reason: format!("{naive} does not exist in {zone} (DST gap)"),
        })?;
        *t = local.timestamp_nanos_opt().unwrap_or(*t);
    }
    Ok(())
}

/// Reads one column at a time from the file's bytes, each read with the time filter applied.
struct ColumnReader<'a> {
    path: &'a Path,
    bytes: polars_buffer::Buffer<u8>,
    /// The footer, parsed once by the structure check.
    metadata: FileMetadataRef,
    filter: Option<Expr>,
}

impl ColumnReader<'_> {
    fn parquet_error(&self, e: &PolarsError) -> StoreError {
        StoreError::Parquet { path: self.path.to_owned(), reason: first_line(&e.to_string()) }
    }

    fn scan(&self, row_index: Option<RowIndex>) -> Result<LazyFrame> {
        let args = ScanArgsParquet {
            row_index,
            glob: false,
            cache: false,
            hive_options: HiveOptions::new_disabled(),
            ..Default::default()
        };
        let sources = ScanSources::Buffers([self.bytes.clone()].into());
        let lf = LazyFrame::scan_parquet_sources(sources, args).map_err(|e| self.parquet_error(&e))?;
        Ok(match &self.filter {
            Some(predicate) => lf.filter(predicate.clone()),
            None => lf,
        })
    }

    /// The file's schema, as a scan of it reports it (from the footer's Arrow schema, else its parquet types).
    fn schema(&self) -> Result<Schema_> {
        let arrow = infer_schema(&self.metadata).map_err(|e| self.parquet_error(&e))?;
        Ok(Schema_::from_arrow_schema(&arrow))
    }

    /// The one column `column` yields: decoded on this thread and converted without a filter, else
    /// through a lazy scan with the filter pushed in.
    fn read(&self, column: &ColumnPlan) -> Result<Series> {
        if self.filter.is_none() {
            let raw = self.read_raw(&column.name)?;
            return column.convert.apply(raw).map_err(|e| self.parquet_error(&e));
        }
        self.read_lazy(self.scan(None)?, column.expr.clone())
    }

    /// Column `name` as stored, every row, decoded by polars' synchronous parquet reader (no thread pool).
    fn read_raw(&self, name: &str) -> Result<Series> {
        let mut reader = ParquetReader::new(Cursor::new(&self.bytes[..]))
            .with_columns(Some(vec![name.to_owned()]))
            .read_parallel(ParallelStrategy::None);
        reader.set_metadata(self.metadata.clone());
        let df = reader.finish().map_err(|e| self.parquet_error(&e))?;
        let column = df.into_columns().pop().ok_or_else(|| internal("a read returned no column"))?;
        Ok(column.take_materialized_series())
    }

    /// The one column `expr` yields from `lf`.
    fn read_lazy(&self, lf: LazyFrame, expr: Expr) -> Result<Series> {
        let df = lf.select([expr]).collect().map_err(|e| self.parquet_error(&e))?;
        let column = df.into_columns().pop().ok_or_else(|| internal("a read returned no column"))?;
        Ok(column.take_materialized_series())
    }

    /// Reads `column` as a numeric column: its values, or `Err` with the position of its first null.
    fn values<T: PolarsNumericType>(&self, column: &ColumnPlan) -> Result<std::result::Result<Vec<T::Native>, usize>> {
        let values = self.read(column)?.unpack::<T>().map_err(StoreError::from)?.clone();
        Ok(into_values(values))
    }

    /// Which file rows the filter keeps (all, when there is no filter).
    fn rows(&self) -> Result<FileRows> {
        if self.filter.is_none() {
            return Ok(FileRows::All);
        }
        let lf = self.scan(Some(RowIndex { name: names::ROW.into(), offset: 0 }))?;
        let rows = self.read_lazy(lf, col(names::ROW))?.unpack::<IdxType>().map_err(StoreError::from)?.clone();
        Ok(FileRows::Kept(into_values(rows).map_err(|_| internal("null row index"))?))
    }

    /// The symbol column as codes, and the position of its first null if any.
    fn symbol_codes(&self, name: &str) -> Result<(SymbolCodes, Option<usize>)> {
        let column = self.read(&ColumnPlan::as_stored(name))?;
        let strings = column.str().map_err(StoreError::from)?;
        let mut code_of: HashMap<&str, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut codes: Vec<u32> = Vec::with_capacity(strings.len());
        let mut first_null = None;
        let mut last: Option<(&str, u32)> = None;
        for (i, value) in strings.iter().enumerate() {
            let Some(value) = value else {
                first_null.get_or_insert(i);
                codes.push(0);
                continue;
            };
            // Rows of one symbol come in runs: the previous row's symbol is tried first.
            let code = match last {
                Some((symbol, code)) if symbol == value => code,
                _ => *code_of.entry(value).or_insert_with(|| {
                    names.push(value.to_owned());
                    (names.len() - 1) as u32
                }),
            };
            last = Some((value, code));
            codes.push(code);
        }
        if names.len() <= 1 {
            codes = Vec::new();
        }
        Ok((SymbolCodes { names, codes }, first_null))
    }
}

/// The values of a null-free column, moved out of polars' buffer when it holds the only reference (one
/// chunk), else copied chunk by chunk, each chunk freed once copied; `Err` = position of the first null.
fn into_values<T: PolarsNumericType>(values: ChunkedArray<T>) -> std::result::Result<Vec<T::Native>, usize> {
    if values.null_count() > 0 {
        return Err(values.iter().position(|v| v.is_none()).unwrap_or(0));
    }
    let len = values.len();
    let mut out: Vec<T::Native> = Vec::new();
    for chunk in values.downcast_into_iter() {
        let (_, buffer, _) = chunk.into_inner();
        if out.is_empty() && buffer.len() == len {
            return Ok(buffer.into_mut().right_or_else(|shared| shared.as_slice().to_vec()));
        }
        out.reserve_exact(len - out.len());
        out.extend_from_slice(&buffer);
    }
    Ok(out)
}

fn internal(what: &str) -> StoreError {
    StoreError::Internal(format!("ingest: {what}"))
}

fn null_error(path: &Path, column: &str, row: u64) -> StoreError {
    StoreError::Value {
        path: path.to_owned(),
        column: column.to_owned(),
        row,
        code: value_code::NULL,
        reason: "null value".into(),
    }
}

/// Column names of the layout being read.
struct Layout {
    ts: String,
    integer_unit: IntUnit,
    naive_zone: Option<String>,
    symbol: Option<String>,
    default_symbol: String,
}

impl Layout {
    fn of(schema: &Schema) -> Self {
        match schema {
            Schema::Databento => Self {
                ts: "ts_event".into(),
                integer_unit: IntUnit::Nanoseconds,
                naive_zone: None,
                symbol: Some("symbol".into()),
                default_symbol: String::new(),
            },
            Schema::Generic(g) => Self {
                ts: g.timestamp_column.clone(),
                integer_unit: g.integer_unit,
                naive_zone: g.naive_time_zone.clone(),
                symbol: g.symbol_column.clone(),
                default_symbol: g.default_symbol.clone(),
            },
        }
    }
}

/// The file's bytes: `ERR_IO` (missing, directory, unreadable) or `ERR_EMPTY` (0 bytes) before a
/// reader sees it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |reason: String| StoreError::Io { path: path.to_owned(), reason };
    if std::fs::metadata(path).map_err(|e| io(e.to_string()))?.is_dir() {
        return Err(io("is a directory, not a data file".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
    if bytes.is_empty() {
        return Err(StoreError::Empty { path: path.to_owned(), reason: "file is empty (0 bytes)".into() });
    }
    Ok(bytes)
}

fn column_dtype(path: &Path, schema: &Schema_, name: &str) -> Result<DataType> {
    schema.get(name).cloned().ok_or_else(|| StoreError::Schema {
        path: path.to_owned(),
        column: name.to_owned(),
        reason: format!(
            "missing (columns present: {})",
            schema.iter_names().map(PlSmallStr::as_str).collect::<Vec<_>>().join(", ")
        ),
    })
}

type Schema_ = polars::prelude::Schema;

fn schema_error(path: &Path, column: &str, dtype: &DataType, expected: &str) -> StoreError {
    StoreError::Schema {
        path: path.to_owned(),
        column: column.to_owned(),
        reason: format!("has type {dtype}, expected {expected}"),
    }
}

/// One column to read: its name in the file, the expression a filtered (lazy) read yields it with, and
/// the same conversion for an unfiltered read, applied to the column as stored.
struct ColumnPlan {
    name: String,
    expr: Expr,
    convert: Convert,
}

impl ColumnPlan {
    /// The column as stored (symbols).
    fn as_stored(name: &str) -> Self {
        Self { name: name.to_owned(), expr: col(name), convert: Convert::AsStored }
    }
}

/// How a column as stored becomes the store's type: what each [`ColumnPlan`]'s expression does.
#[derive(Clone, Copy, Debug)]
enum Convert {
    /// Kept as stored (f64 prices, symbols).
    AsStored,
    /// Cast to f64.
    ToF64,
    /// Cast to i64 (a datetime: its physical value), times `per` ns per stored unit unless that is 1.
    Ns(i64),
    /// DataBento fixed-point i64 (units of 1e-9): `UNDEF_PRICE` (`i64::MAX`) becomes null, the rest f64 / 1e9.
    FixedPoint,
}

impl Convert {
    /// Converts `raw` with the kernels the expressions run (non-strict casts, the wrapping product and
    /// the float division by a scalar), so a filtered and an unfiltered read give the same bits.
    fn apply(self, raw: Series) -> PolarsResult<Series> {
        match self {
            Self::AsStored => Ok(raw),
            Self::ToF64 => raw.cast(&DataType::Float64),
            Self::Ns(per) => {
                let ns = raw.cast(&DataType::Int64)?;
                Ok(if per == 1 { ns } else { &ns * per })
            }
            Self::FixedPoint => {
                let undefined = raw.i64()?.equal(i64::MAX);
                let scaled = &raw.cast(&DataType::Float64)? / 1e9;
                drop(raw);
                Ok(scaled.f64()?.set(&undefined, None)?.into_series())
            }
        }
    }
}

/// The timestamp column (as i64 ns), whether its values are naive local times, and the pushed-down filter.
fn timestamp_plan(
    path: &Path,
    layout: &Layout,
    dtype: &DataType,
    options: &IngestOptions,
) -> Result<(ColumnPlan, Option<String>, Option<Expr>)> {
    let ts = col(layout.ts.as_str());
    let plan =
        |per: i64| ColumnPlan { name: layout.ts.clone(), expr: to_ns(ts.clone(), per), convert: Convert::Ns(per) };
    match dtype {
        DataType::Datetime(unit, tz) => {
            let per = unit_nanos(*unit);
            let naive = if tz.is_none() { layout.naive_zone.clone() } else { None };
            let filter =
                if naive.is_none() { range_filter(ts.clone(), options, per, Some(dtype.clone())) } else { None };
            Ok((plan(per), naive, filter))
        }
        DataType::Int64 | DataType::UInt64 | DataType::Int32 | DataType::UInt32 => {
            let per = layout.integer_unit.nanos();
            Ok((plan(per), None, range_filter(ts.clone().cast(DataType::Int64), options, per, None)))
        }
        other => Err(schema_error(path, &layout.ts, other, "a datetime or an integer timestamp")),
    }
}

/// The raw timestamp column as i64 ns, `per` ns per stored unit (ns columns are not multiplied: that
/// would allocate a second copy of the column).
fn to_ns(raw: Expr, per: i64) -> Expr {
    let ns = raw.cast(DataType::Int64);
    if per == 1 {
        ns
    } else {
        ns * lit(per)
    }
}

/// `[start, end)` on the raw column, in its own unit (`per` ns each), so polars can use row-group statistics.
fn range_filter(raw: Expr, options: &IngestOptions, per: i64, as_dtype: Option<DataType>) -> Option<Expr> {
    let bound = |ns: i64| {
        let v = lit(ns.div_euclid(per) + i64::from(ns.rem_euclid(per) != 0));
        match &as_dtype {
            Some(dt) => v.cast(dt.clone()),
            None => v,
        }
    };
    let lower = options.start_ns.map(|s| raw.clone().gt_eq(bound(s)));
    let upper = options.end_ns.map(|e| raw.lt(bound(e)));
    match (lower, upper) {
        (Some(l), Some(u)) => Some(l.and(u)),
        (l, u) => l.or(u),
    }
}

fn unit_nanos(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Nanoseconds => 1,
        TimeUnit::Microseconds => 1_000,
        TimeUnit::Milliseconds => 1_000_000,
    }
}

/// f64 prices; DataBento fixed-point i64 (units of 1e-9) are divided by 1e9, `UNDEF_PRICE` becomes null.
fn price_expr(path: &Path, schema: &Schema_, name: &str) -> Result<ColumnPlan> {
    let dtype = column_dtype(path, schema, name)?;
    let c = col(name);
    let (expr, convert) = match dtype {
        DataType::Float64 => (c, Convert::AsStored),
        DataType::Float32 => (c.cast(DataType::Float64), Convert::ToF64),
        DataType::Int64 => (
            when(c.clone().eq(lit(i64::MAX)))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(c.cast(DataType::Float64) / lit(1e9)),
            Convert::FixedPoint,
        ),
        other => return Err(schema_error(path, name, &other, "f64, f32 or DataBento fixed-point i64")),
    };
    Ok(ColumnPlan { name: name.to_owned(), expr: expr.alias(name), convert })
}

fn volume_expr(path: &Path, schema: &Schema_) -> Result<ColumnPlan> {
    let name = names::VOLUME;
    let dtype = column_dtype(path, schema, name)?;
    if !(dtype.is_integer() || dtype.is_float()) {
        return Err(schema_error(path, name, &dtype, "an integer or float volume"));
    }
    Ok(ColumnPlan {
        name: name.to_owned(),
        expr: col(name).cast(DataType::Float64).alias(name),
        convert: Convert::ToF64,
    })
}

/// The symbol column to read, or `None` when every row belongs to the layout's default symbol.
fn symbol_source(path: &Path, schema: &Schema_, layout: &Layout) -> Result<Option<String>> {
    let Some(name) = &layout.symbol else { return Ok(None) };
    let dtype = column_dtype(path, schema, name)?;
    if dtype != DataType::String {
        return Err(schema_error(path, name, &dtype, "a string symbol"));
    }
    Ok(Some(name.clone()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_file(path: &Path, options: &IngestOptions) -> Result<ScannedFile> {
        scan_bytes(path, read_file(path)?, options)
    }

    const MIN_NS: i64 = 60_000_000_000;
    const JAN_2023_NS: i64 = 1_672_531_200_000_000_000;

    /// Writes a DataBento-layout file of minute bars with the given symbols, nulls where `None`.
    fn write_file(
        name: &str,
        symbols: &[Option<&str>],
        open: &[Option<f64>],
        close: &[Option<f64>],
    ) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("ferrobt-scan-{}-{name}.parquet", std::process::id()));
        let n = symbols.len();
        let ts: Vec<i64> = (0..n as i64).map(|i| JAN_2023_NS + i * MIN_NS).collect();
        let prices =
            |name: &str, values: &[Option<f64>]| Float64Chunked::from_slice_options(name.into(), values).into_column();
        let mut df = DataFrame::new(
            n,
            vec![
                Int64Chunked::from_vec("ts_event".into(), ts)
                    .into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
                    .into_column(),
                prices("open", open),
                Column::new("high".into(), vec![2.0; n]),
                Column::new("low".into(), vec![0.5; n]),
                prices("close", close),
                Column::new("volume".into(), vec![1u64; n]),
                StringChunked::from_slice_options("symbol".into(), symbols).into_column(),
            ],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        path
    }

    fn from(start_row: i64) -> IngestOptions {
        IngestOptions { start_ns: Some(JAN_2023_NS + start_row * MIN_NS), ..IngestOptions::default() }
    }

    /// Writes a generic-layout file: `t` as the given column, the four prices as `prices`, volume as `volume`.
    fn write_typed(name: &str, t: Column, prices: &dyn Fn(&str) -> Column, volume: Column) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("ferrobt-scan-{}-{name}.parquet", std::process::id()));
        let n = t.len();
        let symbols: Vec<&str> = (0..n).map(|i| ["A", "B", "C"][i / 5 % 3]).collect();
        let mut columns = vec![t.with_name("t".into())];
        columns.extend(names::PRICES.map(|p| prices(p).with_name(p.into())));
        columns.push(volume.with_name("volume".into()));
        columns.push(Column::new("sym".into(), symbols));
        let mut df = DataFrame::new(n, columns).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        path
    }

    fn generic(unit: IntUnit) -> IngestOptions {
        IngestOptions {
            schema: Schema::Generic(super::super::options::GenericSchema {
                timestamp_column: "t".into(),
                integer_unit: unit,
                naive_time_zone: None,
                symbol_column: Some("sym".into()),
                default_symbol: String::new(),
            }),
            ..IngestOptions::default()
        }
    }

    /// Timestamps, the bits of the f64 columns and the symbol codes of a file read.
    type Bits = (Vec<i64>, Vec<Vec<u64>>, Vec<u32>);

    /// A typed test file: its timestamps, prices (by column name), volume and integer unit.
    type Typed<'a> = (&'static str, Column, Box<dyn Fn(&str) -> Column + 'a>, Column, IntUnit);

    /// The bits of every column, or the error.
    fn outcome(file: Result<ScannedFile>) -> std::result::Result<Bits, String> {
        let file = file.map_err(|e| e.to_string())?;
        let b = &file.bars;
        let bits = [&b.open, &b.high, &b.low, &b.close, &b.volume].map(|c| c.iter().map(|v| v.to_bits()).collect());
        Ok((b.ts.clone(), bits.to_vec(), file.symbols.codes))
    }

    #[test]
    fn unfiltered_reads_convert_bit_for_bit_as_the_filtered_lazy_reads() {
        // A filter that keeps every row sends the reads through the lazy scan; none, through the direct reader.
        let n = 300i64;
        let fixed: Vec<i64> = (0..n).map(|i| 4_712_345_678_901 + i * 987_654_321_123).collect();
        let mut undefined = fixed.clone();
        undefined[7] = i64::MAX;
        let cases: Vec<Typed<'_>> = vec![
            (
                "fixed-point",
                Column::new("t".into(), (0..n).map(|i| JAN_2023_NS + i * MIN_NS).collect::<Vec<_>>()),
                Box::new(|_: &str| Column::new("p".into(), fixed.clone())),
                Column::new("v".into(), (0..n as u64).collect::<Vec<_>>()),
                IntUnit::Nanoseconds,
            ),
            (
                "undefined-price",
                Column::new("t".into(), (0..n).map(|i| JAN_2023_NS + i * MIN_NS).collect::<Vec<_>>()),
                Box::new(|_: &str| Column::new("p".into(), undefined.clone())),
                Column::new("v".into(), (0..n as i32).collect::<Vec<_>>()),
                IntUnit::Nanoseconds,
            ),
            (
                "f32-and-seconds",
                Column::new(
                    "t".into(),
                    (0..n).map(|i| (JAN_2023_NS / 1_000_000_000 + i * 60) as u32).collect::<Vec<_>>(),
                ),
                Box::new(|_: &str| {
                    Column::new("p".into(), (0..n).map(|i| 1.1f32 + i as f32 / 3.0).collect::<Vec<_>>())
                }),
                Column::new("v".into(), (0..n).map(|i| i as f32 * 0.5).collect::<Vec<_>>()),
                IntUnit::Seconds,
            ),
            (
                "wrapping-milliseconds",
                Column::new(
                    "t".into(),
                    (0..n)
                        .map(|i| if i == 9 { i64::MAX / 7 } else { JAN_2023_NS / 1_000_000 + i * 60_000 })
                        .collect::<Vec<_>>(),
                ),
                Box::new(|_: &str| Column::new("p".into(), (0..n).map(|i| 2.0 + i as f64 / 7.0).collect::<Vec<_>>())),
                Column::new("v".into(), (0..n).map(|i| (i % 200) as u16).collect::<Vec<_>>()),
                IntUnit::Milliseconds,
            ),
        ];
        for (name, t, prices, volume, unit) in cases {
            let path = write_typed(name, t, &*prices, volume);
            let direct = outcome(scan_file(&path, &generic(unit)));
            let everything = IngestOptions { start_ns: Some(i64::MIN + 1), ..generic(unit) };
            let lazy = outcome(scan_file(&path, &everything));
            assert_eq!(direct, lazy, "{name}");
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn a_lone_chunk_is_moved_out_of_polars_without_a_copy() {
        let values: Vec<f64> = (0..1_000).map(f64::from).collect();
        let data = values.as_ptr();
        let moved = into_values(Float64Chunked::from_vec("x".into(), values)).unwrap();
        assert_eq!(moved.as_ptr(), data);
        assert_eq!(moved[999], 999.0);
    }

    #[test]
    fn chunks_are_concatenated_and_a_null_is_found_by_position() {
        let mut chunked = Float64Chunked::from_vec("x".into(), vec![1.0, 2.0]);
        chunked.append(&Float64Chunked::from_vec("x".into(), vec![3.0])).unwrap();
        assert_eq!(chunked.chunks().len(), 2);
        assert_eq!(into_values(chunked).unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(into_values(Float64Chunked::from_slice_options("x".into(), &[Some(1.0), None, None])), Err(1));
    }

    #[test]
    fn filtered_reads_keep_file_rows_and_code_symbols_in_order_of_appearance() {
        let symbols = [Some("A"), Some("A"), Some("B"), Some("A"), Some("B"), Some("B")];
        let prices = [Some(1.0); 6];
        let path = write_file("codes", &symbols, &prices, &prices);
        let file = scan_file(&path, &from(2)).unwrap();
        assert!(matches!(&file.rows, FileRows::Kept(rows) if rows == &[2, 3, 4, 5]));
        assert_eq!(file.symbols.names, ["B", "A"]);
        assert_eq!(file.symbols.codes, [0, 1, 0, 0]);
        assert_eq!(file.bars.ts, (2..6).map(|i| JAN_2023_NS + i * MIN_NS).collect::<Vec<_>>());
        let one = scan_file(&path, &from(4)).unwrap();
        assert_eq!((one.symbols.names, one.symbols.codes.len(), one.rows.at(1)), (vec!["B".to_owned()], 0, 5));
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_null_is_named_by_its_file_row_and_earlier_columns_come_first() {
        let mut close = [Some(1.0); 6];
        close[4] = None;
        let path = write_file("null-close", &[Some("A"); 6], &[Some(1.0); 6], &close);
        let e = scan_file(&path, &from(2)).err().unwrap();
        assert_eq!((e.code(), e.to_string().contains("column 'close', row 4")), ("ERR_NULL", true), "{e}");
        // A null symbol (row 1) is reported after a null in a column listed before it (open, row 3).
        let mut open = [Some(1.0); 6];
        open[3] = None;
        let mut symbols = [Some("A"); 6];
        symbols[1] = None;
        let path2 = write_file("null-symbol", &symbols, &open, &[Some(1.0); 6]);
        let e = scan_file(&path2, &IngestOptions::default()).err().unwrap();
        assert!(e.to_string().contains("column 'open', row 3"), "{e}");
        let path3 = write_file("null-symbol-only", &symbols, &[Some(1.0); 6], &[Some(1.0); 6]);
        let e = scan_file(&path3, &IngestOptions::default()).err().unwrap();
        assert!(e.to_string().contains("column 'symbol', row 1"), "{e}");
        for p in [path, path2, path3] {
            std::fs::remove_file(p).unwrap();
        }
    }
    #[test]
    fn naive_times_are_filtered_once_localised_and_absent_symbols_dropped() {
        // 09:30.. New York wall-clock minutes on 2023-06-01 (EDT, UTC-4), symbols A, B, B, A, A, A.
        let path = std::env::temp_dir().join(format!("ferrobt-scan-{}-naive.parquet", std::process::id()));
        let local_0930 = JAN_2023_NS + (151 * 24 * 60 + 9 * 60 + 30) * MIN_NS;
        let n = 6;
        let mut df = DataFrame::new(
            n,
            vec![
                Int64Chunked::from_vec("time".into(), (0..n as i64).map(|i| local_0930 + i * MIN_NS).collect())
                    .into_datetime(TimeUnit::Nanoseconds, None)
                    .into_column(),
                Column::new("open".into(), vec![1.0; n]),
                Column::new("high".into(), vec![2.0; n]),
                Column::new("low".into(), vec![0.5; n]),
                Column::new("close".into(), vec![1.0; n]),
                Column::new("volume".into(), vec![1.0; n]),
                Column::new("sym".into(), vec!["A", "B", "B", "A", "A", "A"]),
            ],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let utc_0930 = local_0930 + 4 * 60 * MIN_NS;
        let options = IngestOptions {
            schema: Schema::Generic(super::super::options::GenericSchema {
                timestamp_column: "time".into(),
                integer_unit: IntUnit::Nanoseconds,
                naive_time_zone: Some("America/New_York".into()),
                symbol_column: Some("sym".into()),
                default_symbol: String::new(),
            }),
            start_ns: Some(utc_0930 + 3 * MIN_NS),
            end_ns: Some(utc_0930 + 5 * MIN_NS),
            ..IngestOptions::default()
        };
        let file = scan_file(&path, &options).unwrap();
        assert_eq!(file.bars.ts, [utc_0930 + 3 * MIN_NS, utc_0930 + 4 * MIN_NS]);
        assert!(matches!(&file.rows, FileRows::Kept(rows) if rows == &[3, 4]));
        assert_eq!((file.symbols.names, file.symbols.codes.len()), (vec!["A".to_owned()], 0));
        std::fs::remove_file(path).unwrap();
    }
}
