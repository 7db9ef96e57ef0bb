//! One symbol's bars as contiguous polars columns, with binary-search slicing.

use polars::prelude::*;

use crate::error::{Result, StoreError};

/// The bars of one symbol, ascending and unique by timestamp. Every column is a single-chunk,
/// null-free polars array, so the hot paths read plain slices.
///
/// Units: `ts` = bar open, ns since the Unix epoch, UTC; `ts_ms` = the same instant in ms (f64, exact
/// for whole ms); prices as stored (already de-scaled); `volume` as f64 (exact below 2^53).
#[derive(Debug, Clone)]
pub struct SymbolBars {
    symbol: String,
    ts: Int64Chunked,
    ts_ms: Float64Chunked,
    prices: [Float64Chunked; 4],
    volume: Float64Chunked,
}

/// A plain-slice view of a range of bars; all slices have the same length.
#[derive(Debug, Clone, Copy)]
pub struct BarSlice<'a> {
    /// Bar open times, ns since the Unix epoch, UTC, ascending.
    pub ts: &'a [i64],
    /// Open prices (de-scaled, in the instrument's quote units).
    pub open: &'a [f64],
    /// High prices.
    pub high: &'a [f64],
    /// Low prices.
    pub low: &'a [f64],
    /// Close prices.
    pub close: &'a [f64],
    /// Volumes (contracts or shares) as f64, exact below 2^53.
    pub volume: &'a [f64],
}

/// Owned column vectors used to build [`SymbolBars`]; all vectors have the same length.
#[derive(Debug, Default, Clone)]
pub struct BarColumns {
    /// Bar open times, ns since the Unix epoch, UTC.
    pub ts: Vec<i64>,
    /// Open prices (de-scaled).
    pub open: Vec<f64>,
    /// High prices.
    pub high: Vec<f64>,
    /// Low prices.
    pub low: Vec<f64>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Volumes as f64 (exact below 2^53).
    pub volume: Vec<f64>,
}

impl BarColumns {
    /// Number of bars.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Appends bar `i` of `other`.
    pub fn push_from(&mut self, other: &BarColumns, i: usize) {
        self.ts.push(other.ts[i]);
        self.open.push(other.open[i]);
        self.high.push(other.high[i]);
        self.low.push(other.low[i]);
        self.close.push(other.close[i]);
        self.volume.push(other.volume[i]);
    }
}

impl SymbolBars {
    /// Moves the columns into polars arrays (no copy). Callers guarantee ascending unique `ts`.
    pub fn from_columns(symbol: String, c: BarColumns) -> Self {
        // Whole ms, then the ns remainder: exact for whole-ms times (`t as f64 / 1e6` is not: ns past
        // 2^53 round before the division, so 1704292320002000000 ns became 1704292320001.9998 ms).
        let ts_ms: Vec<f64> =
            c.ts.iter().map(|&t| t.div_euclid(1_000_000) as f64 + t.rem_euclid(1_000_000) as f64 / 1e6).collect();
        Self {
            symbol,
            ts: Int64Chunked::from_vec("ts".into(), c.ts),
            ts_ms: Float64Chunked::from_vec("ts_ms".into(), ts_ms),
            prices: [
                Float64Chunked::from_vec("open".into(), c.open),
                Float64Chunked::from_vec("high".into(), c.high),
                Float64Chunked::from_vec("low".into(), c.low),
                Float64Chunked::from_vec("close".into(), c.close),
            ],
            volume: Float64Chunked::from_vec("volume".into(), c.volume),
        }
    }

    /// Rebuilds from a frame with the columns `ts` (i64 ns UTC, ascending, unique) and `open, high,
    /// low, close, volume` (f64), e.g. a resample result.
    ///
    /// # Errors
    /// `ERR_INTERNAL` when a column is missing or has another type.
    pub fn from_frame(symbol: String, df: &DataFrame) -> Result<Self> {
        let f64s = |name: &str| -> Result<Vec<f64>> {
            let s = df.column(name).map_err(StoreError::from)?.f64().map_err(StoreError::from)?;
            Ok(s.into_no_null_iter().collect())
        };
        let ts =
            df.column("ts").map_err(StoreError::from)?.i64().map_err(StoreError::from)?.into_no_null_iter().collect();
        let columns = BarColumns {
            ts,
            open: f64s("open")?,
            high: f64s("high")?,
            low: f64s("low")?,
            close: f64s("close")?,
            volume: f64s("volume")?,
        };
        Ok(Self::from_columns(symbol, columns))
    }

    /// A polars frame over the same buffers (cheap: arrays are reference-counted).
    pub fn to_frame(&self) -> DataFrame {
        let cols: Vec<Column> = vec![
            self.ts.clone().into_series().into(),
            self.prices[0].clone().into_series().into(),
            self.prices[1].clone().into_series().into(),
            self.prices[2].clone().into_series().into(),
            self.prices[3].clone().into_series().into(),
            self.volume.clone().into_series().into(),
        ];
        DataFrame::new_infer_height(cols).expect("columns share one length")
    }

    /// The symbol these bars belong to.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Bar open times, ns UTC.
    pub fn ts(&self) -> &[i64] {
        self.ts.cont_slice().expect("single chunk, no nulls")
    }

    /// Bar open times, ms UTC (f64).
    pub fn ts_ms(&self) -> &[f64] {
        self.ts_ms.cont_slice().expect("single chunk, no nulls")
    }

    /// Price column by index: 0 open, 1 high, 2 low, 3 close.
    pub fn price(&self, i: usize) -> &[f64] {
        self.prices[i].cont_slice().expect("single chunk, no nulls")
    }

    /// Volumes.
    pub fn volume(&self) -> &[f64] {
        self.volume.cont_slice().expect("single chunk, no nulls")
    }

    /// Bytes held by the columns.
    pub fn byte_size(&self) -> usize {
        self.len() * 7 * 8
    }

    /// Number of bars with `ts < end_ns`: the exclusive end index of a window ending at `end_ns`.
    pub fn count_before(&self, end_ns: i64) -> usize {
        self.ts().partition_point(|&t| t < end_ns)
    }

    /// Number of bars with `ts <= at_ns`.
    pub fn count_at_or_before(&self, at_ns: i64) -> usize {
        self.ts().partition_point(|&t| t <= at_ns)
    }

    /// Index range of the window: bars with `ts < end_ns`, at most `length`, newest last.
    pub fn window_range(&self, end_ns: i64, length: usize) -> std::ops::Range<usize> {
        let end = self.count_before(end_ns);
        end.saturating_sub(length)..end
    }

    /// Index range of bars with `start_ns <= ts < end_ns`.
    pub fn between_range(&self, start_ns: i64, end_ns: i64) -> std::ops::Range<usize> {
        let start = self.count_before(start_ns);
        let end = self.count_before(end_ns).max(start);
        start..end
    }

    /// Index of the newest bar with `ts <= at_ns`, if any.
    pub fn last_index(&self, at_ns: i64) -> Option<usize> {
        self.count_at_or_before(at_ns).checked_sub(1)
    }

    /// Plain slices of a range.
    pub fn slice(&self, r: std::ops::Range<usize>) -> BarSlice<'_> {
        BarSlice {
            ts: &self.ts()[r.clone()],
            open: &self.price(0)[r.clone()],
            high: &self.price(1)[r.clone()],
            low: &self.price(2)[r.clone()],
            close: &self.price(3)[r.clone()],
            volume: &self.volume()[r],
        }
    }
}
