// Orders as Lumibot models them: types, classes (bracket/OTO/OCO), statuses and lifecycle (spec §4.3–4.4).
// An order's fields live in a row of an OrderBook (one per run, filled by its factory; an order built
// alone gets a book of its own). The broker, the trade log and the fill ledger work on rows; an Order
// object is a two-field handle onto its row, made only when something outside asks for it (the
// strategy's createOrder, getOrders, a hook, the results), so a year of orders costs no object per
// order, per child leg or per event on the heap.

import { FerrobtError } from "../errors.js";
import type { Asset } from "./asset.js";
import { CapacityHint, grownF64, grownI32, grownU8 } from "./columns.js";

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
function isBuySide(side: OrderSide): boolean {
  return side.startsWith("buy");
}

const NO_ORDERS: readonly Order[] = Object.freeze([]);

// Codes of the named fields, by position in these lists.
const SIDES: readonly OrderSide[] = ["buy", "sell", "buy_to_open", "buy_to_close", "buy_to_cover", "sell_to_open", "sell_to_close", "sell_short"];
const TYPES: readonly OrderType[] = ["market", "limit", "stop", "stop_limit", "trailing_stop"];
const CLASSES: readonly OrderClass[] = ["simple", "bracket", "oto", "oco"];
const TIFS: readonly ("day" | "gtc")[] = ["day", "gtc"];
const STATUSES: readonly OrderStatus[] = ["unprocessed", "new", "fill", "canceled"];

/** Side codes (positions in SIDES). */
export const BUY = 0,
  SELL = 1,
  BUY_TO_OPEN = 2,
  BUY_TO_CLOSE = 3,
  BUY_TO_COVER = 4,
  SELL_TO_OPEN = 5,
  SELL_TO_CLOSE = 6,
  SELL_SHORT = 7;
/** 1 for the side codes that buy (buy, buy_to_open, buy_to_close, buy_to_cover). */
export const BUYS: Uint8Array = Uint8Array.from(SIDES, (s) => (isBuySide(s) ? 1 : 0));
/** 1 for the "_to_close" side codes. */
export const CLOSES: Uint8Array = Uint8Array.from(SIDES, (s) => (s.endsWith("_to_close") ? 1 : 0));
/** Which fees a side code pays (spec §5.1): 1 buy fees (buy, buy_to_open, buy_to_cover), 2 sell fees, 0 none (buy_to_close). */
export const FEE_SIDE: Uint8Array = Uint8Array.from(SIDES, (s) => (s === "buy_to_close" ? 0 : isBuySide(s) ? 1 : 2));
/** Type codes. */
export const MARKET = 0,
  LIMIT = 1,
  STOP = 2,
  STOP_LIMIT = 3,
  TRAILING_STOP = 4;
/** Class codes. */
export const SIMPLE = 0,
  BRACKET = 1,
  OTO = 2,
  OCO = 3;
/** Status codes (0, a new row's, is unprocessed). */
export const NEW = 1,
  FILLED = 2,
  CANCELED = 3;
/** Time-in-force codes. */
export const DAY = 0;

/** Code of `name` in `names`; ERR_ORDER naming the field for anything else (a JS caller's typo). */
function codeIn<T>(field: string, names: readonly T[], name: T): number {
  const code = names.indexOf(name);
  if (code < 0) throw new FerrobtError("ERR_ORDER", `order ${field} ${JSON.stringify(name)} is not one of ${names.join(", ")}`);
  return code;
}

/**
 * The codes of names a caller gave (ERR_ORDER for a name that is none). Sides, types and classes go
 * through a switch on the name (constant names compare as pointers) before the list's indexOf, a
 * builtin call per name that createOrder made three times per order; a Map from each list measured
 * 5 M instructions a quarter more than the switches (a test checks each against its list).
 */
