// Parameter sweeps: a grid's combinations run as independent backtests (on a thread pool or a queue),
// one row per combination in grid order, and the best by an objective.

import { statSync } from "node:fs";
import { resolve } from "node:path";
import { loadStrategy } from "../cli/inputs.js";
import type { DataSource } from "../data/DataSource.js";
import { catalogDir } from "../data/open.js";
import type { FillModel } from "../engine/broker.js";
import { argumentError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import { Catalog } from "../store/Catalog.js";
import { type Combination, checkGrid, expandGrid, type Grid } from "./grid.js";
import { type EquityCurve, fileSha256, type RunFailure, type RunOutcome, type RunSpec, type RunStats } from "./job.js";
import { defaultWorkers, PoolRunner, type Runner } from "./runner.js";

/** What a sweep ranks runs by: each stat and whether more is better. */
export const OBJECTIVES = {
  sharpe: 1,
  sortino: 1,
  cagr: 1,
  totalReturn: 1,
  finalPortfolioValue: 1,
  winRate: 1,
  maxDrawdown: -1,
} as const satisfies Partial<Record<keyof RunStats, 1 | -1>>;

export type Objective = keyof typeof OBJECTIVES;

/** Checks an objective name. */
export function checkObjective(value: unknown): Objective {
  if (typeof value !== "string" || !Object.hasOwn(OBJECTIVES, value))
    argumentError("objective", `'${String(value)}' is not one of ${Object.keys(OBJECTIVES).join(", ")}`);
  return value as Objective;
}

/** One combination's result: its parameters and the numbers of stats.json, or the error that failed it. */
export type SweepRow = { readonly parameters: Combination } & ({ readonly error: RunFailure } | ({ readonly error?: undefined } & RunStats));

/** The backtest options every run of a sweep shares. */
export interface WindowOptions {
  /** The strategy file (TypeScript or JavaScript). */
  strategy: string;
  /** Parquet or DBN paths or globs (told apart by content, as BarStore.open does), or one catalog directory. */
  data: string | readonly string[];
  /** A catalog directory's memory budget in MiB, per thread (each thread opens its own catalog; default unlimited). */
  memoryBudgetMb?: number;
  /** Window: ms UTC, or "YYYY-MM-DD[THH:MM]" New York time / ISO with offset. */
  start: string | number;
  end: string | number;
  budget?: number;
  fillModel?: FillModel;
}

/** How to run a sweep. */
export interface SweepOptions extends WindowOptions {
  /** Parameter name → values; the cartesian product is run. */
  grid: unknown;
  /** What errors call the grid (default "grid"; the CLI names the file). */
  gridSource?: string;
  /** Threads of the default pool (default: the cores). Ignored with `runner`. */
  workers?: number;
  /** Default "sharpe". */
  objective?: Objective;
  /** Where runs execute (default: a pool of `workers` threads, closed at the end). */
  runner?: Runner;
  /** Called as each run finishes. */
  onProgress?: (done: number, total: number) => void;
}

export interface SweepResult {
  readonly grid: Grid;
  readonly objective: Objective;
  /** One per combination, in grid order. */
  readonly rows: readonly SweepRow[];
  /** Index of the best row (undefined when every run failed). */
  readonly best: number | undefined;
  /** The best run's equity (at most a few hundred points). */
  readonly bestEquity: EquityCurve | undefined;
  readonly wallMs: number;
}

/** A sweep's inputs checked once in this thread: the strategy file's hash, the grid, the data. */
export interface PreparedSweep {
  readonly base: Omit<RunSpec, "parameters" | "start" | "end">;
  readonly grid: Grid;
  readonly combinations: readonly Combination[];
}

/**
 * Checks the strategy (it compiles and exports a Strategy), the grid against its parameters and the
 * data (it opens; with `share`, so the threads of this process read this copy). Returns the store,
 * to be disposed when the runs are done.
 */
export async function prepareSweep(o: WindowOptions & { grid: unknown; gridSource?: string }): Promise<{ prepared: PreparedSweep; store: DataSource }> {
  const strategyFile = resolve(o.strategy);
  const Strategy = await loadStrategy(strategyFile);
  const grid = checkGrid(o.grid, new Strategy().parameters, o.gridSource);
  const data = typeof o.data === "string" ? [o.data] : [...o.data];
  if (data.length === 0) argumentError("data", "no data path given");
  const dir = catalogDir(data);
  const catalog = dir === undefined ? undefined : Catalog.openSync(dir, { memoryBudgetMb: o.memoryBudgetMb });
  const store = catalog ?? BarStore.openSync(data, { share: true });
  const files = catalog ? catalog.symbols().flatMap((s) => catalog.files(s)) : (store as BarStore).report.files;
  const dataIdentity = files.map((f) => {
    const s = statSync(f);
    return `${resolve(f)}:${s.size}:${s.mtimeMs}`;
  });
  const base = {
    strategyFile,
    strategyHash: fileSha256(strategyFile),
    data,
    dataIdentity: dataIdentity.join(";"),
    budget: o.budget,
    fillModel: o.fillModel,
    memoryBudgetMb: o.memoryBudgetMb,
  };
  return { prepared: { base, grid, combinations: expandGrid(grid) }, store };
}

/** The row of one outcome. */
export function rowOf(parameters: Combination, outcome: RunOutcome): SweepRow {
  return outcome.error ? { parameters, error: outcome.error } : { parameters, ...outcome.stats! };
}

/** Index of the best row by `objective` (failed runs and NaN never win; ties go to the first in grid order). */
export function bestRow(rows: readonly SweepRow[], objective: Objective): number | undefined {
  const sign = OBJECTIVES[objective];
  let best: number | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.error || Number.isNaN(r[objective])) continue;
    const b = best === undefined ? undefined : rows[best];
    if (b === undefined || b.error || sign * r[objective] > sign * b[objective]) best = i;
  }
  return best;
}

/** Equity points each sweep run sends back, for the best run's chart. */
const EQUITY_POINTS = 600;

/** Runs every combination of the grid; rows in grid order. */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const began = performance.now();
  const objective = checkObjective(options.objective ?? "sharpe");
  const { prepared, store } = await prepareSweep(options);
  const runner = options.runner ?? new PoolRunner(options.workers ?? defaultWorkers());
  try {
    const specs = prepared.combinations.map((parameters) => ({
      ...prepared.base,
      start: options.start,
      end: options.end,
      parameters,
      equityPoints: EQUITY_POINTS,
    }));
    let done = 0;
    const outcomes = await runner.run(specs, () => options.onProgress?.(++done, specs.length));
    const rows = outcomes.map((o, i) => rowOf(prepared.combinations[i], o));
    const best = bestRow(rows, objective);
    return {
      grid: prepared.grid,
      objective,
      rows,
      best,
      bestEquity: best === undefined ? undefined : outcomes[best].equity,
      wallMs: performance.now() - began,
    };
  } finally {
    if (!options.runner) await runner.close();
    store.dispose();
  }
}
