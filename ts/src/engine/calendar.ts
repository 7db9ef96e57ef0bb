// Market calendars (us_futures, NYSE stock, 24/7) as session lists in UTC ms, and the clock queries
// Lumibot's session algorithm needs (spec §3.2).

import { FerrobtError } from "../errors.js";
import { MS_PER_DAY, nyParts, nyToUtc } from "../util/nytime.js";

/** One trading session, `[open, close)` in UTC ms. */
export interface Session {
  readonly open: number;
  readonly close: number;
}

export type CalendarName = "us_futures" | "stock" | "NYSE" | "NASDAQ" | "24/7";

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const ymd = (y: number, m: number, d: number): Ymd => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const weekday = (x: Ymd) => new Date(Date.UTC(x.y, x.m - 1, x.d)).getUTCDay();
const key = (x: Ymd) => x.y * 10_000 + x.m * 100 + x.d;
const addDays = (x: Ymd, n: number) => ymd(x.y, x.m, x.d + n);

/** n-th weekday (0 = Sunday) of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, wd: number, n: number): Ymd {
  if (n < 0) {
    const last = ymd(y, m + 1, 0);
    return addDays(last, -((weekday(last) - wd + 7) % 7));
  }
  const first = ymd(y, m, 1);
  return addDays(first, ((wd - weekday(first) + 7) % 7) + 7 * (n - 1));
}

/** Gregorian Easter Sunday. */
function easter(y: number): Ymd {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return ymd(y, Math.floor(n / 31), (n % 31) + 1);
}

/** Saturday → Friday, Sunday → Monday. */
function nearestWeekday(x: Ymd): Ymd {
  const wd = weekday(x);
  return wd === 6 ? addDays(x, -1) : wd === 0 ? addDays(x, 1) : x;
}

/** New Year's Day observed: Sunday → Monday; a Saturday New Year is not observed. */
function newYear(y: number): Ymd | undefined {
  const x = ymd(y, 1, 1);
  const wd = weekday(x);
  return wd === 6 ? undefined : wd === 0 ? addDays(x, 1) : x;
}

/** us_futures (exchange-calendars "Quantopian US futures"): New Year, Good Friday, Christmas. */
function futuresHolidays(y: number): Set<number> {
  const days = [newYear(y), addDays(easter(y), -2), nearestWeekday(ymd(y, 12, 25))];
  return new Set(days.filter((d): d is Ymd => d !== undefined).map(key));
}

/** NYSE full closures (including Juneteenth from 2022 and the 2025-01-09 day of mourning). */
function nyseHolidays(y: number): Set<number> {
  const days: (Ymd | undefined)[] = [
    newYear(y),
    nthWeekday(y, 1, 1, 3),
    nthWeekday(y, 2, 1, 3),
    addDays(easter(y), -2),
    nthWeekday(y, 5, 1, -1),
    y >= 2022 ? nearestWeekday(ymd(y, 6, 19)) : undefined,
    nearestWeekday(ymd(y, 7, 4)),
    nthWeekday(y, 9, 1, 1),
    nthWeekday(y, 11, 4, 4),
    nearestWeekday(ymd(y, 12, 25)),
    y === 2025 ? ymd(2025, 1, 9) : undefined,
  ];
  return new Set(days.filter((d): d is Ymd => d !== undefined).map(key));
}

/** NYSE 13:00 closes: Jul 3 (Mon–Thu), the day after Thanksgiving, Dec 24 (Mon–Thu). */
function nyseEarlyCloses(y: number): Set<number> {
  const jul3 = ymd(y, 7, 3);
  const dec24 = ymd(y, 12, 24);
  const out = [addDays(nthWeekday(y, 11, 4, 4), 1)];
  if (weekday(jul3) >= 1 && weekday(jul3) <= 4) out.push(jul3);
  if (weekday(dec24) >= 1 && weekday(dec24) <= 4) out.push(dec24);
  return new Set(out.map(key));
}

type SessionOf = (day: Ymd) => Session | undefined;

const holidayCache = new Map<string, Set<number>>();
function cachedYear(kind: string, y: number, make: (y: number) => Set<number>): Set<number> {
  const k = `${kind}${y}`;
  let s = holidayCache.get(k);
  if (!s) holidayCache.set(k, (s = make(y)));
  return s;
}

