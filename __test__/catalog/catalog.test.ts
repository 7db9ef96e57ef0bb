// The lazy catalog: symbols listed without loading, loads on first use, eviction under a budget with
// byte-identical reloads and views that survive it, the budget and layout errors, the stock generator
// (determinism, NYSE sessions), `catalog build` (function and CLI), and backtests that give the same
// trade log on a catalog under a tiny budget as on BarStore.open.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import MESMomentumSMA9 from "../../examples/mes-momentum-sma9.js";
import { Backtest, type BarColumnsView, BarStore, buildCatalog, Catalog, generateSample, generateStocks, Strategy } from "../../ts/src/index.js";
import { nyParts, nyToUtc } from "../../ts/src/util/nytime.js";
import { IN_CI, REPO, tempDir, thrown } from "../helpers/fixtures.js";

const MIB = 2 ** 20;
const CLI = join(REPO, "dist/cli/main.js");
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8" });

/** Every data file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".parquet")).sort();
}

/** The columns of a symbol as one byte string, for exact comparisons. */
function bytesOf(source: { columns(s: string): BarColumnsView }, symbol: string): string {
  const c = source.columns(symbol);
  return [c.timestamps, c.timesMs, c.open, c.high, c.low, c.close, c.volume]
    .map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"))
    .join("|");
}

