// Accounting identity (property test): after every fill of a random strategy, margin cash is
// conserved: cash + Σ margin·|quantity| = budget + Σ realised P&L − Σ fees.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backtest, BarStore, contractSpec, type Order, TradingFee } from "../ts/src/index.js";
import { nyToUtc } from "../ts/src/util/nytime.js";
import { samplePath } from "./helpers/fixtures.js";
import { RandomStrategy } from "./helpers/random-strategy.js";

class Audited extends RandomStrategy {
  readonly seen: { cash: number; locked: number }[] = [];
  override buyTradingFees = [new TradingFee(0.5, 0.0001)];
  override sellTradingFees = [new TradingFee(0.25)];
  override onFilledOrder(_o: Order): void {
    const locked = this.getPositions().reduce((s, p) => s + contractSpec(p.asset.symbol).margin * Math.abs(p.quantity), 0);
    this.seen.push({ cash: this.getCash(), locked });
  }
}

describe("accounting identity", () => {
  const store = BarStore.openParquetSync(samplePath());
  it("holds after every fill of random strategies", () => {
    let fills = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 3 * 24 * 60 }), (seed, offset) => {
        const s = new Audited(seed, "1M");
        const start = nyToUtc(2024, 1, 2, 18) + offset * 60_000;
        const r = new Backtest(s, { data: store, start, end: start + 6 * 3_600_000 }).run();
        expect(s.seen.length).toBe(r.fills.length);
        fills += r.fills.length;
        let booked = 100_000;
        r.fills.forEach((f, i) => {
          booked += f.realized - f.fee;
          expect(s.seen[i].cash + s.seen[i].locked).toBeCloseTo(booked, 6);
        });
      }),
      { numRuns: 25, seed: 99 },
    );
    expect(fills, "fills checked over all runs").toBeGreaterThan(100);
  });
});
