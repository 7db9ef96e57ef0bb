// The backtesting broker: order submission and cancellation, pending-order processing against the
// bar it is handed for each asset, fills, fees and the trade log (spec §4–5), at the run's instant.
// It works on the rows of the run's order book; Order handles are made only for what leaves it
// (get_orders(), the active orders, the strategy's order hooks).

import { FerrobtError } from "../errors.js";
import type { Asset } from "./asset.js";
import { grownI32 } from "./columns.js";
import { rowFee, type TradingFee } from "./fees.js";
import { FillLedger } from "./fill-ledger.js";
import { type FillBar, rowFillPrice } from "./fills.js";
import { RunInstant } from "./instant.js";
import {
  BRACKET,
  BUY,
  BUYS,
  CANCELED,
  CLOSES,
  FILLED,
  FILLED_IN_FULL,
  HAS_AVG_FILL,
  HAS_LIMIT,
  HAS_STOP,
  HAS_TRAIL_PERCENT,
  HAS_TRAIL_PRICE,
  LIMIT,
  LOGGED,
  NEW,
  OCO,
  type Order,
  type OrderBook,
  OTO,
  positive,
  SELL,
  STOP,
  STOP_LIMIT,
  TRACKED,
  TRAILING_STOP,
  WORKING,
} from "./order.js";
import { Portfolio } from "./portfolio.js";
import { CANCEL_EVENT, NEW_EVENT, TradeLog } from "./tradelog.js";

/**
 * Which bar prices an order processed at clock t:
 * - `"polars"` (Lumibot's default DataBento backend): the newest bar with ts < t+2m, i.e. B[t+1m],
 *   else B[t], else the newest older bar; no bar leaves the order open.
 * - `"pandas"`: of the bars with ts < t+2m keep those with ts >= t and take the first (B[t], else
 *   B[t+1m]); if none, the newest older bar; no bar at all cancels the order.
 */
export type FillModel = "polars" | "pandas";

/** The bars orders fill against: for an asset at the run's instant, per the fill model (the market data). */
export interface FillBars {
  fillBar(asset: Asset): FillBar | undefined;
}

/** The strategy's order hooks. */
export type OrderHook = "onNewOrder" | "onFilledOrder" | "onCanceledOrder";

/** Strategy callbacks the broker fires. */
export interface BrokerEvents {
  /** Whether the strategy has `hook` (the broker makes no order handle for a hook nobody listens to). */
  listens(hook: OrderHook): boolean;
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
  readonly fills: FillLedger;
  readonly tradeLog: TradeLog;
  readonly portfolio: Portfolio;
  /**
   * Rows the strategy submitted and their children, in tracking order (Lumibot's get_orders()): the
   * first `trackedCount`. While rows are tracked in row order from row 0 (every order submitted as it
   * was built, the usual run) they are rows 0 … trackedCount−1 and this stays empty; the first row
   * tracked out of that order writes them out.
   */
  private tracked = NO_ROWS;
  private trackedCount = 0;
  /** Rows evaluated by the next process() call, in submission order (the first `workingCount`). */
  private working = new Int32Array(64);
  private workingCount = 0;
  /** A working row was filled or cancelled since the list was last compacted. */
  private workingFinished = false;
  /** Tracked rows that may still be active, in tracking order: the first `liveCount` (pruned as they finish). */
  private live = new Int32Array(64);
  private liveCount = 0;
  /**
   * Loops over `live` under way (they may call strategy hooks, which may ask for the active orders):
   * while one runs, pruning writes a new array instead of compacting the one being read.
   */
  private liveReaders = 0;
  /** The handles of `live`, as last handed out (a new list whenever `live` changes). */
  private liveHandles: readonly Order[] | undefined;
  /** Distinct rows in the trade log, and whether one came from another book (its identifier may repeat). */
  private loggedRows = 0;
  private foreignLogged = false;

