// The DataBento client against the loopback fake gateway: the request's shape, auth failure, retries
// (429 then success with Retry-After, 5xx until the budget is spent, a cut connection), a DBN answer that
// does not decode, warnings, the cache (miss, hit without a network call or key, partial), the dataset's
// available end, MES resolved to contracts by the roll rule, and the key kept out of messages and files.

import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRanges, missingRanges, nsOfStamp, pathSegment, stampOf, symbolDir } from "../../ts/src/databento/cache.js";
import { contractsFor } from "../../ts/src/databento/symbols.js";
import { BarStore, contractAt, DataBento, type DataBentoOptions, generateSample } from "../../ts/src/index.js";
import { tempDir } from "../helpers/fixtures.js";
import { type FakeGateway, startGateway } from "./gateway.js";

const MIN = 60_000;
const NS = 1_000_000n;
/** 2024-03-04 00:00 ET … the MES roll to MESM4 is 2024-03-05 00:00 ET (05:00 UTC). */
const ROLL = Date.UTC(2024, 2, 5, 5);

let source: BarStore;
let gw: FakeGateway;

beforeAll(async () => {
  const path = join(tempDir(), "mes.parquet");
  generateSample(path, { start: "2024-02-26", end: "2024-03-09" });
  source = await BarStore.open(path);
  gw = await startGateway(source);
});
afterAll(async () => {
  await gw?.close();
  source?.dispose();
});

function client(options: DataBentoOptions = {}): DataBento {
  return new DataBento({ key: gw.key, gateway: gw.url, cacheDir: tempDir("ferrobt-dbcache-"), backoffMs: 2, ...options });
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("expected an error");
}

/** Every file under `dir` (temporary ones included), relative. */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
  } catch {
    return [];
  }
}

/** The source's bars of `symbol` in [fromMs, toMs), to compare with what the cache gives. */
function expected(symbol: string, fromMs: number, toMs: number) {
  const w = source.between(symbol, { start: fromMs, end: toMs });
  return { ts: [...w.timestamps], close: [...w.close], volume: [...w.volume] };
}

function actual(store: BarStore, symbol: string) {
  const c = store.columns(symbol);
  return { ts: [...c.timestamps], close: [...c.close], volume: [...c.volume] };
}

const T0 = Date.UTC(2024, 1, 27, 14, 30);
const T1 = Date.UTC(2024, 1, 28, 21, 0);

