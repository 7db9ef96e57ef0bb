// The engine's parts, each without the others: the session clock alone, the order-id source, the
// cursor-backed series against plain binary searches, the cached resampler against the from-scratch
// one, the equity recorder, and a broker handed its bars directly.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Broker } from "../../ts/src/engine/broker.js";
import { SessionClock } from "../../ts/src/engine/clock.js";
import { CapacityHint } from "../../ts/src/engine/columns.js";
import { RunInstant } from "../../ts/src/engine/instant.js";
import { classCode, className, sideCode, sideName, typeCode, typeName } from "../../ts/src/engine/order.js";
import { OrderFactory, OrderIds } from "../../ts/src/engine/order-factory.js";
import { Portfolio } from "../../ts/src/engine/portfolio.js";
import { EquityRecorder } from "../../ts/src/engine/recorder.js";
import { Resampler, resampleWindow } from "../../ts/src/engine/resample.js";
import { AssetSeries } from "../../ts/src/engine/series.js";
import type { TradeEvent } from "../../ts/src/engine/tradelog.js";
import { Asset, MarketCalendar, MemorySource, Order, type OrderClass, type OrderSide, type OrderType, TradingFee } from "../../ts/src/index.js";
import { Bars, ColumnSet } from "../../ts/src/store/Bars.js";
import { nyTimestampFormatter } from "../../ts/src/util/ny-formatter.js";
import { formatNy, nyToUtc } from "../../ts/src/util/nytime.js";
import { rng } from "../helpers/fixtures.js";

const MIN = 60_000;

describe("SessionClock alone", () => {
  it("yields Lumibot's hook timeline and processing instants with no strategy attached", () => {
    const start = nyToUtc(2024, 1, 3, 9, 30),
      end = nyToUtc(2024, 1, 4, 16);
    const now = new RunInstant();
    const clock = new SessionClock(
      new MarketCalendar("us_futures", start, end),
      {
        startMs: start,
        endMs: end,
        stepMs: MIN,
        beforeCloseMs: MIN,
        beforeOpenMs: 60 * MIN,
      },
      now,
    );
    expect(now.ms).toBe(start);
    const events = clock.events();
    // The events are read from the instant the clock moves: it stops at the last one.
    expect(now.ms).toBe(events[events.length - 1].t);
    const hooks = events.filter((e) => e.kind === "call" && e.hook !== "onTradingIteration").map((e) => `${e.kind === "call" ? e.hook : ""} ${formatNy(e.t)}`);
    expect(hooks).toEqual([
      "beforeStartingTrading 2024-01-03 09:30:00-05:00",
      "beforeMarketCloses 2024-01-03 17:59:01-05:00",
      "afterMarketCloses 2024-01-03 18:00:00-05:00",
      "beforeStartingTrading 2024-01-03 18:00:00-05:00",
      "beforeMarketCloses 2024-01-04 17:59:00-05:00",
      "afterMarketCloses 2024-01-04 18:00:00-05:00",
    ]);
    const iterations = events.filter((e) => e.kind === "call" && e.hook === "onTradingIteration");
    // 09:30 → 17:58 on the 3rd (509) and 18:00 → 15:59 over the 4th's session (1,320).
    expect(iterations.length).toBe(509 + 1_320);
    expect(clock.iterationCount).toBe(509 + 1_320);
    expect(iterations.every((e) => e.kind === "call" && e.run)).toBe(true);
    // Every iteration is followed by order processing at the same instant.
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.kind === "call" && e.hook === "onTradingIteration") expect(events[i + 1]).toEqual({ kind: "process", t: e.t });
    }
    // The clock never goes back.
    for (let i = 1; i < events.length; i++) expect(events[i].t).toBeGreaterThanOrEqual(events[i - 1].t);
  });
});

