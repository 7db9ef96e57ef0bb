// UTC offsets of any IANA time zone from the database Node ships (Intl.DateTimeFormat), found once per
// year by bisection and kept as a sorted transition table, so lookups are O(1) on a run of nearby times
// and O(log n) otherwise, with no Intl call once a year is known. A process may also keep the tables on
// disk (keepYearTablesIn), so a later one whose years are all there never starts Intl.

import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeWhole } from "./files.js";

const SECOND = 1000;
const DAY = 86_400_000;
/**
 * Offsets are sampled this far apart. Two changes within one step would be found as one or none; the
 * calendars' zones (New York, Chicago, Toronto, London) never had that, and __test__/time.test.ts checks
 * them against Intl's own offset names 1970-2037.
 */
const SAMPLE = 7 * DAY;

/** Bumped when buildYear's method changes, so tables kept by an older one are never read. */
const TABLE_FORMAT = "1";

/** The offsets of one zone over one UTC calendar year: `offsets[i]` holds from `starts[i]`. */
interface YearTable {
  readonly starts: number[];
  readonly offsets: number[];
}

/** A time zone's offsets from the IANA database. */
export class TimeZone {
  /** Made on the first Intl read: the first DateTimeFormat of a process costs ~20 ms (ICU's locale and calendar data). */
  private fmt: Intl.DateTimeFormat | undefined;
  private readonly years = new Map<number, YearTable>();
  /** The segment last looked up: offset `segOffset` holds on [segFrom, segTo). */
  private segFrom = Number.POSITIVE_INFINITY;
  private segTo = Number.NEGATIVE_INFINITY;
  private segOffset = 0;

  constructor(readonly name: string) {}

  /** UTC offset at instant `utcMs`, in ms (local = UTC + offset). */
  offsetMs(utcMs: number): number {
    if (utcMs >= this.segFrom && utcMs < this.segTo) return this.segOffset;
    return this.lookup(utcMs);
  }

  /**
   * UTC ms of a wall-clock time: the earliest instant on a fold (the offset before the change), and a
   * time in a gap is read with the offset before the gap (so it lands that far after the gap's start).
   * Fields may overflow as in Date.UTC (minute 1500 is the next day's 01:00).
   */
  toUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
    const local = Date.UTC(year, month - 1, day, hour, minute, second);
    const before = this.offsetMs(local - DAY);
    const after = this.offsetMs(local + DAY);
    if (before === after) return local - before;
    // A change within a day of `local`: the larger offset gives the earlier instant; take the first valid one.
    const [early, late] = before > after ? [before, after] : [after, before];
    if (this.offsetMs(local - early) === early) return local - early;
    if (this.offsetMs(local - late) === late) return local - late;
    return local - before;
  }

  private lookup(utcMs: number): number {
    if (!Number.isFinite(utcMs)) return this.offsetMs(0);
    const year = new Date(utcMs).getUTCFullYear();
    let table = this.years.get(year);
    if (!table) {
      table = this.keptYear(year);
      this.years.set(year, table);
    }
    const { starts, offsets } = table;
    let lo = 0,
      hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= utcMs) lo = mid;
      else hi = mid - 1;
    }
    this.segFrom = starts[lo];
    this.segTo = lo + 1 < starts.length ? starts[lo + 1] : Date.UTC(year + 1, 0, 1);
    this.segOffset = offsets[lo];
    return offsets[lo];
  }

  /** The table of one UTC year: read back from the kept tables when there, else built from Intl (and kept when tables are kept). */
  private keptYear(year: number): YearTable {
    const file = tableDir === undefined ? undefined : join(tableDir, `${encodeURIComponent(this.name)}.${year}.json`);
    const kept = file === undefined ? undefined : readTable(file, year);
    if (kept) return kept;
    const table = this.buildYear(year);
    if (file !== undefined) saveTable(file, table);
    return table;
  }

  /** The transitions of one UTC year: weekly samples, each change bisected to the second. */
  private buildYear(year: number): YearTable {
    const from = Date.UTC(year, 0, 1);
    const to = Date.UTC(year + 1, 0, 1);
    const starts = [from];
    const offsets = [this.intlOffset(from)];
    for (let a = from; a < to; a += SAMPLE) {
      const b = Math.min(a + SAMPLE, to - SECOND);
      const ob = this.intlOffset(b);
      if (ob === offsets[offsets.length - 1]) continue;
      // Smallest whole second in (a, b] with the new offset (tzdb changes happen on whole seconds).
      let lo = Math.floor(a / SECOND),
        hi = Math.floor(b / SECOND);
      const oa = offsets[offsets.length - 1];
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.intlOffset(mid * SECOND) === oa) lo = mid;
        else hi = mid;
      }
      starts.push(hi * SECOND);
      offsets.push(ob);
    }
    return { starts, offsets };
  }

  /** The offset Intl reports at `utcMs` (whole seconds), read from `M/D/Y AD, HH:MM:SS` (format is 3-4× cheaper than formatToParts). */
  private intlOffset(utcMs: number): number {
    this.fmt ??= new Intl.DateTimeFormat("en-US", {
      timeZone: this.name,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    const text = this.fmt.format(utcMs);
    const m = WALL.exec(text);
    if (!m) throw new Error(`unexpected Intl date '${text}' for ${this.name}`);
    const year = m[4] === "BC" || m[4] === "B" ? 1 - Number(m[3]) : Number(m[3]);
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(m[1]) - 1, Number(m[2]));
    wall.setUTCHours(Number(m[5]), Number(m[6]), Number(m[7]), 0);
    return wall.getTime() - Math.floor(utcMs / SECOND) * SECOND;
  }
}

