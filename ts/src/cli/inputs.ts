// The inputs `backtest` and `profile` share: the strategy class from a TS file (compiled and cached), the data paths
// (the generated sample by default), the backend and the seed window.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Backend } from "../data/open.js";
import type { FillModel } from "../engine/broker.js";
import { Strategy } from "../engine/strategy.js";
import { FerrobtError } from "../errors.js";
import { generateSample } from "../store/BarStore.js";
import { importModule } from "../util/import-module.js";
import { compiledStrategyUrl } from "./compile.js";

export type StrategyClass = new () => Strategy;

/** Loads the default export (or the first exported Strategy subclass) of a strategy file. */
export async function loadStrategy(file: string): Promise<StrategyClass> {
  // Stack traces through the strategy point at its TypeScript lines (the compiled module carries an inline map).
  process.setSourceMapsEnabled(true);
  const mod = await importModule(await compiledStrategyUrl(file));
  const candidates = [mod.default, ...Object.values(mod)];
  const found = candidates.find((c) => typeof c === "function" && isStrategyClass(c as StrategyClass));
  if (!found) throw new FerrobtError("ERR_ARGUMENT", `argument 'strategy': ${file} exports no Strategy subclass`);
  return found as StrategyClass;
}

/** A Strategy subclass, also when the file imported another copy of ferrobt (checked by shape). */
function isStrategyClass(c: StrategyClass): boolean {
  const proto = c.prototype as Partial<Strategy> | undefined;
  return proto instanceof Strategy || (typeof proto?.onTradingIteration === "function" && typeof proto.getHistoricalPrices === "function");
}

/** The seed window and the generated sample data: the defaults of `backtest` and `profile`. */
export const SEED_WINDOW = { start: "2024-01-03T09:30", end: "2024-01-05T16:00" };
const SAMPLE = "out/data/MES_sample.parquet";

/** `--data` as a list of paths; without it, the generated sample (written on first use). */
export function dataPaths(data: string | undefined): string[] {
  if (data) return data.split(",");
  if (!existsSync(SAMPLE)) {
    mkdirSync(dirname(SAMPLE), { recursive: true });
    generateSample(SAMPLE);
  }
  return [SAMPLE];
}

export function backendOf(value: string | undefined): Backend {
  const backend = value ?? "native";
  if (backend !== "native" && backend !== "reference") throw new FerrobtError("ERR_ARGUMENT", "--backend must be native or reference");
  return backend;
}

/** A `--name` flag holding a whole number from 1 (undefined when absent). */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new FerrobtError("ERR_ARGUMENT", `--${name} must be a whole number >= 1, not '${v}'`);
  return n;
}

/** `--budget` as a positive number (undefined when absent). */
export function budgetOf(v: string | undefined): number | undefined {
  return positiveNumberOf("--budget", v, "a positive number");
}

/** `--memory-budget-mb` (a catalog's budget, MiB) as a positive number (undefined when absent: unlimited). */
export function memoryBudgetOf(v: string | undefined): number | undefined {
  return positiveNumberOf("--memory-budget-mb", v, "a positive number of MiB");
}

/** The flag's text as a finite number > 0 (undefined when absent); ERR_ARGUMENT saying it must be `what`. */
function positiveNumberOf(flag: string, v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new FerrobtError("ERR_ARGUMENT", `${flag} must be ${what}, not '${v}'`);
  return n;
}

/**
 * `--params`: strategy parameters overlaid on the class's, as a JSON object or `@file.json`
 * (undefined when absent). ERR_ARGUMENT naming the flag for text that is not a JSON object.
 */
export function paramsOf(v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  let text = v;
  if (v.startsWith("@")) {
    try {
      text = readFileSync(v.slice(1), "utf8");
    } catch (e) {
      throw new FerrobtError("ERR_ARGUMENT", `--params ${v}: cannot read ${v.slice(1)} (${(e as Error).message})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FerrobtError("ERR_ARGUMENT", `--params must be a JSON object or @file.json: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FerrobtError("ERR_ARGUMENT", "--params must be a JSON object (parameter name → value), e.g. '{\"top\": 10}'");
  }
  return parsed as Record<string, unknown>;
}

/** `--fill-model` (default polars). */
export function fillModelOf(v: string | undefined): FillModel {
  const m = v ?? "polars";
  if (m !== "polars" && m !== "pandas") throw new FerrobtError("ERR_ARGUMENT", "--fill-model must be polars or pandas");
  return m;
}
