// Order creation as the strategy API asks for it (type from the prices given, bracket/OTO/OCO legs),
// with the seeded order-id source.

import { FerrobtError } from "../errors.js";
import type { Asset } from "./asset.js";
import {
  BRACKET,
  BUY_TO_CLOSE,
  classCode,
  className,
  DAY,
  LIMIT,
  MARKET,
  OCO,
  type Order,
  OrderBook,
  type OrderOptions,
  type OrderSide,
  OTO,
  SELL_TO_CLOSE,
  SIMPLE,
  STOP,
  STOP_LIMIT,
  sideCode,
  TRAILING_STOP,
  timeInForceCode,
  typeCode,
} from "./order.js";

/** ASCII codes of the 16 hex digits. */
const HEX = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** mulberry32's state increment. */
const GOLDEN = 0x6d2b79f5;

/**
 * Seeded 32-hex order identifiers: four mulberry32 words per id, so a run's trade log is the same
 * byte for byte every time. The state before word w is seed + w·0x6d2b79f5 (mod 2^32), so the id at
 * index k is computed alone, when first read: a run hands out indexes, and builds the strings only
 * for the orders whose identifier is asked for (the trade log's CSV; a sweep builds none).
 */
export class OrderIds {
  private count = 0;
  private readonly seed: number;

  constructor(seed = 0) {
    this.seed = seed >>> 0;
  }

  /** The next id's index (its string is built by `at`). */
  take(): number {
    return this.count++;
  }

  /** The next identifier. */
  next(): string {
    return this.at(this.take());
  }

  /** Word `w` of the seeded mulberry32 stream. */
  private word(w: number): number {
    let z = (this.seed + Math.imul(w + 1, GOLDEN)) >>> 0;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** The identifier at index `k`: words 4k … 4k+3 as 32 hex digits, one string, no per-digit concatenation. */
  at(k: number): string {
    const a = this.word(4 * k),
      b = this.word(4 * k + 1),
      c = this.word(4 * k + 2),
      d = this.word(4 * k + 3);
    return String.fromCharCode(
      HEX[a >>> 28],
      HEX[(a >>> 24) & 15],
      HEX[(a >>> 20) & 15],
      HEX[(a >>> 16) & 15],
      HEX[(a >>> 12) & 15],
      HEX[(a >>> 8) & 15],
      HEX[(a >>> 4) & 15],
      HEX[a & 15],
      HEX[b >>> 28],
      HEX[(b >>> 24) & 15],
      HEX[(b >>> 20) & 15],
      HEX[(b >>> 16) & 15],
      HEX[(b >>> 12) & 15],
      HEX[(b >>> 8) & 15],
      HEX[(b >>> 4) & 15],
      HEX[b & 15],
      HEX[c >>> 28],
      HEX[(c >>> 24) & 15],
      HEX[(c >>> 20) & 15],
      HEX[(c >>> 16) & 15],
      HEX[(c >>> 12) & 15],
      HEX[(c >>> 8) & 15],
      HEX[(c >>> 4) & 15],
      HEX[c & 15],
      HEX[d >>> 28],
      HEX[(d >>> 24) & 15],
      HEX[(d >>> 20) & 15],
      HEX[(d >>> 16) & 15],
      HEX[(d >>> 12) & 15],
      HEX[(d >>> 8) & 15],
      HEX[(d >>> 4) & 15],
      HEX[d & 15],
    );
  }
}

/** Builds orders (not submitted) into one book, named by one id source. */
export class OrderFactory {
  /** The rows of every order built: row k is named by the id source's index k. */
  readonly book: OrderBook;

  constructor(ids: OrderIds) {
    this.book = new OrderBook(ids, true);
  }

  /** True for orders this factory built (their identifiers are unique). */
  owns(o: Order): boolean {
    return o.book === this.book;
  }

  /** An order; the type follows the prices given unless `o.type` is set (spec §4.3). */
  create(asset: Asset, quantity: number, side: OrderSide, o: OrderOptions): Order {
    // Codes first, in this order: a bad name throws before any row exists.
    const sideC = sideCode(side);
    const type =
      o.type != null
        ? typeCode(o.type)
        : o.trailPrice !== undefined || o.trailPercent !== undefined
          ? TRAILING_STOP
          : o.limitPrice !== undefined && o.stopPrice !== undefined
            ? STOP_LIMIT
            : o.limitPrice !== undefined
              ? LIMIT
              : o.stopPrice !== undefined
                ? STOP
                : MARKET;
    const cls = o.orderClass != null ? classCode(o.orderClass) : SIMPLE;
    const tif = o.timeInForce != null ? timeInForceCode(o.timeInForce) : DAY;
    // Rows without an identifier of their own: row k is named by the id source's index k when first read.
    const parent = this.book.append("", asset, quantity, sideC, type, cls, o.limitPrice, o.stopPrice, o.trailPrice, o.trailPercent, tif);
    if (cls === BRACKET || cls === OTO) this.addExitChildren(parent, cls, o, tif);
    if (cls === OCO) {
      if (o.limitPrice === undefined || o.stopPrice === undefined) throw new FerrobtError("ERR_ORDER", "an OCO order needs both limitPrice and stopPrice");
      this.book.append("", asset, quantity, sideC, LIMIT, SIMPLE, o.limitPrice, undefined, undefined, undefined, tif);
      this.book.append("", asset, quantity, sideC, STOP, SIMPLE, undefined, o.stopPrice, undefined, undefined, tif);
      this.book.setChildren(parent, 2);
    }
    return this.book.handle(parent);
  }

  /** Bracket: [take-profit limit, stop-loss]; OTO: exactly one of them. Children close the parent. */
  private addExitChildren(parent: number, cls: number, o: OrderOptions, tif: number): void {
    const book = this.book;
    const side = book.buys(parent) ? SELL_TO_CLOSE : BUY_TO_CLOSE;
    const asset = book.asset(parent),
      quantity = book.quantity[parent];
    const first = book.length;
    if (o.secondaryLimitPrice !== undefined) book.append("", asset, quantity, side, LIMIT, SIMPLE, o.secondaryLimitPrice, undefined, undefined, undefined, tif);
    const trail = o.secondaryTrailPrice !== undefined || o.secondaryTrailPercent !== undefined;
    if (o.secondaryStopPrice !== undefined || trail) {
      const type = trail ? TRAILING_STOP : o.secondaryStopLimitPrice !== undefined ? STOP_LIMIT : STOP;
      book.append(
        "",
        asset,
        quantity,
        side,
        type,
        SIMPLE,
        o.secondaryStopLimitPrice,
        o.secondaryStopPrice,
        o.secondaryTrailPrice,
        o.secondaryTrailPercent,
        tif,
      );
    }
    // The legs take their ids before the checks, as they always have (the ids that follow stay put).
    const count = book.length - first;
    if (count === 0) throw new FerrobtError("ERR_ORDER", `a ${className(cls)} order needs secondaryLimitPrice or secondaryStopPrice`);
    if (cls === OTO && count !== 1) throw new FerrobtError("ERR_ORDER", "an OTO order takes exactly one secondary price");
    book.setChildren(parent, count);
  }
}
