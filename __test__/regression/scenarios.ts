// The engine's regression scenarios: the three examples (and the pandas fill model) on generated data
// and on Lumibot's reference file, and seeded random strategies using every order type. Their trade
// logs, portfolio series and stats were recorded before the engine's rewrite (record.ts); the test
// checks every run against them byte for byte.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import DailyTrailingTrend from "../../examples/daily-trailing-trend.js";
import HourlyLimitReversion from "../../examples/hourly-limit-reversion.js";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { Backtest, type BacktestOptions, BarStore, generateSample, type Strategy, statsDocument } from "../../ts/src/index.js";
import { portfolioCsv } from "../../ts/src/results/write.js";
import { nyToUtc } from "../../ts/src/util/nytime.js";
import { SHARED_MES } from "../helpers/fixtures.js";
import { RandomStrategy } from "../helpers/random-strategy.js";

/** Where the recorded outputs live (committed). */
export const FIXTURES = join(import.meta.dirname, "fixtures");

/** One recorded run: which strategy on which data, and whether its full files are kept (else hashes only). */
export interface Scenario {
  readonly name: string;
  readonly data: "spring" | "shared";
  readonly make: () => Strategy;
  readonly options: Omit<BacktestOptions, "data">;
  readonly full: boolean;
}

const RANDOM: [number, string][] = [
  [11, "1M"],
  [23, "3M"],
  [37, "30S"],
  [41, "15M"],
  [59, "1M"],
  [67, "3M"],
  [71, "30S"],
  [83, "15M"],
];

export const SCENARIOS: readonly Scenario[] = [
  { name: "mes-sma9-shared", data: "shared", make: () => new MESMomentumSMA9(), options: { start: "2024-01-03T09:30", end: "2024-01-05T16:00" }, full: true },
  {
    name: "mes-sma9-shared-pandas",
    data: "shared",
    make: () => new MESMomentumSMA9(),
    options: { start: "2024-01-03T09:30", end: "2024-01-05T16:00", fillModel: "pandas" },
    full: false,
  },
  { name: "mes-sma9-spring", data: "spring", make: () => new MESMomentumSMA9(), options: { start: "2023-03-06T09:30", end: "2023-03-14T16:00" }, full: false },
  {
    name: "mes-sma9-spring-5m",
    data: "spring",
    make: () => Object.assign(new MESMomentumSMA9(), { sleeptime: "5M" }),
    options: { start: "2023-03-01T09:30", end: "2023-03-20T16:00", parameters: { timestep: "5 minutes", bars_lookback: 60 } },
    full: false,
  },
  {
    name: "hourly-limit-spring",
    data: "spring",
    make: () => new HourlyLimitReversion(),
    options: { start: "2023-02-20T09:30", end: "2023-03-31T16:00" },
    full: true,
  },
  {
    name: "daily-trailing-spring",
    data: "spring",
    make: () => new DailyTrailingTrend(),
    options: { start: "2023-02-20T09:30", end: "2023-03-31T16:00" },
    full: true,
  },
  ...RANDOM.map(([seed, sleeptime], i): Scenario => {
    const start = nyToUtc(2023, 2, 20) + ((seed * 7_919) % (30 * 24 * 60)) * 60_000;
    return {
      name: `random-${seed}-${sleeptime}`,
      data: "spring",
      make: () => new RandomStrategy(seed, sleeptime),
      options: { start, end: start + (2 + (i % 3)) * 86_400_000 },
      full: false,
    };
  }),
];

/** The generated data the scenarios run on (same bytes every time) and Lumibot's file when present. */
export function openData(dir: string): { spring: BarStore; shared: BarStore | undefined } {
  const path = join(dir, "spring.parquet");
  // March 2023: the MESH3 → MESM3 roll (Mar 7) and the DST change (Mar 12).
  if (!existsSync(path)) generateSample(path, { start: "2023-02-15", end: "2023-04-01", seed: 5 });
  return { spring: BarStore.openParquetSync(path), shared: existsSync(SHARED_MES) ? BarStore.openParquetSync(SHARED_MES) : undefined };
}

/** A run's three outputs as text (the stats without the backend name). */
export interface Outputs {
  readonly trades: string;
  readonly portfolio: string;
  readonly stats: string;
}

export function runScenario(s: Scenario, data: BarStore): Outputs {
  const r = new Backtest(s.make(), { ...s.options, data }).run();
  const stats: Record<string, unknown> = { ...statsDocument(r) };
  delete stats.backend;
  return { trades: r.tradeLog.toCsv(), portfolio: portfolioCsv(r), stats: `${JSON.stringify(stats, null, 2)}\n` };
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
