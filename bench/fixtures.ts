// Shared bench fixtures: seeded data generated once into bench/.cache (untracked), the stores of
// each implementation, and the query clocks. Every bench file and the runner use these.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type BarStore, generateSample } from "../ts/src/index.js";

const cache = join(import.meta.dirname, ".cache");

/** A generated file (same arguments → same bytes), made on first use. */
function data(name: string, start: string, end: string): string {
  mkdirSync(cache, { recursive: true });
  const path = join(cache, name);
  if (!existsSync(path)) generateSample(path, { start, end });
  return path;
}

/** One year of MES minute bars (~370k rows, five contracts). */
export const yearFile = () => data("MES-1y.parquet", "2023-01-01", "2024-01-01");
/** The seed window's data (2023-12-17 .. 2024-01-13). */
export const seedFile = () => data("MES-seed.parquet", "2023-12-17", "2024-01-13");

/** The symbol the window scenarios query (the contract active most of the year's end). */
export const SYMBOL = "MESZ3";

/** Query clocks spread over the symbol's bars (a fixed pseudo-random walk). */
export function clocks(store: BarStore, n = 4_096): Float64Array {
  const t = store.columns(SYMBOL).timesMs;
  return Float64Array.from({ length: n }, (_, i) => t[(i * 7_919 + 13) % t.length] + 1);
}

/** The median of `xs` (the mean of the middle two when their count is even). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
