// The data a report embeds, computed from a backtest result: candles (overview and minute detail),
// fill markers, bracket levels while working, equity, drawdown, monthly returns, stats and trades.

import type { DataSource } from "../data/DataSource.js";
import { Asset } from "../engine/asset.js";
import type { BacktestResult } from "../engine/backtest.js";
import { resampleWindow } from "../engine/resample.js";
import { AssetSeries } from "../engine/series.js";
import type { EquitySeries } from "../engine/stats.js";
import { statsDocument } from "../results/write.js";
import { nyTimestampFormatter } from "../util/ny-formatter.js";
import { formatNy, nyOffsetMs, nyParts, nyToUtc } from "../util/nytime.js";

/** Columnar candles; `t` in chart seconds (New York wall clock shown as UTC, as charts display). */
export interface Candles {
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
}

export interface Marker {
  /** Fill time, chart seconds. */
  t: number;
  side: "buy" | "sell";
  type: string;
  qty: number;
  price: number;
}

export interface BracketLevel {
  from: number;
  to: number;
  price: number;
  kind: "take-profit" | "stop";
}

export interface ReportData {
  header: { strategy: string; backend: string; data: string; start: string; end: string; runMs: number; iterations: number; symbol: string };
  overview: { minutes: number; candles: Candles };
  minute: Candles;
  markers: Marker[];
  brackets: BracketLevel[];
  equity: { t: number[]; v: number[] };
  drawdown: { t: number[]; v: number[] };
  monthly: { month: string; ret: number }[];
  stats: Record<string, unknown>;
  trades: { t: number; time: string; side: string; type: string; qty: number; price: number; fee: number; realized: number }[];
}

/** ms UTC → chart seconds showing New York wall-clock time. */
export const chartTime = (ms: number) => Math.floor((ms + nyOffsetMs(ms)) / 1000);

/** Widest readable candle: the smallest of 1, 5, 15, 60, 240, 1440 minutes giving ≤ 2,500 candles. */
function overviewMinutes(bars: number): number {
  return [1, 5, 15, 60, 240, 1440].find((m) => bars / m <= 2_500) ?? 1440;
}

function candles(bars: { timesMs: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array }): Candles {
  return { t: Array.from(bars.timesMs, chartTime), o: Array.from(bars.open), h: Array.from(bars.high), l: Array.from(bars.low), c: Array.from(bars.close) };
}

/** At most `max` points: the last of each run of equal-width buckets. */
function downsample(t: number[], v: number[], max: number): { t: number[]; v: number[] } {
  if (t.length <= max) return { t, v };
  const step = Math.ceil(t.length / max);
  const out = { t: [] as number[], v: [] as number[] };
  for (let i = step - 1; i < t.length + step - 1; i += step) {
    const k = Math.min(i, t.length - 1);
    out.t.push(t[k]);
    out.v.push(v[k]);
  }
  return out;
}

/**
 * Builds the embedded data. `asset` is the traded instrument (default: the data's first symbol);
 * `dataLabel` names the input files.
 */
