// UTC offsets of any IANA time zone from the database Node ships (Intl.DateTimeFormat), found once per
// year by bisection and kept as a sorted transition table, so lookups are O(1) on a run of nearby times
// and O(log n) otherwise, with no Intl call once a year is known.

const SECOND = 1000;
const DAY = 86_400_000;
/**
 * Offsets are sampled this far apart. Two changes within one step would be found as one or none; the
 * calendars' zones (New York, Chicago, Toronto, London) never had that, and __test__/time.test.ts checks
 * them against Intl's own offset names 1970-2037.
 */
const SAMPLE = 7 * DAY;

/** The offsets of one zone over one UTC calendar year: `offsets[i]` holds from `starts[i]`. */
interface YearTable {
  readonly starts: number[];
  readonly offsets: number[];
}

/** A time zone's offsets from the IANA database. */
export class TimeZone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly years = new Map<number, YearTable>();
  /** The segment last looked up: offset `segOffset` holds on [segFrom, segTo). */
  private segFrom = Number.POSITIVE_INFINITY;
  private segTo = Number.NEGATIVE_INFINITY;
  private segOffset = 0;

  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

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
      table = this.buildYear(year);
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
