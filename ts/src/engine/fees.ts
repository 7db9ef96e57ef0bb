// Trading fees per order, as Lumibot's TradingFee (spec §5.1).

import { FEE_SIDE, LIMIT, MARKET, type Order, type OrderBook, STOP, STOP_LIMIT } from "./order.js";

/** A fee charged per order: `flatFee + fillPrice × quantity × percentFee` (no multiplier). */
export class TradingFee {
  constructor(
    readonly flatFee = 0,
    readonly percentFee = 0,
    /** Charged on limit and stop-limit orders. */
    readonly maker = true,
    /** Charged on market and stop orders. */
    readonly taker = true,
  ) {
    for (const [name, v] of [
      ["flatFee", flatFee],
      ["percentFee", percentFee],
    ] as const) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`TradingFee ${name} must be a finite number >= 0, got ${v}`);
    }
  }
}

const NO_FEES: readonly TradingFee[] = [];

/**
 * Fee of filling `order` at `price`. Buy fees apply to buy/buy_to_open/buy_to_cover, sell fees to
 * sell/sell_to_close/sell_short/sell_to_open; `buy_to_close` pays none; trailing stops never pay.
 */
export function orderFee(order: Order, price: number, buyFees: readonly TradingFee[], sellFees: readonly TradingFee[]): number {
  return rowFee(order.book, order.row, price, buyFees, sellFees);
}

/** {@link orderFee} of row i of `book`. */
export function rowFee(book: OrderBook, i: number, price: number, buyFees: readonly TradingFee[], sellFees: readonly TradingFee[]): number {
  const side = FEE_SIDE[book.side[i]];
  const fees = side === 1 ? buyFees : side === 2 ? sellFees : NO_FEES;
  const type = book.type[i];
  let total = 0;
  for (let k = 0; k < fees.length; k++) {
    const fee = fees[k];
    const taker = fee.taker && (type === MARKET || type === STOP);
    const maker = fee.maker && (type === LIMIT || type === STOP_LIMIT);
    if (taker || maker) total += fee.flatFee + price * book.quantity[i] * fee.percentFee;
  }
  return total;
}
