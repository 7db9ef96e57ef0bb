// Fill rules (spec §4.2 rows with hand-computed prices), bracket behaviour and the §4.6 worked example.

import { describe, expect, it } from "vitest";
import { fillPrice } from "../ts/src/engine/fills.js";
import { Asset, MemorySource, Order, type OrderSide, type OrderType } from "../ts/src/index.js";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";
import { Recorder, run } from "./helpers/engine.js";

const MES = Asset.contFuture("MES");
const bar = { open: 100, high: 105, low: 95 };

function order(type: OrderType, side: OrderSide, p: { limit?: number; stop?: number; trail?: number; pct?: number } = {}): Order {
  return new Order("id", MES, 1, side, type, "simple", p.limit, p.stop, p.trail, p.pct, "day");
}

describe("price rules (§4.2), bar O=100 H=105 L=95", () => {
  it.each([
    ["market buy", order("market", "buy"), 100],
    ["market sell", order("market", "sell"), 100],
    ["limit buy above open fills at open", order("limit", "buy", { limit: 101 }), 100],
    ["limit buy inside range fills at limit", order("limit", "buy", { limit: 97.5 }), 97.5],
    ["limit buy below low: no fill", order("limit", "buy", { limit: 94 }), undefined],
    ["limit sell below open fills at open", order("limit", "sell", { limit: 99 }), 100],
    ["limit sell inside range fills at limit", order("limit", "sell", { limit: 104 }), 104],
    ["limit sell above high: no fill", order("limit", "sell", { limit: 106 }), undefined],
    ["stop buy below open (gap) fills at open", order("stop", "buy", { stop: 99 }), 100],
    ["stop buy inside range fills at stop", order("stop", "buy", { stop: 103 }), 103],
    ["stop buy above high: no fill", order("stop", "buy", { stop: 106 }), undefined],
    ["stop sell above open (gap) fills at open", order("stop", "sell", { stop: 101 }), 100],
    ["stop sell inside range fills at stop", order("stop", "sell", { stop: 96.25 }), 96.25],
    ["stop sell below low: no fill", order("stop", "sell", { stop: 94 }), undefined],
    ["stop-limit buy: triggered at stop 102, limit 103 marketable at the trigger", order("stop_limit", "buy", { stop: 102, limit: 103 }), 102],
    ["stop-limit buy: triggered at 102, limit 98 inside range", order("stop_limit", "buy", { stop: 102, limit: 98 }), 98],
    ["stop-limit sell: gapped stop 101 triggers at open 100, limit 99 marketable", order("stop_limit", "sell", { stop: 101, limit: 99 }), 100],
    ["stop-limit sell: not triggered (stop 94)", order("stop_limit", "sell", { stop: 94, limit: 93 }), undefined],
  ])("%s", (_, o, expected) => {
    expect(fillPrice(o, bar)).toBe(expected);
  });

  it("keeps a stop-limit triggered and then applies the plain limit rule", () => {
    const o = order("stop_limit", "buy", { stop: 102, limit: 90 });
    expect(fillPrice(o, bar)).toBeUndefined();
    expect(o.stopTriggered).toBe(true);
    expect(fillPrice(o, { open: 91, high: 92, low: 89 })).toBe(90);
  });

  it("trailing stop: the first bar only sets the level, then stop rule, then ratchet", () => {
    const sell = order("trailing_stop", "sell", { trail: 2 });
    expect(fillPrice(sell, bar)).toBeUndefined();
    expect(sell.trailLevel).toBe(103);
    expect(fillPrice(sell, { open: 104, high: 108, low: 103.5 })).toBeUndefined();
    expect(sell.trailLevel).toBe(106);
    expect(fillPrice(sell, { open: 107, high: 107, low: 105 })).toBe(106);
    const buyPct = order("trailing_stop", "buy", { pct: 0.1 });
    fillPrice(buyPct, bar);
    expect(buyPct.trailLevel).toBeCloseTo(104.5, 12);
    fillPrice(buyPct, { open: 80, high: 120, low: 79 });
    expect(buyPct.trailLevel).toBeCloseTo(104.5, 12); // Lumibot quirk: a buy percent trail never ratchets
  });

  it("never fills on invalid bars or levels", () => {
    expect(fillPrice(order("market", "buy"), { open: NaN, high: 1, low: 1 })).toBeUndefined();
    expect(fillPrice(order("limit", "buy", { limit: -1 }), bar)).toBeUndefined();
  });
});

