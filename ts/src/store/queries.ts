// The per-symbol queries the store and the catalog answer alike (columns, size, windows, last bar,
// counts): argument checks, the binary searches and the Bars over one symbol's columns, written once
// over the handle each of them finds (the store's views, the catalog's resident or freshly loaded bars).

import { checkCount } from "../errors.js";
import type { TimeInput } from "../time.js";
import { type Bar, type BarColumnsView, Bars, barAt, ColumnSet } from "./Bars.js";
import { BucketedTimes } from "./bucketedTimes.js";
import { allWholeMs, checkTime, countAtOrBefore, countBefore, type TimeIndex } from "./search.js";

/** One symbol's columns with its time index. */
export interface SymbolHandle extends TimeIndex {
  readonly cols: BarColumnsView;
}

/** The handle of `cols` (its whole-ms check made once; its bucket table built once searches earn it). */
export function handleOf(cols: BarColumnsView): SymbolHandle {
  const { timestamps, timesMs } = cols;
  // A ColumnSet: every columns object the engine reads then shares one hidden class (Bars getters read it inline).
  return { cols: ColumnSet.of(cols), timestamps, timesMs, wholeMs: allWholeMs(timestamps, timesMs), msSearch: new BucketedTimes(timesMs) };
}

/** Queries by symbol over the handle a subclass finds for it (the catalog loads a symbol that is not resident). */
export abstract class SymbolQueries {
  /** The handle of `symbol` (ERR_UNKNOWN_SYMBOL when not held). */
  protected abstract handle(symbol: string): SymbolHandle;

  /** Number of bars of `symbol`. */
  size(symbol: string): number {
    return this.handle(symbol).cols.timesMs.length;
  }

  /** Full columns of `symbol`. */
  columns(symbol: string): BarColumnsView {
    return this.handle(symbol).cols;
  }

  /** Bars with ts < end, at most `length`, newest last. */
  window(symbol: string, q: { end: TimeInput; length: number }): Bars {
    const h = this.handle(symbol);
    const length = checkCount("length", q.length);
    const end = countBefore(h, checkTime("end", q.end));
    return new Bars(symbol, h.cols, Math.max(0, end - length), end);
  }

  /** Bars with start <= ts < end. */
  between(symbol: string, q: { start: TimeInput; end: TimeInput }): Bars {
    const h = this.handle(symbol);
    const from = countBefore(h, checkTime("start", q.start));
    return new Bars(symbol, h.cols, from, Math.max(from, countBefore(h, checkTime("end", q.end))));
  }

  /** The newest bar with ts <= atOrBefore, or undefined before the first bar. */
  lastBar(symbol: string, q: { atOrBefore: TimeInput }): Bar | undefined {
    const h = this.handle(symbol);
    const k = countAtOrBefore(h, checkTime("atOrBefore", q.atOrBefore)) - 1;
    return k < 0 ? undefined : barAt(h.cols, k);
  }

  /** Number of bars of `symbol` with ts < end. */
  countBefore(symbol: string, end: TimeInput): number {
    return countBefore(this.handle(symbol), checkTime("end", end));
  }

  /** Number of bars of `symbol` with ts <= at. */
  countAtOrBefore(symbol: string, at: TimeInput): number {
    return countAtOrBefore(this.handle(symbol), checkTime("atOrBefore", at));
  }
}
