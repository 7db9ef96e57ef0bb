// BarStore: the typed facade over the native polars-backed store (ingest, windows, last bar, resample).

import type { DataSource } from "../data/DataSource.js";
import { argumentError, checkCount, checkString, FerrobtError } from "../errors.js";
import { type NativeBarStore, native } from "../native.js";
import { rangeNs, type TimeInput } from "../time.js";
import { Catalog, type CatalogOptions } from "./Catalog.js";
import { handleOf, type SymbolHandle, SymbolQueries } from "./queries.js";

/**
 * How files are read. The schema options (`schema` and the generic ones) apply to parquet files; DBN
 * files carry their own layout. The time filter and the ordering policy apply to both.
 */
export interface OpenOptions {
  /** `"databento"` (default: ts_event, open..close, volume, symbol) or `"generic"`. */
  schema?: "databento" | "generic";
  /** Generic: timestamp column (default "ts"). */
  timestampColumn?: string;
  /** Generic: unit of an integer timestamp column (default "ns"). */
  timestampUnit?: "ns" | "us" | "ms" | "s";
  /** Generic: IANA zone of naive datetimes (default UTC). */
  naiveTimeZone?: string;
  /** Generic: symbol column; without it every row is `defaultSymbol`. */
  symbolColumn?: string;
  /** Generic: symbol used without a symbol column (default "DEFAULT"). */
  defaultSymbol?: string;
  /** Inclusive start of the time filter (pushed into the parquet scan). */
  start?: TimeInput;
  /** Exclusive end of the time filter. */
  end?: TimeInput;
  /** Out-of-order timestamps within a symbol: `"error"` (default, ERR_UNSORTED) or `"sort"`. */
  onUnsorted?: "error" | "sort";
  /** Repeated timestamps within a symbol: `"error"` (default, ERR_DUPLICATE) or `"keepLast"`. */
  onDuplicate?: "error" | "keepLast";
  /**
   * Share one copy per process: while any store opened with `share` from the same files (same paths,
   * sizes and modification times) and options is alive, in any worker thread, opening again returns a
   * view of it instead of reading the files a second time. Default false (each open reads the files).
   */
  share?: boolean;
}

/** Resampling anchor (defaults: the trading day starts 18:00 America/New_York, as CME futures). */
export interface ResampleOptions {
  timeZone?: string;
  /** Minutes after local midnight at which the trading day starts. */
  dayAnchorMinutes?: number;
}

/**
 * An instrument as a DBN definition record describes it (prices de-scaled by 1e-9). Fields the
 * definition leaves undefined are absent.
 */
export interface Instrument {
  /** The venue's raw symbol, e.g. "ESU4" (bars of the instrument carry the same name). */
  readonly symbol: string;
  /** DataBento's numeric instrument id. */
  readonly instrumentId: number;
  /** The dataset, e.g. "GLBX.MDP3". */
  readonly dataset: string;
  /** Contract size: units of the underlying per contract (`unit_of_measure_qty`: 50 for ES, 5 for MES). */
  readonly multiplier?: number;
  /** Minimum price increment in quote units (`min_price_increment`, e.g. 0.25). */
  readonly tickSize?: number;
  /** Currency of the prices, e.g. "USD" ("" when undefined). */
  readonly currency: string;
  /** Expiration, ns since the epoch (UTC). */
  readonly expirationNs?: bigint;
  /** DataBento instrument class: "F" future, "K" stock, "C"/"P" option, ... */
  readonly instrumentClass: string;
}

/** How {@link BarStore.writeDbn} writes. */
export interface DbnWriteOptions {
  /** The dataset named in the metadata (default "GLBX.MDP3"). */
  dataset?: string;
  /** The bar interval the records claim (default "ohlcv-1m"). */
  schema?: "ohlcv-1s" | "ohlcv-1m" | "ohlcv-1h" | "ohlcv-1d";
  /** zstd-compress (a `.dbn.zst`, as DataBento delivers files; default true). */
  zstd?: boolean;
}

