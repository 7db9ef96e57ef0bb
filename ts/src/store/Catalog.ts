// Catalog: many symbols without loading them all. A directory of bar files (hive-partitioned or one
// file per symbol) listed without reading bars; each symbol (or, for a backtest under a budget, each
// time chunk of it) read on first use; least recently used ones dropped to keep the loaded columns
// within a memory budget. A DataSource like the store.

import type { DataSource } from "../data/DataSource.js";
import { argumentError, checkString, FerrobtError } from "../errors.js";
import { type NativeCatalog, native } from "../native.js";
import { rangeNs, type TimeInput } from "../time.js";
import type { Instrument, OpenOptions } from "./BarStore.js";
import { Bars } from "./Bars.js";
import { handleOf, type SymbolHandle, SymbolQueries } from "./queries.js";
import { countAtOrBefore, countBefore, countBelow } from "./search.js";

/** How a catalog is opened. */
export interface CatalogOptions {
  /**
   * Most memory the loaded columns may take, in MiB (2^20 bytes; fractions allowed). Loading a symbol
   * that would exceed it first drops the least recently used symbols; a symbol that alone needs more
   * is ERR_BUDGET. Default: unlimited.
   */
  memoryBudgetMb?: number;
  /** Inclusive start of the bars kept: the backtest start minus its warm-up (pushed into the scan). */
  start?: TimeInput;
  /** Exclusive end of the bars kept. */
  end?: TimeInput;
  /** Out-of-order timestamps within a symbol: `"error"` (default, ERR_UNSORTED) or `"sort"`. */
  onUnsorted?: "error" | "sort";
  /** Repeated timestamps within a symbol: `"error"` (default, ERR_DUPLICATE) or `"keepLast"`. */
  onDuplicate?: "error" | "keepLast";
}

/** A catalog's counters (bytes and counts). */
export interface CatalogStats {
  /** Symbols listed. */
  readonly symbols: number;
  /** Data files listed. */
  readonly files: number;
  /** Bytes of all data files, on disk. */
  readonly catalogBytes: number;
  /** The budget in bytes (Infinity when unlimited). */
  readonly budgetBytes: number;
  /** Reads from disk: a whole symbol or one time chunk of it (first uses and reloads after eviction). */
  readonly loads: number;
  /** Symbols and chunks dropped to stay within the budget. */
  readonly evictions: number;
  /** Bytes of data files read by loads. */
  readonly bytesRead: number;
  /** Bytes read to list the catalog (parquet footers). */
  readonly footerBytesRead: number;
  /** Files a load skipped: their year partition or footer statistics lie outside start..end. */
  readonly filesSkipped: number;
  /** Symbols and chunks whose columns the catalog holds now. */
  readonly residentSymbols: number;
  /** Bytes of those columns (never above the budget; arrays of dropped symbols that callers still hold are not counted). */
  readonly bytesResident: number;
  /** Highest bytesResident so far. */
  readonly peakBytesResident: number;
}

/** What the parquet footers say of a symbol without reading its bars. */
export interface FooterSpan {
  /** Rows in the files overlapping start..end (all of them without a range). */
  readonly rows: number;
  /** First bar open of those files, ms UTC (not clipped to start..end). */
  readonly firstMs: number;
  /** Last bar open of those files, ms UTC. */
  readonly lastMs: number;
}

const MIB = 2 ** 20;

/**
 * A symbol's time chunks (a file each when its files are in time order without overlap: a month in
 * the catalogs ferrobt writes): the catalog-wide index of the first, and each chunk's first and last
 * bar open in ms UTC from the footers (widened to whole ms; ±Infinity when the files do not tell).
 */
interface ChunkTable {
  readonly first: number;
  readonly firstMs: Float64Array;
  readonly lastMs: Float64Array;
}

/** A resident chunk's view: all its bars, or (after a trim) its newest ones. */
interface ChunkHandle extends SymbolHandle {
  /** Open time of the newest bar a trim dropped, ms UTC (-Infinity: none dropped). */
  readonly droppedMs: number;
}

/** Bytes a loaded bar takes: seven 8-byte columns (ns and ms times, four prices, volume). */
const BYTES_PER_BAR = 56;