describe("OrderIds", () => {
  it("gives the seeded 32-hex sequence (mulberry32 words, as before the rewrite)", () => {
    const ids = new OrderIds(0);
    // The first ids of seed 0, as the recorded trade logs show them.
    const reference = (seed: number, n: number) => {
      let state = seed >>> 0;
      const out: string[] = [];
      for (let k = 0; k < n; k++) {
        let hex = "";
        for (let i = 0; i < 4; i++) {
          state = (state + 0x6d2b79f5) >>> 0;
          let z = state;
          z = Math.imul(z ^ (z >>> 15), z | 1);
          z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
          hex += ((z ^ (z >>> 14)) >>> 0).toString(16).padStart(8, "0");
        }
        out.push(hex);
      }
      return out;
    };
    const got = Array.from({ length: 1_000 }, () => ids.next());
    expect(got).toEqual(reference(0, 1_000));
    expect(got.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(new OrderIds(7).next()).toBe(reference(7, 1)[0]);
    // Any index alone, in any order, is the same id as in the sequence.
    const seeded = reference(0xdeadbeef, 600);
    const random = new OrderIds(0xdeadbeef);
    for (const k of [599, 0, 311, 42, 598]) expect(random.at(k)).toBe(seeded[k]);
  });

  it("names orders by their build order, also when identifiers are read late and out of order", () => {
    const f = new OrderFactory(new OrderIds(5));
    const mes = Asset.contFuture("MES");
    const orders = Array.from({ length: 4 }, () =>
      f.create(mes, 1, "buy", { type: "market", orderClass: "bracket", secondaryLimitPrice: 2, secondaryStopPrice: 1 }),
    );
    // Each bracket takes three ids: the parent, then its take-profit and stop-loss legs.
    const ids = new OrderIds(5);
    const expected = Array.from({ length: 12 }, () => ids.next());
    const read = [...orders].reverse().flatMap((o) => [o.children[1].identifier, o.identifier, o.children[0].identifier]);
    expect(read).toEqual([3, 2, 1, 0].flatMap((k) => [expected[3 * k + 2], expected[3 * k], expected[3 * k + 1]]));
    expect(orders[0].identifier).toBe(expected[0]);
  });

  it("builds bracket legs that close the parent, siblings of each other", () => {
    const f = new OrderFactory(new OrderIds(1));
    const mes = Asset.contFuture("MES");
    const parent = f.create(mes, 2, "buy", { orderClass: "bracket", secondaryLimitPrice: 4810, secondaryStopPrice: 4790 });
    const [tp, sl] = parent.children;
    expect([tp.type, tp.side, sl.type, sl.side]).toEqual(["limit", "sell_to_close", "stop", "sell_to_close"]);
    expect(tp.dependents).toEqual([sl]);
    expect(sl.dependents).toEqual([tp]);
    expect(() => f.create(mes, 1, "buy", { orderClass: "oco", limitPrice: 1 })).toThrowError(expect.objectContaining({ code: "ERR_ORDER" }));
  });

  it("refuses a side, type, class or time in force it does not know (a JS caller's typo) with ERR_ORDER naming it, losing no id", () => {
    const f = new OrderFactory(new OrderIds(3));
    const mes = Asset.contFuture("MES");
    const bad = (call: () => unknown, field: string, value: string) =>
      expect(call).toThrowError(expect.objectContaining({ code: "ERR_ORDER", message: expect.stringContaining(`order ${field} "${value}"`) }));
    bad(() => f.create(mes, 1, "BUY" as OrderSide, {}), "side", "BUY");
    bad(() => f.create(mes, 1, "buy", { type: "moc" as OrderType }), "type", "moc");
    bad(() => f.create(mes, 1, "buy", { orderClass: "ioc" as OrderClass }), "class", "ioc");
    bad(() => f.create(mes, 1, "buy", { timeInForce: "gtd" as "day" }), "timeInForce", "gtd");
    // The refused orders took no row: the next order is the id source's first.
    expect(f.create(mes, 1, "sell", {}).identifier).toBe(new OrderIds(3).next());
  });
});

/** Random minute bars with gaps, several "contracts". */
function randomSource(seed: number): { source: MemorySource; t0: number } {
  const next = rng(seed);
  const t0 = nyToUtc(2024, 2, 20);
  const bars: Record<string, { timesMs: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }> = {};
  for (const symbol of ["MESH4", "MESM4"]) {
    const b = { timesMs: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
    let t = t0 + (symbol === "MESM4" ? 3 * 86_400_000 : 0),
      p = 5_000;
    for (let i = 0; i < 6_000; i++) {
      t += MIN * (next() < 0.9 ? 1 : 1 + Math.floor(next() * 300));
      const o = p,
        c = p + Math.round((next() - 0.5) * 8) / 4;
      b.timesMs.push(t);
      b.open.push(o);
      b.close.push(c);
      b.high.push(Math.max(o, c) + 0.25);
      b.low.push(Math.min(o, c) - 0.25);
      b.volume.push(1 + Math.floor(next() * 50));
      p = c;
    }
    bars[symbol] = b;
  }
  return { source: new MemorySource(bars), t0 };
}

describe("AssetSeries (cursor searches)", () => {
  it("answers what a fresh series (plain binary searches) gives, on random forward and backward clocks, across a roll", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const { source, t0 } = randomSource(seed);
        const asset = Asset.contFuture("MES");
        const range = [t0, t0 + 30 * 86_400_000] as const;
        const series = AssetSeries.of(source, asset, ...range);
        const next = rng(seed + 1);
        let t = t0 + 86_400_000,
          inHotAnswers = 0;
        for (let q = 0; q < 300; q++) {
          t += next() < 0.8 ? MIN : (next() - 0.3) * 4 * 86_400_000;
          // Mostly whole minutes (the clock's), some seconds and fractions of a ms (the general path's).
          const off = next();
          const tq = Math.round(t / MIN) * MIN + (off < 0.1 ? 30_000 : off < 0.15 ? 0.4 : 0);
          const length = next() < 0.5 ? 50 : 1 + Math.floor(next() * 3_000);
          const fresh = () => AssetSeries.of(source, asset, ...range);
          // The clock contract's shortcut, when it answers (not NaN), answers the same.
          const now = new RunInstant(tq);
          const inHot = series.closeInHot(now);
          if (!Number.isNaN(inHot)) {
            expect(inHot).toBe(fresh().closeAtOrBefore(tq - MIN));
            inHotAnswers++;
          }
          expect(series.closeAtOrBefore(tq - MIN)).toBe(fresh().closeAtOrBefore(tq - MIN));
          expect(series.ohlBefore(now, 2 * MIN)).toEqual(fresh().ohlBefore(now, 2 * MIN));
          const b = fresh().window(tq - MIN, length, true);
          // The clock contract's shortcut, when it answers, answers the same.
          const hot = series.windowInHot(now, length);
          if (hot) expect([hot.symbol, Array.from(hot.timesMs), Array.from(hot.close)]).toEqual([b.symbol, Array.from(b.timesMs), Array.from(b.close)]);
          const a = series.window(tq - MIN, length, true);
          expect([a.symbol, Array.from(a.timesMs), Array.from(a.close)]).toEqual([b.symbol, Array.from(b.timesMs), Array.from(b.close)]);
          // A lower bound before every bar takes the path that copies a window spanning a roll each call.
          expect(columnsOf(a)).toEqual(columnsOf(fresh().window(tq - MIN, length, true, -Number.MAX_VALUE)));
        }
        expect(inHotAnswers).toBeGreaterThan(0);
      }),
      { numRuns: 20, seed: 11 },
    );
  });

  it("cuts the windows after a roll from one copy of the bars around it, equal to a copy per window", () => {
    const { source } = randomSource(7);
    const asset = Asset.contFuture("MES");
    const t0 = nyToUtc(2024, 3, 1);
    const series = AssetSeries.of(source, asset, t0, t0 + 30 * 86_400_000);
    const copying = AssetSeries.of(source, asset, t0, t0 + 30 * 86_400_000);
    // MESH4 rolls to MESM4 in March 2024: find the first MESM4 bar the continuous series shows.
    let t = t0;
    while (series.window(t, 1, true).symbol !== "MESM4") t += 60 * MIN;
    let spanned = 0;
    const columnSets = new Set<unknown>();
    for (const length of [200, 37]) {
      for (let m = -120; m < 600; m++) {
        const cut = t + m * MIN;
        const a = series.window(cut, length, true);
        const b = copying.window(cut, length, true, -Number.MAX_VALUE);
        expect(columnsOf(a), `${length} bars to ${formatNy(cut)}`).toEqual(columnsOf(b));
        if (a.symbol === "MES") {
          spanned++;
          expect(series.isView(a)).toBe(false);
          columnSets.add(a.columnsView);
        }
      }
    }
    // Windows across the roll, for both lengths, each length's cut from one copy.
    expect(spanned).toBeGreaterThan(100);
    expect(columnSets.size).toBe(2);
  });
});

