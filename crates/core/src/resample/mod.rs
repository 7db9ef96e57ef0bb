//! Resampling of minute bars into N-minute, hour and day bars with polars: left-closed,
//! left-labelled bins aligned to a trading-day anchor in a time zone.

mod timeframe;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;

pub use timeframe::Timeframe;

use crate::bars::SymbolBars;
use crate::error::{Result, StoreError};

const NS_PER_MINUTE: i64 = 60_000_000_000;
const NS_PER_DAY: i64 = 1_440 * NS_PER_MINUTE;

/// Where bins are anchored. Defaults suit CME futures: the trading day starts 18:00 America/New_York.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResampleOptions {
    /// IANA time zone of the anchor (wall clock).
    pub time_zone: String,
    /// Minutes after local midnight at which a trading day starts (0..1440); bins of every size are
    /// aligned to it, so day bars run from anchor to anchor.
    pub day_anchor_minutes: u32,
}

impl Default for ResampleOptions {
    fn default() -> Self {
        Self { time_zone: "America/New_York".into(), day_anchor_minutes: 18 * 60 }
    }
}

/// Resamples one symbol: open=first, high=max, low=min, close=last, volume=sum; empty bins vanish.
/// A bin's label is its start instant (ns UTC); the last bin holds whatever bars the data has.
///
/// # Errors
/// `ERR_ARGUMENT` for an unknown time zone or an anchor outside a day; `ERR_INTERNAL` if polars fails.
pub fn resample_bars(bars: &SymbolBars, timeframe: Timeframe, options: &ResampleOptions) -> Result<SymbolBars> {
    let labels = bin_labels(bars.ts(), timeframe, options)?;
    let mut df = bars.to_frame();
    df.with_column(Column::new("bin".into(), labels)).map_err(StoreError::from)?;
    let out = df
        .lazy()
        .group_by_stable([col("bin")])
        .agg([col("open").first(), col("high").max(), col("low").min(), col("close").last(), col("volume").sum()])
        .rename(["bin"], ["ts"], true)
        .sort(["ts"], SortMultipleOptions::default())
        .collect()
        .map_err(StoreError::from)?;
    SymbolBars::from_frame(bars.symbol().to_owned(), &out)
}

/// The bin start (ns UTC) of every timestamp.
fn bin_labels(ts: &[i64], timeframe: Timeframe, options: &ResampleOptions) -> Result<Vec<i64>> {
    let tz: Tz = options
        .time_zone
        .parse()
        .map_err(|_| StoreError::argument("timeZone", format!("unknown time zone '{}'", options.time_zone)))?;
    if options.day_anchor_minutes >= 1_440 {
        return Err(StoreError::argument(
            "dayAnchorMinutes",
            format!("{} is not within 0..1440", options.day_anchor_minutes),
        ));
    }
    let anchor = i64::from(options.day_anchor_minutes) * NS_PER_MINUTE;
    let width = i64::from(timeframe.minutes()) * NS_PER_MINUTE;
    let mut cache: Option<(i64, i64)> = None;
    let labels = ts
        .iter()
        .map(|&t| {
            let local = t + offset_ns(&tz, t);
            let day_start = (local - anchor).div_euclid(NS_PER_DAY) * NS_PER_DAY + anchor;
            let bin_local = day_start + (local - day_start).div_euclid(width).min(NS_PER_DAY / width) * width;
            match cache {
                Some((l, utc)) if l == bin_local => utc,
                _ => {
                    let utc = local_to_utc(&tz, bin_local).unwrap_or(bin_local - offset_ns(&tz, t));
                    cache = Some((bin_local, utc));
                    utc
                }
            }
        })
        .collect();
    Ok(labels)
}

/// UTC offset of `tz` at the instant `t_ns`, in ns.
fn offset_ns(tz: &Tz, t_ns: i64) -> i64 {
    let utc = DateTime::from_timestamp_nanos(t_ns).naive_utc();
    i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()) * 1_000_000_000
}

/// The UTC instant of a wall-clock time (earliest on a fold; `None` in a DST gap).
fn local_to_utc(tz: &Tz, local_ns: i64) -> Option<i64> {
    let naive = DateTime::from_timestamp_nanos(local_ns).naive_utc();
    tz.from_local_datetime(&naive).earliest().and_then(|d| d.timestamp_nanos_opt())
}