/**
 * A lazy catalog of bar files (see {@link BarStore.openCatalog}). Implements the engine's DataSource:
 * `columns(symbol)` loads the symbol when it is not resident. A load copies the bars once into typed
 * arrays V8 owns (not views of Rust memory, as the store's are): once the catalog drops a symbol and
 * no caller holds its arrays, V8's next collection frees them, also in the middle of a synchronous
 * backtest (the finalizers that free external buffers wait for the event loop). Arrays handed out
 * stay valid after eviction; the memory in use is the budget plus whatever arrays callers still hold.
 */
export class Catalog extends SymbolQueries implements DataSource {
  readonly name = "catalog";
  private readonly names: readonly string[];
  private readonly ids = new Map<string, number>();
  /** Views of the resident symbols (dropped when Rust evicts them, so they do not pin the memory). */
  private readonly handles = new Map<string, SymbolHandle>();
  private lastSymbol: string | undefined;
  private lastHandle: SymbolHandle | undefined;
  private readonly chunkTables = new Map<string, ChunkTable>();
  /** Views of the resident chunks, by catalog-wide chunk index. */
  private readonly chunkHandles = new Map<number, ChunkHandle>();
  /** Chunks read again because a query reached into what a trim had dropped: never trimmed again. */
  private readonly untrimmed = new Set<number>();

  /** {@link DataSource.evicts}: true under a finite memory budget. */
  readonly evicts: boolean;

  private constructor(private nativeCatalog: NativeCatalog | undefined) {
    super();
    this.names = nativeCatalog!.symbols();
    for (const [i, s] of this.names.entries()) this.ids.set(s, i);
    this.evicts = Number.isFinite(this.stats.budgetBytes);
  }

  /** Opens the catalog directory `dir` (blocking; lists it, reads no bar). See {@link BarStore.openCatalog}. */
  static openSync(dir: string, options: CatalogOptions = {}): Catalog {
    checkString("dir", dir);
    const { memoryBudgetMb, start, end, ...rest } = options;
    let budgetBytes: number | undefined;
    if (memoryBudgetMb !== undefined && memoryBudgetMb !== Number.POSITIVE_INFINITY) {
      if (typeof memoryBudgetMb !== "number" || !(memoryBudgetMb > 0) || !Number.isFinite(memoryBudgetMb)) {
        argumentError("memoryBudgetMb", `${String(memoryBudgetMb)} is not a number of MiB above 0`);
      }
      budgetBytes = Math.max(1, Math.floor(memoryBudgetMb * MIB));
    }
    const raw = native().NativeCatalog.open(dir, { ...rest, ...rangeNs({ start, end }) }, budgetBytes);
    return new Catalog(raw);
  }

  /** Same as {@link openSync}, resolving once listed. */
  static async open(dir: string, options: CatalogOptions = {}): Promise<Catalog> {
    return Catalog.openSync(dir, options);
  }

  private get raw(): NativeCatalog {
    if (!this.nativeCatalog) throw new FerrobtError("ERR_DISPOSED", "the catalog was disposed");
    return this.nativeCatalog;
  }

  /** Symbols listed, ascending (no bar is read). */
  symbols(): readonly string[] {
    if (!this.nativeCatalog) throw new FerrobtError("ERR_DISPOSED", "the catalog was disposed");
    return this.names;
  }

  /** True if the catalog holds `symbol`. */
  has(symbol: string): boolean {
    return this.ids.has(symbol);
  }

  private idOf(symbol: string): number {
    const id = this.ids.get(symbol);
    if (id === undefined) {
      checkString("symbol", symbol);
      const some = this.names.slice(0, 8).join(", ");
      throw new FerrobtError(
        "ERR_UNKNOWN_SYMBOL",
        `unknown symbol '${symbol}' (the catalog holds ${this.names.length}: ${some}${this.names.length > 8 ? ", ..." : ""})`,
      );
    }
    return id;
  }

