// The time queries of a symbol's columns (window, between, last bar) as the store and the catalog
// answer them: argument checks, the binary searches and the Bars over the columns.

import { checkCount } from "../errors.js";
import type { TimeInput } from "../time.js";
import { type Bar, type BarColumnsView, Bars, barAt } from "./Bars.js";
import { checkTime, countAtOrBefore, countBefore, type TimeIndex } from "./search.js";

/** One symbol's columns with its time index. */
export interface SymbolHandle extends TimeIndex {
  readonly cols: BarColumnsView;
}

/** Bars of `symbol` with ts < end, at most `length`, newest last. */
export function windowOf(symbol: string, h: SymbolHandle, q: { end: TimeInput; length: number }): Bars {
  const length = checkCount("length", q.length);
  const end = countBefore(h, checkTime("end", q.end));
  return new Bars(symbol, h.cols, Math.max(0, end - length), end);
}

/** Bars of `symbol` with start <= ts < end. */
export function betweenOf(symbol: string, h: SymbolHandle, q: { start: TimeInput; end: TimeInput }): Bars {
  const from = countBefore(h, checkTime("start", q.start));
  return new Bars(symbol, h.cols, from, Math.max(from, countBefore(h, checkTime("end", q.end))));
}

/** The newest bar with ts <= atOrBefore, or undefined before the first bar. */
export function lastBarOf(h: SymbolHandle, q: { atOrBefore: TimeInput }): Bar | undefined {
  const k = countAtOrBefore(h, checkTime("atOrBefore", q.atOrBefore)) - 1;
  return k < 0 ? undefined : barAt(h.cols, k);
}
