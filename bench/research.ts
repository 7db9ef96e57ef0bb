// Research at scale, in numbers: sweep throughput with 1 and 2 pool workers (runs per second and the
// scaling ratio), the per-job overhead of a BullMQ queue (a real redis-server on loopback and one
// `ferrobt worker` process) beside the in-process pool, and peak RSS of a sweep process with 1 and 2
// workers over five years of minute bars beside the data's size (one copy, shared by the threads).
// Standalone: node --import tsx bench/research.ts [--quick]; prints the figures as one JSON line.
// Reports; never asserts.

import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedFile } from "./fixtures.js";

const root = join(import.meta.dirname, "..");
const quick = process.argv.includes("--quick");
const STRATEGY = join(root, "examples/mes-momentum-sma9.ts");
const SEED = { start: "2024-01-03T09:30", end: "2024-01-05T16:00" };
const REDIS = "/usr/bin/redis-server";

/** Five years of MES minutes (~1.8 M rows), generated once into bench/.cache. */
async function fiveYears(): Promise<string> {
  const path = join(import.meta.dirname, ".cache/MES-5y.parquet");
  if (!existsSync(path)) {
    mkdirSync(join(import.meta.dirname, ".cache"), { recursive: true });
    const { generateSample } = await import("../ts/src/index.js");
    generateSample(path, { start: "2019-01-01", end: "2024-01-01" });
  }
  return path;
}

/** A child's part: one sweep over the last days of the five years with N workers; prints its peak RSS. */
async function rssChild(workers: number, path: string): Promise<void> {
  const { sweep } = await import("../ts/src/research/sweep.js");
  const { BarStore } = await import("../ts/src/index.js");
  const store = BarStore.openParquetSync(path);
  const columnBytes = store.byteSize;
  store.dispose();
  const grid = { sma_period: Array.from({ length: 2 * workers }, (_, i) => 9 + i) };
  await sweep({ strategy: STRATEGY, grid, data: path, start: "2023-12-27T09:30", end: "2023-12-29T16:00", workers });
  process.stdout.write(`${JSON.stringify({ workers, peakRss: process.resourceUsage().maxRSS * 1024, columnBytes })}\n`);
}

if (process.argv[2] === "--rss-child") {
  await rssChild(Number(process.argv[3]), process.argv[4]);
  process.exit(0);
}

const { sweep } = await import("../ts/src/research/sweep.js");
const { QueueRunner } = await import("../ts/src/research/queue.js");
const { PoolRunner } = await import("../ts/src/research/runner.js");
const data = seedFile();

/**
 * A pool of `workers` threads, warmed by a first pass over `grid` (thread start, module load, data open,
 * strategy compile, and the JIT of every thread, which short runs would otherwise pay inside the timing).
 */
async function warmPool(workers: number, grid: Record<string, number[]>, window: { start: string; end: string }) {
  const runner = new PoolRunner(workers);
  await sweep({ strategy: STRATEGY, grid, data, ...window, runner });
  return runner;
}

// 1. Throughput: the same grid with 1 and 2 workers, each on a warm pool, over the seed window (3 days,
// ≈ 3,300 iterations a run) and over three weeks (≈ 20,000 iterations a run).
const grid = { sma_period: quick ? [9, 14] : [9, 12, 14, 17, 20, 25, 30, 40], rr_ratio: [2, 3] };
const WINDOWS = { "3 days": SEED, "3 weeks": { start: "2023-12-22T09:30", end: "2024-01-12T16:00" } };
const throughput: { window: string; workers: number; runs: number; ms: number; runsPerSecond: number }[] = [];
for (const [window, span] of Object.entries(WINDOWS)) {
  for (const workers of [1, 2]) {
    const runner = await warmPool(workers, grid, span);
    const r = await sweep({ strategy: STRATEGY, grid, data, ...span, runner });
    await runner.close();
    throughput.push({ window, workers, runs: r.rows.length, ms: r.wallMs, runsPerSecond: r.rows.length / (r.wallMs / 1000) });
  }
}

// 2. Per-job overhead: tiny runs (one hour) through a warm one-thread pool and through the queue.
const tiny = { start: "2024-01-03T09:30", end: "2024-01-03T10:30" };
const tinyGrid = { sma_period: Array.from({ length: quick ? 10 : 40 }, (_, i) => 5 + i) };
const onePool = await warmPool(1, tinyGrid, tiny);
const pool = await sweep({ strategy: STRATEGY, grid: tinyGrid, data, ...tiny, runner: onePool });
await onePool.close();
let queue: { ms: number; perJobMs: number } | undefined;
if (spawnSync(REDIS, ["--version"]).status === 0) {
  const port = 20_000 + (process.pid % 20_000);
  const redis = spawn(
    REDIS,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", mkdtempSync(join(tmpdir(), "ferrobt-bench-redis-"))],
    {
      stdio: "ignore",
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  const url = `redis://127.0.0.1:${port}`;
  const worker: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(root, "ts/src/cli/main.ts"), "worker", "--queue", url, "--quiet"], {
    stdio: "ignore",
  });
  try {
    const runner = new QueueRunner(url, { pollMs: 20 });
    // The worker's first job compiles nothing (cached) but starts its thread: not measured.
    await sweep({ strategy: STRATEGY, grid: { sma_period: [4] }, data, ...tiny, runner });
    const r = await sweep({ strategy: STRATEGY, grid: tinyGrid, data, ...tiny, runner });
    await runner.close();
    queue = { ms: r.wallMs, perJobMs: r.wallMs / r.rows.length };
  } finally {
    worker.kill("SIGKILL");
    redis.kill("SIGKILL");
  }
}

// 3. Peak RSS of a whole sweep process over five years with 1 and 2 workers.
const big = await fiveYears();
const rss = [1, 2].map(
  (workers) =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "research.ts"), "--rss-child", String(workers), big], { encoding: "utf8" })
        .trim()
        .split("\n")
        .at(-1)!,
    ) as { workers: number; peakRss: number; columnBytes: number },
);

process.stdout.write(`${JSON.stringify({ throughput, pool: { ms: pool.wallMs, perJobMs: pool.wallMs / pool.rows.length }, queue, rss })}\n`);
