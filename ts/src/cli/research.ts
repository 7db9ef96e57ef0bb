// `ferrobt sweep` and `ferrobt walkforward`: a strategy over a parameter grid, on this machine's cores
// (a worker_threads pool) or, with --queue, as BullMQ jobs for `ferrobt worker` processes anywhere.

import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FerrobtError } from "../errors.js";
import { writeSweep } from "../research/files.js";
import { readGridFile } from "../research/grid.js";
import type { Runner } from "../research/runner.js";
import { checkObjective, type SweepResult, sweep } from "../research/sweep.js";
import { walkForward, writeWalkForward } from "../research/walkforward.js";
import { importModule } from "../util/import-module.js";
import { budgetOf, dataPaths, fillModelOf, memoryBudgetOf, positiveInt, SEED_WINDOW } from "./inputs.js";

const COMMON = {
  grid: { type: "string" },
  data: { type: "string" },
  start: { type: "string", default: SEED_WINDOW.start },
  end: { type: "string", default: SEED_WINDOW.end },
  budget: { type: "string" },
  "memory-budget-mb": { type: "string" },
  "fill-model": { type: "string" },
  workers: { type: "string" },
  objective: { type: "string", default: "sharpe" },
  out: { type: "string" },
  queue: { type: "string" },
  "queue-name": { type: "string" },
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  // walkforward only
  train: { type: "string" },
  test: { type: "string" },
  step: { type: "string" },
} as const;

/** The inputs both commands share, checked: strategy file, grid file, data, window, runner. */
async function inputs(command: "sweep" | "walkforward", args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON });
  if (command === "sweep")
    for (const k of ["train", "test", "step"] as const)
      if (values[k] !== undefined) throw new FerrobtError("ERR_ARGUMENT", `--${k} is an option of walkforward, not sweep`);
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", `${command} needs exactly one strategy file`);
  const file = positionals[0];
  if (typeof values.grid !== "string") throw new FerrobtError("ERR_ARGUMENT", `${command} needs --grid <grid.json>`);
  const grid = readGridFile(values.grid);
  const objective = checkObjective(values.objective);
  const name = basename(file).replace(/\.[cm]?[jt]s$/, "");
  const out = resolve(values.out ?? `out/${name}-${command}`);
  let runner: Runner | undefined;
  if (typeof values.queue === "string") {
    const { QueueRunner } = await import("../research/queue.js");
    runner = new QueueRunner(values.queue, { queueName: values["queue-name"], rowsDir: join(out, "rows") });
  }
  return {
    values,
    name,
    out,
    runner,
    window: {
      strategy: file,
      grid,
      gridSource: `grid ${values.grid}`,
      data: dataPaths(values.data),
      start: values.start,
      end: values.end,
      budget: budgetOf(values.budget),
      memoryBudgetMb: memoryBudgetOf(values["memory-budget-mb"]),
      fillModel: fillModelOf(values["fill-model"]),
      objective,
      workers: positiveInt("workers", values.workers),
    },
  };
}

/** A progress bar over runs on a terminal's stderr. */
async function progress(quiet: boolean, what: string): Promise<((done: number, total: number) => void) & { stop(): void }> {
  if (quiet || !process.stderr.isTTY) return Object.assign(() => undefined, { stop: () => undefined });
  const { SingleBar, Presets } = await importModule<typeof import("cli-progress")>("cli-progress");
  const bar = new SingleBar({ format: `${what} [{bar}] {value}/{total} runs | ETA {eta_formatted}`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return Object.assign(
    (done: number, total: number) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    { stop: () => started && bar.stop() },
  );
}

const fmt = (x: number | undefined) => (x === undefined ? "" : Number.isInteger(x) ? String(x) : x.toFixed(4));

function sweepSummary(r: SweepResult, files: { json: string; csv: string; html: string }, runner: Runner | undefined): string {
  const failed = r.rows.filter((row) => row.error).length;
  const best = r.best === undefined ? undefined : r.rows[r.best];
  const counts = runner && "counts" in runner ? (runner as { counts: { kept: number; reused: number; enqueued: number } }).counts : undefined;
  return [
    "",
    `${r.rows.length} runs (${failed} failed) in ${(r.wallMs / 1000).toFixed(1)} s${counts ? ` — queue: ${counts.enqueued} run, ${counts.reused} reused, ${counts.kept} kept from an earlier run` : ""}`,
    best && !best.error
      ? `best by ${r.objective}: ${JSON.stringify(best.parameters)} → ${r.objective} ${fmt(best[r.objective])}, total return ${fmt(best.totalReturn)}, max drawdown ${fmt(best.maxDrawdown)}`
      : "no run finished",
    `  ${files.json}`,
    `  ${files.csv}`,
    `  ${files.html}`,
    "",
  ].join("\n");
}

export async function runSweepCommand(args: string[]): Promise<number> {
  const { values, name, out, runner, window } = await inputs("sweep", args);
  const bar = await progress(values.quiet || values.json, "sweep");
  let result: SweepResult;
  try {
    result = await sweep({ ...window, runner, onProgress: bar });
  } finally {
    bar.stop();
    await runner?.close();
  }
  const files = await writeSweep(result, out, `${name} sweep`);
  if (values.json) process.stdout.write(`${JSON.stringify({ rows: result.rows, best: result.best, files }, null, 2)}\n`);
  else if (!values.quiet) process.stdout.write(sweepSummary(result, files, runner));
  return 0;
}

export async function runWalkForwardCommand(args: string[]): Promise<number> {
  const { values, name, out, runner, window } = await inputs("walkforward", args);
  if (typeof values.train !== "string" || typeof values.test !== "string")
    throw new FerrobtError("ERR_ARGUMENT", "walkforward needs --train and --test durations (e.g. --train 30d --test 7d)");
  const bar = await progress(values.quiet || values.json, "walk-forward");
  let result: Awaited<ReturnType<typeof walkForward>>;
  try {
    result = await walkForward({ ...window, runner, train: values.train, test: values.test, step: values.step, onProgress: bar });
  } finally {
    bar.stop();
    await runner?.close();
  }
  const files = await writeWalkForward(result, out, `${name} walk-forward`);
  if (values.json) process.stdout.write(`${JSON.stringify({ ...result, files }, null, 2)}\n`);
  else if (!values.quiet) {
    const lines = result.segments.map(
      (s) =>
        `  ${s.testStart.slice(0, 16)} → ${s.testEnd.slice(0, 16)}  ${s.chosen ? JSON.stringify(s.chosen) : "(none)"}  in ${fmt(s.inSample?.[result.objective])}  out ${fmt(s.outOfSample?.[result.objective])}${s.error ? `  [${s.error.code}] ${s.error.message}` : ""}`,
    );
    process.stdout.write(
      [
        "",
        `${result.segments.length} segments, stitched out-of-sample return ${(result.outOfSample.totalReturn * 100).toFixed(2)}%`,
        ...lines,
        `  ${files.json}`,
        `  ${files.html}`,
        "",
      ].join("\n"),
    );
  }
  return 0;
}