export function sideCode(side: OrderSide): number {
  switch (side) {
    case "buy":
      return BUY;
    case "sell":
      return SELL;
    case "buy_to_open":
      return BUY_TO_OPEN;
    case "buy_to_close":
      return BUY_TO_CLOSE;
    case "buy_to_cover":
      return BUY_TO_COVER;
    case "sell_to_open":
      return SELL_TO_OPEN;
    case "sell_to_close":
      return SELL_TO_CLOSE;
    case "sell_short":
      return SELL_SHORT;
  }
  return codeIn("side", SIDES, side);
}
export function typeCode(type: OrderType): number {
  switch (type) {
    case "market":
      return MARKET;
    case "limit":
      return LIMIT;
    case "stop":
      return STOP;
    case "stop_limit":
      return STOP_LIMIT;
    case "trailing_stop":
      return TRAILING_STOP;
  }
  return codeIn("type", TYPES, type);
}
export function classCode(orderClass: OrderClass): number {
  switch (orderClass) {
    case "simple":
      return SIMPLE;
    case "bracket":
      return BRACKET;
    case "oto":
      return OTO;
    case "oco":
      return OCO;
  }
  return codeIn("class", CLASSES, orderClass);
}
export const timeInForceCode = (timeInForce: "day" | "gtc"): number => codeIn("timeInForce", TIFS, timeInForce);

// Bits of OrderBook.flags: which optional prices are set, the fill rules' state, and whether the
// filled quantity is the row's quantity (else 0).
export const HAS_LIMIT = 1,
  HAS_STOP = 2,
  HAS_TRAIL_PRICE = 4,
  HAS_TRAIL_PERCENT = 8,
  HAS_AVG_FILL = 16,
  HAS_TRAIL_LEVEL = 32,
  STOP_TRIGGERED = 64,
  FILLED_IN_FULL = 128;

// Bits of OrderBook.marks: the broker's bookkeeping of a row.
export const TRACKED = 1,
  LOGGED = 2,
  WORKING = 4;

/** A quantity or price an order can use: finite and > 0 (the broker refuses others, the fill rules skip them). */
export const positive = (x: number): boolean => Number.isFinite(x) && x > 0;

/** `x` when it is a number, else NaN. */
const num = (x: unknown): number => (typeof x === "number" ? x : Number.NaN);

/** Where identifiers of lazily named orders come from: the id at a row's index. */
interface IdSource {
  at(index: number): string;
}

/** The fills a book's rows were filled by: a run's trade log (its fill events, by index among them). */
export interface FillSource {
  fillPrice(f: number): number;
  fillFee(f: number): number;
}

/** Rows a run's book starts with room for: as many as the last run's book holds (up to 2^18). */
const RUN_BOOK_ROWS = new CapacityHint<OrderBook>(64, 1 << 18, (book) => book.length);

/**
 * The rows of a set of orders as columns: codes and flags in Uint8Arrays, quantities and prices
 * (flagged when optional) in Float64Arrays, children as the run of rows right after their parent, the
 * asset of each row as an index into a table of the book's distinct assets. Rows are appended, never
 * removed.
 */
export class OrderBook {
  private n = 0;
  /** Side, type, class, time-in-force and status codes; flag and broker mark bits. */
  side = new Uint8Array(64);
  type = new Uint8Array(64);
  cls = new Uint8Array(64);
  tif = new Uint8Array(64);
  status = new Uint8Array(64);
  flags = new Uint8Array(64);
  marks = new Uint8Array(64);
  quantity = new Float64Array(64);
  /**
   * A row's limit price, or its stop price when it has no limit; the stop price of a row with both
   * (a stop-limit) is in `stopWithLimit`, empty until a row has both, then as long as the others.
   * Read them through `limitOf` and `stopOf`.
   */
  limitOrStop = new Float64Array(64);
  stopWithLimit: Float64Array<ArrayBuffer> = new Float64Array(0);
  /**
   * Where a row's fill price and fee are, for a row whose flags have HAS_AVG_FILL: its last fill's
   * index among the fill events of `fillSource` (≥ 0), or −1 − k for the k-th fill of `adoptedFills`
   * (a row adopted filled from another book). Read them through `avgFillPriceOf` and `tradeCostOf`.
   */
  fillOf = new Int32Array(64);
  /** The fill events the rows' fills are (the run's trade log; set by the broker filling them). */
  fillSource: FillSource | undefined;
  /** Fill price and fee of each filled row adopted from another book, in pairs. */
  private readonly adoptedFills: number[] = [];
  /**
   * The trailing-stop columns, empty until a row uses a trail (most runs never do), then as long as
   * the others: read them only for a row whose flags or type say it trails.
   */
  trailPrice: Float64Array<ArrayBuffer> = new Float64Array(0);
  trailPercent: Float64Array<ArrayBuffer> = new Float64Array(0);
  trailLevel: Float64Array<ArrayBuffer> = new Float64Array(0);
  /**
   * How far a child leg's parent row is above it (0: no parent); a row's children are rows
   * row+1 … row+childCount.
   */
  parentOffset = new Uint8Array(64);
  childCount = new Uint8Array(64);
  /** Each row's asset, as an index into `assetTable` (the distinct assets, in first-use order). */
  assetIds = new Int32Array(64);
  private readonly assetTable: Asset[] = [];
  private readonly assetIndex = new Map<Asset, number>();
  /** The asset appended last and its index (orders come in runs on one asset). */
  private lastAsset: Asset | undefined;
  private lastAssetId = 0;
  /** Identifiers given or already built, by row (sparse); the others are `ids.at(row)`. */
  private readonly identifiers: (string | undefined)[] = [];
  /**
   * The handles made so far, and the children lists handed out, by row (sparse). The handles start
   * with a slot for each row the book has room for: a run's do not grow by copies as rows come.
   */
  private readonly handles: (Order | undefined)[];
  private readonly childLists: (readonly Order[] | undefined)[] = [];