  protected handle(symbol: string): SymbolHandle {
    if (symbol === this.lastSymbol && this.lastHandle && this.nativeCatalog) return this.lastHandle;
    const id = this.idOf(symbol);
    const raw = this.raw;
    let h = this.handles.get(symbol);
    // One crossing per change of symbol: it keeps Rust's recency order, and says if the symbol is still resident.
    if (!h || !raw.touch(id)) {
      // handleOf keeps the seven columns (one copy, of one shape) and drops the load's other fields.
      const loaded = raw.load(id);
      this.forget(loaded.evicted, loaded.evictedChunks);
      h = handleOf(loaded);
      this.handles.set(symbol, h);
    }
    this.lastSymbol = symbol;
    this.lastHandle = h;
    return h;
  }

  /** Drops the views of what Rust evicted. */
  private forget(symbols: readonly number[], chunks: readonly number[]): void {
    for (const e of symbols) {
      this.handles.delete(this.names[e]);
      if (this.names[e] === this.lastSymbol) this.lastSymbol = this.lastHandle = undefined;
    }
    for (const c of chunks) this.chunkHandles.delete(c);
  }

  private chunksOf(symbol: string): ChunkTable {
    let table = this.chunkTables.get(symbol);
    if (!table) {
      const c = this.raw.chunks(this.idOf(symbol));
      table = { first: c.first, firstMs: Float64Array.from(c.firstMs), lastMs: Float64Array.from(c.lastMs) };
      this.chunkTables.set(symbol, table);
    }
    return table;
  }

  /** The view of chunk `index`, loaded when not resident (one crossing: it keeps Rust's recency order). */
  private chunk(index: number): ChunkHandle {
    const h = this.chunkHandles.get(index);
    return h && this.raw.touchChunk(index) ? h : this.loadedChunk(index);
  }

  /** Chunk `index` read whole (again). */
  private loadedChunk(index: number): ChunkHandle {
    const loaded = this.raw.loadChunk(index);
    this.forget(loaded.evicted, loaded.evictedChunks);
    const h = { ...handleOf(loaded), droppedMs: Number.NEGATIVE_INFINITY };
    this.chunkHandles.set(index, h);
    return h;
  }

  /**
   * Keeps only bars [from, n) of resident chunk `index` (a copy; Rust counts only them from now on):
   * a query that reaches back only into the newest part of a chunk leaves the rest to be freed, so a
   * look-back that spans three chunks holds two and a tail. Later queries before the kept part read
   * the chunk again.
   */
  private trimmed(index: number, h: ChunkHandle, from: number): ChunkHandle {
    const c = h.cols;
    const cols = {
      timestamps: c.timestamps.slice(from),
      timesMs: c.timesMs.slice(from),
      open: c.open.slice(from),
      high: c.high.slice(from),
      low: c.low.slice(from),
      close: c.close.slice(from),
      volume: c.volume.slice(from),
    };
    const kept = { ...handleOf(cols), droppedMs: c.timesMs[from - 1] };
    this.raw.shrinkChunk(index, cols.timesMs.length * BYTES_PER_BAR);
    this.chunkHandles.set(index, kept);
    return kept;
  }

  /**
   * {@link DataSource.barRuns}: the newest `length` bars of `symbol` with fromMs <= ts < toMs (<= toMs
   * when `inclusive`) as views of the time chunks they lie in, oldest first, loading only those chunks
   * (newest first, stopping at the first that reaches back before fromMs). A symbol's chunks and its
   * whole columns ({@link columns}) are loaded and counted apart.
   */
  barRuns(symbol: string, fromMs: number, toMs: number, inclusive: boolean, length: number): Bars[] {
    const table = this.chunksOf(symbol);
    const runs: Bars[] = [];
    let remaining = length;
    // Chunks whose first bar may lie below toMs; the newest first.
    for (let k = countBelow(table.firstMs, toMs, inclusive) - 1; k >= 0 && remaining > 0; k--) {
      if (table.lastMs[k] < fromMs) break;
      const index = table.first + k;
      const upperIn = (h: ChunkHandle) =>
        toMs === Number.POSITIVE_INFINITY ? h.cols.timesMs.length : inclusive ? countAtOrBefore(h, toMs) : countBefore(h, toMs);
      let h = this.chunk(index);
      let upper = upperIn(h);
      // A trim dropped bars at or after fromMs, and the kept ones are too few: read the chunk again, for good.
      if (h.droppedMs !== Number.NEGATIVE_INFINITY && h.droppedMs >= fromMs && upper < remaining) {
        this.untrimmed.add(index);
        h = this.loadedChunk(index);
        upper = upperIn(h);
      }
      let lower = fromMs === Number.NEGATIVE_INFINITY ? 0 : countBefore(h, fromMs);
      // Under a budget, a chunk read only in its newer half keeps just that part.
      if (this.evicts && lower > h.cols.timesMs.length / 2 && !this.untrimmed.has(index)) {
        h = this.trimmed(index, h, lower);
        upper -= lower;
        lower = 0;
      }
      const take = Math.min(remaining, Math.max(0, upper - lower));
      if (take > 0) runs.push(new Bars(symbol, h.cols, upper - take, upper));
      remaining -= take;
      // Bars before fromMs here (or trimmed away, all before it): older chunks hold none of the run.
      if (lower > 0 || h.droppedMs > Number.NEGATIVE_INFINITY) break;
    }
    return runs.reverse();
  }

