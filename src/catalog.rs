//! `NativeCatalog`: the JS class over a core `Catalog` (lazy symbols under a memory budget), and the
//! catalog writers (`buildCatalog`, `generateStocks`). Conversion only; all logic is in the core.

use std::path::Path;
use std::sync::Arc;

use ferrobt_core::catalog::{build_catalog, generate_stocks, Catalog, CatalogStats, Load, StockSpec};
use napi::bindgen_prelude::{BigInt, BigInt64ArraySlice, Float64ArraySlice, Object};
use napi::Env;
use napi_derive::napi;

use crate::conversion::{JsIngestOptions, JsInstrument};
use crate::error::{bad_argument, guard, guard_js, to_js, Code};
use napi::Result;

/// Counters of a catalog (bytes and counts as doubles; `budgetBytes` absent when unlimited).
#[napi(object)]
pub struct JsCatalogStats {
    pub symbols: f64,
    pub files: f64,
    pub catalog_bytes: f64,
    pub budget_bytes: Option<f64>,
    pub loads: f64,
    pub evictions: f64,
    pub bytes_read: f64,
    pub footer_bytes_read: f64,
    pub files_skipped: f64,
    pub resident_symbols: f64,
    pub bytes_resident: f64,
    pub peak_bytes_resident: f64,
}

impl From<CatalogStats> for JsCatalogStats {
    fn from(s: CatalogStats) -> Self {
        Self {
            symbols: s.symbols as f64,
            files: s.files as f64,
            catalog_bytes: s.catalog_bytes as f64,
            budget_bytes: s.budget_bytes.map(|b| b as f64),
            loads: s.loads as f64,
            evictions: s.evictions as f64,
            bytes_read: s.bytes_read as f64,
            footer_bytes_read: s.footer_bytes_read as f64,
            files_skipped: s.files_skipped as f64,
            resident_symbols: s.resident_symbols as f64,
            bytes_resident: s.bytes_resident as f64,
            peak_bytes_resident: s.peak_bytes_resident as f64,
        }
    }
}

/// What the footers say of a symbol without reading it.
#[napi(object)]
pub struct JsFooterSpan {
    /// Rows in the files overlapping the time range.
    pub rows: f64,
    /// First `ts_event` of those files, ns UTC.
    pub first_ns: BigInt,
    /// Last `ts_event` of those files, ns UTC.
    pub last_ns: BigInt,
}

/// A symbol's time chunks: the catalog-wide index of the first, and each one's first and last bar
/// open from the footers, ms UTC, widened to whole ms (-Infinity/Infinity when unknown).
#[napi(object)]
pub struct JsChunks {
    pub first: u32,
    pub first_ms: Vec<f64>,
    pub last_ms: Vec<f64>,
}

/// The reply of `load` and `loadChunk`: the bars as typed arrays V8 owns (copies), whether they came
/// from disk, and what was evicted to make room.
fn load_reply<'env>(env: &'env Env, load: Load) -> Result<Object<'env>, Code> {
    let js = |e: napi::Error| napi::Error::new(Code("ERR_INTERNAL"), e.reason.clone());
    let bars = &load.bars;
    let mut out = Object::new(env).map_err(js)?;
    out.set("timestamps", BigInt64ArraySlice::copy_from(env, bars.ts()).map_err(js)?).map_err(js)?;
    out.set("timesMs", Float64ArraySlice::copy_from(env, bars.ts_ms()).map_err(js)?).map_err(js)?;
    for (name, i) in [("open", 0), ("high", 1), ("low", 2), ("close", 3)] {
        out.set(name, Float64ArraySlice::copy_from(env, bars.price(i)).map_err(js)?).map_err(js)?;
    }
    out.set("volume", Float64ArraySlice::copy_from(env, bars.volume()).map_err(js)?).map_err(js)?;
    out.set("read", load.read).map_err(js)?;
    let ids = |v: Vec<usize>| v.into_iter().map(|i| i as u32).collect::<Vec<u32>>();
    out.set("evicted", ids(load.evicted)).map_err(js)?;
    out.set("evictedChunks", ids(load.evicted_chunks)).map_err(js)?;
    Ok(out)
}

/// A catalog held by Rust. It lists the files and counts the columns against the budget; the columns
/// themselves live in V8-owned typed arrays (see `load`), which V8 accounts for and frees itself.
#[napi(js_name = "NativeCatalog")]
pub struct JsCatalog {
    inner: Option<Arc<Catalog>>,
}

impl JsCatalog {
    fn catalog(&self) -> Result<&Arc<Catalog>, Code> {
        self.inner.as_ref().ok_or_else(|| napi::Error::new(Code("ERR_DISPOSED"), "the catalog was disposed"))
    }
}

