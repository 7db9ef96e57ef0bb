// One copy of the data per process: a store opened with `share` in one thread is what every other
// thread's shared open of the same files gets (no second read), with the same bars; a plain open, other
// options or a rewritten file read the files again.

import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BarStore, generateSample } from "../../ts/src/index.js";
import { columnsDigest } from "../helpers/digest.js";
import { REPO, samplePath, tempDir } from "../helpers/fixtures.js";

function openInWorker(path: string): Promise<{ reused: boolean; digest: string }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(REPO, "__test__/helpers/worker-boot.mjs"), { workerData: { module: "./shared-open.ts", path } });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

describe("shared stores", () => {
  it("are read once per process and seen by every thread", async () => {
    const path = join(tempDir(), "shared.parquet");
    copyFileSync(samplePath(), path);
    const main = BarStore.openParquetSync(path, { share: true });
    expect(main.report.reused).toBe(false);
    const digest = columnsDigest(main);
    const inWorkers = await Promise.all([openInWorker(path), openInWorker(path)]);
    expect(inWorkers).toEqual([
      { reused: true, digest },
      { reused: true, digest },
    ]);
    const again = BarStore.openParquetSync(path, { share: true });
    expect(again.report).toEqual({ ...main.report, reused: true });
    // Not shared: a plain open, or other options.
    expect(BarStore.openParquetSync(path).report.reused).toBe(false);
    expect(BarStore.openParquetSync(path, { share: true, start: new Date("2024-01-02T00:00:00Z") }).report.reused).toBe(false);
    // A rewritten file (other bars, other size) is read again.
    generateSample(path, { start: "2023-12-20", end: "2024-01-05" });
    const rewritten = BarStore.openParquetSync(path, { share: true });
    expect(rewritten.report.reused).toBe(false);
    expect(columnsDigest(rewritten)).not.toBe(digest);
    for (const s of [main, again, rewritten]) s.dispose();
  });
});
