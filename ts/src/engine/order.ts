// Orders as Lumibot models them: types, classes (bracket/OTO/OCO), statuses and lifecycle (spec §4.3–4.4).
// An order's data lives in the columns of its OrderBook (one per run's factory, or one of its own for
// an order built alone); the Order object is a small handle onto its row, so a year of orders costs a
// few words each on the heap instead of an object of two dozen fields and boxed doubles.

import { FerrobtError } from "../errors.js";
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

const SIDES: readonly OrderSide[] = ["buy", "sell", "buy_to_open", "buy_to_close", "buy_to_cover", "sell_to_open", "sell_to_close", "sell_short"];
const TYPES: readonly OrderType[] = ["market", "limit", "stop", "stop_limit", "trailing_stop"];
const CLASSES: readonly OrderClass[] = ["simple", "bracket", "oto", "oco"];
const TIFS: readonly ("day" | "gtc")[] = ["day", "gtc"];

/** Code of `name` in `names`; ERR_ORDER naming the field for anything else (a JS caller's typo). */
function codeIn<T>(field: string, names: readonly T[], name: T): number {
  const code = names.indexOf(name);
  if (code < 0) throw new FerrobtError("ERR_ORDER", `order ${field} ${JSON.stringify(name)} is not one of ${names.join(", ")}`);
  return code;
}

// Bits of OrderBook.flags: which optional prices are set, and the fill rules' state.
const HAS_LIMIT = 1,
  HAS_STOP = 2,
  HAS_TRAIL_PRICE = 4,
  HAS_TRAIL_PERCENT = 8,
  HAS_AVG_FILL = 16,
  HAS_TRAIL_LEVEL = 32,
  STOP_TRIGGERED = 64;

/** Where identifiers of lazily named orders come from: the id at a row's index. */
export interface IdSource {
  at(index: number): string;
}

/**
 * The rows of a set of orders as columns: fixed fields in typed arrays (doubles unboxed, optional
 * prices flagged), the asset and links in plain arrays. Rows are appended, never removed.
 */
export class OrderBook {
  private n = 0;
  /** @internal Side, type, class and time-in-force codes, and flag bits, per row. */
  side = new Uint8Array(64);
  type = new Uint8Array(64);
  cls = new Uint8Array(64);
  tif = new Uint8Array(64);
  flags = new Uint8Array(64);
  quantity = new Float64Array(64);
  limitPrice = new Float64Array(64);
  stopPrice = new Float64Array(64);
  trailPrice = new Float64Array(64);
  trailPercent = new Float64Array(64);
  avgFillPrice = new Float64Array(64);
  filledQuantity = new Float64Array(64);
  tradeCost = new Float64Array(64);
  trailLevel = new Float64Array(64);
  readonly assets: Asset[] = [];
  /** Children, siblings and OCO parents of the rows that have them (sparse). */
  readonly children: (readonly Order[] | undefined)[] = [];
  readonly siblings: (readonly Order[] | undefined)[] = [];
  readonly ocoParents: (Order | undefined)[] = [];
  /** Identifiers given or already built, by row (sparse); the others are `ids.at(row)`. */
  readonly identifiers: (string | undefined)[] = [];

  constructor(
    /** Names rows without an identifier of their own (the run's seeded ids). */
    readonly ids?: IdSource,
    /** The factory that fills the book. */
    readonly madeBy?: object,
  ) {}

  /** Rows so far. */
  get length(): number {
    return this.n;
  }

