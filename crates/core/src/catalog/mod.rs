//! A lazy catalog of many symbols under a memory budget. Opening lists the symbols from the directory
//! layout and the parquet footers without reading a bar; a symbol's bars are read on first use through
//! the ingest (its validation, time filter pushed into the parquet scan, only the files whose
//! partition or footer statistics overlap the time range), and the least recently used symbols are
//! evicted when the loaded columns would exceed the budget. Evicted bars stay alive while anyone still
//! holds them (they are reference-counted), so views handed out stay valid.
//!
//! A symbol also loads in time chunks ([`Catalog::load_chunk`]): one of its files each when the
//! footers show its files in time order without overlap (the writers here write a file per UTC month),
//! else all its files as one chunk. Chunks and whole symbols share the budget and the recency order,
//! so a strategy that reads every symbol's recent bars each day keeps about a month per symbol
//! resident instead of reloading whole symbols.
//!
//! Layouts: hive partitions `symbol=NAME/[year=YYYY/]*.parquet` (or `*.dbn`, `*.dbn.zst`), or one file
//! per symbol (`NAME.parquet`, the symbol taken from the footer's `symbol` statistics when present, else
//! the file name; `NAME.dbn.zst`). Files follow the DataBento column layout (`ts_event`, `open`..`close`,
//! `volume`, and `symbol`, which hive files may leave out). [`build_catalog`] writes the layout from
//! any files the store reads; [`generate_stocks`] writes seeded stock data in it.

mod build;
mod generate;
mod layout;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};

pub use build::{build_catalog, BuildReport};
pub use generate::{generate_stocks, GenerateReport, StockSpec};
pub use layout::{CatalogFile, FileFormat, SymbolFiles};

use crate::bars::{BarColumns, SymbolBars};
use crate::error::{Result, StoreError};
use crate::ingest::{
    open_files, read_definitions, validate_range, Formats, GenericSchema, IngestOptions, Instrument, Schema, TimeUnit,
    NO_ROWS_IN_RANGE,
};
use write::year_start_ns;

/// The catalog directory holding DBN instrument-definition files (skipped by the bar layout, as every
/// `_`-prefixed entry is).
pub const DEFINITIONS_DIR: &str = "_definitions";

/// Bytes a bar takes in memory: `ts` (i64), `ts_ms` (f64), four prices and the volume (f64).
pub const BYTES_PER_BAR: u64 = 56;

/// Counters of a catalog's work, for benches and monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CatalogStats {
    /// Symbols listed.
    pub symbols: u64,
    /// Data files listed.
    pub files: u64,
    /// Bytes of every data file listed, on disk.
    pub catalog_bytes: u64,
    /// The memory budget, bytes (`None`: unlimited).
    pub budget_bytes: Option<u64>,
    /// Loads from disk (a whole symbol or one chunk; first uses and reloads after eviction).
    pub loads: u64,
    /// Symbols and chunks evicted to stay within the budget.
    pub evictions: u64,
    /// Bytes of data files read from disk by loads (whole files; files outside the time range are skipped).
    pub bytes_read: u64,
    /// Bytes read from disk to open the catalog (parquet footers, definition files).
    pub footer_bytes_read: u64,
    /// Files skipped by a load because their partition or footer statistics lie outside the time range.
    pub files_skipped: u64,
    /// Symbols and chunks whose columns the catalog holds (or counts) now.
    pub resident_symbols: u64,
    /// Bytes of the columns the catalog holds now (never above the budget).
    pub bytes_resident: u64,
    /// Highest `bytes_resident` so far.
    pub peak_bytes_resident: u64,
    /// Bytes of evicted symbols' columns still alive because callers hold them ([`Catalog::load`]
    /// only: the bars of [`Catalog::load_detached`] belong to the caller).
    pub bytes_evicted_alive: u64,
}

/// What loads and evicts as one: a whole symbol (by id) or one time chunk (by its index in the catalog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Unit {
    Symbol(usize),
    Chunk(usize),
}

