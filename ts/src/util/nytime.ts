// America/New_York wall clock <-> UTC ms, by the US DST rule in force since 2007 (fast, no Intl).

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

/** Wall-clock parts in New York at `utcMs`. */
export function nyParts(utcMs: number): WallTime {
  const d = new Date(utcMs + nyOffsetMs(utcMs));
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
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const daylight = local + 4 * HOUR;
  return nyOffsetMs(daylight) === -4 * HOUR ? daylight : local + 5 * HOUR;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `YYYY-MM-DD HH:MM:SS-05:00` (pandas' ISO form with offset). */
export function formatNy(utcMs: number): string {
  const p = nyParts(utcMs);
  const off = -nyOffsetMs(utcMs) / HOUR;
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}-${pad(off)}:00`;
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
