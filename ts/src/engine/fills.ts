// Fill-price rules of Lumibot's backtesting broker for one order against one bar (spec §4.2).

import type { Order } from "./order.js";
import { isBuySide } from "./order.js";

/** The OHLC an order is tested against. */
export interface FillBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
}

const valid = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x) && x > 0;

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
  if (!valid(bar.open) || !valid(bar.high) || !valid(bar.low)) return undefined;
  const buy = isBuySide(order.side);
  switch (order.type) {
    case "market":
      return bar.open;
    case "limit":
      return valid(order.limitPrice) ? limitPrice(buy, order.limitPrice, bar.open, bar) : undefined;
    case "stop":
      return valid(order.stopPrice) ? stopPrice(buy, order.stopPrice, bar) : undefined;
    case "stop_limit":
      return stopLimit(order, buy, bar);
    case "trailing_stop":
      return trailing(order, buy, bar);
  }
}

function stopLimit(order: Order, buy: boolean, bar: FillBar): number | undefined {
  if (!valid(order.limitPrice) || !valid(order.stopPrice)) return undefined;
  if (order.stopTriggered) return limitPrice(buy, order.limitPrice, bar.open, bar);
  const trigger = stopPrice(buy, order.stopPrice, bar);
  if (trigger === undefined) return undefined;
  order.stopTriggered = true;
  return limitPrice(buy, order.limitPrice, trigger, bar);
}

function trailing(order: Order, buy: boolean, bar: FillBar): number | undefined {
  const hadLevel = order.trailLevel !== undefined;
  const price = hadLevel && valid(order.trailLevel) ? stopPrice(buy, order.trailLevel, bar) : undefined;
  // Lumibot quirk: a buy trail given as a percentage never ratchets after its first level.
  if (buy && hadLevel && order.trailPercent !== undefined) return price;
  const candidate = buy
    ? order.trailPrice !== undefined
      ? bar.low + order.trailPrice
      : bar.low * (1 + (order.trailPercent ?? 0))
    : order.trailPrice !== undefined
      ? bar.high - order.trailPrice
      : bar.high * (1 - (order.trailPercent ?? 0));
  if (!hadLevel) order.trailLevel = candidate;
  else if (buy ? candidate < (order.trailLevel as number) : candidate > (order.trailLevel as number)) order.trailLevel = candidate;
  return price;
}
