// The backtesting broker: order submission and cancellation, pending-order processing against the
// bar it is handed for each asset, fills, fees and the trade log (spec §4–5).

import { FerrobtError } from "../errors.js";
import type { Asset } from "./asset.js";
import { orderFee, type TradingFee } from "./fees.js";
import { FillLedger } from "./fill-ledger.js";
import { type FillBar, fillPrice } from "./fills.js";
import { isBuySide, type Order, setOrderSide } from "./order.js";
import { Portfolio } from "./portfolio.js";
import { TradeLog } from "./tradelog.js";

/**
 * Which bar prices an order processed at clock t:
 * - `"polars"` (Lumibot's default DataBento backend): the newest bar with ts < t+2m, i.e. B[t+1m],
 *   else B[t], else the newest older bar; no bar leaves the order open.
 * - `"pandas"`: of the bars with ts < t+2m keep those with ts >= t and take the first (B[t], else
 *   B[t+1m]); if none, the newest older bar; no bar at all cancels the order.
 */
export type FillModel = "polars" | "pandas";

/** The bars orders fill against: for an asset at clock t, per the fill model (the market data). */
export interface FillBars {
  fillBar(asset: Asset, t: number): FillBar | undefined;
}

/** Strategy callbacks the broker fires. */
export interface BrokerEvents {
  onNewOrder(order: Order): void;
  onFilledOrder(order: Order, price: number, quantity: number, multiplier: number): void;
  onCanceledOrder(order: Order): void;
}

/** A fill as reported in results. */
export interface FillRecord {
  readonly timeMs: number;
  readonly order: Order;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly realized: number;
}

export class Broker {
  /** Every order the strategy created and submitted, in tracking order (Lumibot's get_orders()). */
  readonly orders: Order[] = [];
  readonly fills = new FillLedger();
  readonly tradeLog: TradeLog;
  readonly portfolio: Portfolio;
  private readonly working: Order[] = [];
  /** Tracked orders that may still be active, in tracking order (pruned as they finish). */
  private live: Order[] = [];
  /** Distinct orders that appear in the trade log, and whether one was not built by the run's factory. */
  private readonly logged: Order[] = [];
  private foreignLogged = false;

  constructor(
    strategyName: string,
    budget: number,
    /** The run's order factory: its orders have unique identifiers. */
    private readonly ownOrders: (o: Order) => boolean,
    private readonly events: BrokerEvents,
    readonly buyFees: readonly TradingFee[],
    readonly sellFees: readonly TradingFee[],
    readonly fillModel: FillModel = "polars",
  ) {
    this.tradeLog = new TradeLog(strategyName);
    this.portfolio = new Portfolio(budget);
  }

  private track(o: Order): void {
    if (o.trackedBy !== this) {
      o.trackedBy = this;
      this.orders.push(o);
      this.live.push(o);
    }
  }

  /** Tracked orders that are active (not filled and not cancelled, or with an active child), in tracking order. */
  activeOrders(): readonly Order[] {
    // A new list only when an order finished: a list handed out earlier is never changed under its holder.
    for (let i = 0; i < this.live.length; i++) {
      if (!this.live[i].isActive()) {
        this.live = this.live.filter(isActive);
        break;
      }
    }
    return this.live;
  }

  /** Distinct orders in the trade log. */
  get loggedOrderCount(): number {
    // Orders built outside this run's factory may repeat an identifier: count identifiers then.
    return this.foreignLogged ? new Set(this.logged.map((o) => o.identifier)).size : this.logged.length;
  }

  /** Submits (or re-submits) an order at clock t (spec §4.4). */
  submit(o: Order, t: number): Order {
    checkOrder(o);
    if (o.orderClass !== "bracket" && o.orderClass !== "oto" && !o.side.includes("_to_close")) {
      setOrderSide(o, isBuySide(o.side) ? "buy" : "sell");
    }
    const working = this.working.includes(o) && o.isActive();
    this.track(o);
    const children = o.children;
    for (let i = 0; i < children.length; i++) this.track(children[i]);
    o.status = "new";
    if (!working) this.working.push(o);
    this.log(t, "new", o);
    this.events.onNewOrder(o);
    if (o.orderClass === "oco") for (const c of o.children) this.submit(c, t);
    return o;
  }

  /** Cancels unconditionally (a filled order becomes canceled; twice logs twice) and cascades to children. */
  cancel(o: Order, t: number): void {
    o.status = "canceled";
    this.log(t, "canceled", o);
    this.events.onCanceledOrder(o);
    const children = o.children;
    for (let i = 0; i < children.length; i++) this.cancel(children[i], t);
  }

