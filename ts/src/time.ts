// Time inputs: a number is ms since the epoch (UTC), a bigint is ns, a Date is itself.

import { argumentError } from "./errors.js";

/** A point in time: ms number, ns bigint, or Date. */
export type TimeInput = number | bigint | Date;

export const MS_PER_MINUTE = 60_000;

/** ms (number) → ns (bigint), as the native binding converts: whole ms exact, the fraction rounded. */
export function msToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Converts a time input to ns (bigint), checking it; a bigint passes through unchanged. */
export function toNs(name: string, t: TimeInput): bigint {
  return typeof t === "bigint" ? t : msToNs(toMs(name, t));
}

/** An open's optional `start`/`end` as the binding's `startNs`/`endNs` (absent stays undefined), checked under their names. */
export function rangeNs(r: { start?: TimeInput; end?: TimeInput }): { startNs: bigint | undefined; endNs: bigint | undefined } {
  return { startNs: r.start === undefined ? undefined : toNs("start", r.start), endNs: r.end === undefined ? undefined : toNs("end", r.end) };
}

/** Converts a time input to ms (number), checking it. */
export function toMs(name: string, t: TimeInput): number {
  if (typeof t === "number") {
    if (!Number.isFinite(t)) argumentError(name, `${t} is not a finite time in ms`);
    return t;
  }
  if (typeof t === "bigint") return Number(t / 1_000_000n) + Number(t % 1_000_000n) / 1e6;
  if (t instanceof Date) {
    const ms = t.getTime();
    if (Number.isNaN(ms)) argumentError(name, "is an invalid Date");
    return ms;
  }
  return argumentError(name, `${String(t)} is not a number (ms), bigint (ns) or Date`);
}

/**
 * The anchors of ferrobt's three resampling rule sets, defined once (__test__/time-anchors.test.ts checks
 * each implementation against this table):
 * - `tradingDay`: the store's resampling (Rust/polars `BarStore.resample`, default options) and the
 *   reference backend's (`ReferenceSource.resample`, default anchor): bins aligned to the CME trading
 *   day starting 18:00 America/New_York, so day bars run 18:00 to 18:00.
 * - `lumibotMidnight`: the engine's `getHistoricalPrices` bins (engine/resample.ts, Lumibot's rule):
 *   anchored at New York midnight of the window's first bar's day; day bars are New York calendar days.
 */
export const RESAMPLE_ANCHORS = {
  tradingDay: { timeZone: "America/New_York", dayAnchorMinutes: 18 * 60 },
  lumibotMidnight: { timeZone: "America/New_York", dayAnchorMinutes: 0 },
} as const;