  /**
   * Rows and first/last bar of `symbol` from the parquet footers, without reading it; undefined when
   * the files do not tell (DBN, or parquet without statistics).
   */
  footerSpan(symbol: string): FooterSpan | undefined {
    const span = this.raw.footerSpan(this.idOf(symbol));
    if (!span) return undefined;
    const ms = (ns: bigint) => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
    return { rows: span.rows, firstMs: ms(span.firstNs), lastMs: ms(span.lastNs) };
  }

  /** {@link DataSource.span}: the footers' first and last bar, without loading the symbol. */
  span(symbol: string): FooterSpan | undefined {
    return this.footerSpan(symbol);
  }

  /**
   * The instruments of the DBN definition files in the catalog's `_definitions/` directory (one per
   * symbol, its last definition; ascending by symbol): multipliers and tick sizes. Empty without them.
   */
  instruments(): Instrument[] {
    return this.raw.instruments();
  }

  /** The files of `symbol`, as listed. */
  files(symbol: string): string[] {
    return this.raw.files(this.idOf(symbol));
  }

  /** True when `symbol`'s whole columns are loaded now (does not count as a use; chunks are apart). */
  isResident(symbol: string): boolean {
    return this.handles.has(symbol);
  }

  /** Drops every loaded symbol and chunk now (views handed out stay valid). */
  evictAll(): void {
    this.raw.evictAll();
    this.handles.clear();
    this.chunkHandles.clear();
    this.lastSymbol = this.lastHandle = undefined;
  }

  /** Loads, evictions, bytes read from disk and resident. */
  get stats(): CatalogStats {
    const s = this.raw.stats;
    return { ...s, budgetBytes: s.budgetBytes ?? Number.POSITIVE_INFINITY };
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.nativeCatalog === undefined;
  }

  /** Frees the catalog now. Views already handed out stay valid while referenced. Idempotent. */
  dispose(): void {
    this.handles.clear();
    this.chunkHandles.clear();
    this.untrimmed.clear();
    this.lastSymbol = this.lastHandle = undefined;
    this.nativeCatalog?.dispose();
    this.nativeCatalog = undefined;
  }
}

/** What {@link buildCatalog} wrote. */
export interface BuildReport {
  readonly inputs: string[];
  readonly symbols: string[];
  readonly files: number;
  readonly bars: number;
  readonly bytes: number;
  /** DBN instrument-definition inputs, copied unchanged into `_definitions/` (see {@link Catalog.instruments}). */
  readonly definitions: number;
}

/**
 * Converts bar files the store reads (parquet and DBN, paths or globs) into a catalog at `out` (new or
 * empty): `symbol=NAME/year=YYYY/part-NNNNN-MM.parquet`, one part per input and UTC month. Inputs are read
 * one at a time (each through the store's validation), so a symbol's bars must come in time order
 * across them. `start`/`end`, `onUnsorted`, `onDuplicate` and the parquet schema options apply as in
 * {@link BarStore.open}.
 */
export function buildCatalog(inputs: string | string[], out: string, options: Omit<OpenOptions, "share"> = {}): BuildReport {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) argumentError("inputs", "no input file given");
  for (const [i, p] of list.entries()) checkString(`inputs[${i}]`, p);
  checkString("out", out);
  const { start, end, ...rest } = options;
  return native().buildCatalogFiles(list, out, { ...rest, ...rangeNs({ start, end }) });
}
