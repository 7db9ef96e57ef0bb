//! `NativeBarStore`: the JS class over a core `BarStore`. Conversion only; all logic is in the core.

use std::sync::Arc;

use ferrobt_core::{open_formats, open_shared, write_dbn, BarStore, Formats, IngestReport, Timeframe};
use napi::bindgen_prelude::ObjectFinalize;
use napi::Env;
use napi_derive::napi;

use crate::conversion::{JsColumns, JsDbnWriteOptions, JsIngestOptions, JsInstrument, JsResampleOptions};
use crate::error::{guard, guard_js, to_js, Code};
use napi::Result;

/// What ingest did, as JS sees it.
#[napi(object)]
pub struct JsIngestReport {
    pub files: Vec<String>,
    pub rows_read: f64,
    pub symbols_sorted: f64,
    pub duplicates_dropped: f64,
    /// True when `share` found the store already in memory (no file was read by this open).
    pub reused: bool,
}

/// A bar store held by Rust. Its size is reported to V8 as external memory until `dispose()` or GC.
#[napi(js_name = "NativeBarStore", custom_finalize)]
pub struct JsBarStore {
    inner: Option<Arc<BarStore>>,
    /// What ingest did (empty for a resampled store).
    report: IngestReport,
    /// This open reused a shared store.
    reused: bool,
    reported_bytes: i64,
}

impl ObjectFinalize for JsBarStore {
    fn finalize(self, env: Env) -> Result<()> {
        if self.reported_bytes != 0 {
            env.adjust_external_memory(-self.reported_bytes)?;
        }
        Ok(())
    }
}

impl JsBarStore {
    /// Opens `paths` reading `formats`, through the shared registry when the options say `share`.
    fn open_as(env: &Env, paths: &[String], options: Option<JsIngestOptions>, formats: Formats) -> Result<Self, Code> {
        let options = options.unwrap_or_default();
        let share = options.share.unwrap_or(false);
        let options = options.into_core()?;
        if share {
            let shared = guard(|| open_shared(paths, &options, formats))?;
            return Ok(Self::wrap(env, shared.store, shared.report, shared.reused));
        }
        let (store, report) = guard(|| open_formats(paths, &options, formats))?;
        Ok(Self::wrap(env, Arc::new(store), report, false))
    }

    fn wrap(env: &Env, store: Arc<BarStore>, report: IngestReport, reused: bool) -> Self {
        let bytes = store.byte_size() as i64;
        let reported_bytes = env.adjust_external_memory(bytes).map(|_| bytes).unwrap_or(0);
        Self { inner: Some(store), report, reused, reported_bytes }
    }

    fn store(&self) -> Result<&Arc<BarStore>, Code> {
        self.inner.as_ref().ok_or_else(|| napi::Error::new(Code("ERR_DISPOSED"), "the store was disposed"))
    }

    fn symbol(&self, id: u32) -> Result<&Arc<ferrobt_core::SymbolBars>, Code> {
        self.store()?.bars(id as usize).map_err(to_js)
    }
}

#[napi]
impl JsBarStore {
    /// Reads parquet files (paths or globs) synchronously; with `share`, returns the live store of an
    /// earlier shared open of the same files and options in this process (any thread) instead.
    ///
    /// Errors carry `code`: ERR_IO, ERR_PARQUET, ERR_EMPTY, ERR_SCHEMA, ERR_NULL, ERR_NOT_FINITE,
    /// ERR_HIGH_LOW, ERR_NEGATIVE_VOLUME, ERR_TIMESTAMP_RANGE, ERR_UNSORTED, ERR_DUPLICATE, ERR_ARGUMENT.
    #[napi(factory, catch_unwind)]
    pub fn open_parquet(env: Env, paths: Vec<String>, options: Option<JsIngestOptions>) -> Result<Self, Code> {
        Self::open_as(&env, &paths, options, Formats::Parquet)
    }

    /// Reads parquet and DBN files (`.dbn`, `.dbn.zst`) alike, each told by its content; `share` as in
    /// `openParquet`. Errors as `openParquet`, plus ERR_DBN (truncated, corrupt, unsupported DBN).
    #[napi(factory, catch_unwind)]
    pub fn open(env: Env, paths: Vec<String>, options: Option<JsIngestOptions>) -> Result<Self, Code> {
        Self::open_as(&env, &paths, options, Formats::Any)
    }

