// The bucket table behind the store's and the catalog's time searches: every count, window and last
// bar it answers equals a naive scan, on seeded random bars (gaps, an outlier decades early, times in
// fractional ms) and on the generated year the benches query; it is built only once searches earn it.

import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { clocks, SYMBOL, yearFile } from "../bench/fixtures.js";
import { BarStore, type Catalog } from "../ts/src/index.js";
import { BucketedTimes } from "../ts/src/store/bucketedTimes.js";
import type { SymbolHandle } from "../ts/src/store/queries.js";
import { countBelow } from "../ts/src/store/search.js";
import { rng, tempDir, thrown } from "./helpers/fixtures.js";

const MIN_NS = 60_000_000_000n;
const ROWS = 1_200;

/** The handle a store or catalog searches (its protected lookup). */
const handleIn = (source: BarStore | Catalog, symbol: string): SymbolHandle => (source as unknown as { handle(s: string): SymbolHandle }).handle(symbol);

/** A query in ms as ns, the way the binding converts it (whole ms exact, the fraction rounded to the ns). */
function nsOf(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Rows of `ns` below q (<= q when `inclusive`), by looking at every row. */
const naiveCount = (ns: readonly bigint[], q: bigint, inclusive: boolean) => ns.filter((t) => t < q || (inclusive && t === q)).length;

/** Seeded ascending, duplicate-free ns times: minute steps, odd ms steps, session and multi-day gaps. */
function randomTimes(seed: number, kind: "gaps" | "outlier" | "fractional"): bigint[] {
  const next = rng(seed);
  let t = BigInt(Date.UTC(2023, 5, 1)) * 1_000_000n;
  const out: bigint[] = [];
  for (let i = 0; i < ROWS; i++) {
    const r = next();
    if (r < 0.7) t += MIN_NS;
    else if (r < 0.8) t += 1_000_000n;
    else if (r < 0.9) t += BigInt(1 + Math.floor(next() * 999)) * 1_000_000n;
    else if (r < 0.97) t += BigInt(1 + Math.floor(next() * 120)) * MIN_NS;
    else t += BigInt(1 + Math.floor(next() * 4)) * 1_440n * MIN_NS;
    // Times that are not whole ms (searched in ns, not through the table).
    out.push(kind === "fractional" ? t + BigInt(1 + Math.floor(next() * 999_999)) : t);
  }
  // One bar decades before the rest: every other row falls in the last few buckets.
  if (kind === "outlier") out[0] = BigInt(Date.UTC(1990, 0, 1)) * 1_000_000n;
  return out;
}

/** Queries around every bar and beyond the ends: ms (whole, fractional, rounding to a neighbouring ns) and ns. */
function queriesAround(ns: readonly bigint[]): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  for (const t of [ns[0] - 10n * MIN_NS, ...ns, ns[ns.length - 1] + 10n * MIN_NS]) {
    const ms = Number(t / 1_000_000n) + Number(t % 1_000_000n) / 1e6;
    out.push(t, t - 1n, t + 1n, ms, ms - 1, ms + 1, ms - 0.5, ms + 0.25, ms + 4e-7, ms + 0.9999996, ms - 0.0000006);
  }
  out.push(-9.2e15, 9.2e15, -(2n ** 63n), 2n ** 63n - 1n);
  return out;
}

/** A file of one symbol's bars at `ns`, named for a one-file-per-symbol catalog. */
function writeSymbol(dir: string, symbol: string, ns: readonly bigint[]): string {
  const prices = ns.map((_, i) => 4_000 + (i % 37) * 0.25);
  const path = join(dir, `${symbol}.parquet`);
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: "ts_event", data: [...ns], type: "INT64" },
      { name: "open", data: prices, type: "DOUBLE" },
      { name: "high", data: prices.map((p) => p + 1), type: "DOUBLE" },
      { name: "low", data: prices.map((p) => p - 1), type: "DOUBLE" },
      { name: "close", data: prices.map((p) => p + 0.5), type: "DOUBLE" },
      { name: "volume", data: ns.map((_, i) => BigInt(i)), type: "INT64" },
      { name: "symbol", data: ns.map(() => symbol), type: "STRING" },
    ],
  } as unknown as Parameters<typeof parquetWriteFile>[0]);
  return path;
}

