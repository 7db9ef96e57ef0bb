// Run under `node --expose-gc --import tsx`: 1,000,000 window calls and 1,000 open/dispose cycles,
// printing RSS and external memory (bytes) after warm-up and at the end as JSON.

import { BarStore } from "../../ts/src/index.js";

const [path, windows = "1000000", cycles = "1000"] = process.argv.slice(2);
const gc = globalThis.gc as () => void;
const turn = () => new Promise((resolve) => setImmediate(resolve));
/**
 * GC, then let N-API finalizers (which Node defers to the event loop) run; three rounds, keeping the
 * lowest reading of each figure (the allocator returns freed pages to the OS lazily).
 */
const sample = async () => {
  const low = { rss: Infinity, external: Infinity, arrayBuffers: Infinity };
  for (let i = 0; i < 3; i++) {
    gc();
    await turn();
    const m = process.memoryUsage();
    low.rss = Math.min(low.rss, m.rss);
    low.external = Math.min(low.external, m.external);
    low.arrayBuffers = Math.min(low.arrayBuffers, m.arrayBuffers);
  }
  return low;
};

const store = BarStore.openParquetSync(path);
const symbol = store.symbols()[0];
const times = store.columns(symbol).timesMs;
let checksum = 0;
const loop = (n: number) => {
  for (let i = 0; i < n; i++) {
    const w = store.window(symbol, { end: times[(i * 7919) % times.length], length: 200 });
    checksum += w.length === 0 ? 0 : w.close[w.length - 1];
  }
};
loop(100_000);
const warm = await sample();
loop(Number(windows));
const afterWindows = await sample();
/** Open, query, dispose; the event loop turns between cycles as in any real program. */
const cycle = async (n: number) => {
  for (let i = 0; i < n; i++) {
    const s = BarStore.openParquetSync(path);
    checksum += s.window(symbol, { end: times[times.length - 1], length: 200 }).close[0];
    s.dispose();
    if (i % 10 === 9) {
      gc();
      await turn();
    }
  }
};
await cycle(200);
/** One sample after every tenth of the cycles: the test compares the floors of the first and last four. */
const cycleSamples = [await sample()];
for (let done = 0; done < Number(cycles); done += Number(cycles) / 10) {
  await cycle(Number(cycles) / 10);
  cycleSamples.push(await sample());
}
process.stdout.write(`${JSON.stringify({ warm, afterWindows, cycleSamples, checksum, bytes: store.byteSize })}\n`);
