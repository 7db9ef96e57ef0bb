// The DataBento commands end to end (built dist/, child processes, the fake gateway on loopback): `ferrobt
// fetch` with the key from the environment, a fetch killed mid-body (SIGKILL) leaving nothing that reads as
// valid and the next fetch completing, and `backtest --databento` giving the trades of the same bars as --data.

import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRanges, symbolDir } from "../../ts/src/databento/cache.js";
import { BarStore, generateSample } from "../../ts/src/index.js";
import { REPO, tempDir } from "../helpers/fixtures.js";
import { type FakeGateway, startGateway } from "./gateway.js";

const CLI = join(REPO, "dist/cli/main.js");
let source: BarStore;
let sourcePath: string;
let gw: FakeGateway;

beforeAll(async () => {
  sourcePath = join(tempDir(), "mes.parquet");
  generateSample(sourcePath, { start: "2024-02-26", end: "2024-03-09" });
  source = await BarStore.open(sourcePath);
  gw = await startGateway(source);
});
afterAll(async () => {
  await gw?.close();
  source?.dispose();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABENTO_API_KEY: gw.key, DATABENTO_GATEWAY: gw.url, FERROBT_DATABENTO_BACKOFF_MS: "2", FERROBT_CACHE: "", ...extra };
}
/** Runs the CLI (async: the fake gateway lives in this process's event loop). */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: env(extraEnv) });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
}