  constructor(
    strategyName: string,
    budget: number,
    /** The run's order book: orders of another book are copied into it when handed over. */
    readonly book: OrderBook,
    private readonly events: BrokerEvents,
    readonly buyFees: readonly TradingFee[],
    readonly sellFees: readonly TradingFee[],
    readonly fillModel: FillModel = "polars",
    /** The run's instant: orders are submitted, cancelled, processed and filled at it. */
    readonly now: RunInstant = new RunInstant(),
  ) {
    this.tradeLog = new TradeLog(strategyName, book);
    this.fills = new FillLedger(book, this.tradeLog);
    book.fillSource = this.tradeLog;
    this.portfolio = new Portfolio(budget);
  }

  /** The row of `o` in the run's book (an order of another book is adopted: copied here, its handle moved). */
  private rowOf(o: Order): number {
    if (o.book !== this.book) {
      this.book.adopt(o);
      this.foreignLogged = true;
    }
    return o.row;
  }

  private track(row: number): void {
    const marks = this.book.marks;
    if ((marks[row] & TRACKED) === 0) {
      marks[row] |= TRACKED;
      if (row === this.trackedCount && this.tracked === NO_ROWS) this.trackedCount++;
      else this.trackOutOfOrder(row);
      if (this.liveCount === this.live.length) this.live = grownI32(this.live);
      this.live[this.liveCount++] = row;
      this.liveHandles = undefined;
    }
  }

  /** Appends `row` to `tracked`, written out first if the rows so far were tracked in row order. */
  private trackOutOfOrder(row: number): void {
    if (this.tracked === NO_ROWS) {
      this.tracked = new Int32Array(Math.max(64, 2 * this.trackedCount));
      for (let k = 0; k < this.trackedCount; k++) this.tracked[k] = k;
    } else if (this.trackedCount === this.tracked.length) this.tracked = grownI32(this.tracked);
    this.tracked[this.trackedCount++] = row;
  }

  /** Every tracked order (new, filled, cancelled), in tracking order. */
  orders(): Order[] {
    const tracked = this.tracked;
    return Array.from({ length: this.trackedCount }, (_, k) => this.book.handle(tracked === NO_ROWS ? k : tracked[k]));
  }

  /**
   * Drops the finished rows from `live`, keeping the order; returns how many are left. Compacts in
   * place (no allocation per round trip) unless a loop is reading `live`: then the rows left go to a
   * new array and the one being read stays as it was.
   */
  private pruneLive(): number {
    const b = this.book,
      live = this.live,
      n = this.liveCount;
    let i = 0;
    while (i < n && b.isActive(live[i])) i++;
    if (i === n) return n;
    const kept = this.liveReaders === 0 ? live : new Int32Array(live.length);
    if (kept !== live) kept.set(live.subarray(0, i));
    let j = i;
    for (i++; i < n; i++) if (b.isActive(live[i])) kept[j++] = live[i];
    this.live = kept;
    this.liveCount = j;
    this.liveHandles = undefined;
    return j;
  }

  /** Tracked orders that are active (not filled and not cancelled, or with an active child), in tracking order. */
  activeOrders(): readonly Order[] {
    const n = this.pruneLive();
    // A list handed out is never changed under its holder: a change makes a new one.
    if (this.liveHandles === undefined) {
      const live = this.live;
      this.liveHandles = n === 0 ? NO_ORDERS : Array.from({ length: n }, (_, i) => this.book.handle(live[i]));
    }
    return this.liveHandles;
  }

  /** Distinct orders in the trade log. */
  get loggedOrderCount(): number {
    if (!this.foreignLogged) return this.loggedRows;
    // Orders built outside this run's factory may repeat an identifier: count identifiers then.
    const ids = new Set<string>();
    for (let row = 0; row < this.book.length; row++) if (this.book.marks[row] & LOGGED) ids.add(this.book.identifier(row));
    return ids.size;
  }

  /** Submits (or re-submits) an order (spec §4.4). */
  submit(o: Order): Order {
    this.submitRow(this.rowOf(o));
    return o;
  }

  private submitRow(row: number): void {
    const b = this.book;
    checkRow(b, row);
    const cls = b.cls[row];
    if (cls !== BRACKET && cls !== OTO && CLOSES[b.side[row]] === 0) b.side[row] = BUYS[b.side[row]] === 1 ? BUY : SELL;
    const working = (b.marks[row] & WORKING) !== 0 && b.isActive(row);
    this.track(row);
    const last = row + b.childCount[row];
    for (let k = row + 1; k <= last; k++) this.track(k);
    b.status[row] = NEW;
    if (!working) this.work(row);
    this.log(NEW_EVENT, row);
    if (this.events.listens("onNewOrder")) this.events.onNewOrder(b.handle(row));
    if (cls === OCO) for (let k = row + 1; k <= last; k++) this.submitRow(k);
  }

