// Strategy-level resampling of a minute window (spec §1.1): fixed bins of N minutes or N days,
// left-closed and left-labelled, anchored at New York midnight of the window's first bar's day
// (Lumibot's rule, unlike the store's 18:00 trading-day anchor); empty bins vanish; the last bin is
// normally partial; at most `length` bins are kept.
//
// Windows that are views of one symbol's columns reuse that symbol's complete bins, binned once per
// anchor class; only bins the window cuts (its partial first and last) are built per call.

import { Bars, type BarColumnsView } from "../store/Bars.js";
import { nyOffsetMs, nyParts, nyToUtc } from "../util/nytime.js";

const DAY = 86_400_000;

export type BinUnit = "minute" | "day";

/** Bin start of every bar: N minutes from the anchor, or N New York calendar days. */
function binOf(anchor: number, unit: BinUnit, n: number): (t: number) => number {
  if (unit === "minute") {
    const w = n * 60_000;
    return (t) => anchor + Math.floor((t - anchor) / w) * w;
  }
  const anchorDay = localDay(anchor);
  let lastDay = NaN, lastStart = NaN;
  return (t) => {
    const day = anchorDay + Math.floor((localDay(t) - anchorDay) / n) * n;
    if (day !== lastDay) {
      const d = new Date(day * DAY);
      lastDay = day;
      lastStart = nyToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    }
    return lastStart;
  };
}

/** The New York calendar day of an instant, as days since the epoch. */
const localDay = (t: number) => Math.floor((t + nyOffsetMs(t)) / DAY);

/** New York midnight of the day of `t` (the anchor of a window starting at `t`). */
function midnightOf(t: number): number {
  const p = nyParts(t);
  return nyToUtc(p.year, p.month, p.day);
}

/**
 * Anchors that give the same bins share one key: N-minute bins repeat every N minutes, N-day bins
 * every N days, so only the anchor's remainder matters.
 */
function anchorClass(anchor: number, unit: BinUnit, n: number): number {
  if (unit === "minute") {
    const w = n * 60_000;
    return ((anchor % w) + w) % w;
  }
  const d = localDay(anchor);
  return ((d % n) + n) % n;
}

/** Aggregates `bars` (minute bars, ascending) into bins; keeps the newest `length`. */
export function resampleWindow(bars: Bars, unit: BinUnit, n: number, length: number): Bars {
  if (bars.length === 0) return bars;
  const times = bars.timesMs, open = bars.open, high = bars.high, low = bars.low, close = bars.close, volume = bars.volume;
  const bin = binOf(midnightOf(times[0]), unit, n);
  const out = { t: [] as number[], o: [] as number[], h: [] as number[], l: [] as number[], c: [] as number[], v: [] as number[] };
  let current = NaN;
  for (let i = 0; i < bars.length; i++) {
    const b = bin(times[i]);
    if (b !== current) {
      current = b;
      out.t.push(b); out.o.push(open[i]); out.h.push(high[i]); out.l.push(low[i]); out.c.push(close[i]); out.v.push(volume[i]);
    } else {
      const k = out.t.length - 1;
      if (high[i] > out.h[k]) out.h[k] = high[i];
      if (low[i] < out.l[k]) out.l[k] = low[i];
      out.c[k] = close[i];
      out.v[k] += volume[i];
    }
  }
  const from = Math.max(0, out.t.length - length);
  const f64 = (a: number[]) => Float64Array.from(a.slice(from));
  const cols: BarColumnsView = {
    timestamps: BigInt64Array.from(out.t.slice(from), (t) => BigInt(t) * 1_000_000n),
    timesMs: f64(out.t),
    open: f64(out.o),
    high: f64(out.h),
    low: f64(out.l),
    close: f64(out.c),
    volume: f64(out.v),
  };
  return new Bars(bars.symbol, cols, 0, cols.timesMs.length);
}

/** Every complete bin of one symbol's columns for one anchor class, with the index of its first bar. */
class BinTable {
  /** Index of each bin's first bar (ascending); one extra entry: the number of bars. */
  readonly first: Int32Array;
  readonly cols: BarColumnsView;

