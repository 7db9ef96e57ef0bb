//! Seeded, deterministic generator of DataBento-schema 1-minute futures bars (MES-like): CME Globex
//! hours in America/New_York, exchange holidays, quiet minutes without a bar, quarterly contracts and
//! a roll. Same spec → identical bars → byte-identical parquet.

mod calendar;
pub mod rng;

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use polars::prelude::*;

use crate::error::{Result, StoreError};
use calendar::{contract_for, globex_open, roll_instant, Contract};
use rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    /// Seed of the price path and the gaps.
    pub seed: u64,
    /// First calendar day (ET) to cover.
    pub start: NaiveDate,
    /// Day after the last one covered (ET, exclusive).
    pub end: NaiveDate,
    /// Contract root, e.g. "MES".
    pub root: String,
    /// Starting price of the front contract.
    pub start_price: f64,
    /// Tick size (0.25 for MES).
    pub tick: f64,
}

impl Default for SampleSpec {
    fn default() -> Self {
        Self {
            seed: 42,
            start: NaiveDate::from_ymd_opt(2023, 12, 17).expect("valid date"),
            end: NaiveDate::from_ymd_opt(2024, 1, 13).expect("valid date"),
            root: "MES".into(),
            start_price: 4_750.0,
            tick: 0.25,
        }
    }
}

/// Rows of the DataBento OHLCV-1m schema, in (ts_event, symbol) order.
#[derive(Debug, Default)]
pub struct SampleRows {
    /// Bar open times, ns since the Unix epoch, UTC.
    pub ts_event: Vec<i64>,
    /// DataBento instrument id of each row's contract.
    pub instrument_id: Vec<u32>,
    /// Open prices in index points (on the tick grid, not fixed-point).
    pub open: Vec<f64>,
    /// High prices.
    pub high: Vec<f64>,
    /// Low prices.
    pub low: Vec<f64>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Contracts traded in the minute.
    pub volume: Vec<u64>,
    /// DataBento raw symbol of the contract, e.g. `MESH4`.
    pub symbol: Vec<String>,
}

/// Days before the roll on which the next contract also trades.
const OVERLAP_DAYS: i64 = 8;
/// The next contract trades this many ticks above the front (carry).
const CARRY_TICKS: i64 = 64;

/// Generates the bars of `spec`.
///
/// # Errors
/// `ERR_ARGUMENT` when `start >= end`, the tick is not positive or the start price is not on the tick grid.
pub fn generate(spec: &SampleSpec) -> Result<SampleRows> {
    check_spec(spec)?;
    let mut rng = Rng::new(spec.seed);
    let mut rows = SampleRows::default();
    let mut level = (spec.start_price / spec.tick).round() as i64;
    let start = local_midnight_ns(spec.start);
    let end = local_midnight_ns(spec.end);
    let minute = 60_000_000_000_i64;
    let mut t = start;
    while t < end {
        let local = DateTime::from_timestamp_nanos(t).with_timezone(&New_York).naive_local();
        if globex_open(local) {
            let rth = is_regular_hours(local);
            let quiet =
                !rth && local.time() < chrono::NaiveTime::from_hms_opt(6, 0, 0).expect("time") && rng.chance(0.03);
            let step = rng.ticks(if rth { 3 } else { 1 });
            if !quiet {
                let front = contract_for(&spec.root, t);
                emit(&mut rows, &mut rng, spec, front, t, level, step, rth, 0);
                let next = front.next();
                if t >= roll_instant(front) - OVERLAP_DAYS * 1_440 * minute && rng.chance(0.7) {
                    emit(&mut rows, &mut rng, spec, next, t, level, step, rth, CARRY_TICKS);
                }
            }
            level += step;
        }
        t += minute;
    }
    Ok(rows)
}

fn check_spec(spec: &SampleSpec) -> Result<()> {
    if spec.start >= spec.end {
        return Err(StoreError::argument("end", format!("{} is not after start {}", spec.end, spec.start)));
    }
    if !spec.tick.is_finite() || spec.tick <= 0.0 {
        return Err(StoreError::argument("tick", format!("{} is not a positive tick size", spec.tick)));
    }
    if ((spec.start_price / spec.tick).round() * spec.tick - spec.start_price).abs() > 1e-9 || spec.start_price <= 0.0 {
        return Err(StoreError::argument(
            "startPrice",
            format!("{} is not a positive multiple of the tick", spec.start_price),
        ));
    }
    Ok(())
}

/// One bar of `contract` moving from `level` by `step` ticks (plus `carry` ticks of basis).
#[allow(clippy::too_many_arguments)]
fn emit(
    rows: &mut SampleRows,
    rng: &mut Rng,
    spec: &SampleSpec,
    contract: Contract<'_>,
    t: i64,
    level: i64,
    step: i64,
    rth: bool,
    carry: i64,
) {
    let open = level + carry + if rng.chance(0.1) { rng.ticks(1) } else { 0 };
    let close = level + carry + step;
    let high = open.max(close) + rng.below(if rth { 4 } else { 2 }) as i64;
    let low = open.min(close) - rng.below(if rth { 4 } else { 2 }) as i64;
    let base_volume = if rth { 400 } else { 40 } / if carry > 0 { 8 } else { 1 };
    rows.ts_event.push(t);
    rows.instrument_id.push(contract.instrument_id());
    rows.open.push(open as f64 * spec.tick);
    rows.high.push(high as f64 * spec.tick);
    rows.low.push(low as f64 * spec.tick);
    rows.close.push(close as f64 * spec.tick);
    rows.volume.push(1 + base_volume + rng.below(base_volume * 2));
    rows.symbol.push(contract.databento_symbol());
}

/// 09:30–16:00 ET on a weekday.
fn is_regular_hours(local: chrono::NaiveDateTime) -> bool {
    let minutes = local.time().signed_duration_since(chrono::NaiveTime::MIN).num_minutes();
    (570..960).contains(&minutes)
}

fn local_midnight_ns(date: NaiveDate) -> i64 {
    New_York
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .and_then(|d| d.timestamp_nanos_opt())
        .expect("midnight exists in New York")
}

/// Writes `rows` as DataBento-schema parquet (snappy, statistics on, no wall-clock metadata) and
/// returns the number of rows written.
///
/// # Errors
/// `ERR_IO` when the file cannot be written.
pub fn write_parquet(rows: SampleRows, path: &Path) -> Result<u64> {
    let io = |reason: String| StoreError::Io { path: path.to_owned(), reason };
    let n = rows.ts_event.len();
    let mut df = DataFrame::new(
        n,
        vec![
            Int64Chunked::from_vec("ts_event".into(), rows.ts_event)
                .into_datetime(TimeUnit::Nanoseconds, Some(polars::prelude::TimeZone::UTC))
                .into_column(),
            Column::new("rtype".into(), vec![33u8; n]),
            Column::new("publisher_id".into(), vec![1u16; n]),
            Column::new("instrument_id".into(), rows.instrument_id),
            Column::new("open".into(), rows.open),
            Column::new("high".into(), rows.high),
            Column::new("low".into(), rows.low),
            Column::new("close".into(), rows.close),
            Column::new("volume".into(), rows.volume),
            Column::new("symbol".into(), rows.symbol),
        ],
    )
    .map_err(|e| io(e.to_string()))?;
    let file = std::fs::File::create(path).map_err(|e| io(e.to_string()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(|e| io(e.to_string()))?;
    Ok(n as u64)
}
