// Store scenarios through the public API, each beside its baselines: the pure-JS typed-array floor,
// the pure-TS reference backend and nodejs-polars used the way its users would.

import { createRequire } from "node:module";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { bench, describe } from "vitest";
import { BarStore } from "../ts/src/index.js";
import { ReferenceSource } from "../ts/src/reference.js";
import { barAt } from "../ts/src/store/Bars.js";
import { countBelow } from "../ts/src/store/search.js";
import { nyOffsetMs, nyParts } from "../ts/src/util/nytime.js";
import { yearDbnFile } from "./dbn-fixture.js";
import { clocks, SYMBOL, yearFile } from "./fixtures.js";
import * as handRule from "./ny-hand-rule.js";

const file = yearFile();
const store = BarStore.openParquetSync(file);
const fiveMin = store.resample(SYMBOL, "5m");
const reference = await ReferenceSource.open(file);
const referenceFive = reference.resample(5);
const at = clocks(store);
const cols = store.columns(SYMBOL);
const fiveCols = fiveMin.columns(SYMBOL);
let i = 0;
const next = () => at[(i = (i + 1) & 4_095)];

/** nodejs-polars, when its native package loads on this Node (it declares Node >= 22). */
type Polars = typeof import("nodejs-polars").default;
let pl: Polars | undefined;
let polarsFrame: ReturnType<Polars["readParquet"]> | undefined;
let polarsTimes: Float64Array | undefined;
try {
  pl = createRequire(import.meta.url)("nodejs-polars") as Polars;
  polarsFrame = pl
    .readParquet(file)
    .filter(pl.col("symbol").eq(pl.lit(SYMBOL)))
    .withColumns(pl.col("ts_event").cast(pl.Float64).div(1e6).alias("ms"));
  polarsTimes = polarsFrame.getColumn("ms").toTypedArray() as Float64Array;
} catch (e) {
  console.warn(`nodejs-polars unavailable: ${(e as Error).message.split("\n")[0]}`);
}

describe("ingest/1y-minute", () => {
  bench("ferrobt", () => BarStore.openParquetSync(file).dispose(), { iterations: 5, time: 0 });
  bench("reference", async () => void (await ReferenceSource.open(file)), { iterations: 2, time: 0 });
  bench(
    "js-floor (hyparquet + typed arrays)",
    async () => {
      const rows = (await parquetReadObjects({
        file: await asyncBufferFromFile(file),
        columns: ["ts_event", "close"],
        parsers: { timestampFromNanoseconds: (n: bigint) => n },
      })) as { close: number }[];
      Float64Array.from(rows, (r) => r.close);
    },
    { iterations: 2, time: 0 },
  );
  if (pl) {
    const p = pl;
    bench(
      "nodejs-polars (readParquet + typed arrays)",
      () => {
        const df = p.readParquet(file);
        for (const s of df.getColumn("symbol").unique().toArray() as string[]) {
          const part = df.filter(p.col("symbol").eq(p.lit(s))).sort("ts_event");
          for (const c of ["open", "high", "low", "close", "volume"]) part.getColumn(c).cast(p.Float64).toTypedArray();
          part.getColumn("ts_event").cast(p.Int64).toTypedArray();
        }
      },
      { iterations: 5, time: 0 },
    );
  }
});

/** The same year's bars from DataBento's own format (`.dbn.zst`), beside the parquet ingest above. */
const dbnFile = yearDbnFile();
describe("ingest/1y-minute-dbn", () => {
  bench("ferrobt", () => BarStore.openSync(dbnFile).dispose(), { iterations: 5, time: 0 });
  bench("ferrobt (parquet, same bars)", () => BarStore.openParquetSync(file).dispose(), { iterations: 5, time: 0 });
});

/** The 200-bar window on one timeframe: ferrobt, the reference backend and the JS floor over its columns. */
function windowBenches(ferrobt: BarStore, ref: ReferenceSource, floor: { timesMs: Float64Array; close: Float64Array }): void {
  bench("ferrobt", () => void ferrobt.window(SYMBOL, { end: next(), length: 200 }).close);
  bench("reference", () => {
    const end = ref.countBefore(SYMBOL, next());
    void ref.columns(SYMBOL).close.subarray(Math.max(0, end - 200), end);
  });
  bench("js-floor", () => {
    const end = countBelow(floor.timesMs, next(), false);
    void floor.close.subarray(Math.max(0, end - 200), end);
  });
}

