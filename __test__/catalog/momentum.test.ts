// The multi-asset example (examples/momentum-top10.ts) on generated stocks: daily ranking from minute
// bars, equal-weight share positions with notional cash, the same trade log on a catalog under a
// budget forcing evictions as on the whole store, and rebalances that only use bars closed by then.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import MomentumTop10 from "../../examples/momentum-top10.js";
import { Backtest, BarStore, Catalog, generateStocks } from "../../ts/src/index.js";
import { formatNy } from "../../ts/src/util/nytime.js";
import { REPO, tempDir } from "../helpers/fixtures.js";

const MIB = 2 ** 20;
const window = { start: "2024-02-01T09:30", end: "2024-02-29T16:00" };

describe("momentum top-N on stocks", () => {
  let dir: string;
  let store: BarStore;
  beforeAll(() => {
    dir = join(tempDir(), "stocks");
    generateStocks(dir, { symbols: 12, seed: 3, start: "2024-01-02", end: "2024-03-01" });
    store = BarStore.openSync(join(dir, "symbol=*/year=*/*.parquet"));
  });

  const run = (data: BarStore | Catalog) => {
    const strategy = new MomentumTop10();
    const parameters = { lookback_days: 5, top: 3, symbols: [...store.symbols()] };
    return new Backtest(strategy, { data, ...window, parameters }).run();
  };

  it("rebalances daily into the top 3 with notional cash", () => {
    const result = run(store);
    expect(result.fillCount).toBeGreaterThan(20);
    const fills = result.fills;
    // Orders go in one minute before the close and fill on the next bar (15:59 ET), every trading day.
    const days = new Set(fills.map((f) => formatNy(f.timeMs).slice(0, 10)));
    expect(days.size).toBeGreaterThan(10);
    for (const f of fills) expect(formatNy(f.timeMs).slice(11, 16)).toBe("15:59");
    // At most three names held after each day's rebalance, and value = cash + Σ shares × last close.
    const last = result.equity.length - 1;
    const held = result.equity.positionsAt(last);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(3);
    let value = result.finalCash;
    for (const p of held) {
      expect(Number.isInteger(p.quantity) && p.quantity > 0).toBe(true);
      const c = store.columns(p.symbol);
      const k = store.countBefore(p.symbol, result.endMs) - 1;
      value += p.quantity * c.close[k];
    }
    expect(result.finalPortfolioValue).toBeCloseTo(value, 6);
    // Notional cash: every buy took price × quantity (+ no fee) out of cash.
    expect(result.finalCash).toBeLessThan(100_000);
  });

  /** Room for four symbols' bars (eight of the 24 monthly chunks): ranking all twelve daily evicts. */
  const budgetMb = () => (4 * Math.max(...store.symbols().map((s) => store.size(s))) * 56) / MIB;

  it("gives the same trade log on a catalog under a budget forcing evictions", () => {
    const expected = run(store).tradeLog.toCsv();
    const tiny = Catalog.openSync(dir, { memoryBudgetMb: budgetMb() });
    expect(run(tiny).tradeLog.toCsv()).toBe(expected);
    expect(tiny.stats.evictions).toBeGreaterThan(12);
    tiny.dispose();
  });

  it("runs from the CLI on the catalog with --params (JSON or @file) to the same trades; bad --params are typed errors", () => {
    const expected = run(store).tradeLog.toCsv();
    const params = { lookback_days: 5, top: 3, symbols: [...store.symbols()] };
    const cli = (extra: string[]) => {
      const out = tempDir();
      const args = [
        "backtest",
        "examples/momentum-top10.ts",
        "--data",
        dir,
        "--memory-budget-mb",
        String(budgetMb()),
        ...Object.entries(window).flatMap(([k, v]) => [`--${k}`, v]),
      ];
      const r = spawnSync(process.execPath, [join(REPO, "dist/cli/main.js"), ...args, "--out", out, "--quiet", ...extra], { cwd: REPO, encoding: "utf8" });
      return { r, trades: () => readFileSync(join(out, "trades.csv"), "utf8") };
    };
    const inline = cli(["--params", JSON.stringify(params)]);
    expect(inline.r.status, inline.r.stderr).toBe(0);
    expect(inline.trades()).toBe(expected);
    const file = join(tempDir(), "params.json");
    writeFileSync(file, JSON.stringify(params));
    const fromFile = cli(["--params", `@${file}`]);
    expect(fromFile.r.status, fromFile.r.stderr).toBe(0);
    expect(fromFile.trades()).toBe(expected);
    for (const bad of ["[1, 2]", "{top: 3}", "@/nonexistent/params.json"]) {
      const { r } = cli(["--params", bad]);
      expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/ERR_ARGUMENT.*--params/)]);
    }
  });
});
