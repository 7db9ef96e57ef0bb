// Hourly mean reversion with limit entries and a stop-limit bracket leg: every 15 minutes, if flat,
// bid half an average hourly range below the last price; take profit one range above it, stop out
// with a stop-limit one range below the entry. Unfilled bids are cancelled after an hour.

import { Asset, type Order, Strategy } from "ferrobt";

const TICK = 0.25;
const toTick = (x: number) => Math.round(x / TICK) * TICK;

export default class HourlyLimitReversion extends Strategy {
  override sleeptime = "15M";
  private readonly asset = Asset.contFuture("MES");
  private bid: Order | undefined;
  private bidAge = 0;

  override initialize(): void {
    this.setMarket("us_futures");
  }

  override onTradingIteration(): void {
    const bars = this.getHistoricalPrices(this.asset, 24, "1h");
    const last = this.getLastPrice(this.asset);
    if (!bars || bars.length < 6 || last === undefined) return;
    let range = 0;
    for (let i = bars.length - 6; i < bars.length - 1; i++) range += bars.high[i] - bars.low[i];
    range = toTick(range / 5);
    if (range <= 0) return;
    if (this.bid?.status === "new" && ++this.bidAge >= 4) this.cancelOrder(this.bid);
    if (this.getPosition(this.asset) || this.getActiveOrders().length > 0) return;
    const entry = toTick(last - range / 2);
    this.bid = this.submitOrder(
      this.createOrder(this.asset, 1, "buy", {
        type: "limit",
        limitPrice: entry,
        orderClass: "bracket",
        secondaryLimitPrice: entry + range,
        secondaryStopPrice: entry - range,
        secondaryStopLimitPrice: entry - range - 4 * TICK,
      }),
    );
    this.bidAge = 0;
  }
}
