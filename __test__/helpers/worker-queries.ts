// Worker body (started through worker-boot.mjs): opens the store itself, answers seeded window queries and runs
// the MES example, then posts a digest of everything it saw.

import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { Backtest, BarStore } from "../../ts/src/index.js";
import { rng } from "./fixtures.js";

const { path, seed, queries } = workerData as { path: string; seed: number; queries: number };
const store = BarStore.openParquetSync(path);
const hash = createHash("sha256");
const next = rng(seed);
const symbols = store.symbols();
for (let q = 0; q < queries; q++) {
  const symbol = symbols[Math.floor(next() * symbols.length)];
  const t = store.columns(symbol).timesMs;
  const end = t[0] + next() * (t[t.length - 1] - t[0]);
  const w = store.window(symbol, { end, length: Math.floor(next() * 300) });
  hash.update(new Uint8Array(w.close.buffer, w.close.byteOffset, w.close.byteLength));
  hash.update(String(w.start));
}
const result = new Backtest(new MESMomentumSMA9(), { data: store, start: "2024-01-03T09:30", end: "2024-01-05T16:00" }).run();
parentPort!.postMessage({ windows: hash.digest("hex"), trades: createHash("sha256").update(result.tradeLog.toCsv()).digest("hex") });
store.dispose();
