// Trading fees per order, as Lumibot's TradingFee (spec §5.1).

import type { Order, OrderSide } from "./order.js";

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

const BUY_SIDES: ReadonlySet<OrderSide> = new Set(["buy", "buy_to_open", "buy_to_cover"]);
const SELL_SIDES: ReadonlySet<OrderSide> = new Set(["sell", "sell_to_close", "sell_short", "sell_to_open"]);
const NO_FEES: readonly TradingFee[] = [];

/**
 * Fee of filling `order` at `price`. Buy fees apply to buy/buy_to_open/buy_to_cover, sell fees to
 * sell/sell_to_close/sell_short/sell_to_open; `buy_to_close` pays none; trailing stops never pay.
 */
export function orderFee(order: Order, price: number, buyFees: readonly TradingFee[], sellFees: readonly TradingFee[]): number {
  const fees = BUY_SIDES.has(order.side) ? buyFees : SELL_SIDES.has(order.side) ? sellFees : NO_FEES;
  let total = 0;
  for (const fee of fees) {
    const taker = fee.taker && (order.type === "market" || order.type === "stop");
    const maker = fee.maker && (order.type === "limit" || order.type === "stop_limit");
    if (taker || maker) total += fee.flatFee + price * order.quantity * fee.percentFee;
  }
  return total;
}
