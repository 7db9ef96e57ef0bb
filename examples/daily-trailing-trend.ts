// Daily breakout with a trailing stop: every 30 minutes, buy 2 MES when the last price clears the
// highest close of the previous four days, protected by a trailing stop two average daily ranges
// away (an OTO child); exit when the price falls under the lowest close of the last five days.

import { Asset, Strategy } from "ferrobt";

export default class DailyTrailingTrend extends Strategy {
  override sleeptime = "30M";
  private readonly asset = Asset.contFuture("MES");

  override initialize(): void {
    this.setMarket("us_futures");
  }

  override onTradingIteration(): void {
    const days = this.getHistoricalPrices(this.asset, 6, "day");
    const last = this.getLastPrice(this.asset);
    if (!days || days.length < 6 || last === undefined) return;
    const n = days.length;
    let highest = -Infinity,
      lowest = Infinity,
      range = 0;
    for (let i = n - 5; i < n - 1; i++) {
      highest = Math.max(highest, days.close[i]);
      range += days.high[i] - days.low[i];
    }
    for (let i = n - 6; i < n - 1; i++) lowest = Math.min(lowest, days.close[i]);
    const held = this.getPosition(this.asset)?.quantity ?? 0;
    if (held > 0 && last < lowest) {
      this.cancelOpenOrders();
      this.closePosition(this.asset);
    } else if (held === 0 && last > highest && this.getActiveOrders().length === 0) {
      this.submitOrder(this.createOrder(this.asset, 2, "buy", { orderClass: "oto", secondaryTrailPrice: (2 * range) / 4 }));
    }
  }
}
