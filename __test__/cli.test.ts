// The command line end to end (built dist/): backtest on Lumibot's data with both backends, the
// written files, exit codes, and the profiler's table.

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { formatProfile, profileRun } from "../ts/src/profile/profile.js";
import { REPO, requireShared, SHARED_MES, samplePath, tempDir } from "./helpers/fixtures.js";

const CLI = join(REPO, "dist/cli/main.js");
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8" });

describe("ferrobt CLI", () => {
  it.for(["native", "reference"])("backtests the MES example on Lumibot's data (%s backend) and writes its files", (backend, { skip }) => {
    requireShared(skip);
    const out = tempDir();
    const r = cli([
      "backtest",
      "examples/mes-momentum-sma9.ts",
      "--data",
      SHARED_MES,
      "--start",
      "2024-01-03T09:30",
      "--end",
      "2024-01-05T16:00",
      "--backend",
      backend,
      "--out",
      out,
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect([doc.iterations, doc.orders, doc.fills, doc.fees, doc.finalPortfolioValue.toFixed(2)]).toEqual([3268, 1603, 896, 448, "99098.43"]);
    expect(readFileSync(join(out, "trades.csv"), "utf8").split("\n").length).toBe(966 + 896 + 1_484 + 2); // rows + header + final newline
    expect(JSON.parse(readFileSync(join(out, "stats.json"), "utf8")).fills).toBe(896);
    expect(readFileSync(join(out, "portfolio.csv"), "utf8").split("\n").length).toBe(3_277 + 2); // 3,268 iterations + 9 hook rows, header, final newline
  });

  it("exits non-zero with a typed message on bad input", () => {
    const missing = cli(["backtest", "examples/mes-momentum-sma9.ts", "--data", "/nonexistent.parquet"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("[ERR_IO] /nonexistent.parquet");
    const backwards = cli(["backtest", "examples/mes-momentum-sma9.ts", "--data", samplePath(), "--start", "2024-01-05", "--end", "2024-01-03"]);
    expect(backwards.status).toBe(1);
    expect(backwards.stderr).toContain("[ERR_ARGUMENT]");
    expect(cli(["frobnicate"]).status).toBe(2);
  });

  it("generates sample data", () => {
    const path = join(tempDir(), "x.parquet");
    expect(execFileSync(process.execPath, [CLI, "generate", path, "--start", "2024-01-02", "--end", "2024-01-04"], { encoding: "utf8" })).toMatch(
      /^wrote \d+ bars/,
    );
  });
});

describe("profiler", () => {
  it("times the hot calls on both backends and checks parity", async () => {
    const reports = [];
    for (const b of ["native", "reference"] as const)
      reports.push(await profileRun(() => new MESMomentumSMA9(), [samplePath()], b, "2024-01-03T09:30", "2024-01-04T16:00"));
    const [n] = reports;
    const ghp = n.calls.find((c) => c.name === "getHistoricalPrices")!;
    expect(ghp.count).toBe(n.iterations);
    expect(ghp.totalMs).toBeGreaterThan(0);
    expect(n.calls.find((c) => c.name === "broker fill evaluation")!.count).toBeGreaterThan(n.iterations);
    const table = formatProfile(reports);
    expect(table).toContain("native speedup");
    expect(table).toContain("parity: trade logs equal");
  });
});

describe("the command line's V8 flags", () => {
  /** A strategy class `name` with `body`, printing the young generation's size at its end. */
  const strategySource = (name: string, body: string) => `import { getHeapSpaceStatistics } from "node:v8";
import { Strategy } from "ferrobt";
export default class ${name} extends Strategy {
${body}
  override onStrategyEnd(): void {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    console.error("new_space", young?.space_size);
  }
}
`;
  /** Keeps a few hundred small arrays and drops the rest, as a backtest does. */
  const KEEPS_SOME = strategySource(
    "NewSpace",
    `  private kept: number[][] = [];
  override onTradingIteration(): void {
    for (let i = 0; i < 200; i++) this.kept.push([i, i + 1]);
    if (this.kept.length > 2_000) this.kept = [];
  }`,
  );
  /** Allocates ~4 kB a minute and keeps none of it. */
  const KEEPS_NOTHING = strategySource(
    "Garbage",
    `  sink = 0;
  override onTradingIteration(): void {
    this.sink += new Array(500).length;
  }`,
  );
  /** The young generation's sizes a process printed, one per run. */
  const youngSizes = (stderr: string) => [...stderr.matchAll(/new_space (\d+)/g)].map((m) => Number(m[1]));

  /** `source` written as a strategy in a scratch directory, and an environment without the flags' overrides. */
  function setUp(source: string): { dir: string; strategy: string; env: NodeJS.ProcessEnv } {
    const dir = tempDir();
    const strategy = join(dir, "strategy.ts");
    writeFileSync(strategy, source);
    const env: NodeJS.ProcessEnv = { ...process.env, FERROBT_CACHE_DIR: join(dir, "cache") };
    delete env.FERROBT_V8_TUNING;
    delete env.NODE_OPTIONS;
    return { dir, strategy, env };
  }

  /** A program importing ferrobt (dist) runs `strategy` `runs` times over the sample's three days; the sizes it printed. */
  function viaLibrary(strategy: string, env: NodeJS.ProcessEnv, runs: number, nodeFlags: string[] = [], extraEnv: Record<string, string> = {}): number[] {
    const dist = (f: string) => JSON.stringify(pathToFileURL(join(REPO, "dist", f)).href);
    const code = `import { compiledStrategyUrl } from ${dist("cli/compile.js")};
import { Backtest, BarStore } from ${dist("index.js")};
const { default: S } = await import(await compiledStrategyUrl(${JSON.stringify(strategy)}));
const data = BarStore.openParquetSync(${JSON.stringify(samplePath())});
for (let i = 0; i < ${runs}; i++) new Backtest(new S(), { data, start: "2024-01-03T09:30", end: "2024-01-05T16:00" }).run();`;
    const r = spawnSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", code], { cwd: REPO, encoding: "utf8", env: { ...env, ...extraEnv } });
    expect(r.status, r.stderr).toBe(0);
    return youngSizes(r.stderr);
  }

  it("grow the young generation to its maximum at once, in the command line and in a program importing ferrobt, unless told not to", () => {
    const { dir, strategy, env } = setUp(KEEPS_SOME);
    const viaCli = spawnSync(process.execPath, [CLI, "backtest", strategy, "--data", samplePath(), "--out", join(dir, "out"), "--quiet"], {
      cwd: REPO,
      encoding: "utf8",
      env,
    });
    expect(viaCli.status, viaCli.stderr).toBe(0);
    // V8's default maximum on 64-bit: two semi-spaces of 16 MiB.
    expect(youngSizes(viaCli.stderr)).toEqual([32 * 1024 * 1024]);
    // The same run through the library, in a process started with node's default flags.
    expect(viaLibrary(strategy, env, 1)).toEqual([32 * 1024 * 1024]);
    // Opted out, or the process's own semi-space flag (on node's command line or in NODE_OPTIONS): V8 doubles a step at a time.
    expect(viaLibrary(strategy, env, 1, [], { FERROBT_V8_TUNING: "0" })[0]).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(viaLibrary(strategy, env, 1, ["--semi-space-growth-factor=2"])[0]).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(viaLibrary(strategy, env, 1, [], { NODE_OPTIONS: "--max-semi-space-size=16" })[0]).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it("grow the young generation even when the run keeps nothing (the first run's ballast), unless told not to", () => {
    const { strategy, env } = setUp(KEEPS_NOTHING);
    // Two runs in one process: the second (no ballast of its own) finds the young generation as the first left it.
    expect(viaLibrary(strategy, env, 2)).toEqual([32 * 1024 * 1024, 32 * 1024 * 1024]);
    // Without the ballast so little outlives a scavenge that V8 grows the young generation one doubling
    // at most (the growth factor alone, without the ballast, left it ungrown through both runs).
    for (const size of viaLibrary(strategy, env, 2, [], { FERROBT_V8_TUNING: "0" })) expect(size).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
