// Summary statistics of a backtest from its per-call portfolio rows (spec §8.2), plus round-trip
// trade counts and win rate.

import { grownF64 } from "./columns.js";

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

/** Flat-to-flat round trips so far: how many closed, and how many of them with a positive P&L after fees. */
export interface TripCount {
  readonly count: number;
  readonly wins: number;
}

/** No round trip. */
export const NO_TRIPS: TripCount = { count: 0, wins: 0 };

/** The portfolio series stats are computed from: one entry per lifecycle call, oldest first. */
export interface EquitySeries {
  readonly length: number;
  readonly timeMs: ArrayLike<number>;
  /** Portfolio value computed before each call. */
  readonly portfolioValue: ArrayLike<number>;
}

const MS_PER_DAY = 86_400_000;

/**
 * Lumibot's formulas over the returns gathered by `scan`: first row per timestamp, returns row to
 * row, Y = whole days / 365.25; the standard deviation from a second pass over the returns.
 */
export function summarize(scan: ReturnsScan, trips: TripCount, riskFreeRate = 0, dateOf: (ms: number) => string): SummaryStats {
  const { count, growth, sum, downSquares, worst, worstAt, firstT, lastT } = scan;
  // Two kept rows or more (one return or more) span a time.
  const years = count > 0 ? Math.floor((lastT - firstT) / MS_PER_DAY) / 365.25 : 0;
  const cagr = years > 0 ? growth ** (1 / years) - 1 : 0;
  const annualise = years > 0 ? Math.sqrt(count / years) : 0;
  const std = count >= 2 ? Math.sqrt(squaredDeviations(scan.returns, sum / count) / (count - 1)) : 0;
  const volatility = std * annualise;
  const downside = Math.sqrt(downSquares / Math.max(1, count - 1)) * annualise;
  const dd = { drawdown: worst, date: scan.rows === 0 ? "" : dateOf(worstAt) };
  return {
    totalReturn: growth - 1,
    cagr,
    volatility,
    sharpe: volatility === 0 ? 0 : (cagr - riskFreeRate) / volatility,
    sortino: downside === 0 ? 0 : (cagr - riskFreeRate) / downside,
    maxDrawdown: dd,
    romad: dd.drawdown === 0 ? 0 : cagr / dd.drawdown,
    tradeCount: trips.count,
    winRate: trips.count === 0 ? 0 : trips.wins / trips.count,
  };
}

/**
 * The returns of a portfolio series, gathered row by row as it is recorded (so a run never scans its
 * series again): the first row per timestamp kept, its return on the previous kept row's value into
 * a column, their product, sum and downside squares, and the drawdown, each summed in row order.
 */
export class ReturnsScan {
  /** Rows added, and returns gathered (one per kept row, the first per timestamp, after the first). */
  rows = 0;
  count = 0;
  /** Product of (1 + r): the growth of the portfolio, and of its running peak. */
  growth = 1;
  sum = 0;
  downSquares = 0;
  private peak = 1;
  /** The deepest drawdown so far (a fraction of the peak) and when it was reached (ms UTC). */
  worst = 0;
  worstAt = 0;
  /** The first and the last kept row's time, ms UTC. */
  firstT = 0;
  lastT = 0;
  private lastRowT = 0;
  private prevValue = 0;

  /** The returns column (one per kept row after the first): doubles when full. */
  private column: Float64Array<ArrayBuffer>;

  /** `rows`: about how many rows will be added (room is reserved, not touched; the column grows past it). */
  constructor(rows = 1_024) {
    this.column = new Float64Array(Math.max(16, Math.min(Math.ceil(rows), 1 << 24)));
  }

  /** The scan of a whole series. */
  static of(equity: EquitySeries): ReturnsScan {
    const scan = new ReturnsScan(equity.length);
    for (let i = 0; i < equity.length; i++) scan.add(equity.timeMs[i], equity.portfolioValue[i]);
    return scan;
  }

  /** The returns so far, oldest first (a view; later returns are not visible through it). */
  get returns(): Float64Array {
    return this.column.subarray(0, this.count);
  }

  /** The next row: its time (ms UTC) and portfolio value. */
  add(timeMs: number, value: number): void {
    if (this.rows++ === 0) {
      this.firstT = this.lastT = this.worstAt = this.lastRowT = timeMs;
      this.prevValue = value;
      return;
    }
    const repeated = timeMs === this.lastRowT;
    this.lastRowT = timeMs;
    if (repeated) return;
    const r = value / this.prevValue - 1;
    this.prevValue = value;
    this.lastT = timeMs;
    if (this.count === this.column.length) this.column = grownF64(this.column);
    this.column[this.count++] = r;
    // A flat row (the value did not move) leaves every figure below as it is: growth × 1, sum + 0, and
    // the peak and the drawdown were already taken at this growth (r is never −0: x − 1 is +0 at x = 1).
    if (r === 0) return;
    const growth = (this.growth *= 1 + r);
    this.sum += r;
    // min(r, 0)² written as a product: x ** 2 is exactly x * x (fdlibm's pow special-cases y = 2), and
    // the product is inlined where the power is a call per row. NaN stays NaN.
    this.downSquares += r >= 0 ? 0 : r * r;
    const peak = (this.peak = Math.max(this.peak, growth));
    const d = (peak - growth) / peak;
    if (d > this.worst) {
      this.worst = d;
      this.worstAt = timeMs;
    }
  }
}

/** Σ (returns[i] − mean)², in order. */
function squaredDeviations(returns: Float64Array, mean: number): number {
  let squares = 0;
  for (let i = 0; i < returns.length; i++) {
    const d = returns[i] - mean;
    squares += d * d;
  }
  return squares;
}

/**
 * Round trips counted as fills arrive (flat → position → flat per asset slot; the caller maps each
 * asset to a slot): one open trip per slot, reset when it closes.
 */
export class RoundTrips implements TripCount {
  count = 0;
  wins = 0;
  private qty = new Float64Array(4);
  private pnl = new Float64Array(4);

  /** A fill on `slot`: its signed quantity (+ buys), realized P&L and fee. */
  add(slot: number, signedQuantity: number, realized: number, fee: number): void {
    if (slot >= this.qty.length) {
      this.qty = grownF64(this.qty, slot + 1);
      this.pnl = grownF64(this.pnl, slot + 1);
    }
    this.qty[slot] += signedQuantity;
    this.pnl[slot] += realized - fee;
    if (this.qty[slot] === 0) {
      this.count++;
      if (this.pnl[slot] > 0) this.wins++;
      this.pnl[slot] = 0;
    }
  }
}