/// A time slice of one symbol's bars that loads and evicts as one (see the module docs).
#[derive(Debug, Clone)]
pub struct Chunk {
    /// The symbol's id.
    pub symbol: usize,
    /// Its files (of those overlapping the catalog's time range).
    pub files: Vec<CatalogFile>,
    /// First `ts_event` its files' statistics give, ns UTC (`i64::MIN` when the chunk is all of a
    /// symbol's files and they do not tell).
    pub first_ns: i64,
    /// Last `ts_event` its files' statistics give, ns UTC (`i64::MAX` when they do not tell).
    pub last_ns: i64,
}

/// A symbol or chunk counted against the budget: its bars held here, or (for [`Catalog::load_detached`]) held
/// by the caller, which drops its copy when told the symbol was evicted.
#[derive(Debug)]
struct Resident {
    bars: Option<Arc<SymbolBars>>,
    /// Bytes of its columns.
    bytes: u64,
    /// Recency: the value of the use counter at its last use.
    used: u64,
}

#[derive(Debug, Default)]
struct State {
    resident: HashMap<Unit, Resident>,
    clock: u64,
    stats: CatalogStats,
    /// Evicted bars, to report what views still keep alive.
    evicted: Vec<Weak<SymbolBars>>,
}

/// What [`Catalog::load`] did.
#[derive(Debug, Clone)]
pub struct Load {
    /// The symbol's bars (ascending, unique; empty when none lies in the time range).
    pub bars: Arc<SymbolBars>,
    /// True when they were read from disk by this call (false: they were resident).
    pub read: bool,
    /// Ids of the symbols evicted to make room, oldest use first.
    pub evicted: Vec<usize>,
    /// Indices of the chunks evicted to make room, oldest use first.
    pub evicted_chunks: Vec<usize>,
}

/// A directory of bar files read one symbol at a time under a memory budget (see the module docs).
/// Shareable across threads; loads are serialised.
#[derive(Debug)]
pub struct Catalog {
    root: PathBuf,
    symbols: Vec<SymbolFiles>,
    by_name: HashMap<String, usize>,
    options: IngestOptions,
    budget: Option<u64>,
    instruments: Vec<Instrument>,
    /// Every symbol's chunks, by symbol id then time.
    chunks: Vec<Chunk>,
    /// Symbol id → index of its first chunk (one more entry: the number of chunks).
    first_chunk: Vec<usize>,
    state: Mutex<State>,
}

impl Catalog {
    /// Lists the catalog at `root` (layout and parquet footers; no bar is read). `options` gives the
    /// time range kept (`start_ns`/`end_ns`: the backtest window plus its warm-up) and the ordering
    /// policy; its schema is ignored (catalog files follow DataBento's). `budget_bytes`: the most the
    /// catalog's columns may take (`None`: unlimited).
    ///
    /// # Errors
    /// `ERR_IO` (missing, not a directory), `ERR_LAYOUT` (a directory or file out of place, two files
    /// of one symbol in a flat layout), `ERR_EMPTY` (no data file, a 0-byte file), `ERR_PARQUET` (an
    /// unreadable footer), `ERR_ARGUMENT` (start not before end, a zero budget); each naming the path.
    pub fn open(root: &Path, options: &IngestOptions, budget_bytes: Option<u64>) -> Result<Self> {
        validate_range(options)?;
        if budget_bytes == Some(0) {
            return Err(StoreError::argument("memoryBudgetMb", "must be above 0"));
        }
        let listing = layout::list(root)?;
        let (instruments, definition_bytes) = read_instruments(root)?;
        let by_name = listing.symbols.iter().enumerate().map(|(i, s)| (s.symbol.clone(), i)).collect();
        let stats = CatalogStats {
            symbols: listing.symbols.len() as u64,
            files: listing.symbols.iter().map(|s| s.files.len() as u64).sum(),
            catalog_bytes: listing.symbols.iter().flat_map(|s| &s.files).map(|f| f.len).sum(),
            budget_bytes,
            footer_bytes_read: listing.footer_bytes + definition_bytes,
            ..CatalogStats::default()
        };
        let mut catalog = Self {
            root: root.to_owned(),
            symbols: listing.symbols,
            by_name,
            options: options.clone(),
            budget: budget_bytes,
            instruments,
            chunks: Vec::new(),
            first_chunk: vec![0],
            state: Mutex::new(State { stats, ..State::default() }),
        };
        for id in 0..catalog.symbols.len() {
            let chunks = chunks_of(id, catalog.selected(id)?);
            catalog.chunks.extend(chunks);
            catalog.first_chunk.push(catalog.chunks.len());
        }
        Ok(catalog)
    }

