// Child of bench/process.ts: a fresh Node process that imports the built ferrobt and opens one parquet file once; prints the times as JSON.

const began = performance.now();
const { BarStore } = await import("../../dist/index.js");
const imported = performance.now();
const store = BarStore.openParquetSync(process.argv[2]);
const opened = performance.now();
process.stdout.write(`${JSON.stringify({ importMs: imported - began, openMs: opened - imported, rows: store.report.rowsRead })}\n`);
