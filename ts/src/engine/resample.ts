// Strategy-level resampling of a minute window (spec §1.1): fixed bins of N minutes or N days,
// left-closed and left-labelled, anchored at New York midnight of the window's first bar's day
// (Lumibot's rule, unlike the store's 18:00 trading-day anchor); empty bins vanish; the last bin is
// normally partial; at most `length` bins are kept.
//
// Windows that are views of one symbol's columns reuse that symbol's complete bins, binned once per
// anchor class; only bins the window cuts (its partial first and last) are built per call. Windows
// read a chunk at a time from a source that evicts keep each symbol's complete bins across evictions:
// a call bins only the minutes of bins not kept yet (a daily ranking: yesterday's) and its cut ends.

import { type BarColumnsView, Bars, type BarsPart, joinedBars } from "../store/Bars.js";
import { countBelow } from "../store/search.js";
import { nyOffsetMs, nyParts, nyToUtc } from "../util/nytime.js";
import { grownF64 } from "./columns.js";

const DAY = 86_400_000;

export type BinUnit = "minute" | "day";

/** Bin start of every bar: N minutes from the anchor, or N New York calendar days. */
function binOf(anchor: number, unit: BinUnit, n: number): (t: number) => number {
  if (unit === "minute") {
    const w = n * 60_000;
    return (t) => anchor + Math.floor((t - anchor) / w) * w;
  }
  const anchorDay = localDay(anchor);
  let lastDay = NaN,
    lastStart = NaN;
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

/** The columns binning reads. */
type BinInput = Pick<BarColumnsView, "timesMs" | "open" | "high" | "low" | "close" | "volume">;

/** Bins of a run of bars: each bin's first bar index and its open, high, low, close, volume. */
interface Binned {
  first: number[];
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  v: number[];
}

/** Groups consecutive bars of one bin (open first, high max, low min, close last, volume summed in order). */
function binBars(c: BinInput, bin: (t: number) => number): Binned {
  const times = c.timesMs,
    open = c.open,
    high = c.high,
    low = c.low,
    close = c.close,
    volume = c.volume;
  const out: Binned = { first: [], t: [], o: [], h: [], l: [], c: [], v: [] };
  let current = NaN;
  for (let i = 0; i < times.length; i++) {
    const b = bin(times[i]);
    if (b !== current) {
      current = b;
      out.first.push(i);
      out.t.push(b);
      out.o.push(open[i]);
      out.h.push(high[i]);
      out.l.push(low[i]);
      out.c.push(close[i]);
      out.v.push(volume[i]);
    } else {
      const k = out.t.length - 1;
      if (high[i] > out.h[k]) out.h[k] = high[i];
      if (low[i] < out.l[k]) out.l[k] = low[i];
      out.c[k] = close[i];
      out.v[k] += volume[i];
    }
  }
  return out;
}

/** Bins [from, end) of `b` as columns. */
function columnsOf(b: Binned, from: number): BarColumnsView {
  const f64 = (a: number[]) => Float64Array.from(from === 0 ? a : a.slice(from));
  return {
    timestamps: BigInt64Array.from(from === 0 ? b.t : b.t.slice(from), (t) => BigInt(t) * 1_000_000n),
    timesMs: f64(b.t),
    open: f64(b.o),
    high: f64(b.h),
    low: f64(b.l),
    close: f64(b.c),
    volume: f64(b.v),
  };
}

/** Aggregates `bars` (minute bars, ascending) into bins; keeps the newest `length`. */
export function resampleWindow(bars: Bars, unit: BinUnit, n: number, length: number): Bars {
  if (bars.length === 0) return bars;
  const binned = binBars(bars, binOf(midnightOf(bars.timesMs[0]), unit, n));
  const cols = columnsOf(binned, Math.max(0, binned.t.length - length));
  return new Bars(bars.symbol, cols, 0, cols.timesMs.length);
}

/** Every complete bin of one symbol's columns for one anchor class, with the index of its first bar. */
class BinTable {
  /** Index of each bin's first bar (ascending); one extra entry: the number of bars. */
  readonly first: Int32Array;
  readonly cols: BarColumnsView;

  constructor(src: BarColumnsView, bin: (t: number) => number) {
    const binned = binBars(src, bin);
    binned.first.push(src.timesMs.length);
    this.first = Int32Array.from(binned.first);
    this.cols = columnsOf(binned, 0);
  }

  /** The bin holding bar `i`: the last k with first[k] <= i. */
  binOfBar(i: number): number {
    let lo = 0,
      hi = this.first.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.first[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Complete bins of one symbol for one width and anchor class, kept across evictions of its minutes:
 * every bin starting after `after` and before `before` that has a bar, ascending (the first `n`
 * entries of growable columns).
 */
class KeptBins {
  n = 0;
  t = new Float64Array(64);
  o = new Float64Array(64);
  h = new Float64Array(64);
  l = new Float64Array(64);
  c = new Float64Array(64);
  v = new Float64Array(64);

  constructor(
    public after: number,
    public before: number,
  ) {}

  /** Appends bins [from, to) of `b`. */
  append(b: Binned, from = 0, to = b.t.length): void {
    for (let k = from; k < to; k++) {
      if (this.n === this.t.length) {
        this.t = grownF64(this.t);
        this.o = grownF64(this.o);
        this.h = grownF64(this.h);
        this.l = grownF64(this.l);
        this.c = grownF64(this.c);
        this.v = grownF64(this.v);
      }
      const i = this.n++;
      this.t[i] = b.t[k];
      this.o[i] = b.o[k];
      this.h[i] = b.h[k];
      this.l[i] = b.l[k];
      this.c[i] = b.c[k];
      this.v[i] = b.v[k];
    }
  }
}

/** Bars of `runs` (consecutive views of one symbol, oldest first) with lo <= ts < hi: a view when one run holds them, else a copy. */
function barsOf(runs: readonly Bars[], lo: number, hi: number): Bars {
  const parts: BarsPart[] = [];
  for (const bars of runs) {
    const t = bars.timesMs;
    const i = lo === Number.NEGATIVE_INFINITY ? 0 : countBelow(t, lo, false);
    const j = hi === Number.POSITIVE_INFINITY ? t.length : countBelow(t, hi, false);
    if (j > i) parts.push({ symbol: bars.symbol, cols: bars.columnsView, start: bars.start + i, end: bars.start + j });
  }
  if (parts.length === 1) return new Bars(parts[0].symbol, parts[0].cols, parts[0].start, parts[0].end);
  return joinedBars(runs[0]?.symbol ?? "", parts);
}

/** Bins [from, to) of `b` (plain or kept columns) appended to `into`. */
function appendBins(into: Binned, b: Pick<Binned, "t" | "o" | "h" | "l" | "c" | "v"> | KeptBins, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    into.t.push(b.t[k]);
    into.o.push(b.o[k]);
    into.h.push(b.h[k]);
    into.l.push(b.l[k]);
    into.c.push(b.c[k]);
    into.v.push(b.v[k]);
  }
}

/** Bin tables per symbol columns and anchor class, built on first use (the columns never change). */
export class Resampler {
  /** Per columns: per bin width (N minutes, or −N days), per anchor class. */
  private readonly tables = new WeakMap<BarColumnsView, Map<number, Map<number, BinTable>>>();
  /** Per symbol, bin width and anchor class: the complete bins seen so far through {@link resampleRuns}. */
  private readonly kept = new Map<string, KeptBins>();
  private lastMidnightDay = NaN;
  private lastMidnight = NaN;

  /**
   * `view` (minute bars [start, end) of one symbol's full columns `src`) resampled: what
   * {@link resampleWindow} gives for the same window, copied from the symbol's complete bins.
   */
  resampleView(symbol: string, src: BarColumnsView, start: number, end: number, unit: BinUnit, n: number, length: number): Bars {
    const anchor = this.anchorOf(src.timesMs[start]);
    let byWidth = this.tables.get(src);
    if (!byWidth) this.tables.set(src, (byWidth = new Map()));
    const width = unit === "minute" ? n : -n;
    let byClass = byWidth.get(width);
    if (!byClass) byWidth.set(width, (byClass = new Map()));
    const cls = anchorClass(anchor, unit, n);
    let table = byClass.get(cls);
    if (!table) byClass.set(cls, (table = new BinTable(src, binOf(anchor, unit, n))));

    const ka = table.binOfBar(start),
      kb = table.binOfBar(end - 1);
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

  /**
   * The minute bars of `runs` (consecutive views of one symbol's chunks, oldest first, the window
   * that {@link resampleWindow} would be given) resampled: what it gives, from the symbol's kept
   * complete bins where they reach, binning only the minutes of the others.
   */
  resampleRuns(symbol: string, runs: readonly Bars[], unit: BinUnit, n: number, length: number): Bars {
    const newest = runs[runs.length - 1];
    const anchor = this.anchorOf(runs[0].timesMs[0]);
    const bin = binOf(anchor, unit, n);
    const firstBin = bin(runs[0].timesMs[0]),
      lastBin = bin(newest.timesMs[newest.length - 1]);
    const key = `${symbol}\u0000${unit === "minute" ? n : -n}\u0000${anchorClass(anchor, unit, n)}`;
    const kept = this.kept.get(key);
    let out: Binned;
    if (firstBin === lastBin || !kept || kept.after > firstBin || firstBin >= kept.before) {
      // Nothing kept reaches this window: bin all of it, and keep the bins between its cut ends.
      out = binBars(barsOf(runs, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), bin);
      if (firstBin !== lastBin) {
        const fresh = new KeptBins(firstBin, lastBin);
        fresh.append(out, 1, out.t.length - 1);
        this.kept.set(key, fresh);
      }
    } else {
      // Bins after the kept ones and before the window's last: complete here, so kept from now on.
      if (kept.before < lastBin) {
        kept.append(binBars(barsOf(runs, kept.before, lastBin), bin));
        kept.before = lastBin;
      }
      const starts = kept.t.subarray(0, kept.n);
      const from = countBelow(starts, firstBin, true),
        to = countBelow(starts, lastBin, false);
      // The window's first bin: its bars before the first kept one (or before the last bin).
      out = binBars(barsOf(runs, Number.NEGATIVE_INFINITY, from < to ? starts[from] : lastBin), () => firstBin);
      appendBins(out, kept, from, to);
      const last = binBars(barsOf(runs, lastBin, Number.POSITIVE_INFINITY), () => lastBin);
      appendBins(out, last, 0, 1);
    }
    const cols = columnsOf(out, Math.max(0, out.t.length - length));
    return new Bars(symbol, cols, 0, cols.timesMs.length);
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
  let h = src.high[i],
    l = src.low[i],
    v = src.volume[i];
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