  /** Appends a row; returns its index. */
  append(
    identifier: string,
    asset: Asset,
    quantity: number,
    side: OrderSide,
    type: OrderType,
    orderClass: OrderClass,
    limitPrice: number | undefined,
    stopPrice: number | undefined,
    trailPrice: number | undefined,
    trailPercent: number | undefined,
    timeInForce: "day" | "gtc",
  ): number {
    // Codes first: a bad name throws before the row exists.
    const sideCode = codeIn("side", SIDES, side),
      typeCode = codeIn("type", TYPES, type),
      classCode = codeIn("class", CLASSES, orderClass),
      tifCode = codeIn("timeInForce", TIFS, timeInForce);
    if (this.n === this.side.length) this.grow();
    const i = this.n++;
    this.side[i] = sideCode;
    this.type[i] = typeCode;
    this.cls[i] = classCode;
    this.tif[i] = tifCode;
    this.quantity[i] = quantity;
    let f = 0;
    if (limitPrice !== undefined) {
      f |= HAS_LIMIT;
      this.limitPrice[i] = limitPrice;
    }
    if (stopPrice !== undefined) {
      f |= HAS_STOP;
      this.stopPrice[i] = stopPrice;
    }
    if (trailPrice !== undefined) {
      f |= HAS_TRAIL_PRICE;
      this.trailPrice[i] = trailPrice;
    }
    if (trailPercent !== undefined) {
      f |= HAS_TRAIL_PERCENT;
      this.trailPercent[i] = trailPercent;
    }
    this.flags[i] = f;
    this.assets.push(asset);
    if (identifier !== "" || !this.ids) this.identifiers[i] = identifier;
    return i;
  }

  private grow(): void {
    const twice = <A extends Uint8Array | Float64Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(a.length * 2);
      b.set(a);
      return b;
    };
    this.side = twice(this.side);
    this.type = twice(this.type);
    this.cls = twice(this.cls);
    this.tif = twice(this.tif);
    this.flags = twice(this.flags);
    this.quantity = twice(this.quantity);
    this.limitPrice = twice(this.limitPrice);
    this.stopPrice = twice(this.stopPrice);
    this.trailPrice = twice(this.trailPrice);
    this.trailPercent = twice(this.trailPercent);
    this.avgFillPrice = twice(this.avgFillPrice);
    this.filledQuantity = twice(this.filledQuantity);
    this.tradeCost = twice(this.tradeCost);
    this.trailLevel = twice(this.trailLevel);
  }

  /** Row i's identifier (built from the id source when first read, then kept). */
  identifier(i: number): string {
    let id = this.identifiers[i];
    if (id === undefined) this.identifiers[i] = id = (this.ids as IdSource).at(i);
    return id;
  }
}

/** An order. Fields are read-only to strategies; the broker moves the status. */
export class Order {
  /** @internal The book holding the order's fields, and its row there. */
  readonly book: OrderBook;
  readonly row: number;
  status: OrderStatus = "unprocessed";
  /** @internal The broker that tracks it and the one whose trade log has it. */
  trackedBy: object | undefined = undefined;
  loggedBy: object | undefined = undefined;

  /**
   * An order with its own one-row book; the order factory passes its run's `book` and an empty
   * identifier (the book's id source names it when first read).
   */
  constructor(
    identifier: string,
    asset: Asset,
    quantity: number,
    side: OrderSide,
    type: OrderType,
    orderClass: OrderClass,
    limitPrice: number | undefined,
    stopPrice: number | undefined,
    trailPrice: number | undefined,
    trailPercent: number | undefined,
    timeInForce: "day" | "gtc",
    book: OrderBook = new OrderBook(),
  ) {
    this.book = book;
    this.row = book.append(identifier, asset, quantity, side, type, orderClass, limitPrice, stopPrice, trailPrice, trailPercent, timeInForce);
  }

  /** The order's unique identifier (32 hex digits for orders a backtest built). */
  get identifier(): string {
    return this.book.identifier(this.row);
  }

  get asset(): Asset {
    return this.book.assets[this.row];
  }

  get quantity(): number {
    return this.book.quantity[this.row];
  }

  /** Buy or sell (Lumibot's side names); a simple buy_to_open becomes "buy" when submitted, as in Lumibot. */
  get side(): OrderSide {
    return SIDES[this.book.side[this.row]];
  }

  get type(): OrderType {
    return TYPES[this.book.type[this.row]];
  }

  get orderClass(): OrderClass {
    return CLASSES[this.book.cls[this.row]];
  }

  get timeInForce(): "day" | "gtc" {
    return TIFS[this.book.tif[this.row]];
  }

