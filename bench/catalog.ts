// The lazy catalog in numbers: generating N stocks × a year of NYSE minutes (`generateStocks`, the
// engine of `ferrobt generate DIR --symbols N`), then a scan touching every symbol's columns once, in
// a fresh process each, with the memory budget at a fifth of the data and unlimited: wall time, peak
// RSS growth against the budget (what stays above it is the fixed overhead plus evicted columns whose
// views V8 has not collected yet), loads and evictions, bytes read from disk against the catalog's size.
// Full runs add 500 symbols (≈ 48 M bars) with a 2 GiB budget and unlimited. Then, on a year of 100
// symbols (20 in quick runs), backtests reading 20 minute bars of every symbol once a day (no orders)
// and the multi-asset example (examples/momentum-top10.ts: every symbol ranked daily by 20-day
// momentum from day bars resampled from minutes), budget at a fifth and unlimited, and the example on
// the 500 symbols with 2 GiB and unlimited (full runs): wall time, peak RSS against the budget, loads,
// bytes read against the catalog's size, and whether the trades equal the unlimited run's.
// Standalone: node --import tsx bench/catalog.ts [--quick]; prints the figures as one JSON line.
// Reports; never asserts.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";

const quick = process.argv.includes("--quick");
const cache = join(import.meta.dirname, ".cache");
const MIB = 2 ** 20;

/** One scan's figures (from the child process). */
export interface ScanFigures {
  symbols: number;
  budgetBytes: number | null;
  columnBytes: number;
  catalogBytes: number;
  bytesRead: number;
  footerBytesRead: number;
  loads: number;
  evictions: number;
  peakBytesResident: number;
  /** Peak RSS (maxRSS) before the scan, after opening the catalog and a warm-up load. */
  rssBefore: number;
  /** Peak RSS after the scan. */
  rssPeak: number;
  openMs: number;
  scanMs: number;
}

/** The child: opens `dir`, warms up on one symbol, scans every symbol once; prints {@link ScanFigures}. */
async function scanChild(dir: string, budget: string): Promise<void> {
  const { Catalog } = await import("../ts/src/index.js");
  const budgetMb = budget === "unlimited" ? undefined : Number(budget) / MIB;
  const t0 = performance.now();
  const catalog = Catalog.openSync(dir, { memoryBudgetMb: budgetMb });
  const openMs = performance.now() - t0;
  const symbols = catalog.symbols();
  let columnBytes = 0;
  for (const s of symbols) columnBytes += (catalog.footerSpan(s)?.rows ?? 0) * 56;
  // Warm-up: polars' code paged in, its threads started, the allocator's first arenas mapped.
  catalog.columns(symbols[0]);
  catalog.evictAll();
  const warm = catalog.stats;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const t1 = performance.now();
  let checksum = 0;
  for (const s of symbols) {
    const close = catalog.columns(s).close;
    for (let i = 0; i < close.length; i += 97) checksum += close[i];
  }
  const scanMs = performance.now() - t1;
  const stats = catalog.stats;
  const figures: ScanFigures = {
    symbols: symbols.length,
    budgetBytes: Number.isFinite(stats.budgetBytes) ? stats.budgetBytes : null,
    columnBytes,
    catalogBytes: stats.catalogBytes,
    bytesRead: stats.bytesRead - warm.bytesRead,
    footerBytesRead: stats.footerBytesRead,
    loads: stats.loads - warm.loads,
    evictions: stats.evictions - warm.evictions,
    peakBytesResident: stats.peakBytesResident,
    rssBefore,
    rssPeak: process.resourceUsage().maxRSS * 1024,
    openMs,
    scanMs,
  };
  process.stdout.write(`${JSON.stringify({ ...figures, checksum })}\n`);
}

