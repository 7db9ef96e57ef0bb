// Edge cases found reviewing the engine rewrite against the engine before it: each is pinned to the
// old engine's behaviour (or, where the old one was wrong, to the fix named in the test).

import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { Asset, Backtest, BarStore, MemorySource, Strategy, TradingFee } from "../../ts/src/index.js";
import { nyToUtc } from "../../ts/src/util/nytime.js";
import { stepBars } from "../helpers/engine.js";
import { tempDir } from "../helpers/fixtures.js";

/** Minute bars of MESH4 whose timestamps sit 2 ms past each minute (whole ms, not whole seconds). */
function offsetFile(): { path: string; ns: bigint[] } {
  const t0 = BigInt(nyToUtc(2024, 1, 3, 9)) * 1_000_000n + 2_000_000n;
  const ns = Array.from({ length: 120 }, (_, i) => t0 + BigInt(i) * 60_000_000_000n);
  const path = join(tempDir(), "offset.parquet");
  const prices = Array.from({ length: 120 }, (_, i) => 100 + (i % 7));
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: "ts_event", data: ns, type: "INT64" },
      { name: "open", data: prices, type: "DOUBLE" },
      { name: "high", data: prices.map((p) => p + 1), type: "DOUBLE" },
      { name: "low", data: prices.map((p) => p - 1), type: "DOUBLE" },
      { name: "close", data: prices.map((p) => p + 0.5), type: "DOUBLE" },
      { name: "volume", data: ns.map(() => 5n), type: "INT64" },
      { name: "symbol", data: ns.map(() => "MESH4"), type: "STRING" },
    ],
  } as unknown as Parameters<typeof parquetWriteFile>[0]);
  return { path, ns };
}

describe("times past 2^53 ns", () => {
  it("timesMs holds whole-ms times exactly, and searches compare them exactly", () => {
    const { path, ns } = offsetFile();
    const store = BarStore.openParquetSync(path);
    const cols = store.columns("MESH4");
    expect(Array.from(cols.timesMs)).toEqual(ns.map((t) => Number(t / 1_000_000n)));
    const at = Number(ns[5] / 1_000_000n);
    expect(store.countBefore("MESH4", at)).toBe(5);
    expect(store.countAtOrBefore("MESH4", at)).toBe(6);
    expect(store.countBefore("MESH4", ns[5])).toBe(5);
    expect(store.countBefore("MESH4", at + 0.5)).toBe(6);
    store.dispose();
  });

  it("a market order fills on B[t+1m] (not one bar later)", () => {
    const { path } = offsetFile();
    const store = BarStore.openParquetSync(path);
    class EveryMinute extends Strategy {
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        if (this.getOrders().length === 0) this.submitOrder(this.createOrder(Asset.future("MESH4"), 1, "buy"));
      }
    }
    const r = new Backtest(new EveryMinute(), { data: store, start: nyToUtc(2024, 1, 3, 9, 30) + 2, end: "2024-01-03T10:00" }).run();
    // The clock at 09:30:00.002 sees B[09:30:00.002] as the bar in progress; B[t+1m] opens 09:31:00.002.
    const want = store.lastBar("MESH4", { atOrBefore: nyToUtc(2024, 1, 3, 9, 31) + 2 })!;
    expect(r.fills[0].price).toBe(want.open);
    store.dispose();
  });
});

describe("query ranges", () => {
  it("times outside the i64 ns range are ERR_ARGUMENT naming the argument, as the binding said", () => {
    const { path } = offsetFile();
    const store = BarStore.openParquetSync(path);
    expect(() => store.countBefore("MESH4", 1e16)).toThrowError(
      expect.objectContaining({ code: "ERR_ARGUMENT", message: "argument 'end': 10000000000000000 is not a finite time in ms" }),
    );
    expect(() => store.window("MESH4", { end: 2n ** 70n, length: 5 })).toThrowError(
      expect.objectContaining({ code: "ERR_ARGUMENT", message: "argument 'end': BigInt does not fit in i64 ns" }),
    );
    expect(() => store.lastBar("MESH4", { atOrBefore: -1e16 })).toThrowError(
      expect.objectContaining({ message: expect.stringContaining("argument 'atOrBefore'") }),
    );
    store.dispose();
  });
});

const data = () =>
  new MemorySource({
    MESH4: stepBars(
      nyToUtc(2024, 1, 3, 9),
      Array.from({ length: 120 }, (_, i) => 100 + (i % 5)),
    ),
  });
const window = { start: "2024-01-03T09:30", end: "2024-01-03T10:00" };

