// Backtest scenarios: the MES SMA-9 example through the engine on the native store and on the
// reference backend, beside the hand-written pure-TS loop of the same rules. The engine is the one
// users run: dist's bundle (bench/run.ts rebuilds dist when a source is newer), compiled by V8 as it
// is, with the example compiled against it as the command line compiles a strategy (vitest's module
// transform, which reads every imported binding through an object, never touches it). The hand
// loop's columns and windows come through ts/src.

import { fileURLToPath } from "node:url";
import { bench, describe } from "vitest";
import { compiledStrategyUrl } from "../dist/cli/compile.js";
import { Backtest, BarStore, type DataSource, type Strategy } from "../dist/index.js";
import { ReferenceSource } from "../dist/reference.js";
import { AssetSeries } from "../ts/src/engine/series.js";
import { Asset } from "../ts/src/index.js";
import { ColumnSet } from "../ts/src/store/Bars.js";
import { nyToUtc } from "../ts/src/util/nytime.js";
import { seedFile, yearFile } from "./fixtures.js";
import { handLoop } from "./handloop.js";

const quick = process.env.FERROBT_BENCH_QUICK === "1";
// `warmup`: runs before the timed ones (tinybench's default is 5). A seed-window run is short enough
// that its first twenty are still being compiled (the first takes ~200 ms, the fifth ~30, warm ones
// 4–9 here), so five left those in its mean; the target is the warm run.
const windows = {
  "backtest/seed-window": { file: seedFile(), start: "2024-01-03T09:30", end: "2024-01-05T16:00", runs: quick ? 3 : 30, warmup: quick ? 3 : 20 },
  "backtest/1y-minute": { file: yearFile(), start: "2023-01-03T09:30", end: "2023-12-29T16:00", runs: quick ? 1 : 3, warmup: quick ? 1 : 5 },
};

const example = fileURLToPath(new URL("../examples/mes-momentum-sma9.ts", import.meta.url));
const { default: MESMomentumSMA9 } = (await import(await compiledStrategyUrl(example))) as { default: new () => Strategy };

for (const [name, w] of Object.entries(windows)) {
  const store = BarStore.openParquetSync(w.file);
  const reference = await ReferenceSource.open(w.file);
  const run = (data: DataSource) => void new Backtest(new MESMomentumSMA9(), { data, start: w.start, end: w.end }).run();
  const [s, e] = [w.start, w.end].map((x) =>
    nyToUtc(Number(x.slice(0, 4)), Number(x.slice(5, 7)), Number(x.slice(8, 10)), Number(x.slice(11, 13)), Number(x.slice(14, 16))),
  );
  const all = AssetSeries.of(store, Asset.contFuture("MES"), s - 40 * 86_400_000, e + 40 * 86_400_000).window(e + 86_400_000, Number.MAX_SAFE_INTEGER);
  const columns = { timesMs: all.timesMs, open: all.open, high: all.high, low: all.low, close: all.close };
  const windows = ColumnSet.of({ ...columns, timestamps: all.timestamps, volume: all.volume });
  describe(name, () => {
    const timing = { iterations: w.runs, time: 0, warmupIterations: w.warmup };
    bench("ferrobt", () => run(store), timing);
    bench("reference", () => run(reference), { ...timing, iterations: Math.max(1, w.runs >> 1) });
    bench("js-floor (hand-written loop)", () => void handLoop(columns, s, e), timing);
    bench("api-floor (the hand-written loop through a window a minute)", () => void handLoop(columns, s, e, windows), timing);
  });
}