  constructor(src: BarColumnsView, bin: (t: number) => number) {
    const times = src.timesMs, open = src.open, high = src.high, low = src.low, close = src.close, volume = src.volume;
    const first: number[] = [], t: number[] = [], o: number[] = [], h: number[] = [], l: number[] = [], c: number[] = [], v: number[] = [];
    let current = NaN;
    for (let i = 0; i < times.length; i++) {
      const b = bin(times[i]);
      if (b !== current) {
        current = b;
        first.push(i); t.push(b); o.push(open[i]); h.push(high[i]); l.push(low[i]); c.push(close[i]); v.push(volume[i]);
      } else {
        const k = t.length - 1;
        if (high[i] > h[k]) h[k] = high[i];
        if (low[i] < l[k]) l[k] = low[i];
        c[k] = close[i];
        v[k] += volume[i];
      }
    }
    first.push(times.length);
    this.first = Int32Array.from(first);
    this.cols = {
      timestamps: BigInt64Array.from(t, (x) => BigInt(x) * 1_000_000n),
      timesMs: Float64Array.from(t),
      open: Float64Array.from(o),
      high: Float64Array.from(h),
      low: Float64Array.from(l),
      close: Float64Array.from(c),
      volume: Float64Array.from(v),
    };
  }

  /** The bin holding bar `i`: the last k with first[k] <= i. */
  binOfBar(i: number): number {
    let lo = 0, hi = this.first.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.first[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Bin tables per symbol columns and anchor class, built on first use (the columns never change). */
export class Resampler {
  private readonly tables = new WeakMap<BarColumnsView, Map<string, BinTable>>();
  private lastMidnightDay = NaN;
  private lastMidnight = NaN;

  /**
   * `view` (minute bars [start, end) of one symbol's full columns `src`) resampled: what
   * {@link resampleWindow} gives for the same window, copied from the symbol's complete bins.
   */
  resampleView(symbol: string, src: BarColumnsView, start: number, end: number, unit: BinUnit, n: number, length: number): Bars {
    const anchor = this.anchorOf(src.timesMs[start]);
    const key = `${unit}${n}:${anchorClass(anchor, unit, n)}`;
    let byKey = this.tables.get(src);
    if (!byKey) this.tables.set(src, (byKey = new Map()));
    let table = byKey.get(key);
    if (!table) byKey.set(key, (table = new BinTable(src, binOf(anchor, unit, n))));

    const ka = table.binOfBar(start), kb = table.binOfBar(end - 1);
    const k0 = Math.max(ka, kb + 1 - length);
    const m = kb - k0 + 1;
    const t = table.cols;
    const out: BarColumnsView = {
      timestamps: t.timestamps.slice(k0, kb + 1),
      timesMs: t.timesMs.slice(k0, kb + 1),
      open: t.open.slice(k0, kb + 1),
      high: t.high.slice(k0, kb + 1),
      low: t.low.slice(k0, kb + 1),
      close: t.close.slice(k0, kb + 1),
      volume: t.volume.slice(k0, kb + 1),
    };
    // The window cuts its first bin (starts after the bin's first bar) or its last (ends before the bin's last).
    if (k0 === ka && table.first[ka] !== start) aggregate(src, start, Math.min(end, table.first[ka + 1]), out, 0);
    if (table.first[kb + 1] !== end) aggregate(src, Math.max(start, table.first[kb]), end, out, m - 1);
    return new Bars(symbol, out, 0, m);
  }

  /** New York midnight of the day of `t`, remembered for the day. */
  private anchorOf(t: number): number {
    const day = localDay(t);
    if (day !== this.lastMidnightDay) {
      this.lastMidnightDay = day;
      this.lastMidnight = midnightOf(t);
    }
    return this.lastMidnight;
  }
}

/** Writes the bin of bars [i, j) of `src` into slot k of `out` (open first, high max, low min, close last, volume summed in order). */
function aggregate(src: BarColumnsView, i: number, j: number, out: BarColumnsView, k: number): void {
  let h = src.high[i], l = src.low[i], v = src.volume[i];
  for (let x = i + 1; x < j; x++) {
    if (src.high[x] > h) h = src.high[x];
    if (src.low[x] < l) l = src.low[x];
    v += src.volume[x];
  }
  (out.open as Float64Array)[k] = src.open[i];
  (out.high as Float64Array)[k] = h;
  (out.low as Float64Array)[k] = l;
  (out.close as Float64Array)[k] = src.close[j - 1];
  (out.volume as Float64Array)[k] = v;
}
