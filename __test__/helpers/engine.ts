// Engine test helpers: in-memory minute bars and small strategies that record what they see.

import { Asset, Backtest, type BacktestOptions, type BacktestResult, MemorySource, Strategy } from "../../ts/src/index.js";

export const MIN = 60_000;

/** Minute bars from `closes`: bar k at t0 + k min, open = previous close, high/low ±0.25 around. */
export function stepBars(
  t0: number,
  closes: number[],
): { timesMs: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } {
  const b = { timesMs: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  closes.forEach((c, k) => {
    const o = k === 0 ? c : closes[k - 1];
    b.timesMs.push(t0 + k * MIN);
    b.open.push(o);
    b.high.push(Math.max(o, c) + 0.25);
    b.low.push(Math.min(o, c) - 0.25);
    b.close.push(c);
    b.volume.push(10);
  });
  return b;
}

/** A strategy that records every hook call with its clock and runs `onIteration`. */
export class Recorder extends Strategy {
  readonly calls: [string, number][] = [];
  constructor(
    private readonly market: string,
    override sleeptime: string | number = "1M",
    private readonly onIteration: (s: Recorder) => void = () => {},
  ) {
    super();
  }
  private note(name: string): void {
    this.calls.push([name, this.getTimestamp()]);
  }
  override initialize(): void {
    this.setMarket(this.market);
  }
  override onTradingIteration(): void {
    this.note("iteration");
    this.onIteration(this);
  }
  override beforeMarketOpens(): void {
    this.note("beforeMarketOpens");
  }
  override beforeStartingTrading(): void {
    this.note("beforeStartingTrading");
  }
  override beforeMarketCloses(): void {
    this.note("beforeMarketCloses");
  }
  override afterMarketCloses(): void {
    this.note("afterMarketCloses");
  }
  count(name: string): number {
    return this.calls.filter((c) => c[0] === name).length;
  }
}

/** A one-symbol data source with flat bars over [from, to). */
export function flatSource(symbol: string, from: number, to: number, price = 100): MemorySource {
  const n = Math.round((to - from) / MIN);
  return new MemorySource({ [symbol]: stepBars(from, Array(n).fill(price)) });
}

export function run(strategy: Strategy, options: BacktestOptions): BacktestResult {
  return new Backtest(strategy, options).run();
}

export { Asset };
