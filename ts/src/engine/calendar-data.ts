// Decodes the generated calendar tables (calendars/data.ts, from pandas_market_calendars) into session
// lists in UTC ms, a year at a time and once per process.

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
const EMPTY: SessionColumns = { open: new Float64Array(0), close: new Float64Array(0) };

/** One generated calendar, decoded a year at a time (each year's sessions once per process). */
export class GeneratedCalendar {
  private readonly zone;
  private readonly off: Set<number>;
  private readonly extra: Set<number>;
  private readonly special = new Map<number, readonly [number, number]>();
  private readonly eras: (readonly [number, number, number])[];
  private readonly first: number;
  private readonly last: number;
  private readonly years = new Map<number, SessionColumns>();

  constructor(
    private readonly table: CalendarTable,
    first: string,
    last: string,
  ) {
    this.zone = timeZone(table.tz);
    this.off = new Set(words(table.off).map(Number));
    this.extra = new Set(words(table.extra).map(Number));
    for (const w of words(table.special)) {
      const [d, o, c] = w.split(":").map(Number);
      this.special.set(d, [o, c]);
    }
    this.eras = table.eras.map(([d, o, c]) => [Number(d), o, c] as const);
    this.first = Date.parse(`${first}T00:00:00Z`);
    this.last = Date.parse(`${last}T00:00:00Z`);
  }

  /** Sessions whose dates lie in the given years (inclusive), in date order; empty outside the tables. */
  sessions(fromYear: number, toYear: number): SessionColumns {
    const parts: SessionColumns[] = [];
    for (let y = fromYear; y <= toYear; y++) parts.push(this.year(y));
    if (parts.length === 1) return parts[0];
    const n = parts.reduce((a, p) => a + p.open.length, 0);
    const open = new Float64Array(n),
      close = new Float64Array(n);
    let at = 0;
    for (const p of parts) {
      open.set(p.open, at);
      close.set(p.close, at);
      at += p.open.length;
    }
    return { open, close };
  }

  private year(y: number): SessionColumns {
    let cols = this.years.get(y);
    if (!cols) {
      cols = this.decodeYear(y);
      this.years.set(y, cols);
    }
    return cols;
  }

  private decodeYear(y: number): SessionColumns {
    const from = Math.max(Date.UTC(y, 0, 1), this.first);
    const to = Math.min(Date.UTC(y, 11, 31), this.last);
    if (from > to) return EMPTY;
    const { weekmask } = this.table;
    const open: number[] = [];
    const close: number[] = [];
    let era = 0;
    for (let day = from; day <= to; day += 86_400_000) {
      const t = new Date(day);
      const m = t.getUTCMonth() + 1,
        d = t.getUTCDate();
      const k = dateKey(y, m, d);
      const onMask = weekmask[(t.getUTCDay() + 6) % 7] === "1";
      if (onMask ? this.off.has(k) : !this.extra.has(k)) continue;
      while (era + 1 < this.eras.length && this.eras[era + 1][0] <= k) era++;
      const [o, c] = this.special.get(k) ?? [this.eras[era][1], this.eras[era][2]];
      open.push(this.zone.toUtc(y, m, d, 0, o));
      close.push(this.zone.toUtc(y, m, d, 0, c));
    }
    return { open: Float64Array.from(open), close: Float64Array.from(close) };
  }
}

const calendars = new Map<string, GeneratedCalendar>();

/** The generated calendar of a canonical name (shared per process). */
export function generatedCalendar(name: string): GeneratedCalendar {
  let c = calendars.get(name);
  if (!c) {
    const table = CALENDAR_TABLES.calendars[name];
    if (!table) throw new Error(`no generated calendar '${name}'`);
    c = new GeneratedCalendar(table, CALENDAR_TABLES.first, CALENDAR_TABLES.last);
    calendars.set(name, c);
  }
  return c;
}

export { CALENDAR_TABLES };
