// Walk-forward: each segment's chosen set is the best of the grid on its train window, its
// out-of-sample stats equal that set run alone on the test window after it, windows never overlap,
// and the stitched out-of-sample equity compounds the test windows.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { walkForward } from "../../ts/src/research/walkforward.js";
import { parseNyTime } from "../../ts/src/util/nytime.js";
import { REPO, samplePath, tempDir } from "../helpers/fixtures.js";
import { aloneStats, PROBE } from "../helpers/research.js";

const GRID = { sma_period: [9, 20], rr_ratio: [1, 3] };

describe("walk-forward", () => {
  it("chooses on the train window and runs the choice on the test window after it", async () => {
    const r = await walkForward({
      strategy: PROBE,
      grid: GRID,
      data: samplePath(),
      start: "2024-01-02",
      end: "2024-01-12",
      train: "4d",
      test: "2d",
      workers: 2,
    });
    const day = 86_400_000;
    const jan2 = parseNyTime("2024-01-02")!;
    const iso = (t: number) => new Date(t).toISOString();
    expect(r.segments.map((s) => [s.trainStart, s.testEnd])).toEqual([0, 2, 4].map((k) => [iso(jan2 + k * day), iso(jan2 + (k + 6) * day)]));
    let compounded = 1,
      extended = 0;
    for (const [k, s] of r.segments.entries()) {
      expect(s.error).toBeUndefined();
      // The train window asked for ends at midnight, inside a Globex session: its runs go on to the
      // session's close, and the test window starts there, after every bar the train runs saw.
      const train = { start: Date.parse(s.trainStart), end: jan2 + (2 * k + 4) * day };
      expect(s.testStart).toBe(s.trainEnd);
      expect(Date.parse(s.trainEnd)).toBeGreaterThanOrEqual(train.end);
      if (Date.parse(s.trainEnd) > train.end) extended++;
      // The chosen set: the best Sharpe of the grid on the train window (ties: grid order).
      const inSample = await Promise.all(
        [
          { sma_period: 9, rr_ratio: 1 },
          { sma_period: 9, rr_ratio: 3 },
          { sma_period: 20, rr_ratio: 1 },
          { sma_period: 20, rr_ratio: 3 },
        ].map(async (p) => ({ p, stats: await aloneStats(p, train) })),
      );
      const best = inSample.reduce((a, b) => (b.stats.sharpe > a.stats.sharpe ? b : a));
      expect(s.chosen).toEqual(best.p);
      expect(s.inSample).toEqual(best.stats);
      expect(s.outOfSample).toEqual(await aloneStats(best.p, { start: Date.parse(s.testStart), end: Date.parse(s.testEnd) }));
      compounded *= s.outOfSample!.finalPortfolioValue / 100_000;
    }
    // Lumibot's clock runs every session that opens by the end's date: the one opening Sunday 18:00 runs
    // to Monday's close, past the Monday-midnight boundary; the other boundaries stop the clock before.
    expect(extended).toBe(1);
    expect(r.outOfSample.totalReturn).toBeCloseTo(compounded - 1, 12);
    const eq = r.outOfSample.equity;
    expect(eq.value.at(-1)).toBeCloseTo(100_000 * compounded, 6);
    for (let i = 1; i < eq.timeMs.length; i++) expect(eq.timeMs[i]).toBeGreaterThanOrEqual(eq.timeMs[i - 1]);
  }, 120_000);

  it("is written by ferrobt walkforward as walkforward.json and walkforward.html", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "grid.json"), JSON.stringify({ sma_period: [9, 20] }));
    const args = ["walkforward", PROBE, "--grid", join(dir, "grid.json"), "--data", samplePath(), "--start", "2024-01-02", "--end", "2024-01-09"];
    const r = spawnSync(process.execPath, [join(REPO, "dist/cli/main.js"), ...args, "--train", "3d", "--test", "2d", "--out", dir, "--quiet"], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "walkforward.json"), "utf8"));
    expect(doc.segments).toHaveLength(2);
    expect(Object.keys(doc.segments[0])).toEqual(["trainStart", "trainEnd", "testStart", "testEnd", "chosen", "inSample", "outOfSample"]);
    expect(readFileSync(join(dir, "walkforward.html"), "utf8")).toContain('"kind":"walkforward"');
    const bad = spawnSync(process.execPath, [join(REPO, "dist/cli/main.js"), ...args, "--train", "3d", "--test", "2d", "--step", "1d"], { encoding: "utf8" });
    expect(bad.stderr).toMatch(/\[ERR_ARGUMENT\] argument 'step': a step shorter than the test window/);
  }, 120_000);
});
