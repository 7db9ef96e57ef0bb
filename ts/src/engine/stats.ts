// Summary statistics of a backtest from its per-call portfolio rows (spec §8.2), plus round-trip
// trade counts and win rate.

import type { Asset } from "./asset.js";

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

/** The fills stats are computed from: one entry per fill, oldest first, as columns (no object per fill). */
export interface FillSeries {
  readonly length: number;
  /** The asset of each fill, and 1 where its order buys. */
  readonly assets: readonly Asset[];
  readonly buys: ArrayLike<number>;
  readonly quantity: ArrayLike<number>;
  readonly fee: ArrayLike<number>;
  readonly realized: ArrayLike<number>;
}

/** No fill. */
export const NO_FILLS: FillSeries = { length: 0, assets: [], buys: [], quantity: [], fee: [], realized: [] };

/** The portfolio series stats are computed from: one entry per lifecycle call, oldest first. */
export interface EquitySeries {
  readonly length: number;
  readonly timeMs: ArrayLike<number>;
  /** Portfolio value computed before each call. */
  readonly portfolioValue: ArrayLike<number>;
}

const MS_PER_DAY = 86_400_000;

/**
 * Lumibot's formulas: first row per timestamp, returns row to row, Y = whole days / 365.25. One pass
 * gathers the returns, their product, sum and downside squares and the drawdown (each summed in row
 * order, as a loop per quantity would); a second pass the squared deviations.
 */
export function summarize(equity: EquitySeries, fills: FillSeries, riskFreeRate = 0, dateOf: (ms: number) => string): SummaryStats {
  const n = equity.length;
  const returns = new Float64Array(Math.max(0, n - 1));
  const scan = scanReturns(equity, returns);
  const { count, growth, sum, downSquares, worst, worstAt, kept, firstT, lastT } = scan;
  const years = kept > 1 ? Math.floor((lastT - firstT) / MS_PER_DAY) / 365.25 : 0;
  const cagr = years > 0 ? growth ** (1 / years) - 1 : 0;
  const annualise = years > 0 ? Math.sqrt(count / years) : 0;
  const std = count >= 2 ? Math.sqrt(squaredDeviations(returns, count, sum / count) / (count - 1)) : 0;
  const volatility = std * annualise;
  const downside = Math.sqrt(downSquares / Math.max(1, count - 1)) * annualise;
  const dd = { drawdown: worst, date: n === 0 ? "" : dateOf(worstAt) };
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

/** What one pass over the equity series gathers (see {@link scanReturns}). */
interface ReturnsScan {
  count: number;
  growth: number;
  sum: number;
  downSquares: number;
  worst: number;
  worstAt: number;
  kept: number;
  firstT: number;
  lastT: number;
}

/**
 * The first pass of {@link summarize}, in a function of its own so that it is compiled whole (as the
 * loop of a longer function it was compiled on the fly, without feedback for the code after it, and
 * thrown away on every run): the returns row to row (first row per timestamp) into `returns`, their
 * product, sum and downside squares, and the drawdown.
 */
function scanReturns(equity: EquitySeries, returns: Float64Array): ReturnsScan {
  const n = equity.length;
  const times = equity.timeMs,
    values = equity.portfolioValue;
  let count = 0,
    growth = 1,
    sum = 0,
    downSquares = 0;
  let c = 1,
    peak = 1,
    worst = 0,
    worstAt = n > 0 ? times[0] : 0;
  let firstT = n > 0 ? times[0] : 0,
    lastT = firstT,
    kept = n > 0 ? 1 : 0,
    prevValue = n > 0 ? values[0] : 0;
  for (let i = 1; i < n; i++) {
    if (times[i] === times[i - 1]) continue;
    const r = values[i] / prevValue - 1;
    prevValue = values[i];
    lastT = times[i];
    kept++;
    returns[count++] = r;
    growth *= 1 + r;
    sum += r;
    downSquares += Math.min(r, 0) ** 2;
    c *= 1 + r;
    peak = Math.max(peak, c);
    const d = (peak - c) / peak;
    if (d > worst) {
      worst = d;
      worstAt = times[i];
    }
  }
  return { count, growth, sum, downSquares, worst, worstAt, kept, firstT, lastT };
}

/** Σ (returns[i] − mean)² over the first `count` returns, in order. */
function squaredDeviations(returns: Float64Array, count: number, mean: number): number {
  let squares = 0;
  for (let i = 0; i < count; i++) squares += (returns[i] - mean) ** 2;
  return squares;
}

/** P&L after fees of each flat-to-flat round trip, per asset, in fill order. */
function roundTrips(fills: FillSeries): number[] {
  // One open trip per asset key, reset (not deleted) when it closes: a year of trips on one asset
  // finds it with one lookup and never shrinks and regrows the Map.
  const open = new Map<string, { qty: number; pnl: number }>();
  const out: number[] = [];
  for (let i = 0; i < fills.length; i++) {
    const key = fills.assets[i].key;
    let trip = open.get(key);
    if (!trip) open.set(key, (trip = { qty: 0, pnl: 0 }));
    trip.qty += fills.buys[i] === 1 ? fills.quantity[i] : -fills.quantity[i];
    trip.pnl += fills.realized[i] - fills.fee[i];
    if (trip.qty === 0) {
      out.push(trip.pnl);
      trip.pnl = 0;
    }
  }
  return out;
}