  constructor(
    /** Names rows without an identifier of their own (the run's seeded ids). */
    readonly ids?: IdSource,
    /** A run's book (sized like the last run's), not an order's own. */
    private readonly ofRun = false,
  ) {
    const rows = ofRun ? RUN_BOOK_ROWS.start(this) : 0;
    if (rows > this.side.length) this.grow(rows);
    this.handles = new Array(this.side.length);
  }

  /** Rows so far. */
  get length(): number {
    return this.n;
  }

  /**
   * Appends a row (no parent, no children, unprocessed) given the codes of its side, type, class and
   * time in force (callers turn names into codes first, so a bad name throws before the row exists);
   * returns its index. An empty identifier means `ids.at(row)`.
   */
  append(
    identifier: string,
    asset: Asset,
    quantity: number,
    side: number,
    type: number,
    orderClass: number,
    limitPrice: number | undefined,
    stopPrice: number | undefined,
    trailPrice: number | undefined,
    trailPercent: number | undefined,
    timeInForce: number,
  ): number {
    const i = this.nextRow();
    this.side[i] = side;
    this.type[i] = type;
    this.cls[i] = orderClass;
    this.tif[i] = timeInForce;
    // Anything but a number (a JS caller's string) is kept as NaN, which the broker refuses.
    this.quantity[i] = num(quantity);
    if (trailPrice !== undefined || trailPercent !== undefined || type === TRAILING_STOP) this.useTrailing();
    let f = 0;
    if (limitPrice !== undefined) {
      f |= HAS_LIMIT;
      this.limitOrStop[i] = num(limitPrice);
    }
    if (stopPrice !== undefined) {
      f |= HAS_STOP;
      if (limitPrice === undefined) this.limitOrStop[i] = num(stopPrice);
      else {
        this.useStopWithLimit();
        this.stopWithLimit[i] = num(stopPrice);
      }
    }
    if (trailPrice !== undefined) {
      f |= HAS_TRAIL_PRICE;
      this.trailPrice[i] = num(trailPrice);
    }
    if (trailPercent !== undefined) {
      f |= HAS_TRAIL_PERCENT;
      this.trailPercent[i] = num(trailPercent);
    }
    this.flags[i] = f;
    this.assetIds[i] = this.assetId(asset);
    if (identifier !== "" || !this.ids) this.identifiers[i] = identifier;
    return i;
  }

  /** Index of `asset` in the asset table (added on first use). */
  private assetId(asset: Asset): number {
    if (asset === this.lastAsset) return this.lastAssetId;
    let id = this.assetIndex.get(asset);
    if (id === undefined) {
      id = this.assetTable.push(asset) - 1;
      this.assetIndex.set(asset, id);
    }
    this.lastAsset = asset;
    this.lastAssetId = id;
    return id;
  }