describe("window/200x1m", () => {
  windowBenches(store, reference, cols);
  if (pl && polarsFrame && polarsTimes) {
    const p = pl,
      df = polarsFrame,
      times = polarsTimes;
    bench(
      "nodejs-polars filter + tail(200)",
      () =>
        void df
          .filter(p.col("ms").lt(p.lit(next())))
          .tail(200)
          .getColumn("close")
          .toTypedArray(),
      { iterations: 200, time: 0 },
    );
    bench(
      "nodejs-polars slice by JS binary search",
      () => {
        const end = countBelow(times, next(), false);
        void df
          .slice(Math.max(0, end - 200), Math.min(200, end))
          .getColumn("close")
          .toTypedArray();
      },
      { iterations: 2_000, time: 0 },
    );
  }
});

describe("window/200x5m-resampled", () => {
  windowBenches(fiveMin, referenceFive, fiveCols);
});

describe("last-bar", () => {
  bench("ferrobt", () => void store.lastBar(SYMBOL, { atOrBefore: next() }));
  bench("reference", () => void reference.countAtOrBefore(SYMBOL, next()));
  // The same work in plain JS: find the newest bar at or before t and build it as a Bar (barAt, as the store does).
  bench("js-floor", () => {
    const k = countBelow(cols.timesMs, next(), true) - 1;
    void (k >= 0 && barAt(cols, k));
  });
});

describe("last-price", () => {
  bench("ferrobt", () => {
    const k = store.countAtOrBefore(SYMBOL, next()) - 1;
    void (k >= 0 && store.columns(SYMBOL).close[k]);
  });
  bench("reference", () => {
    const k = reference.countAtOrBefore(SYMBOL, next()) - 1;
    void (k >= 0 && reference.columns(SYMBOL).close[k]);
  });
  bench("js-floor", () => {
    const k = countBelow(cols.timesMs, next(), true) - 1;
    void (k >= 0 && cols.close[k]);
  });
});

/** A fresh resample each call: the store caches per (timeframe, options), so every call moves the day anchor by a minute. */
let fresh = 0;
const resampleFresh = (tf: string) => void store.resample(SYMBOL, tf, { dayAnchorMinutes: (18 * 60 + fresh++) % 1440 }).size(SYMBOL);

describe("resample/1y-to-1h", () => {
  bench("ferrobt", () => resampleFresh("1h"), { iterations: 5, time: 0 });
  bench("reference", () => void reference.resample(60), { iterations: 2, time: 0 });
});

describe("resample/1y-to-1d", () => {
  bench("ferrobt", () => resampleFresh("1d"), { iterations: 5, time: 0 });
  bench("reference", () => void reference.resample(1440), { iterations: 2, time: 0 });
});

// New York time: the IANA-table lookup (util/tz.ts) against the hand-written 2007 rule it replaced, on
// consecutive minutes (the engine's pattern) and on random instants 1990-2030 (every year's table built).
const minutes = Float64Array.from({ length: 4_096 }, (_, k) => Date.UTC(2024, 2, 8) + k * 60_000);
const instants = Float64Array.from({ length: 4_096 }, (_, k) => Date.UTC(1990, 0, 1) + ((k * 2_654_435_761) % 4_096) * 315_576_000);
for (const t of instants) nyOffsetMs(t);
let j = 0;
describe("time/ny-parts-minutes", () => {
  bench("ferrobt", () => void nyParts(minutes[(j = (j + 1) & 4_095)]).minute);
  bench("hand-rule-2007", () => void handRule.nyParts(minutes[(j = (j + 1) & 4_095)]).minute);
});
describe("time/ny-offset-random", () => {
  bench("ferrobt", () => void nyOffsetMs(instants[(j = (j + 1) & 4_095)]));
  bench("hand-rule-2007", () => void handRule.nyOffsetMs(instants[(j = (j + 1) & 4_095)]));
});
