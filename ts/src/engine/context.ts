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
  readonly startMs: number;
  readonly endMs: number;
  readonly logger?: (line: string) => void;
  readonly probe?: Probe;
}

export class StrategyRuntime implements StrategyContext, ClockListener {
  // Declared with numbers (one declared without a value starts undefined, and V8 then keeps it
  // tagged: a new heap number on every store).
  private t = Number.NaN;
  private pv = Number.NaN;
  private marketName: CalendarName = "NASDAQ";
  calendar: MarketCalendar;
  /** The running clock, told when the strategy switches markets. */
  clock: SessionClock | undefined;

  private readonly strategy: Strategy;
  private readonly market: MarketData;

  constructor(private readonly p: RuntimeParts) {
    this.t = p.startMs;
    this.pv = p.broker.portfolio.cash;
    this.calendar = new MarketCalendar(this.marketName, p.startMs, p.endMs);
    this.strategy = p.strategy;
    this.market = p.market;
  }

  /** The clock instant. */
  get now(): number {
    return this.t;
  }

  // ---- the clock's listener ----

  /** A lifecycle call: portfolio value first, the hook, then a recorded row. Throws HookFailure. */
  call(hook: Hook, t: number, run: boolean, record = true): void {
    this.t = t;
    const probe = this.p.probe;
    const v0 = probe?.start() ?? 0;
    // Last prices are memoised per tick by the market data. At t as given, not this.t: the number is
    // passed on as it came, where a read of the field would box a new heap number per price.
    this.pv = this.p.broker.portfolio.value(this.market, t);
    probe?.stop("valuation", v0);
    if (run) {
      try {
        if (hook === "onTradingIteration") this.strategy.onTradingIteration();
        else this.strategy[hook]();
      } catch (cause) {
        const code = (cause as { code?: unknown })?.code;
        const what = `${typeof code === "string" ? `[${code}] ` : ""}${(cause as Error)?.message ?? String(cause)}`;
        throw new HookFailure(`strategy ${this.strategy.name} threw in ${hook} at ${formatNy(t)}: ${what}`, cause, t);
      }
    }
    if (record) {
      const r0 = probe?.start() ?? 0;
      this.p.recorder.record(t, this.pv, this.p.broker.portfolio);
      probe?.stop("recorder", r0);
    }
  }

  /** A trading iteration, then its order processing: the clock's one call per step. */
  tradingIteration(t: number, open: boolean): void {
    this.call("onTradingIteration", t, open);
    this.process(t);
  }

  process(t: number): void {
    // Usually the instant of the call just made: storing it again would cost a write barrier.
    if (t !== this.t) this.t = t;
    const probe = this.p.probe;
    if (!probe) {
      this.p.broker.process(t, this.market);
      return;
    }
    const b0 = probe.start();
    this.p.broker.process(t, this.market);
    probe.stop("broker", b0);
  }

  // ---- StrategyContext ----

  nowMs(): number {
    return this.t;
  }

  setMarket(name: string): void {
    this.marketName = calendarName(name);
    this.calendar = new MarketCalendar(this.marketName, this.p.startMs, this.p.endMs);
    if (this.clock) this.clock.calendar = this.calendar;
  }

  historicalPrices(asset: Asset, length: number, timestep: string, timeshift: number): Bars | undefined {
    const probe = this.p.probe;
    if (!probe) return this.market.historicalPrices(asset, length, timestep, timeshift, this.t);
    const h0 = probe.start();
    try {
      return this.market.historicalPrices(asset, length, timestep, timeshift, this.t, probe);
    } finally {
      probe.stop("getHistoricalPrices", h0);
    }
  }

  lastPrice(asset: Asset): number | undefined {
    const probe = this.p.probe;
    if (!probe) return this.market.lastPrice(asset, this.t);
    const l0 = probe.start();
    try {
      return this.market.lastPrice(asset, this.t);
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
    return this.p.broker.submit(order, this.t);
  }

  cancelOrder(order: Order): void {
    this.p.broker.cancel(order, this.t);
  }

  cancelOpenOrders(): void {
    this.p.broker.cancelOpenOrders(this.t);
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
    return this.pv;
  }

  /** The current portfolio value (for the result; not memoised into the strategy's view). */
  valueNow(): number {
    return this.p.broker.portfolio.value(this.market, this.t);
  }

  log(message: string): void {
    this.p.logger?.(`${formatNy(this.t)} ${message}`);
  }
}
