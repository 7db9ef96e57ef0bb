// Binary searches over a symbol's zero-copy time columns, in JS (no N-API crossing per query). They
// answer exactly what the Rust store would: a query in ms is compared in ns after the binding's own
// ms → ns conversion (whole ms exact, the fraction rounded to the ns).

import { argumentError } from "../errors.js";
import { msToNs, type TimeInput, toMs } from "../time.js";
import type { BucketedTimes } from "./bucketedTimes.js";

/**
 * Number of elements of ascending `xs` that are < x (or <= x when `inclusive`); with `lo`/`hi`, the
 * answer known to lie in [lo, hi] is searched for there only.
 */
export function countBelow(xs: Float64Array, x: number, inclusive: boolean, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x || (inclusive && xs[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of ascending ns `ts` that are < ns (or <= ns when `inclusive`). */
export function countBelowNs(ts: BigInt64Array, ns: bigint, inclusive: boolean): number {
  let lo = 0,
    hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = ts[mid];
    if (v < ns || (inclusive && v === ns)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** 2^32 and 2^16 modulo 5^6 (1e6 = 2^6 · 5^6), for remainders in int32 arithmetic. */
const M = 15_625,
  TWO_32_MOD_M = 2 ** 32 % M,
  TWO_16_MOD_M = 2 ** 16 % M;

const wholeMsCache = new WeakMap<BigInt64Array, boolean>();

/**
 * True when every timestamp is a whole ms and `timesMs` holds exactly that ms (then searches can run
 * on `timesMs`). Reads the i64s as 32-bit halves, so no BigInt is made; remembered per column.
 */
export function allWholeMs(ts: BigInt64Array, timesMs: Float64Array): boolean {
  let known = wholeMsCache.get(ts);
  if (known === undefined) wholeMsCache.set(ts, (known = scanWholeMs(ts, timesMs)));
  return known;
}

function scanWholeMs(ts: BigInt64Array, timesMs: Float64Array): boolean {
  if (timesMs.length !== ts.length) return false;
  const words = new Int32Array(ts.buffer, ts.byteOffset, ts.length * 2);
  for (let i = 0; i < ts.length; i++) {
    const lo = words[2 * i],
      hi = words[2 * i + 1];
    // ns = hi·2^32 + lo (lo unsigned) is a multiple of 1e6 iff it is one of 2^6 and of 5^6.
    if ((lo & 63) !== 0) return false;
    const r = ((hi % M) * TWO_32_MOD_M + (lo >>> 16) * TWO_16_MOD_M + (lo & 0xffff)) % M;
    if (r !== 0) return false;
    // A whole-ms time converted within 0.5 ms of itself is exact iff it came out whole.
    if (!Number.isInteger(timesMs[i])) return false;
  }
  return true;
}

/** Largest |ms| a query may name (the i64 ns range, as the binding checks). */
export const MAX_QUERY_MS = 9.2e15;
const I64_MIN = -(2n ** 63n),
  I64_MAX = 2n ** 63n - 1n;

/** A query time as ms (number) or ns (bigint), range-checked as the binding did. */
export function checkQueryTime(name: string, t: number | bigint): number | bigint {
  if (typeof t === "bigint") {
    if (t < I64_MIN || t > I64_MAX) argumentError(name, "BigInt does not fit in i64 ns");
    return t;
  }
  if (!Number.isFinite(t) || Math.abs(t) > MAX_QUERY_MS) argumentError(name, `${t} is not a finite time in ms`);
  return t;
}

/** A time query as ms (number) or ns (bigint, kept exact); a Date becomes ms; out of the i64 ns range is ERR_ARGUMENT. */
export function checkTime(name: string, t: TimeInput): number | bigint {
  return checkQueryTime(name, typeof t === "number" || typeof t === "bigint" ? t : toMs(name, t));
}

/** The time columns a search needs, whether they are all whole ms, and the searches of whole-ms timesMs. */
export interface TimeIndex {
  readonly timestamps: BigInt64Array;
  readonly timesMs: Float64Array;
  readonly wholeMs: boolean;
  /** Counts below a time in timesMs (used when wholeMs). */
  readonly msSearch: BucketedTimes;
}

/** Bars with ts < t (t in ms, converted to ns as the binding does; a bigint is ns, exact). */
export function countBefore(ix: TimeIndex, t: number | bigint): number {
  if (typeof t === "bigint") return countBelowNs(ix.timestamps, t, false);
  if (!ix.wholeMs) return countBelowNs(ix.timestamps, msToNs(t), false);
  if (Number.isInteger(t)) return ix.msSearch.countBelow(t, false);
  // Whole-ms bars k·1e6 < F·1e6 + r  ⇔  k < F + (r > 0).
  const f = Math.floor(t),
    r = Math.round((t - f) * 1e6);
  return ix.msSearch.countBelow(r > 0 ? f + 1 : f, false);
}

/** Bars with ts <= t (same conversions as {@link countBefore}). */
export function countAtOrBefore(ix: TimeIndex, t: number | bigint): number {
  if (typeof t === "bigint") return countBelowNs(ix.timestamps, t, true);
  if (!ix.wholeMs) return countBelowNs(ix.timestamps, msToNs(t), true);
  if (Number.isInteger(t)) return ix.msSearch.countBelow(t, true);
  // Whole-ms bars k·1e6 <= F·1e6 + r  ⇔  k <= F + (r = 1e6).
  const f = Math.floor(t),
    r = Math.round((t - f) * 1e6);
  return ix.msSearch.countBelow(r === 1_000_000 ? f + 1 : f, true);
}