describe("catalog of generated stocks", () => {
  let dir: string;
  let store: BarStore;
  let sizes: Map<string, number>;
  beforeAll(() => {
    dir = join(tempDir(), "stocks");
    generateStocks(dir, { symbols: 6, seed: 9, start: "2024-03-04", end: "2024-03-09" });
    store = BarStore.openSync(join(dir, "symbol=*/year=*/*.parquet"));
    sizes = new Map(store.symbols().map((s) => [s, store.size(s) * 56]));
  });

  it("lists the symbols from the layout without reading a bar, and loads one on first use", () => {
    const catalog = Catalog.openSync(dir);
    expect(catalog.symbols()).toEqual(store.symbols());
    expect(catalog.stats).toMatchObject({ symbols: 6, files: 6, loads: 0, bytesRead: 0, bytesResident: 0, budgetBytes: Number.POSITIVE_INFINITY });
    expect(catalog.stats.footerBytesRead).toBeLessThan(catalog.stats.catalogBytes / 5);
    const [a, b] = catalog.symbols();
    expect(catalog.footerSpan(a)).toEqual({ rows: store.size(a), firstMs: store.columns(a).timesMs[0], lastMs: store.columns(a).timesMs.at(-1) });
    expect(catalog.isResident(a)).toBe(false);
    expect(bytesOf(catalog, a)).toBe(bytesOf(store, a));
    expect(catalog.stats).toMatchObject({ loads: 1, residentSymbols: 1, bytesResident: sizes.get(a) });
    catalog.countBefore(a, Date.UTC(2024, 2, 5, 15));
    catalog.window(b, { end: Date.UTC(2024, 2, 6, 15), length: 30 });
    expect(catalog.stats.loads).toBe(2);
    catalog.countAtOrBefore(a, Date.UTC(2024, 2, 5, 15));
    expect(catalog.stats.loads).toBe(2);
    catalog.dispose();
    expect(thrown(() => catalog.symbols()).code).toBe("ERR_DISPOSED");
  });

  it("a backtest reading every symbol under a tiny budget gives the unlimited run's trades and keeps no evicted bars alive", async () => {
    /** Every half hour: the last price and a 5-bar mean of each stock; holds 10 shares of the one most above its mean. */
    class Dearest extends Strategy {
      override sleeptime = "30M";
      readonly seen: number[] = [];
      private held: string | undefined;
      override initialize(): void {
        this.setMarket("NYSE");
      }
      override onTradingIteration(): void {
        let best: string | undefined;
        let bestPrice = -Infinity;
        for (const symbol of store.symbols()) {
          const last = this.getLastPrice(symbol);
          const bars = this.getHistoricalPrices(symbol, 5, "minute");
          if (last === undefined || !bars) continue;
          let sum = 0;
          for (const c of bars.close) sum += c;
          const mean = sum / bars.length;
          this.seen.push(last, mean);
          if (last / mean > bestPrice) [best, bestPrice] = [symbol, last / mean];
        }
        if (best === undefined || best === this.held) return;
        if (this.held) this.submitOrder(this.createOrder(this.held, 10, "sell"));
        this.submitOrder(this.createOrder(best, 10, "buy"));
        this.held = best;
      }
    }
    const window = { start: "2024-03-05T09:30", end: "2024-03-08T16:00" };
    const runOn = (data: BarStore | Catalog) => {
      const strategy = new Dearest();
      return { strategy, result: new Backtest(strategy, { data, ...window }).run() };
    };
    const expected = runOn(store);
    expect(expected.result.fillCount).toBeGreaterThan(2);
    const tiny = Catalog.openSync(dir, { memoryBudgetMb: (Math.max(...sizes.values()) * 1.5) / MIB });
    expect(tiny.evicts).toBe(true);
    expect(Catalog.openSync(dir).evicts).toBe(false);
    const [first] = tiny.symbols();
    const firstClose = new WeakRef(tiny.columns(first).close);
    const got = runOn(tiny);
    expect(got.result.tradeLog.toCsv()).toBe(expected.result.tradeLog.toCsv());
    expect(got.strategy.seen).toEqual(expected.strategy.seen);
    expect(tiny.stats.evictions).toBeGreaterThan(50);
    expect(tiny.isResident(first)).toBe(false);
    // The run (still referenced) keeps none of the evicted symbol's arrays: they are collected.
    await new Promise((r) => setTimeout(r, 0));
    globalThis.gc?.();
    expect(globalThis.gc).toBeDefined();
    expect(firstClose.deref()).toBeUndefined();
    expect(got.result.iterations).toBeGreaterThan(40);
    tiny.dispose();
  });

  it("a backtest loads only the symbols its strategy reads (the window check reads the footers)", () => {
    const catalog = Catalog.openSync(dir);
    const [first] = catalog.symbols();
    const closes: number[] = [];
    class OneSymbol extends Strategy {
      override initialize(): void {
        this.setMarket("NYSE");
      }
      override onTradingIteration(): void {
        const last = this.getLastPrice(first);
        if (last !== undefined) closes.push(last);
      }
    }
    const result = new Backtest(new OneSymbol(), { data: catalog, start: "2024-03-05T09:30", end: "2024-03-05T16:00" }).run();
    expect(result.iterations).toBeGreaterThan(300);
    expect(closes.length).toBe(result.iterations);
    expect(catalog.stats).toMatchObject({ loads: 1, residentSymbols: 1, bytesResident: sizes.get(first) });
    catalog.dispose();
  });

  it("evicts least recently used symbols under the budget; windows after reloads are byte-identical", () => {
    const largest = Math.max(...sizes.values());
    const budgetMb = (2.5 * largest) / MIB;
    const catalog = Catalog.openSync(dir, { memoryBudgetMb: budgetMb });
    const symbols = catalog.symbols();
    let seed = 1;
    const rand = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const from = Date.UTC(2024, 2, 4, 14, 30),
      to = Date.UTC(2024, 2, 9);
    for (let q = 0; q < 600; q++) {
      const s = symbols[Math.floor(rand() * symbols.length)];
      const end = from + Math.floor((rand() * (to - from)) / 60_000) * 60_000;
      const length = 1 + Math.floor(rand() * 400);
      const w = catalog.window(s, { end, length });
      const e = store.window(s, { end, length });
      expect([w.start, w.end]).toEqual([e.start, e.end]);
      expect(
        Buffer.from(w.close.buffer, w.close.byteOffset, w.close.byteLength).equals(Buffer.from(e.close.buffer, e.close.byteOffset, e.close.byteLength)),
      ).toBe(true);
      expect(catalog.lastBar(s, { atOrBefore: end })).toEqual(store.lastBar(s, { atOrBefore: end }));
      expect(catalog.stats.bytesResident).toBeLessThanOrEqual(budgetMb * MIB);
    }
    const stats = catalog.stats;
    expect(stats.evictions).toBeGreaterThan(50);
    expect(stats.loads).toBe(stats.evictions + stats.residentSymbols);
    expect(stats.peakBytesResident).toBeLessThanOrEqual(budgetMb * MIB);
    for (const s of symbols) expect(bytesOf(catalog, s)).toBe(bytesOf(store, s));
    catalog.dispose();
  });

  it("keeps columns valid after their symbol is evicted, and lets V8 free them once dropped", async () => {
    const gc = globalThis.gc!;
    const [a, ...others] = store.symbols();
    const catalog = Catalog.openSync(dir, { memoryBudgetMb: (1.2 * Math.max(...sizes.values())) / MIB });
    let view: Float64Array | undefined = catalog.columns(a).close;
    const copy = Float64Array.from(view);
    for (const s of others) catalog.columns(s);
    expect(catalog.isResident(a)).toBe(false);
    expect(catalog.stats.residentSymbols).toBe(1);
    gc();
    expect(view).toEqual(copy);
    const collected = new WeakRef(view);
    view = undefined;
    // Plain V8 arrays: collected by a GC within the same synchronous job's successors, no finalizer turn needed.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(collected.deref(), "the evicted column was garbage-collected").toBeUndefined();
    catalog.dispose();
  });

  it("refuses a symbol that alone exceeds the budget with ERR_BUDGET naming it, its size and the budget", () => {
    const [a] = store.symbols();
    const catalog = Catalog.openSync(dir, { memoryBudgetMb: 0.01 });
    const e = thrown(() => catalog.columns(a));
    expect(e.code).toBe("ERR_BUDGET");
    expect(e.message).toContain(`symbol '${a}' needs ${sizes.get(a)} bytes`);
    expect(e.message).toContain("memory budget is 10485 bytes (0.01 MiB)");
    expect(catalog.stats.bytesRead).toBe(0);
    expect(thrown(() => Catalog.openSync(dir, { memoryBudgetMb: 0 })).code).toBe("ERR_ARGUMENT");
    expect(thrown(() => catalog.columns("NOPE")).code).toBe("ERR_UNKNOWN_SYMBOL");
    catalog.dispose();
  });

  it("reads only start..end, skipping nothing it needs", () => {
    const start = Date.UTC(2024, 2, 6),
      end = Date.UTC(2024, 2, 7);
    const catalog = Catalog.openSync(dir, { start, end });
    for (const s of catalog.symbols()) {
      const expected = store.between(s, { start, end });
      expect(catalog.size(s)).toBe(expected.length);
      expect(Array.from(catalog.columns(s).close)).toEqual(Array.from(expected.close));
    }
    catalog.dispose();
  });

  it("names the file in layout and file errors", () => {
    const bad = join(tempDir(), "bad");
    generateStocks(bad, { symbols: 2, seed: 1, start: "2024-03-04", end: "2024-03-06" });
    writeFileSync(join(bad, "README.txt"), "notes");
    let e = thrown(() => Catalog.openSync(bad));
    expect([e.code, e.message.includes(join(bad, "README.txt"))]).toEqual(["ERR_LAYOUT", true]);
    rmSync(join(bad, "README.txt"));
    const [first, second] = filesUnder(bad);
    const corrupt = join(bad, first.replace("part-00000", "part-00009"));
    writeFileSync(corrupt, "PAR1 garbage, not parquet PAR1");
    e = thrown(() => Catalog.openSync(bad));
    expect([e.code, e.message.includes("part-00009-03.parquet")]).toEqual(["ERR_PARQUET", true]);
    rmSync(corrupt);
    // Another symbol's file in a symbol's place: found when the symbol is read.
    copyFileSync(join(bad, second), join(bad, first.replace("part-00000", "part-00001")));
    const catalog = Catalog.openSync(bad);
    e = thrown(() => catalog.columns(catalog.symbols()[0]));
    expect([e.code, e.message.includes("part-00001-03.parquet"), e.message.includes(catalog.symbols()[1])]).toEqual(["ERR_LAYOUT", true, true]);
    expect(thrown(() => Catalog.openSync(join(bad, "missing"))).code).toBe("ERR_IO");
    catalog.dispose();
  });
});