/** A window's symbol and all its columns as plain arrays. */
function columnsOf(w: Bars): unknown[] {
  return [
    w.symbol,
    w.length,
    ...(["timestamps", "timesMs", "open", "high", "low", "close", "volume"] as const).map((k) => Array.from(w[k] as ArrayLike<unknown>)),
  ];
}

describe("Resampler", () => {
  it("equals resampling each window from scratch (minute and day bins, partial first and last bins, random lengths)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const { source } = randomSource(seed);
        const cols = source.columns("MESH4");
        const resampler = new Resampler();
        const next = rng(seed + 2);
        for (let q = 0; q < 60; q++) {
          const end = 1 + Math.floor(next() * (cols.timesMs.length - 1));
          const start = Math.max(0, end - 1 - Math.floor(next() * 2_000));
          const [unit, n] =
            next() < 0.7 ? (["minute", [2, 5, 7, 15, 60, 90][Math.floor(next() * 6)]] as const) : (["day", 1 + Math.floor(next() * 3)] as const);
          const length = 1 + Math.floor(next() * 80);
          const a = resampler.resampleView("MESH4", cols, start, end, unit, n, length);
          const b = resampleWindow(new Bars("MESH4", cols, start, end), unit, n, length);
          for (const k of ["timestamps", "timesMs", "open", "high", "low", "close", "volume"] as const) {
            expect(Array.from(a[k] as ArrayLike<unknown>), `${k} of window [${start}, ${end}) ${n} ${unit} × ${length}`).toEqual(
              Array.from(b[k] as ArrayLike<unknown>),
            );
          }
        }
      }),
      { numRuns: 15, seed: 12 },
    );
  });
});

