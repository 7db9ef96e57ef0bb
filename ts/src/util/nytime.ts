// America/New_York wall clock <-> UTC ms, from the IANA time-zone database (util/tz.ts), for any date.

import { timeZone } from "./tz.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Calendar parts of a wall-clock time. `weekday`: 0 = Sunday .. 6 = Saturday. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** America/New_York from the IANA database (transition tables built once per year). */
export const NEW_YORK = timeZone("America/New_York");

/** UTC offset of New York at instant `utcMs`, in ms (-4 h or -5 h since 1883). */
export function nyOffsetMs(utcMs: number): number {
  return NEW_YORK.offsetMs(utcMs);
}

/** Wall-clock parts in New York at `utcMs`. */
export function nyParts(utcMs: number): WallTime {
  return wallParts(utcMs + nyOffsetMs(utcMs));
}

/** Calendar parts of `localMs`, a wall-clock time read as UTC ms. */
export function wallParts(localMs: number): WallTime {
  const d = new Date(localMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** UTC ms of a New York wall-clock time (earliest instant on a fold, shifted forward in a gap). */
export function nyToUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return NEW_YORK.toUtc(year, month, day, hour, minute, second);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `YYYY-MM-DD HH:MM:SS-05:00` (pandas' ISO form with offset). */
export function formatNy(utcMs: number): string {
  const p = nyParts(utcMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${formatOffset(nyOffsetMs(utcMs))}`;
}

/** `-05:00`, `+01:00`, `-04:56` (an offset in ms as ±HH:MM, seconds truncated as pandas prints them). */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.trunc(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? "-" : "+"}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** `YYYY-MM-DD` of the New York date at `utcMs`. */
export function nyDate(utcMs: number): string {
  const p = nyParts(utcMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (New York wall clock) or an ISO string with an explicit
 * offset/Z. Returns UTC ms, or undefined when the text is not a time.
 */
export function parseNyTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
    return nyToUtc(y, mo, d, h, mi, s);
  }
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export { DAY as MS_PER_DAY };