describe("stock generator", () => {
  it("writes byte-identical files for the same arguments, and others for another seed", () => {
    const root = tempDir();
    const args = { symbols: 3, seed: 5, start: "2024-07-01", end: "2024-07-09" };
    const a = generateStocks(join(root, "a"), args);
    generateStocks(join(root, "b"), args);
    generateStocks(join(root, "c"), { ...args, seed: 6 });
    expect(filesUnder(join(root, "a"))).toEqual(filesUnder(join(root, "b")));
    for (const f of filesUnder(join(root, "a"))) expect(readFileSync(join(root, "a", f)).equals(readFileSync(join(root, "b", f)))).toBe(true);
    expect(filesUnder(join(root, "c"))).not.toEqual(filesUnder(join(root, "a")));
    expect(a.sessions).toBe(5); // July 1, 2, 3 (early close), 5, 8; July 4 is a holiday
    expect(thrown(() => generateStocks(join(root, "a"), args)).code).toBe("ERR_ARGUMENT"); // not empty
  });

  it("follows NYSE sessions: 09:30–16:00 New York, 13:00 on early closes, nothing on holidays", () => {
    const dir = join(tempDir(), "nyse");
    generateStocks(dir, { symbols: 2, seed: 3, start: "2024-07-01", end: "2024-07-09" });
    const catalog = Catalog.openSync(dir);
    for (const s of catalog.symbols()) {
      const days = new Map<string, number[]>();
      for (const t of catalog.columns(s).timesMs) {
        const p = nyParts(t);
        const key = `${p.year}-${p.month}-${p.day}`;
        if (!days.has(key)) days.set(key, []);
        days.get(key)!.push(p.hour * 60 + p.minute);
      }
      expect([...days.keys()]).toEqual(["2024-7-1", "2024-7-2", "2024-7-3", "2024-7-5", "2024-7-8"]);
      for (const [key, minutes] of days) {
        expect(minutes[0]).toBe(570);
        expect(minutes.at(-1)).toBe(key === "2024-7-3" ? 779 : 959);
      }
      const w = catalog.between(s, { start: nyToUtc(2024, 7, 1), end: nyToUtc(2024, 7, 9) });
      for (let i = 0; i < w.length; i++) {
        expect(w.low[i]).toBeLessThanOrEqual(Math.min(w.open[i], w.close[i]));
        expect(w.high[i]).toBeGreaterThanOrEqual(Math.max(w.open[i], w.close[i]));
      }
    }
    catalog.dispose();
  });
});

