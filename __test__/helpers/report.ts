// The report tests' shared run: the MES example on Lumibot's reference data over the seed window,
// and the report data built from it (undefined when ../shared is absent; the tests then skip).

import { existsSync } from "node:fs";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { Asset, Backtest, type BacktestResult, BarStore } from "../../ts/src/index.js";
import { type ReportData, reportData } from "../../ts/src/report/data.js";
import { SHARED_MES } from "./fixtures.js";

export function mesReport(): { result: BacktestResult; data: ReportData } | undefined {
  if (!existsSync(SHARED_MES)) return undefined;
  const store = BarStore.openParquetSync(SHARED_MES);
  const result = new Backtest(new MESMomentumSMA9(), { data: store, start: "2024-01-03T09:30", end: "2024-01-05T16:00" }).run();
  return { result, data: reportData(result, store, Asset.contFuture("MES"), "MES_ohlcv-1m.parquet") };
}
