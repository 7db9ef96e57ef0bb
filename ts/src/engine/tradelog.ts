// The trade log: one row per order event, Lumibot's columns in order of first appearance (spec §8.3).

import type { Order } from "./order.js";
import { formatNy } from "../util/nytime.js";

export type OrderEvent = "new" | "fill" | "canceled";

/** Candidate columns, in Lumibot's order. */
const CANDIDATES = [
  "time", "strategy", "exchange", "identifier", "symbol", "side", "type", "status", "price", "filled_quantity",
  "multiplier", "trade_cost", "time_in_force", "asset.right", "asset.strike", "asset.multiplier",
  "asset.expiration", "asset.asset_type", "price_source",
] as const;

type Column = (typeof CANDIDATES)[number];

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

/** Accumulates events and writes them as CSV. */
export class TradeLog {
  readonly events: TradeEvent[] = [];

  constructor(private readonly strategy: string) {}

  add(e: TradeEvent): void {
    this.events.push(e);
  }

  /** Non-empty fields of an event's row. */
  private row(e: TradeEvent): Map<Column, string> {
    const o = e.order;
    const fill = e.event === "fill";
    const fields: [Column, string | undefined][] = [
      ["time", formatNy(e.timeMs)],
      ["strategy", this.strategy],
      ["identifier", o.identifier],
      ["symbol", o.asset.symbol],
      ["side", o.side],
      ["type", o.type],
      ["status", e.event],
      ["price", fill && e.price !== undefined ? pyFloat(e.price) : undefined],
      ["filled_quantity", fill && e.quantity !== undefined ? pyFloat(e.quantity) : undefined],
      ["multiplier", String(fill ? o.asset.multiplier : 1)],
      ["trade_cost", fill && e.fee !== undefined ? pyFloat(e.fee) : undefined],
      ["time_in_force", o.timeInForce],
      ["asset.strike", "0.0"],
      ["asset.multiplier", String(o.asset.multiplier)],
      ["asset.asset_type", o.asset.assetType],
    ];
    return new Map(fields.filter((f): f is [Column, string] => f[1] !== undefined && f[1] !== ""));
  }

  /** CSV text: header in first-appearance order, one line per event, LF line ends. */
  toCsv(): string {
    const rows = this.events.map((e) => this.row(e));
    const firstSeen: Column[] = [];
    const order = new Set<Column>();
    for (const r of rows) for (const c of CANDIDATES) if (r.has(c) && !order.has(c)) { order.add(c); firstSeen.push(c); }
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [firstSeen.join(",")];
    for (const r of rows) lines.push(firstSeen.map((c) => quote(r.get(c) ?? "")).join(","));
    return lines.join("\n") + "\n";
  }

  /** Count of events by kind. */
  count(event: OrderEvent): number {
    return this.events.reduce((n, e) => n + (e.event === event ? 1 : 0), 0);
  }
}