/** en-US numeric date and 24-hour time with the era, as Intl formats them. */
const WALL = /^(\d+)\/(\d+)\/(\d+)\s+([A-Z]+),?\s+(\d+):(\d+):(\d+)$/;

/** Where this process keeps its year tables (undefined: in memory only). */
let tableDir: string | undefined;

/**
 * Keeps the year tables this process builds under `dir` and reads the ones kept there before. The
 * tables go in a folder named by the Node, ICU and tzdata versions (and TABLE_FORMAT), so a table is
 * only ever read by a process with the same time-zone data and method that built it; a file that is
 * missing, unreadable or not a valid table of its year is built again. Without tz data versions (a
 * Node without ICU), nothing is kept.
 */
export function keepYearTablesIn(dir: string): void {
  const { node, icu, tz } = process.versions;
  tableDir = icu && tz ? join(dir, `${TABLE_FORMAT}-node${node}-icu${icu}-tz${tz}`) : undefined;
}

/** A kept table of `year`, if the file holds one: ascending starts from the year's first instant, within the year, one finite offset each. */
function readTable(file: string, year: number): YearTable | undefined {
  let table: Partial<YearTable> | null;
  try {
    table = JSON.parse(readFileSync(file, "utf8")) as Partial<YearTable> | null;
  } catch {
    return undefined;
  }
  const { starts, offsets } = table ?? {};
  if (!Array.isArray(starts) || !Array.isArray(offsets) || starts.length === 0 || starts.length !== offsets.length) return undefined;
  if (starts[0] !== Date.UTC(year, 0, 1) || !starts.every(Number.isFinite) || !offsets.every(Number.isFinite)) return undefined;
  const end = Date.UTC(year + 1, 0, 1);
  for (let i = 1; i < starts.length; i++) if (!(starts[i] > starts[i - 1] && starts[i] < end)) return undefined;
  return { starts, offsets };
}

/** Keeps a built table; a failure (a read-only or full disk) only means it is built again next time. */
function saveTable(file: string, table: YearTable): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeWhole(file, JSON.stringify(table));
  } catch {
    // Built again by the next process.
  }
}

const zones = new Map<string, TimeZone>();

/** The shared TimeZone of an IANA name (its tables are built once per process). */
export function timeZone(name: string): TimeZone {
  let z = zones.get(name);
  if (!z) {
    z = new TimeZone(name);
    zones.set(name, z);
  }
  return z;
}
