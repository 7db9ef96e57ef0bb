// Market calendars by closure class (holidays as they were each year, early closes, unscheduled closures),
// their range and name errors, and the session clock on them: it never runs an iteration outside a session
// of pandas_market_calendars' reference list.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarName, MarketCalendar } from "../ts/src/engine/calendar.js";
import { SessionClock } from "../ts/src/engine/clock.js";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";
import { timeZone } from "../ts/src/util/tz.js";
import { type ReferenceSession, referenceSessions } from "./calendar-reference.js";
import { flatSource, Recorder, run } from "./helpers/engine.js";

const MIN = 60_000;
const DAY = 86_400_000;

/** The session of a calendar whose close falls on a New York date, as "open → close" in New York time; undefined when there is none. */
function sessionOn(name: string, y: number, m: number, d: number): string | undefined {
  const day = nyToUtc(y, m, d);
  const s = new MarketCalendar(calendarName(name), day, day).sessions.find((x) => x.close > day && x.close <= nyToUtc(y, m, d + 1));
  return s && `${formatNy(s.open)} → ${formatNy(s.close)}`;
}

describe("holidays as they were each year", () => {
  it("NYSE: Martin Luther King Day from 1998, Juneteenth from 2022, Good Friday", () => {
    expect(sessionOn("NYSE", 1997, 1, 20)).toBe("1997-01-20 09:30:00-05:00 → 1997-01-20 16:00:00-05:00");
    expect(sessionOn("NYSE", 1998, 1, 19)).toBeUndefined();
    expect(sessionOn("NYSE", 2021, 6, 18)).toBeDefined();
    expect(sessionOn("NYSE", 2022, 6, 20)).toBeUndefined();
    expect(sessionOn("NASDAQ", 2024, 3, 29)).toBeUndefined();
  });

  it("us_futures keeps only New Year, Good Friday and Christmas; MLK Day is a 24 h session", () => {
    expect(sessionOn("us_futures", 2024, 1, 1)).toBeUndefined();
    expect(sessionOn("us_futures", 2024, 3, 29)).toBeUndefined();
    expect(sessionOn("us_futures", 2024, 1, 15)).toBe("2024-01-14 18:00:00-05:00 → 2024-01-15 18:00:00-05:00");
  });

  it("LSE closes for Boxing Day and the early May bank holiday, in London time", () => {
    expect(sessionOn("LSE", 2023, 12, 26)).toBeUndefined();
    expect(sessionOn("LSE", 2024, 5, 6)).toBeUndefined();
    const london = timeZone("Europe/London");
    const s = new MarketCalendar("LSE", nyToUtc(2024, 7, 1), nyToUtc(2024, 7, 1)).sessions.find((x) => x.open > nyToUtc(2024, 7, 1));
    expect(s && s.open + london.offsetMs(s.open)).toBe(Date.UTC(2024, 6, 1, 8));
  });
});

describe("early closes", () => {
  it("NYSE at 13:00 after Thanksgiving and on Christmas Eve, 14:00 in 1990", () => {
    expect(sessionOn("NYSE", 2023, 11, 24)).toBe("2023-11-24 09:30:00-05:00 → 2023-11-24 13:00:00-05:00");
    expect(sessionOn("NYSE", 2024, 12, 24)).toBe("2024-12-24 09:30:00-05:00 → 2024-12-24 13:00:00-05:00");
    expect(sessionOn("NYSE", 1990, 12, 24)).toBe("1990-12-24 09:30:00-05:00 → 1990-12-24 14:00:00-05:00");
  });

  it("CME_Equity closes at 12:00 Chicago on holidays it trades through", () => {
    expect(sessionOn("CME_Equity", 2024, 1, 15)).toBe("2024-01-14 18:00:00-05:00 → 2024-01-15 13:00:00-05:00");
    expect(sessionOn("CME_Equity", 2024, 1, 16)).toBe("2024-01-15 18:00:00-05:00 → 2024-01-16 17:00:00-05:00");
  });
});

describe("unscheduled closures", () => {
  it("NYSE: 9/11, Hurricane Sandy, days of mourning", () => {
    for (const d of [11, 12, 13, 14]) expect(sessionOn("NYSE", 2001, 9, d)).toBeUndefined();
    expect(sessionOn("NYSE", 2001, 9, 17)).toBeDefined();
    expect(sessionOn("NYSE", 2012, 10, 29)).toBeUndefined();
    expect(sessionOn("NYSE", 2012, 10, 30)).toBeUndefined();
    for (const [y, m, d] of [
      [1994, 4, 27],
      [2004, 6, 11],
      [2007, 1, 2],
      [2018, 12, 5],
      [2025, 1, 9],
    ])
      expect(sessionOn("NYSE", y, m, d), `${y}-${m}-${d}`).toBeUndefined();
  });

  it("the New York sessions before 2007 follow that year's DST rule", () => {
    expect(sessionOn("NYSE", 2006, 3, 27)).toBe("2006-03-27 09:30:00-05:00 → 2006-03-27 16:00:00-05:00");
    expect(new Date(nyToUtc(2006, 3, 27, 9, 30)).toISOString()).toBe("2006-03-27T14:30:00.000Z");
  });
});