describe("EquityRecorder", () => {
  it("grows its columns and snapshots positions only when they change", () => {
    const rec = new EquityRecorder();
    const p = new Portfolio(1_000);
    // The portfolio as a row reads it, with a value of the test's own.
    const row = (value: number) => ({ valuation: value, cash: p.cash, heldPositions: p.heldPositions });
    const mes = Asset.contFuture("MES");
    for (let i = 0; i < 10_000; i++) {
      if (i === 5_000) p.book(mes, 2, 4_800);
      if (i === 7_000) p.book(mes, -2, 4_801);
      rec.now.ms = i * MIN;
      rec.record(row(1_000 + i));
    }
    const eq = rec.columns();
    expect(eq.length).toBe(10_000);
    expect([eq.timeMs[9_999], eq.portfolioValue[9_999], eq.cash[4_999], eq.cash[5_000]]).toEqual([9_999 * MIN, 10_999, 1_000, 1_000 - 2 * 1_300]);
    expect(eq.positionsAt(4_999)).toEqual([]);
    expect(eq.positionsAt(5_000)).toEqual([{ symbol: "MES", quantity: 2 }]);
    expect(eq.positionsAt(6_999)).toEqual([{ symbol: "MES", quantity: 2 }]);
    expect(eq.positionsAt(7_000)).toEqual([]);
    expect(rec.rows()[5_000]).toEqual({ timeMs: 5_000 * MIN, portfolioValue: 6_000, cash: 1_000 - 2 * 1_300, positions: [{ symbol: "MES", quantity: 2 }] });
  });
});

