// Child of bench/process.ts: bytes allocated per iteration by warm one-year runs, counted by V8's
// sampling heap profiler with the objects the GC collected included: the MES example, a strategy that
// asks for nothing (the engine's own per minute), the hand-written loop reading its bars through a new
// window a minute (the API's floor) and the plain hand loop. Prints JSON: bytes per iteration of each.
// Arguments: <parquet>.

import { Session } from "node:inspector/promises";
// The engine as users run it: "ferrobt" is dist's bundle (see interleaved.ts).
import { Backtest, BarStore, Strategy } from "ferrobt";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { AssetSeries } from "../../ts/src/engine/series.js";
import { Asset } from "../../ts/src/index.js";
import { ColumnSet } from "../../ts/src/store/Bars.js";
import { nyToUtc } from "../../ts/src/util/nytime.js";
import { handLoop } from "../handloop.js";

/** A minute strategy on the MES calendar whose iterations ask for nothing. */
class Idle extends Strategy {
  override sleeptime = "1M";
  override initialize(): void {
    this.setMarket("us_futures");
  }
  override onTradingIteration(): void {}
}

/** Bytes between two samples (V8 samples an allocation about every this many bytes). */
const SAMPLING_BYTES = 128;

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}

const [file] = process.argv.slice(2);
const [start, end] = ["2023-01-03T09:30", "2023-12-29T16:00"];
const [s, e] = [nyToUtc(2023, 1, 3, 9, 30), nyToUtc(2023, 12, 29, 16, 0)];
const store = BarStore.openParquetSync(file);
const all = AssetSeries.of(store, Asset.contFuture("MES"), s - 40 * 86_400_000, e + 40 * 86_400_000).window(e + 86_400_000, Number.MAX_SAFE_INTEGER);
const columns = { timesMs: all.timesMs, open: all.open, high: all.high, low: all.low, close: all.close };
const windows = ColumnSet.of({ ...columns, timestamps: all.timestamps, volume: all.volume });

const runs: Record<string, () => number> = {
  example: () => new Backtest(new MESMomentumSMA9(), { data: store, start, end }).run().iterations,
  idle: () => new Backtest(new Idle(), { data: store, start, end }).run().iterations,
  handWindows: () => handLoop(columns, s, e, windows).iterations,
  hand: () => handLoop(columns, s, e).iterations,
};
// Two warm-up rounds: every path optimised before it is counted.
for (let r = 0; r < 2; r++) for (const run of Object.values(runs)) run();

const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
const perIteration: Record<string, number> = {};
for (const [name, run] of Object.entries(runs)) {
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: SAMPLING_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const iterations = run();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as { profile: { head: ProfileNode } };
  const bytes = (n: ProfileNode): number => n.children.reduce((sum, c) => sum + bytes(c), n.selfSize);
  perIteration[name] = bytes(profile.head) / iterations;
}
session.disconnect();
process.stdout.write(`${JSON.stringify(perIteration)}\n`);
