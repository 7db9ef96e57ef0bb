// New York time from the IANA database: offsets against Intl's own offset names (an independent path),
// the US rule since 2007 unchanged, nyToUtc(nyParts(t)) = t across every DST change 1970-2037, gaps and
// folds, and the other zones the calendars use.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNy, nyOffsetMs, nyParts, nyToUtc, parseNyTime } from "../ts/src/util/nytime.js";
import { timeZone } from "../ts/src/util/tz.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = Date.UTC(1970, 0, 1);
const TO = Date.UTC(2038, 0, 1);

/** Offset from Intl's "GMT-05:00" name: another formatter path than util/tz.ts's wall-clock fields. */
const oracles = new Map<string, Intl.DateTimeFormat>();
function oracleOffset(zone: string, t: number): number {
  let f = oracles.get(zone);
  if (!f) oracles.set(zone, (f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })));
  const name = f.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name);
  if (!m) throw new Error(`offset name ${name}`);
  return m[1] ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * 60_000) : 0;
}

/** Every offset change of New York 1970-2037, by a daily scan and bisection on Intl's names. */
function transitions(zone: string): number[] {
  const out: number[] = [];
  let prev = oracleOffset(zone, FROM);
  for (let t = FROM + DAY; t < TO; t += DAY) {
    const o = oracleOffset(zone, t);
    if (o === prev) continue;
    let lo = t - DAY,
      hi = t;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (oracleOffset(zone, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    prev = o;
  }
  return out;
}

const NY_CHANGES = transitions("America/New_York");
/** A whole-second instant within 3 h of a New York DST change, or anywhere in 1970-2037. */
const instant = fc.oneof(
  fc.tuple(fc.constantFrom(...NY_CHANGES), fc.integer({ min: -3 * 3600, max: 3 * 3600 })).map(([c, s]) => c + s * 1000),
  fc.integer({ min: FROM / 1000, max: TO / 1000 - 1 }).map((s) => s * 1000),
);

describe("New York offsets from the IANA database", () => {
  it("finds two DST changes a year 1970-2037 (1974's January start included)", () => {
    expect(NY_CHANGES.length).toBe(68 * 2);
    expect(formatNy(NY_CHANGES.find((t) => t > Date.UTC(1974, 0, 1)) ?? 0)).toBe("1974-01-06 03:00:00-04:00");
  });

  it("nyOffsetMs equals Intl's offset at any instant, right at every change included", () => {
    fc.assert(
      fc.property(instant, (t) => nyOffsetMs(t) === oracleOffset("America/New_York", t)),
      { numRuns: 5000 },
    );
    for (const c of NY_CHANGES) {
      expect(nyOffsetMs(c - 1)).toBe(oracleOffset("America/New_York", c - 1000));
      expect(nyOffsetMs(c)).toBe(oracleOffset("America/New_York", c));
    }
  });

  it("keeps the US rule in force since 2007 (second Sunday of March 07:00 UTC to first Sunday of November 06:00 UTC)", () => {
    const sunday = (y: number, m: number, n: number, hourUtc: number) => {
      const first = Date.UTC(y, m - 1, 1);
      return first + (((7 - new Date(first).getUTCDay()) % 7) + 7 * (n - 1)) * DAY + hourUtc * HOUR;
    };
    const rule = (t: number) => {
      const y = new Date(t).getUTCFullYear();
      return t >= sunday(y, 3, 2, 7) && t < sunday(y, 11, 1, 6) ? -4 * HOUR : -5 * HOUR;
    };
    const after2007 = fc.integer({ min: Date.UTC(2007, 0, 1) / 1000, max: TO / 1000 - 1 }).map((s) => s * 1000);
    fc.assert(
      fc.property(
        fc.oneof(
          after2007,
          instant.filter((t) => t >= Date.UTC(2007, 0, 1)),
        ),
        (t) => nyOffsetMs(t) === rule(t),
      ),
      { numRuns: 5000 },
    );
  });

  it("nyToUtc(nyParts(t)) = t, except the second pass of a fold, which reads as its first", () => {
    fc.assert(
      fc.property(instant, (t) => {
        const p = nyParts(t);
        const u = nyToUtc(p.year, p.month, p.day, p.hour, p.minute, p.second);
        expect(nyParts(u)).toEqual(p);
        if (u !== t) {
          // t is in the repeated hour after a fall-back change; u is the same wall time one hour earlier.
          expect(u).toBe(t - HOUR);
          expect(nyOffsetMs(u)).toBe(nyOffsetMs(t) + HOUR);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("reads a wall time in a spring-forward gap with the offset before it, and a fold's wall time as its first instant", () => {
    expect(formatNy(nyToUtc(1990, 4, 1, 2, 30))).toBe("1990-04-01 03:30:00-04:00");
    expect(formatNy(nyToUtc(2024, 3, 10, 2, 30))).toBe("2024-03-10 03:30:00-04:00");
    expect(formatNy(nyToUtc(1999, 10, 31, 1, 30))).toBe("1999-10-31 01:30:00-04:00");
    expect(formatNy(nyToUtc(2024, 11, 3, 1, 30))).toBe("2024-11-03 01:30:00-04:00");
  });

  it("gives pre-2007 dates their own rule: the NYSE open of 2006-03-27 is 09:30 EST, a week later 09:30 EDT", () => {
    expect(new Date(nyToUtc(2006, 3, 27, 9, 30)).toISOString()).toBe("2006-03-27T14:30:00.000Z");
    expect(new Date(nyToUtc(2006, 4, 3, 9, 30)).toISOString()).toBe("2006-04-03T13:30:00.000Z");
    expect(parseNyTime("2006-03-27T09:30")).toBe(Date.UTC(2006, 2, 27, 14, 30));
    expect(formatNy(Date.UTC(1880, 0, 1))).toBe("1879-12-31 19:03:58-04:56");
  });

  it("other calendar zones (London, Chicago, Toronto) equal Intl's offsets too", () => {
    for (const zone of ["Europe/London", "America/Chicago", "America/Toronto"]) {
      const z = timeZone(zone);
      const near = transitions(zone);
      expect(near.length).toBeGreaterThan(100);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.tuple(fc.constantFrom(...near), fc.integer({ min: -7200, max: 7200 })).map(([c, s]) => c + s * 1000),
            fc.integer({ min: FROM / 1000, max: TO / 1000 - 1 }).map((s) => s * 1000),
          ),
          (t) => z.offsetMs(t) === oracleOffset(zone, t),
        ),
        { numRuns: 2000 },
      );
    }
  });
});