    /// The chunks of symbol `id`, in time order (none when no file overlaps the time range), and the
    /// index of the first.
    ///
    /// # Errors
    /// `ERR_ARGUMENT` for an id out of range.
    pub fn chunks(&self, id: usize) -> Result<(usize, &[Chunk])> {
        self.files(id)?;
        let (first, end) = (self.first_chunk[id], self.first_chunk[id + 1]);
        Ok((first, &self.chunks[first..end]))
    }

    /// The instruments of the DBN definition files in `_definitions/` (one per symbol, its last
    /// definition in file order; ascending by symbol); empty without them.
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// The catalog's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Symbol names, ascending (a symbol's id is its position).
    pub fn symbol_names(&self) -> Vec<String> {
        self.symbols.iter().map(|s| s.symbol.clone()).collect()
    }

    /// The id of `symbol`.
    ///
    /// # Errors
    /// `ERR_UNKNOWN_SYMBOL`.
    pub fn symbol_id(&self, symbol: &str) -> Result<usize> {
        self.by_name.get(symbol).copied().ok_or_else(|| StoreError::UnknownSymbol(symbol.to_owned()))
    }

    /// The files of symbol `id`, as listed.
    ///
    /// # Errors
    /// `ERR_ARGUMENT` for an id out of range.
    pub fn files(&self, id: usize) -> Result<&SymbolFiles> {
        self.symbols
            .get(id)
            .ok_or_else(|| StoreError::argument("symbolId", format!("{id} is not a symbol id of this catalog")))
    }

    /// What the footers say of symbol `id` without reading it: rows in the files overlapping the time
    /// range and the first and last `ts_event` (ns UTC) of those files, or `None` when a file has no
    /// statistics (DBN, or parquet written without them). Bounds are the files', not clipped to the range.
    ///
    /// # Errors
    /// `ERR_ARGUMENT` for an id out of range.
    pub fn footer_span(&self, id: usize) -> Result<Option<(u64, i64, i64)>> {
        let files = self.selected(id)?;
        let mut span: Option<(u64, i64, i64)> = None;
        for f in files {
            let (Some(rows), Some((lo, hi))) = (f.rows, f.ts_range_ns) else { return Ok(None) };
            span = Some(span.map_or((rows, lo, hi), |(r, a, b)| (r + rows, a.min(lo), b.max(hi))));
        }
        Ok(span)
    }

    /// Marks symbol `id` used; true when it is resident (its bars need no load).
    pub fn touch(&self, id: usize) -> bool {
        self.touch_unit(Unit::Symbol(id))
    }

    /// Marks chunk `index` used; true when it is resident.
    pub fn touch_chunk(&self, index: usize) -> bool {
        self.touch_unit(Unit::Chunk(index))
    }

    /// Counts chunk `index` as `bytes` from now on (never more than before): its caller kept only the
    /// part of its bars it still reads. False when the chunk is not resident.
    pub fn shrink_chunk(&self, index: usize, bytes: u64) -> bool {
        let mut state = self.lock();
        let Some(r) = state.resident.get_mut(&Unit::Chunk(index)) else { return false };
        let freed = r.bytes.saturating_sub(bytes);
        r.bytes -= freed;
        state.stats.bytes_resident -= freed;
        true
    }

    fn touch_unit(&self, unit: Unit) -> bool {
        let mut state = self.lock();
        state.clock += 1;
        let clock = state.clock;
        state.resident.get_mut(&unit).map(|r| r.used = clock).is_some()
    }

    /// The bars of symbol `id`, read from disk unless resident; evicts least recently used symbols first
    /// so the resident columns stay within the budget.
    ///
    /// # Errors
    /// `ERR_BUDGET` when the symbol alone needs more than the budget (checked from the footers before
    /// reading when they tell, else once read); `ERR_LAYOUT` when a file holds bars of another symbol
    /// than its place in the catalog says; every ingest error (`ERR_PARQUET`, `ERR_DBN`, value and
    /// ordering codes), naming the file; `ERR_ARGUMENT` for an id out of range.
    pub fn load(&self, id: usize) -> Result<Load> {
        self.load_as(Unit::Symbol(id), true)
    }