/** The child: a backtest over `dir` that reads 20 minute bars of every symbol once a day (no orders). */
async function backtestChild(dir: string, budget: string): Promise<void> {
  const { Asset, Backtest, Catalog, Strategy } = await import("../ts/src/index.js");
  const catalog = Catalog.openSync(dir, { memoryBudgetMb: budget === "unlimited" ? undefined : Number(budget) / MIB });
  const symbols = catalog.symbols();
  class TouchAll extends Strategy {
    override sleeptime = "1D";
    override initialize() {
      this.setMarket("NYSE");
    }
    override onTradingIteration() {
      for (const s of symbols) this.getHistoricalPrices(Asset.stock(s), 20, "minute");
    }
  }
  const [start, end] = quick ? ["2024-02-01T09:30", "2024-03-28T16:00"] : ["2024-02-01T09:30", "2024-12-31T16:00"];
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  const result = new Backtest(new TouchAll(), { data: catalog, start, end }).run();
  const ms = performance.now() - t;
  const stats = catalog.stats;
  const figures: BacktestFigures = {
    symbols: symbols.length,
    iterations: result.iterations,
    budgetBytes: Number.isFinite(stats.budgetBytes) ? stats.budgetBytes : null,
    catalogBytes: stats.catalogBytes,
    bytesRead: stats.bytesRead,
    loads: stats.loads,
    evictions: stats.evictions,
    rssBefore,
    rssPeak: process.resourceUsage().maxRSS * 1024,
    ms,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** The child: examples/momentum-top10.ts over 2024 on the catalog `dir` (its every symbol the universe). */
async function momentumChild(dir: string, budget: string): Promise<void> {
  // The example imports "ferrobt" (dist/): the engine it runs on must be the same.
  const { Backtest, Catalog } = await import("../dist/index.js");
  const { compiledStrategyUrl } = await import("../dist/cli/compile.js");
  const { default: MomentumTop10 } = await import(await compiledStrategyUrl(join(import.meta.dirname, "../examples/momentum-top10.ts")));
  const catalog = Catalog.openSync(dir, { memoryBudgetMb: budget === "unlimited" ? undefined : Number(budget) / MIB });
  const symbols = [...catalog.symbols()];
  let columnBytes = 0;
  for (const s of symbols) columnBytes += (catalog.footerSpan(s)?.rows ?? 0) * 56;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  const result = new Backtest(new MomentumTop10(), { data: catalog, start: "2024-02-01T09:30", end: "2024-12-31T16:00", parameters: { symbols } }).run();
  const ms = performance.now() - t;
  const stats = catalog.stats;
  const figures: MomentumFigures = {
    symbols: symbols.length,
    iterations: result.iterations,
    fills: result.fillCount,
    budgetBytes: Number.isFinite(stats.budgetBytes) ? stats.budgetBytes : null,
    columnBytes,
    catalogBytes: stats.catalogBytes,
    bytesRead: stats.bytesRead,
    loads: stats.loads,
    evictions: stats.evictions,
    peakBytesResident: stats.peakBytesResident,
    rssBefore,
    rssPeak: process.resourceUsage().maxRSS * 1024,
    ms,
    tradesSha256: createHash("sha256").update(result.tradeLog.toCsv()).digest("hex"),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** A momentum run's figures (from the child process). */
export interface MomentumFigures {
  symbols: number;
  iterations: number;
  fills: number;
  budgetBytes: number | null;
  /** The catalog's bars × 56 bytes (all of its columns). */
  columnBytes: number;
  catalogBytes: number;
  bytesRead: number;
  loads: number;
  evictions: number;
  peakBytesResident: number;
  rssBefore: number;
  rssPeak: number;
  ms: number;
  tradesSha256: string;
}

/** A backtest's figures (from the child process). */
export interface BacktestFigures {
  symbols: number;
  iterations: number;
  budgetBytes: number | null;
  catalogBytes: number;
  bytesRead: number;
  loads: number;
  evictions: number;
  rssBefore: number;
  rssPeak: number;
  ms: number;
}

/** What {@link main} prints. */
export interface CatalogBench {
  quick: boolean;
  runs: { generated: Generated; fifth?: ScanFigures; unlimited: ScanFigures; twoGiB?: ScanFigures }[];
  /** Backtests reading every symbol daily on a year of 100 symbols (20 in quick runs): budget at a fifth, and unlimited. */
  backtests?: { fifth: BacktestFigures; unlimited: BacktestFigures };
  /** The momentum example over 2024, per universe size: under a budget (a fifth, or 2 GiB), and unlimited. */
  momentum?: { label: string; budgeted: MomentumFigures; unlimited: MomentumFigures }[];
}

/** The report's lines for `bench/results/latest.md`. */
export function formatCatalogBench(bench: CatalogBench): string[] {
  const mib = (b: number) => `${(b / MIB).toFixed(0)} MiB`;
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  const scan = (label: string, f: ScanFigures) => {
    const growth = f.rssPeak - f.rssBefore;
    const budget = f.budgetBytes === null ? "unlimited budget" : `budget ${mib(f.budgetBytes)}`;
    const over = f.budgetBytes === null ? "" : `, ${mib(growth - f.budgetBytes)} above the budget`;
    return (
      `${label} (${budget}): scan ${(f.scanMs / 1000).toFixed(2)} s, peak RSS +${mib(growth)}${over} (columns ${mib(f.columnBytes)}), ` +
      `${f.loads} loads, ${f.evictions} evictions, read ${mb(f.bytesRead)} of ${mb(f.catalogBytes)} (${(f.bytesRead / f.catalogBytes).toFixed(2)}×) + ${(f.footerBytesRead / 1e3).toFixed(0)} kB of footers at open (${f.openMs.toFixed(0)} ms)`
    );
  };
  const lines = [`Catalog (bench/catalog.ts; each scan in a fresh process, touching every symbol once):`, ``];
  for (const r of bench.runs) {
    const g = r.generated;
    lines.push(`- generate ${g.symbols} stocks ${g.start} → ${g.end}: ${g.bars.toLocaleString("en-US")} bars, ${mb(g.bytes)} in ${(g.ms / 1000).toFixed(1)} s`);
    if (r.fifth) lines.push(`  - ${scan("a fifth", r.fifth)}`);
    if (r.twoGiB) lines.push(`  - ${scan("2 GiB", r.twoGiB)}`);
    lines.push(`  - ${scan("all", r.unlimited)}`);
  }
  if (bench.backtests) {
    for (const [label, f] of [
      ["a fifth", bench.backtests.fifth],
      ["unlimited", bench.backtests.unlimited],
    ] as const) {
      const budget = f.budgetBytes === null ? "unlimited budget" : `budget ${mib(f.budgetBytes)}`;
      lines.push(
        `- backtest reading 20 minute bars of each of the ${f.symbols} symbols daily (${f.iterations} iterations; ${label}, ${budget}): ${(f.ms / 1000).toFixed(2)} s, ` +
          `peak RSS +${mib(f.rssPeak - f.rssBefore)}, ${f.loads} loads, ${f.evictions} evictions, read ${mb(f.bytesRead)} of ${mb(f.catalogBytes)}`,
      );
    }
  }
  for (const m of bench.momentum ?? []) {
    const same = m.budgeted.tradesSha256 === m.unlimited.tradesSha256 ? "the same trades" : "DIFFERENT trades";
    for (const [label, f] of [
      [m.label, m.budgeted],
      ["unlimited", m.unlimited],
    ] as const) {
      const growth = f.rssPeak - f.rssBefore;
      const budget = f.budgetBytes === null ? "unlimited budget" : `budget ${mib(f.budgetBytes)}`;
      const over = f.budgetBytes === null ? "" : ` (${mib(Math.abs(growth - f.budgetBytes))} ${growth > f.budgetBytes ? "above" : "under"} the budget)`;
      lines.push(
        `- examples/momentum-top10.ts over ${f.symbols} stocks × 2024 (${f.iterations} iterations, ${f.fills} fills; ${label}, ${budget}; columns ${mib(f.columnBytes)}): ${(f.ms / 1000).toFixed(2)} s, ` +
          `peak RSS +${mib(growth)}${over}, ${f.loads} loads, ${f.evictions} evictions, peak resident ${mib(f.peakBytesResident)}, read ${mb(f.bytesRead)} of ${mb(f.catalogBytes)} (${(f.bytesRead / f.catalogBytes).toFixed(2)}×)` +
          (f === m.budgeted ? `; ${same} as unlimited` : ""),
      );
    }
  }
  return lines;
}

const child = <T = ScanFigures>(dir: string, budget: string, mode: "scan" | "backtest" | "momentum" = "scan"): T =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, mode, dir, budget, ...(quick ? ["--quick"] : [])], { encoding: "utf8" })
      .trim()
      .split("\n")
      .pop() as string,
  );

export interface Generated {
  symbols: number;
  start: string;
  end: string;
  bars: number;
  bytes: number;
  ms: number;
}

async function generate(symbols: number, start: string, end: string): Promise<{ dir: string; generated: Generated }> {
  const { generateStocks } = await import("../ts/src/index.js");
  const dir = join(cache, `catalog-${symbols}-${start}-${end}`);
  rmSync(dir, { recursive: true, force: true });
  const t = performance.now();
  const r = generateStocks(dir, { symbols, seed: 42, start, end });
  return { dir, generated: { symbols, start, end, bars: r.bars, bytes: r.bytes, ms: performance.now() - t } };
}

/** Bytes of every bar of the catalog `dir` once loaded (56 a bar), from its footers. */
async function columnBytesOf(dir: string): Promise<number> {
  const { Catalog } = await import("../ts/src/index.js");
  const catalog = Catalog.openSync(dir);
  const bytes = catalog.symbols().reduce((sum, s) => sum + (catalog.footerSpan(s)?.rows ?? 0) * 56, 0);
  catalog.dispose();
  return bytes;
}

async function main(): Promise<void> {
  // 100 symbols: a year (a quarter in quick mode); the budget at a fifth of the columns.
  const [start, end] = quick ? ["2024-01-01", "2024-04-01"] : ["2024-01-01", "2025-01-01"];
  const hundred = await generate(100, start, end);
  const unlimited = child(hundred.dir, "unlimited");
  const fifth = child(hundred.dir, String(Math.floor(unlimited.columnBytes / 5)));
  const runs: CatalogBench["runs"] = [{ generated: hundred.generated, fifth, unlimited }];
  // Backtests on a year of data (the 100 symbols' in full runs, 20 symbols in quick ones): a fifth of a
  // year holds the monthly chunks a daily read of every symbol needs, which a fifth of a quarter does not.
  const year = quick ? await generate(20, "2024-01-01", "2025-01-01") : hundred;
  const fifthOfYear = String(Math.floor((await columnBytesOf(year.dir)) / 5));
  const backtests = {
    fifth: child<BacktestFigures>(year.dir, fifthOfYear, "backtest"),
    unlimited: child<BacktestFigures>(year.dir, "unlimited", "backtest"),
  };
  // The momentum example: its 20-day look-back spans two or three monthly chunks per symbol.
  const momentum: NonNullable<CatalogBench["momentum"]> = [
    {
      label: "a fifth",
      budgeted: child<MomentumFigures>(year.dir, fifthOfYear, "momentum"),
      unlimited: child<MomentumFigures>(year.dir, "unlimited", "momentum"),
    },
  ];
  for (const d of new Set([year.dir, hundred.dir])) rmSync(d, { recursive: true, force: true });
  if (!quick) {
    const five = await generate(500, start, end);
    runs.push({ generated: five.generated, unlimited: child(five.dir, "unlimited"), twoGiB: child(five.dir, String(2 * 1024 * MIB)) });
    momentum.push({
      label: "2 GiB",
      budgeted: child<MomentumFigures>(five.dir, String(2 * 1024 * MIB), "momentum"),
      unlimited: child<MomentumFigures>(five.dir, "unlimited", "momentum"),
    });
    rmSync(five.dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ quick, runs, backtests, momentum })}\n`);
}

// Run as a script (not when bench/run.ts imports the formatter).
if (process.argv[1] === import.meta.filename) {
  if (process.argv[2] === "scan") await scanChild(process.argv[3], process.argv[4]);
  else if (process.argv[2] === "backtest") await backtestChild(process.argv[3], process.argv[4]);
  else if (process.argv[2] === "momentum") await momentumChild(process.argv[3], process.argv[4]);
  else await main();
  process.exit(0);
}