describe("ferrobt fetch", () => {
  it("fetches into --cache with the key from DATABENTO_API_KEY, prints warnings and never the key", async () => {
    const cache = tempDir("ferrobt-dbcache-");
    gw.plan({ warnings: ["Warning: Reduced quality data on 2024-02-27"] });
    const r = await cli(["fetch", "GLBX.MDP3", "--symbols", "MES", "--start", "2024-02-27T09:30", "--end", "2024-02-28", "--cache", cache, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.symbols.map((s: { symbol: string; root: string; start: string; end: string }) => [s.symbol, s.root, s.start, s.end])).toEqual([
      ["MESH4", "MES", "2024-02-27T14:30:00.000000000Z", "2024-02-28T05:00:00.000000000Z"],
    ]);
    expect(doc.requests).toBe(2);
    expect(r.stderr).toContain("ferrobt: DataBento Warning (MESH4): Reduced quality data on 2024-02-27");
    const store = await BarStore.open(doc.symbols[0].files);
    expect(store.size("MESH4")).toBe(source.between("MESH4", { start: Date.UTC(2024, 1, 27, 14, 30), end: Date.UTC(2024, 1, 28, 5) }).length);
    // Again: covered by the cache, no request.
    const n = gw.log.length;
    const again = await cli(["fetch", "GLBX.MDP3", "--symbols", "MES", "--start", "2024-02-27T09:30", "--end", "2024-02-28", "--cache", cache]);
    expect([again.status, gw.log.length - n]).toEqual([0, 0]);
    expect(again.stdout).toContain("MESH4    2024-02-27 09:30 → 2024-02-28 00:00 ET  cached, 1 file");
    // A wrong key: ERR_AUTH, exit 1, and neither key in any output or file.
    const bad = await cli(["fetch", "GLBX.MDP3", "--symbols", "MESM4", "--start", "2024-02-27", "--end", "2024-02-28", "--cache", cache], {
      DATABENTO_API_KEY: "db-NOT-THE-KEY-777",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("[ERR_AUTH]");
    for (const text of [r.stdout, r.stderr, again.stdout, again.stderr, bad.stdout, bad.stderr]) {
      expect(text).not.toContain(gw.key);
      expect(text).not.toContain("NOT-THE-KEY");
    }
    for (const f of filesUnder(cache)) expect(readFileSync(join(cache, f)).includes(gw.key)).toBe(false);
  });

  it("a fetch killed mid-body leaves no file that reads as valid, and the next fetch completes", async () => {
    const cache = tempDir("ferrobt-dbcache-");
    const args = ["fetch", "GLBX.MDP3", "--symbols", "MESH4", "--start", "2024-02-26", "--end", "2024-03-02", "--cache", cache];
    const dir = symbolDir(cache, "GLBX.MDP3", "ohlcv-1m", "MESH4");
    gw.plan({ stall: true });
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: env(), stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    await gw.stalled();
    // Wait until the child has written some of the body to its temporary file, then kill it.
    const deadline = Date.now() + 5000;
    const partial = () => {
      try {
        return readdirSync(dir).filter((f) => f.endsWith(".part") && statSync(join(dir, f)).size > 0);
      } catch {
        return [];
      }
    };
    while (partial().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const parts = partial();
    expect(parts.length).toBe(1);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(listRanges(dir)).toEqual([]);
    let code = "";
    try {
      BarStore.openSync(join(dir, parts[0]));
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).toBe("ERR_DBN"); // the half body is not a readable DBN file either
    const r = await cli(args);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["20240226T050000Z_20240302T050000Z.dbn.zst"]); // the dead fetch's temporary file is gone
    const store = BarStore.openSync(join(dir, readdirSync(dir)[0]));
    expect([...store.columns("MESH4").timestamps]).toEqual([
      ...source.between("MESH4", { start: Date.UTC(2024, 1, 26, 5), end: Date.UTC(2024, 2, 2, 5) }).timestamps,
    ]);
  });
});

describe("ferrobt backtest --databento", () => {
  it("gives the trades of the same bars given as --data, across the MES roll, fetching only what the cache lacks", async () => {
    const window = ["--start", "2024-03-04T09:30", "--end", "2024-03-06T16:00"];
    const [outData, outDb, outHit] = [tempDir(), tempDir(), tempDir()];
    const cache = tempDir("ferrobt-dbcache-");
    const fromFile = await cli(["backtest", "examples/mes-momentum-sma9.ts", "--data", sourcePath, ...window, "--out", outData, "--json"]);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const n = gw.ranges.length;
    const viaDb = await cli([
      "backtest",
      "examples/mes-momentum-sma9.ts",
      "--databento",
      "GLBX.MDP3",
      "--symbols",
      "MES",
      "--cache",
      cache,
      ...window,
      "--out",
      outDb,
      "--json",
    ]);
    expect(viaDb.status, viaDb.stderr).toBe(0);
    // Window plus the 7-day warm-up before it and a day after: MESH4 up to the 2024-03-05 roll, MESM4 after it.
    expect(
      gw.ranges
        .slice(n)
        .map((r) => [r.symbols[0], new Date(Number(r.startNs / 1_000_000n)).toISOString(), new Date(Number(r.endNs / 1_000_000n)).toISOString()]),
    ).toEqual([
      ["MESH4", "2024-02-26T14:30:00.000Z", "2024-03-05T05:00:00.000Z"],
      ["MESM4", "2024-03-05T05:00:00.000Z", "2024-03-07T21:00:00.000Z"],
    ]);
    const [a, b] = [JSON.parse(fromFile.stdout), JSON.parse(viaDb.stdout)];
    expect(a.fills).toBeGreaterThan(10);
    expect([b.iterations, b.orders, b.fills, b.fees, b.finalPortfolioValue]).toEqual([a.iterations, a.orders, a.fills, a.fees, a.finalPortfolioValue]);
    const trades = readFileSync(join(outData, "trades.csv"), "utf8");
    expect(readFileSync(join(outDb, "trades.csv"), "utf8")).toBe(trades);
    // Run again: all from the cache, so no request and no key needed.
    const m = gw.log.length;
    const hit = await cli(
      ["backtest", "examples/mes-momentum-sma9.ts", "--databento", "GLBX.MDP3", "--symbols", "MES", "--cache", cache, ...window, "--out", outHit, "--json"],
      { DATABENTO_API_KEY: "" },
    );
    expect([hit.status, gw.log.length - m]).toEqual([0, 0]);
    expect(readFileSync(join(outHit, "trades.csv"), "utf8")).toBe(trades);
  });

  it("refuses --databento with --data or without --symbols", () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, "backtest", "examples/mes-momentum-sma9.ts", ...args], { cwd: REPO, encoding: "utf8", env: env() });
    const both = run(["--databento", "GLBX.MDP3", "--symbols", "MES", "--data", sourcePath]);
    expect([both.status, both.stderr]).toEqual([1, expect.stringContaining("[ERR_ARGUMENT] --databento")]);
    const none = run(["--databento", "GLBX.MDP3"]);
    expect([none.status, none.stderr]).toEqual([1, expect.stringContaining("[ERR_ARGUMENT] --databento needs --symbols")]);
  });
});