  private work(row: number): void {
    this.book.marks[row] |= WORKING;
    if (this.workingCount === this.working.length) this.working = grownI32(this.working);
    this.working[this.workingCount++] = row;
  }

  /** Cancels unconditionally (a filled order becomes canceled; twice logs twice) and cascades to children. */
  cancel(o: Order): void {
    this.cancelRow(this.rowOf(o));
  }

  private cancelRow(row: number): void {
    const b = this.book;
    this.finish(row, CANCELED);
    this.log(CANCEL_EVENT, row);
    if (this.events.listens("onCanceledOrder")) this.events.onCanceledOrder(b.handle(row));
    const last = row + b.childCount[row];
    for (let k = row + 1; k <= last; k++) this.cancelRow(k);
  }

  /** Cancels every active order; the list is taken once, before anything is cancelled (spec §4.5). */
  cancelOpenOrders(): void {
    // Rows tracked meanwhile go past n (or to a grown array), a prune to a new one: `rows` holds still.
    const n = this.pruneLive(),
      rows = this.live;
    this.liveReaders++;
    for (let i = 0; i < n; i++) this.cancelRow(rows[i]);
    this.liveReaders--;
  }

  /**
   * Evaluates the orders working when the call starts (orders submitted during it wait for the next
   * call) against the bar `bars` hands it for their asset (spec §4.2).
   */
  process(bars: FillBars): void {
    const n = this.workingCount;
    if (n === 0) return;
    const b = this.book;
    // Rows on one asset share its bar (the market's answer for an asset and t is the same object).
    let assetId = -1,
      bar: FillBar | undefined;
    for (let i = 0; i < n; i++) {
      const row = this.working[i];
      const status = b.status[row];
      if (status === FILLED || status === CANCELED) continue;
      if (b.cls[row] === OCO && b.childCount[row] > 0) continue;
      if (b.assetIds[row] !== assetId) {
        assetId = b.assetIds[row];
        bar = bars.fillBar(b.asset(row));
      }
      if (bar === undefined) {
        if (this.fillModel === "pandas") this.cancelRow(row);
        continue;
      }
      const price = rowFillPrice(b, row, bar);
      if (price !== undefined) this.fill(row, price);
    }
    if (this.workingFinished) this.dropFinishedWork();
  }

  /** Keeps the working rows not filled or cancelled, in order. */
  private dropFinishedWork(): void {
    const b = this.book,
      working = this.working;
    let j = 0;
    for (let i = 0; i < this.workingCount; i++) {
      const row = working[i];
      const status = b.status[row];
      if (status !== FILLED && status !== CANCELED) working[j++] = row;
      else b.marks[row] &= ~WORKING;
    }
    this.workingCount = j;
    this.workingFinished = false;
  }

  /** Sets row `row`'s status to FILLED or CANCELED, noting when a working row finishes. */
  private finish(row: number, status: number): void {
    this.book.status[row] = status;
    if (this.book.marks[row] & WORKING) this.workingFinished = true;
  }