  /** Row i's asset. */
  asset(i: number): Asset {
    return this.assetTable[this.assetIds[i]];
  }

  /** A new row with every column at its default (the columns grown when full). */
  private nextRow(): number {
    if (this.n === this.side.length) this.grow();
    return this.n++;
  }

  /** Every column grown to twice its length, or to `atLeast` rows. */
  private grow(atLeast = 0): void {
    this.side = grownU8(this.side, atLeast);
    this.type = grownU8(this.type, atLeast);
    this.cls = grownU8(this.cls, atLeast);
    this.tif = grownU8(this.tif, atLeast);
    this.status = grownU8(this.status, atLeast);
    this.flags = grownU8(this.flags, atLeast);
    this.marks = grownU8(this.marks, atLeast);
    this.quantity = grownF64(this.quantity, atLeast);
    this.limitOrStop = grownF64(this.limitOrStop, atLeast);
    if (this.stopWithLimit.length > 0) this.stopWithLimit = grownF64(this.stopWithLimit, atLeast);
    this.fillOf = grownI32(this.fillOf, atLeast);
    if (this.trailLevel.length > 0) {
      this.trailPrice = grownF64(this.trailPrice, atLeast);
      this.trailPercent = grownF64(this.trailPercent, atLeast);
      this.trailLevel = grownF64(this.trailLevel, atLeast);
    }
    this.parentOffset = grownU8(this.parentOffset, atLeast);
    this.childCount = grownU8(this.childCount, atLeast);
    this.assetIds = grownI32(this.assetIds, atLeast);
    if (this.ofRun) RUN_BOOK_ROWS.grewTo(this.side.length);
  }

  /** Gives `stopWithLimit` the length of the other columns (once). */
  private useStopWithLimit(): void {
    if (this.stopWithLimit.length === 0) this.stopWithLimit = new Float64Array(this.side.length);
  }

  /** Row i's limit price (meaningful when its flags have HAS_LIMIT). */
  limitOf(i: number): number {
    return this.limitOrStop[i];
  }

  /** Row i's stop price (meaningful when its flags have HAS_STOP). */
  stopOf(i: number): number {
    return this.flags[i] & HAS_LIMIT ? this.stopWithLimit[i] : this.limitOrStop[i];
  }

  /** Row i's fill price (meaningful when its flags have HAS_AVG_FILL). */
  avgFillPriceOf(i: number): number {
    const f = this.fillOf[i];
    return f >= 0 ? (this.fillSource as FillSource).fillPrice(f) : this.adoptedFills[-2 * (f + 1)];
  }

  /** Row i's fee: its fill's, or 0 before any fill. */
  tradeCostOf(i: number): number {
    if ((this.flags[i] & HAS_AVG_FILL) === 0) return 0;
    const f = this.fillOf[i];
    return f >= 0 ? (this.fillSource as FillSource).fillFee(f) : this.adoptedFills[-2 * (f + 1) + 1];
  }

  /** Gives the trailing-stop columns the length of the others (once). */
  private useTrailing(): void {
    if (this.trailLevel.length > 0) return;
    const capacity = this.side.length;
    this.trailPrice = new Float64Array(capacity);
    this.trailPercent = new Float64Array(capacity);
    this.trailLevel = new Float64Array(capacity);
  }

  /** The `count` rows right after `parent` become its children (and siblings of one another). */
  setChildren(parent: number, count: number): void {
    this.childCount[parent] = count;
    for (let d = 1; d <= count; d++) this.parentOffset[parent + d] = d;
  }

  /** Row i's identifier (built from the id source when first read, then kept). */
  identifier(i: number): string {
    let id = this.identifiers[i];
    if (id === undefined) this.identifiers[i] = id = (this.ids as IdSource).at(i);
    return id;
  }

  /** Row i is not filled and not cancelled, or has an active child. */
  isActive(i: number): boolean {
    const s = this.status[i];
    if (s !== FILLED && s !== CANCELED) return true;
    const last = i + this.childCount[i];
    for (let k = i + 1; k <= last; k++) if (this.isActive(k)) return true;
    return false;
  }

