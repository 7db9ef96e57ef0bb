//! Options that describe how parquet files are read: schema, time filter and ordering policy.

/// Which column layout the files follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// DataBento OHLCV: `ts_event` (bar open, ns UTC, integer or datetime), `open`..`close` as f64 or
    /// DataBento fixed-point i64 (units of 1e-9), `volume` (u64), `symbol`.
    Databento,
    /// Any OHLCV file with a named timestamp column and (optionally) a symbol column.
    Generic(GenericSchema),
}

/// Column names and timestamp unit of a generic OHLCV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericSchema {
    /// Name of the timestamp column (bar open time).
    pub timestamp_column: String,
    /// Unit of an integer timestamp column; ignored for datetime columns.
    pub integer_unit: TimeUnit,
    /// IANA zone used for naive (zone-less) datetime columns; `None` = UTC.
    pub naive_time_zone: Option<String>,
    /// Name of the symbol column; when `None`, every row belongs to `default_symbol`.
    pub symbol_column: Option<String>,
    /// Symbol used when there is no symbol column.
    pub default_symbol: String,
}

/// Unit of integer timestamps (counted from the Unix epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// 1e-9 s.
    Nanoseconds,
    /// 1e-6 s.
    Microseconds,
    /// 1e-3 s.
    Milliseconds,
    /// Whole seconds.
    Seconds,
}

impl TimeUnit {
    /// Nanoseconds per unit.
    pub fn nanos(self) -> i64 {
        match self {
            Self::Nanoseconds => 1,
            Self::Microseconds => 1_000,
            Self::Milliseconds => 1_000_000,
            Self::Seconds => 1_000_000_000,
        }
    }
}

/// What to do when a symbol's timestamps are out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnUnsorted {
    /// Fail with `ERR_UNSORTED` naming the first row that goes backwards (default).
    #[default]
    Error,
    /// Sort the symbol's bars by timestamp (stable) and count them in the report.
    Sort,
}

/// What to do when two bars of one symbol share a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Fail with `ERR_DUPLICATE` naming the first repeated row (default).
    #[default]
    Error,
    /// Keep the last row for each timestamp (file order) and count the dropped ones in the report.
    KeepLast,
}

/// All ingest options.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The files' column layout.
    pub schema: Schema,
    /// Inclusive start of the time filter, ns UTC, pushed down into the scan.
    pub start_ns: Option<i64>,
    /// Exclusive end of the time filter, ns UTC, pushed down into the scan.
    pub end_ns: Option<i64>,
    /// Policy for a symbol whose timestamps go backwards.
    pub on_unsorted: OnUnsorted,
    /// Policy for two bars of one symbol at one instant.
    pub on_duplicate: OnDuplicate,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            schema: Schema::Databento,
            start_ns: None,
            end_ns: None,
            on_unsorted: OnUnsorted::Error,
            on_duplicate: OnDuplicate::Error,
        }
    }
}
