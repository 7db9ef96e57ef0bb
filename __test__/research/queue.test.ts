// Sweeps as BullMQ jobs on a real Redis (Debian's redis-server on 127.0.0.1, started here) with
// `ferrobt worker` processes: rows equal the runs alone; a re-submitted sweep reuses every result;
// a worker SIGKILLed mid-job loses nothing; Redis restarted or lost mid-sweep; a strategy file that
// differs on the worker; password URLs.

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { QueueRunner } from "../../ts/src/research/queue.js";
import { type SweepRow, sweep } from "../../ts/src/research/sweep.js";
import { REPO, samplePath, tempDir } from "../helpers/fixtures.js";
import { RedisProcess, requireRedis } from "../helpers/redis.js";
import { aloneStats, PROBE, SEED } from "../helpers/research.js";

const CLI = join(REPO, "dist/cli/main.js");
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function redis(extra: string[] = []): Promise<RedisProcess> {
  const r = await RedisProcess.start(extra);
  cleanup.push(() => r.stop());
  return r;
}

/** A `ferrobt worker` process, resolved once it takes jobs. */
function worker(url: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [CLI, "worker", "--queue", url, "--concurrency", "1"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  cleanup.push(() => {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  });
  return new Promise((resolve, reject) => {
    let seen = "";
    proc.stderr!.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes("taking jobs")) resolve(proc);
    });
    proc.once("exit", (code) => reject(new Error(`worker exited with ${code}: ${seen}`)));
  });
}

/** Completed runs logged by the probe (one line per run that reached its end). */
const logged = (log: string) =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

/** Each row's stats equal the run alone (without the log parameter, which does not change them). */
async function expectAlone(rows: readonly SweepRow[]) {
  for (const r of rows) {
    expect(r.error).toBeUndefined();
    const { parameters, ...stats } = r;
    expect(stats).toEqual(await aloneStats({ ...parameters, done_log: "" }));
  }
}

