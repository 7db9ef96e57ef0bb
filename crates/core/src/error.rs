//! The one error type of the core; every variant carries a stable code that the binding exposes to JS.

use std::path::PathBuf;

/// Result alias used throughout the core.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything that can go wrong in the core. Messages name the file, column and first bad row
/// (0-based, counted in the file as stored) wherever they apply.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be opened or read: missing, a directory, no permission.
    #[error("{path}: {reason}")]
    Io {
        /// The file or glob pattern.
        path: PathBuf,
        /// What the operating system or the glob expansion said.
        reason: String,
    },
    /// The file exists but is not readable parquet (truncated, another format, corrupt).
    #[error("{path}: not a readable parquet file: {reason}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The first inconsistency found (column, row group, byte offset where known).
        reason: String,
    },
    /// The file is not readable DBN (DataBento's binary encoding): truncated, a corrupt zstd frame,
    /// a damaged header or record, an unsupported DBN version, or not DBN at all.
    #[error("{path}: not a readable DBN file: {reason}")]
    Dbn {
        /// The file.
        path: PathBuf,
        /// What the decoder found, with the record (0-based, in file order) where known.
        reason: String,
    },
    /// The file (or the selected time range) holds no rows.
    #[error("{path}: {reason}")]
    Empty {
        /// The file (the first one read when the time range selected nothing in any).
        path: PathBuf,
        /// Which of the two cases it is.
        reason: String,
    },
    /// A required column is missing or has a type the schema does not allow.
    #[error("{path}: column '{column}': {reason}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// The column's name as the schema expects it.
        column: String,
        /// What is wrong: missing, or the type found and the types allowed.
        reason: String,
    },
    /// A value is invalid: null, NaN or infinite price, high < low, negative volume.
    #[error("{path}: column '{column}', row {row}: {reason}")]
    Value {
        /// The file.
        path: PathBuf,
        /// The column holding the value.
        column: String,
        /// The first bad row, 0-based, in the file as stored.
        row: u64,
        /// One of [`value_code`] or `ERR_TIMESTAMP_RANGE`.
        code: &'static str,
        /// The value and why it is refused.
        reason: String,
    },
    /// Timestamps of one symbol go backwards (and the ordering policy says `error`).
    #[error("{path}: column '{column}', row {row}: timestamps of symbol '{symbol}' are not ascending ({reason}); pass onUnsorted: \"sort\" to sort instead")]
    Unsorted {
        /// The file holding the row that goes backwards.
        path: PathBuf,
        /// The timestamp column.
        column: String,
        /// The first row that goes backwards, 0-based.
        row: u64,
        /// The symbol whose timestamps go backwards.
        symbol: String,
        /// The two timestamps (ns UTC) out of order.
        reason: String,
    },
    /// Two bars of one symbol share a timestamp (and the ordering policy says `error`).
    #[error("{path}: column '{column}', row {row}: duplicate timestamp {ts} ns for symbol '{symbol}'; pass onDuplicate: \"keepLast\" to drop earlier copies instead")]
    Duplicate {
        /// The file holding the repeated row.
        path: PathBuf,
        /// The timestamp column.
        column: String,
        /// The first repeated row, 0-based.
        row: u64,
        /// The symbol with two bars at one instant.
        symbol: String,
        /// The shared timestamp, ns UTC.
        ts: i64,
    },
    /// A query named a symbol the store does not hold.
    #[error("unknown symbol '{0}'")]
    UnknownSymbol(String),
    /// An argument is out of its domain (negative length, NaN time, bad option).
    #[error("argument '{name}': {reason}")]
    Argument {
        /// The argument's name as JS spells it (`length`, `timeZone`, ...).
        name: String,
        /// The value and its domain.
        reason: String,
    },
    /// A catalog directory is not laid out as a catalog: a directory that is not `symbol=NAME` or
    /// `year=YYYY`, a file that is not parquet or DBN, two files claiming one symbol, a file holding
    /// another symbol's bars than its place says.
    #[error("{path}: {reason}")]
    Layout {
        /// The file or directory at fault.
        path: PathBuf,
        /// What is wrong and what the catalog expects there.
        reason: String,
    },
    /// One symbol's bars alone need more memory than a catalog's budget.
    #[error("symbol '{symbol}' needs {needed} bytes ({needed_mib:.2} MiB: {bars} bars × 56 bytes) but the catalog's memory budget is {budget} bytes ({budget_mib:.2} MiB); raise memoryBudgetMb or narrow start/end")]
    Budget {
        /// The symbol that does not fit.
        symbol: String,
        /// Bytes its columns need.
        needed: u64,
        /// `needed` in MiB (2^20 bytes).
        needed_mib: f64,
        /// Its bars in the catalog's time range.
        bars: u64,
        /// The budget, bytes.
        budget: u64,
        /// `budget` in MiB.
        budget_mib: f64,
    },
    /// A timeframe string could not be parsed.
    #[error("unknown timeframe '{0}': use N minutes (\"1m\", \"5m\", \"15m\"), hours (\"1h\", \"4h\") or \"1d\"")]
    Timeframe(String),
    /// A failure inside polars that is not attributable to the input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    /// The stable code JS sees as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "ERR_IO",
            Self::Parquet { .. } => "ERR_PARQUET",
            Self::Dbn { .. } => "ERR_DBN",
            Self::Empty { .. } => "ERR_EMPTY",
            Self::Schema { .. } => "ERR_SCHEMA",
            Self::Value { code, .. } => code,
            Self::Unsorted { .. } => "ERR_UNSORTED",
            Self::Duplicate { .. } => "ERR_DUPLICATE",
            Self::UnknownSymbol(_) => "ERR_UNKNOWN_SYMBOL",
            Self::Argument { .. } => "ERR_ARGUMENT",
            Self::Layout { .. } => "ERR_LAYOUT",
            Self::Budget { .. } => "ERR_BUDGET",
            Self::Timeframe(_) => "ERR_TIMEFRAME",
            Self::Internal(_) => "ERR_INTERNAL",
        }
    }

    /// Shorthand for an argument error.
    pub fn argument(name: &str, reason: impl Into<String>) -> Self {
        Self::Argument { name: name.to_owned(), reason: reason.into() }
    }
}

impl From<polars::prelude::PolarsError> for StoreError {
    /// A polars failure not attributable to the input.
    fn from(e: polars::prelude::PolarsError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The text of a caught panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Codes of [`StoreError::Value`], one per kind of bad value.
pub mod value_code {
    /// A null in a required column.
    pub const NULL: &str = "ERR_NULL";
    /// NaN or ±Inf in a price column.
    pub const NOT_FINITE: &str = "ERR_NOT_FINITE";
    /// `high < low`.
    pub const HIGH_LOW: &str = "ERR_HIGH_LOW";
    /// A negative volume.
    pub const NEGATIVE_VOLUME: &str = "ERR_NEGATIVE_VOLUME";
}