    /// Reads DBN files only (a parquet file is ERR_DBN); otherwise as `open`.
    #[napi(factory, catch_unwind)]
    pub fn open_dbn(env: Env, paths: Vec<String>, options: Option<JsIngestOptions>) -> Result<Self, Code> {
        Self::open_as(&env, &paths, options, Formats::Dbn)
    }

    /// The instruments of the DBN definition files read (one per symbol, ascending).
    #[napi(catch_unwind)]
    pub fn instruments(&self) -> Result<Vec<JsInstrument>, Code> {
        self.store()?;
        Ok(self.report.instruments.iter().map(JsInstrument::from).collect())
    }

    /// Writes every bar as DBN OHLCV records (zstd-compressed unless `zstd: false`); returns the count.
    /// Errors: ERR_IO (cannot write), ERR_ARGUMENT (schema, or data DBN cannot hold).
    #[napi(catch_unwind)]
    pub fn write_dbn(&self, path: String, options: Option<JsDbnWriteOptions>) -> Result<f64, Code> {
        let store = self.store()?.clone();
        let options = options.unwrap_or_default().into_core();
        guard(|| write_dbn(&store, std::path::Path::new(&path), &options).map(|n| n as f64))
    }

    /// Symbol names, ascending; a symbol's id is its position here.
    #[napi(catch_unwind)]
    pub fn symbols(&self) -> Result<Vec<String>, Code> {
        Ok(self.store()?.symbol_names())
    }

    /// The id of `symbol` (ERR_UNKNOWN_SYMBOL if absent).
    #[napi(catch_unwind)]
    pub fn symbol_id(&self, symbol: String) -> Result<u32, Code> {
        Ok(self.store()?.symbol_id(&symbol).map_err(to_js)? as u32)
    }

    /// Zero-copy typed-array views over every column of a symbol.
    #[napi(catch_unwind)]
    pub fn columns(&self, symbol_id: u32) -> Result<JsColumns, Code> {
        let bars = self.symbol(symbol_id)?;
        guard(|| Ok(JsColumns::view(bars)))
    }

    /// The store resampled to `timeframe` ("5m", "1h", "1d", ...), cached per timeframe and options.
    #[napi(catch_unwind)]
    pub fn resample(
        &self,
        env: Env,
        timeframe: String,
        options: Option<JsResampleOptions>,
    ) -> Result<JsBarStore, Code> {
        let store = self.store()?.clone();
        let options = options.unwrap_or_default().into_core();
        let resampled = guard(|| store.resample(Timeframe::parse(&timeframe)?, &options))?;
        // The bars change, the instruments do not.
        let report = IngestReport { instruments: self.report.instruments.clone(), ..IngestReport::default() };
        Ok(Self::wrap(&env, resampled, report, false))
    }

    /// What ingest did (files, rows, sorted symbols, dropped duplicates; whether a shared store was reused).
    #[napi(getter, catch_unwind)]
    pub fn report(&self) -> Result<JsIngestReport, Code> {
        self.store()?;
        let r = &self.report;
        Ok(JsIngestReport {
            files: r.files.clone(),
            rows_read: r.rows_read as f64,
            symbols_sorted: r.symbols_sorted as f64,
            duplicates_dropped: r.duplicates_dropped as f64,
            reused: self.reused,
        })
    }

    /// Bytes held by the columns.
    #[napi(getter, catch_unwind)]
    pub fn byte_size(&self) -> Result<f64, Code> {
        Ok(self.store()?.byte_size() as f64)
    }

    /// Releases the store now (views already handed out stay valid). Idempotent.
    #[napi(catch_unwind)]
    pub fn dispose(&mut self, env: Env) -> Result<(), Code> {
        guard_js(|| {
            self.inner = None;
            if self.reported_bytes != 0 {
                let _ = env.adjust_external_memory(-self.reported_bytes);
                self.reported_bytes = 0;
            }
            Ok(())
        })
    }
}
