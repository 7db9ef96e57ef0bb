// Parameter grids: a JSON object of non-empty arrays, checked against the strategy's parameters and
// expanded as the cartesian product in grid order (the first key varies slowest, as itertools.product).

import { readFileSync } from "node:fs";
import { FerrobtError } from "../errors.js";

/** One parameter value a grid may hold. */
export type ParameterValue = string | number | boolean;

/** Parameter name → the values to try, in order. */
export type Grid = Readonly<Record<string, readonly ParameterValue[]>>;

/** One combination of a grid: parameter name → value. */
export type Combination = Readonly<Record<string, ParameterValue>>;

const bad = (source: string, reason: string): never => {
  throw new FerrobtError("ERR_ARGUMENT", `argument '${source}': ${reason}`);
};

/**
 * Checks `value` as a grid for a strategy whose class-level parameters are `known`: an object of
 * non-empty arrays of numbers, strings or booleans, naming only known parameters.
 * `source` names the grid in errors (the file, or "grid").
 */
export function checkGrid(value: unknown, known: Readonly<Record<string, unknown>>, source = "grid"): Grid {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad(source, 'a grid is an object of arrays, e.g. {"sma_period": [9, 14]}');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) bad(source, "the grid names no parameter");
  for (const [name, values] of entries) {
    if (!Object.hasOwn(known, name)) {
      const names = Object.keys(known);
      bad(source, `unknown parameter '${name}' (the strategy's parameters: ${names.length ? names.join(", ") : "none"})`);
    }
    if (!Array.isArray(values) || values.length === 0) bad(source, `parameter '${name}': expected a non-empty array of values`);
    for (const [i, v] of (values as unknown[]).entries()) {
      const ok = typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
      if (!ok) bad(source, `parameter '${name}'[${i}]: ${JSON.stringify(v)} is not a finite number, a string or a boolean`);
    }
  }
  return value as Grid;
}

/** Reads a grid file (JSON); `checkGrid` checks what it holds. */
export function readGridFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new FerrobtError("ERR_IO", `argument 'grid': cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new FerrobtError("ERR_ARGUMENT", `argument 'grid': ${path} is not JSON (${(cause as Error).message})`, { cause });
  }
  return value;
}

/** Every combination, in grid order: the last parameter varies fastest. */
export function expandGrid(grid: Grid): Combination[] {
  let combos: Record<string, ParameterValue>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    const next: Record<string, ParameterValue>[] = [];
    for (const combo of combos) for (const v of values) next.push({ ...combo, [name]: v });
    combos = next;
  }
  return combos;
}