#[napi]
impl JsCatalog {
    /// Lists the catalog at `dir` (layout and parquet footers; no bar read). `options`: the time range
    /// (`startNs`/`endNs`) and ordering policy of the ingest; `memoryBudgetBytes`: absent = unlimited.
    /// Errors: ERR_IO, ERR_LAYOUT, ERR_EMPTY, ERR_PARQUET, ERR_ARGUMENT, each naming the path.
    #[napi(factory, catch_unwind)]
    pub fn open(dir: String, options: Option<JsIngestOptions>, memory_budget_bytes: Option<f64>) -> Result<Self, Code> {
        let budget = match memory_budget_bytes {
            None => None,
            Some(b) if b.is_infinite() && b > 0.0 => None,
            Some(b) if b.is_finite() && b >= 1.0 => Some(b as u64),
            Some(b) => {
                return Err(bad_argument("memoryBudgetMb", format!("{b} bytes is not a budget (use a number above 0)")))
            }
        };
        let options = options.unwrap_or_default().into_core()?;
        let catalog = guard(|| Catalog::open(Path::new(&dir), &options, budget))?;
        Ok(Self { inner: Some(Arc::new(catalog)) })
    }

    /// Symbol names, ascending; a symbol's id is its position here.
    #[napi(catch_unwind)]
    pub fn symbols(&self) -> Result<Vec<String>, Code> {
        Ok(self.catalog()?.symbol_names())
    }

    /// The instruments of the DBN definition files in the catalog's `_definitions/` (one per symbol, ascending).
    #[napi(catch_unwind)]
    pub fn instruments(&self) -> Result<Vec<JsInstrument>, Code> {
        Ok(self.catalog()?.instruments().iter().map(JsInstrument::from).collect())
    }

    /// Marks symbol `id` used; true when its columns are resident (no load needed).
    #[napi(catch_unwind)]
    pub fn touch(&self, id: u32) -> Result<bool, Code> {
        Ok(self.catalog()?.touch(id as usize))
    }

    /// The columns of symbol `id`, loading them when not resident, as typed arrays V8 owns (copies:
    /// V8 frees them at its next collection once dropped, inside a synchronous run too, where the
    /// finalizers of external buffers would wait for the event loop); `read`: they came from disk;
    /// `evicted`: the ids of the symbols dropped to stay within the budget, whose copies the caller
    /// drops (`evictedChunks`: the chunks dropped). Errors: ERR_BUDGET, ERR_LAYOUT, the ingest's codes
    /// (naming the file), ERR_ARGUMENT.
    #[napi(
        catch_unwind,
        ts_return_type = "{ timestamps: BigInt64Array; timesMs: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array; read: boolean; evicted: number[]; evictedChunks: number[] }"
    )]
    pub fn load<'env>(&self, env: &'env Env, id: u32) -> Result<Object<'env>, Code> {
        let catalog = self.catalog()?;
        load_reply(env, guard(|| catalog.load_detached(id as usize))?)
    }

    /// The time chunks of symbol `id` (see `loadChunk`).
    #[napi(catch_unwind)]
    pub fn chunks(&self, id: u32) -> Result<JsChunks, Code> {
        let (first, chunks) = self.catalog()?.chunks(id as usize).map_err(to_js)?;
        let ms = |ns: i64, round_up: bool| match ns {
            i64::MIN => f64::NEG_INFINITY,
            i64::MAX => f64::INFINITY,
            _ if round_up => (ns.div_euclid(1_000_000) + i64::from(ns.rem_euclid(1_000_000) != 0)) as f64,
            _ => ns.div_euclid(1_000_000) as f64,
        };
        Ok(JsChunks {
            first: first as u32,
            first_ms: chunks.iter().map(|c| ms(c.first_ns, false)).collect(),
            last_ms: chunks.iter().map(|c| ms(c.last_ns, true)).collect(),
        })
    }

    /// Marks chunk `index` used; true when its columns are resident.
    #[napi(catch_unwind)]
    pub fn touch_chunk(&self, index: u32) -> Result<bool, Code> {
        Ok(self.catalog()?.touch_chunk(index as usize))
    }

    /// Counts chunk `index` as `bytes` from now on (never more than before): the caller kept only the
    /// part of its bars it still reads. False when the chunk is not resident.
    #[napi(catch_unwind)]
    pub fn shrink_chunk(&self, index: u32, bytes: f64) -> Result<bool, Code> {
        if !(bytes.is_finite() && bytes >= 0.0) {
            return Err(bad_argument("bytes", format!("{bytes} is not a byte count")));
        }
        Ok(self.catalog()?.shrink_chunk(index as usize, bytes as u64))
    }

    /// The columns of chunk `index`, as `load` gives a symbol's (copies V8 owns, loaded when not
    /// resident). Errors: ERR_BUDGET (the chunk alone exceeds the budget), as `load` otherwise.
    #[napi(
        catch_unwind,
        ts_return_type = "{ timestamps: BigInt64Array; timesMs: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array; read: boolean; evicted: number[]; evictedChunks: number[] }"
    )]
    pub fn load_chunk<'env>(&self, env: &'env Env, index: u32) -> Result<Object<'env>, Code> {
        let catalog = self.catalog()?;
        load_reply(env, guard(|| catalog.load_chunk(index as usize))?)
    }

    /// Rows and first/last times of symbol `id` from the footers, or null when they do not tell.
    #[napi(catch_unwind)]
    pub fn footer_span(&self, id: u32) -> Result<Option<JsFooterSpan>, Code> {
        let span = self.catalog()?.footer_span(id as usize).map_err(to_js)?;
        Ok(span.map(|(rows, first, last)| JsFooterSpan {
            rows: rows as f64,
            first_ns: BigInt::from(first),
            last_ns: BigInt::from(last),
        }))
    }

    /// The files of symbol `id` as listed.
    #[napi(catch_unwind)]
    pub fn files(&self, id: u32) -> Result<Vec<String>, Code> {
        let files = self.catalog()?.files(id as usize).map_err(to_js)?;
        Ok(files.files.iter().map(|f| f.path.to_string_lossy().into_owned()).collect())
    }

    /// Drops every resident symbol (views handed out stay valid); returns their ids.
    #[napi(catch_unwind)]
    pub fn evict_all(&self) -> Result<Vec<u32>, Code> {
        Ok(self.catalog()?.evict_all().into_iter().map(|i| i as u32).collect())
    }

    /// Loads, evictions, bytes read and resident.
    #[napi(getter, catch_unwind)]
    pub fn stats(&self) -> Result<JsCatalogStats, Code> {
        Ok(self.catalog()?.stats().into())
    }

    /// Releases the catalog now (views handed out stay valid). Idempotent.
    #[napi(catch_unwind)]
    pub fn dispose(&mut self) -> Result<(), Code> {
        guard_js(|| {
            self.inner = None;
            Ok(())
        })
    }
}

