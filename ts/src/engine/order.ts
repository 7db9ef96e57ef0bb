// Orders as Lumibot models them: types, classes (bracket/OTO/OCO), statuses and lifecycle (spec §4.3–4.4).

import type { Asset } from "./asset.js";

export type OrderSide = "buy" | "sell" | "buy_to_open" | "buy_to_close" | "buy_to_cover" | "sell_to_open" | "sell_to_close" | "sell_short";
export type OrderType = "market" | "limit" | "stop" | "stop_limit" | "trailing_stop";
export type OrderClass = "simple" | "bracket" | "oto" | "oco";
export type OrderStatus = "unprocessed" | "new" | "fill" | "canceled";

/** What `createOrder` accepts besides asset, quantity and side. */
export interface OrderOptions {
  /** Default: derived from the prices given (limit, stop, stop_limit, trailing_stop or market). */
  type?: OrderType;
  limitPrice?: number;
  stopPrice?: number;
  /** Trailing stop distance in price units. */
  trailPrice?: number;
  /** Trailing stop distance as a fraction (0.01 = 1 %). */
  trailPercent?: number;
  orderClass?: OrderClass;
  /** Bracket/OTO take-profit limit. */
  secondaryLimitPrice?: number;
  /** Bracket/OTO stop-loss level. */
  secondaryStopPrice?: number;
  /** Makes the stop-loss child a stop-limit. */
  secondaryStopLimitPrice?: number;
  /** Makes the stop-loss child a trailing stop. */
  secondaryTrailPrice?: number;
  secondaryTrailPercent?: number;
  /** Logged only; the backtest broker ignores it (every order lives until filled or cancelled). */
  timeInForce?: "day" | "gtc";
}

/** Is the side a buy for position and fee purposes. */
export function isBuySide(side: OrderSide): boolean {
  return side.startsWith("buy");
}

const NO_ORDERS: readonly Order[] = Object.freeze([]);

/** Broker only: sets an order's side (the order keeps it read-only for everyone else). */
export let setOrderSide: (order: Order, side: OrderSide) => void;

/** Order factory only: gives an order the identifier at `index` of `ids`, built when first read. */
export let setLazyIdentifier: (order: Order, ids: { at(index: number): string }, index: number) => void;

/** An order. Fields are read-only to strategies; the broker moves the status. */
export class Order {
  #side: OrderSide;
  #identifier: string;
  /** Where a lazily named order's identifier comes from, and its index there. */
  #ids: { at(index: number): string } | undefined;
  #idIndex = 0;
  status: OrderStatus = "unprocessed";
  /** Fill price once filled. */
  avgFillPrice: number | undefined;
  filledQuantity = 0;
  /** Fee charged on the fill. */
  tradeCost = 0;
  /** Stop-limit: true once the stop level has been reached. */
  stopTriggered = false;
  /** Trailing stop: current trigger level (set by the first evaluated bar). */
  trailLevel: number | undefined;
  /** Bracket/OTO/OCO children, in child order ([take-profit, stop-loss]); set when the order is built. */
  children: readonly Order[] = NO_ORDERS;
  /** @internal The legs built together with this one (itself included); a filled leg cancels the others. */
  siblings: readonly Order[] = NO_ORDERS;
  /** @internal The factory that built the order, the broker that tracks it and the one whose trade log has it. */
  madeBy: object | undefined;
  trackedBy: object | undefined;
  loggedBy: object | undefined;
  /** Parent of an OCO leg (bracket children have none, as in Lumibot). */
  ocoParent: Order | undefined;

  constructor(
    identifier: string,
    readonly asset: Asset,
    readonly quantity: number,
    side: OrderSide,
    readonly type: OrderType,
    readonly orderClass: OrderClass,
    readonly limitPrice: number | undefined,
    readonly stopPrice: number | undefined,
    readonly trailPrice: number | undefined,
    readonly trailPercent: number | undefined,
    readonly timeInForce: "day" | "gtc",
  ) {
    this.#side = side;
    this.#identifier = identifier;
  }

  static {
    setOrderSide = (order, side) => {
      order.#side = side;
    };
    setLazyIdentifier = (order, ids, index) => {
      order.#ids = ids;
      order.#idIndex = index;
    };
  }

  /** The order's unique identifier (32 hex digits for orders a backtest built). */
  get identifier(): string {
    if (this.#ids) {
      this.#identifier = this.#ids.at(this.#idIndex);
      this.#ids = undefined;
    }
    return this.#identifier;
  }

  /** Buy or sell (Lumibot's side names); a simple buy_to_open becomes "buy" when submitted, as in Lumibot. */
  get side(): OrderSide {
    return this.#side;
  }

  /** Not filled and not cancelled, or holding an active child. */
  isActive(): boolean {
    if (this.status !== "fill" && this.status !== "canceled") return true;
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i].isActive()) return true;
    return false;
  }

  /** Mutually dependent siblings (a filled leg cancels them). */
  get dependents(): readonly Order[] {
    return this.siblings.filter((x) => x !== this);
  }

  /** True once filled. */
  isFilled(): boolean {
    return this.status === "fill";
  }

  toString(): string {
    const px = [this.limitPrice && `limit ${this.limitPrice}`, this.stopPrice && `stop ${this.stopPrice}`].filter(Boolean).join(" ");
    return `${this.type} ${this.side} ${this.quantity} ${this.asset.symbol}${px ? ` ${px}` : ""} [${this.status}]`;
  }
}