describe("Broker alone", () => {
  it("fills against the bar it is handed, once per asset and call", () => {
    const asked: string[] = [];
    const f = new OrderFactory(new OrderIds(0));
    const broker = new Broker("S", 100_000, f.book, listener(), [], [], "polars");
    const mes = Asset.contFuture("MES");
    at(broker, 0).submit(f.create(mes, 1, "buy", { limitPrice: 4_800 }));
    at(broker, 0).submit(f.create(mes, 1, "buy", { limitPrice: 4_790 }));
    const bars = {
      fillBar: (a: Asset) => {
        asked.push(`${a.symbol}@${broker.now.ms}`);
        return { open: 4_805, high: 4_806, low: 4_795 };
      },
    };
    at(broker, 60_000).process(bars);
    expect(asked.length).toBeGreaterThan(0);
    expect(broker.fills.records().map((r) => r.price)).toEqual([4_800]);
    expect(broker.activeOrders().length).toBe(1);
    expect(broker.portfolio.quantity(mes)).toBe(1);
    // Read-only outside the broker.
    expect(() => ((broker.portfolio as unknown as { cash: number }).cash = 5)).toThrow();
    const o = broker.orders()[0] as Order;
    expect(() => ((o as unknown as { side: string }).side = "sell")).toThrow();
    expect(() => ((o as unknown as { status: string }).status = "new")).toThrow();
  });

  it("hands out one handle per order: createOrder's, getOrders' and the hooks' are the same object", () => {
    const f = new OrderFactory(new OrderIds(0));
    const seen: Order[] = [];
    const broker = new Broker("S", 100_000, f.book, listener(seen), [], [], "polars");
    const mes = Asset.contFuture("MES");
    const parent = at(broker, 0).submit(f.create(mes, 1, "buy", { orderClass: "bracket", secondaryLimitPrice: 4_900, secondaryStopPrice: 4_700 }));
    at(broker, 60_000).process({ fillBar: () => ({ open: 4_805, high: 4_806, low: 4_795 }) });
    const [tp, sl] = parent.children;
    expect(broker.orders()).toEqual([parent, tp, sl]);
    expect(broker.orders()[1]).toBe(tp);
    expect(seen).toEqual([parent, parent]);
    expect(seen[1]).toBe(parent);
    expect([parent.status, tp.status, sl.status, parent.avgFillPrice]).toEqual(["fill", "unprocessed", "unprocessed", 4_805]);
    expect(broker.activeOrders()).toEqual([parent, tp, sl]);
    // The stop leg fills; the take-profit is cancelled and the active list is a new, empty one.
    const before = broker.activeOrders();
    at(broker, 120_000).process({ fillBar: () => ({ open: 4_690, high: 4_700, low: 4_680 }) });
    expect([tp.status, sl.status, sl.avgFillPrice, sl.filledQuantity]).toEqual(["canceled", "fill", 4_690, 1]);
    expect(broker.activeOrders()).toEqual([]);
    expect(before).toEqual([parent, tp, sl]);
  });

  it("leaves a leg finished before it was tracked out of the active orders, and counts each logged order once", () => {
    const f = new OrderFactory(new OrderIds(0));
    const broker = new Broker("S", 100_000, f.book, listener(), [], [], "polars");
    const mes = Asset.contFuture("MES");
    const own = at(broker, 0).submit(f.create(mes, 1, "buy", { limitPrice: 1 }));
    at(broker, 60_000).cancel(own);
    at(broker, 60_000).cancel(own);
    expect(broker.activeOrders()).toEqual([]);
    expect([broker.tradeLog.length, broker.loggedOrderCount]).toEqual([3, 1]);
    // A bracket of another run whose take-profit is cancelled there already: tracked here, that leg is not active.
    const other = new OrderFactory(new OrderIds(1));
    const bracket = other.create(mes, 1, "buy", { orderClass: "bracket", secondaryLimitPrice: 4_900, secondaryStopPrice: 4_700 });
    at(new Broker("T", 100_000, other.book, listener(), [], [], "polars"), 0).cancel(bracket.children[0]);
    at(broker, 120_000).submit(bracket);
    const [tp, sl] = bracket.children;
    expect(tp.status).toBe("canceled");
    expect(broker.activeOrders()).toEqual([bracket, sl]);
    expect([broker.tradeLog.length, broker.loggedOrderCount]).toEqual([4, 2]);
  });

  it("keeps the fill price and fee of an order adopted filled from another run, and logs a new fill's", () => {
    const mes = Asset.contFuture("MES");
    const other = new OrderFactory(new OrderIds(1));
    const there = new Broker("T", 100_000, other.book, listener(), [new TradingFee(0.5)], [], "polars");
    const filled = at(there, 0).submit(other.create(mes, 1, "buy", {}));
    at(there, 60_000).process({ fillBar: () => ({ open: 4_805, high: 4_806, low: 4_795 }) });
    const f = new OrderFactory(new OrderIds(0));
    const broker = new Broker("S", 100_000, f.book, listener(), [new TradingFee(0.25)], [], "polars");
    at(broker, 60_000).submit(f.create(mes, 1, "buy", {}));
    at(broker, 120_000).process({ fillBar: () => ({ open: 4_810, high: 4_811, low: 4_809 }) });
    at(broker, 120_000).submit(filled);
    expect(filled.book).toBe(f.book);
    expect([filled.status, filled.avgFillPrice, filled.tradeCost]).toEqual(["new", 4_805, 0.5]);
    at(broker, 180_000).process({ fillBar: () => ({ open: 4_820, high: 4_821, low: 4_819 }) });
    expect([filled.status, filled.avgFillPrice, filled.tradeCost]).toEqual(["fill", 4_820, 0.25]);
    expect(broker.fills.records().map((r) => [r.order.avgFillPrice, r.price, r.fee])).toEqual([
      [4_810, 4_810, 0.25],
      [4_820, 4_820, 0.25],
    ]);
  });

  it("adopts orders another book holds: an order built alone and another run's keep their identity, identifiers and state", () => {
    const f = new OrderFactory(new OrderIds(0));
    const broker = new Broker("S", 100_000, f.book, listener(), [], [], "polars");
    const mes = Asset.contFuture("MES");
    const alone = new Order("mine", mes, 2, "buy", "market", "simple", undefined, undefined, undefined, undefined, "gtc");
    const other = new OrderFactory(new OrderIds(0));
    const elsewhere = other.create(mes, 1, "sell", { orderClass: "bracket", secondaryLimitPrice: 4_700, secondaryStopPrice: 4_900 });
    const otherId = elsewhere.identifier;
    const own = f.create(mes, 1, "buy", { limitPrice: 1 });
    at(broker, 0).submit(alone);
    at(broker, 0).submit(elsewhere);
    at(broker, 0).submit(own);
    expect([alone.book, elsewhere.book, elsewhere.children[0].book]).toEqual([f.book, f.book, f.book]);
    at(broker, 60_000).process({ fillBar: () => ({ open: 4_805, high: 4_806, low: 4_795 }) });
    expect([alone.identifier, alone.status, alone.avgFillPrice, alone.timeInForce]).toEqual(["mine", "fill", 4_805, "gtc"]);
    expect([elsewhere.identifier, elsewhere.status, elsewhere.children.map((c) => c.side)]).toEqual([otherId, "fill", ["buy_to_close", "buy_to_close"]]);
    expect(broker.orders()).toEqual([alone, elsewhere, ...elsewhere.children, own]);
    // `own` and `elsewhere` share the id of index 0: the trade log counts distinct identifiers.
    expect(own.identifier).toBe(otherId);
    expect(broker.loggedOrderCount).toBe(2);
    expect(broker.tradeLog.events.map((e) => [e.order, e.event])).toEqual([
      [alone, "new"],
      [elsewhere, "new"],
      [own, "new"],
      [alone, "fill"],
      [elsewhere, "fill"],
    ]);
  });
});

