// Lumibot's session clock (spec §3.3) on its own: it walks a market calendar, moves the run's instant
// and tells a listener which lifecycle hook runs then and when pending orders are processed. It knows
// nothing of strategies, data or brokers.

import { MS_PER_MINUTE } from "../time.js";
import { nyDate } from "../util/nytime.js";
import type { MarketCalendar } from "./calendar.js";
import { RunInstant } from "./instant.js";

/** Lifecycle hooks the clock schedules (initialize and onStrategyEnd are the run's, not the clock's). */
export type ClockHook = "beforeMarketOpens" | "beforeStartingTrading" | "onTradingIteration" | "beforeMarketCloses" | "afterMarketCloses";

/** What the clock drives, each call at the clock's instant (read from the {@link RunInstant} it moves). */
export interface ClockListener {
  /** A lifecycle call other than a trading iteration. */
  call(hook: ClockHook, run: boolean): void;
  /** Pending orders are processed. */
  process(): void;
  /**
   * A trading iteration, then its order processing: `call("onTradingIteration", open)` and
   * `process()` in one call (the clock's one call per step), the hook run only when `open`.
   */
  tradingIteration(open: boolean): void;
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
  private iterations = 0;

  /** `now`: the run's instant, which the clock moves from startMs (its listener reads it there). */
  constructor(
    calendar: MarketCalendar,
    private readonly o: ClockOptions,
    readonly now = new RunInstant(),
  ) {
    this.calendar = calendar;
    now.ms = o.startMs;
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
    const now = this.now;
    this.run({
      call: (hook, run) => out.push({ kind: "call", hook, t: now.ms, run }),
      process: () => out.push({ kind: "process", t: now.ms }),
      tradingIteration: (open) => out.push({ kind: "call", hook: "onTradingIteration", t: now.ms, run: open }, { kind: "process", t: now.ms }),
    });
    return out;
  }

  private runSessions(l: ClockListener): void {
    const { stepMs: step, beforeCloseMs: mbc, beforeOpenMs: mbo } = this.o;
    const now = this.now;
    const lastTick = this.o.endMs - MS_PER_MINUTE;
    const lastDay = nyDate(lastTick);
    for (;;) {
      l.process();
      const next = this.calendar.nextSession(now.ms);
      if (!next) return;
      if (now.ms < next.open && next.open - mbo > now.ms) now.ms = next.open - mbo;
      if (!this.calendar.isOpen(now.ms)) l.call("beforeMarketOpens", true);
      l.process();
      if (now.ms < next.open) now.ms = next.open;
      l.call("beforeStartingTrading", true);
      let ttc = this.calendar.timeToClose(now.ms);
      if (this.calendar.isOpen(now.ms) && ttc <= 0) {
        now.ms += 1_000;
        ttc = this.calendar.timeToClose(now.ms);
      }
      // The session's steps on a local (a register), stored to the instant before each step.
      let t = now.ms;
      while (ttc > mbc) {
        if (t > lastTick) break;
        now.ms = t;
        this.iterate(l);
        if (ttc - mbc <= 0 || step === 0) break;
        if (step > ttc) {
          t += ttc;
          break;
        }
        t += step;
        ttc = this.calendar.timeToClose(t);
      }
      now.ms = t;
      this.closeSession(l);
      if (now.ms >= lastTick || nyDate(now.ms + 86_400_000) > lastDay) return;
    }
  }

  private runContinuous(l: ClockListener): void {
    const now = this.now;
    const lastTick = this.o.endMs - MS_PER_MINUTE;
    while (now.ms <= lastTick) {
      this.iterate(l);
      if (this.o.stepMs === 0) break;
      now.ms += this.o.stepMs;
    }
    this.closeSession(l);
  }

  /** One trading iteration at the instant (recorded but not run when the market is closed), then order processing. */
  private iterate(l: ClockListener): void {
    const t = this.now.ms;
    const open = this.calendar.isOpen(t);
    l.tradingIteration(open);
    if (open) this.iterations++;
    const progress = this.o.onProgress;
    if (progress !== undefined) progress((t - this.o.startMs) / (this.o.endMs - this.o.startMs), this.iterations);
  }

  /** Steps 6–8: await close (mbc), before_market_closes, await close (0), after_market_closes. */
  private closeSession(l: ClockListener): void {
    const mbc = this.o.beforeCloseMs;
    const now = this.now;
    l.process();
    const close = now.ms + this.calendar.timeToClose(now.ms);
    if (close - mbc > now.ms) now.ms = close - mbc;
    else if (close > now.ms) now.ms += 1_000;
    if (this.calendar.isOpen(now.ms)) l.call("beforeMarketCloses", true);
    l.process();
    const finalClose = now.ms + this.calendar.timeToClose(now.ms);
    now.ms = finalClose > now.ms ? finalClose : now.ms + MS_PER_MINUTE;
    l.call("afterMarketCloses", true);
  }
}
