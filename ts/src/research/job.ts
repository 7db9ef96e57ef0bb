// One backtest of a sweep as plain, cloneable data (what a pool thread or a queue worker is handed),
// and running it: the data opened once per thread from the process-wide shared store, the strategy
// class loaded once per file, and the outcome as the numbers of stats.json (or the error and its clock).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadStrategy, type StrategyClass } from "../cli/inputs.js";
import type { DataSource } from "../data/DataSource.js";
import { catalogDir } from "../data/open.js";
import { Backtest, type BacktestResult, StrategyError } from "../engine/backtest.js";
import type { FillModel } from "../engine/broker.js";
import { FerrobtError } from "../errors.js";
import { BarStore } from "../store/BarStore.js";
import { Catalog } from "../store/Catalog.js";
import type { Combination } from "./grid.js";

/** One run: everything a thread or a machine needs, by value (no code travels). */
export interface RunSpec {
  /** Absolute path of the strategy file. */
  readonly strategyFile: string;
  /** sha256 (hex) of the strategy file's content; the run fails with ERR_STRATEGY_HASH if the file differs. */
  readonly strategyHash: string;
  /** Parquet or DBN paths or globs (told apart by content, as BarStore.open does), or one catalog directory. */
  readonly data: readonly string[];
  /** A catalog directory's memory budget in MiB (each thread opens its own catalog; default unlimited). */
  readonly memoryBudgetMb?: number;
  /** The files the data names, with sizes and modification times, as the submitter saw them (part of a queue job's id; workers do not check it). */
  readonly dataIdentity?: string;
  /** Window start and end: ms UTC, or "YYYY-MM-DD[THH:MM]" New York time / ISO with offset. */
  readonly start: string | number;
  readonly end: string | number;
  readonly budget?: number;
  readonly fillModel?: FillModel;
  /** Overlaid on the strategy's class-level parameters. */
  readonly parameters: Combination;
  /** Equity points to send back: 0 none (default), -1 every entry, n at most n (evenly picked, last included). */
  readonly equityPoints?: number;
}

/** The numbers of stats.json a sweep row carries (`maxDrawdown` is stats.json's `maxDrawdown.drawdown`). */
export interface RunStats {
  readonly iterations: number;
  readonly fills: number;
  readonly finalPortfolioValue: number;
  readonly totalReturn: number;
  readonly cagr: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number;
}

/** The stats keys, in the order rows and CSV columns list them. */
export const STAT_KEYS = [
  "iterations",
  "fills",
  "finalPortfolioValue",
  "totalReturn",
  "cagr",
  "sharpe",
  "sortino",
  "maxDrawdown",
  "tradeCount",
  "winRate",
] as const satisfies readonly (keyof RunStats)[];

/** A failed run: the error's code and message, and the clock when the strategy threw. */
export interface RunFailure {
  readonly code: string;
  readonly message: string;
  /** The strategy's clock at the failure (ISO, UTC), when it was running. */
  readonly at?: string;
}

/** Portfolio value over time (ms UTC). */
export interface EquityCurve {
  readonly timeMs: number[];
  readonly value: number[];
}

/** What one run gives back. */
export interface RunOutcome {
  readonly stats?: RunStats;
  /**
   * The run's last clock instant (ms UTC): like Lumibot, a run goes on to the close of the session its
   * end falls in, processing orders until then, so this can be after the requested end.
   */
  readonly lastClockMs?: number;
  readonly error?: RunFailure;
  readonly equity?: EquityCurve;
}

/** sha256 (hex) of a file's content. */
export function fileSha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The stats.json numbers of a result, read from the same fields statsDocument writes (without its trade-log counts). */
export function runStats(r: BacktestResult): RunStats {
  const s = r.summary;
  return {
    iterations: r.iterations,
    fills: r.fillCount,
    finalPortfolioValue: r.finalPortfolioValue,
    totalReturn: s.totalReturn,
    cagr: s.cagr,
    sharpe: s.sharpe,
    sortino: s.sortino,
    maxDrawdown: s.maxDrawdown.drawdown,
    tradeCount: s.tradeCount,
    winRate: s.winRate,
  };
}

