// `npm run bench`: ns per 200-bar window and per last bar, one-year ingest, and the MES SMA-9
// backtest over the seed window and over one year, each beside a pure-JS baseline measured in the
// same run, with the ratio. Writes bench/results/latest.md and latest.json. Reports; never asserts.

import { execSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { Asset, Backtest, BarStore, generateSample } from "../ts/src/index.js";
import { AssetSeries } from "../ts/src/engine/series.js";
import { countBelow } from "../ts/src/data/MemorySource.js";
import { nyToUtc } from "../ts/src/util/nytime.js";
import { handLoop } from "./handloop.js";

const quick = process.argv.includes("--quick");
const here = import.meta.dirname;
const cache = join(here, ".cache");
mkdirSync(cache, { recursive: true });
const data = (name: string, start: string, end: string) => {
  const path = join(cache, name);
  if (!existsSync(path)) generateSample(path, { start, end });
  return path;
};
const yearFile = data("MES-1y.parquet", "2023-01-01", "2024-01-01");
const seedFile = data("MES-seed.parquet", "2023-12-17", "2024-01-13");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function time(runs: number, f: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}
async function timeAsync(runs: number, f: () => Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}
/** ns per op of `op(i)` over n calls, median of 5 rounds. */
function nsPerOp(n: number, op: (i: number) => number): number {
  let sink = 0;
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += op(i);
    rounds.push(Number(process.hrtime.bigint() - t0) / n);
  }
  if (sink === 42) console.log("");
  return median(rounds);
}

interface Row {
  scenario: string;
  ferrobt: number;
  baseline: number;
  unit: string;
  baselineName: string;
  note?: string;
}
const rows: Row[] = [];

// ingest/1y-minute: native polars scan vs hyparquet + typed-array conversion.
const ingest = time(quick ? 2 : 5, () => BarStore.openParquetSync(yearFile).dispose());
const jsIngest = await timeAsync(quick ? 1 : 3, async () => {
  const file = await asyncBufferFromFile(yearFile);
  const r = (await parquetReadObjects({ file, columns: ["ts_event", "open", "high", "low", "close", "volume", "symbol"], parsers: { timestampFromNanoseconds: (x: bigint) => x } })) as Record<string, unknown>[];
  const bySymbol = new Map<string, number[]>();
  r.forEach((row, i) => (bySymbol.get(row.symbol as string) ?? bySymbol.set(row.symbol as string, []).get(row.symbol as string)!).push(i));
  for (const idx of bySymbol.values()) {
    const cols = { ts: new BigInt64Array(idx.length), c: [0, 1, 2, 3, 4].map(() => new Float64Array(idx.length)) };
    idx.forEach((k, j) => {
      cols.ts[j] = r[k].ts_event as bigint;
      cols.c[0][j] = r[k].open as number;
      cols.c[1][j] = r[k].high as number;
      cols.c[2][j] = r[k].low as number;
      cols.c[3][j] = r[k].close as number;
      cols.c[4][j] = Number(r[k].volume);
    });
  }
});
const store = BarStore.openParquetSync(yearFile);
rows.push({ scenario: "ingest/1y-minute", ferrobt: ingest, baseline: jsIngest, unit: "ms", baselineName: "hyparquet + typed arrays", note: `${store.report.rowsRead} rows` });

// window/200x1m and last-bar: the native store vs a pure-JS binary search over the same columns.
const symbol = "MESZ3";
const cols = store.columns(symbol);
const times = cols.timesMs;
const n = quick ? 200_000 : 1_000_000;
const at = (i: number) => times[(i * 7_919) % times.length];
const win = nsPerOp(n, (i) => {
  const w = store.window(symbol, { end: at(i), length: 200 });
  return w.length ? w.close[w.length - 1] : 0;
});
const jsWin = nsPerOp(n, (i) => {
  const end = countBelow(times, at(i), false);
  const c = cols.close.subarray(Math.max(0, end - 200), end);
  return c.length ? c[c.length - 1] : 0;
});
rows.push({ scenario: "window/200x1m", ferrobt: win, baseline: jsWin, unit: "ns", baselineName: "JS binary search + subarray" });
const last = nsPerOp(n, (i) => store.lastBar(symbol, { atOrBefore: at(i) })?.close ?? 0);
const jsLast = nsPerOp(n, (i) => {
  const k = countBelow(times, at(i), true) - 1;
  return k < 0 ? 0 : { close: cols.close[k], open: cols.open[k] }.close;
});
rows.push({ scenario: "last-bar", ferrobt: last, baseline: jsLast, unit: "ns", baselineName: "JS binary search" });