describe("CapacityHint", () => {
  it("starts the next owner with room for what the last one holds, within its bounds; without one, the capacity last grown to", () => {
    const hint = new CapacityHint<{ n: number }>(64, 1_024, (o) => o.n);
    const first = { n: 0 };
    expect(hint.start(first)).toBe(64);
    first.n = 300;
    const second = { n: 0 };
    expect(hint.start(second)).toBe(512); // the first holds 300 rows
    second.n = 5_000;
    expect(hint.start({ n: 0 })).toBe(1_024); // capped
    // A small run after a large one starts small again: the last owner is what counts.
    const small = { n: 10 };
    hint.start(small);
    expect(hint.start({ n: 0 })).toBe(64);
    // Without a last owner (none yet, or collected), the capacity an owner last grew to stands in.
    const lone = new CapacityHint<{ n: number }>(64, 1_024, (o) => o.n);
    lone.grewTo(256);
    expect(lone.start({ n: 0 })).toBe(256);
  });

  it("changes no result: a run after a larger one (which grew the hints) logs and fills exactly as before it", () => {
    const cycle = (brackets: number) => {
      const f = new OrderFactory(new OrderIds(3));
      const broker = new Broker("S", 1e9, f.book, listener(), [new TradingFee(0.5)], [], "polars");
      const mes = Asset.contFuture("MES");
      for (let k = 0, t = 0; k < brackets; k++) {
        at(broker, (t += 60_000)).submit(f.create(mes, 1, "buy", { orderClass: "bracket", secondaryLimitPrice: 4_900 + k, secondaryStopPrice: 4_700 }));
        at(broker, (t += 60_000)).process({ fillBar: () => ({ open: 4_800 + (k % 7), high: 4_900 + k, low: 4_799 }) });
        at(broker, (t += 60_000)).process({ fillBar: () => ({ open: 4_800, high: 4_900 + k, low: 4_799 }) });
      }
      return { csv: broker.tradeLog.toCsv(), fills: broker.fills.records().map((r) => [r.timeMs, r.price, r.quantity, r.fee, r.realized]) };
    };
    const cold = cycle(40);
    cycle(5_000); // grows the book, the log and the ledger past their first sizes
    expect(cycle(40)).toEqual(cold);
  });
});

describe("Order name codes", () => {
  it("code each side, type and class by its position in the names, and refuse other names", () => {
    const sides: OrderSide[] = ["buy", "sell", "buy_to_open", "buy_to_close", "buy_to_cover", "sell_to_open", "sell_to_close", "sell_short"];
    const types: OrderType[] = ["market", "limit", "stop", "stop_limit", "trailing_stop"];
    const classes: OrderClass[] = ["simple", "bracket", "oto", "oco"];
    expect(sides.map((n) => sideName(sideCode(n)))).toEqual(sides);
    expect(types.map((n) => typeName(typeCode(n)))).toEqual(types);
    expect(classes.map((n) => className(classCode(n)))).toEqual(classes);
    expect(sides.map(sideCode)).toEqual(sides.map((_, k) => k));
    expect(() => sideCode("short" as OrderSide)).toThrow(/order side "short" is not one of buy, sell/);
    expect(() => typeCode("Market" as OrderType)).toThrow(/order type "Market"/);
    expect(() => classCode(undefined as unknown as OrderClass)).toThrow(/order class undefined/);
  });
});

