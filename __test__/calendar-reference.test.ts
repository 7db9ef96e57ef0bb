// Every session of every calendar, read through the public MarketCalendar, against the full session list
// pandas_market_calendars 5.5.0 gave the generator (1990-01-01 to 2030-12-31): days, opens and closes.

import { describe, expect, it } from "vitest";
import { CALENDAR_NAMES, type CalendarName, MarketCalendar } from "../ts/src/engine/calendar.js";
import { CALENDAR_TABLES } from "../ts/src/engine/calendar-data.js";
import { nyToUtc } from "../ts/src/util/nytime.js";
import { REFERENCE_CALENDARS, REFERENCE_VERSIONS, referenceSessions } from "./calendar-reference.js";

const FROM = nyToUtc(1990, 1, 1);
const TO = nyToUtc(2031, 1, 1) - 1;

/** Sessions of the covered years missing from, or extra in, the calendar (as "open/close" in ISO). */
function differences(name: CalendarName, reference: string) {
  const ref = referenceSessions(reference).filter((s) => s.date >= "1990-01-01" && s.date <= "2030-12-31");
  const cal = new MarketCalendar(name, FROM, TO).sessions.filter((s) => s.close >= ref[0].close && s.close <= ref[ref.length - 1].close);
  const key = (s: { open: number; close: number }) => `${new Date(s.open).toISOString()}/${new Date(s.close).toISOString()}`;
  const want = new Set(ref.map(key));
  const got = new Set(cal.map(key));
  return {
    sessions: ref.length,
    missing: [...want].filter((k) => !got.has(k)),
    extra: [...got].filter((k) => !want.has(k)),
  };
}

describe("calendars equal pandas_market_calendars 5.5.0 for every session 1990-2030", () => {
  it("the reference is the pinned version's", () => {
    expect(REFERENCE_VERSIONS.pandas_market_calendars).toBe("5.5.0");
    expect(REFERENCE_CALENDARS.sort()).toEqual(Object.keys(CALENDAR_TABLES.calendars).sort());
  });

  it("serves exactly the generated calendars and the aliases the generator kept", () => {
    const served = [...Object.keys(CALENDAR_TABLES.calendars), ...Object.keys(CALENDAR_TABLES.aliases)].sort();
    expect([...CALENDAR_NAMES].sort()).toEqual(served);
  });

  for (const name of CALENDAR_NAMES) {
    const reference = CALENDAR_TABLES.aliases[name] ?? name;
    it(`${name}${reference === name ? "" : ` (= ${reference})`}`, () => {
      const d = differences(name, reference);
      expect(d.sessions).toBeGreaterThan(10_000);
      expect(d.missing.slice(0, 5)).toEqual([]);
      expect(d.extra.slice(0, 5)).toEqual([]);
      expect([d.missing.length, d.extra.length]).toEqual([0, 0]);
    });
  }
});
