// No lookahead (property test): at clock t a strategy sees only bars that closed by t, for every
// timestep, including resampled bins that are still open, on random clocks and cadences.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Asset, Backtest, BarStore, Strategy } from "../ts/src/index.js";
import { formatNy, nyToUtc } from "../ts/src/util/nytime.js";
import { samplePath } from "./helpers/fixtures.js";

const MIN = 60_000;

class Probe extends Strategy {
  readonly violations: string[] = [];
  /** Iterations whose bars went through every comparison below. */
  compared = 0;
  constructor(
    override sleeptime: string,
    private readonly timestep: string,
    private readonly length: number,
    private readonly store: BarStore,
  ) {
    super();
  }
  override initialize(): void {
    this.setMarket("us_futures");
  }
  override onTradingIteration(): void {
    const t = this.getTimestamp();
    const asset = Asset.contFuture("MES");
    const bars = this.getHistoricalPrices(asset, this.length, this.timestep);
    const newestClosed = this.store.lastBar("MESH4", { atOrBefore: t - MIN }); // closed by t
    if (!bars) {
      if (newestClosed && this.timestep === "minute") this.violations.push(`${formatNy(t)}: no bars although data exists`);
      return;
    }
    if (!newestClosed) return void this.violations.push(`${formatNy(t)}: bars before any bar closed`);
    const n = bars.length;
    for (let i = 0; i < n; i++)
      if (!(bars.timesMs[i] < t)) this.violations.push(`${formatNy(t)} ${this.timestep}: bar ${formatNy(bars.timesMs[i])} not before t`);
    if (this.timestep === "minute" && bars.timesMs[n - 1] + MIN > t) this.violations.push(`${formatNy(t)}: minute bar still open`);
    // The newest close is that of the newest closed minute bar: open bins carry no future minute.
    if (bars.close[n - 1] !== newestClosed.close) this.violations.push(`${formatNy(t)} ${this.timestep}: close ${bars.close[n - 1]} != ${newestClosed.close}`);
    // Volume of the newest (possibly open) bin = volume of its minute bars that closed by t.
    const inBin = this.store.between("MESH4", { start: bars.timesMs[n - 1], end: t - MIN + 1 });
    const volume = inBin.volume.reduce((a, b) => a + b, 0);
    if (bars.volume[n - 1] !== volume) this.violations.push(`${formatNy(t)} ${this.timestep}: open-bin volume ${bars.volume[n - 1]} != ${volume}`);
    const last = this.getLastPrice(asset);
    if (last !== undefined && last !== this.store.lastBar("MESH4", { atOrBefore: t - MIN })?.close)
      this.violations.push(`${formatNy(t)}: last price from a bar not closed`);
    this.compared++;
  }
}

describe("no lookahead", () => {
  const store = BarStore.openParquetSync(samplePath());
  it("holds on random clocks, cadences, timesteps and lengths", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_200 }), // Jan 2 18:00 .. Jan 5 16:00 New York: always some session left
        fc.constantFrom("1M", "30S", "7M", "1H"),
        fc.constantFrom("minute", "5 minutes", "15m", "1h", "day"),
        fc.integer({ min: 1, max: 40 }),
        (offsetMin, sleeptime, timestep, length) => {
          const start = nyToUtc(2024, 1, 2, 18) + offsetMin * MIN + (sleeptime === "30S" ? 30_000 : 0);
          const probe = new Probe(sleeptime, timestep, length, store);
          new Backtest(probe, { data: store, start, end: start + 90 * MIN }).run();
          expect(probe.violations).toEqual([]);
          expect(probe.compared, "iterations that got bars and compared them").toBeGreaterThan(0);
        },
      ),
      { numRuns: 60, seed: 20240103 },
    );
  });
});

describe("timeshift", () => {
  it("refuses a negative timeshift (it would reveal bars that have not closed)", () => {
    const store = BarStore.openParquetSync(samplePath());
    class Peek extends Strategy {
      override initialize(): void {
        this.setMarket("us_futures");
      }
      override onTradingIteration(): void {
        this.getHistoricalPrices(Asset.contFuture("MES"), 5, "minute", { timeshift: -2 });
      }
    }
    const start = nyToUtc(2024, 1, 3, 10);
    expect(() => new Backtest(new Peek(), { data: store, start, end: start + 5 * MIN }).run()).toThrowError(
      expect.objectContaining({ code: "ERR_STRATEGY", message: expect.stringContaining("timeshift") }),
    );
  });
});