describe("BucketedTimes", () => {
  it("counts exactly as a scan of every row, before and after its table is built, on seeded ascending times", () => {
    const next = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(next() * 400);
      const times = new Float64Array(n);
      // Half the trials whole ms at today's epoch magnitudes, half fractional ms (steps from 1e-4 ms to days).
      const whole = trial % 2 === 0;
      let t = whole ? Date.UTC(2023, 0, 1) + Math.floor(next() * 1e10) : (next() - 0.5) * 1e9;
      for (let i = 0; i < n; i++) {
        t += whole ? Math.ceil(next() * 10 ** Math.floor(next() * 9)) : (0.1 + next()) * 10 ** Math.floor(next() * 12 - 3);
        times[i] = t;
      }
      expect(times.every((v, i) => i === 0 || v > times[i - 1])).toBe(true);
      const queries = [...times].flatMap((x) => [x, x - 1, x + 1, x - 1e-3, x + 1e-3, x + 0.5, x - 0.5]);
      queries.push(times[0] - 1e9, times[n - 1] + 1e9, -9.2e15, 9.2e15, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN);
      const wants = queries.map((x) => [false, true].map((inclusive) => times.filter((v) => v < x || (inclusive && v === x)).length));
      const bucketed = new BucketedTimes(times);
      // Twice: the first pass earns the table partway (plain searches until then), the second goes through it.
      for (const pass of ["first", "second"]) {
        queries.forEach((x, i) => {
          for (const inclusive of [false, true]) {
            const want = wants[i][inclusive ? 1 : 0];
            if (bucketed.countBelow(x, inclusive) !== want) throw new Error(`${pass} pass, trial ${trial}, n ${n}: x ${x} inclusive ${inclusive}`);
          }
        });
        // Each pass makes 2·(7n + 9) searches, more than the n/32 that earn the table (one row cannot be bucketed).
        expect(bucketed.tableBytes > 0).toBe(n > 1);
      }
    }
  });

  it("holds about one byte per row: a table of 4-byte entries, four rows per bucket over the time span", () => {
    const times = Float64Array.from({ length: 100_000 }, (_, i) => 1.7e12 + i * 60_000);
    const bucketed = new BucketedTimes(times);
    for (let i = 0; i < 100_000 / 32; i++) bucketed.countBelow(times[i], false);
    // 25,001 buckets (the last holds the last row alone) and the row count after them.
    expect(bucketed.tableBytes).toBe(4 * 25_002);
  });
});

describe("store and catalog searches against a naive scan (seeded random bars)", () => {
  const data = {
    GAPS: randomTimes(11, "gaps"),
    OUTLIER: randomTimes(12, "outlier"),
    FRACT: randomTimes(13, "fractional"),
  };
  let store: BarStore;
  let catalog: Catalog;
  beforeAll(() => {
    const dir = tempDir("ferrobt-index-");
    for (const [symbol, ns] of Object.entries(data)) writeSymbol(dir, symbol, ns);
    store = BarStore.openParquetSync(join(dir, "*.parquet"));
    catalog = BarStore.openCatalogSync(dir);
  });

  it.each(Object.keys(data))("%s: counts, windows and last bars equal the scan at, around and beyond every bar", (symbol) => {
    const ns = data[symbol as keyof typeof data];
    expect(Array.from(store.columns(symbol).timestamps)).toEqual(ns);
    const queries = queriesAround(ns);
    expect(queries.length).toBe(11 * (ROWS + 2) + 4);
    const wants = queries.map((q) => {
      const qNs = typeof q === "bigint" ? q : nsOf(q);
      return [naiveCount(ns, qNs, false), naiveCount(ns, qNs, true)];
    });
    for (const source of [store, catalog]) {
      // Twice: the first pass earns the table partway, the second is answered through it throughout.
      for (let pass = 0; pass < 2; pass++) {
        queries.forEach((q, i) => {
          const [before, atOrBefore] = wants[i];
          const got = [source.countBefore(symbol, q), source.countAtOrBefore(symbol, q)];
          if (got[0] !== before || got[1] !== atOrBefore) {
            throw new Error(`${source.name} ${symbol} pass ${pass} query ${q}: ${got} vs ${before},${atOrBefore}`);
          }
          const w = source.window(symbol, { end: q, length: 7 });
          expect([w.start, w.end]).toEqual([Math.max(0, before - 7), before]);
          expect(source.lastBar(symbol, { atOrBefore: q })?.timestamp).toBe(atOrBefore === 0 ? undefined : ns[atOrBefore - 1]);
        });
      }
      const h = handleIn(source, symbol);
      // Whole-ms bars are searched through the table once earned; bars in fractional ms are searched in ns.
      expect(h.wholeMs).toBe(symbol !== "FRACT");
      expect(h.msSearch.tableBytes > 0).toBe(symbol !== "FRACT");
    }
  });

  it("rejects the same out-of-range and non-finite times as before, with the table built", () => {
    expect(handleIn(store, "GAPS").msSearch.tableBytes).toBeGreaterThan(0);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 9.3e15, -9.3e15, 2n ** 63n, -(2n ** 63n) - 1n]) {
      expect(thrown(() => store.countBefore("GAPS", bad)).code).toBe("ERR_ARGUMENT");
      expect(thrown(() => store.countAtOrBefore("GAPS", bad)).code).toBe("ERR_ARGUMENT");
      expect(thrown(() => catalog.window("GAPS", { end: bad, length: 3 })).code).toBe("ERR_ARGUMENT");
    }
    expect(thrown(() => store.window("GAPS", { end: 0, length: -1 })).code).toBe("ERR_ARGUMENT");
    expect(thrown(() => store.lastBar("GAPS", { atOrBefore: new Date(Number.NaN) })).code).toBe("ERR_ARGUMENT");
    expect(store.countBefore("GAPS", new Date(Number(data.GAPS[5] / 1_000_000n)))).toBe(5);
  });
});

