// The pure-TS baseline for the backtest benchmarks: the MES SMA-9 rules written as one tight loop
// over plain arrays (no engine, no strategy API, no trade log). Same ticks, same decision and fill
// rules for entries, manual exits and bracket legs; it skips the engine's extra processing calls at
// session edges, so its fills can differ slightly from the engine's. With `windows`, it reads its
// closes, highs and lows as a strategy must: through a 200-bar `Bars` window and its three column
// views, made anew every minute (the floor the strategy API's shape sets; same results).

import { MarketCalendar } from "../ts/src/engine/calendar.js";
import { Bars, type ColumnSet } from "../ts/src/store/Bars.js";
import { countBelow } from "../ts/src/store/search.js";

export interface Columns {
  timesMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

const MIN = 60_000;

/** The example's lookback: the window a strategy asks for every minute. */
const LOOKBACK = 200;

/**
 * Runs the rules over [start, end) and returns iterations, fills and final cash. `windows` (the same
 * bars as `c`, all seven columns) makes it read them through a new window each minute.
 */
export function handLoop(c: Columns, start: number, end: number, windows?: ColumnSet): { iterations: number; fills: number; cash: number } {
  const cal = new MarketCalendar("us_futures", start, end);
  let cash = 100_000,
    pos = 0,
    entry = 0,
    tp = 0,
    sl = 0,
    legsLive = false,
    fills = 0,
    iterations = 0;
  const margin = 1_300,
    m = 5,
    fee = 0.5;
  const fillBar = (t: number) => Math.max(0, countBelow(c.timesMs, t + 2 * MIN, false) - 1);
  const close = (price: number) => {
    cash += margin * pos + (price - entry) * pos * m - fee;
    pos = 0;
    legsLive = false;
    fills++;
  };
  for (let t = start; t < end - MIN + 1; t += MIN) {
    if (!cal.isOpen(t) || cal.timeToClose(t) <= MIN) continue;
    iterations++;
    const n = countBelow(c.timesMs, t, false);
    if (n < 14) continue;
    // Indexes below are into the columns; `from` is where the arrays read start in them.
    let closes = c.close,
      highs = c.high,
      lows = c.low,
      from = 0;
    if (windows) {
      const w = new Bars("MES", windows, Math.max(0, n - LOOKBACK), n);
      closes = w.close;
      highs = w.high;
      lows = w.low;
      from = w.start;
    }
    const last = closes[n - 1 - from];
    let sum = last;
    for (let i = n - 8 - from; i < n - from; i++) sum += closes[i];
    const sma = sum / 9;
    let tr = 0;
    for (let i = n - 14 - from; i < n - from; i++) tr += Math.max(highs[i] - lows[i], Math.abs(highs[i] - closes[i - 1]), Math.abs(lows[i] - closes[i - 1]));
    const atr = tr / 14;
    const b = fillBar(t);
    if (pos !== 0 && last <= sma) {
      close(c.open[b]);
      continue;
    }
    if (pos === 0 && last > sma && atr > 0) {
      entry = c.open[b];
      pos = 5;
      cash -= margin * pos + fee;
      fills++;
      tp = last + 3 * atr;
      sl = last - atr;
      legsLive = false;
      continue;
    }
    if (pos !== 0 && legsLive) {
      const o = c.open[b],
        h = c.high[b],
        l = c.low[b];
      if (tp <= o) close(o);
      else if (l <= tp && tp <= h) close(tp);
      else if (sl >= o) close(o);
      else if (l <= sl && sl <= h) close(sl);
    }
    if (pos !== 0) legsLive = true;
  }
  return { iterations, fills, cash };
}