    /// [`Self::load`] for a caller that keeps its own copy of the bars (the JS binding copies them
    /// into memory V8 owns and frees): the catalog counts them against the budget as resident but does
    /// not hold them, and the caller drops its copy of every symbol listed in [`Load::evicted`].
    ///
    /// # Errors
    /// As [`Self::load`].
    pub fn load_detached(&self, id: usize) -> Result<Load> {
        self.load_as(Unit::Symbol(id), false)
    }

    /// The bars of chunk `index` (see [`Self::chunks`]), as [`Self::load_detached`] gives a symbol's:
    /// the caller keeps the copy and drops it when told the chunk was evicted.
    ///
    /// # Errors
    /// As [`Self::load`]; `ERR_BUDGET` names the chunk's first file when the chunk alone exceeds the
    /// budget; `ERR_ARGUMENT` for an index out of range.
    pub fn load_chunk(&self, index: usize) -> Result<Load> {
        self.load_as(Unit::Chunk(index), false)
    }

    fn load_as(&self, unit: Unit, keep: bool) -> Result<Load> {
        let (id, files, what) = match unit {
            Unit::Symbol(id) => (id, self.selected(id)?, self.symbols[id].symbol.clone()),
            Unit::Chunk(index) => {
                let chunk = self.chunks.get(index).ok_or_else(|| {
                    StoreError::argument("chunk", format!("{index} is not a chunk index of this catalog"))
                })?;
                let name = &self.symbols[chunk.symbol].symbol;
                let what = match chunk.files.first() {
                    Some(f) if chunk.files.len() == 1 => format!("{name}' in chunk '{}", f.path.display()),
                    _ => name.clone(),
                };
                (chunk.symbol, chunk.files.clone(), what)
            }
        };
        let mut state = self.lock();
        state.clock += 1;
        let clock = state.clock;
        if let Some(r) = state.resident.get_mut(&unit) {
            if let Some(bars) = &r.bars {
                r.used = clock;
                return Ok(Load { bars: bars.clone(), read: false, evicted: Vec::new(), evicted_chunks: Vec::new() });
            }
            // Counted but held by a caller that asks again: read it anew (its count replaced).
            Self::forget(&mut state, unit);
        }
        let mut evicted = Vec::new();
        // Room first, from the footers' row counts when every file lies wholly inside the time range
        // (then they are exact), so reading does not push the resident bytes over the budget.
        if let (Some(budget), Some(rows)) = (self.budget, self.exact_rows(&files)) {
            let needed = rows * BYTES_PER_BAR;
            if needed > budget {
                return Err(self.over_budget(&what, rows, budget));
            }
            self.evict_for(&mut state, needed, budget, &mut evicted);
        }
        let skipped = match unit {
            Unit::Symbol(_) => (self.symbols[id].files.len() - files.len()) as u64,
            Unit::Chunk(_) => 0,
        };
        let bars = self.read(id, &files)?;
        state.stats.bytes_read += files.iter().map(|f| f.len).sum::<u64>();
        state.stats.files_skipped += skipped;
        state.stats.loads += 1;
        let size = bars.byte_size() as u64;
        if let Some(budget) = self.budget {
            if size > budget {
                return Err(self.over_budget(&what, bars.len() as u64, budget));
            }
            self.evict_for(&mut state, size, budget, &mut evicted);
        }
        state.resident.insert(unit, Resident { bars: keep.then(|| bars.clone()), bytes: size, used: clock });
        let stats = &mut state.stats;
        stats.bytes_resident += size;
        stats.resident_symbols += 1;
        stats.peak_bytes_resident = stats.peak_bytes_resident.max(stats.bytes_resident);
        let (mut symbols, mut chunks) = (Vec::new(), Vec::new());
        for unit in evicted {
            match unit {
                Unit::Symbol(id) => symbols.push(id),
                Unit::Chunk(index) => chunks.push(index),
            }
        }
        Ok(Load { bars, read: true, evicted: symbols, evicted_chunks: chunks })
    }

    /// Drops every resident symbol and chunk (views handed out stay valid); returns the symbols' ids.
    pub fn evict_all(&self) -> Vec<usize> {
        let mut state = self.lock();
        let units: Vec<Unit> = state.resident.keys().copied().collect();
        for &unit in &units {
            Self::evict(&mut state, unit);
        }
        units.into_iter().filter_map(|u| if let Unit::Symbol(id) = u { Some(id) } else { None }).collect()
    }

