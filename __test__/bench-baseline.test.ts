// The bench's hand-written loop through windows (the API's floor) runs the same rules on the same
// numbers as the plain hand loop: same iterations, fills and cash, on a generated quarter.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { handLoop } from "../bench/handloop.js";
import { AssetSeries } from "../ts/src/engine/series.js";
import { Asset, BarStore, generateSample } from "../ts/src/index.js";
import { ColumnSet } from "../ts/src/store/Bars.js";
import { nyToUtc } from "../ts/src/util/nytime.js";

const dir = mkdtempSync(join(tmpdir(), "ferrobt-handloop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the hand loop through a window a minute matches the plain hand loop", () => {
  const file = join(dir, "MES.parquet");
  generateSample(file, { start: "2023-02-01", end: "2023-06-01" });
  const store = BarStore.openParquetSync(file);
  const [s, e] = [nyToUtc(2023, 3, 1, 9, 30), nyToUtc(2023, 5, 31, 16, 0)];
  const all = AssetSeries.of(store, Asset.contFuture("MES"), s - 40 * 86_400_000, e + 40 * 86_400_000).window(e + 86_400_000, Number.MAX_SAFE_INTEGER);
  const columns = { timesMs: all.timesMs, open: all.open, high: all.high, low: all.low, close: all.close };
  const plain = handLoop(columns, s, e);
  const windowed = handLoop(columns, s, e, ColumnSet.of({ ...columns, timestamps: all.timestamps, volume: all.volume }));
  expect(plain.iterations).toBeGreaterThan(50_000);
  expect(plain.fills).toBeGreaterThan(1_000);
  expect(windowed).toEqual(plain);
});