  /** Cancels every active order; the list is taken once, before anything is cancelled (spec §4.5). */
  cancelOpenOrders(t: number): void {
    for (const o of this.activeOrders().slice()) this.cancel(o, t);
  }

  /**
   * Evaluates the orders working when the call starts (orders submitted during it wait for the next
   * call) against the bar `bars` hands it for their asset at t (spec §4.2).
   */
  process(t: number, bars: FillBars): void {
    const n = this.working.length;
    if (n === 0) return;
    for (let i = 0; i < n; i++) {
      const o = this.working[i];
      if (o.status === "fill" || o.status === "canceled") continue;
      if (o.orderClass === "oco" && o.children.length > 0) continue;
      const bar = bars.fillBar(o.asset, t);
      if (!bar) {
        if (this.fillModel === "pandas") this.cancel(o, t);
        continue;
      }
      const price = fillPrice(o, bar);
      if (price !== undefined) this.fill(o, price, t);
    }
    compact(this.working, isWorking);
  }

  private fill(o: Order, price: number, t: number): void {
    const siblings = o.siblings;
    for (let i = 0; i < siblings.length; i++) if (siblings[i] !== o && siblings[i].isActive()) this.cancel(siblings[i], t);
    const signed = isBuySide(o.side) ? o.quantity : -o.quantity;
    const realized = this.portfolio.book(o.asset, signed, price);
    const fee = orderFee(o, price, this.buyFees, this.sellFees);
    this.portfolio.chargeFee(fee);
    o.status = "fill";
    o.avgFillPrice = price;
    o.filledQuantity = o.quantity;
    o.tradeCost = fee;
    this.log(t, "fill", o, price, o.quantity, fee);
    this.fills.add(t, o, price, o.quantity, fee, realized);
    if (this.portfolio.quantity(o.asset) === 0) {
      // The active orders as they are now: orders tracked while cancelling are appended past `n` (or
      // to a newer list), so they are not visited, as with a copy.
      const active = this.activeOrders(),
        n = active.length;
      for (let i = 0; i < n; i++) {
        const other = active[i];
        if (other !== o && other.asset.key === o.asset.key && other.isActive()) this.cancel(other, t);
      }
    }
    if (o.orderClass === "bracket" || o.orderClass === "oto") this.working.push(...o.children);
    if (o.ocoParent) this.completeOco(o.ocoParent, t);
    this.events.onFilledOrder(o, price, o.quantity, o.asset.multiplier);
  }

  /** An OCO parent is marked filled with the child quantity and the signed sum of child prices. */
  private completeOco(parent: Order, t: number): void {
    const filled = parent.children.filter((c) => c.status === "fill");
    const price = filled.reduce((s, c) => s + (isBuySide(c.side) ? 1 : -1) * (c.avgFillPrice ?? 0), 0);
    parent.status = "fill";
    parent.avgFillPrice = price;
    parent.filledQuantity = filled[0]?.quantity ?? 0;
    this.log(t, "fill", parent, price, parent.filledQuantity, 0);
  }

  private log(t: number, event: "new" | "fill" | "canceled", order: Order, price?: number, quantity?: number, fee?: number): void {
    if (order.loggedBy !== this) {
      order.loggedBy = this;
      this.logged.push(order);
      if (!this.ownOrders(order)) this.foreignLogged = true;
    }
    this.tradeLog.add(t, event, order, price, quantity, fee);
  }
}

const isActive = (o: Order) => o.isActive();
const isWorking = (o: Order) => o.status !== "fill" && o.status !== "canceled";

/** Keeps the elements that pass `keep`, in order, in place (no new array). */
function compact<T>(xs: T[], keep: (x: T) => boolean): void {
  let j = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (keep(x)) xs[j++] = x;
  }
  if (j !== xs.length) xs.length = j;
}

/** Rejects orders Lumibot would reject: non-positive quantity, missing or invalid prices. */
function checkOrder(o: Order): void {
  if (!positive(o.quantity)) badOrder(o, `quantity ${o.quantity} must be a positive number`);
  if ((o.type === "limit" || o.type === "stop_limit") && !positive(o.limitPrice)) badOrder(o, "a limit price > 0 is required");
  if ((o.type === "stop" || o.type === "stop_limit") && !positive(o.stopPrice)) badOrder(o, "a stop price > 0 is required");
  if (o.type === "trailing_stop" && !positive(o.trailPrice) && !positive(o.trailPercent)) badOrder(o, "a trail price or trail percent > 0 is required");
}

const positive = (x: number | undefined) => x !== undefined && Number.isFinite(x) && x > 0;

function badOrder(o: Order, why: string): never {
  throw new FerrobtError("ERR_ORDER", `order ${o.identifier} (${o.type} ${o.side} ${o.asset.symbol}): ${why}`);
}
