// The hand-written New York DST rule ferrobt used before util/tz.ts (the post-2007 US rule for every
// year), kept only as the baseline of the time benches in store.bench.ts.

import { type WallTime, wallParts } from "../ts/src/util/nytime.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** UTC ms of the n-th (1-based) `weekday` of a month at `hourUtc`. */
function nthWeekdayUtc(year: number, month: number, weekday: number, n: number, hourUtc: number): number {
  const first = Date.UTC(year, month - 1, 1);
  const shift = (weekday - new Date(first).getUTCDay() + 7) % 7;
  return first + (shift + 7 * (n - 1)) * DAY + hourUtc * HOUR;
}

const dstCache = new Map<number, [number, number]>();

/** [start, end) of daylight time in `year`, UTC ms. */
function dstRange(year: number): [number, number] {
  let r = dstCache.get(year);
  if (!r) {
    r = [nthWeekdayUtc(year, 3, 0, 2, 7), nthWeekdayUtc(year, 11, 0, 1, 6)];
    dstCache.set(year, r);
  }
  return r;
}

/** The calendar year last asked about, as [first ms, next year's first ms, DST start, DST end]. */
let yearCache: [number, number, number, number] = [0, 0, 0, 0];

/** UTC offset of New York at instant `utcMs`, in ms (-4 h or -5 h). */
export function nyOffsetMs(utcMs: number): number {
  if (utcMs < yearCache[0] || utcMs >= yearCache[1]) {
    const year = new Date(utcMs).getUTCFullYear();
    const [start, end] = dstRange(year);
    yearCache = [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1), start, end];
  }
  return utcMs >= yearCache[2] && utcMs < yearCache[3] ? -4 * HOUR : -5 * HOUR;
}

/** Wall-clock parts in New York at `utcMs` (the parts built as ferrobt builds them). */
export function nyParts(utcMs: number): WallTime {
  return wallParts(utcMs + nyOffsetMs(utcMs));
}
