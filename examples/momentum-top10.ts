// Cross-sectional momentum on stocks: each day shortly before the close, rank every symbol by its
// 20-day return (daily bars resampled from the minute data, no lookahead) and hold the top 10 equally
// weighted in shares, with notional cash (Lumibot's stock accounting, spec §5.2).

import { Strategy } from "ferrobt";

export default class MomentumTop10 extends Strategy {
  override parameters: { lookback_days: number; top: number; symbols: string[] } = {
    lookback_days: 20,
    top: 10,
    /** The universe: give it with the backtest's `parameters` (e.g. `catalog.symbols()`). */
    symbols: [],
  };
  // Minute iterations, so the clock stops at before_market_closes (with "1D" Lumibot's clock jumps to
  // the close and ends the session without calling it).
  override sleeptime = "1M";

  override initialize(): void {
    this.setMarket("NYSE");
  }

  /** Nothing to do at the open: the ranking waits for the day's bars. */
  override onTradingIteration(): void {}

  override beforeMarketCloses(): void {
    const { lookback_days: lookback, top, symbols } = this.parameters;
    const ranked: { symbol: string; momentum: number; price: number }[] = [];
    // Day bars from minute data cover calendar days (today's bar holds its minutes so far): ask for
    // enough of them to hold `lookback` trading days before today, weekends and holidays included.
    const calendarDays = Math.ceil(((lookback + 1) * 7) / 5) + 5;
    for (const symbol of symbols) {
      const days = this.getHistoricalPrices(symbol, calendarDays, "day");
      const price = this.getLastPrice(symbol);
      if (!days || days.length < lookback + 1 || price === undefined) continue;
      ranked.push({ symbol, momentum: price / days.close[days.length - 1 - lookback] - 1, price });
    }
    if (ranked.length === 0) return;
    // Highest momentum first; ties by symbol, so the ranking never depends on the universe's order.
    ranked.sort((a, b) => b.momentum - a.momentum || (a.symbol < b.symbol ? -1 : 1));
    const chosen = new Map(ranked.slice(0, top).map((r) => [r.symbol, r]));
    for (const p of this.getPositions()) {
      if (!chosen.has(p.asset.symbol)) this.closePosition(p.asset);
    }
    const perName = this.getPortfolioValue() / top;
    for (const { symbol, price } of chosen.values()) {
      const target = Math.floor(perName / price);
      const held = this.getPosition(symbol)?.quantity ?? 0;
      if (target > held) this.submitOrder(this.createOrder(symbol, target - held, "buy"));
      else if (target < held) this.submitOrder(this.createOrder(symbol, held - target, "sell"));
    }
  }
}
