// Fill-price rules of Lumibot's backtesting broker for one order against one bar (spec §4.2).

import {
  BUYS,
  HAS_LIMIT,
  HAS_STOP,
  HAS_TRAIL_LEVEL,
  HAS_TRAIL_PERCENT,
  HAS_TRAIL_PRICE,
  LIMIT,
  MARKET,
  type Order,
  type OrderBook,
  positive,
  STOP,
  STOP_LIMIT,
  STOP_TRIGGERED,
  TRAILING_STOP,
} from "./order.js";

/** The OHLC an order is tested against. */
export interface FillBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
}

/** Limit rule with `ref` standing for the open: marketable at ref, else at P inside [L, H]. */
function limitPrice(buy: boolean, p: number, ref: number, bar: FillBar): number | undefined {
  if (buy ? p >= ref : p <= ref) return ref;
  return bar.low <= p && p <= bar.high ? p : undefined;
}

/** Stop rule: gapped through at the open fills at the open, else at S inside [L, H]. */
function stopPrice(buy: boolean, s: number, bar: FillBar): number | undefined {
  if (buy ? s <= bar.open : s >= bar.open) return bar.open;
  return bar.low <= s && s <= bar.high ? s : undefined;
}

/**
 * The fill price of `order` on `bar`, or undefined (no fill this call). Stop-limit triggering and
 * trailing-level ratcheting are recorded on the order.
 */
export function fillPrice(order: Order, bar: FillBar): number | undefined {
  return rowFillPrice(order.book, order.row, bar);
}

/** {@link fillPrice} of row i of `book`. */
export function rowFillPrice(book: OrderBook, i: number, bar: FillBar): number | undefined {
  if (!positive(bar.open) || !positive(bar.high) || !positive(bar.low)) return undefined;
  const buy = BUYS[book.side[i]] === 1;
  const flags = book.flags[i];
  switch (book.type[i]) {
    case MARKET:
      return bar.open;
    case LIMIT:
      return flags & HAS_LIMIT && positive(book.limitOf(i)) ? limitPrice(buy, book.limitOf(i), bar.open, bar) : undefined;
    case STOP:
      return flags & HAS_STOP && positive(book.stopOf(i)) ? stopPrice(buy, book.stopOf(i), bar) : undefined;
    case STOP_LIMIT:
      return stopLimit(book, i, buy, bar);
    case TRAILING_STOP:
      return trailing(book, i, buy, bar);
  }
  return undefined;
}

function stopLimit(book: OrderBook, i: number, buy: boolean, bar: FillBar): number | undefined {
  const flags = book.flags[i];
  if (!(flags & HAS_LIMIT && positive(book.limitOf(i))) || !(flags & HAS_STOP && positive(book.stopOf(i)))) return undefined;
  const limit = book.limitOf(i);
  if (flags & STOP_TRIGGERED) return limitPrice(buy, limit, bar.open, bar);
  const trigger = stopPrice(buy, book.stopOf(i), bar);
  if (trigger === undefined) return undefined;
  book.flags[i] |= STOP_TRIGGERED;
  return limitPrice(buy, limit, trigger, bar);
}

function trailing(book: OrderBook, i: number, buy: boolean, bar: FillBar): number | undefined {
  const flags = book.flags[i];
  const hadLevel = (flags & HAS_TRAIL_LEVEL) !== 0;
  const level = book.trailLevel[i];
  const price = hadLevel && positive(level) ? stopPrice(buy, level, bar) : undefined;
  // Lumibot quirk: a buy trail given as a percentage never ratchets after its first level.
  if (buy && hadLevel && flags & HAS_TRAIL_PERCENT) return price;
  const byPrice = (flags & HAS_TRAIL_PRICE) !== 0;
  const percent = flags & HAS_TRAIL_PERCENT ? book.trailPercent[i] : 0;
  const candidate = buy
    ? byPrice
      ? bar.low + book.trailPrice[i]
      : bar.low * (1 + percent)
    : byPrice
      ? bar.high - book.trailPrice[i]
      : bar.high * (1 - percent);
  if (!hadLevel || (buy ? candidate < level : candidate > level)) {
    book.trailLevel[i] = candidate;
    book.flags[i] |= HAS_TRAIL_LEVEL;
  }
  return price;
}