describe("catalog build", () => {
  it("round-trips what the store reads, per symbol and month", () => {
    const root = tempDir();
    const src = join(root, "mes.parquet");
    generateSample(src, { start: "2023-12-20", end: "2024-01-05" });
    const out = join(root, "catalog");
    const report = buildCatalog(src, out);
    const store = BarStore.openSync(src);
    expect(report.symbols).toEqual(store.symbols());
    expect(filesUnder(out)).toEqual(["symbol=MESH4/year=2023/part-00000-12.parquet", "symbol=MESH4/year=2024/part-00000-01.parquet"]);
    const catalog = Catalog.openSync(out);
    for (const s of store.symbols()) expect(bytesOf(catalog, s)).toBe(bytesOf(store, s));
    catalog.dispose();
    expect(thrown(() => buildCatalog(join(root, "nope.parquet"), join(root, "other"))).message).toContain("nope.parquet");
  });

  it("reads DBN files in the layout (hive or one per symbol) and builds from DBN input", () => {
    const root = tempDir();
    const src = join(root, "mes.parquet");
    generateSample(src, { start: "2024-01-02", end: "2024-01-05" });
    const store = BarStore.openSync(src);
    const hive = join(root, "hive", "symbol=MESH4", "year=2024");
    mkdirSync(hive, { recursive: true });
    store.writeDbn(join(hive, "bars.dbn.zst"));
    const flat = join(root, "flat");
    mkdirSync(flat);
    store.writeDbn(join(flat, "MESH4.dbn.zst"));
    for (const dir of [join(root, "hive"), flat]) {
      const catalog = Catalog.openSync(dir);
      expect(catalog.symbols()).toEqual(["MESH4"]);
      expect(catalog.footerSpan("MESH4")).toBeUndefined(); // DBN has no footer statistics
      expect(bytesOf(catalog, "MESH4")).toBe(bytesOf(store, "MESH4"));
      catalog.dispose();
    }
    // A DBN file named for another symbol than it holds.
    copyFileSync(join(flat, "MESH4.dbn.zst"), join(flat, "MESM4.dbn.zst"));
    const catalog = Catalog.openSync(flat);
    const e = thrown(() => catalog.columns("MESM4"));
    expect([e.code, e.message.includes("MESM4.dbn.zst"), e.message.includes("'MESH4'")]).toEqual(["ERR_LAYOUT", true, true]);
    catalog.dispose();
    const built = join(root, "built");
    buildCatalog(join(hive, "bars.dbn.zst"), built);
    const fromDbn = Catalog.openSync(built);
    expect(bytesOf(fromDbn, "MESH4")).toBe(bytesOf(store, "MESH4"));
    fromDbn.dispose();
  });

  it("keeps DataBento's instrument definitions among the inputs in _definitions/ and serves them", ({ skip }) => {
    const databento = resolve(REPO, "../shared/data/databento/multi-instrument");
    if (!existsSync(databento)) {
      const why = `${databento} is missing (DataBento's files, expected in ../shared beside the clone)`;
      if (IN_CI) throw new Error(`${why}; CI runs every test`);
      skip(`skipped: ${why}`);
    }
    const out = join(tempDir(), "futures");
    const report = buildCatalog(`${databento}/futures_*.dbn.zst`, out);
    const store = BarStore.openSync(`${databento}/futures_*.dbn.zst`);
    expect([report.definitions, report.symbols]).toEqual([1, store.symbols()]);
    expect(readdirSync(join(out, "_definitions"))).toEqual(["00000-futures_definition.dbn.zst"]);
    const catalog = Catalog.openSync(out);
    expect(catalog.symbols()).toEqual(store.symbols());
    expect(catalog.instruments()).toEqual(store.instruments());
    for (const s of store.symbols()) expect(bytesOf(catalog, s)).toBe(bytesOf(store, s));
    catalog.dispose();
  });

  it("runs from the CLI: generate DIR --symbols, catalog build, catalog info", () => {
    const root = tempDir();
    let r = cli(["generate", join(root, "gen"), "--symbols", "3", "--start", "2024-03-04", "--end", "2024-03-06"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote 3 stocks, [\d,]+ bars over 2 NYSE sessions in 3 files/);
    const inputs = filesUnder(join(root, "gen")).map((f) => join(root, "gen", f));
    r = cli(["catalog", "build", ...inputs, "--out", join(root, "built")]);
    expect(r.status, r.stderr).toBe(0);
    expect(filesUnder(join(root, "built")).map((f) => f.replace(/part-\d+/, "part"))).toEqual(
      filesUnder(join(root, "gen")).map((f) => f.replace(/part-\d+/, "part")),
    );
    r = cli(["catalog", "info", join(root, "built"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).symbols).toHaveLength(3);
    r = cli(["catalog", "build", inputs[0], "--out", join(root, "built")]);
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("[ERR_ARGUMENT]")]);
  });
});