export function reportData(result: BacktestResult, data: DataSource, traded: Asset | undefined, dataLabel: string): ReportData {
  const asset = traded ?? new Asset(data.symbols()[0], "future");
  const series = AssetSeries.of(data, asset, result.startMs - 400 * 86_400_000, result.endMs + 400 * 86_400_000);
  const margin = 3 * 3_600_000;
  const minuteBars = series.window(result.endMs + margin, Number.MAX_SAFE_INTEGER, false, result.startMs - margin);
  const minutes = overviewMinutes(minuteBars.length);
  const overview =
    minutes === 1 ? minuteBars : resampleWindow(minuteBars, minutes === 1440 ? "day" : "minute", minutes === 1440 ? 1 : minutes, Number.MAX_SAFE_INTEGER);

  const markers: Marker[] = result.fills.map((f) => ({
    t: chartTime(f.timeMs),
    side: f.order.side.startsWith("buy") ? "buy" : "sell",
    type: f.order.type,
    qty: f.quantity,
    price: f.price,
  }));

  // When each order stopped working: its last fill or cancel event (one pass over the log).
  const ended = new Map<object, number>();
  for (const e of result.tradeLog.events) if (e.event !== "new") ended.set(e.order, e.timeMs);
  const brackets: BracketLevel[] = [];
  for (const f of result.fills) {
    for (const child of f.order.children) {
      const level = child.type === "limit" ? child.limitPrice : (child.stopPrice ?? child.trailLevel);
      if (level === undefined) continue;
      const end = Math.max(f.timeMs, ended.get(child) ?? result.endMs);
      brackets.push({ from: chartTime(f.timeMs), to: chartTime(end), price: level, kind: child.type === "limit" ? "take-profit" : "stop" });
    }
  }

  const eq = { t: [] as number[], v: [] as number[] };
  const { length, timeMs, portfolioValue } = result.equity;
  for (let i = 0; i < length; i++) {
    const t = chartTime(timeMs[i]);
    if (eq.t.length && eq.t[eq.t.length - 1] === t) eq.v[eq.v.length - 1] = portfolioValue[i];
    else {
      eq.t.push(t);
      eq.v.push(portfolioValue[i]);
    }
  }
  let peak = -Infinity;
  const dd = eq.v.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? -(peak - v) / peak : 0;
  });

  const fillTime = nyTimestampFormatter();
  return {
    header: {
      strategy: result.strategy,
      backend: result.backend,
      data: dataLabel,
      start: formatNy(result.startMs),
      end: formatNy(result.endMs),
      runMs: result.wallMs,
      iterations: result.iterations,
      symbol: asset.symbol,
    },
    overview: { minutes, candles: candles(overview) },
    minute: candles(minuteBars),
    markers,
    brackets,
    equity: downsample(eq.t, eq.v, 20_000),
    drawdown: downsample(eq.t, dd, 20_000),
    monthly: monthlyReturnsOf(result.equity),
    stats: statsDocument(result),
    trades: result.fills.map((f) => ({
      t: chartTime(f.timeMs),
      time: fillTime(f.timeMs),
      side: f.order.side,
      type: f.order.type,
      qty: f.quantity,
      price: f.price,
      fee: f.fee,
      realized: f.realized,
    })),
  };
}

/** Return of each calendar month (New York) the run touches: last value of the month over the last of the month before. */
export function monthlyReturns(result: Pick<BacktestResult, "rows">): { month: string; ret: number }[] {
  const rows = result.rows;
  return monthlyReturnsOf({ length: rows.length, timeMs: rows.map((r) => r.timeMs), portfolioValue: rows.map((r) => r.portfolioValue) });
}

/** monthlyReturns over the portfolio series' columns (the month found anew only when a time leaves the last one's span). */
function monthlyReturnsOf(series: EquitySeries): { month: string; ret: number }[] {
  const lastOf = new Map<string, number>();
  let month = "",
    from = NaN,
    until = NaN;
  for (let i = 0; i < series.length; i++) {
    const t = series.timeMs[i];
    if (!(t >= from && t < until)) {
      const p = nyParts(t);
      month = `${p.year}-${String(p.month).padStart(2, "0")}`;
      from = nyToUtc(p.year, p.month, 1);
      until = p.month === 12 ? nyToUtc(p.year + 1, 1, 1) : nyToUtc(p.year, p.month + 1, 1);
    }
    lastOf.set(month, series.portfolioValue[i]);
  }
  const months = [...lastOf.keys()];
  if (months.length < 2) return [];
  const start = series.portfolioValue[0] ?? 0;
  return months.map((m, i) => ({ month: m, ret: lastOf.get(m)! / (i === 0 ? start : lastOf.get(months[i - 1])!) - 1 }));
}
