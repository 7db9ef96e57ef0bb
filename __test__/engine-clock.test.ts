// The session clock (spec §3): iteration counts and the hook timeline.

import { describe, expect, it } from "vitest";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";
import { flatSource, Recorder, run } from "./helpers/engine.js";

const data = flatSource("MESH4", nyToUtc(2023, 12, 28), nyToUtc(2024, 1, 10));
const window = { data, start: "2024-01-03T09:30", end: "2024-01-05T16:00" };

describe("clock (us_futures)", () => {
  it("gives 3,268 iterations at 1M on the benchmark window (§3.6)", () => {
    const s = new Recorder("us_futures");
    const r = run(s, window);
    expect(r.iterations).toBe(3_268);
    const day = (d: number) => s.calls.filter(([n, t]) => n === "iteration" && formatNy(t).startsWith(`2024-01-0${d}`)).length;
    // Jan 3 09:30..17:58 = 509 (+ 18:00..23:59 of the Jan 4 session = 360)
    expect(s.calls.find((c) => c[0] === "iteration")![1]).toBe(nyToUtc(2024, 1, 3, 9, 30));
    expect(day(3)).toBe(509 + 360);
    expect(s.calls.filter((c) => c[0] === "iteration").at(-1)![1]).toBe(nyToUtc(2024, 1, 5, 15, 59));
    // Stats rows: iterations + 3 before_starting_trading + 3 before_market_closes + 3 after_market_closes.
    expect(r.rows.length).toBe(3_277);
  });

  it("follows the hook timeline of §3.4 and §3.5", () => {
    const s = new Recorder("us_futures");
    run(s, window);
    const hooks = s.calls.filter((c) => c[0] !== "iteration").map(([n, t]) => `${n} ${formatNy(t)}`);
    expect(hooks).toEqual([
      "beforeStartingTrading 2024-01-03 09:30:00-05:00",
      "beforeMarketCloses 2024-01-03 17:59:01-05:00",
      "afterMarketCloses 2024-01-03 18:00:00-05:00",
      "beforeStartingTrading 2024-01-03 18:00:00-05:00",
      "beforeMarketCloses 2024-01-04 17:59:01-05:00",
      "afterMarketCloses 2024-01-04 18:00:00-05:00",
      "beforeStartingTrading 2024-01-04 18:00:00-05:00",
      "beforeMarketCloses 2024-01-05 17:59:00-05:00",
      "afterMarketCloses 2024-01-05 18:00:00-05:00",
    ]);
  });

  it("gives 654 ticks at 5M, 31 at 1H (with the session skip) and 2 at 1D (§3.7)", () => {
    expect(run(new Recorder("us_futures", "5M"), window).iterations).toBe(654);
    const hourly = new Recorder("us_futures", "1H");
    expect(run(hourly, window).iterations).toBe(31);
    expect(
      hourly.calls
        .filter((c) => c[0] === "iteration")
        .map((c) => formatNy(c[1]))
        .slice(8, 10),
    ).toEqual(["2024-01-03 17:30:00-05:00", "2024-01-04 18:00:00-05:00"]);
    const daily = new Recorder("us_futures", "1D");
    expect(run(daily, window).iterations).toBe(2);
    expect(daily.calls.filter((c) => c[0] === "iteration").map((c) => formatNy(c[1]))).toEqual(["2024-01-03 09:30:00-05:00", "2024-01-04 18:00:00-05:00"]);
  });

  it("gives 3,260 iterations with minutesBeforeClosing = 5", () => {
    expect(run(new Recorder("us_futures"), { ...window, minutesBeforeClosing: 5 }).iterations).toBe(3_260);
  });
});

describe("clock (stock, 24/7)", () => {
  it("runs 389 iterations a full NYSE day with the 08:30 / 09:30 / 15:59:01 / 16:00 hooks", () => {
    const s = new Recorder("NYSE");
    const r = run(s, { data: flatSource("SPY", nyToUtc(2024, 1, 1), nyToUtc(2024, 1, 12)), start: "2024-01-03T09:30", end: "2024-01-05T16:00" });
    expect(r.iterations).toBe(3 * 389);
    const hooks = s.calls
      .filter((c) => c[0] !== "iteration")
      .slice(0, 5)
      .map(([n, t]) => `${n} ${formatNy(t)}`);
    expect(hooks).toEqual([
      "beforeStartingTrading 2024-01-03 09:30:00-05:00",
      "beforeMarketCloses 2024-01-03 15:59:01-05:00",
      "afterMarketCloses 2024-01-03 16:00:00-05:00",
      "beforeMarketOpens 2024-01-04 08:30:00-05:00",
      "beforeStartingTrading 2024-01-04 09:30:00-05:00",
    ]);
  });

  it("skips NYSE holidays and early closes at 13:00", () => {
    const s = new Recorder("NYSE");
    // 2024-07-03 closes 13:00, 2024-07-04 is closed.
    const r = run(s, { data: flatSource("SPY", nyToUtc(2024, 7, 1), nyToUtc(2024, 7, 8)), start: "2024-07-03T09:30", end: "2024-07-05T16:00" });
    expect(r.iterations).toBe(209 + 389);
  });

  it("runs a continuous 24/7 loop with no session breaks", () => {
    const r = run(new Recorder("24/7"), {
      data: flatSource("BTC", nyToUtc(2024, 1, 1), nyToUtc(2024, 1, 5)),
      start: "2024-01-02T00:00",
      end: "2024-01-03T00:00",
    });
    expect(r.iterations).toBe(1_440);
  });

  it("rejects start >= end and unknown calendars", () => {
    const data = flatSource("SPY", nyToUtc(2024, 1, 1), nyToUtc(2024, 1, 2));
    expect(() => run(new Recorder("NYSE"), { data, start: "2024-01-05", end: "2024-01-05" })).toThrowError(expect.objectContaining({ code: "ERR_ARGUMENT" }));
    expect(() => run(new Recorder("MOON"), { data, start: "2024-01-02", end: "2024-01-03" })).toThrowError(/unknown calendar 'MOON'/);
  });
});

describe("windows outside the data", () => {
  it("fail with ERR_NO_DATA naming the window and the data's span", () => {
    const data = flatSource("MESH4", nyToUtc(2024, 1, 2), nyToUtc(2024, 1, 4));
    for (const [start, end] of [
      ["2024-03-01", "2024-03-05"],
      ["2023-06-01", "2023-06-05"],
    ]) {
      expect(() => run(new Recorder("us_futures"), { data, start, end })).toThrowError(
        expect.objectContaining({ code: "ERR_NO_DATA", message: expect.stringMatching(/outside the data \(bars from 2024-01-02 00:00:00-05:00/) }),
      );
    }
  });
});