/** At most `points` entries of the equity series (every one for -1), evenly spaced, the last always included. */
export function equityCurve(r: BacktestResult, points: number): EquityCurve {
  const { length, timeMs, portfolioValue } = r.equity;
  const step = points < 0 || length <= points ? 1 : Math.ceil(length / Math.max(1, points));
  const t: number[] = [],
    v: number[] = [];
  for (let i = 0; i < length; i += step) {
    t.push(timeMs[i]);
    v.push(portfolioValue[i]);
  }
  if (length > 0 && t[t.length - 1] !== timeMs[length - 1]) {
    t.push(timeMs[length - 1]);
    v.push(portfolioValue[length - 1]);
  }
  return { timeMs: t, value: v };
}

const sources = new Map<string, DataSource>();
const strategies = new Map<string, Promise<StrategyClass>>();

/**
 * This thread's view of the data: the native store opened with `share`, so every thread of the process
 * reads one copy; a catalog directory opened lazily by this thread (its budget is per thread).
 */
function dataFor(paths: readonly string[], memoryBudgetMb: number | undefined): DataSource {
  const key = JSON.stringify([paths, memoryBudgetMb ?? null]);
  let source = sources.get(key);
  if (!source) {
    const dir = catalogDir([...paths]);
    source = dir === undefined ? BarStore.openSync([...paths], { share: true }) : Catalog.openSync(dir, { memoryBudgetMb });
    sources.set(key, source);
  }
  return source;
}

/** The strategy class of `spec`, after checking the file on this machine is the one the spec names. */
async function strategyFor(spec: RunSpec): Promise<StrategyClass> {
  let hash: string;
  try {
    hash = fileSha256(spec.strategyFile);
  } catch (cause) {
    throw new FerrobtError("ERR_STRATEGY_HASH", `strategy ${spec.strategyFile} is not readable here (${(cause as NodeJS.ErrnoException).code ?? cause})`, {
      cause,
    });
  }
  if (hash !== spec.strategyHash)
    throw new FerrobtError(
      "ERR_STRATEGY_HASH",
      `strategy ${spec.strategyFile} here has sha256 ${hash.slice(0, 12)}…, the job asks for ${spec.strategyHash.slice(0, 12)}…: refusing to run a different file`,
    );
  const key = `${spec.strategyFile}\0${hash}`;
  let cls = strategies.get(key);
  if (!cls) {
    strategies.set(key, (cls = loadStrategy(spec.strategyFile)));
    cls.catch(() => strategies.delete(key));
  }
  return cls;
}

/** A thrown error as a row's failure: its code (ERR_INTERNAL without one), its message, the clock when given. */
export function runFailure(e: unknown, atMs?: number): RunFailure {
  const err = e as { code?: unknown; message?: unknown };
  return {
    code: typeof err?.code === "string" ? err.code : "ERR_INTERNAL",
    message: typeof err?.message === "string" ? err.message : String(e),
    ...(atMs === undefined ? {} : { at: new Date(atMs).toISOString() }),
  };
}

/**
 * Runs one spec. A strategy that throws, bad options or parameters give an outcome with `error`;
 * a missing or changed strategy file and unreadable data throw (the whole job is wrong, not the row).
 */
export async function runSpec(spec: RunSpec): Promise<RunOutcome> {
  const Strategy = await strategyFor(spec);
  const data = dataFor(spec.data, spec.memoryBudgetMb);
  let backtest: Backtest;
  try {
    backtest = new Backtest(new Strategy(), {
      data,
      start: spec.start,
      end: spec.end,
      budget: spec.budget,
      fillModel: spec.fillModel,
      parameters: spec.parameters,
    });
  } catch (e) {
    return { error: runFailure(e) };
  }
  let result: BacktestResult;
  try {
    result = backtest.run();
  } catch (e) {
    if (e instanceof StrategyError) return { error: runFailure(e, e.atMs) };
    return { error: runFailure(e) };
  }
  const points = spec.equityPoints ?? 0;
  const { length, timeMs } = result.equity;
  return {
    stats: runStats(result),
    ...(length > 0 ? { lastClockMs: timeMs[length - 1] } : {}),
    ...(points === 0 ? {} : { equity: equityCurve(result, points) }),
  };
}