describe("strategy-facing behaviour", () => {
  it("a list from getActiveOrders is not changed under its holder while it cancels", () => {
    class CancelAll extends Strategy {
      cancelled = 0;
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onCanceledOrder(): void {
        this.cancelled++;
        this.getActiveOrders();
      }
      override onTradingIteration(): void {
        const mes = Asset.future("MESH4");
        if (this.getOrders().length === 0) for (const p of [50, 51, 52, 53]) this.submitOrder(this.createOrder(mes, 1, "buy", { limitPrice: p }));
        else if (this.getActiveOrders().length === 4) for (const o of this.getActiveOrders()) this.cancelOrder(o);
      }
    }
    const s = new CancelAll();
    new Backtest(s, { data: data(), ...window }).run();
    expect(s.cancelled).toBe(4);
  });

  it("an order from one backtest resubmitted in another counts there", () => {
    let kept: import("../../ts/src/index.js").Order | undefined;
    class Keep extends Strategy {
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        if (!kept) kept = this.submitOrder(this.createOrder(Asset.future("MESH4"), 1, "buy", { limitPrice: 1 }));
        else if (this.getOrders().length === 0) this.submitOrder(kept);
      }
    }
    const first = new Backtest(new Keep(), { data: data(), ...window }).run();
    const second = new Backtest(new Keep(), { data: data(), ...window }).run();
    expect(first.orderCount).toBe(1);
    expect(second.orderCount).toBe(1);
  });

  it("runs a frozen strategy", () => {
    class Quiet extends Strategy {
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        this.getLastPrice(Asset.future("MESH4"));
      }
    }
    const s = Object.freeze(new Quiet()) as Quiet;
    expect(new Backtest(s, { data: data(), ...window }).run().iterations).toBe(30);
  });

  it("keeps a NaN fee in the trade log as Lumibot would print it", () => {
    class Huge extends Strategy {
      override buyTradingFees = [new TradingFee(0, 1)];
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        if (this.getOrders().length === 0) this.submitOrder(this.createOrder(Asset.future("MESH4"), 1e308, "buy"));
      }
    }
    const csv = new Backtest(new Huge(), { data: data(), ...window }).run().tradeLog.toCsv();
    expect(csv.split("\n")[0]).toContain("trade_cost");
    expect(csv).toContain("Infinity");
  });

  it("records a quantity the strategy changed on its position", () => {
    class Mutate extends Strategy {
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        const mes = Asset.future("MESH4");
        const p = this.getPosition(mes);
        if (this.getOrders().length === 0) this.submitOrder(this.createOrder(mes, 2, "buy"));
        else if (p && p.quantity === 2 && this.getTimestamp() >= nyToUtc(2024, 1, 3, 9, 40)) p.quantity = 7;
      }
    }
    const r = new Backtest(new Mutate(), { data: data(), ...window }).run();
    expect(r.rows.at(-1)!.positions).toEqual([{ symbol: "MESH4", quantity: 7 }]);
  });

  it("books a stock fill's cash also before the first trading iteration has completed (deliberately not Lumibot's §5.2 quirk)", () => {
    const t0 = nyToUtc(2024, 1, 3, 9);
    const source = new MemorySource({
      AAPL: stepBars(
        t0,
        Array.from({ length: 120 }, (_, i) => 180 + (i % 3)),
      ),
    });
    class BuyInInitialize extends Strategy {
      override initialize(): void {
        this.setMarket("NYSE");
        this.submitOrder(this.createOrder(Asset.stock("AAPL"), 100, "buy"));
      }
      override onTradingIteration(): void {}
    }
    const r = new Backtest(new BuyInInitialize(), { data: source, start: "2024-01-03T09:30", end: "2024-01-03T10:00" }).run();
    const fill = r.fills[0];
    // Lumibot drops this cash update (shares held for free); ferrobt pays for them.
    expect(fill.timeMs).toBe(nyToUtc(2024, 1, 3, 9, 30));
    expect(r.finalCash).toBe(100_000 - 100 * fill.price);
    expect(r.rows.at(-1)!.positions).toEqual([{ symbol: "AAPL", quantity: 100 }]);
  });

  it("runs once: a second run() is ERR_ARGUMENT", () => {
    class Quiet extends Strategy {
      override onTradingIteration(): void {}
    }
    const b = new Backtest(new Quiet(), { data: data(), ...window });
    b.run();
    expect(() => b.run()).toThrowError(expect.objectContaining({ code: "ERR_ARGUMENT" }));
  });
});
