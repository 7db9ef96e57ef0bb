// What a strategy talks to while it runs: the clock's current instant, the market data, order
// creation, the broker and the portfolio. It is also the clock's listener, so each lifecycle call
// values the portfolio, runs the hook and records a row.

import { FerrobtError } from "../errors.js";
import type { Bars } from "../store/Bars.js";
import { formatNy } from "../util/nytime.js";
import type { Asset } from "./asset.js";
import type { Broker } from "./broker.js";
import { type CalendarName, calendarName, MarketCalendar } from "./calendar.js";
import type { ClockHook, ClockListener, SessionClock } from "./clock.js";
import type { ContractBook } from "./contracts.js";
import type { RunInstant } from "./instant.js";
import type { MarketData } from "./market.js";
import { Order, type OrderOptions, type OrderSide } from "./order.js";
import type { OrderFactory } from "./order-factory.js";
import type { Position } from "./portfolio.js";
import type { Probe } from "./probe.js";
import type { EquityRecorder } from "./recorder.js";
import type { Strategy, StrategyContext } from "./strategy.js";

/** Every hook a run calls: the clock's and the run's own first and last. */
export type Hook = ClockHook | "initialize" | "onStrategyEnd";

/** A hook threw: the hook, the clock and the cause, for the run to turn into a StrategyError. */
export class HookFailure {
  constructor(
    readonly message: string,
    readonly cause: unknown,
    /** The clock (ms UTC) when the hook threw. */
    readonly atMs: number,
  ) {}
}

export interface RuntimeParts {
  readonly strategy: Strategy;
  readonly market: MarketData;
  readonly broker: Broker;
  readonly orders: OrderFactory;
  /** The run's contract specifications (definitions of futures the table does not know). */
  readonly contracts: ContractBook;
  readonly recorder: EquityRecorder;
  /** The run's instant, which the clock moves (the market data and the broker read the same one). */
  readonly now: RunInstant;
  readonly startMs: number;
  readonly endMs: number;
  readonly logger?: (line: string) => void;
  readonly probe?: Probe;
}

export class StrategyRuntime implements StrategyContext, ClockListener {
  private marketName: CalendarName = "NASDAQ";
  calendar: MarketCalendar;
  /** The running clock, told when the strategy switches markets. */
  clock: SessionClock | undefined;

  private readonly strategy: Strategy;
  private readonly market: MarketData;
  /** The run's instant: every call below happens at it. */
  readonly now: RunInstant;

  constructor(private readonly p: RuntimeParts) {
    this.now = p.now;
    this.calendar = new MarketCalendar(this.marketName, p.startMs, p.endMs);
    this.strategy = p.strategy;
    this.market = p.market;
  }

  // ---- the clock's listener ----

  /** A lifecycle call at the instant: portfolio value first, the hook, then a recorded row. Throws HookFailure. */
  call(hook: Hook, run: boolean, record = true): void {
    const probe = this.p.probe;
    const v0 = probe?.start() ?? 0;
    // Last prices are memoised per tick by the market data.
    this.p.broker.portfolio.revalue(this.market);
    probe?.stop("valuation", v0);
    if (run) {
      try {
        if (hook === "onTradingIteration") this.strategy.onTradingIteration();
        else this.strategy[hook]();
      } catch (cause) {
        const code = (cause as { code?: unknown })?.code;
        const what = `${typeof code === "string" ? `[${code}] ` : ""}${(cause as Error)?.message ?? String(cause)}`;
        const t = this.now.ms;
        throw new HookFailure(`strategy ${this.strategy.name} threw in ${hook} at ${formatNy(t)}: ${what}`, cause, t);
      }
    }
    if (record) {
      const r0 = probe?.start() ?? 0;
      this.p.recorder.record(this.p.broker.portfolio);
      probe?.stop("recorder", r0);
    }
  }

  /** A trading iteration, then its order processing: the clock's one call per step. */
  tradingIteration(open: boolean): void {
    this.call("onTradingIteration", open);
    this.process();
  }

  process(): void {
    const probe = this.p.probe;
    if (!probe) {
      this.p.broker.process(this.market);
      return;
    }
    const b0 = probe.start();
    this.p.broker.process(this.market);
    probe.stop("broker", b0);
  }

  // ---- StrategyContext ----

  nowMs(): number {
    return this.now.ms;
  }

  setMarket(name: string): void {
    this.marketName = calendarName(name);
    this.calendar = new MarketCalendar(this.marketName, this.p.startMs, this.p.endMs);
    if (this.clock) this.clock.calendar = this.calendar;
  }

  historicalPrices(asset: Asset, length: number, timestep: string, timeshift: number): Bars | undefined {
    const probe = this.p.probe;
    if (!probe) return this.market.historicalPrices(asset, length, timestep, timeshift);
    const h0 = probe.start();
    try {
      return this.market.historicalPrices(asset, length, timestep, timeshift, probe);
    } finally {
      probe.stop("getHistoricalPrices", h0);
    }
  }

  lastPrice(asset: Asset): number | undefined {
    const probe = this.p.probe;
    if (!probe) return this.market.lastPrice(asset);
    const l0 = probe.start();
    try {
      return this.market.lastPrice(asset);
    } finally {
      probe.stop("getLastPrice", l0);
    }
  }

  createOrder(asset: Asset, quantity: number, side: OrderSide, o: OrderOptions): Order {
    return this.p.orders.create(this.p.contracts.resolve(asset), quantity, side, o);
  }

  submitOrder(order: Order): Order {
    if (!(order instanceof Order)) throw new FerrobtError("ERR_ORDER", "submitOrder expects an Order from createOrder");
    this.market.seriesOf(order.asset);
    return this.p.broker.submit(order);
  }

  cancelOrder(order: Order): void {
    this.p.broker.cancel(order);
  }

  cancelOpenOrders(): void {
    this.p.broker.cancelOpenOrders();
  }

  closePosition(asset: Asset): Order | undefined {
    const qty = this.p.broker.portfolio.quantity(asset);
    if (qty === 0) return undefined;
    return this.submitOrder(this.createOrder(asset, Math.abs(qty), qty > 0 ? "sell" : "buy", {}));
  }

  orders(): Order[] {
    return this.p.broker.orders();
  }

  activeOrders(): readonly Order[] {
    return this.p.broker.activeOrders();
  }

  position(asset: Asset): Position | undefined {
    return this.p.broker.portfolio.position(asset);
  }

  positions(): Position[] {
    return this.p.broker.portfolio.heldPositions.slice();
  }

  cash(): number {
    return this.p.broker.portfolio.cash;
  }

  portfolioValue(): number {
    return this.p.broker.portfolio.valuation;
  }

  /** The portfolio value now (for the result). */
  valueNow(): number {
    this.p.broker.portfolio.revalue(this.market);
    return this.p.broker.portfolio.valuation;
  }

  log(message: string): void {
    this.p.logger?.(`${formatNy(this.now.ms)} ${message}`);
  }
}
