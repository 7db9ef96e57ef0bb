// The Strategy base class: Lumibot's strategy API in camelCase, bound to a running backtest.

import { argumentError, FerrobtError } from "../errors.js";
import type { Bars } from "../store/Bars.js";
import { Asset } from "./asset.js";
import type { TradingFee } from "./fees.js";
import type { Order, OrderOptions, OrderSide } from "./order.js";
import type { Position } from "./portfolio.js";

/** What a running backtest provides to its strategy. */
export interface StrategyContext {
  nowMs(): number;
  setMarket(name: string): void;
  historicalPrices(asset: Asset, length: number, timestep: string, timeshift: number): Bars | undefined;
  lastPrice(asset: Asset): number | undefined;
  createOrder(asset: Asset, quantity: number, side: OrderSide, options: OrderOptions): Order;
  submitOrder(order: Order): Order;
  cancelOrder(order: Order): void;
  cancelOpenOrders(): void;
  closePosition(asset: Asset): Order | undefined;
  orders(): Order[];
  activeOrders(): readonly Order[];
  position(asset: Asset): Position | undefined;
  positions(): Position[];
  cash(): number;
  portfolioValue(): number;
  log(message: string): void;
}

/** A plain attribute bag (`self.vars` in Lumibot). */
export class Vars {
  private readonly values = new Map<string, unknown>();
  get<T>(name: string, fallback?: T): T | undefined {
    return this.values.has(name) ? (this.values.get(name) as T) : fallback;
  }
  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }
  all(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }
}

/**
 * The backtest each strategy runs in. Kept outside the class (no private fields), so strategy types
 * from two copies of ferrobt (dist and sources) stay structurally compatible, and frozen strategies
 * work; the last strategy looked up is remembered (one strategy asks many times in a row).
 */
const contexts = new WeakMap<object, StrategyContext>();
let lastStrategy: object | undefined;
let lastContext: StrategyContext | undefined;

/** Drops the remembered strategy (a run calls it when it ends, so a finished run is not kept alive). */
export function forgetLastStrategy(): void {
  lastStrategy = lastContext = undefined;
}

/**
 * Marks the base class's empty order hooks, so a run can tell a hook the strategy does not have (and
 * skip the order handle it would be handed). A registered symbol: strategies built on another copy of
 * ferrobt (dist and sources) are recognised alike.
 */
const UNSET_HOOK = Symbol.for("ferrobt.unsetHook");

/** Whether `fn` (a strategy's order hook) is one the strategy has, not the base class's empty one. */
export function isSetHook(fn: unknown): boolean {
  return typeof fn === "function" && (fn as { [UNSET_HOOK]?: boolean })[UNSET_HOOK] !== true;
}

/** Base class of every strategy. Override `onTradingIteration` and any hook you need. */
export abstract class Strategy {
  /** Class-level parameters; `new Backtest(..., { parameters })` overlays them. */
  parameters: Record<string, unknown> = {};
  /** Clock step: "1M" (one minute), "5M", "1H", "1D", "30S", or an int number of minutes. */
  sleeptime: string | number = "1M";
  /** Fees charged on buy-side orders (Lumibot's buy_trading_fees). */
  buyTradingFees: TradingFee[] = [];
  /** Fees charged on sell-side orders. */
  sellTradingFees: TradingFee[] = [];
  readonly vars = new Vars();

  /** Strategy name used in logs (the class name unless overridden). */
  get name(): string {
    return this.constructor.name;
  }

  /** @internal Binds the strategy to a backtest. */
  attach(ctx: StrategyContext): void {
    contexts.set(this, ctx);
    if (lastStrategy === this) lastContext = ctx;
  }

  private get ctx(): StrategyContext {
    if (this === lastStrategy) return lastContext as StrategyContext;
    const ctx = contexts.get(this);
    if (!ctx) throw new FerrobtError("ERR_STRATEGY", "the strategy is not running inside a backtest");
    lastStrategy = this;
    lastContext = ctx;
    return ctx;
  }

  initialize(): void {}
  abstract onTradingIteration(): void;
  beforeMarketOpens(): void {}
  beforeStartingTrading(): void {}
  beforeMarketCloses(): void {}
  afterMarketCloses(): void {}
  onStrategyEnd(): void {}
  onNewOrder(_order: Order): void {}
  onFilledOrder(_order: Order, _price: number, _quantity: number, _multiplier: number): void {}
  onCanceledOrder(_order: Order): void {}

