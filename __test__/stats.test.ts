// Summary statistics (spec §8.2) against an independent implementation: a fixture portfolio series whose
// Sharpe, CAGR, volatility, Sortino, RoMaD and max drawdown were computed by
// __test__/fixtures/stats/lumibot_stats.py (Python, 60-digit decimals), asserted to 1e-12; and the
// formulas' documented edge cases (runs shorter than a day, a single row, no drawdown); and the round
// trips behind the trade count and win rate.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Asset } from "../ts/src/engine/asset.js";
import { FillLedger } from "../ts/src/engine/fill-ledger.js";
import { RunInstant } from "../ts/src/engine/instant.js";
import { MARKET, OrderBook, SIMPLE, sideCode, timeInForceCode } from "../ts/src/engine/order.js";
import { NO_TRIPS, ReturnsScan, RoundTrips, type SummaryStats, summarize } from "../ts/src/engine/stats.js";

/** The one place that knows how the engine takes its portfolio series: [time ms, portfolio value] pairs in, summary out. */
function statsOf(series: readonly (readonly [number, number])[], riskFreeRate = 0): SummaryStats {
  const equity = { length: series.length, timeMs: series.map((r) => r[0]), portfolioValue: series.map((r) => r[1]) };
  return summarize(ReturnsScan.of(equity), NO_TRIPS, riskFreeRate, (ms) => String(ms));
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/stats/portfolio-stats.json", import.meta.url), "utf8")) as {
  riskFreeRate: number;
  rows: [number, number][];
  expected: Record<"totalReturn" | "cagr" | "volatility" | "sharpe" | "sortino" | "maxDrawdown" | "romad" | "maxDrawdownTimeMs", number>;
};

/** |actual − expected| ≤ 1e-12 · max(1, |expected|). */
function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe("summary statistics (§8.2) against an independent implementation", () => {
  it("match the Python/decimal figures on a two-year fixture series to 1e-12", () => {
    const { rows, riskFreeRate, expected } = fixture;
    expect(rows.length).toBe(549); // 27 repeated timestamps among them, which the stats skip
    const s = statsOf(rows, riskFreeRate);
    for (const k of ["totalReturn", "cagr", "volatility", "sharpe", "sortino", "romad"] as const) expectClose(s[k], expected[k], k);
    expectClose(s.maxDrawdown.drawdown, expected.maxDrawdown, "maxDrawdown");
    expect(s.maxDrawdown.date).toBe(String(expected.maxDrawdownTimeMs));
    // Guards against a fixture that could not tell the formulas apart.
    expect(expected.sharpe).not.toBeCloseTo(expected.sortino, 1);
    expect(expected.maxDrawdown).toBeGreaterThan(0.05);
  });

  it("ignore later rows at an identical timestamp and count whole days only", () => {
    const { rows, riskFreeRate } = fixture;
    const base = statsOf(rows, riskFreeRate);
    // Changing a repeated row's value changes nothing; moving the last row within its day neither.
    const i = rows.findIndex((r, j) => j > 0 && r[0] === rows[j - 1][0]);
    const repeated = rows.map((r, j): [number, number] => (j === i ? [r[0], r[1] * 2] : r));
    expect(statsOf(repeated, riskFreeRate)).toEqual(base);
    const last = rows.length - 1;
    const earlier = rows.map((r, j): [number, number] => (j === last ? [r[0] - 12 * 3_600_000, r[1]] : r));
    expect(statsOf(earlier, riskFreeRate).cagr).toBe(base.cagr);
  });

  it("are 0 for runs shorter than a day, except the total return and drawdown", () => {
    const t0 = Date.UTC(2024, 0, 3, 14, 30);
    const s = statsOf([
      [t0, 100],
      [t0 + 60_000, 110],
      [t0 + 120_000, 99],
      [t0 + 180_000, 104.5],
    ]);
    expectClose(s.totalReturn, 0.045, "totalReturn");
    expect([s.cagr, s.volatility, s.sharpe, s.sortino, s.romad]).toEqual([0, 0, 0, 0, 0]);
    expectClose(s.maxDrawdown.drawdown, 0.1, "maxDrawdown"); // 110 → 99
    expect(s.maxDrawdown.date).toBe(String(t0 + 120_000));
  });

  it("give {0, first date} for a single row and 0 RoMaD and Sortino without losses", () => {
    const t0 = Date.UTC(2024, 0, 3);
    expect(statsOf([[t0, 100]]).maxDrawdown).toEqual({ drawdown: 0, date: String(t0) });
    const rising = statsOf([
      [t0, 100],
      [t0 + 86_400_000, 101],
      [t0 + 2 * 86_400_000, 103],
    ]);
    expect(rising.maxDrawdown.drawdown).toBe(0);
    expect([rising.romad, rising.sortino]).toEqual([0, 0]);
    // Y = 2 / 365.25: G = 1.03, so CAGR = 1.03^(365.25 / 2) − 1.
    expectClose(rising.cagr, 1.03 ** (365.25 / 2) - 1, "cagr");
  });
});

describe("round trips counted as fills arrive", () => {
  it("close a trip when the slot is flat again, and count its P&L after fees as a win only when > 0", () => {
    const trips = new RoundTrips();
    trips.add(0, 2, 0, 0.5); // open 2
    trips.add(1, -1, 0, 0.5); // another asset: short 1
    trips.add(0, -1, 3, 0.5); // partly closed
    expect([trips.count, trips.wins]).toEqual([0, 0]);
    trips.add(0, -1, 1, 0.5); // flat: 3 + 1 − 4 × 0.5 = 2 > 0
    trips.add(1, 1, 0.25, 0.5); // flat: 0.25 − 1 = −0.75
    trips.add(0, 1, 0, 0.5);
    trips.add(0, -1, 1, 0.5); // flat: 1 − 1 = 0, not a win
    expect([trips.count, trips.wins]).toEqual([3, 1]);
  });

  it("group a ledger's fills by asset key, even when two Asset objects share a key", () => {
    const book = new OrderBook();
    const [a, b, c] = [Asset.stock("SPY"), Asset.stock("SPY"), Asset.stock("QQQ")];
    const row = (asset: Asset, side: "buy" | "sell") =>
      book.append("", asset, 1, sideCode(side), MARKET, SIMPLE, undefined, undefined, undefined, undefined, timeInForceCode("gtc"));
    const ledger = new FillLedger(book);
    ledger.add(new RunInstant(0), row(a, "buy"), 10, 1, 0.1, 0);
    ledger.add(new RunInstant(1), row(c, "buy"), 10, 1, 0.1, 0);
    ledger.add(new RunInstant(2), row(b, "sell"), 12, 1, 0.1, 2); // closes the SPY trip opened through `a`
    expect([ledger.trips.count, ledger.trips.wins]).toEqual([1, 1]);
    expect(ledger.totalFees()).toBe(0.1 + 0.1 + 0.1);
  });
});