/** What ingest did. */
export interface IngestReport {
  readonly files: string[];
  readonly rowsRead: number;
  readonly symbolsSorted: number;
  readonly duplicatesDropped: number;
  /** True when `share` found the store already in memory in this process (this open read no file). */
  readonly reused: boolean;
}

const TIMEFRAME = /^\s*(\d*)\s*(m|min|mins|minute|minutes|t|h|hr|hour|hours|d|day|days)\s*$/i;

/**
 * Bar store of one or more symbols. Times: bar open instants; number = ms UTC, bigint = ns UTC.
 * It is the engine's native DataSource: the columns are zero-copy views of polars' memory and
 * binary searches run in JS over them (no N-API crossing per query).
 */
export class BarStore extends SymbolQueries implements DataSource {
  readonly name = "native";
  private readonly handles = new Map<string, SymbolHandle>();
  /** The last symbol looked up (strategies query one symbol many times in a row). */
  private lastSymbol: string | undefined;
  private lastHandle: SymbolHandle | undefined;
  private readonly resampled = new Map<string, BarStore>();

  private constructor(private nativeStore: NativeBarStore | undefined) {
    super();
  }

  /**
   * Reads parquet and DataBento DBN files (`.dbn`, `.dbn.zst`; DBN v1–v3) alike, paths or globs,
   * each file told by its content; lists may mix them. DBN: OHLCV-1s/1m/1h/1d bars, symbols from the
   * metadata's symbology; definition files among the inputs supply {@link instruments}. Resolves once
   * the store is ready.
   */
  static async open(paths: string | string[], options: OpenOptions = {}): Promise<BarStore> {
    return BarStore.openSync(paths, options);
  }

  /** Same as {@link open}, blocking. */
  static openSync(paths: string | string[], options: OpenOptions = {}): BarStore {
    return BarStore.openWith("open", paths, options);
  }

  /** Reads DBN files only (a parquet file is ERR_DBN). Resolves once the store is ready. */
  static async openDbn(paths: string | string[], options: OpenOptions = {}): Promise<BarStore> {
    return BarStore.openDbnSync(paths, options);
  }

  /** Same as {@link openDbn}, blocking. */
  static openDbnSync(paths: string | string[], options: OpenOptions = {}): BarStore {
    return BarStore.openWith("openDbn", paths, options);
  }

  /**
   * Opens the catalog directory `dir` (hive-partitioned `symbol=NAME/year=YYYY/*.parquet`, or one file
   * per symbol) as a lazy {@link Catalog}: symbols are listed from the layout and the footers, a
   * symbol's bars are read on first use (only `start`..`end`), and least recently used symbols are
   * dropped to keep the loaded columns within `memoryBudgetMb` (MiB). Resolves once listed.
   */
  static async openCatalog(dir: string, options: CatalogOptions = {}): Promise<Catalog> {
    return Catalog.openSync(dir, options);
  }

  /** Same as {@link openCatalog}, blocking. */
  static openCatalogSync(dir: string, options: CatalogOptions = {}): Catalog {
    return Catalog.openSync(dir, options);
  }

  /** Reads parquet files (paths or globs). Resolves once the store is ready. */
  static async openParquet(paths: string | string[], options: OpenOptions = {}): Promise<BarStore> {
    return BarStore.openParquetSync(paths, options);
  }

  /** Same as {@link openParquet}, blocking. */
  static openParquetSync(paths: string | string[], options: OpenOptions = {}): BarStore {
    return BarStore.openWith("openParquet", paths, options);
  }

  private static openWith(factory: "open" | "openDbn" | "openParquet", paths: string | string[], options: OpenOptions): BarStore {
    const list = Array.isArray(paths) ? paths : [paths];
    const kind = { open: "", openDbn: "DBN ", openParquet: "parquet " }[factory];
    if (list.length === 0) argumentError("paths", `no ${kind}path given`);
    for (const [i, p] of list.entries()) checkString(`paths[${i}]`, p);
    const { start, end, ...rest } = options;
    const store = native().NativeBarStore[factory](list, { ...rest, ...rangeNs({ start, end }) });
    return new BarStore(store);
  }

