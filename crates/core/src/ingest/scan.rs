//! Reads one parquet file into normalised columns with polars: projection and time filter pushed
//! into the scan, schema checked against the chosen layout, values converted to ns / f64.

use std::path::Path;

use polars::prelude::*;

use super::options::{IngestOptions, Schema, TimeUnit as IntUnit};
use crate::error::{Result, StoreError};

/// Column names of the normalised frame a scan returns.
pub(crate) mod names {
    pub const ROW: &str = "__row";
    pub const TS: &str = "ts";
    pub const SYMBOL: &str = "symbol";
    pub const PRICES: [&str; 4] = ["open", "high", "low", "close"];
    pub const VOLUME: &str = "volume";
}

/// Where the normalised columns came from, for error messages.
pub(crate) struct SourceNames {
    pub ts: String,
    pub symbol: Option<String>,
    /// The timestamp column's type as stored (unit and time zone).
    pub ts_dtype: DataType,
}

/// Opens `path` as parquet and returns the normalised frame: `__row` (file row), `ts` (i64 ns UTC, or
/// naive values still to be localised when `naive_zone` is returned), prices f64, `volume` f64, `symbol`.
pub(crate) fn scan_file(path: &Path, options: &IngestOptions) -> Result<(DataFrame, SourceNames, Option<String>)> {
    let bytes = read_file(path)?;
    super::preflight::check_structure(path, &bytes)?;
    let parquet_err =
        |e: PolarsError| StoreError::Parquet { path: path.to_owned(), reason: first_line(&e.to_string()) };
    let args = ScanArgsParquet {
        row_index: Some(RowIndex { name: names::ROW.into(), offset: 0 }),
        glob: false,
        cache: false,
        hive_options: HiveOptions::new_disabled(),
        ..Default::default()
    };
    // From memory rather than a memory map: polars reads exactly the bytes checked above, and nothing
    // polars still runs after a failed scan can touch (SIGBUS on) a file truncated in the meantime.
    let sources = ScanSources::Buffers([polars_buffer::Buffer::from_vec(bytes)].into());
    let mut lf = LazyFrame::scan_parquet_sources(sources, args).map_err(parquet_err)?;
    let schema = lf.collect_schema().map_err(parquet_err)?;
    let layout = Layout::of(&options.schema);
    let ts_dtype = column_dtype(path, &schema, &layout.ts)?;
    let (ts_expr, naive_zone, filter) = timestamp_plan(path, &layout, &ts_dtype, options)?;
    let mut exprs = vec![col(names::ROW), ts_expr.alias(names::TS)];
    for name in names::PRICES {
        exprs.push(price_expr(path, &schema, name)?);
    }
    exprs.push(volume_expr(path, &schema)?);
    exprs.push(symbol_expr(path, &schema, &layout)?);
    if let Some(predicate) = filter {
        lf = lf.filter(predicate);
    }
    let df = lf.select(exprs).collect().map_err(parquet_err)?;
    let sources = SourceNames { ts: layout.ts, symbol: layout.symbol, ts_dtype };
    Ok((df, sources, naive_zone))
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

/// The file's bytes: `ERR_IO` (missing, directory, unreadable) or `ERR_EMPTY` (0 bytes) before polars sees it.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |reason: String| StoreError::Io { path: path.to_owned(), reason };
    if std::fs::metadata(path).map_err(|e| io(e.to_string()))?.is_dir() {
        return Err(io("is a directory, not a parquet file".into()));
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

/// The expression producing i64 ns, whether values are naive local times, and the pushed-down filter.
fn timestamp_plan(
    path: &Path,
    layout: &Layout,
    dtype: &DataType,
    options: &IngestOptions,
) -> Result<(Expr, Option<String>, Option<Expr>)> {
    let ts = col(layout.ts.as_str());
    match dtype {
        DataType::Datetime(unit, tz) => {
            let per = unit_nanos(*unit);
            let naive = if tz.is_none() { layout.naive_zone.clone() } else { None };
            let expr = ts.clone().cast(DataType::Int64) * lit(per);
            let filter = if naive.is_none() { range_filter(ts, options, per, Some(dtype.clone())) } else { None };
            Ok((expr, naive, filter))
        }
        DataType::Int64 | DataType::UInt64 | DataType::Int32 | DataType::UInt32 => {
            let per = layout.integer_unit.nanos();
            let expr = ts.clone().cast(DataType::Int64) * lit(per);
            Ok((expr, None, range_filter(ts.cast(DataType::Int64), options, per, None)))
        }
        other => Err(schema_error(path, &layout.ts, other, "a datetime or an integer timestamp")),
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
fn price_expr(path: &Path, schema: &Schema_, name: &str) -> Result<Expr> {
    let dtype = column_dtype(path, schema, name)?;
    let c = col(name);
    let expr = match dtype {
        DataType::Float64 => c,
        DataType::Float32 => c.cast(DataType::Float64),
        DataType::Int64 => when(c.clone().eq(lit(i64::MAX)))
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(c.cast(DataType::Float64) / lit(1e9)),
        other => return Err(schema_error(path, name, &other, "f64, f32 or DataBento fixed-point i64")),
    };
    Ok(expr.alias(name))
}

fn volume_expr(path: &Path, schema: &Schema_) -> Result<Expr> {
    let name = names::VOLUME;
    let dtype = column_dtype(path, schema, name)?;
    if !(dtype.is_integer() || dtype.is_float()) {
        return Err(schema_error(path, name, &dtype, "an integer or float volume"));
    }
    Ok(col(name).cast(DataType::Float64).alias(name))
}

fn symbol_expr(path: &Path, schema: &Schema_, layout: &Layout) -> Result<Expr> {
    match &layout.symbol {
        Some(name) => {
            let dtype = column_dtype(path, schema, name)?;
            if dtype != DataType::String {
                return Err(schema_error(path, name, &dtype, "a string symbol"));
            }
            Ok(col(name.as_str()).alias(names::SYMBOL))
        }
        None => Ok(lit(layout.default_symbol.as_str()).alias(names::SYMBOL)),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}
