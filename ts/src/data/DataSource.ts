// The small interface the engine reads bars through; the native store and the pure-TS reference
// backend both implement it.

import type { Instrument } from "../store/BarStore.js";
import type { BarColumnsView, Bars } from "../store/Bars.js";

/** One-minute bars by symbol. Times are bar open instants in ms UTC. */
export interface DataSource {
  /** "native", "reference", ... (shown in reports). */
  readonly name: string;
  /** Symbols held, ascending. */
  symbols(): readonly string[];
  /** Full columns of a symbol (views; never written). */
  columns(symbol: string): BarColumnsView;
  /** Number of bars of `symbol` with ts < endMs (binary search). */
  countBefore(symbol: string, endMs: number): number;
  /** Number of bars of `symbol` with ts <= atMs (binary search). */
  countAtOrBefore(symbol: string, atMs: number): number;
  /**
   * Contract definitions (DBN definition records) that came with the bars, if any: the engine takes
   * the multiplier and tick size of futures its table does not know from them.
   */
  instruments?(): readonly Instrument[];
  /**
   * First and last bar open (ms UTC) of `symbol` when known without loading its bars (a catalog's
   * footers); undefined otherwise, and the engine reads the columns instead.
   */
  span?(symbol: string): { readonly firstMs: number; readonly lastMs: number } | undefined;
  /**
   * True when the source may drop columns it handed out and give them again later (a catalog under a
   * memory budget); such a source has {@link barRuns}, and the engine reads its bars through it only.
   */
  readonly evicts?: boolean;
  /**
   * On a source that {@link evicts}: the newest `length` bars of `symbol` with fromMs <= ts < toMs
   * (ts <= toMs when `inclusive`), as views of the time chunks they lie in, oldest first; only those
   * chunks are loaded. Empty when there is none.
   */
  barRuns?(symbol: string, fromMs: number, toMs: number, inclusive: boolean, length: number): readonly Bars[];
  /** Releases resources (idempotent). */
  dispose(): void;
}
