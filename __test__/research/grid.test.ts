// Grids, objectives and walk-forward windows, alone: bad grids are ERR_ARGUMENT naming the problem,
// combinations come in grid order, the best row follows the objective, and windows never overlap.

import { describe, expect, it } from "vitest";
import { checkGrid, expandGrid } from "../../ts/src/research/grid.js";
import { bestRow, checkObjective, type SweepRow } from "../../ts/src/research/sweep.js";
import { parseDuration, segmentWindows } from "../../ts/src/research/walkforward.js";

const KNOWN = { sma_period: 9, rr_ratio: 3, timestep: "minute" };

const argumentError = (f: () => unknown, message: RegExp) => {
  expect(f).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringMatching(message) }));
};

describe("grids", () => {
  it("expand as the cartesian product, the last parameter varying fastest", () => {
    const grid = checkGrid({ sma_period: [9, 14, 20], rr_ratio: [2, 3] }, KNOWN);
    expect(expandGrid(grid)).toEqual([
      { sma_period: 9, rr_ratio: 2 },
      { sma_period: 9, rr_ratio: 3 },
      { sma_period: 14, rr_ratio: 2 },
      { sma_period: 14, rr_ratio: 3 },
      { sma_period: 20, rr_ratio: 2 },
      { sma_period: 20, rr_ratio: 3 },
    ]);
    expect(expandGrid(checkGrid({ timestep: ["minute", "day"] }, KNOWN))).toEqual([{ timestep: "minute" }, { timestep: "day" }]);
  });

  it("that are not an object of non-empty arrays of values, or name an unknown parameter, are ERR_ARGUMENT", () => {
    argumentError(() => checkGrid([9, 14], KNOWN), /a grid is an object of arrays/);
    argumentError(() => checkGrid(null, KNOWN), /a grid is an object of arrays/);
    argumentError(() => checkGrid({}, KNOWN), /names no parameter/);
    argumentError(() => checkGrid({ sma_period: [] }, KNOWN), /'sma_period': expected a non-empty array/);
    argumentError(() => checkGrid({ sma_period: 9 }, KNOWN), /'sma_period': expected a non-empty array/);
    argumentError(() => checkGrid({ sma_period: [9, null] }, KNOWN), /'sma_period'\[1\]: null is not/);
    argumentError(() => checkGrid({ sma_period: [9, Number.NaN] }, KNOWN), /'sma_period'\[1\]/);
    argumentError(() => checkGrid({ sma_period: [[9]] }, KNOWN), /'sma_period'\[0\]/);
    argumentError(
      () => checkGrid({ smaPeriod: [9] }, KNOWN, "grid g.json"),
      /^argument 'grid g.json': unknown parameter 'smaPeriod' \(the strategy's parameters: sma_period, rr_ratio, timestep\)/,
    );
    // An inherited name is not a parameter.
    argumentError(() => checkGrid({ toString: [1] }, KNOWN), /unknown parameter 'toString'/);
  });
});

const row = (parameters: Record<string, number>, sharpe: number, maxDrawdown = 0.1): SweepRow =>
  ({
    parameters,
    sharpe,
    maxDrawdown,
    iterations: 1,
    fills: 0,
    finalPortfolioValue: 1,
    totalReturn: 0,
    cagr: 0,
    sortino: 0,
    tradeCount: 0,
    winRate: 0,
  }) as SweepRow;

describe("the best row", () => {
  it("is the highest objective (the lowest drawdown), ties to the first in grid order, never a failed or NaN run", () => {
    const failed = { parameters: { a: 0 }, error: { code: "ERR_STRATEGY", message: "x" } } as SweepRow;
    const rows = [failed, row({ a: 1 }, 0.5, 0.3), row({ a: 2 }, Number.NaN, 0.05), row({ a: 3 }, 1.2, 0.2), row({ a: 4 }, 1.2, 0.2)];
    expect(bestRow(rows, "sharpe")).toBe(3);
    expect(bestRow(rows, "maxDrawdown")).toBe(2);
    expect(bestRow([failed], "sharpe")).toBeUndefined();
    expect(bestRow([], "sharpe")).toBeUndefined();
    argumentError(() => checkObjective("profit"), /'profit' is not one of sharpe, sortino/);
  });
});

describe("walk-forward windows", () => {
  const D = 86_400_000;
  it("roll by the step, each test window right after its train window and inside the span", () => {
    const w = segmentWindows(0, 60 * D, 30 * D, 7 * D, 7 * D);
    expect(w.map((s) => [s.trainStart / D, s.trainEnd / D, s.testStart / D, s.testEnd / D])).toEqual([
      [0, 30, 30, 37],
      [7, 37, 37, 44],
      [14, 44, 44, 51],
      [21, 51, 51, 58],
    ]);
    for (const s of w) expect(s.testStart).toBeGreaterThanOrEqual(s.trainEnd);
    for (let i = 1; i < w.length; i++) expect(w[i].testStart).toBeGreaterThanOrEqual(w[i - 1].testEnd);
  });

  it("refuse a step shorter than the test window, a span too short, and bad durations", () => {
    argumentError(() => segmentWindows(0, 60 * D, 30 * D, 7 * D, 3 * D), /^argument 'step'/);
    argumentError(() => segmentWindows(0, 20 * D, 30 * D, 7 * D, 7 * D), /^argument 'train'/);
    expect(parseDuration("train", "30d")).toBe(30 * D);
    expect(parseDuration("test", "12h")).toBe(D / 2);
    expect(parseDuration("step", "2w")).toBe(14 * D);
    argumentError(() => parseDuration("train", "30 days"), /^argument 'train': '30 days' is not a duration/);
    argumentError(() => parseDuration("test", "0d"), /^argument 'test'/);
  });
});