  /** The parent row of row i, or −1 (not a child leg). */
  parentOf(i: number): number {
    const d = this.parentOffset[i];
    return d === 0 ? -1 : i - d;
  }

  /** Row i's filled quantity: its quantity once filled (an OCO parent's, its legs', if one is filled), else 0. */
  filledQuantity(i: number): number {
    return this.flags[i] & FILLED_IN_FULL ? this.quantity[i] : 0;
  }

  /** Row i's value in the optional column `column`, or undefined when its flag `bit` is not set. */
  optional(i: number, bit: number, column: Float64Array): number | undefined {
    return this.flags[i] & bit ? column[i] : undefined;
  }

  /** Row i's side is a buy. */
  buys(i: number): boolean {
    return BUYS[this.side[i]] === 1;
  }

  /** The OCO parent of row i, or −1 (bracket and OTO children have none, as in Lumibot). */
  ocoParent(i: number): number {
    const p = this.parentOf(i);
    return p >= 0 && this.cls[p] === OCO ? p : -1;
  }

  /** The Order handle of row i (one per row, made on first request). */
  handle(i: number): Order {
    let h = this.handles[i];
    if (h === undefined) this.handles[i] = h = handleOf(this, i);
    return h;
  }

  /** `h` is row i's handle (an order built alone names itself). */
  setHandle(i: number, h: Order): void {
    this.handles[i] = h;
  }

  /** The handles of row i's children, one list per row. */
  children(i: number): readonly Order[] {
    const count = this.childCount[i];
    if (count === 0) return NO_ORDERS;
    let list = this.childLists[i];
    if (list === undefined) {
      this.childLists[i] = list = Object.freeze(Array.from({ length: count }, (_, k) => this.handle(i + 1 + k)));
    }
    return list;
  }

  /**
   * Copies `order` (a row of another book, and its children) into this book and moves its handles
   * here; returns its row. A run adopts the orders it is handed that another factory built, so its
   * broker works on rows of one book. The copy keeps the identifier, fields and state.
   */
  adopt(order: Order): number {
    const from = order.book,
      row = order.row;
    const i = this.copyRow(from, row);
    const count = from.childCount[row];
    if (count > 0) {
      for (let k = row + 1; k <= row + count; k++) this.copyRow(from, k);
      this.setChildren(i, count);
    }
    return i;
  }

  /** Row `row` of `from` appended here, its handle (if made) moved along. */
  private copyRow(from: OrderBook, row: number): number {
    const i = this.nextRow();
    this.side[i] = from.side[row];
    this.type[i] = from.type[row];
    this.cls[i] = from.cls[row];
    this.tif[i] = from.tif[row];
    this.status[i] = from.status[row];
    this.flags[i] = from.flags[row];
    this.quantity[i] = from.quantity[row];
    this.limitOrStop[i] = from.limitOrStop[row];
    if (from.stopWithLimit.length > 0) {
      this.useStopWithLimit();
      this.stopWithLimit[i] = from.stopWithLimit[row];
    }
    if (from.flags[row] & HAS_AVG_FILL) {
      this.fillOf[i] = -1 - this.adoptedFills.length / 2;
      this.adoptedFills.push(from.avgFillPriceOf(row), from.tradeCostOf(row));
    }
    if (from.trailLevel.length > 0) {
      this.useTrailing();
      this.trailPrice[i] = from.trailPrice[row];
      this.trailPercent[i] = from.trailPercent[row];
      this.trailLevel[i] = from.trailLevel[row];
    }
    this.assetIds[i] = this.assetId(from.asset(row));
    this.identifiers[i] = from.identifier(row);
    const h = from.handles[row];
    if (h !== undefined) {
      from.handles[row] = undefined;
      h.book = this;
      h.row = i;
      this.handles[i] = h;
    }
    return i;
  }
}

/**
 * The handle of row `row` of `book`: an object literal given Order's prototype, not `new Order`. V8
 * records where each literal is allocated; seeing that the handles all outlive the young generation
 * (a book keeps each one, for identity), it allocates them in the old generation directly. Made by a
 * constructor, each handle was copied twice by the scavenger, ~60 % of the GC time of a one-year run.
 */
function handleOf(book: OrderBook, row: number): Order {
  return Object.setPrototypeOf({ book, row }, Order.prototype) as Order;
}

