// A strategy that places seeded random orders of every type and class and cancels at random: it
// exercises the broker on both backends for the engine parity property test.

import { Asset, type OrderOptions, type OrderSide, Strategy } from "../../ts/src/index.js";
import { rng } from "./fixtures.js";

const TICK = 0.25;

export class RandomStrategy extends Strategy {
  private readonly next: () => number;
  private readonly asset = Asset.contFuture("MES");

  constructor(
    seed: number,
    override sleeptime: string,
  ) {
    super();
    this.next = rng(seed);
  }

  override initialize(): void {
    this.setMarket("us_futures");
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }

  override onTradingIteration(): void {
    const last = this.getLastPrice(this.asset);
    const bars = this.getHistoricalPrices(this.asset, 1 + Math.floor(this.next() * 30), this.pick(["minute", "5 minutes", "1h", "day"]));
    if (last === undefined || !bars || this.next() < 0.6) return;
    const action = this.next();
    if (action < 0.15) {
      const active = this.getActiveOrders();
      if (active.length > 0) this.cancelOrder(this.pick(active));
      return;
    }
    if (action < 0.2) {
      this.closePosition(this.asset);
      return;
    }
    const side: OrderSide = this.next() < 0.5 ? "buy" : "sell";
    const dir = side === "buy" ? 1 : -1;
    const off = (k: number) => Math.round(last / TICK + k) * TICK;
    const ticks = () => 1 + Math.floor(this.next() * 12);
    const kinds: OrderOptions[] = [
      {},
      { limitPrice: off(-dir * ticks()) },
      { stopPrice: off(dir * ticks()) },
      { stopPrice: off(dir * ticks()), limitPrice: off(dir * ticks()) },
      { trailPrice: ticks() * TICK },
      { trailPercent: 0.0005 * ticks() },
      { orderClass: "bracket", secondaryLimitPrice: off(dir * ticks() * 2), secondaryStopPrice: off(-dir * ticks() * 2) },
      { orderClass: "oto", secondaryStopPrice: off(-dir * ticks()) },
      { orderClass: "oco", limitPrice: off(-dir * ticks()), stopPrice: off(dir * ticks()) },
    ];
    this.submitOrder(this.createOrder(this.asset, 1 + Math.floor(this.next() * 3), side, this.pick(kinds)));
  }
}
