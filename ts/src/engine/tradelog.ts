// The trade log: one row per order event, Lumibot's columns in order of first appearance (spec §8.3).
// Events are kept as columns (typed arrays, the order's row in the run's book among them), so a year
// of events costs no object per event; `events` builds the objects when asked.

import { nyTimestampFormatter } from "../util/ny-formatter.js";
import { grownF64, grownI32, grownU8 } from "./columns.js";
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

/** Accumulates events and writes them as CSV. */
export class TradeLog {
  private n = 0;
  private times = new Float64Array(1_024);
  private kinds = new Uint8Array(1_024);
  /** The order of each event: its row in the book. */
  private rows = new Int32Array(1_024);
  /** Price, quantity and fee of each event (fills have them; other events leave NaN). */
  private prices = new Float64Array(1_024);
  private quantities = new Float64Array(1_024);
  private fees = new Float64Array(1_024);
  private readonly counts = [0, 0, 0];
  private built: TradeEvent[] | undefined;

  constructor(
    private readonly strategy: string,
    /** The book the events' orders are rows of. */
    private readonly book: OrderBook,
  ) {}

  /** Logs event `kind` (NEW_EVENT, FILL_EVENT, CANCEL_EVENT) of the order in `row`; fills give price, quantity and fee, other events NaN. */
  add(timeMs: number, kind: number, row: number, price: number, quantity: number, fee: number): void {
    if (this.n === this.times.length) this.grow();
    const i = this.n++;
    this.times[i] = timeMs;
    this.kinds[i] = kind;
    this.rows[i] = row;
    this.prices[i] = price;
    this.quantities[i] = quantity;
    this.fees[i] = fee;
    this.counts[kind]++;
    this.built = undefined;
  }

  private grow(): void {
    this.times = grownF64(this.times);
    this.prices = grownF64(this.prices);
    this.quantities = grownF64(this.quantities);
    this.fees = grownF64(this.fees);
    this.kinds = grownU8(this.kinds);
    this.rows = grownI32(this.rows);
  }

  /** Number of events. */
  get length(): number {
    return this.n;
  }

  /** The events as objects, oldest first (built once per state; for reading, not for hot loops). */
  get events(): readonly TradeEvent[] {
    if (!this.built) {
      const out: TradeEvent[] = [];
      for (let i = 0; i < this.n; i++) {
        const fill = this.kinds[i] === FILL_EVENT;
        out.push({
          timeMs: this.times[i],
          event: KINDS[this.kinds[i]],
          order: this.book.handle(this.rows[i]),
          price: fill ? this.prices[i] : undefined,
          quantity: fill ? this.quantities[i] : undefined,
          fee: fill ? this.fees[i] : undefined,
        });
      }
      this.built = out;
    }
    return this.built;
  }

  /** The candidate fields of event i (undefined or "" = the row leaves the column empty). */
  private fields(i: number, time: string): (string | undefined)[] {
    const b = this.book,
      row = this.rows[i];
    const asset = b.asset(row);
    const fill = this.kinds[i] === FILL_EVENT;
    return [
      time,
      this.strategy,
      undefined,
      b.identifier(row),
      asset.symbol,
      sideName(b.side[row]),
      typeName(b.type[row]),
      KINDS[this.kinds[i]],
      fill ? pyFloat(this.prices[i]) : undefined,
      fill ? pyFloat(this.quantities[i]) : undefined,
      String(fill ? asset.multiplier : 1),
      fill ? pyFloat(this.fees[i]) : undefined,
      timeInForceName(b.tif[row]),
      undefined,
      "0.0",
      String(asset.multiplier),
      undefined,
      asset.assetType,
      undefined,
    ];
  }

  /** CSV text: header in first-appearance order, one line per event, LF line ends. */
  toCsv(): string {
    const rows: (string | undefined)[][] = [];
    const formatNy = nyTimestampFormatter();
    let lastT = NaN,
      lastTime = "";
    for (let i = 0; i < this.n; i++) {
      if (this.times[i] !== lastT) {
        lastT = this.times[i];
        lastTime = formatNy(lastT);
      }
      rows.push(this.fields(i, lastTime));
    }
    const present = (v: string | undefined) => v !== undefined && v !== "";
    const seen = new Set<number>();
    const firstSeen: number[] = [];
    for (const r of rows) {
      for (let c = 0; c < CANDIDATES.length; c++) {
        if (present(r[c]) && !seen.has(c)) {
          seen.add(c);
          firstSeen.push(c);
        }
      }
    }
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [firstSeen.map((c) => CANDIDATES[c]).join(",")];
    for (const r of rows) lines.push(firstSeen.map((c) => (present(r[c]) ? quote(r[c] as string) : "")).join(","));
    return `${lines.join("\n")}\n`;
  }

  /** Count of events by kind. */
  count(event: OrderEvent): number {
    return this.counts[KINDS.indexOf(event)];
  }
}