describe("names and range", () => {
  it("refuses a window outside 1990-2030 with ERR_ARGUMENT", () => {
    const inside = nyToUtc(2000, 1, 3);
    for (const [from, to] of [
      [nyToUtc(1989, 12, 31), inside],
      [inside, nyToUtc(2031, 1, 1)],
      [Number.NaN, inside],
    ]) {
      expect(() => new MarketCalendar("NYSE", from, to)).toThrow(
        expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining("1990-01-01 to 2030-12-31") }),
      );
    }
    expect(new MarketCalendar("NYSE", nyToUtc(1990, 1, 1), nyToUtc(2030, 12, 31, 23, 59)).sessions.length).toBeGreaterThan(10_000);
  });

  it("refuses an unknown market naming the supported ones; plain CBOT is not a pandas_market_calendars name", () => {
    for (const bad of ["CBOT", "XNYS", "nyse"]) {
      expect(() => calendarName(bad)).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining("CME_Equity, CBOT_Equity") }));
    }
    expect(calendarName(" CBOT_Agriculture ")).toBe("CBOT_Agriculture");
  });

  it("classifies only 24/7 as continuous (Lumibot 4.4.16's test on 2025-01-10..20)", () => {
    const t = nyToUtc(2024, 1, 3);
    for (const name of ["NYSE", "us_futures", "CME_Equity", "CME_Rate", "LSE", "24/7"] as const) {
      expect(new MarketCalendar(name, t, t).continuous, name).toBe(name === "24/7");
    }
  });
});

describe("backtests on the generated calendars", () => {
  it("a run outside 1990-2030 stops with ERR_ARGUMENT before any hook", () => {
    const start = nyToUtc(1985, 1, 3, 9, 30),
      end = nyToUtc(1985, 1, 4, 16);
    expect(() => run(new Recorder("NYSE"), { data: flatSource("X", start - 3_600_000, end), start, end })).toThrow(
      expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining("1985-01-03 is outside the market calendars' range") }),
    );
  });

  it("an LSE run iterates London's 08:00-16:30 session in New York time", () => {
    // Jan 3 entered mid-session at 09:30 NY (14:30 London): 09:30 ... 11:28 = 119 ticks; Jan 4 03:00 ... 11:28 = 509.
    const start = nyToUtc(2024, 1, 3, 9, 30),
      end = nyToUtc(2024, 1, 4, 16);
    const r = new Recorder("LSE");
    expect(run(r, { data: flatSource("X", start - 3_600_000, end), start, end }).iterations).toBe(119 + 509);
    expect(r.calls.find((c) => c[0] === "beforeStartingTrading" && c[1] > start)?.[1]).toBe(nyToUtc(2024, 1, 4, 3));
  });
});

describe("the session clock on the generated calendars", () => {
  /** The reference session holding t, if any (sessions sorted by open). */
  function holding(ref: ReferenceSession[], t: number): ReferenceSession | undefined {
    let lo = 0,
      hi = ref.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ref[mid].open <= t) lo = mid;
      else hi = mid - 1;
    }
    return ref[lo].open <= t && t < ref[lo].close ? ref[lo] : undefined;
  }

  it("never runs an iteration outside a reference session, and records closed ticks as not run", () => {
    const markets = ["NYSE", "us_futures", "CME_Equity", "CME_Agriculture", "CME_Rate", "CFE", "LSE", "TSX"] as const;
    const refs = new Map(markets.map((m) => [m, referenceSessions(m)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...markets),
        fc.integer({ min: 0, max: Math.floor((nyToUtc(2030, 12, 20) - nyToUtc(1990, 1, 1)) / DAY) }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(30_000, MIN, 5 * MIN, 15 * MIN, 60 * MIN),
        fc.constantFrom(MIN, 5 * MIN),
        (market, day, minute, days, step, mbc) => {
          const startMs = nyToUtc(1990, 1, 1 + day, 0, minute);
          const endMs = startMs + days * DAY;
          const clock = new SessionClock(new MarketCalendar(market, startMs, endMs), {
            startMs,
            endMs,
            stepMs: step,
            beforeCloseMs: mbc,
            beforeOpenMs: 60 * MIN,
          });
          const ref = refs.get(market) ?? [];
          let ran = 0;
          for (const e of clock.events()) {
            if (e.kind !== "call" || e.hook !== "onTradingIteration") continue;
            expect(holding(ref, e.t) !== undefined, `${market} ${formatNy(e.t)} run=${e.run}`).toBe(e.run);
            if (e.run) ran++;
          }
          // Five days or more always hold some session time (no calendar closes that long).
          if (days >= 5) expect(ran).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