// getHistoricalPrices' data path (continuous future, 200 bars) per call.
const series = AssetSeries.of(store, Asset.contFuture("MES"), nyToUtc(2023, 1, 1), nyToUtc(2024, 1, 1));
const ghp = nsPerOp(n, (i) => series.window(at(i), 200).length);
rows.push({ scenario: "getHistoricalPrices/200x1m", ferrobt: ghp, baseline: jsWin, unit: "ns", baselineName: "JS binary search + subarray", note: "continuous MES" });

// Backtests: the engine running the example vs the hand-written loop of the same rules.
function backtest(file: BarStore, start: string, end: string, runs: number): { ms: number; iterations: number; fills: number; value: number } {
  let result = new Backtest(new MESMomentumSMA9(), { data: file, start, end }).run();
  const ms = time(runs, () => {
    result = new Backtest(new MESMomentumSMA9(), { data: file, start, end }).run();
  });
  return { ms, iterations: result.iterations, fills: result.fills.length, value: result.finalPortfolioValue };
}
function hand(file: BarStore, start: number, end: number, runs: number) {
  const s = AssetSeries.of(file, Asset.contFuture("MES"), start - 30 * 86_400_000, end + 30 * 86_400_000);
  const all = s.window(end + 86_400_000, Number.MAX_SAFE_INTEGER);
  const c = { timesMs: all.timesMs, open: all.open, high: all.high, low: all.low, close: all.close };
  let out = handLoop(c, start, end);
  const ms = time(runs, () => (out = handLoop(c, start, end)));
  return { ms, ...out };
}
const seedStore = BarStore.openParquetSync(seedFile);
const seed = backtest(seedStore, "2024-01-03T09:30", "2024-01-05T16:00", quick ? 3 : 10);
const seedHand = hand(seedStore, nyToUtc(2024, 1, 3, 9, 30), nyToUtc(2024, 1, 5, 16), quick ? 3 : 10);
rows.push({ scenario: "backtest/seed-window", ferrobt: seed.ms, baseline: seedHand.ms, unit: "ms", baselineName: "hand-written TS loop",
  note: `${seed.iterations} it (${Math.round(seed.iterations / seed.ms * 1000).toLocaleString("en-US")}/s), ${seed.fills} fills; loop ${seedHand.iterations} it, ${seedHand.fills} fills` });
const year = backtest(store, "2023-01-03T09:30", "2023-12-29T16:00", quick ? 1 : 3);
const yearHand = hand(store, nyToUtc(2023, 1, 3, 9, 30), nyToUtc(2023, 12, 29, 16), quick ? 1 : 3);
rows.push({ scenario: "backtest/1y-minute", ferrobt: year.ms, baseline: yearHand.ms, unit: "ms", baselineName: "hand-written TS loop",
  note: `${year.iterations} it (${Math.round(year.iterations / year.ms * 1000).toLocaleString("en-US")}/s), ${year.fills} fills; loop ${yearHand.iterations} it, ${yearHand.fills} fills` });

const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "n/a";
  }
};
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rustc: sh("rustc --version"),
  commit: sh("git rev-parse --short HEAD"),
  date: new Date().toISOString(),
  quick,
};
const fmt = (x: number, unit: string) => (unit === "ns" ? `${x.toFixed(0)} ns` : `${x.toFixed(1)} ms`);
const table = [
  `ferrobt bench — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.rustc}, commit ${machine.commit}${quick ? " (quick)" : ""}`,
  "",
  "| scenario | ferrobt | baseline | ferrobt / baseline | baseline is | note |",
  "|---|---:|---:|---:|---|---|",
  ...rows.map((r) => `| ${r.scenario} | ${fmt(r.ferrobt, r.unit)} | ${fmt(r.baseline, r.unit)} | ${(r.ferrobt / r.baseline).toFixed(2)}× | ${r.baselineName} | ${r.note ?? ""} |`),
].join("\n");
console.log(table);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results/latest.md"), table + "\n");
writeFileSync(join(here, "results/latest.json"), JSON.stringify({ machine, rows }, null, 2) + "\n");
store.dispose();
seedStore.dispose();