describe("OrderBook trailing-stop columns", () => {
  it("exist only once a row trails, and travel with an adopted order: its trail, level and fill are kept", () => {
    const f = new OrderFactory(new OrderIds(0));
    const broker = new Broker("S", 100_000, f.book, listener(), [], [], "polars");
    const mes = Asset.contFuture("MES");
    at(broker, 0).submit(f.create(mes, 1, "buy", {}));
    expect(f.book.trailLevel.length).toBe(0);
    const trail = new Order("t", mes, 1, "sell", "trailing_stop", "simple", undefined, undefined, 5, undefined, "gtc");
    at(broker, 60_000).process({ fillBar: () => ({ open: 100, high: 101, low: 99 }) }); // the buy fills at 100
    at(broker, 60_000).submit(trail);
    expect(trail.book).toBe(f.book);
    expect(f.book.trailLevel.length).toBeGreaterThan(0);
    expect(trail.trailPrice).toBe(5);
    at(broker, 120_000).process({ fillBar: () => ({ open: 110, high: 112, low: 108 }) }); // level 112 − 5 = 107
    expect([trail.status, trail.trailLevel]).toEqual(["new", 107]);
    at(broker, 180_000).process({ fillBar: () => ({ open: 111, high: 115, low: 111 }) }); // ratchets to 110
    expect(trail.trailLevel).toBe(110);
    at(broker, 240_000).process({ fillBar: () => ({ open: 109, high: 109.5, low: 104 }) }); // gaps below 110: fills at the open
    expect([trail.status, trail.avgFillPrice]).toEqual(["fill", 109]);
  });
});

describe("TradeLog.toCsv", () => {
  it("writes what a plain writer of Lumibot's rules gives: columns in first-appearance order, empty identifiers, quoting", () => {
    const f = new OrderFactory(new OrderIds(9));
    const broker = new Broker('S,"q"', 100_000, f.book, listener(), [new TradingFee(0.5)], [], "polars");
    const mes = Asset.contFuture("MES");
    const unnamed = new Order("", mes, 1, "buy", "limit", "simple", 1, undefined, undefined, undefined, "gtc");
    const quoted = new Order('x,"y"', Asset.stock("A"), 3, "buy", "market", "simple", undefined, undefined, undefined, undefined, "day");
    at(broker, 0).submit(unnamed);
    at(broker, 60_000).submit(quoted);
    at(broker, 60_000).submit(f.create(mes, 2, "buy", { orderClass: "bracket", secondaryLimitPrice: 4_900, secondaryStopPrice: 4_700 }));
    at(broker, 120_000).process({ fillBar: () => ({ open: 4_805.25, high: 4_806, low: 4_795 }) });
    at(broker, 180_000).cancelOpenOrders();
    const log = broker.tradeLog;
    expect(log.toCsv()).toBe(plainCsv(log.events, 'S,"q"'));
    expect(log.toCsv().split("\n")[0]).toBe(
      "time,strategy,symbol,side,type,status,multiplier,time_in_force,asset.strike,asset.multiplier,asset.asset_type,identifier,price,filled_quantity,trade_cost",
    );
    expect(new Broker("S", 1, new OrderFactory(new OrderIds(0)).book, listener(), [], [], "polars").tradeLog.toCsv()).toBe("\n");
    // A strategy without a name (an anonymous class) has no strategy column.
    const anonymous = new Broker("", 100_000, new OrderFactory(new OrderIds(1)).book, listener(), [], [], "polars");
    at(anonymous, 0).submit(new Order("z", mes, 1, "sell", "market", "simple", undefined, undefined, undefined, undefined, "day"));
    at(anonymous, 60_000).process({ fillBar: () => ({ open: 10, high: 11, low: 9 }) });
    expect(anonymous.tradeLog.toCsv()).toBe(plainCsv(anonymous.tradeLog.events, ""));
    expect(anonymous.tradeLog.toCsv()).not.toContain("strategy");
  });
});