const SESSION_RULES: Record<"us_futures" | "stock" | "24/7", SessionOf> = {
  us_futures: (x) => {
    const wd = weekday(x);
    if (wd === 0 || wd === 6 || cachedYear("fut", x.y, futuresHolidays).has(key(x))) return undefined;
    const prev = addDays(x, -1);
    return { open: nyToUtc(prev.y, prev.m, prev.d, 18), close: nyToUtc(x.y, x.m, x.d, 18) };
  },
  stock: (x) => {
    const wd = weekday(x);
    if (wd === 0 || wd === 6 || cachedYear("nyse", x.y, nyseHolidays).has(key(x))) return undefined;
    const early = cachedYear("early", x.y, nyseEarlyCloses).has(key(x));
    return { open: nyToUtc(x.y, x.m, x.d, 9, 30), close: nyToUtc(x.y, x.m, x.d, early ? 13 : 16) };
  },
  "24/7": (x) => {
    const next = addDays(x, 1);
    return { open: nyToUtc(x.y, x.m, x.d), close: nyToUtc(next.y, next.m, next.d) };
  },
};

/** A market calendar: sessions generated for a time range, queried by binary search. */
export class MarketCalendar {
  readonly sessions: Session[] = [];
  /** True for 24/7 (Lumibot 4.4.16 classifies only 24/7 as continuous; us_futures is not, spec §3.2). */
  readonly continuous: boolean;
  /** Where the last query landed. */
  private hint = 0;

  constructor(
    readonly name: CalendarName,
    fromMs: number,
    toMs: number,
  ) {
    const rule = name === "us_futures" ? SESSION_RULES.us_futures : name === "24/7" ? SESSION_RULES["24/7"] : SESSION_RULES.stock;
    if (!rule) throw new FerrobtError("ERR_ARGUMENT", `argument 'market': unknown calendar '${String(name)}'`);
    this.continuous = name === "24/7";
    const first = nyParts(fromMs - 10 * MS_PER_DAY);
    let day = ymd(first.year, first.month, first.day);
    const last = toMs + 10 * MS_PER_DAY;
    for (let guard = 0; guard < 100_000; guard++) {
      const s = rule(day);
      if (s) this.sessions.push(s);
      if (s && s.open > last) break;
      if (Date.UTC(day.y, day.m - 1, day.d) > last + 2 * MS_PER_DAY) break;
      day = addDays(day, 1);
    }
  }

  /** Index of the first session whose close is > t (or >= t when `inclusive`); -1 if none. */
  private firstClosing(t: number, inclusive: boolean): number {
    const ss = this.sessions,
      n = ss.length;
    // The clock moves forward: the answer is usually the last one or the next.
    for (let i = this.hint; i <= this.hint + 1 && i < n; i++) {
      if (closesBy(ss[i], t, inclusive) && (i === 0 || !closesBy(ss[i - 1], t, inclusive))) {
        this.hint = i;
        return i;
      }
    }
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (closesBy(ss[mid], t, inclusive)) hi = mid;
      else lo = mid + 1;
    }
    if (lo < n) this.hint = lo;
    return lo < n ? lo : -1;
  }

  /** The first session whose close is after t. */
  nextSession(t: number): Session | undefined {
    const i = this.firstClosing(t, false);
    return i < 0 ? undefined : this.sessions[i];
  }

  /** open <= t < close for some session. */
  isOpen(t: number): boolean {
    const s = this.nextSession(t);
    return s !== undefined && s.open <= t;
  }

  /**
   * Seconds-to-close rule of spec §3.3 step 4, in ms: to the close of the first session whose close
   * is >= t, except that at a close which is also the next session's open it is the whole next session.
   */
  timeToClose(t: number): number {
    const i = this.firstClosing(t, true);
    if (i < 0) return 0;
    let s = this.sessions[i];
    if (s.close === t && i + 1 < this.sessions.length && this.sessions[i + 1].open === t) s = this.sessions[i + 1];
    return s.close - t;
  }
}

/** The session closes after t (or at t when `inclusive`). */
function closesBy(s: Session, t: number, inclusive: boolean): boolean {
  return s.close > t || (inclusive && s.close === t);
}

/** Normalises a `setMarket` name. */
export function calendarName(name: string): CalendarName {
  const n = name.trim();
  if (n === "us_futures" || n === "CME_Equity" || n === "CME") return "us_futures";
  if (n === "24/7") return "24/7";
  if (["stock", "NYSE", "NASDAQ", "XNYS", "XNAS"].includes(n)) return n === "NASDAQ" || n === "XNAS" ? "NASDAQ" : n === "stock" ? "stock" : "NYSE";
  throw new FerrobtError("ERR_ARGUMENT", `argument 'market': unknown calendar '${name}' (use us_futures, NYSE, NASDAQ, stock or 24/7)`);
}
