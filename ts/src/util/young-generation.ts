// The one V8 flag a backtest sets for its process: the young generation grows to its maximum at once.

import { setFlagsFromString } from "node:v8";

/**
 * V8 starts the young generation at 1 MiB per semi-space and doubles it only after as much again has
 * outlived a scavenge. A backtest allocates a lot that dies young (windows, views) and keeps little, so
 * a one-year run in a fresh process stayed on small semi-spaces for most of its length: 47–51
 * scavenges instead of 20–22 (bench/results/latest.md gives the GC share both ways). This takes the
 * young generation to V8's default maximum (16 MiB per semi-space on 64-bit) at its first growth; the
 * price is up to ~24 MiB more young generation. V8 reads the factor each time it grows the young
 * generation, so setting it at run time takes effect.
 */
export const YOUNG_GENERATION_FLAG = "--semi-space-growth-factor=16";

/** The environment variable that, set to "0", keeps node's own young generation sizing. */
export const V8_TUNING_ENV = "FERROBT_V8_TUNING";

/** Whether this process has decided (the first backtest or the command line does). */
let decided = false;

/**
 * Sets {@link YOUNG_GENERATION_FLAG}, once per process, unless `FERROBT_V8_TUNING=0` or the process
 * was started with its own semi-space flag (in its arguments or NODE_OPTIONS), which it then keeps.
 */
export function growYoungGenerationAtOnce(): void {
  if (decided) return;
  decided = true;
  const own = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  if (process.env[V8_TUNING_ENV] !== "0" && !/semi[-_]space/.test(own)) setFlagsFromString(YOUNG_GENERATION_FLAG);
}
