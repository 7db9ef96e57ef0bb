// Futures margin accounting, FIFO realised P&L, fees (spec §5) and the roll calendar (§6.1).

import { describe, expect, it } from "vitest";
import { orderFee } from "../ts/src/engine/fees.js";
import { Portfolio } from "../ts/src/engine/portfolio.js";
import { Asset, contractAt, contractSpec, Order, TradingFee } from "../ts/src/index.js";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";

describe("futures margin cash (§5.3)", () => {
  it("reproduces the MES worked example", () => {
    const mes = Asset.contFuture("MES");
    const p = new Portfolio(100_000);
    const fee = new TradingFee(0.5);
    const buy = new Order("a", mes, 2, "buy", "market", "simple", undefined, undefined, undefined, undefined, "day");
    p.book(mes, 2, 4750.25);
    p.chargeFee(orderFee(buy, 4750.25, [fee], [fee]));
    expect(p.cash).toBe(97_399.5);
    p.revalue({ lastPrice: () => 4752 });
    expect(p.valuation).toBe(100_017);
    const sell = new Order("b", mes, 2, "sell", "market", "simple", undefined, undefined, undefined, undefined, "day");
    const realized = p.book(mes, -2, 4755);
    p.chargeFee(orderFee(sell, 4755, [fee], [fee]));
    expect(realized).toBe(47.5);
    expect(p.cash).toBe(100_046.5);
    expect(p.positions.size).toBe(0);
  });

  it("reproduces Lumibot's GC regression values, flip included", () => {
    const gc = Asset.future("GCG4");
    expect(contractSpec("GCG4")).toEqual({ margin: 10_000, multiplier: 100 });
    const p = new Portfolio(100_000);
    p.book(gc, 1, 2000);
    expect(p.cash).toBe(90_000);
    p.book(gc, -2, 2005);
    expect(p.cash).toBe(90_500);
    expect(p.quantity(gc)).toBe(-1);
    p.book(gc, 1, 2003);
    expect(p.cash).toBe(100_700);
  });

  it("keeps the first fill price (2 decimals) as the position's entry", () => {
    const mes = Asset.contFuture("MES");
    const p = new Portfolio(100_000);
    p.book(mes, 1, 4800.123);
    p.book(mes, 1, 4900);
    expect(p.positions.get(mes.key)!.avgFillPrice).toBe(4800.12);
  });

  it("stocks use notional cash", () => {
    const spy = Asset.stock("SPY");
    const p = new Portfolio(10_000);
    p.book(spy, 10, 470.5);
    expect(p.cash).toBe(5_295);
    p.revalue({ lastPrice: () => 480 });
    expect(p.valuation).toBe(10_095);
  });
});

describe("fees (§5.1)", () => {
  const mes = Asset.contFuture("MES");
  const mk = (type: "market" | "limit" | "stop" | "trailing_stop", side: "buy" | "sell_to_close" | "buy_to_close") =>
    new Order("x", mes, 5, side, type, "simple", 1, 1, 1, undefined, "day");
  it("charges flat + price × quantity × percent per order, by side and maker/taker", () => {
    const fee = new TradingFee(0.5, 0.001);
    expect(orderFee(mk("market", "buy"), 4000, [fee], [])).toBe(0.5 + 4000 * 5 * 0.001);
    expect(orderFee(mk("limit", "sell_to_close"), 4000, [], [new TradingFee(0.5)])).toBe(0.5);
    expect(orderFee(mk("trailing_stop", "sell_to_close"), 4000, [], [new TradingFee(0.5)])).toBe(0);
    expect(orderFee(mk("market", "buy_to_close"), 4000, [fee], [fee])).toBe(0);
    expect(orderFee(mk("limit", "buy"), 4000, [new TradingFee(1, 0, false, true)], [])).toBe(0);
    expect(() => new TradingFee(-1)).toThrow(RangeError);
  });
});

describe("continuous futures (§6.1)", () => {
  const at = (y: number, m: number, d: number, h = 0, mi = 0) => contractAt("MES", nyToUtc(y, m, d, h, mi)).symbol;
  it("rolls MES on the 8th weekday before the third Friday, 2023–2025", () => {
    const rolls = [2023, 2024, 2025].flatMap((y) => [3, 6, 9, 12].map((m) => formatNy(contractAt("MES", nyToUtc(y, m, 1)).rollAt).slice(0, 10)));
    expect(rolls).toEqual([
      "2023-03-07",
      "2023-06-06",
      "2023-09-05",
      "2023-12-05",
      "2024-03-05",
      "2024-06-11",
      "2024-09-10",
      "2024-12-10",
      "2025-03-11",
      "2025-06-10",
      "2025-09-09",
      "2025-12-09",
    ]);
    expect(at(2023, 12, 4)).toBe("MESZ3");
    expect(at(2023, 12, 5)).toBe("MESH4");
    expect(at(2024, 1, 3)).toBe("MESH4");
    expect(at(2024, 3, 4, 23, 59)).toBe("MESH4");
    expect(at(2024, 3, 5)).toBe("MESM4");
    expect(contractAt("CL", nyToUtc(2024, 1, 3)).symbol).toBe("CLH4");
  });
});