  private fill(row: number, price: number): void {
    const b = this.book;
    const parent = b.parentOf(row);
    if (parent >= 0) {
      const last = parent + b.childCount[parent];
      for (let k = parent + 1; k <= last; k++) if (k !== row && b.isActive(k)) this.cancelRow(k);
    }
    const asset = b.asset(row),
      quantity = b.quantity[row],
      buy = BUYS[b.side[row]] === 1;
    const realized = this.portfolio.book(asset, buy ? quantity : -quantity, price);
    const fee = rowFee(b, row, price, this.buyFees, this.sellFees);
    this.portfolio.chargeFee(fee);
    this.finish(row, FILLED);
    b.flags[row] |= HAS_AVG_FILL | FILLED_IN_FULL;
    // The ledger writes the fill event to the trade log: the row's fill price and fee are read there.
    this.noteLogged(row);
    b.fillOf[row] = this.fills.add(this.now, row, price, quantity, fee, realized);
    if (this.portfolio.quantity(asset) === 0) {
      // The active orders as they are now: orders tracked while cancelling go past `n` (or to a grown
      // array), a prune to a new array, so they are not visited, as with a copy.
      const n = this.pruneLive(),
        active = this.live;
      this.liveReaders++;
      for (let i = 0; i < n; i++) {
        const other = active[i];
        if (other !== row && b.asset(other).key === asset.key && b.isActive(other)) this.cancelRow(other);
      }
      this.liveReaders--;
    }
    const cls = b.cls[row];
    if (cls === BRACKET || cls === OTO) {
      const last = row + b.childCount[row];
      for (let k = row + 1; k <= last; k++) this.work(k);
    }
    const ocoParent = b.ocoParent(row);
    if (ocoParent >= 0) this.completeOco(ocoParent);
    if (this.events.listens("onFilledOrder")) this.events.onFilledOrder(b.handle(row), price, quantity, asset.multiplier);
  }

  /**
   * An OCO parent is marked filled with the signed sum of the prices of its legs still filled and
   * their quantity (its own), or 0 when none is (the one that filled may have been cancelled since).
   */
  private completeOco(parent: number): void {
    const b = this.book;
    const last = parent + b.childCount[parent];
    let price = 0,
      anyFilled = false;
    for (let k = parent + 1; k <= last; k++) {
      if (b.status[k] !== FILLED) continue;
      price += (BUYS[b.side[k]] === 1 ? 1 : -1) * (b.flags[k] & HAS_AVG_FILL ? b.avgFillPriceOf(k) : 0);
      anyFilled = true;
    }
    this.finish(parent, FILLED);
    b.flags[parent] = anyFilled ? b.flags[parent] | HAS_AVG_FILL | FILLED_IN_FULL : (b.flags[parent] | HAS_AVG_FILL) & ~FILLED_IN_FULL;
    // Logged as a fill without a fee; its fill price is the logged one.
    this.noteLogged(parent);
    b.fillOf[parent] = this.tradeLog.addFill(this.now.ms, parent, price, b.filledQuantity(parent), 0);
  }

  /** Logs event NEW_EVENT or CANCEL_EVENT of row `row` (fills are logged with their price, quantity and fee). */
  private log(event: number, row: number): void {
    this.noteLogged(row);
    this.tradeLog.add(this.now.ms, event, row);
  }

  /** Row `row` has an event in the trade log (a fill's is written by the fill ledger). */
  private noteLogged(row: number): void {
    const marks = this.book.marks;
    if ((marks[row] & LOGGED) === 0) {
      marks[row] |= LOGGED;
      this.loggedRows++;
    }
  }
}

const NO_ORDERS: readonly Order[] = Object.freeze([]);
/** `tracked` while the rows are tracked in row order. */
const NO_ROWS = new Int32Array(0);

/** Rejects orders Lumibot would reject: non-positive quantity, missing or invalid prices. */
function checkRow(b: OrderBook, row: number): void {
  const type = b.type[row],
    flags = b.flags[row];
  if (!positive(b.quantity[row])) badOrder(b, row, `quantity ${b.quantity[row]} must be a positive number`);
  if ((type === LIMIT || type === STOP_LIMIT) && !(flags & HAS_LIMIT && positive(b.limitOf(row)))) badOrder(b, row, "a limit price > 0 is required");
  if ((type === STOP || type === STOP_LIMIT) && !(flags & HAS_STOP && positive(b.stopOf(row)))) badOrder(b, row, "a stop price > 0 is required");
  if (type === TRAILING_STOP && !(flags & HAS_TRAIL_PRICE && positive(b.trailPrice[row])) && !(flags & HAS_TRAIL_PERCENT && positive(b.trailPercent[row])))
    badOrder(b, row, "a trail price or trail percent > 0 is required");
}

function badOrder(b: OrderBook, row: number, why: string): never {
  const o = b.handle(row);
  throw new FerrobtError("ERR_ORDER", `order ${o.identifier} (${o.type} ${o.side} ${o.asset.symbol}): ${why}`);
}
