// Summary statistics of a backtest from its per-call portfolio rows (spec §8.2), plus round-trip
// trade counts and win rate.

import type { FillRecord } from "./broker.js";

/** One row recorded after every lifecycle call (the equity recorder's columns, as objects). */
export interface StatsRow {
  readonly timeMs: number;
  /** Portfolio value computed before the call. */
  readonly portfolioValue: number;
  /** Cash after the call. */
  readonly cash: number;
  readonly positions: readonly { readonly symbol: string; readonly quantity: number }[];
}

export interface SummaryStats {
  totalReturn: number;
  cagr: number;
  volatility: number;
  sharpe: number;
  /** (cagr − rf) / annualised downside deviation (returns below 0), 0 when there is none. */
  sortino: number;
  maxDrawdown: { drawdown: number; date: string };
  romad: number;
  /** Closed round trips (flat → position → flat). */
  tradeCount: number;
  /** Share of round trips with positive P&L after fees. */
  winRate: number;
}

/** The portfolio series stats are computed from: one entry per lifecycle call, oldest first. */
export interface EquitySeries {
  readonly length: number;
  readonly timeMs: ArrayLike<number>;
  /** Portfolio value computed before each call. */
  readonly portfolioValue: ArrayLike<number>;
}

const MS_PER_DAY = 86_400_000;

/** Lumibot's formulas: first row per timestamp, returns row to row, Y = whole days / 365.25. */
export function summarize(equity: EquitySeries, fills: readonly FillRecord[], riskFreeRate = 0, dateOf: (ms: number) => string): SummaryStats {
  const { times, values } = firstPerTimestamp(equity);
  const returns = new Float64Array(Math.max(0, values.length - 1));
  for (let i = 1; i < values.length; i++) returns[i - 1] = values[i] / values[i - 1] - 1;
  let growth = 1;
  for (let i = 0; i < returns.length; i++) growth *= 1 + returns[i];
  const years = times.length > 1 ? Math.floor((times[times.length - 1] - times[0]) / MS_PER_DAY) / 365.25 : 0;
  const cagr = years > 0 ? growth ** (1 / years) - 1 : 0;
  const annualise = years > 0 ? Math.sqrt(returns.length / years) : 0;
  const volatility = sampleStd(returns) * annualise;
  let downSquares = 0;
  for (let i = 0; i < returns.length; i++) downSquares += Math.min(returns[i], 0) ** 2;
  const downside = Math.sqrt(downSquares / Math.max(1, returns.length - 1)) * annualise;
  const dd = maxDrawdown(times, returns, dateOf);
  const trips = roundTrips(fills);
  return {
    totalReturn: growth - 1,
    cagr,
    volatility,
    sharpe: volatility === 0 ? 0 : (cagr - riskFreeRate) / volatility,
    sortino: downside === 0 ? 0 : (cagr - riskFreeRate) / downside,
    maxDrawdown: dd,
    romad: dd.drawdown === 0 ? 0 : cagr / dd.drawdown,
    tradeCount: trips.length,
    winRate: trips.length === 0 ? 0 : trips.filter((p) => p > 0).length / trips.length,
  };
}

/** The series without repeated timestamps (the first entry of each kept). */
function firstPerTimestamp(e: EquitySeries): { times: Float64Array; values: Float64Array } {
  const times = new Float64Array(e.length), values = new Float64Array(e.length);
  let n = 0;
  for (let i = 0; i < e.length; i++) {
    if (i > 0 && e.timeMs[i] === e.timeMs[i - 1]) continue;
    times[n] = e.timeMs[i];
    values[n++] = e.portfolioValue[i];
  }
  return { times: times.subarray(0, n), values: values.subarray(0, n) };
}

function sampleStd(xs: Float64Array): number {
  if (xs.length < 2) return 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  const mean = sum / xs.length;
  let squares = 0;
  for (let i = 0; i < xs.length; i++) squares += (xs[i] - mean) ** 2;
  return Math.sqrt(squares / (xs.length - 1));
}

function maxDrawdown(times: Float64Array, returns: Float64Array, dateOf: (ms: number) => string): { drawdown: number; date: string } {
  if (times.length === 0) return { drawdown: 0, date: "" };
  let c = 1, peak = 1, worst = 0, at = times[0];
  for (let i = 0; i < returns.length; i++) {
    c *= 1 + returns[i];
    peak = Math.max(peak, c);
    const d = (peak - c) / peak;
    if (d > worst) {
      worst = d;
      at = times[i + 1];
    }
  }
  return { drawdown: worst, date: dateOf(at) };
}

/** P&L after fees of each flat-to-flat round trip, per asset, in fill order. */
function roundTrips(fills: readonly FillRecord[]): number[] {
  const open = new Map<string, { qty: number; pnl: number }>();
  const out: number[] = [];
  for (const f of fills) {
    const key = f.order.asset.key;
    const trip = open.get(key) ?? { qty: 0, pnl: 0 };
    trip.qty += f.order.side.startsWith("buy") ? f.quantity : -f.quantity;
    trip.pnl += f.realized - f.fee;
    if (trip.qty === 0) {
      out.push(trip.pnl);
      open.delete(key);
    } else open.set(key, trip);
  }
  return out;
}