/// What `buildCatalog` wrote.
#[napi(object)]
pub struct JsBuildReport {
    pub inputs: Vec<String>,
    pub symbols: Vec<String>,
    pub files: f64,
    pub bars: f64,
    pub bytes: f64,
    /// DBN definition inputs copied into `_definitions/`.
    pub definitions: f64,
}

/// Converts `inputs` (paths or globs, parquet and DBN) into a catalog at the new or empty `out`.
/// Errors: the ingest's codes naming the input; ERR_ARGUMENT (non-empty out, overlapping inputs); ERR_IO.
#[napi(catch_unwind)]
pub fn build_catalog_files(
    inputs: Vec<String>,
    out: String,
    options: Option<JsIngestOptions>,
) -> Result<JsBuildReport, Code> {
    let options = options.unwrap_or_default().into_core()?;
    let r = guard(|| build_catalog(&inputs, Path::new(&out), &options))?;
    Ok(JsBuildReport {
        inputs: r.inputs,
        symbols: r.symbols,
        files: r.files as f64,
        bars: r.bars as f64,
        bytes: r.bytes as f64,
        definitions: r.definitions as f64,
    })
}

/// What to generate: `symbols` stocks over the sessions `[sessionOpenMs[i], sessionCloseMs[i])` (UTC ms).
#[napi(object)]
pub struct JsStockSpec {
    pub seed: Option<u32>,
    pub symbols: u32,
    pub session_open_ms: Vec<f64>,
    pub session_close_ms: Vec<f64>,
}

/// What `generateStocks` wrote.
#[napi(object)]
pub struct JsGenerateReport {
    pub symbols: Vec<String>,
    pub files: f64,
    pub bars: f64,
    pub bytes: f64,
}

/// Writes seeded stock minute bars into the new or empty `dir` as a catalog. Same spec → same bytes.
/// Errors: ERR_ARGUMENT (counts, sessions, a non-empty dir), ERR_IO.
#[napi(catch_unwind)]
pub fn generate_stocks_catalog(dir: String, spec: JsStockSpec) -> Result<JsGenerateReport, Code> {
    if spec.session_open_ms.len() != spec.session_close_ms.len() {
        return Err(bad_argument("sessions", "as many opens as closes are needed"));
    }
    let ns = |name: &str, ms: f64| -> Result<i64, Code> {
        if !ms.is_finite() || ms.fract() != 0.0 || ms.abs() > 9.2e15 {
            return Err(bad_argument(name, format!("{ms} is not a whole ms time")));
        }
        Ok(ms as i64 * 1_000_000)
    };
    let sessions = spec
        .session_open_ms
        .iter()
        .zip(&spec.session_close_ms)
        .map(|(&o, &c)| Ok((ns("sessionOpenMs", o)?, ns("sessionCloseMs", c)?)))
        .collect::<Result<Vec<_>, Code>>()?;
    let core = StockSpec { seed: u64::from(spec.seed.unwrap_or(42)), symbols: spec.symbols as usize, sessions };
    let r = guard(|| generate_stocks(&core, Path::new(&dir)))?;
    Ok(JsGenerateReport { symbols: r.symbols, files: r.files as f64, bars: r.bars as f64, bytes: r.bytes as f64 })
}
