// The trade log: one row per order event, Lumibot's columns in order of first appearance (spec §8.3).
// Events are kept as columns (typed arrays and the order of each), so a year of events costs no
// object per event; `events` builds the objects when asked.

import { nyTimestampFormatter } from "../util/ny-formatter.js";
import { grownF64, grownU8 } from "./columns.js";
import type { Order } from "./order.js";

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
const FILL = 1;
const codeOf = (event: OrderEvent) => (event === "new" ? 0 : event === "fill" ? FILL : 2);

/** Accumulates events and writes them as CSV. */
export class TradeLog {
  private n = 0;
  private times = new Float64Array(1_024);
  private kinds = new Uint8Array(1_024);
  /** Price, quantity and fee of each event (fills have them; other events leave NaN). */
  private prices = new Float64Array(1_024);
  private quantities = new Float64Array(1_024);
  private fees = new Float64Array(1_024);
  private readonly orders: Order[] = [];
  private readonly counts = [0, 0, 0];
  private built: TradeEvent[] | undefined;

  constructor(private readonly strategy: string) {}

  /** Logs an event; price, quantity and fee are given for (and only for) fills. */
  add(timeMs: number, event: OrderEvent, order: Order, price?: number, quantity?: number, fee?: number): void {
    if (this.n === this.times.length) this.grow();
    const i = this.n++;
    const kind = codeOf(event);
    this.times[i] = timeMs;
    this.kinds[i] = kind;
    this.prices[i] = price ?? NaN;
    this.quantities[i] = quantity ?? NaN;
    this.fees[i] = fee ?? NaN;
    this.orders.push(order);
    this.counts[kind]++;
    this.built = undefined;
  }

  private grow(): void {
    this.times = grownF64(this.times);
    this.prices = grownF64(this.prices);
    this.quantities = grownF64(this.quantities);
    this.fees = grownF64(this.fees);
    this.kinds = grownU8(this.kinds);
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
        const fill = this.kinds[i] === FILL;
        out.push({
          timeMs: this.times[i],
          event: KINDS[this.kinds[i]],
          order: this.orders[i],
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
    const o = this.orders[i];
    const fill = this.kinds[i] === FILL;
    return [
      time,
      this.strategy,
      undefined,
      o.identifier,
      o.asset.symbol,
      o.side,
      o.type,
      KINDS[this.kinds[i]],
      fill ? pyFloat(this.prices[i]) : undefined,
      fill ? pyFloat(this.quantities[i]) : undefined,
      String(fill ? o.asset.multiplier : 1),
      fill ? pyFloat(this.fees[i]) : undefined,
      o.timeInForce,
      undefined,
      "0.0",
      String(o.asset.multiplier),
      undefined,
      o.asset.assetType,
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
    return this.counts[codeOf(event)];
  }
}