/** An order. Fields are read-only to strategies; the broker moves the status. */
export class Order {
  /** @internal The book holding the order's fields, and its row there. */
  book: OrderBook;
  row: number;

  /** An order built alone, in a book of its own (a run's orders come from its createOrder). */
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
  ) {
    // Codes first: a bad name throws before the book exists.
    const sideC = sideCode(side),
      typeC = typeCode(type),
      classC = classCode(orderClass),
      tifC = timeInForceCode(timeInForce);
    this.book = new OrderBook();
    this.row = this.book.append(identifier, asset, quantity, sideC, typeC, classC, limitPrice, stopPrice, trailPrice, trailPercent, tifC);
    this.book.setHandle(this.row, this);
  }

  /** The order's unique identifier (32 hex digits for orders a backtest built). */
  get identifier(): string {
    return this.book.identifier(this.row);
  }

  get asset(): Asset {
    return this.book.asset(this.row);
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

  get status(): OrderStatus {
    return STATUSES[this.book.status[this.row]];
  }

  get limitPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_LIMIT ? this.book.limitOf(this.row) : undefined;
  }

  get stopPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_STOP ? this.book.stopOf(this.row) : undefined;
  }

  /** Trailing stop distance in price units. */
  get trailPrice(): number | undefined {
    return this.book.optional(this.row, HAS_TRAIL_PRICE, this.book.trailPrice);
  }

  /** Trailing stop distance as a fraction. */
  get trailPercent(): number | undefined {
    return this.book.optional(this.row, HAS_TRAIL_PERCENT, this.book.trailPercent);
  }

  /** Fill price once filled. */
  get avgFillPrice(): number | undefined {
    return this.book.flags[this.row] & HAS_AVG_FILL ? this.book.avgFillPriceOf(this.row) : undefined;
  }

  get filledQuantity(): number {
    return this.book.filledQuantity(this.row);
  }

  /** Fee charged on the fill. */
  get tradeCost(): number {
    return this.book.tradeCostOf(this.row);
  }

  /** Stop-limit: true once the stop level has been reached. */
  get stopTriggered(): boolean {
    return (this.book.flags[this.row] & STOP_TRIGGERED) !== 0;
  }

  /** Trailing stop: current trigger level (set by the first evaluated bar). */
  get trailLevel(): number | undefined {
    return this.book.optional(this.row, HAS_TRAIL_LEVEL, this.book.trailLevel);
  }

  /** Bracket/OTO/OCO children, in child order ([take-profit, stop-loss]). */
  get children(): readonly Order[] {
    return this.book.children(this.row);
  }

  /** @internal The legs built together with this one (itself included); a filled leg cancels the others. */
  get siblings(): readonly Order[] {
    const p = this.book.parentOf(this.row);
    return p < 0 ? NO_ORDERS : this.book.children(p);
  }

  /** Parent of an OCO leg (bracket children have none, as in Lumibot). */
  get ocoParent(): Order | undefined {
    const p = this.book.ocoParent(this.row);
    return p < 0 ? undefined : this.book.handle(p);
  }

  /** Not filled and not cancelled, or holding an active child. */
  isActive(): boolean {
    return this.book.isActive(this.row);
  }

  /** Mutually dependent siblings (a filled leg cancels them). */
  get dependents(): readonly Order[] {
    return this.siblings.filter((x) => x !== this);
  }

  /** True once filled. */
  isFilled(): boolean {
    return this.book.status[this.row] === FILLED;
  }

  toString(): string {
    const px = [this.limitPrice && `limit ${this.limitPrice}`, this.stopPrice && `stop ${this.stopPrice}`].filter(Boolean).join(" ");
    return `${this.type} ${this.side} ${this.quantity} ${this.asset.symbol}${px ? ` ${px}` : ""} [${this.status}]`;
  }
}

/** The names by code (the trade log and error messages write them). */
export const sideName = (code: number): OrderSide => SIDES[code];
export const typeName = (code: number): OrderType => TYPES[code];
export const className = (code: number): OrderClass => CLASSES[code];
export const timeInForceName = (code: number): "day" | "gtc" => TIFS[code];
