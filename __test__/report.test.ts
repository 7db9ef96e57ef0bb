// The HTML report's data: what it embeds checked against the written stats.json, Lumibot's figures and
// its own equity series. (The page itself in Chromium: report-browser.test.ts, in npm run test:full.)

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { type BacktestResult, writeResults } from "../ts/src/index.js";
import { monthlyReturns, type ReportData } from "../ts/src/report/data.js";
import { requireShared, tempDir } from "./helpers/fixtures.js";
import { mesReport } from "./helpers/report.js";

let result: BacktestResult;
let data: ReportData;
beforeAll(() => {
  const run = mesReport();
  if (run) ({ result, data } = run);
});

describe("report", () => {
  it("embeds the written stats.json, Lumibot's figures, and fills, equity and drawdown consistent with them", ({ skip }) => {
    requireShared(skip);
    const stats = JSON.parse(readFileSync(writeResults(result, tempDir()).stats, "utf8"));
    expect(JSON.parse(JSON.stringify(data.stats))).toEqual(stats);
    expect([stats.iterations, stats.fills, stats.fees, stats.finalPortfolioValue.toFixed(2)]).toEqual([3_268, 896, 448, "99098.43"]);
    expect(data.markers.length).toBe(896);
    expect(data.trades.reduce((s, t) => s + t.fee, 0)).toBe(stats.fees);
    expect(data.equity.v.at(-1)).toBe(result.rows.at(-1)!.portfolioValue);
    // The drawdown series, recomputed here from the equity series, and its worst point.
    let peak = -Infinity;
    const drawdown = data.equity.v.map((v) => {
      peak = Math.max(peak, v);
      return v / peak - 1;
    });
    data.drawdown.v.forEach((d, i) => {
      expect(d).toBeCloseTo(drawdown[i], 12);
    });
    expect(-Math.min(...data.drawdown.v)).toBeCloseTo(stats.maxDrawdown.drawdown, 2);
    expect(data.brackets.length).toBe(2 * 448);
    expect(data.overview.candles.t.length).toBeLessThanOrEqual(2_500);
    expect(data.minute.t.length).toBeGreaterThan(3_000);
    // Three days: one month, no heatmap; the monthly helper itself on a two-month run.
    expect(data.monthly).toEqual([]);
    const fake = {
      ...result,
      rows: [
        { ...result.rows[0], timeMs: Date.UTC(2024, 0, 10), portfolioValue: 100 },
        { ...result.rows[0], timeMs: Date.UTC(2024, 0, 31), portfolioValue: 110 },
        { ...result.rows[0], timeMs: Date.UTC(2024, 1, 20), portfolioValue: 99 },
      ],
    };
    const m = monthlyReturns(fake);
    expect(m.map((x) => x.month)).toEqual(["2024-01", "2024-02"]);
    expect(m[1].ret).toBeCloseTo(-0.1, 12);
  });
});