/** Minute bars given as [HH:MM, O, H, L, C] on 2024-01-03 (New York). */
function barsAt(rows: [string, number, number, number, number][]): MemorySource {
  const t = (hm: string) => nyToUtc(2024, 1, 3, Number(hm.slice(0, 2)), Number(hm.slice(3)));
  return new MemorySource({
    MESH4: {
      timesMs: rows.map((r) => t(r[0])),
      open: rows.map((r) => r[1]),
      high: rows.map((r) => r[2]),
      low: rows.map((r) => r[3]),
      close: rows.map((r) => r[4]),
      volume: rows.map(() => 1),
    },
  });
}

describe("bracket orders", () => {
  const flat = (hm: string, p: number): [string, number, number, number, number] => [hm, p, p, p, p];
  it("reproduces the §4.6 worked example: entry at open(B[10:01]), TP wins on B[10:03], SL cancelled first", () => {
    const data = barsAt([
      flat("09:58", 4779.75),
      ["09:59", 4780, 4780, 4780, 4780],
      ["10:00", 4780, 4780.25, 4779.75, 4780],
      ["10:01", 4780.25, 4780.5, 4780, 4780.5],
      ["10:02", 4780.5, 4781, 4779.75, 4780.25],
      ["10:03", 4779, 4786.5, 4777.5, 4785],
      flat("10:04", 4785),
      flat("10:05", 4785),
    ]);
    const s = new Recorder("us_futures", "1M", (st) => {
      if (formatNy(st.getTimestamp()).endsWith("10:00:00-05:00")) {
        st.submitOrder(st.createOrder(MES, 5, "buy", { orderClass: "bracket", secondaryLimitPrice: 4786, secondaryStopPrice: 4778 }));
      }
    });
    const r = run(s, { data, start: "2024-01-03T10:00", end: "2024-01-03T10:05" });
    const rows = r.tradeLog.events.map((e) => `${formatNy(e.timeMs).slice(11, 16)} ${e.order.type} ${e.order.side} ${e.event}${e.price ? ` ${e.price}` : ""}`);
    expect(rows).toEqual(["10:00 market buy new", "10:00 market buy fill 4780.25", "10:02 stop sell_to_close canceled", "10:02 limit sell_to_close fill 4786"]);
    // 5 MES: (4786 − 4780.25) × 5 × 5 = 143.75, no fees configured.
    expect(r.finalCash).toBe(100_000 + 143.75);
  });

  it("lets the take-profit win when one bar touches both legs", () => {
    const data = barsAt([flat("09:59", 100), flat("10:00", 100), flat("10:01", 100), ["10:02", 100, 110, 90, 100], flat("10:03", 100)]);
    const s = new Recorder("us_futures", "1M", (st) => {
      if (st.getOrders().length === 0)
        st.submitOrder(st.createOrder(MES, 1, "buy", { orderClass: "bracket", secondaryLimitPrice: 105, secondaryStopPrice: 95 }));
    });
    const r = run(s, { data, start: "2024-01-03T10:00", end: "2024-01-03T10:03" });
    const legFill = r.fills.find((f) => f.order.side === "sell_to_close")!;
    expect(legFill.order.type).toBe("limit");
    expect(legFill.price).toBe(105);
  });

  it("fills an OCO's first leg and cancels the other; rejects bad orders", () => {
    const data = barsAt([flat("09:59", 100), flat("10:00", 100), ["10:01", 100, 101, 99, 100], ["10:02", 100, 100, 94, 95], flat("10:03", 95)]);
    let error: unknown;
    const s = new Recorder("us_futures", "1M", (st) => {
      if (st.getOrders().length === 0) {
        st.submitOrder(st.createOrder(MES, 1, "sell", { orderClass: "oco", limitPrice: 103, stopPrice: 96 }));
        try {
          st.submitOrder(st.createOrder(MES, -2, "buy"));
        } catch (e) {
          error = e;
        }
      }
    });
    const r = run(s, { data, start: "2024-01-03T10:00", end: "2024-01-03T10:03" });
    expect(r.fills.map((f) => [f.order.type, f.price])).toEqual([["stop", 96]]);
    expect(r.tradeLog.events.filter((e) => e.event === "canceled").map((e) => e.order.type)).toEqual(["limit"]);
    expect(error).toMatchObject({ code: "ERR_ORDER", message: expect.stringContaining("quantity -2") });
  });

  it("activates an OTO's single child after the parent fills, then closes with it", () => {
    const data = barsAt([flat("09:59", 100), flat("10:00", 100), flat("10:01", 100), ["10:02", 100, 100.5, 96, 97], flat("10:03", 97)]);
    const s = new Recorder("us_futures", "1M", (st) => {
      if (st.getOrders().length === 0) st.submitOrder(st.createOrder(MES, 2, "buy", { orderClass: "oto", secondaryStopPrice: 98 }));
    });
    const r = run(s, { data, start: "2024-01-03T10:00", end: "2024-01-03T10:03" });
    expect(r.fills.map((f) => [formatNy(f.timeMs).slice(11, 16), f.order.type, f.order.side, f.price])).toEqual([
      ["10:00", "market", "buy", 100],
      ["10:01", "stop", "sell_to_close", 98],
    ]);
    expect(r.finalCash).toBe(100_000 - 2 * 2 * 5);
    expect(() =>
      run(new Recorder("us_futures", "1M", (st) => void st.createOrder(MES, 1, "buy", { orderClass: "oto", secondaryLimitPrice: 1, secondaryStopPrice: 2 })), {
        data,
        start: "2024-01-03T10:00",
        end: "2024-01-03T10:01",
      }),
    ).toThrowError(/exactly one secondary price/);
  });

  it("uses open(B[t]) under the pandas fill model", () => {
    const data = barsAt([flat("09:59", 100), ["10:00", 100.5, 101, 100, 101], ["10:01", 101.25, 102, 101, 102], flat("10:02", 102)]);
    const mk = () =>
      new Recorder("us_futures", "1M", (st) => {
        if (st.getOrders().length === 0) st.submitOrder(st.createOrder(MES, 1, "buy"));
      });
    expect(run(mk(), { data, start: "2024-01-03T10:00", end: "2024-01-03T10:02" }).fills[0].price).toBe(101.25);
    expect(run(mk(), { data, start: "2024-01-03T10:00", end: "2024-01-03T10:02", fillModel: "pandas" }).fills[0].price).toBe(100.5);
  });

  it("fills a market order during the halt at the newest older bar (open of B[16:59])", () => {
    const data = barsAt([flat("16:58", 100), ["16:59", 100.25, 100.5, 100, 100.5], flat("18:00", 99)]);
    const s = new Recorder("us_futures", "1M", (st) => {
      if (formatNy(st.getTimestamp()).endsWith("17:30:00-05:00")) st.submitOrder(st.createOrder(MES, 1, "buy"));
    });
    const r = run(s, { data, start: "2024-01-03T17:25", end: "2024-01-03T17:40" });
    expect(r.fills[0].price).toBe(100.25);
    expect(formatNy(r.fills[0].timeMs)).toBe("2024-01-03 17:30:00-05:00");
  });
});
