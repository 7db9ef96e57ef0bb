// Child of bench/process.ts: the one-year MES backtest, the hand-written loop of the same rules and
// that loop reading its bars through a new window a minute (the API's floor), alternated round after
// round in one warm process, so a noisy machine slows all alike; prints the medians, the medians of
// the per-round ratios and the GC share of the engine's runs as JSON.
// Arguments: <parquet> <rounds>.

import { PerformanceObserver } from "node:perf_hooks";
// The engine as users run it: "ferrobt" is dist's bundle at run time (the example imports it too; its
// types are ts/src's), which bench/process.ts rebuilds when a source is newer. The hand loop's columns
// come through ts/src.
import { Backtest } from "ferrobt";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { handLoop } from "../handloop.js";
import { END, END_MS, oneYear, START, START_MS } from "./one-year.js";

const [file, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const { store, columns, windows } = oneYear(file);
const pauses: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
observer.observe({ entryTypes: ["gc"] });
const engine: number[] = [],
  hand: number[] = [],
  handWindows: number[] = [],
  spans: [number, number][] = [];
for (let r = -1; r < rounds; r++) {
  const t0 = performance.now();
  new Backtest(new MESMomentumSMA9(), { data: store, start: START, end: END }).run();
  const t1 = performance.now();
  handLoop(columns, START_MS, END_MS);
  const t2 = performance.now();
  handLoop(columns, START_MS, END_MS, windows);
  const t3 = performance.now();
  // Round -1 warms them up.
  if (r < 0) continue;
  engine.push(t1 - t0);
  hand.push(t2 - t1);
  handWindows.push(t3 - t2);
  spans.push([t0, t1]);
}
await new Promise((resolve) => setTimeout(resolve, 50));
pauses.push(...observer.takeRecords());
observer.disconnect();
const gcMs = pauses.filter((p) => spans.some(([a, b]) => p.startTime >= a && p.startTime < b)).reduce((sum, p) => sum + p.duration, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const engineMs = engine.reduce((a, b) => a + b, 0);
process.stdout.write(
  `${JSON.stringify({
    engineMs: median(engine),
    handLoopMs: median(hand),
    ratio: median(engine.map((x, i) => x / hand[i])),
    handWindowsMs: median(handWindows),
    windowsRatio: median(handWindows.map((x, i) => x / hand[i])),
    ratioToWindows: median(engine.map((x, i) => x / handWindows[i])),
    warmGcShare: gcMs / engineMs,
  })}\n`,
);
