// Walk-forward analysis: rolling train/test windows; on each, the grid is swept over the train window,
// the best set by the objective (ties: grid order) runs on the test window that follows, and the
// out-of-sample equity of the test windows is stitched into one curve. A run goes on to the close of
// the session its end falls in (Lumibot's clock), so each test window starts where its train runs'
// clock stopped: no test bar is ever seen in sample.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseTime } from "../engine/backtest.js";
import { argumentError } from "../errors.js";
import { writeWhole } from "../util/files.js";
import type { Combination } from "./grid.js";
import type { EquityCurve, RunFailure, RunSpec, RunStats } from "./job.js";
import { defaultWorkers, PoolRunner, type Runner } from "./runner.js";
import { bestRow, checkObjective, type Objective, prepareSweep, rowOf, type WindowOptions } from "./sweep.js";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** A duration "30d", "12h", "90m" or "2w" in ms; `name` is the option it came from. */
export function parseDuration(name: string, text: string): number {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/.exec(text);
  if (!m || Number(m[1]) === 0) argumentError(name, `'${text}' is not a duration like 30d, 12h, 90m or 2w`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** One walk-forward step's windows (ms UTC): train [trainStart, trainEnd), then test [testStart = trainEnd, testEnd). */
export interface SegmentWindow {
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly testStart: number;
  readonly testEnd: number;
}

/**
 * The rolling windows from `startMs`: each step moves by `stepMs`; a segment is kept while its test
 * window ends by `endMs`. A step shorter than the test window would make test windows overlap
 * (their equity could not be stitched): ERR_ARGUMENT.
 */
export function segmentWindows(startMs: number, endMs: number, trainMs: number, testMs: number, stepMs: number): SegmentWindow[] {
  if (stepMs < testMs) argumentError("step", "a step shorter than the test window would overlap test windows");
  const out: SegmentWindow[] = [];
  for (let s = startMs; s + trainMs + testMs <= endMs; s += stepMs)
    out.push({ trainStart: s, trainEnd: s + trainMs, testStart: s + trainMs, testEnd: s + trainMs + testMs });
  if (out.length === 0) argumentError("train", `the window is shorter than one train window plus one test window`);
  return out;
}

/** How to run a walk-forward analysis. */
export interface WalkForwardOptions extends WindowOptions {
  grid: unknown;
  /** What errors call the grid (default "grid"). */
  gridSource?: string;
  /** Train and test window lengths and the step between segments ("30d", "7d", ...; step defaults to test). */
  train: string;
  test: string;
  step?: string;
  objective?: Objective;
  workers?: number;
  runner?: Runner;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One segment's outcome (times ISO UTC). `trainEnd` and `testStart` are where the train runs' clock
 * stopped: the requested boundary, or the close of the session it fell in.
 */
export interface Segment {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  /** The set the train window chose (null when every train run failed). */
  readonly chosen: Combination | null;
  readonly inSample: RunStats | null;
  readonly outOfSample: RunStats | null;
  /** Why the segment has no out-of-sample stats. */
  readonly error?: RunFailure;
}

export interface WalkForwardResult {
  readonly objective: Objective;
  readonly segments: readonly Segment[];
  readonly outOfSample: {
    /** The test windows' equity, each scaled to start where the one before ended. */
    readonly equity: EquityCurve;
    /** Compounded return over the test windows. */
    readonly totalReturn: number;
  };
  readonly wallMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs the walk-forward analysis: every train sweep at once, then every chosen set on its test window. */
export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const began = performance.now();
  const objective = checkObjective(options.objective ?? "sharpe");
  const train = parseDuration("train", options.train);
  const test = parseDuration("test", options.test);
  const step = options.step === undefined ? test : parseDuration("step", options.step);
  const windows = segmentWindows(parseTime("start", options.start), parseTime("end", options.end), train, test, step);
  const { prepared, store } = await prepareSweep(options);
  const runner = options.runner ?? new PoolRunner(options.workers ?? defaultWorkers());
  const combos = prepared.combinations;
  const total = windows.length * (combos.length + 1);
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  try {
    const trainSpecs: RunSpec[] = windows.flatMap((w) => combos.map((parameters) => ({ ...prepared.base, start: w.trainStart, end: w.trainEnd, parameters })));
    const trainOutcomes = await runner.run(trainSpecs, progress);
    const chosen = windows.map((_, k) => {
      const rows = combos.map((c, i) => rowOf(c, trainOutcomes[k * combos.length + i]));
      const best = bestRow(rows, objective);
      return best === undefined ? undefined : { parameters: combos[best], stats: trainOutcomes[k * combos.length + best].stats! };
    });
    // Where each segment's train runs stopped: the test window starts there (at the requested boundary or later).
    const trainStops = windows.map((w, k) => {
      let last = w.trainEnd;
      for (let i = 0; i < combos.length; i++) last = Math.max(last, trainOutcomes[k * combos.length + i].lastClockMs ?? last);
      return last;
    });
    const testIndex: number[] = [];
    const testSpecs: RunSpec[] = [];
    windows.forEach((w, k) => {
      const c = chosen[k];
      if (!c || trainStops[k] >= w.testEnd) return;
      testIndex[k] = testSpecs.length;
      testSpecs.push({ ...prepared.base, start: trainStops[k], end: w.testEnd, parameters: c.parameters, equityPoints: -1 });
    });
    done += windows.length - testSpecs.length;
    const testOutcomes = await runner.run(testSpecs, progress);
    const budget = prepared.base.budget ?? 100_000;
    const equity: { timeMs: number[]; value: number[] } = { timeMs: [], value: [] };
    let scale = 1;
    const segments: Segment[] = windows.map((w, k) => {
      const times = { trainStart: iso(w.trainStart), trainEnd: iso(trainStops[k]), testStart: iso(trainStops[k]), testEnd: iso(w.testEnd) };
      const c = chosen[k];
      if (!c) return { ...times, chosen: null, inSample: null, outOfSample: null, error: { code: "ERR_STRATEGY", message: "every train run failed" } };
      if (testIndex[k] === undefined) {
        const message = `the train runs' clock ran to ${iso(trainStops[k])}, past the test window's end`;
        return { ...times, chosen: c.parameters, inSample: c.stats, outOfSample: null, error: { code: "ERR_ARGUMENT", message } };
      }
      const outcome = testOutcomes[testIndex[k]];
      if (outcome.error) return { ...times, chosen: c.parameters, inSample: c.stats, outOfSample: null, error: outcome.error };
      const curve = outcome.equity!;
      for (let i = 0; i < curve.timeMs.length; i++) {
        // A test run's tail (its last session's close) is not stitched over the next window's start.
        if (equity.timeMs.length > 0 && curve.timeMs[i] < equity.timeMs[equity.timeMs.length - 1]) continue;
        equity.timeMs.push(curve.timeMs[i]);
        equity.value.push(curve.value[i] * scale);
      }
      scale *= outcome.stats!.finalPortfolioValue / budget;
      return { ...times, chosen: c.parameters, inSample: c.stats, outOfSample: outcome.stats! };
    });
    return { objective, segments, outOfSample: { equity, totalReturn: scale - 1 }, wallMs: performance.now() - began };
  } finally {
    if (!options.runner) await runner.close();
    store.dispose();
  }
}

/** Writes walkforward.json and walkforward.html into `dir`. */
export async function writeWalkForward(r: WalkForwardResult, dir: string, title: string): Promise<{ json: string; html: string }> {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, "walkforward.json"), html: join(dir, "walkforward.html") };
  writeWhole(files.json, `${JSON.stringify({ objective: r.objective, segments: r.segments, outOfSample: r.outOfSample }, null, 2)}\n`);
  const { walkForwardHtml } = await import("./html.js");
  writeWhole(files.html, walkForwardHtml(r, title));
  return files;
}
