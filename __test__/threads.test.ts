// worker_threads: each worker opens the store from the same file (the addon is context-aware; one
// process-wide symbol table serves every isolate) and answers queries concurrently; results are
// identical to the main thread's, and trade logs are byte-identical across worker counts.

import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import MESMomentumSMA9 from "../examples/mes-momentum-sma9.js";
import { Backtest, BarStore } from "../ts/src/index.js";
import { REPO, samplePath } from "./helpers/fixtures.js";

function inWorker(path: string, seed: number): Promise<{ windows: string; trades: string }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(`${REPO}/__test__/helpers/worker-boot.mjs`, { workerData: { path, seed, queries: 20_000 } });
    w.once("message", resolve);
    w.once("error", reject);
    w.once("exit", (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

describe("worker threads", () => {
  it("give identical windows and trade logs with 1, 2 and 4 concurrent workers", async () => {
    const path = samplePath();
    const store = BarStore.openParquetSync(path);
    const trades = createHash("sha256")
      .update(new Backtest(new MESMomentumSMA9(), { data: store, start: "2024-01-03T09:30", end: "2024-01-05T16:00" }).run().tradeLog.toCsv())
      .digest("hex");
    const [alone] = await Promise.all([inWorker(path, 1)]);
    const pair = await Promise.all([inWorker(path, 1), inWorker(path, 1)]);
    const four = await Promise.all([1, 1, 2, 2].map((s) => inWorker(path, s)));
    for (const r of [...pair, four[0], four[1]]) expect(r).toEqual(alone);
    expect(four[2]).toEqual(four[3]);
    expect(alone.trades).toBe(trades);
    store.dispose();
  }, 120_000);
});
