// What the warm one-year children (interleaved.ts, allocation.ts) share: the window, the store and the
// continuous future's bars as the hand loop reads them (plain columns, and a ColumnSet for its windows).

import { BarStore } from "ferrobt";
import { AssetSeries } from "../../ts/src/engine/series.js";
import { Asset } from "../../ts/src/index.js";
import { ColumnSet } from "../../ts/src/store/Bars.js";
import { nyToUtc } from "../../ts/src/util/nytime.js";
import type { Columns } from "../handloop.js";

/** The year's window as the engine takes it (New York wall times)… */
export const [START, END] = ["2023-01-03T09:30", "2023-12-29T16:00"];
/** …and as the hand loop takes it (ms UTC). */
export const [START_MS, END_MS] = [nyToUtc(2023, 1, 3, 9, 30), nyToUtc(2023, 12, 29, 16, 0)];

/** The one-year file opened, and the MES continuous future's bars around the window. */
export function oneYear(file: string): { store: BarStore; columns: Columns; windows: ColumnSet } {
  const store = BarStore.openParquetSync(file);
  const all = AssetSeries.of(store, Asset.contFuture("MES"), START_MS - 40 * 86_400_000, END_MS + 40 * 86_400_000).window(
    END_MS + 86_400_000,
    Number.MAX_SAFE_INTEGER,
  );
  const columns = { timesMs: all.timesMs, open: all.open, high: all.high, low: all.low, close: all.close };
  return { store, columns, windows: ColumnSet.of({ ...columns, timestamps: all.timestamps, volume: all.volume }) };
}
