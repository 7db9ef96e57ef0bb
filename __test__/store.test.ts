// The native store through the facade, checked against an independent hyparquet read.

import { beforeAll, describe, expect, it } from "vitest";
import { BarStore, type FerrobtError } from "../ts/src/index.js";
import { type JsRow, readIndependently, requireShared, rng, SHARED_MES, samplePath } from "./helpers/fixtures.js";

const MIN = 60_000;
const JAN3_0930 = Date.UTC(2024, 0, 3, 14, 30);

let store: BarStore;
let truth: Map<string, JsRow[]>;

beforeAll(async () => {
  store = await BarStore.openParquet(samplePath());
  truth = await readIndependently(samplePath());
});

describe("BarStore", () => {
  it("holds every symbol and row of the file", () => {
    expect(store.symbols()).toEqual([...truth.keys()].sort());
    for (const [symbol, rows] of truth) expect(store.size(symbol)).toBe(rows.length);
    expect(store.report.rowsRead).toBe([...truth.values()].reduce((n, r) => n + r.length, 0));
  });

  it("returns windows identical to a naive scan of the independent read (2,000 random queries)", () => {
    const next = rng(7);
    for (const [symbol, rows] of truth) {
      const first = Number(rows[0].ts / 1_000_000n),
        last = Number(rows[rows.length - 1].ts / 1_000_000n);
      for (let q = 0; q < 1_000; q++) {
        const end = Math.round(first - 10 * MIN + next() * (last - first + 20 * MIN));
        const length = Math.floor(next() * 300);
        const w = store.window(symbol, { end, length });
        const expected = rows.filter((r) => Number(r.ts / 1_000_000n) < end).slice(-length || rows.length);
        const want = length === 0 ? [] : expected;
        expect(w.length).toBe(want.length);
        if (want.length === 0) continue;
        expect(w.timestamps[0]).toBe(want[0].ts);
        expect(w.timestamps[w.length - 1]).toBe(want[want.length - 1].ts);
        expect(Array.from(w.close)).toEqual(want.map((r) => r.close));
        expect(Array.from(w.high)).toEqual(want.map((r) => r.high));
        expect(Array.from(w.volume)).toEqual(want.map((r) => r.volume));
      }
    }
  });

  it("handles the edges: before the first bar, exactly on a bar, after the last, gaps, length 0", () => {
    const rows = truth.get("MESH4")!;
    const firstMs = Number(rows[0].ts / 1_000_000n);
    expect(store.window("MESH4", { end: firstMs, length: 10 }).length).toBe(0);
    expect(store.lastBar("MESH4", { atOrBefore: firstMs - 1 })).toBeUndefined();
    const on = store.window("MESH4", { end: JAN3_0930, length: 3 });
    expect(Array.from(on.timesMs)).toEqual([JAN3_0930 - 3 * MIN, JAN3_0930 - 2 * MIN, JAN3_0930 - MIN]);
    expect(store.lastBar("MESH4", { atOrBefore: JAN3_0930 })!.timeMs).toBe(JAN3_0930);
    expect(store.window("MESH4", { end: JAN3_0930, length: 0 }).length).toBe(0);
    const after = store.window("MESH4", { end: 8.64e15, length: 2 });
    expect(after.timestamps[1]).toBe(rows[rows.length - 1].ts);
    // The 17:00–18:00 halt is a real gap: at 18:00 the newest bar is 16:59.
    const halt = store.window("MESH4", { end: JAN3_0930 + 510 * MIN, length: 1 });
    expect(halt.timesMs[0]).toBe(JAN3_0930 + 449 * MIN);
    // BigInt ns and Date inputs agree with ms.
    expect(store.window("MESH4", { end: BigInt(JAN3_0930) * 1_000_000n, length: 5 }).start).toBe(on.end - 5);
    expect(store.window("MESH4", { end: new Date(JAN3_0930), length: 5 }).end).toBe(on.end);
    const between = store.between("MESH4", { start: JAN3_0930, end: JAN3_0930 + 10 * MIN });
    expect(between.length).toBe(10);
    expect(between.at(-1)!.timeMs).toBe(JAN3_0930 + 9 * MIN);
  });

  it("rejects bad arguments and unknown symbols with typed errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as FerrobtError).code;
      }
      return "no error";
    };
    expect(code(() => store.window("NOPE", { end: JAN3_0930, length: 1 }))).toBe("ERR_UNKNOWN_SYMBOL");
    expect(code(() => store.window("MESH4", { end: JAN3_0930, length: -1 }))).toBe("ERR_ARGUMENT");
    expect(code(() => store.window("MESH4", { end: NaN, length: 1 }))).toBe("ERR_ARGUMENT");
    expect(code(() => store.window("MESH4", { end: JAN3_0930, length: 1.5 }))).toBe("ERR_ARGUMENT");
    expect(code(() => store.resample("MESH4", "7 fortnights"))).toBe("ERR_TIMEFRAME");
    expect(code(() => store.resample("MESH4", "7m"))).toBe("ERR_TIMEFRAME");
  });

  it("resamples with polars: first/max/min/last/sum per left-labelled bin, cached per timeframe", () => {
    const minute = store.between("MESH4", { start: 0, end: 8.64e15 });
    for (const [tf, width] of [
      ["5m", 5],
      ["1h", 60],
      ["1d", 1440],
    ] as const) {
      const rs = store.resample("MESH4", tf);
      expect(store.resample("MESH4", tf)).toBe(rs);
      const bars = rs.between("MESH4", { start: 0, end: 8.64e15 });
      expect(bars.volume.reduce((a, b) => a + b, 0)).toBe(minute.volume.reduce((a, b) => a + b, 0));
      for (let i = 0; i < bars.length; i += Math.max(1, Math.floor(bars.length / 50))) {
        const start = bars.timesMs[i];
        const inside = store.between("MESH4", { start, end: start + width * MIN });
        expect(bars.open[i]).toBe(inside.open[0]);
        expect(bars.close[i]).toBe(inside.close[inside.length - 1]);
        expect(bars.high[i]).toBe(Math.max(...inside.high));
        expect(bars.low[i]).toBe(Math.min(...inside.low));
      }
    }
    // Day bars open at 18:00 New York, the CME trading-day start.
    const days = store.resample("MESH4", "1d").between("MESH4", { start: 0, end: 8.64e15 });
    expect(new Date(days.timesMs[1]).getUTCHours()).toBe(23);
  });

  it("keeps views valid after dispose and a full GC of the store, and refuses calls on a disposed store", async () => {
    const gc = globalThis.gc;
    expect(gc, "vitest.config.ts starts the test processes with --expose-gc").toBeTypeOf("function");
    let s: BarStore | undefined = await BarStore.openParquet(samplePath());
    const close = s.window("MESH4", { end: JAN3_0930, length: 200 }).close;
    const copy = Array.from(close);
    s.dispose();
    s.dispose();
    expect(s.disposed).toBe(true);
    expect(() => s!.window("MESH4", { end: JAN3_0930, length: 1 })).toThrowError(expect.objectContaining({ code: "ERR_DISPOSED" }));
    const collected = new WeakRef(s);
    s = undefined;
    // A WeakRef holds its target until the current job ends; N-API finalizers run on a later turn.
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc!();
    }
    expect(collected.deref(), "the store object was garbage-collected").toBeUndefined();
    expect(Array.from(close)).toEqual(copy);
  });

  it("reads Lumibot's reference file: 24,479 MESH4 bars", async ({ skip }) => {
    requireShared(skip);
    const s = await BarStore.openParquet(SHARED_MES);
    expect(s.symbols()).toEqual(["MESH4"]);
    expect(s.size("MESH4")).toBe(24_479);
    s.dispose();
  });

  it("pushes a [start, end) time filter into the scan and reads globs", async () => {
    const s = await BarStore.openParquet(samplePath(), { start: JAN3_0930, end: JAN3_0930 + 60 * MIN });
    expect(s.size("MESH4")).toBe(60);
    s.dispose();
    // A bigint bound is exact to the ns: one ns past the 09:30 bar excludes it.
    const ns = await BarStore.openParquet(samplePath(), { start: BigInt(JAN3_0930) * 1_000_000n + 1n, end: JAN3_0930 + 60 * MIN });
    expect(ns.size("MESH4")).toBe(59);
    ns.dispose();
    const glob = await BarStore.openParquet(samplePath().replace(/sample\.parquet$/, "*.parquet"));
    expect(glob.report.files.length).toBe(1);
    glob.dispose();
  });
});
