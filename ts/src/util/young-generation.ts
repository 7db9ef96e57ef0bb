// The one V8 flag a backtest sets for its process, and the ballast its first run holds so the young generation grows early.

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

/**
 * Slots of the ballast (8 bytes each on 64-bit: 2 MiB, twice V8's first semi-space). V8 grows the young
 * generation only once more bytes have outlived scavenges since its last growth than a semi-space
 * holds; a backtest keeps ~50–100 kB a scavenge, so even with {@link YOUNG_GENERATION_FLAG} the first
 * growth came ~10 scavenges into a fresh one-year run (~90 ms of it). One array this large lives in
 * V8's young large-object space and is promoted whole (no copy) by the first scavenge that finds it
 * alive, which counts as that many bytes surviving: the young generation grows at the run's third
 * scavenge instead.
 */
const BALLAST_SLOTS = 256 * 1024;

/** The environment variable that, set to "0", keeps node's own young generation sizing. */
export const V8_TUNING_ENV = "FERROBT_V8_TUNING";

/** Whether this process has decided (the first backtest or the command line does), and what. */
let decided = false,
  tuned = false;

/** Whether a backtest has run in this module instance (the first one holds the ballast). */
let ran = false;

/** The ballast, alive from the start to the end of the first backtest (an array of holes). */
const held: { ballast?: unknown[] } = {};

/**
 * Sets {@link YOUNG_GENERATION_FLAG}, once per process, unless `FERROBT_V8_TUNING=0` or the process
 * was started with its own semi-space flag (in its arguments or NODE_OPTIONS), which it then keeps.
 */
export function growYoungGenerationAtOnce(): void {
  if (decided) return;
  decided = true;
  const own = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  tuned = process.env[V8_TUNING_ENV] !== "0" && !/semi[-_]space/.test(own);
  if (tuned) setFlagsFromString(YOUNG_GENERATION_FLAG);
}

/**
 * At a backtest's start: {@link growYoungGenerationAtOnce}, and the first backtest (where the young
 * generation has not grown yet) holds the ballast ({@link BALLAST_SLOTS}) until {@link dropBallast}.
 */
export function tuneHeapForRun(): void {
  growYoungGenerationAtOnce();
  if (ran) return;
  ran = true;
  if (tuned) held.ballast = new Array(BALLAST_SLOTS);
}

/** Lets the ballast go (a backtest's end calls this; by then the young generation has grown). */
export function dropBallast(): void {
  held.ballast = undefined;
}
