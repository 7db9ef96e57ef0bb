// The trade log: one row per order event, Lumibot's columns in order of first appearance (spec §8.3).
// Events are kept as columns (typed arrays, the order's row in the run's book among them), so a year
// of events costs no object per event; price, quantity and fee are kept for fills only, the other
// events (two in three) having none. `events` builds the objects when asked.

import { nyTimestampFormatter } from "../util/ny-formatter.js";
import { CapacityHint, grownF64, grownI32, grownU8 } from "./columns.js";
import { type Order, type OrderBook, sideName, timeInForceName, typeName } from "./order.js";

export type OrderEvent = "new" | "fill" | "canceled";

/** Candidate columns, in Lumibot's order. */
const CANDIDATES = [
  "time",
  "strategy",
  "exchange",
  "identifier",
  "symbol",
  "side",
  "type",
  "status",
  "price",
  "filled_quantity",
  "multiplier",
  "trade_cost",
  "time_in_force",
  "asset.right",
  "asset.strike",
  "asset.multiplier",
  "asset.expiration",
  "asset.asset_type",
  "price_source",
] as const;

// Candidate columns by index, and the ones every row has a value in or only fills have.
const TIME = 0,
  STRATEGY = 1,
  IDENTIFIER = 3,
  SYMBOL = 4,
  SIDE = 5,
  TYPE = 6,
  STATUS = 7,
  PRICE = 8,
  FILLED_QUANTITY = 9,
  MULTIPLIER = 10,
  TRADE_COST = 11,
  TIME_IN_FORCE = 12,
  STRIKE = 14,
  ASSET_MULTIPLIER = 15,
  ASSET_TYPE = 17;
const EVERY_ROW = [TIME, SYMBOL, SIDE, TYPE, STATUS, MULTIPLIER, TIME_IN_FORCE, STRIKE, ASSET_MULTIPLIER, ASSET_TYPE];
const FILL_ONLY = [PRICE, FILLED_QUANTITY, TRADE_COST];

/** A CSV field as written: quoted (inner quotes doubled) when it holds a quote, a comma or a newline. */
const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One logged event (raw values; formatting happens when written). */
export interface TradeEvent {
  readonly timeMs: number;
  readonly event: OrderEvent;
  readonly order: Order;
  readonly price?: number;
  readonly quantity?: number;
  readonly fee?: number;
}

/** Python's repr of a float (4780.0, 0.5, 4786.25). */
export function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** Event kinds by code. */
const KINDS: readonly OrderEvent[] = ["new", "fill", "canceled"];
/** Event codes. */
export const NEW_EVENT = 0,
  FILL_EVENT = 1,
  CANCEL_EVENT = 2;

/** Events and fills a log starts with room for: as many as the last log holds (up to 2^20 and 2^18). */
const EVENTS = new CapacityHint<TradeLog>(1_024, 1 << 20, (log) => log.length);
const FILLS = new CapacityHint<TradeLog>(256, 1 << 18, (log) => log.fillCount);

/** Accumulates events and writes them as CSV. */
export class TradeLog {
  private n = 0;
  private times: Float64Array<ArrayBuffer>;
  private kinds: Uint8Array<ArrayBuffer>;
  /** The order of each event: its row in the book. */
  private rows: Int32Array<ArrayBuffer>;
  /** Event index, price, quantity and fee of each fill event, in event order. */
  private fills = 0;
  private fillEvents: Int32Array<ArrayBuffer>;
  private prices: Float64Array<ArrayBuffer>;
  private quantities: Float64Array<ArrayBuffer>;
  private fees: Float64Array<ArrayBuffer>;
  /** The events as objects, once built (for as many events as it holds: the log only grows). */
  private built: TradeEvent[] | undefined;

  constructor(
    private readonly strategy: string,
    /** The book the events' orders are rows of. */
    private readonly book: OrderBook,
  ) {
    const events = EVENTS.start(this),
      fills = FILLS.start(this);
    this.times = new Float64Array(events);
    this.kinds = new Uint8Array(events);
    this.rows = new Int32Array(events);
    this.fillEvents = new Int32Array(fills);
    this.prices = new Float64Array(fills);
    this.quantities = new Float64Array(fills);
    this.fees = new Float64Array(fills);
  }

  /** Logs event `kind` (NEW_EVENT or CANCEL_EVENT: a fill goes through `addFill`) of the order in `row`; returns its index. */
  add(timeMs: number, kind: number, row: number): number {
    if (this.n === this.times.length) this.grow();
    const i = this.n++;
    this.times[i] = timeMs;
    this.kinds[i] = kind;
    this.rows[i] = row;
    return i;
  }

  /** Logs a fill of the order in `row` at `price`, with its quantity and fee; returns its index among the fill events. */
  addFill(timeMs: number, row: number, price: number, quantity: number, fee: number): number {
    const i = this.add(timeMs, FILL_EVENT, row);
    if (this.fills === this.prices.length) this.growFills();
    const f = this.fills++;
    this.fillEvents[f] = i;
    this.prices[f] = price;
    this.quantities[f] = quantity;
    this.fees[f] = fee;
    return f;
  }

  private grow(): void {
    this.times = grownF64(this.times);
    this.kinds = grownU8(this.kinds);
    this.rows = grownI32(this.rows);
    EVENTS.grewTo(this.times.length);
  }