    /// The counters so far.
    pub fn stats(&self) -> CatalogStats {
        let mut state = self.lock();
        state.evicted.retain(|w| w.strong_count() > 0);
        let alive: u64 = state.evicted.iter().filter_map(Weak::upgrade).map(|b| b.byte_size() as u64).sum();
        state.stats.bytes_evicted_alive = alive;
        state.stats
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent between statements; a panic mid-load leaves at worst a stale counter.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The files of symbol `id` that may hold bars in the time range: a `year=` partition or footer
    /// statistics outside it rule a file out.
    fn selected(&self, id: usize) -> Result<Vec<CatalogFile>> {
        let (start, end) = (self.options.start_ns, self.options.end_ns);
        let overlaps =
            |lo: i64, hi_inclusive: i64| start.is_none_or(|s| hi_inclusive >= s) && end.is_none_or(|e| lo < e);
        Ok(self
            .files(id)?
            .files
            .iter()
            .filter(|f| f.year.is_none_or(|y| overlaps(year_start_ns(y), year_start_ns(y + 1) - 1)))
            .filter(|f| f.ts_range_ns.is_none_or(|(lo, hi)| overlaps(lo, hi)))
            .cloned()
            .collect())
    }

    /// Rows `files` will give when the footers say so exactly: every file's row count known and its
    /// statistics wholly inside the time range.
    fn exact_rows(&self, files: &[CatalogFile]) -> Option<u64> {
        let (start, end) = (self.options.start_ns, self.options.end_ns);
        files.iter().try_fold(0u64, |sum, f| {
            let rows = f.rows?;
            let inside = match (start, end) {
                (None, None) => true,
                _ => f.ts_range_ns.is_some_and(|(lo, hi)| start.is_none_or(|s| lo >= s) && end.is_none_or(|e| hi < e)),
            };
            inside.then_some(sum + rows)
        })
    }

    /// Evicts least recently used symbols until `needed` more bytes fit in `budget`.
    fn evict_for(&self, state: &mut State, needed: u64, budget: u64, evicted: &mut Vec<Unit>) {
        while state.stats.bytes_resident + needed > budget {
            let Some(oldest) = state.resident.iter().min_by_key(|(_, r)| r.used).map(|(&u, _)| u) else { break };
            Self::evict(state, oldest);
            evicted.push(oldest);
        }
    }

    fn evict(state: &mut State, unit: Unit) {
        if let Some(bars) = Self::forget(state, unit) {
            state.stats.evictions += 1;
            state.evicted.retain(|w| w.strong_count() > 0);
            if let Some(bars) = bars {
                state.evicted.push(Arc::downgrade(&bars));
            }
        }
    }

    /// Removes `unit` from the resident set; returns its entry's bars (`Some(None)`: counted only).
    fn forget(state: &mut State, unit: Unit) -> Option<Option<Arc<SymbolBars>>> {
        let r = state.resident.remove(&unit)?;
        state.stats.bytes_resident -= r.bytes;
        state.stats.resident_symbols -= 1;
        Some(r.bars)
    }

    fn over_budget(&self, symbol: &str, bars: u64, budget: u64) -> StoreError {
        let needed = bars * BYTES_PER_BAR;
        let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
        StoreError::Budget {
            symbol: symbol.to_owned(),
            needed,
            needed_mib: mib(needed),
            bars,
            budget,
            budget_mib: mib(budget),
        }
    }

    /// Reads symbol `id`'s `files` through the ingest and checks they hold that symbol only.
    fn read(&self, id: usize, files: &[CatalogFile]) -> Result<Arc<SymbolBars>> {
        let symbol = &self.symbols[id].symbol;
        let empty = || Arc::new(SymbolBars::from_columns(symbol.clone(), BarColumns::default()));
        if files.is_empty() {
            return Ok(empty());
        }
        let with_column = files.iter().filter(|f| f.has_symbol_column).count();
        let schema = if with_column == files.len() {
            Schema::Databento
        } else if with_column == 0 {
            // Hive files without a symbol column: every row is the partition's symbol.
            Schema::Generic(GenericSchema {
                timestamp_column: "ts_event".into(),
                integer_unit: TimeUnit::Nanoseconds,
                naive_time_zone: None,
                symbol_column: None,
                default_symbol: symbol.clone(),
            })
        } else {
            let odd = files.iter().find(|f| !f.has_symbol_column).map(|f| f.path.clone()).unwrap_or_default();
            return Err(StoreError::Layout {
                path: odd,
                reason: format!("has no `symbol` column while other files of '{symbol}' have one"),
            });
        };
        let options = IngestOptions { schema, ..self.options.clone() };
        let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        let store = match open_files(&paths, &options, Formats::Any) {
            Ok((store, _)) => store,
            Err(StoreError::Empty { reason, .. })
                if reason == NO_ROWS_IN_RANGE && (options.start_ns.is_some() || options.end_ns.is_some()) =>
            {
                return Ok(empty());
            }
            Err(e) => return Err(e),
        };
        let names = store.symbol_names();
        if names.len() != 1 || names[0] != *symbol {
            let found = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
            let culprit = self.file_holding_other(files, symbol, &options).unwrap_or_else(|| paths[0].clone());
            return Err(StoreError::Layout {
                path: culprit,
                reason: format!("holds bars of {found}, but its place in the catalog is symbol '{symbol}'"),
            });
        }
        Ok(store.bars(0)?.clone())
    }

    /// The first of `files` holding a symbol other than `symbol` (read one by one; only for the message).
    fn file_holding_other(&self, files: &[CatalogFile], symbol: &str, options: &IngestOptions) -> Option<PathBuf> {
        files.iter().map(|f| f.path.clone()).find(|p| {
            open_files(std::slice::from_ref(p), options, Formats::Any)
                .is_ok_and(|(s, _)| s.symbol_names().iter().any(|n| n != symbol))
        })
    }
}

/// Symbol `id`'s `files` as chunks in time order: one a file when every file's statistics give its
/// time range and those ranges do not overlap, else one chunk of them all (their bounds unknown).
fn chunks_of(id: usize, mut files: Vec<CatalogFile>) -> Vec<Chunk> {
    if files.is_empty() {
        return Vec::new();
    }
    let ranges: Option<Vec<(i64, i64)>> = files.iter().map(|f| f.ts_range_ns).collect();
    if let Some(mut ranges) = ranges {
        ranges.sort_unstable();
        if ranges.windows(2).all(|w| w[0].1 < w[1].0) {
            files.sort_by_key(|f| f.ts_range_ns);
            return files
                .into_iter()
                .map(|f| {
                    let (first_ns, last_ns) = f.ts_range_ns.unwrap_or((i64::MIN, i64::MAX));
                    Chunk { symbol: id, files: vec![f], first_ns, last_ns }
                })
                .collect();
        }
    }
    vec![Chunk { symbol: id, files, first_ns: i64::MIN, last_ns: i64::MAX }]
}

/// The instruments of the definition files in `root/_definitions/` and the bytes read.
///
/// # Errors
/// As [`read_definitions`]; `ERR_LAYOUT` for a file there that holds bars.
fn read_instruments(root: &Path) -> Result<(Vec<Instrument>, u64)> {
    let dir = root.join(DEFINITIONS_DIR);
    if !dir.is_dir() {
        return Ok((Vec::new(), 0));
    }
    let io = |e: std::io::Error| StoreError::Io { path: dir.clone(), reason: e.to_string() };
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).map_err(io)?.map(|e| e.map(|e| e.path()).map_err(io)).collect::<Result<_>>()?;
    files.retain(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')));
    files.sort();
    let mut by_symbol = std::collections::BTreeMap::new();
    let mut bytes = 0;
    for path in files {
        let not_definitions = || StoreError::Layout {
            path: path.clone(),
            reason: format!("{DEFINITIONS_DIR}/ holds DBN instrument-definition files; this one holds bars"),
        };
        let defined = read_definitions(&path)?.ok_or_else(not_definitions)?;
        bytes += std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        by_symbol.extend(defined.into_iter().map(|i| (i.symbol.clone(), i)));
    }
    Ok((by_symbol.into_values().collect(), bytes))
}

#[cfg(test)]
mod tests;