const waitFor = async (what: string, f: () => Promise<boolean> | boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("queue sweeps", () => {
  it("give the rows of the runs alone, each combination run once; a re-submitted sweep reuses them all", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis();
    await Promise.all([worker(r.url), worker(r.url)]);
    const log = join(tempDir(), "done.log");
    const grid = { sma_period: [9, 14], rr_ratio: [2, 3], done_log: [log] };
    const runner = new QueueRunner(r.url);
    cleanup.push(() => runner.close());
    const first = await sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner });
    expect(runner.counts).toEqual({ kept: 0, reused: 0, enqueued: 4 });
    await expectAlone(first.rows);
    expect(
      logged(log)
        .map((p) => [p.sma_period, p.rr_ratio])
        .sort(),
    ).toEqual([
      [14, 2],
      [14, 3],
      [9, 2],
      [9, 3],
    ]);
    const again = await sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner });
    expect(runner.counts).toEqual({ kept: 0, reused: 4, enqueued: 0 });
    expect(again.rows).toEqual(first.rows);
    expect(logged(log)).toHaveLength(4);
  }, 120_000);

  it("lose nothing when a worker is SIGKILLed mid-job: the job runs elsewhere, every row once", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis();
    const doomed = await worker(r.url);
    const log = join(tempDir(), "done.log");
    const grid = { sma_period: [9, 14, 20], initialize_ms: [1500], done_log: [log] };
    const runner = new QueueRunner(r.url);
    cleanup.push(() => runner.close());
    const running = sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner });
    const queue = new Queue("ferrobt-runs", { connection: { host: "127.0.0.1", port: r.port } });
    cleanup.push(() => queue.close());
    await waitFor("an active job", async () => (await queue.getActiveCount()) > 0);
    doomed.kill("SIGKILL");
    await worker(r.url);
    const result = await running;
    await expectAlone(result.rows);
    expect(result.rows.map((row) => row.parameters.sma_period)).toEqual([9, 14, 20]);
    // The killed run never reached its end; each combination completed exactly once.
    expect(
      logged(log)
        .map((p) => p.sma_period)
        .sort(),
    ).toEqual([14, 20, 9]);
  }, 120_000);

  it("complete when Redis restarts mid-sweep (with its data), every run once", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis(["--appendonly", "yes", "--appendfsync", "always"]);
    await worker(r.url);
    const log = join(tempDir(), "done.log");
    const grid = { sma_period: [9, 14, 20, 30], initialize_ms: [400], done_log: [log] };
    const runner = new QueueRunner(r.url);
    cleanup.push(() => runner.close());
    let done = 0;
    const running = sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner, onProgress: (n) => (done = n) });
    await waitFor("a first row", () => done >= 1);
    await r.restart();
    const result = await running;
    await expectAlone(result.rows);
    expect(logged(log)).toHaveLength(4);
  }, 120_000);

  it("stop with ERR_QUEUE when Redis is lost, keep the finished rows and resume from them", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis();
    await worker(r.url);
    const out = tempDir();
    const rowsDir = join(out, "rows");
    const log = join(out, "done.log");
    const grid = { sma_period: [9, 14, 20, 30], initialize_ms: [300], done_log: [log] };
    const lost = new QueueRunner(r.url, { rowsDir, unreachableMs: 1500 });
    cleanup.push(() => lost.close());
    let done = 0;
    const running = sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner: lost, onProgress: (n) => (done = n) });
    running.catch(() => undefined);
    await waitFor("two rows", () => done >= 2);
    await r.stop();
    await expect(running).rejects.toMatchObject({
      code: "ERR_QUEUE",
      message: expect.stringMatching(
        new RegExp(`Redis at redis://127.0.0.1:${r.port} unreachable .*: [2-3] of 4 rows finished, kept in ${rowsDir}; run the sweep again to resume`),
      ),
    });
    const kept = readdirSync(rowsDir).filter((f) => f.endsWith(".json")).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    // A new, empty Redis on the same port: only the missing rows run.
    await r.start();
    const resumed = new QueueRunner(r.url, { rowsDir });
    cleanup.push(() => resumed.close());
    const result = await sweep({ strategy: PROBE, grid, data: samplePath(), ...SEED, runner: resumed });
    expect(resumed.counts.kept).toBe(kept);
    expect(resumed.counts.enqueued).toBe(4 - kept);
    await expectAlone(result.rows);
  }, 120_000);

  it("fail the row of a job whose strategy file differs on the worker, with ERR_STRATEGY_HASH", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis();
    const dir = tempDir();
    const file = join(dir, "tiny.ts");
    writeFileSync(
      file,
      'import { Strategy } from "ferrobt";\nexport default class Tiny extends Strategy {\n  override parameters = { x: 1 };\n  override onTradingIteration(): void {}\n}\n',
    );
    const runner = new QueueRunner(r.url);
    cleanup.push(() => runner.close());
    const running = sweep({ strategy: file, grid: { x: [1, 2] }, data: samplePath(), ...SEED, runner });
    // The jobs wait in the queue while the file changes; then a worker takes them.
    const queue = new Queue("ferrobt-runs", { connection: { host: "127.0.0.1", port: r.port } });
    cleanup.push(() => queue.close());
    await waitFor("two waiting jobs", async () => (await queue.getWaitingCount()) === 2);
    appendFileSync(file, "// changed\n");
    await worker(r.url);
    const result = await running;
    for (const row of result.rows)
      expect(row.error).toMatchObject({ code: "ERR_STRATEGY_HASH", message: expect.stringMatching(/refusing to run a different file/) });
  }, 120_000);

  it("run over TLS (rediss://) from the command line", async ({ skip }) => {
    requireRedis(skip);
    const r = await RedisProcess.startTls();
    cleanup.push(() => r.stop());
    // Both processes trust the test CA the way a user's would: NODE_EXTRA_CA_CERTS.
    const env = { NODE_EXTRA_CA_CERTS: r.ca };
    await worker(r.url, env);
    const dir = tempDir();
    writeFileSync(join(dir, "grid.json"), JSON.stringify({ sma_period: [9, 14] }));
    const args = [CLI, "sweep", PROBE, "--grid", join(dir, "grid.json"), "--data", samplePath(), "--queue", r.url, "--out", dir, "--json"];
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, args, { env: { ...process.env, ...env } });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d: Buffer) => (stdout += d));
      p.stderr.on("data", (d: Buffer) => (stderr += d));
      p.once("exit", (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const rows = JSON.parse(out.stdout).rows as SweepRow[];
    expect(rows.map((row) => row.parameters.sma_period)).toEqual([9, 14]);
    await expectAlone(rows);
    expect(readdirSync(join(dir, "rows"))).toHaveLength(2);
  }, 120_000);

  it("connect with a password in the URL, and never show it when refused", async ({ skip }) => {
    requireRedis(skip);
    const r = await redis(["--requirepass", "s3cret-pw"]);
    const url = `redis://default:s3cret-pw@127.0.0.1:${r.port}`;
    await worker(url);
    const runner = new QueueRunner(url);
    cleanup.push(() => runner.close());
    const result = await sweep({ strategy: PROBE, grid: { sma_period: [9] }, data: samplePath(), ...SEED, runner });
    await expectAlone(result.rows);
    const refused = new QueueRunner(`redis://default:wrong-pw@127.0.0.1:${r.port}`, { unreachableMs: 500 });
    cleanup.push(() => refused.close());
    const error = await sweep({ strategy: PROBE, grid: { sma_period: [9] }, data: samplePath(), ...SEED, runner: refused }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "ERR_QUEUE" });
    expect((error as Error).message).not.toMatch(/wrong-pw|s3cret/);
  }, 120_000);
});
