// A catalog under a memory budget read a time chunk (a monthly file) at a time: windows across chunk
// edges, evictions, trims and reloads give the store's bars byte for byte; a daily ranking of every
// symbol under a fifth of the data gives the store's trades and reads about the catalog's size once;
// a budget below one chunk is ERR_BUDGET.

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Backtest, BarStore, type Bars, Catalog, type FerrobtError, generateStocks, Strategy } from "../../ts/src/index.js";
import { tempDir } from "../helpers/fixtures.js";

const MIB = 2 ** 20;
const DAY = 86_400_000;
const COLUMNS = ["timestamps", "timesMs", "open", "high", "low", "close", "volume"] as const;

/** The bytes of bars [start, end) of some columns, column by column. */
function bytesOf(c: Pick<Bars, (typeof COLUMNS)[number]>): string[] {
  return COLUMNS.map((k) => Buffer.from(c[k].buffer, c[k].byteOffset, c[k].byteLength).toString("hex"));
}

/** Runs joined column by column. */
function joinedBytes(runs: readonly Bars[]): string[] {
  return COLUMNS.map((_, i) => runs.map((r) => bytesOf(r)[i]).join(""));
}

describe("catalog chunks under a memory budget", () => {
  let dir: string;
  let store: BarStore;
  /** Bytes of the largest month of any symbol. */
  let largestMonth: number;
  let columnBytes: number;
  beforeAll(() => {
    dir = join(tempDir(), "stocks");
    generateStocks(dir, { symbols: 8, seed: 21, start: "2024-01-02", end: "2024-11-01" });
    store = BarStore.openSync(join(dir, "symbol=*/year=*/*.parquet"));
    const unlimited = Catalog.openSync(dir);
    largestMonth = 0;
    columnBytes = 0;
    for (const s of store.symbols()) {
      for (const r of unlimited.barRuns(s, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, false, Number.MAX_SAFE_INTEGER)) {
        largestMonth = Math.max(largestMonth, r.length * 56);
        columnBytes += r.length * 56;
      }
    }
    unlimited.dispose();
  });

  it("has a chunk per monthly file, and the whole symbol in them", () => {
    const catalog = Catalog.openSync(dir);
    const [s] = catalog.symbols();
    expect(catalog.files(s).length).toBe(10);
    const runs = catalog.barRuns(s, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, false, Number.MAX_SAFE_INTEGER);
    expect(runs.length).toBe(10);
    expect(joinedBytes(runs)).toEqual(bytesOf(store.columns(s)));
    expect(catalog.stats.loads).toBe(10);
    catalog.dispose();
  });

  it("gives the store's bars for windows across chunk edges, through evictions, trims and reloads", () => {
    const catalog = Catalog.openSync(dir, { memoryBudgetMb: (2.5 * largestMonth) / MIB });
    const symbols = catalog.symbols();
    const first = store.columns(symbols[0]).timesMs[0];
    const last = store.columns(symbols[0]).timesMs.at(-1) as number;
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let q = 0; q < 400; q++) {
      const symbol = symbols[Math.floor(random() * symbols.length)];
      const to = first + Math.floor(random() * (last - first + 2 * DAY)) - DAY;
      const from = random() < 0.4 ? Number.NEGATIVE_INFINITY : to - Math.floor(random() * 70 * DAY);
      const inclusive = random() < 0.5;
      const length = [1, 20, 800, Number.MAX_SAFE_INTEGER][Math.floor(random() * 4)];
      const c = store.columns(symbol);
      const upper = inclusive ? store.countAtOrBefore(symbol, to) : store.countBefore(symbol, to);
      const lower = Math.max(from === Number.NEGATIVE_INFINITY ? 0 : store.countBefore(symbol, from), upper - length);
      const expected = store.between(symbol, { start: c.timesMs[lower] ?? to, end: c.timesMs[upper] ?? last + 1 });
      const got = catalog.barRuns(symbol, from, to, inclusive, length);
      const where = `query ${q}: ${symbol} from ${from} to ${to} ${inclusive} length ${length}`;
      expect(
        got.reduce((n, r) => n + r.length, 0),
        where,
      ).toBe(Math.max(0, upper - lower));
      if (upper > lower) expect(joinedBytes(got), where).toEqual(bytesOf(expected));
      expect(catalog.stats.bytesResident).toBeLessThanOrEqual(catalog.stats.budgetBytes);
    }
    expect(catalog.stats.evictions).toBeGreaterThan(50);
    catalog.dispose();
  });

  /** Each session's open: ranks every symbol by its 5-day return from 10 day bars; holds the top 2. */
  const rankDaily = (symbols: readonly string[]) =>
    class DailyRank extends Strategy {
      override sleeptime = "1D";
      readonly seen: number[] = [];
      override initialize(): void {
        this.setMarket("NYSE");
      }
      override onTradingIteration(): void {
        const ranked: { symbol: string; momentum: number }[] = [];
        for (const symbol of symbols) {
          const days = this.getHistoricalPrices(symbol, 10, "day");
          const last = this.getLastPrice(symbol);
          if (!days || days.length < 6 || last === undefined) continue;
          const momentum = last / days.close[days.length - 6] - 1;
          this.seen.push(momentum, days.length, days.volume[0], days.high[days.length - 1]);
          ranked.push({ symbol, momentum });
        }
        ranked.sort((a, b) => b.momentum - a.momentum || (a.symbol < b.symbol ? -1 : 1));
        const top = new Set(ranked.slice(0, 2).map((r) => r.symbol));
        for (const p of this.getPositions()) if (!top.has(p.asset.symbol)) this.closePosition(p.asset);
        for (const symbol of top) if (!this.getPosition(symbol)) this.submitOrder(this.createOrder(symbol, 10, "buy"));
      }
    };

  it("ranks every symbol daily under a fifth of the data: the store's trades and day bars, about the catalog's bytes read once", () => {
    const DailyRank = rankDaily(store.symbols());
    const window = { start: "2024-02-01T09:30", end: "2024-10-31T16:00" };
    const runOn = (data: BarStore | Catalog) => {
      const strategy = new DailyRank();
      return { strategy, result: new Backtest(strategy, { data, ...window }).run() };
    };
    const expected = runOn(store);
    expect(expected.result.fillCount).toBeGreaterThan(20);
    const fifth = Catalog.openSync(dir, { memoryBudgetMb: columnBytes / 5 / MIB });
    const got = runOn(fifth);
    expect(got.result.tradeLog.toCsv()).toBe(expected.result.tradeLog.toCsv());
    expect(got.strategy.seen).toEqual(expected.strategy.seen);
    const stats = fifth.stats;
    expect(stats.evictions).toBeGreaterThan(10);
    expect(stats.peakBytesResident).toBeLessThanOrEqual(stats.budgetBytes);
    // Each monthly file about once (the whole-symbol LRU read every symbol again every day).
    expect(stats.bytesRead).toBeLessThanOrEqual(1.5 * stats.catalogBytes);
    expect(stats.loads).toBeLessThanOrEqual(1.5 * stats.files);
    fifth.dispose();
  });

  it("refuses a budget below one chunk with ERR_BUDGET naming the symbol and the chunk's file", () => {
    const catalog = Catalog.openSync(dir, { memoryBudgetMb: (largestMonth * 0.5) / MIB });
    const [s] = catalog.symbols();
    let e: FerrobtError | undefined;
    try {
      catalog.barRuns(s, Number.NEGATIVE_INFINITY, Date.UTC(2024, 5, 1), false, 10);
    } catch (err) {
      e = err as FerrobtError;
    }
    expect(e?.code).toBe("ERR_BUDGET");
    expect(e?.message).toMatch(new RegExp(`symbol '${s}' in chunk '.*symbol=${s}/year=2024/part-00000-05\\.parquet' needs \\d+ bytes`));
    catalog.dispose();
  });
});
