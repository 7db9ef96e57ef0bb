// Lumibot's session clock (spec §3.3) on its own: it walks a market calendar and tells a listener
// which lifecycle hook runs at which instant and when pending orders are processed. It knows nothing
// of strategies, data or brokers.

import { MS_PER_MINUTE } from "../time.js";
import { nyDate } from "../util/nytime.js";
import type { MarketCalendar } from "./calendar.js";

/** Lifecycle hooks the clock schedules (initialize and onStrategyEnd are the run's, not the clock's). */
export type ClockHook = "beforeMarketOpens" | "beforeStartingTrading" | "onTradingIteration" | "beforeMarketCloses" | "afterMarketCloses";

/** What the clock drives. */
export interface ClockListener {
  /** A lifecycle call at `t` other than a trading iteration. */
  call(hook: ClockHook, t: number, run: boolean): void;
  /** Pending orders are processed at `t`. */
  process(t: number): void;
  /**
   * A trading iteration at `t`, then its order processing at `t`: `call("onTradingIteration", t, open)`
   * and `process(t)` in one call (the clock's one call per step), the hook run only when `open`.
   */
  tradingIteration(t: number, open: boolean): void;
}

/** The clock's settings, all in ms UTC. */
export interface ClockOptions {
  readonly startMs: number;
  readonly endMs: number;
  /** The strategy's sleeptime. */
  readonly stepMs: number;
  /** minutes_before_closing. */
  readonly beforeCloseMs: number;
  /** minutes_before_opening. */
  readonly beforeOpenMs: number;
  /** Told after every trading iteration: the fraction of the window done and the iterations run with the market open. */
  readonly onProgress?: (fraction: number, iterations: number) => void;
}

/** One event of a clock run, for inspection and tests. */
export type ClockEvent =
  | { readonly kind: "call"; readonly hook: ClockHook; readonly t: number; readonly run: boolean }
  | { readonly kind: "process"; readonly t: number };

export class SessionClock {
  /** The calendar in force; a strategy may switch markets (set it between calls). */
  calendar: MarketCalendar;
  /**
   * The clock instant, ms UTC. Declared with a number: a field that starts undefined stays tagged, and
   * every step would store a new heap number into this long-lived object behind a write barrier.
   */
  private t = Number.NaN;
  private iterations = 0;

  constructor(
    calendar: MarketCalendar,
    private readonly o: ClockOptions,
  ) {
    this.calendar = calendar;
    this.t = o.startMs;
  }

  /** Trading iterations run so far with the market open. */
  get iterationCount(): number {
    return this.iterations;
  }

  /** Runs the whole window, calling `l` at every step. */
  run(l: ClockListener): void {
    if (this.calendar.continuous) this.runContinuous(l);
    else this.runSessions(l);
  }

  /** Every event of a run, in order (a listener that records). */
  events(): ClockEvent[] {
    const out: ClockEvent[] = [];
    this.run({
      call: (hook, t, run) => out.push({ kind: "call", hook, t, run }),
      process: (t) => out.push({ kind: "process", t }),
      tradingIteration: (t, open) => out.push({ kind: "call", hook: "onTradingIteration", t, run: open }, { kind: "process", t }),
    });
    return out;
  }

  private runSessions(l: ClockListener): void {
    const { stepMs: step, beforeCloseMs: mbc, beforeOpenMs: mbo } = this.o;
    const lastTick = this.o.endMs - MS_PER_MINUTE;
    const lastDay = nyDate(lastTick);
    for (;;) {
      l.process(this.t);
      const next = this.calendar.nextSession(this.t);
      if (!next) return;
      if (this.t < next.open && next.open - mbo > this.t) this.t = next.open - mbo;
      if (!this.calendar.isOpen(this.t)) l.call("beforeMarketOpens", this.t, true);
      l.process(this.t);
      if (this.t < next.open) this.t = next.open;
      l.call("beforeStartingTrading", this.t, true);
      let ttc = this.calendar.timeToClose(this.t);
      if (this.calendar.isOpen(this.t) && ttc <= 0) {
        this.t += 1_000;
        ttc = this.calendar.timeToClose(this.t);
      }
      // The session's steps on a local (a register, not a field load and store per step), stored back after.
      let t = this.t;
      while (ttc > mbc) {
        if (t > lastTick) break;
        this.iterate(l, t);
        if (ttc - mbc <= 0 || step === 0) break;
        if (step > ttc) {
          t += ttc;
          break;
        }
        t += step;
        ttc = this.calendar.timeToClose(t);
      }
      this.t = t;
      this.closeSession(l);
      if (this.t >= lastTick || nyDate(this.t + 86_400_000) > lastDay) return;
    }
  }

  private runContinuous(l: ClockListener): void {
    const lastTick = this.o.endMs - MS_PER_MINUTE;
    while (this.t <= lastTick) {
      this.iterate(l, this.t);
      if (this.o.stepMs === 0) break;
      this.t += this.o.stepMs;
    }
    this.closeSession(l);
  }

  /** One trading iteration at t (recorded but not run when the market is closed), then order processing. */
  private iterate(l: ClockListener, t: number): void {
    const open = this.calendar.isOpen(t);
    l.tradingIteration(t, open);
    if (open) this.iterations++;
    const progress = this.o.onProgress;
    if (progress !== undefined) progress((t - this.o.startMs) / (this.o.endMs - this.o.startMs), this.iterations);
  }

  /** Steps 6–8: await close (mbc), before_market_closes, await close (0), after_market_closes. */
  private closeSession(l: ClockListener): void {
    const mbc = this.o.beforeCloseMs;
    l.process(this.t);
    const close = this.t + this.calendar.timeToClose(this.t);
    if (close - mbc > this.t) this.t = close - mbc;
    else if (close > this.t) this.t += 1_000;
    if (this.calendar.isOpen(this.t)) l.call("beforeMarketCloses", this.t, true);
    l.process(this.t);
    const finalClose = this.t + this.calendar.timeToClose(this.t);
    this.t = finalClose > this.t ? finalClose : this.t + MS_PER_MINUTE;
    l.call("afterMarketCloses", this.t, true);
  }
}
