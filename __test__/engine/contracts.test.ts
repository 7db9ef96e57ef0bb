// Contract definitions (DBN definition records) in a run: the multiplier and tick size of futures the
// built-in table does not know come from them; known roots and explicit multipliers keep their own.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ContractBook } from "../../ts/src/engine/contracts.js";
import { Asset, Backtest, BarStore, type Instrument, MemorySource, Strategy } from "../../ts/src/index.js";
import { MIN, stepBars } from "../helpers/engine.js";
import { IN_CI, REPO } from "../helpers/fixtures.js";

const T0 = Date.UTC(2024, 2, 4, 15, 0); // Monday 10:00 ET

function definition(symbol: string, multiplier: number | undefined, tickSize: number | undefined): Instrument {
  return { symbol, instrumentId: 1, dataset: "TEST", multiplier, tickSize, currency: "USD", instrumentClass: "F" };
}

/** Buys `qty` of `asset` on the first iteration and holds it. */
class BuyAndHold extends Strategy {
  seen: Asset | undefined;
  constructor(private readonly asset: Asset) {
    super();
  }
  override initialize(): void {
    this.setMarket("24/7");
  }
  override onTradingIteration(): void {
    if (this.seen) return;
    const order = this.submitOrder(this.createOrder(this.asset, 2, "buy"));
    this.seen = order.asset;
  }
}

/** A 10-minute run buying 2 of `asset` over bars rising 1 point a minute from 100. */
function run(asset: Asset, instruments: Instrument[]) {
  const closes = Array.from({ length: 40 }, (_, k) => 100 + k);
  const bars = { [asset.symbol]: stepBars(T0 - 20 * MIN, closes) };
  const strategy = new BuyAndHold(asset);
  const result = new Backtest(strategy, { data: new MemorySource(bars, "memory", instruments), start: T0, end: T0 + 10 * MIN }).run();
  return { result, booked: strategy.seen! };
}

describe("contract definitions", () => {
  it("give the multiplier and tick size of a contract the table does not know", () => {
    const plain = run(Asset.future("XYZH4"), []);
    const defined = run(Asset.future("XYZH4"), [definition("XYZH4", 1_000, 0.01)]);
    expect([plain.booked.multiplier, plain.booked.tickSize]).toEqual([1, undefined]);
    expect([defined.booked.multiplier, defined.booked.tickSize]).toEqual([1_000, 0.01]);
    // Same fills, 1000× the P&L: entry at the next bar's open, valued at the last close.
    expect(defined.result.fills.map((f) => f.price)).toEqual(plain.result.fills.map((f) => f.price));
    const gain = (r: typeof plain) => r.result.finalPortfolioValue - 100_000;
    expect(gain(plain)).toBeGreaterThan(0);
    expect(gain(defined)).toBeCloseTo(gain(plain) * 1_000, 6);
    const fill = defined.result.tradeLog.events.find((e) => e.event === "fill")!;
    expect(fill.order.asset.multiplier).toBe(1_000);
    const [header, ...rows] = defined.result.tradeLog
      .toCsv()
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const csvFill = rows.find((r) => r[header.indexOf("status")] === "fill")!;
    expect([csvFill[header.indexOf("multiplier")], csvFill[header.indexOf("asset.multiplier")]]).toEqual(["1000", "1000"]);
  });

  it("leave known roots and explicit multipliers alone, and give their tick size", () => {
    const mes = run(Asset.future("MESH4"), [definition("MESH4", 50, 0.25)]);
    expect([mes.booked.multiplier, mes.booked.tickSize]).toEqual([5, 0.25]);
    const own = run(new Asset("XYZH4", "future", 10), [definition("XYZH4", 1_000, 0.01)]);
    expect([own.booked.multiplier, own.booked.tickSize]).toEqual([10, 0.01]);
    const stock = run(Asset.stock("XYZH4"), [definition("XYZH4", 1_000, 0.01)]);
    expect([stock.booked.multiplier, stock.booked.tickSize]).toEqual([1, undefined]);
  });

  it("resolve a continuous future of an unknown root from any of its contracts, once per asset", () => {
    const book = new ContractBook([definition("XYZM4", 1_000, 0.01), { ...definition("XYZU4", 1_000, 0.01), instrumentClass: "K" }]);
    const cont = book.resolve(Asset.contFuture("XYZ"));
    expect([cont.assetType, cont.multiplier, cont.tickSize]).toEqual(["cont_future", 1_000, 0.01]);
    expect(book.resolve(Asset.contFuture("XYZ"))).toBe(cont);
    const noDefinition = Asset.future("ABCH4");
    expect(book.resolve(noDefinition)).toBe(noDefinition);
    expect(() => new Asset("XYZH4", "future", 0)).toThrow(/multiplier/);
  });

  it("come from a real DataBento definition file opened with its bars (ICE Brent)", ({ skip }) => {
    const dir = resolve(REPO, "../shared/data/databento/IFEU.IMPACT");
    if (!existsSync(dir)) {
      if (IN_CI) throw new Error(`${dir} is missing; CI runs every test`);
      skip(`skipped: ${dir} is missing`);
    }
    const store = BarStore.openSync([join(dir, "test_data.ohlcv-1m.dbn.zst"), join(dir, "test_data.definition.dbn.zst")]);
    const [brent] = store.instruments();
    expect(brent.symbol).toBe("BRN FMJ0024!");
    const resolved = new ContractBook(store.instruments()).resolve(Asset.future(brent.symbol));
    expect([resolved.multiplier, resolved.tickSize]).toEqual([brent.multiplier, brent.tickSize]);
    expect(resolved.multiplier).toBeGreaterThan(1);
  });
});