describe("backtests on a catalog", () => {
  // Across the MESH4 → MESM4 roll (2024-03-05), so the continuous future reads two symbols.
  const window = { start: "2024-03-04T09:30", end: "2024-03-06T16:00" };
  let paths: string;
  let out: string;
  beforeAll(() => {
    const root = tempDir();
    paths = join(root, "mes.parquet");
    generateSample(paths, { start: "2024-02-25", end: "2024-03-09" });
    out = join(root, "catalog");
    buildCatalog(paths, out);
  });

  it("gives the trade log of BarStore.open, with an unlimited budget and with one forcing evictions", () => {
    const store = BarStore.openSync(paths);
    const expected = new Backtest(new MESMomentumSMA9(), { data: store, ...window }).run();
    expect(expected.fillCount).toBeGreaterThan(10);
    const unlimited = Catalog.openSync(out);
    // Room for the largest monthly chunk of any contract: reading across the roll evicts.
    const chunks = store.symbols().flatMap((s) => unlimited.barRuns(s, -Infinity, Infinity, false, Number.MAX_SAFE_INTEGER));
    const tiny = Catalog.openSync(out, { memoryBudgetMb: (Math.max(...chunks.map((r) => r.length)) * 56 * 1.01) / MIB });
    const ranged = Catalog.openSync(out, { start: Date.UTC(2024, 1, 27), end: Date.UTC(2024, 2, 8) });
    for (const data of [unlimited, tiny, ranged]) {
      const result = new Backtest(new MESMomentumSMA9(), { data, ...window }).run();
      expect(result.tradeLog.toCsv()).toBe(expected.tradeLog.toCsv());
      expect(result.finalPortfolioValue).toBe(expected.finalPortfolioValue);
    }
    expect(tiny.stats.evictions).toBeGreaterThan(0);
    expect(unlimited.stats.evictions).toBe(0);
    expect(ranged.stats.bytesResident).toBeLessThan(unlimited.stats.bytesResident);
    for (const c of [unlimited, tiny, ranged]) c.dispose();
  });

  it("sweeps on a catalog directory (each pool thread opens its own, under the budget) to the parquet's rows", async () => {
    const { sweep } = await import("../../ts/src/research/index.js");
    const common = { strategy: join(REPO, "examples/mes-momentum-sma9.ts"), grid: { sma_period: [9, 14] }, ...window, workers: 2 };
    const onFiles = await sweep({ ...common, data: paths });
    const onCatalog = await sweep({ ...common, data: out, memoryBudgetMb: 1 });
    expect(onFiles.rows.every((r) => r.error === undefined && r.fills > 0)).toBe(true);
    expect(onCatalog.rows).toEqual(onFiles.rows);
  });

  it("runs from the CLI on a catalog directory (--data DIR --memory-budget-mb), with the parquet's trades", () => {
    const run = (data: string, extra: string[]) => {
      const dir = tempDir();
      const r = cli([
        "backtest",
        "examples/mes-momentum-sma9.ts",
        "--data",
        data,
        "--start",
        window.start,
        "--end",
        window.end,
        "--out",
        dir,
        "--json",
        ...extra,
      ]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(join(dir, "trades.csv"), "utf8");
    };
    expect(run(out, ["--memory-budget-mb", "1"])).toBe(run(paths, []));
    const r = cli(["backtest", "examples/mes-momentum-sma9.ts", "--data", out, "--backend", "reference"]);
    expect([r.status, r.stderr]).toEqual([1, expect.stringContaining("is a catalog directory")]);
  });
});