  get limitPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_LIMIT ? this.book.limitPrice[this.row] : undefined;
  }

  get stopPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_STOP ? this.book.stopPrice[this.row] : undefined;
  }

  /** Trailing stop distance in price units. */
  get trailPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_TRAIL_PRICE ? this.book.trailPrice[this.row] : undefined;
  }

  /** Trailing stop distance as a fraction. */
  get trailPercent(): number | undefined {
    return this.book.flags[this.row] & HAS_TRAIL_PERCENT ? this.book.trailPercent[this.row] : undefined;
  }

  /** Fill price once filled. */
  get avgFillPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_AVG_FILL ? this.book.avgFillPrice[this.row] : undefined;
  }
  /** @internal Set by the broker. */
  set avgFillPrice(price: number | undefined) {
    this.setFlagged(HAS_AVG_FILL, this.book.avgFillPrice, price);
  }

  get filledQuantity(): number {
    return this.book.filledQuantity[this.row];
  }
  /** @internal Set by the broker. */
  set filledQuantity(q: number) {
    this.book.filledQuantity[this.row] = q;
  }

  /** Fee charged on the fill. */
  get tradeCost(): number {
    return this.book.tradeCost[this.row];
  }
  /** @internal Set by the broker. */
  set tradeCost(fee: number) {
    this.book.tradeCost[this.row] = fee;
  }

  /** Stop-limit: true once the stop level has been reached. */
  get stopTriggered(): boolean {
    return (this.book.flags[this.row] & STOP_TRIGGERED) !== 0;
  }
  /** @internal Set by the fill rules. */
  set stopTriggered(on: boolean) {
    if (on) this.book.flags[this.row] |= STOP_TRIGGERED;
    else this.book.flags[this.row] &= ~STOP_TRIGGERED;
  }

  /** Trailing stop: current trigger level (set by the first evaluated bar). */
  get trailLevel(): number | undefined {
    return this.book.flags[this.row] & HAS_TRAIL_LEVEL ? this.book.trailLevel[this.row] : undefined;
  }
  /** @internal Set by the fill rules. */
  set trailLevel(level: number | undefined) {
    this.setFlagged(HAS_TRAIL_LEVEL, this.book.trailLevel, level);
  }

  private setFlagged(bit: number, column: Float64Array, x: number | undefined): void {
    if (x === undefined) {
      this.book.flags[this.row] &= ~bit;
      return;
    }
    this.book.flags[this.row] |= bit;
    column[this.row] = x;
  }

  /** Bracket/OTO/OCO children, in child order ([take-profit, stop-loss]). */
  get children(): readonly Order[] {
    return this.book.children[this.row] ?? NO_ORDERS;
  }

  /** @internal The legs built together with this one (itself included); a filled leg cancels the others. */
  get siblings(): readonly Order[] {
    return this.book.siblings[this.row] ?? NO_ORDERS;
  }

  /** Parent of an OCO leg (bracket children have none, as in Lumibot). */
  get ocoParent(): Order | undefined {
    return this.book.ocoParents[this.row];
  }

  /** @internal The factory that built the order. */
  get madeBy(): object | undefined {
    return this.book.madeBy;
  }

  /** Not filled and not cancelled, or holding an active child. */
  isActive(): boolean {
    if (this.status !== "fill" && this.status !== "canceled") return true;
    const children = this.book.children[this.row];
    if (children === undefined) return false;
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

/** Broker only: sets an order's side (the order keeps it read-only for everyone else). */
export function setOrderSide(order: Order, side: OrderSide): void {
  order.book.side[order.row] = codeIn("side", SIDES, side);
}

/** Order factory only: `kids` become the children of `parent` and mutually dependent siblings. */
export function linkChildren(parent: Order, kids: readonly Order[]): void {
  parent.book.children[parent.row] = kids;
  for (const k of kids) k.book.siblings[k.row] = kids;
}

/** Order factory only: the legs of an OCO order name it their parent. */
export function setOcoParent(leg: Order, parent: Order): void {
  leg.book.ocoParents[leg.row] = parent;
}
