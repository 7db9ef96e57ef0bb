// Peak RSS of a one-year ingest and backtest beside the raw column bytes, in a fresh process.
// Run as its own process (node --import tsx bench/memory.ts); prints one JSON line. Every figure is the
// process's peak RSS (maxRSS, bytes) at that point, so a step's delta is the growth of the peak it caused:
//   nodeAlone      node and tsx only, before ferrobt is imported
//   afterLoad      the native addon loaded (polars' code not yet run)
//   afterWarmup    after opening and disposing the seed window's file (four weeks): polars' code paged in,
//                  its thread pools started, the allocator's first arenas mapped
//   before         = afterWarmup, just before the one-year ingest (field kept for bench/run.ts)
//   afterIngest    after BarStore.openParquetSync of the year
//   afterBacktest  after the MES SMA-9 backtest over the year
//   ingestPeakRatio      (afterIngest - before) / columnBytes: what the ingest holds at its peak, per byte
//                        of the store it builds (the fixed costs above are paid once per process)
//   coldIngestPeakRatio  (afterIngest - afterLoad) / columnBytes: the same with those fixed costs
//   processPeakRatio     (afterIngest - nodeAlone) / columnBytes: the same with the addon's load
//   dbnBefore, dbnAfterIngest, dbnIngestPeakRatio  the same year's bars from `.dbn.zst` (BarStore.open),
//                        measured in a child process of its own (a peak, once raised by the parquet
//                        ingest, would hide it) after the same warm-up on the seed window's DBN file
// The files are generated in a child process when missing, so their generation never sets the peak.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const cache = join(import.meta.dirname, ".cache");
const [yearPath, seedPath] = [join(cache, "MES-1y.parquet"), join(cache, "MES-seed.parquet")];
const [yearDbnPath, seedDbnPath] = [join(cache, "MES-1y.dbn.zst"), join(cache, "MES-seed.dbn.zst")];
if (![yearPath, seedPath, yearDbnPath, seedDbnPath].every(existsSync)) {
  const fixtures = JSON.stringify(join(import.meta.dirname, "dbn-fixture.ts"));
  const generate = `import { seedDbnFile, yearDbnFile } from ${fixtures}; yearDbnFile(); seedDbnFile();`;
  execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", generate], { stdio: "inherit" });
}

const maxRss = () => process.resourceUsage().maxRSS * 1024;
if (process.argv[2] === "dbn") {
  // The child: warm-up and the year's ingest from DBN, nothing else.
  const { BarStore } = await import("../ts/src/index.js");
  BarStore.openSync(seedDbnPath).dispose();
  const dbnBefore = maxRss();
  const store = BarStore.openSync(yearDbnPath);
  const dbnAfterIngest = maxRss();
  process.stdout.write(`${JSON.stringify({ dbnBefore, dbnAfterIngest, dbnColumnBytes: store.byteSize })}\n`);
  process.exit(0);
}
const dbn = JSON.parse(
  execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "dbn"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop() as string,
);
const nodeAlone = maxRss();
const { Backtest, BarStore } = await import("../ts/src/index.js");
const { native } = await import("../ts/src/native.js");
const { default: MESMomentumSMA9 } = await import("../examples/mes-momentum-sma9.js");
native();
const afterLoad = maxRss();
BarStore.openParquetSync(seedPath).dispose();
const afterWarmup = maxRss();
const before = afterWarmup;
const store = BarStore.openParquetSync(yearPath);
const afterIngest = maxRss();
new Backtest(new MESMomentumSMA9(), { data: store, start: "2023-01-03T09:30", end: "2023-12-29T16:00" }).run();
const afterBacktest = maxRss();
const columnBytes = store.byteSize;
process.stdout.write(
  `${JSON.stringify({
    rows: store.report.rowsRead,
    columnBytes,
    nodeAlone,
    afterLoad,
    afterWarmup,
    before,
    afterIngest,
    afterBacktest,
    ingestPeakRatio: (afterIngest - before) / columnBytes,
    coldIngestPeakRatio: (afterIngest - afterLoad) / columnBytes,
    processPeakRatio: (afterIngest - nodeAlone) / columnBytes,
    dbnBefore: dbn.dbnBefore,
    dbnAfterIngest: dbn.dbnAfterIngest,
    dbnIngestPeakRatio: (dbn.dbnAfterIngest - dbn.dbnBefore) / dbn.dbnColumnBytes,
  })}\n`,
);
