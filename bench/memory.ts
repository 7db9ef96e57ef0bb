// Peak RSS after a one-year ingest and during a one-year backtest, beside the raw column bytes.
// Run as its own process (node --import tsx bench/memory.ts); prints one JSON line.

import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { Backtest, BarStore } from "../ts/src/index.js";
import { yearFile } from "./fixtures.js";

const file = yearFile();
const maxRss = () => process.resourceUsage().maxRSS * 1024;
const before = maxRss();
const store = BarStore.openParquetSync(file);
const afterIngest = maxRss();
new Backtest(new MESMomentumSMA9(), { data: store, start: "2023-01-03T09:30", end: "2023-12-29T16:00" }).run();
const afterBacktest = maxRss();
process.stdout.write(JSON.stringify({ before, afterIngest, afterBacktest, columnBytes: store.byteSize, rows: store.report.rowsRead }) + "\n");
