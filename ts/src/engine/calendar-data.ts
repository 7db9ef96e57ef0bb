// Decodes the generated calendar tables (calendars/data.ts, from pandas_market_calendars) into session
// lists in UTC ms, once per calendar per process.

import { timeZone } from "../util/tz.js";
import { CALENDAR_TABLES } from "./calendars/data.js";

/** One calendar as scripts/calendars/generate.py writes it. Dates are `YYYYMMDD`; times are minutes from the session date's local midnight (negative: the day before). */
export interface CalendarTable {
  /** IANA zone of the wall times. */
  readonly tz: string;
  /** Monday..Sunday, `1` for a weekday that normally has a session. */
  readonly weekmask: string;
  /** Regular times, `[from date, open, close]`, in date order; each holds until the next. */
  readonly eras: readonly (readonly [string, number, number])[];
  /** Space-separated dates on the weekmask without a session (holidays, closures). */
  readonly off: string;
  /** Space-separated dates off the weekmask with a session. */
  readonly extra: string;
  /** Space-separated `date:open:close` of sessions whose times differ from their era. */
  readonly special: string;
}

export interface CalendarTables {
  /** First and last session date generated, `YYYY-MM-DD`. */
  readonly first: string;
  readonly last: string;
  readonly calendars: Readonly<Record<string, CalendarTable>>;
  /** pandas_market_calendars aliases whose schedule equals their target's. */
  readonly aliases: Readonly<Record<string, string>>;
}

/** All sessions of a calendar as parallel columns (UTC ms), in date order. */
export interface SessionColumns {
  readonly open: Float64Array;
  readonly close: Float64Array;
}

const words = (s: string) => (s === "" ? [] : s.split(" "));
const dateKey = (y: number, m: number, d: number) => y * 10_000 + m * 100 + d;

/** Every session of one generated calendar. */
export function decodeCalendar(table: CalendarTable, first: string, last: string): SessionColumns {
  const zone = timeZone(table.tz);
  const off = new Set(words(table.off).map(Number));
  const extra = new Set(words(table.extra).map(Number));
  const special = new Map<number, [number, number]>();
  for (const w of words(table.special)) {
    const [d, o, c] = w.split(":").map(Number);
    special.set(d, [o, c]);
  }
  const eras = table.eras.map(([d, o, c]) => [Number(d), o, c] as const);
  const open: number[] = [];
  const close: number[] = [];
  const [fy, fm, fd] = first.split("-").map(Number);
  const end = Date.parse(`${last}T00:00:00Z`);
  let era = 0;
  for (let day = Date.UTC(fy, fm - 1, fd); day <= end; day += 86_400_000) {
    const t = new Date(day);
    const y = t.getUTCFullYear(),
      m = t.getUTCMonth() + 1,
      d = t.getUTCDate();
    const k = dateKey(y, m, d);
    const onMask = table.weekmask[(t.getUTCDay() + 6) % 7] === "1";
    if (onMask ? off.has(k) : !extra.has(k)) continue;
    while (era + 1 < eras.length && eras[era + 1][0] <= k) era++;
    const [o, c] = special.get(k) ?? [eras[era][1], eras[era][2]];
    open.push(zone.toUtc(y, m, d, 0, o));
    close.push(zone.toUtc(y, m, d, 0, c));
  }
  return { open: Float64Array.from(open), close: Float64Array.from(close) };
}

const decoded = new Map<string, SessionColumns>();

/** The sessions of a canonical calendar name of the generated tables (decoded on first use). */
export function generatedSessions(name: string): SessionColumns {
  let s = decoded.get(name);
  if (!s) {
    const table = CALENDAR_TABLES.calendars[name];
    if (!table) throw new Error(`no generated calendar '${name}'`);
    s = decodeCalendar(table, CALENDAR_TABLES.first, CALENDAR_TABLES.last);
    decoded.set(name, s);
  }
  return s;
}

export { CALENDAR_TABLES };