  static {
    for (const hook of ["onNewOrder", "onFilledOrder", "onCanceledOrder"] as const)
      Object.defineProperty(Strategy.prototype[hook], UNSET_HOOK, { value: true });
  }

  /** The parameters in force (class-level overlaid by the backtest's). */
  getParameters(): Record<string, unknown> {
    return this.parameters;
  }

  /** Sets the market calendar: "us_futures", "NYSE"/"NASDAQ"/"stock", "24/7". */
  setMarket(name: string): void {
    this.ctx.setMarket(name);
  }

  /** The backtest clock. */
  getDatetime(): Date {
    return new Date(this.ctx.nowMs());
  }

  /** The backtest clock in ms UTC. */
  getTimestamp(): number {
    return this.ctx.nowMs();
  }

  /**
   * Bars that closed before now (ts < now), at most `length`, newest last; undefined when there is
   * none. `timestep`: "minute", "5 minutes", "1h", "day", ... (multi-unit steps resample the minute
   * window; the last bin is partial). `timeshift` (minutes): > 0 moves the window back, < 0 forward.
   */
  getHistoricalPrices(asset: Asset | string, length: number, timestep = "minute", options?: { timeshift?: number }): Bars | undefined {
    const n = Math.trunc(Number(length));
    if (!Number.isFinite(n) || n < 0) badArgument("length", length, "is not a whole number >= 0");
    const shift = options?.timeshift ?? 0;
    if (!Number.isFinite(shift)) badArgument("timeshift", shift, "is not a number of minutes");
    return this.ctx.historicalPrices(toAsset(asset), n, timestep, shift);
  }

  /** Close of the newest bar that ended by now (ts <= now − 1 min); undefined without data. */
  getLastPrice(asset: Asset | string): number | undefined {
    return this.ctx.lastPrice(toAsset(asset));
  }

  /** Creates (does not submit) an order. The type follows the prices given unless `type` is set. */
  createOrder(asset: Asset | string, quantity: number, side: OrderSide, options: OrderOptions = {}): Order {
    return this.ctx.createOrder(toAsset(asset), quantity, side, options);
  }

  submitOrder(order: Order): Order {
    return this.ctx.submitOrder(order);
  }

  cancelOrder(order: Order): void {
    this.ctx.cancelOrder(order);
  }

  /** Cancels every active order (the list is taken once, before cancelling). */
  cancelOpenOrders(): void {
    this.ctx.cancelOpenOrders();
  }

  /** Creates and submits a market order that flattens the position; undefined when flat. */
  closePosition(asset: Asset | string): Order | undefined {
    return this.ctx.closePosition(toAsset(asset));
  }

  /** Cancels open orders and closes every position. */
  sellAll(): void {
    this.cancelOpenOrders();
    for (const p of this.getPositions()) this.closePosition(p.asset);
  }

  /** Every tracked order (new, filled, cancelled), as Lumibot's get_orders(). O(all orders). */
  getOrders(): Order[] {
    return this.ctx.orders();
  }

  /**
   * The active orders only (not filled and not cancelled, or with an active child), in tracking
   * order: what `getOrders().filter((o) => o.isActive())` gives, without scanning finished orders.
   */
  getActiveOrders(): readonly Order[] {
    return this.ctx.activeOrders();
  }

  getPosition(asset: Asset | string): Position | undefined {
    return this.ctx.position(toAsset(asset));
  }

  getPositions(): Position[] {
    return this.ctx.positions();
  }

  getCash(): number {
    return this.ctx.cash();
  }

  /** Portfolio value computed at the start of the current lifecycle call. */
  getPortfolioValue(): number {
    return this.ctx.portfolioValue();
  }

  log(message: string): void {
    this.ctx.log(message);
  }
}

/**
 * Throws ERR_ARGUMENT ({@link argumentError}) for `value` of argument `name`; the message is built here,
 * apart, so the per-minute calls that check arguments stay small enough for a strategy's hook to inline.
 */
function badArgument(name: string, value: unknown, problem: string): never {
  argumentError(name, `${String(value)} ${problem}`);
}

function toAsset(a: Asset | string): Asset {
  return typeof a === "string" ? Asset.stock(a) : a;
}