/** The trade log's CSV as a plain writer gives it: every candidate value per event, then the columns some row has a value in. */
function plainCsv(events: readonly TradeEvent[], strategy: string): string {
  const names =
    "time,strategy,exchange,identifier,symbol,side,type,status,price,filled_quantity,multiplier,trade_cost,time_in_force,asset.right,asset.strike,asset.multiplier,asset.expiration,asset.asset_type,price_source".split(
      ",",
    );
  const time = nyTimestampFormatter();
  const py = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
  const rows = events.map((e) => {
    const fill = e.event === "fill";
    const o = e.order;
    return [
      time(e.timeMs),
      strategy,
      "",
      o.identifier,
      o.asset.symbol,
      o.side,
      o.type,
      e.event,
      fill ? py(e.price as number) : "",
      fill ? py(e.quantity as number) : "",
      String(fill ? o.asset.multiplier : 1),
      fill ? py(e.fee as number) : "",
      o.timeInForce,
      "",
      "0.0",
      String(o.asset.multiplier),
      "",
      o.asset.assetType,
      "",
    ];
  });
  const order: number[] = [];
  for (const r of rows) {
    r.forEach((v, c) => {
      if (v !== "" && !order.includes(c)) order.push(c);
    });
  }
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[order.map((c) => names[c]).join(","), ...rows.map((r) => order.map((c) => quote(r[c])).join(","))].join("\n")}\n`;
}

/** Broker events that listen to every hook, collecting the filled orders in `filled`. */
/** `broker` with its instant set to `t` (its calls then happen at t). */
function at(broker: Broker, t: number): Broker {
  broker.now.ms = t;
  return broker;
}

function listener(filled: Order[] = []) {
  return {
    listens: () => true,
    onNewOrder: (o: Order) => void filled.push(o),
    onFilledOrder: (o: Order) => void filled.push(o),
    onCanceledOrder: () => {},
  };
}

describe("Bars views", () => {
  // Seven columns packed into one buffer past its start, each shorter than the space it has: views
  // must alias the columns, start where they say and never read a neighbour's values.
  const rows = 50;
  const packed = new ArrayBuffer(8 * (7 * (rows + 3) + 1));
  const column = (k: number) => {
    const c = new Float64Array(packed, 8 * (1 + k * (rows + 3)), rows);
    for (let i = 0; i < rows; i++) c[i] = k * 1_000 + i;
    return c;
  };
  const cols = {
    timestamps: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 60_000_000_000n),
    timesMs: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
  };
  const names = ["timesMs", "open", "high", "low", "close", "volume"] as const;

  it("are the rows subarray gives, over the same memory, for any window", () => {
    const set = ColumnSet.of(cols);
    const next = rng(7);
    for (let q = 0; q < 300; q++) {
      const start = Math.floor(next() * (rows + 1));
      const end = start + Math.floor(next() * (rows + 1 - start));
      const bars = new Bars("X", set, start, end);
      for (const k of names) {
        const view = bars[k],
          expected = cols[k].subarray(start, end);
        expect(Array.from(view), `${k} [${start}, ${end})`).toEqual(Array.from(expected));
        expect(view.buffer).toBe(packed);
        expect(view.byteOffset).toBe(expected.byteOffset);
      }
      expect(Array.from(bars.timestamps)).toEqual(Array.from(cols.timestamps.subarray(start, end)));
    }
    const bars = new Bars("X", set, 10, 20);
    cols.close[15] = -1;
    expect(bars.close[5]).toBe(-1);
  });

  it("hand out the column itself for a whole-column window, before and after partial views", () => {
    const set = ColumnSet.of(cols);
    expect(new Bars("X", set, 0, rows).close).toBe(cols.close);
    expect(new Bars("X", set, 1, rows).close.length).toBe(rows - 1);
    expect(new Bars("X", set, 0, rows).close).toBe(cols.close);
  });

  it("refuse rows outside the columns (a view at an offset would not clamp them)", () => {
    for (const [start, end] of [
      [0, rows + 1],
      [5, 4],
      [-1, 3],
    ]) {
      expect(() => new Bars("X", cols, start, end)).toThrow(
        expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining(`rows [${start}, ${end})`) }),
      );
    }
    expect(new Bars("X", cols, rows, rows).length).toBe(0);
  });

  it("keep one ColumnSet per source columns object, which still shows only the seven columns", () => {
    const shared = ColumnSet.shared(cols);
    expect(ColumnSet.shared(cols)).toBe(shared);
    expect(ColumnSet.of(shared)).toBe(shared);
    expect(new Bars("X", shared, 0, 3).columnsView).toBe(shared);
    expect(Object.keys(shared).sort()).toEqual(Object.keys(cols).sort());
  });
});
