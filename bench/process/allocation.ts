// Child of bench/process.ts: bytes allocated per iteration by warm one-year runs, counted by V8's
// sampling heap profiler with the objects the GC collected included: the MES example, a strategy that
// asks for nothing (the engine's own per minute), the hand-written loop reading its bars through a new
// window a minute (the API's floor) and the plain hand loop. Prints JSON: bytes per iteration of each.
// Arguments: <parquet>.

import { Session } from "node:inspector/promises";
// The engine as users run it: "ferrobt" is dist's bundle (see interleaved.ts).
import { Backtest, Strategy } from "ferrobt";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { handLoop } from "../handloop.js";
import { END, END_MS, oneYear, START, START_MS } from "./one-year.js";

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
const { store, columns, windows } = oneYear(file);

const runs: Record<string, () => number> = {
  example: () => new Backtest(new MESMomentumSMA9(), { data: store, start: START, end: END }).run().iterations,
  idle: () => new Backtest(new Idle(), { data: store, start: START, end: END }).run().iterations,
  handWindows: () => handLoop(columns, START_MS, END_MS, windows).iterations,
  hand: () => handLoop(columns, START_MS, END_MS).iterations,
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
