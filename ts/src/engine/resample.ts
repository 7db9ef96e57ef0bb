// Strategy-level resampling of a minute window (spec §1.1): fixed bins of N minutes or N days,
// left-closed and left-labelled, anchored at New York midnight of the first bar's day; empty bins
// vanish; the last bin is normally partial; at most `length` bins are kept.

import { Bars, type BarColumnsView } from "../store/Bars.js";
import { nyOffsetMs, nyParts, nyToUtc } from "../util/nytime.js";

/** Bin start of every bar: N minutes from the anchor, or N New York calendar days. */
function binOf(anchor: number, unit: "minute" | "day", n: number): (t: number) => number {
  if (unit === "minute") {
    const w = n * 60_000;
    return (t) => anchor + Math.floor((t - anchor) / w) * w;
  }
  const DAY = 86_400_000;
  const localDay = (t: number) => Math.floor((t + nyOffsetMs(t)) / DAY);
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

/** Aggregates `bars` (minute bars, ascending) into bins; keeps the newest `length`. */
export function resampleWindow(bars: Bars, unit: "minute" | "day", n: number, length: number): Bars {
  if (bars.length === 0) return bars;
  const times = bars.timesMs, open = bars.open, high = bars.high, low = bars.low, close = bars.close, volume = bars.volume;
  const first = nyParts(times[0]);
  const bin = binOf(nyToUtc(first.year, first.month, first.day), unit, n);
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