describe("DataBento client", () => {
  it("a miss sends one get_range of the DataBento shape per symbol and caches DBN the store reads", async () => {
    const db = client();
    const n = gw.ranges.length;
    const report = await db.fetch({ dataset: "GLBX.MDP3", symbols: ["MESH4", "MESM4"], start: T0, end: T1 });
    const sent = gw.ranges.slice(n);
    expect(sent.map((r) => [r.symbols, r.startNs, r.endNs])).toEqual([
      [["MESH4"], BigInt(T0) * NS, BigInt(T1) * NS],
      [["MESM4"], BigInt(T0) * NS, BigInt(T1) * NS],
    ]);
    expect(sent[0].form).toMatchObject({ stype_in: "raw_symbol", encoding: "dbn", compression: "zstd", schema: "ohlcv-1m", dataset: "GLBX.MDP3" });
    expect(sent[0].form.start).toBe("2024-02-27T14:30:00.000000000Z");
    expect(report.requests).toBe(3); // the dataset range once, then one get_range per symbol
    expect(report.files.map((f) => f.slice(db.cacheDir.length))).toEqual([
      "/GLBX.MDP3/ohlcv-1m/MESH4/20240227T143000Z_20240228T210000Z.dbn.zst",
      "/GLBX.MDP3/ohlcv-1m/MESM4/20240227T143000Z_20240228T210000Z.dbn.zst",
    ]);
    const store = await db.open({ dataset: "GLBX.MDP3", symbols: "MESH4,MESM4", start: T0, end: T1 });
    expect(store.symbols()).toEqual(["MESH4", "MESM4"]);
    for (const s of ["MESH4", "MESM4"]) expect(actual(store, s)).toEqual(expected(s, T0, T1));
    expect(actual(store, "MESH4").ts.length).toBeGreaterThan(1000);
  });

  it("a hit makes no request at all and needs no key; a partial fetches only the missing ranges", async () => {
    const db = client();
    await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    const offline = new DataBento({ key: "", gateway: "http://127.0.0.1:9", cacheDir: db.cacheDir });
    const n = gw.log.length;
    const hit = await offline.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0 + 60 * MIN, end: T1 - 60 * MIN });
    expect([hit.requests, gw.log.length - n, hit.files.length]).toEqual([0, 0, 1]);

    const [a, b] = [T0 - 600 * MIN, T1 + 900 * MIN];
    const m = gw.ranges.length;
    const partial = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: a, end: b });
    expect(gw.ranges.slice(m).map((r) => [r.startNs, r.endNs])).toEqual([
      [BigInt(a) * NS, BigInt(T0) * NS],
      [BigInt(T1) * NS, BigInt(b) * NS],
    ]);
    expect(partial.symbols[0].fetched).toEqual([
      [BigInt(a) * NS, BigInt(T0) * NS],
      [BigInt(T1) * NS, BigInt(b) * NS],
    ]);
    const store = await db.open({ dataset: "GLBX.MDP3", symbols: "MESH4", start: a, end: b });
    expect(actual(store, "MESH4")).toEqual(expected("MESH4", a, b));
    const again = gw.ranges.length;
    await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: a, end: b });
    expect(gw.ranges.length).toBe(again);
  });

  it("resolves the MES root to the contracts of the roll rule, each over the span it owns", async () => {
    const db = client();
    const [start, end] = [ROLL - 3 * 86_400_000, ROLL + 2 * 86_400_000];
    expect(contractAt("MES", start).symbol).toBe("MESH4");
    const n = gw.ranges.length;
    const report = await db.fetch({ dataset: "GLBX.MDP3", symbols: ["MES"], start, end });
    expect(gw.ranges.slice(n).map((r) => [r.symbols[0], r.startNs, r.endNs])).toEqual([
      ["MESH4", BigInt(start) * NS, BigInt(ROLL) * NS],
      ["MESM4", BigInt(ROLL) * NS, BigInt(end) * NS],
    ]);
    expect(report.symbols.map((s) => [s.symbol, s.root])).toEqual([
      ["MESH4", "MES"],
      ["MESM4", "MES"],
    ]);
    const store = await db.open({ dataset: "GLBX.MDP3", symbols: "MES", start, end });
    expect(actual(store, "MESH4")).toEqual(expected("MESH4", start, ROLL));
    expect(actual(store, "MESM4")).toEqual(expected("MESM4", ROLL, end));
    // Over a year: the four quarterly contracts and the next, at the spec's 2024 roll instants (§6.1).
    expect(contractsFor("MES", Date.UTC(2024, 0, 3), Date.UTC(2025, 0, 3)).map((r) => [r.symbol, new Date(r.endMs).toISOString()])).toEqual([
      ["MESH4", "2024-03-05T05:00:00.000Z"],
      ["MESM4", "2024-06-11T04:00:00.000Z"],
      ["MESU4", "2024-09-10T04:00:00.000Z"],
      ["MESZ4", "2024-12-10T05:00:00.000Z"],
      ["MESH5", "2025-01-03T00:00:00.000Z"],
    ]);
    // Raw symbols and symbols of other datasets are not roots.
    expect(contractsFor("ES", ROLL - MIN, ROLL + MIN).map((r) => r.symbol)).toEqual(["ESH4", "ESM4"]);
  });

  it("an auth failure is ERR_AUTH without the key in the message, and nothing is cached", async () => {
    const db = client({ key: "db-WRONGKEY-secret-42" });
    const e = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    expect(e.code).toBe("ERR_AUTH");
    expect(e.message).toContain("HTTP 401: Authentication failed.");
    expect(e.message).not.toContain("WRONGKEY");
    expect(filesUnder(db.cacheDir)).toEqual([]);
    const none = new DataBento({ key: "", gateway: gw.url, cacheDir: db.cacheDir });
    const n = gw.log.length;
    expect((await codeOf(none.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }))).code).toBe("ERR_AUTH");
    expect(gw.log.length).toBe(n);
  });

  it("retries a 429 after its Retry-After, then caches the answer", async () => {
    const db = client();
    await db.datasetRange("GLBX.MDP3");
    const events: string[] = [];
    const db2 = new DataBento({ key: gw.key, gateway: gw.url, cacheDir: db.cacheDir, backoffMs: 2, onEvent: (e) => events.push(e.type) });
    gw.plan({ status: 429, detail: "Too many requests", retryAfter: "1" });
    const n = gw.ranges.length;
    const t = performance.now();
    const report = await db2.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    expect(performance.now() - t).toBeGreaterThan(950);
    expect(gw.ranges.length - n).toBe(2);
    expect(events).toEqual(["request", "retry", "request", "cached"]);
    expect(actual(await BarStore.open([...report.files]), "MESH4")).toEqual(expected("MESH4", T0, T1));
  });

  it("gives up on 5xx after the retry budget with ERR_GATEWAY, and on a connection cut mid-body with ERR_NETWORK; nothing is cached", async () => {
    const db = client({ retries: 3 });
    gw.plan({ status: 503, detail: "Service unavailable", forever: true });
    const n = gw.ranges.length;
    const e = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    gw.reset();
    expect(gw.ranges.length - n).toBe(4);
    expect([e.code, e.message]).toEqual(["ERR_GATEWAY", expect.stringContaining("HTTP 503: Service unavailable; gave up after 4 attempts")]);
    expect(filesUnder(db.cacheDir)).toEqual([]);
    gw.reset();

    gw.plan({ cut: true, forever: true });
    const m = gw.ranges.length;
    const cut = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    gw.reset();
    expect(gw.ranges.length - m).toBe(4);
    expect(cut.code).toBe("ERR_NETWORK");
    expect(cut.message).toMatch(/the answer was cut after \d+ bytes/);
    expect(filesUnder(db.cacheDir)).toEqual([]); // no final file and no temporary one

    // One cut, then a whole answer: retried and cached.
    gw.plan({ cut: true });
    const ok = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    expect(actual(await BarStore.open([...ok.files]), "MESH4")).toEqual(expected("MESH4", T0, T1));
  });

  it("a body that stops coming fails after the idle timeout with ERR_NETWORK, nothing cached", async () => {
    const db = client({ timeoutMs: 150, retries: 1 });
    gw.plan({ stall: true }, { stall: true });
    const t = performance.now();
    const e = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    expect(performance.now() - t).toBeGreaterThan(290);
    expect([e.code, e.message]).toEqual(["ERR_NETWORK", expect.stringMatching(/cut after \d+ bytes \(no data for 150 ms\); gave up after 2 attempts/)]);
    expect(filesUnder(db.cacheDir)).toEqual([]);
  });

  it("a whole HTTP answer whose DBN is cut is ERR_GATEWAY and leaves nothing in the cache", async () => {
    const db = client();
    gw.plan({ corrupt: true });
    const e = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    expect([e.code, e.message]).toEqual(["ERR_GATEWAY", expect.stringContaining("not readable DBN (ERR_DBN")]);
    expect(filesUnder(db.cacheDir)).toEqual([]);
  });

  it("surfaces X-Warning headers in the report and to onWarning", async () => {
    const seen: string[] = [];
    const db = client({ onWarning: (w) => seen.push(`${w.kind}|${w.message}|${w.symbol}`) });
    gw.plan({ warnings: ["Warning: Reduced quality data on 2024-02-27", "DeprecationWarning: stype_out is deprecated"] });
    const report = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    expect(report.warnings.map((w) => [w.kind, w.message])).toEqual([
      ["Warning", "Reduced quality data on 2024-02-27"],
      ["DeprecationWarning", "stype_out is deprecated"],
    ]);
    expect(seen).toEqual(["Warning|Reduced quality data on 2024-02-27|MESH4", "DeprecationWarning|stype_out is deprecated|MESH4"]);
  });

  it("fetches up to the dataset's available end, and the rest once it is there; an empty range is cached as such", async () => {
    const db = client();
    const saved = gw.availableEndNs;
    try {
      const cutAt = T0 + 120 * MIN;
      gw.availableEndNs = BigInt(cutAt) * NS;
      const first = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
      expect(first.symbols[0].fetched).toEqual([[BigInt(T0) * NS, BigInt(cutAt) * NS]]);
      expect(first.warnings.map((w) => w.kind)).toEqual(["Client"]);
      expect(first.warnings[0].message).toContain("GLBX.MDP3 has data up to 2024-02-27T16:30:00.000000000Z");
      gw.availableEndNs = saved;
      const later = client({ cacheDir: db.cacheDir });
      const second = await later.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
      expect(second.symbols[0].fetched).toEqual([[BigInt(cutAt) * NS, BigInt(T1) * NS]]);
      expect(actual(await later.open({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }), "MESH4")).toEqual(expected("MESH4", T0, T1));
    } finally {
      gw.availableEndNs = saved;
    }
    // Before the dataset's start: asked from its start.
    const early = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: Date.UTC(2009, 0, 1), end: T0 });
    expect(early.symbols[0].fetched).toEqual([[BigInt(Date.UTC(2010, 5, 6)) * NS, BigInt(T0) * NS]]);
    // A symbol the gateway has no bars for: the empty answer is kept (no refetch), and reading it is ERR_NO_DATA.
    const n = gw.ranges.length;
    const empty = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESU4", start: T0, end: T1 });
    expect([empty.files, gw.ranges.length - n]).toEqual([[], 1]);
    expect(listRanges(symbolDir(db.cacheDir, "GLBX.MDP3", "ohlcv-1m", "MESU4")).map((r) => r.empty)).toEqual([true]);
    expect((await codeOf(db.open({ dataset: "GLBX.MDP3", symbols: "MESU4", start: T0, end: T1 }))).code).toBe("ERR_NO_DATA");
    expect(gw.ranges.length - n).toBe(1);
  });

  it("deletes a cached file damaged on disk and fetches it again when opening", async () => {
    const db = client();
    const report = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    const [file] = report.files;
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const n = gw.ranges.length;
    const { store, report: again } = await db.load({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    expect(gw.ranges.length - n).toBe(1);
    expect(again.warnings.map((w) => w.message)).toEqual([expect.stringContaining("does not read as DBN")]);
    expect(actual(store, "MESH4")).toEqual(expected("MESH4", T0, T1));
  });

  it("reads overlapping cache files (left by fetches racing) without duplicate bars, and skips one inside another", async () => {
    const [a, b] = [client(), client()];
    await a.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 });
    const other = await b.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0 + 60 * MIN, end: T1 + 60 * MIN });
    const inner = await b.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0 + 60 * MIN, end: T1 + 60 * MIN }); // a hit: same file
    expect(inner.requests).toBe(0);
    const dir = symbolDir(a.cacheDir, "GLBX.MDP3", "ohlcv-1m", "MESH4");
    copyFileSync(other.files[0], join(dir, basename(other.files[0])));
    const c = client();
    await c.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0 + 120 * MIN, end: T0 + 180 * MIN });
    const innerFile = (await c.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0 + 120 * MIN, end: T0 + 180 * MIN })).files[0];
    copyFileSync(innerFile, join(dir, basename(innerFile)));
    const n = gw.ranges.length;
    const { store, report } = await a.load({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 + 60 * MIN });
    expect([gw.ranges.length - n, report.overlap, report.files.length]).toEqual([0, true, 2]);
    expect(actual(store, "MESH4")).toEqual(expected("MESH4", T0, T1 + 60 * MIN));
  });

  it("never writes or prints the key", async () => {
    const db = client();
    gw.plan({ status: 500, detail: `echo ${gw.key}` }, { status: 400, detail: `bad request from ${gw.key}` });
    const e = await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: T0, end: T1 }));
    expect(e.code).toBe("ERR_GATEWAY");
    expect(e.message).toContain("bad request from ***");
    expect(e.message).not.toContain(gw.key);
    await db.fetch({ dataset: "GLBX.MDP3", symbols: ["MES", "MESM4"], start: T0, end: T1 });
    const files = filesUnder(db.cacheDir);
    expect(files.length).toBe(2);
    const b64 = Buffer.from(`${gw.key}:`).toString("base64");
    for (const f of files) {
      const bytes = readFileSync(join(db.cacheDir, f));
      expect(bytes.includes(gw.key)).toBe(false);
      expect(bytes.includes(b64)).toBe(false);
      expect(f).not.toContain(gw.key);
    }
    expect(JSON.stringify(db)).not.toContain(gw.key);
    expect(inspect(db, { showHidden: true, depth: 5 })).not.toContain(gw.key);
  });

  it("checks its arguments", async () => {
    const db = client();
    expect((await codeOf(db.fetch({ dataset: "glbx", symbols: "X", start: T0, end: T1 }))).code).toBe("ERR_ARGUMENT");
    expect((await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "", start: T0, end: T1 }))).code).toBe("ERR_ARGUMENT");
    expect((await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "X", schema: "mbo" as "ohlcv-1m", start: T0, end: T1 }))).code).toBe("ERR_ARGUMENT");
    expect((await codeOf(db.fetch({ dataset: "GLBX.MDP3", symbols: "X", start: T1, end: T0 }))).code).toBe("ERR_ARGUMENT");
    expect(() => new DataBento({ gateway: "ftp://x" })).toThrow(/not an http/);
    // ns bigints and Dates are times too (a fraction of a ms is kept to the float's precision).
    const r = await db.fetch({ dataset: "GLBX.MDP3", symbols: "MESH4", start: BigInt(T0) * NS + 500_000n, end: new Date(T0 + 5 * MIN) });
    expect(r.symbols[0].startNs).toBe(BigInt(T0) * NS + 500_000n);
    expect(r.files.length).toBe(1);
  });
});

