// Child of bench/process.ts: a fresh Node process that reads one parquet file with nodejs-polars into per-symbol typed arrays (the ingest bench's baseline); prints the times as JSON.

import { createRequire } from "node:module";

const began = performance.now();
const pl = createRequire(import.meta.url)("nodejs-polars");
const imported = performance.now();
const df = pl.readParquet(process.argv[2]);
for (const s of df.getColumn("symbol").unique().toArray()) {
  const part = df.filter(pl.col("symbol").eq(pl.lit(s))).sort("ts_event");
  for (const c of ["open", "high", "low", "close", "volume"]) part.getColumn(c).cast(pl.Float64).toTypedArray();
  part.getColumn("ts_event").cast(pl.Int64).toTypedArray();
}
const opened = performance.now();
process.stdout.write(`${JSON.stringify({ importMs: imported - began, openMs: opened - imported, rows: df.height })}\n`);
