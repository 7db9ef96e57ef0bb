// Engine-level parity: the same strategies on the native store and on the pure-TS reference backend
// give byte-identical trade logs, portfolio series and stats, and so do seeded random strategies.

import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import DailyTrailingTrend from "../examples/daily-trailing-trend.js";
import HourlyLimitReversion from "../examples/hourly-limit-reversion.js";
import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { Backtest, type BacktestResult, BarStore, type DataSource, generateSample, type Strategy, statsDocument } from "../ts/src/index.js";
import { ReferenceSource } from "../ts/src/reference.js";
import { portfolioCsv } from "../ts/src/results/write.js";
import { nyToUtc } from "../ts/src/util/nytime.js";
import { requireShared, SHARED_MES, tempDir } from "./helpers/fixtures.js";
import { RandomStrategy } from "./helpers/random-strategy.js";

let native: BarStore;
let reference: ReferenceSource;

beforeAll(async () => {
  const path = join(tempDir(), "spring.parquet");
  // March 2023: the MESH3 → MESM3 roll (Mar 7) and the DST change (Mar 12).
  generateSample(path, { start: "2023-02-15", end: "2023-04-01", seed: 5 });
  native = BarStore.openParquetSync(path);
  reference = await ReferenceSource.open(path);
}, 120_000);

/** The three outputs, as text. */
function outputs(r: BacktestResult): { trades: string; portfolio: string; stats: string } {
  const { ...stats } = statsDocument(r);
  delete (stats as { backend?: string }).backend;
  return { trades: r.tradeLog.toCsv(), portfolio: portfolioCsv(r), stats: JSON.stringify(stats) };
}

/** Throws with the first differing row, both values and how to rerun. */
function expectParity(make: () => Strategy, a: DataSource, b: DataSource, start: string | number, end: string | number, rerun: string): void {
  const x = outputs(new Backtest(make(), { data: a, start, end }).run());
  const y = outputs(new Backtest(make(), { data: b, start, end }).run());
  for (const k of ["trades", "portfolio", "stats"] as const) {
    if (x[k] === y[k]) continue;
    const xl = x[k].split("\n"),
      yl = y[k].split("\n");
    const i = xl.findIndex((l, j) => l !== yl[j]);
    throw new Error(`parity failure in ${k} (${rerun}), line ${i + 1}:\n  native:    ${xl[i]}\n  reference: ${yl[i]}`);
  }
  expect(x.trades.split("\n").length, "trade log rows besides the header").toBeGreaterThan(2);
}

describe("engine parity: native vs reference", () => {
  it("MES Momentum SMA-9 on Lumibot's reference data", async ({ skip }) => {
    requireShared(skip);
    const shared = await ReferenceSource.open(SHARED_MES);
    const store = BarStore.openParquetSync(SHARED_MES);
    expectParity(() => new MESMomentumSMA9(), store, shared, "2024-01-03T09:30", "2024-01-05T16:00", "MES example");
    store.dispose();
  });

  it("MES Momentum SMA-9 across a roll and a DST change", () => {
    expectParity(() => new MESMomentumSMA9(), native, reference, "2023-03-06T09:30", "2023-03-14T16:00", "MES example, March 2023");
  });

  it("an hourly limit / stop-limit strategy", () => {
    const r = new Backtest(new HourlyLimitReversion(), { data: native, start: "2023-02-20T09:30", end: "2023-03-31T16:00" }).run();
    const types = new Set(r.fills.map((f) => f.order.type));
    expect(types.has("limit")).toBe(true);
    expect(r.tradeLog.events.some((e) => e.order.type === "stop_limit")).toBe(true);
    expectParity(() => new HourlyLimitReversion(), native, reference, "2023-02-20T09:30", "2023-03-31T16:00", "hourly limit example");
  });

  it("a daily trailing-stop strategy", () => {
    const r = new Backtest(new DailyTrailingTrend(), { data: native, start: "2023-02-20T09:30", end: "2023-03-31T16:00" }).run();
    expect(r.fills.some((f) => f.order.type === "trailing_stop")).toBe(true);
    expectParity(() => new DailyTrailingTrend(), native, reference, "2023-02-20T09:30", "2023-03-31T16:00", "daily trailing example");
  });

  it("random strategies: every order type and class, random clocks and cadences", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        fc.constantFrom("1M", "3M", "30S", "15M"),
        (seed, offset, sleeptime) => {
          const start = nyToUtc(2023, 2, 20) + offset * 60_000;
          expectParity(
            () => new RandomStrategy(seed, sleeptime),
            native,
            reference,
            start,
            start + 2 * 86_400_000,
            `seed ${seed}, start ${start}, sleeptime ${sleeptime}`,
          );
        },
      ),
      { numRuns: 12, seed: 4242 },
    );
  });
});
