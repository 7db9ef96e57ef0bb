// The small interface the engine reads bars through; the native store and the pure-TS reference
// backend both implement it.

import type { BarColumnsView } from "../store/Bars.js";

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
  /** Releases resources (idempotent). */
  dispose(): void;
}
