//! Conversions between JS values and core types: option objects, BigInt ns times and zero-copy
//! typed-array views over the store's columns.

use std::sync::Arc;

use ferrobt_core::{
    DbnWriteOptions, GenericSchema, IngestOptions, Instrument, OnDuplicate, OnUnsorted, ResampleOptions, Schema,
    SymbolBars, TimeUnit,
};
use napi::bindgen_prelude::{BigInt, BigInt64Array, Float64Array};
use napi_derive::napi;

use crate::error::{bad_argument, JsResult};

/// Ingest options as JS passes them (all optional).
#[napi(object)]
#[derive(Default)]
pub struct JsIngestOptions {
    /// `"databento"` (default) or `"generic"`.
    pub schema: Option<String>,
    /// Generic schema: timestamp column name (default `"ts"`).
    pub timestamp_column: Option<String>,
    /// Generic schema: unit of integer timestamps, `"ns" | "us" | "ms" | "s"` (default `"ns"`).
    pub timestamp_unit: Option<String>,
    /// Generic schema: IANA zone of naive datetimes (default UTC).
    pub naive_time_zone: Option<String>,
    /// Generic schema: symbol column; absent = every row is `defaultSymbol`.
    pub symbol_column: Option<String>,
    /// Generic schema: symbol used without a symbol column (default `"DEFAULT"`).
    pub default_symbol: Option<String>,
    /// Inclusive start of the time filter, ns UTC.
    pub start_ns: Option<BigInt>,
    /// Exclusive end of the time filter, ns UTC.
    pub end_ns: Option<BigInt>,
    /// `"error"` (default) or `"sort"`.
    pub on_unsorted: Option<String>,
    /// `"error"` (default) or `"keepLast"`.
    pub on_duplicate: Option<String>,
    /// Share one copy per process with other stores opened with `share` (default false).
    pub share: Option<bool>,
}

impl JsIngestOptions {
    /// Validates and converts to core options.
    pub fn into_core(self) -> JsResult<IngestOptions> {
        let schema = match self.schema.as_deref().unwrap_or("databento") {
            "databento" => Schema::Databento,
            "generic" => Schema::Generic(GenericSchema {
                timestamp_column: self.timestamp_column.unwrap_or_else(|| "ts".into()),
                integer_unit: time_unit(self.timestamp_unit.as_deref().unwrap_or("ns"))?,
                naive_time_zone: self.naive_time_zone,
                symbol_column: self.symbol_column,
                default_symbol: self.default_symbol.unwrap_or_else(|| "DEFAULT".into()),
            }),
            other => return Err(bad_argument("schema", format!("'{other}' is not \"databento\" or \"generic\""))),
        };
        let on_unsorted = match self.on_unsorted.as_deref().unwrap_or("error") {
            "error" => OnUnsorted::Error,
            "sort" => OnUnsorted::Sort,
            other => return Err(bad_argument("onUnsorted", format!("'{other}' is not \"error\" or \"sort\""))),
        };
        let on_duplicate = match self.on_duplicate.as_deref().unwrap_or("error") {
            "error" => OnDuplicate::Error,
            "keepLast" => OnDuplicate::KeepLast,
            other => return Err(bad_argument("onDuplicate", format!("'{other}' is not \"error\" or \"keepLast\""))),
        };
        Ok(IngestOptions {
            schema,
            start_ns: self.start_ns.map(|b| bigint_ns("startNs", &b)).transpose()?,
            end_ns: self.end_ns.map(|b| bigint_ns("endNs", &b)).transpose()?,
            on_unsorted,
            on_duplicate,
        })
    }
}

fn time_unit(s: &str) -> JsResult<TimeUnit> {
    Ok(match s {
        "ns" => TimeUnit::Nanoseconds,
        "us" => TimeUnit::Microseconds,
        "ms" => TimeUnit::Milliseconds,
        "s" => TimeUnit::Seconds,
        other => return Err(bad_argument("timestampUnit", format!("'{other}' is not one of ns, us, ms, s"))),
    })
}

/// An instrument from a DBN definition record (prices de-scaled; absent fields undefined there).
#[napi(object)]
pub struct JsInstrument {
    pub symbol: String,
    pub instrument_id: u32,
    pub dataset: String,
    /// Contract size (`unit_of_measure_qty`), e.g. 50 for ES.
    pub multiplier: Option<f64>,
    /// Minimum price increment, e.g. 0.25.
    pub tick_size: Option<f64>,
    pub currency: String,
    /// Expiration, ns since the epoch (UTC).
    pub expiration_ns: Option<BigInt>,
    /// `F` future, `K` stock, `C`/`P` option, ...
    pub instrument_class: String,
}