describe("DataBento cache layout", () => {
  it("names files by UTC range, encodes unsafe symbol bytes, and finds the missing ranges", () => {
    for (const ns of [0n, 1_709_614_800_000_000_000n, 1_709_614_800_000_000_123n]) expect(nsOfStamp(stampOf(ns))).toBe(ns);
    expect(stampOf(1_709_614_800_000_000_000n)).toBe("20240305T050000Z");
    expect(nsOfStamp("20240230T000000Z")).toBeUndefined();
    expect(pathSegment("BRN FMJ0024!")).toBe("BRN%20FMJ0024%21");
    expect(pathSegment("../x/y")).toBe("%2E.%2Fx%2Fy");
    const r = (s: number, e: number) => ({ path: "", startNs: BigInt(s), endNs: BigInt(e), empty: false });
    expect(missingRanges([], 0n, 10n)).toEqual([[0n, 10n]]);
    expect(missingRanges([r(2, 4), r(3, 6), r(8, 9)], 0n, 10n)).toEqual([
      [0n, 2n],
      [6n, 8n],
      [9n, 10n],
    ]);
    expect(missingRanges([r(0, 10)], 2n, 5n)).toEqual([]);
    expect(missingRanges([r(0, 3), r(3, 10)], 0n, 10n)).toEqual([]);
  });
});
