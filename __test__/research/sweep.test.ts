// Sweeps on the worker_threads pool: every row equals the same Backtest run alone (every number), in
// grid order, with any worker count; a strategy that throws fails its row (error and clock), not the
// sweep; the files hold the rows; the CLI runs it end to end and refuses a bad grid.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStrategy } from "../../ts/src/cli/inputs.js";
import { Backtest, BarStore, statsDocument } from "../../ts/src/index.js";
import { sweepCsv, writeSweep } from "../../ts/src/research/files.js";
import { STAT_KEYS } from "../../ts/src/research/job.js";
import { type SweepResult, sweep } from "../../ts/src/research/sweep.js";
import { REPO, samplePath, tempDir } from "../helpers/fixtures.js";
import { aloneStats, PROBE, SEED } from "../helpers/research.js";

const WINDOW = SEED;
const GRID = { sma_period: [9, 14], rr_ratio: [2, 3] };

let two: SweepResult;
beforeAll(async () => {
  two = await sweep({ strategy: PROBE, grid: GRID, data: samplePath(), ...WINDOW, workers: 2 });
}, 120_000);

describe("sweep", () => {
  it("gives one row per combination in grid order, each equal to the run alone", async () => {
    expect(two.rows.map((r) => r.parameters)).toEqual([
      { sma_period: 9, rr_ratio: 2 },
      { sma_period: 9, rr_ratio: 3 },
      { sma_period: 14, rr_ratio: 2 },
      { sma_period: 14, rr_ratio: 3 },
    ]);
    for (const r of two.rows) {
      expect(r.error).toBeUndefined();
      const { parameters, ...stats } = r;
      expect(stats).toEqual(await aloneStats(parameters));
    }
    // The parameters matter: not every row is the same run.
    expect(new Set(two.rows.map((r) => JSON.stringify({ ...r, parameters: 0 }))).size).toBeGreaterThan(1);
    expect(two.rows[0]).toMatchObject({ iterations: 3268 });
  });

  it("carries the numbers stats.json holds for the same run", async () => {
    const Strategy = await loadStrategy(PROBE);
    const store = BarStore.openParquetSync(samplePath());
    const result = new Backtest(new Strategy(), { data: store, ...WINDOW, parameters: two.rows[3].parameters }).run();
    store.dispose();
    const doc = statsDocument(result) as Record<string, unknown> & { maxDrawdown: { drawdown: number } };
    const { parameters: _, ...row } = two.rows[3];
    expect(row).toEqual(Object.fromEntries(STAT_KEYS.map((k) => [k, k === "maxDrawdown" ? doc.maxDrawdown.drawdown : doc[k]])));
  });

  it("gives the same rows with one worker, and picks the best by the objective", async () => {
    const one = await sweep({ strategy: PROBE, grid: GRID, data: samplePath(), ...WINDOW, workers: 1, objective: "totalReturn" });
    expect(one.rows).toEqual(two.rows);
    const returns = one.rows.map((r) => (r.error ? Number.NEGATIVE_INFINITY : r.totalReturn));
    expect(one.best).toBe(returns.indexOf(Math.max(...returns)));
    expect(one.bestEquity!.timeMs.length).toBeGreaterThan(100);
    expect(one.bestEquity!.value.at(-1)).toBe((one.rows[one.best!] as { finalPortfolioValue: number }).finalPortfolioValue);
  });

  it("fails only the row of a strategy that throws, with the error and the clock", async () => {
    const r = await sweep({ strategy: PROBE, grid: { fail_at_iteration: [0, 100] }, data: samplePath(), ...WINDOW, workers: 2 });
    expect(r.rows[0].error).toBeUndefined();
    const failed = r.rows[1].error!;
    expect(failed.code).toBe("ERR_STRATEGY");
    expect(failed.message).toMatch(/threw in onTradingIteration at 2024-01-03 .*probe failure at iteration 100/);
    // The 100th iteration of a one-minute clock from 09:30 New York (14:30 UTC).
    expect(failed.at).toBe("2024-01-03T16:09:00.000Z");
    expect(r.best).toBe(0);
  });

  it("reads DBN as the backtest does: the same bars as .dbn.zst give the same rows", async () => {
    const dbn = join(tempDir(), "sample.dbn.zst");
    const store = BarStore.openParquetSync(samplePath());
    store.writeDbn(dbn);
    store.dispose();
    const fromDbn = await sweep({ strategy: PROBE, grid: GRID, data: dbn, ...WINDOW, workers: 2 });
    expect(fromDbn.rows).toEqual(two.rows);
  });

  it("refuses an unknown parameter and bad data before running anything", async () => {
    await expect(sweep({ strategy: PROBE, grid: { sma: [9] }, data: samplePath(), ...WINDOW })).rejects.toMatchObject({
      code: "ERR_ARGUMENT",
      message: expect.stringMatching(/unknown parameter 'sma'/),
    });
    await expect(sweep({ strategy: PROBE, grid: GRID, data: "/nonexistent/x.parquet", ...WINDOW })).rejects.toMatchObject({ code: "ERR_IO" });
  });

  it("writes sweep.json (the rows), sweep.csv (a column per parameter and stat) and sweep.html", async () => {
    const dir = tempDir();
    const files = await writeSweep(two, dir, "probe sweep");
    expect(JSON.parse(readFileSync(files.json, "utf8"))).toEqual(two.rows);
    const csv = readFileSync(files.csv, "utf8").trimEnd().split("\n");
    expect(csv[0]).toBe("sma_period,rr_ratio,iterations,fills,finalPortfolioValue,totalReturn,cagr,sharpe,sortino,maxDrawdown,tradeCount,winRate,error");
    const first = two.rows[0] as Record<string, unknown>;
    expect(csv[1].split(",").map(Number).slice(0, 12)).toEqual([
      9,
      2,
      ...["iterations", "fills", "finalPortfolioValue", "totalReturn", "cagr", "sharpe", "sortino", "maxDrawdown", "tradeCount", "winRate"].map(
        (k) => first[k],
      ),
    ]);
    const html = readFileSync(files.html, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('"kind":"sweep"');
    // A failed row: empty stats, the error quoted when it holds a comma.
    expect(sweepCsv(["a"], [{ parameters: { a: 1 }, error: { code: "ERR_STRATEGY", message: 'x, "y"' } }])).toBe(
      'a,iterations,fills,finalPortfolioValue,totalReturn,cagr,sharpe,sortino,maxDrawdown,tradeCount,winRate,error\n1,,,,,,,,,,,"[ERR_STRATEGY] x, ""y"""\n',
    );
  });
});

describe("ferrobt sweep", () => {
  const CLI = join(REPO, "dist/cli/main.js");
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8" });

  it("writes the rows the programmatic sweep gives", () => {
    const dir = tempDir();
    const grid = join(dir, "grid.json");
    writeFileSync(grid, JSON.stringify(GRID));
    const r = cli(["sweep", PROBE, "--grid", grid, "--data", samplePath(), "--workers", "2", "--out", join(dir, "out"), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual(two.rows);
    expect(JSON.parse(readFileSync(join(dir, "out/sweep.json"), "utf8"))).toEqual(two.rows);
  });

  it("refuses a bad grid file with ERR_ARGUMENT naming it", () => {
    const dir = tempDir();
    const cases: [string, RegExp][] = [
      ['{"sma": [9]}', /\[ERR_ARGUMENT\] argument 'grid .*grid\.json': unknown parameter 'sma'/],
      ['{"sma_period": []}', /'sma_period': expected a non-empty array/],
      ["[9, 14]", /a grid is an object of arrays/],
      ["{sma_period: [9]", /grid\.json is not JSON/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(dir, "grid.json"), text);
      const r = cli(["sweep", PROBE, "--grid", join(dir, "grid.json"), "--data", samplePath(), "--out", join(dir, "out")]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(cli(["sweep", PROBE, "--data", samplePath()]).stderr).toMatch(/needs --grid/);
    expect(cli(["sweep", PROBE, "--grid", join(dir, "missing.json")]).stderr).toMatch(/\[ERR_IO\] argument 'grid': cannot read/);
  });
});