impl From<&Instrument> for JsInstrument {
    fn from(i: &Instrument) -> Self {
        Self {
            symbol: i.symbol.clone(),
            instrument_id: i.instrument_id,
            dataset: i.dataset.clone(),
            multiplier: i.multiplier,
            tick_size: i.tick_size,
            currency: i.currency.clone(),
            expiration_ns: i.expiration_ns.map(BigInt::from),
            instrument_class: i.instrument_class.clone(),
        }
    }
}

/// How `writeDbn` writes (defaults: GLBX.MDP3, ohlcv-1m, zstd).
#[napi(object)]
#[derive(Default)]
pub struct JsDbnWriteOptions {
    pub dataset: Option<String>,
    /// `"ohlcv-1s" | "ohlcv-1m" | "ohlcv-1h" | "ohlcv-1d"`.
    pub schema: Option<String>,
    pub zstd: Option<bool>,
}

impl JsDbnWriteOptions {
    /// Converts to core options.
    pub fn into_core(self) -> DbnWriteOptions {
        let d = DbnWriteOptions::default();
        DbnWriteOptions {
            dataset: self.dataset.unwrap_or(d.dataset),
            schema: self.schema.unwrap_or(d.schema),
            zstd: self.zstd.unwrap_or(d.zstd),
        }
    }
}

/// Resample anchor options (defaults: America/New_York, 18:00).
#[napi(object)]
#[derive(Default)]
pub struct JsResampleOptions {
    /// IANA zone of the anchor.
    pub time_zone: Option<String>,
    /// Minutes after local midnight at which the trading day starts.
    pub day_anchor_minutes: Option<u32>,
}

impl JsResampleOptions {
    /// Converts to core options.
    pub fn into_core(self) -> ResampleOptions {
        let d = ResampleOptions::default();
        ResampleOptions {
            time_zone: self.time_zone.unwrap_or(d.time_zone),
            day_anchor_minutes: self.day_anchor_minutes.unwrap_or(d.day_anchor_minutes),
        }
    }
}

/// A BigInt of ns as i64.
pub fn bigint_ns(name: &str, b: &BigInt) -> JsResult<i64> {
    let (value, lossless) = b.get_i64();
    if !lossless {
        return Err(bad_argument(name, "BigInt does not fit in i64 ns"));
    }
    Ok(value)
}

/// One symbol's columns as typed arrays viewing the store's memory (no copy). Each view keeps the
/// symbol's columns alive until V8 collects it, so views stay valid after `dispose()`.
#[napi(object)]
pub struct JsColumns {
    /// Bar open times, ns UTC.
    pub timestamps: BigInt64Array,
    /// Bar open times, ms UTC (exact for whole ms).
    pub times_ms: Float64Array,
    pub open: Float64Array,
    pub high: Float64Array,
    pub low: Float64Array,
    pub close: Float64Array,
    /// Volumes as f64 (exact below 2^53).
    pub volume: Float64Array,
}

impl JsColumns {
    /// Views over `bars`' columns.
    pub fn view(bars: &Arc<SymbolBars>) -> Self {
        Self {
            timestamps: external_i64(bars, bars.ts()),
            times_ms: external_f64(bars, bars.ts_ms()),
            open: external_f64(bars, bars.price(0)),
            high: external_f64(bars, bars.price(1)),
            low: external_f64(bars, bars.price(2)),
            close: external_f64(bars, bars.price(3)),
            volume: external_f64(bars, bars.volume()),
        }
    }
}

#[allow(unsafe_code, reason = "zero-copy views: V8 reads the store's memory, freed by V8's finalizer")]
fn external_f64(owner: &Arc<SymbolBars>, data: &[f64]) -> Float64Array {
    let keep = owner.clone();
    // SAFETY: `data` points into polars buffers owned by `keep`; they are immutable and live until
    // `keep` is dropped, which happens only in the finalizer V8 calls when the ArrayBuffer is collected.
    unsafe { Float64Array::with_external_data(data.as_ptr().cast_mut(), data.len(), move |_, _| drop(keep)) }
}

#[allow(unsafe_code, reason = "as in `external_f64`")]
fn external_i64(owner: &Arc<SymbolBars>, data: &[i64]) -> BigInt64Array {
    let keep = owner.clone();
    // SAFETY: as in `external_f64`.
    unsafe { BigInt64Array::with_external_data(data.as_ptr().cast_mut(), data.len(), move |_, _| drop(keep)) }
}
