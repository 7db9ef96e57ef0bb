// Catalog: many symbols without loading them all. A directory of bar files (hive-partitioned or one
// file per symbol) listed without reading bars; each symbol read on first use; least recently used
// symbols dropped to keep the loaded columns within a memory budget. A DataSource like the store.

import type { DataSource } from "../data/DataSource.js";
import { argumentError, checkString, FerrobtError } from "../errors.js";
import { type NativeCatalog, native } from "../native.js";
import { rangeNs, type TimeInput } from "../time.js";
import type { Instrument, OpenOptions } from "./BarStore.js";
import { handleOf, type SymbolHandle, SymbolQueries } from "./queries.js";

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
  /** Symbols read from disk (first uses and reloads after eviction). */
  readonly loads: number;
  /** Symbols dropped to stay within the budget. */
  readonly evictions: number;
  /** Bytes of data files read by loads. */
  readonly bytesRead: number;
  /** Bytes read to list the catalog (parquet footers). */
  readonly footerBytesRead: number;
  /** Files a load skipped: their year partition or footer statistics lie outside start..end. */
  readonly filesSkipped: number;
  /** Symbols whose columns the catalog holds now. */
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
      const { evicted, read: _, ...cols } = raw.load(id);
      for (const e of evicted) this.handles.delete(this.names[e]);
      h = handleOf(cols);
      this.handles.set(symbol, h);
    }
    this.lastSymbol = symbol;
    this.lastHandle = h;
    return h;
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

  /** True when `symbol`'s columns are loaded now (does not count as a use). */
  isResident(symbol: string): boolean {
    return this.handles.has(symbol);
  }

  /** Drops every loaded symbol now (views handed out stay valid). */
  evictAll(): void {
    this.raw.evictAll();
    this.handles.clear();
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
 * empty): `symbol=NAME/year=YYYY/part-NNNNN.parquet`, one part per input and UTC year. Inputs are read
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