  private get raw(): NativeBarStore {
    if (!this.nativeStore) throw new FerrobtError("ERR_DISPOSED", "the store was disposed");
    return this.nativeStore;
  }

  /** Symbols held, ascending. */
  symbols(): string[] {
    return this.raw.symbols();
  }

  /** True if the store holds `symbol`. */
  has(symbol: string): boolean {
    return this.symbols().includes(symbol);
  }

  protected handle(symbol: string): SymbolHandle {
    if (symbol === this.lastSymbol && this.lastHandle) return this.lastHandle;
    let h = this.handles.get(symbol);
    if (!h) {
      checkString("symbol", symbol);
      const cols = this.raw.columns(this.raw.symbolId(symbol));
      h = handleOf(cols);
      this.handles.set(symbol, h);
    }
    this.lastSymbol = symbol;
    this.lastHandle = h;
    return h;
  }

  /**
   * The store resampled to `timeframe` ("5m", "15m", "1h", "4h", "1d", N minutes dividing a day):
   * open=first, high=max, low=min, close=last, volume=sum; left-closed, left-labelled bins anchored
   * at the trading-day start. Built once per timeframe and options, then cached.
   */
  resample(symbol: string, timeframe: string, options: ResampleOptions = {}): BarStore {
    this.handle(symbol);
    if (typeof timeframe !== "string" || !TIMEFRAME.test(timeframe)) {
      throw new FerrobtError("ERR_TIMEFRAME", `unknown timeframe '${String(timeframe)}': use "5m", "1h", "1d" or N minutes`);
    }
    if (options.dayAnchorMinutes !== undefined) checkCount("dayAnchorMinutes", options.dayAnchorMinutes);
    const key = `${timeframe}|${options.timeZone ?? ""}|${options.dayAnchorMinutes ?? ""}`;
    let hit = this.resampled.get(key);
    if (!hit) {
      hit = new BarStore(this.raw.resample(timeframe, options));
      this.resampled.set(key, hit);
    }
    return hit;
  }

  /**
   * The instruments of the DBN definition files read (one per symbol, its last definition; ascending
   * by symbol): multipliers and tick sizes. Empty without a definition file. Resampled stores share them.
   */
  instruments(): Instrument[] {
    return this.raw.instruments();
  }

  /**
   * Writes every bar to `path` as DBN (DataBento's format, current version): one OHLCV record per bar
   * in time order, instrument ids 1, 2, ... in symbol order with the symbology in the metadata, prices
   * as fixed-point 1e-9. Returns the record count. ERR_IO when it cannot write.
   */
  writeDbn(path: string, options: DbnWriteOptions = {}): number {
    checkString("path", path);
    return this.raw.writeDbn(path, options);
  }

  /** What ingest did (files, rows, symbols sorted, duplicates dropped). */
  get report(): IngestReport {
    return this.raw.report;
  }

  /** Bytes held by the native columns. */
  get byteSize(): number {
    return this.raw.byteSize;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.nativeStore === undefined;
  }

  /** Frees the native store now. Views already handed out stay valid while referenced. Idempotent. */
  dispose(): void {
    for (const r of this.resampled.values()) r.dispose();
    this.resampled.clear();
    this.handles.clear();
    this.lastSymbol = this.lastHandle = undefined;
    this.nativeStore?.dispose();
    this.nativeStore = undefined;
  }
}

/** Writes seeded DataBento-schema 1-minute MES-like bars to `path`; same options → identical bytes. */
export function generateSample(
  path: string,
  spec: { seed?: number; start?: string; end?: string; root?: string; startPrice?: number; tick?: number } = {},
): number {
  checkString("path", path);
  return native().generateSample(path, spec);
}