describe("the generated year (bench/.cache/MES-1y.parquet)", () => {
  let store: BarStore;
  beforeAll(() => {
    store = BarStore.openParquetSync(yearFile());
  });

  it("builds no table until searches earn it: 1/32 of a symbol's rows", () => {
    const h = handleIn(store, SYMBOL);
    const n = store.size(SYMBOL);
    expect(n).toBe(93_337);
    const t = store.columns(SYMBOL).timesMs;
    for (let i = 1; i < n / 32; i++) store.countBefore(SYMBOL, t[i]);
    expect(h.msSearch.tableBytes).toBe(0);
    store.countBefore(SYMBOL, t[0]);
    expect(h.msSearch.tableBytes).toBe(93_344);
  });

  it("answers every bar's counts as a sweep over the ns times does, and costs about a byte per bar", () => {
    const rows: Record<string, number> = {},
      tableBytes: Record<string, number> = {};
    // Offsets in ms from each bar: before, on, fractions that round to the same ns or the next ms, after.
    const offsets = [-1, -0.5, -0.0000004, 0, 0.0000004, 0.25, 0.9999996, 1];
    for (const symbol of store.symbols()) {
      const { timestamps, timesMs } = store.columns(symbol);
      const n = timesMs.length;
      for (const inclusive of [false, true]) {
        for (const d of offsets) {
          let swept = 0;
          for (let i = 0; i < n; i++) {
            const q = timesMs[i] + d;
            const qNs = nsOf(q);
            while (swept < n && (timestamps[swept] < qNs || (inclusive && timestamps[swept] === qNs))) swept++;
            const got = inclusive ? store.countAtOrBefore(symbol, q) : store.countBefore(symbol, q);
            if (got !== swept) throw new Error(`${symbol} bar ${i} + ${d} ms inclusive ${inclusive}: ${got} vs ${swept}`);
            const exact = inclusive ? store.countAtOrBefore(symbol, timestamps[i]) : store.countBefore(symbol, timestamps[i]);
            if (exact !== i + (inclusive ? 1 : 0)) throw new Error(`${symbol} bar ${i} in ns inclusive ${inclusive}: ${exact}`);
          }
        }
      }
      rows[symbol] = n;
      tableBytes[symbol] = handleIn(store, symbol).msSearch.tableBytes;
    }
    expect(rows).toEqual({ MESH3: 61_959, MESH4: 30_086, MESM3: 93_353, MESU3: 93_405, MESZ3: 93_337 });
    expect(tableBytes).toEqual({ MESH3: 61_964, MESH4: 30_092, MESM3: 93_360, MESU3: 93_412, MESZ3: 93_344 });
  });

  it("gives the bench clocks the same windows and last prices as a plain binary search", () => {
    const { timesMs, close } = store.columns(SYMBOL);
    let sum = 0;
    for (const t of clocks(store)) {
      const end = countBelow(timesMs, t, false);
      const w = store.window(SYMBOL, { end: t, length: 200 });
      expect([w.start, w.end]).toEqual([Math.max(0, end - 200), end]);
      const k = store.countAtOrBefore(SYMBOL, t) - 1;
      expect(k).toBe(countBelow(timesMs, t, true) - 1);
      sum += close[k];
    }
    expect(sum).toBe(20_261_354);
  });
});
