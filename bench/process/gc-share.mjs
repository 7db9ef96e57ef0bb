// Child of bench/process.ts: one MES SMA-9 backtest over a window in a fresh process, with every GC pause
// observed (perf_hooks 'gc' entries); prints the run's wall time and the pauses inside it (total and by kind) as JSON.
// Arguments: <parquet> <start> <end>.

import { constants, PerformanceObserver } from "node:perf_hooks";
import { compiledStrategyUrl } from "../../dist/cli/compile.js";
import { Backtest, BarStore } from "../../dist/index.js";

const [file, start, end] = process.argv.slice(2);
const { default: Strategy } = await import(await compiledStrategyUrl(new URL("../../examples/mes-momentum-sma9.ts", import.meta.url).pathname));
const store = BarStore.openParquetSync(file);
const pauses = [];
const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
observer.observe({ entryTypes: ["gc"] });
const began = performance.now();
const result = new Backtest(new Strategy(), { data: store, start, end }).run();
const ended = performance.now();
// GC entries arrive asynchronously: let the observer drain before reading them.
await new Promise((r) => setTimeout(r, 50));
pauses.push(...observer.takeRecords());
observer.disconnect();
const inside = pauses.filter((e) => e.startTime >= began && e.startTime < ended);
const total = (kind) => inside.filter((e) => kind === undefined || e.detail.kind === kind).reduce((s, e) => s + e.duration, 0);
process.stdout.write(
  `${JSON.stringify({
    runMs: ended - began,
    gcMs: total(),
    scavengeMs: total(constants.NODE_PERFORMANCE_GC_MINOR),
    markCompactMs: total(constants.NODE_PERFORMANCE_GC_MAJOR),
    incrementalMarkMs: total(constants.NODE_PERFORMANCE_GC_INCREMENTAL),
    gcCount: inside.length,
    iterations: result.iterations,
  })}\n`,
);
