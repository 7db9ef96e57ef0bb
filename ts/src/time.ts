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