  private growFills(): void {
    this.fillEvents = grownI32(this.fillEvents);
    this.prices = grownF64(this.prices);
    this.quantities = grownF64(this.quantities);
    this.fees = grownF64(this.fees);
    FILLS.grewTo(this.prices.length);
  }

  /** Number of events. */
  get length(): number {
    return this.n;
  }

  /** Number of fill events. */
  get fillCount(): number {
    return this.fills;
  }

  /** The time (ms UTC) of fill event f (its index among the fill events). */
  fillTime(f: number): number {
    return this.times[this.fillEvents[f]];
  }

  /** The book row of the order of fill event f. */
  fillRow(f: number): number {
    return this.rows[this.fillEvents[f]];
  }

  /** The price of fill event f. */
  fillPrice(f: number): number {
    return this.prices[f];
  }

  /** The quantity of fill event f. */
  fillQuantity(f: number): number {
    return this.quantities[f];
  }

  /** The fee of fill event f. */
  fillFee(f: number): number {
    return this.fees[f];
  }

  /** The events as objects, oldest first (built once per state; for reading, not for hot loops). */
  get events(): readonly TradeEvent[] {
    if (this.built?.length !== this.n) {
      const out: TradeEvent[] = [];
      for (let i = 0, f = 0; i < this.n; i++) {
        const fill = this.kinds[i] === FILL_EVENT;
        out.push({
          timeMs: this.times[i],
          event: KINDS[this.kinds[i]],
          order: this.book.handle(this.rows[i]),
          price: fill ? this.prices[f] : undefined,
          quantity: fill ? this.quantities[f] : undefined,
          fee: fill ? this.fees[f] : undefined,
        });
        if (fill) f++;
      }
      this.built = out;
    }
    return this.built as TradeEvent[];
  }

  /**
   * The row each candidate column first has a value in (Infinity: none), from which the header's
   * first-appearance order follows. Lumibot leaves a column out when no row has a value in it: the
   * fill columns appear with the first fill, the identifier with the first order that has one (an
   * order built alone may have ""), the strategy when it has a name; the others are in every row
   * (an asset's symbol is never empty), and exchange, asset.right, asset.expiration and
   * price_source in none.
   */
  private firstValues(): number[] {
    const first = CANDIDATES.map(() => Number.POSITIVE_INFINITY);
    if (this.n === 0) return first;
    for (const c of EVERY_ROW) first[c] = 0;
    if (this.strategy !== "") first[STRATEGY] = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.book.identifier(this.rows[i]) !== "") {
        first[IDENTIFIER] = i;
        break;
      }
    }
    for (let i = 0; i < this.n; i++) {
      if (this.kinds[i] === FILL_EVENT) {
        for (const c of FILL_ONLY) first[c] = i;
        break;
      }
    }
    return first;
  }

  /** Event i's value in candidate column c, as written ("" for none); `f`: its index among the fills, when it is one. */
  private cell(c: number, i: number, f: number, time: string, strategy: string): string {
    const b = this.book,
      row = this.rows[i];
    const fill = this.kinds[i] === FILL_EVENT;
    switch (c) {
      case TIME:
        return time;
      case STRATEGY:
        return strategy;
      case IDENTIFIER:
        return quote(b.identifier(row));
      case SYMBOL:
        return quote(b.asset(row).symbol);
      case SIDE:
        return sideName(b.side[row]);
      case TYPE:
        return typeName(b.type[row]);
      case STATUS:
        return KINDS[this.kinds[i]];
      case PRICE:
        return fill ? pyFloat(this.prices[f]) : "";
      case FILLED_QUANTITY:
        return fill ? pyFloat(this.quantities[f]) : "";
      case MULTIPLIER:
        return String(fill ? b.asset(row).multiplier : 1);
      case TRADE_COST:
        return fill ? pyFloat(this.fees[f]) : "";
      case TIME_IN_FORCE:
        return timeInForceName(b.tif[row]);
      case STRIKE:
        return "0.0";
      case ASSET_MULTIPLIER:
        return String(b.asset(row).multiplier);
      case ASSET_TYPE:
        return b.asset(row).assetType;
    }
    return "";
  }

  /** CSV text: header in first-appearance order, one line per event, LF line ends. */
  toCsv(): string {
    const first = this.firstValues();
    const columns = CANDIDATES.map((_, c) => c)
      .filter((c) => first[c] !== Number.POSITIVE_INFINITY)
      .sort((x, y) => first[x] - first[y] || x - y);
    const formatNy = nyTimestampFormatter();
    const strategy = quote(this.strategy);
    const lines = [columns.map((c) => CANDIDATES[c]).join(",")];
    const cells: string[] = new Array(columns.length);
    let lastT = Number.NaN,
      time = "";
    for (let i = 0, f = 0; i < this.n; i++) {
      if (this.times[i] !== lastT) {
        lastT = this.times[i];
        time = formatNy(lastT);
      }
      for (let k = 0; k < columns.length; k++) cells[k] = this.cell(columns[k], i, f, time, strategy);
      lines.push(cells.join(","));
      if (this.kinds[i] === FILL_EVENT) f++;
    }
    return `${lines.join("\n")}\n`;
  }

  /** Count of events by kind (counted when asked). */
  count(event: OrderEvent): number {
    const kind = KINDS.indexOf(event);
    let n = 0;
    for (let i = 0; i < this.n; i++) if (this.kinds[i] === kind) n++;
    return n;
  }
}
