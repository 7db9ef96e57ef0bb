// MES Momentum SMA-9 (Lumibot's benchmark strategy, spec Appendix A): long-only momentum on 200
// one-minute bars with an ATR bracket, trading the MES continuous future with a $0.50 fee per order.

import { Asset, type Bars, Strategy, TradingFee } from "ferrobt";

export default class MESMomentumSMA9 extends Strategy {
  override parameters = {
    sma_period: 9,
    atr_period: 14,
    atr_stop_mult: 1.0,
    rr_ratio: 3.0,
    risk_per_trade_pct: 0.01,
    mes_point_value: 5.0,
    max_contracts: 5,
    bars_lookback: 200,
    timestep: "minute",
  };
  override sleeptime = "1M";
  override buyTradingFees = [new TradingFee(0.5)];
  override sellTradingFees = [new TradingFee(0.5)];
  private readonly asset = Asset.contFuture("MES");

  override initialize(): void {
    this.setMarket("us_futures");
  }

  override onTradingIteration(): void {
    const p = this.parameters as typeof this.parameters;
    const bars = this.getHistoricalPrices(this.asset, p.bars_lookback, p.timestep);
    if (!bars) return;
    const last = this.getLastPrice(this.asset) ?? bars.close[bars.length - 1];
    const sma = smaLive(bars.close, p.sma_period, last);
    const atr = averageTrueRange(bars, p.atr_period);
    if (sma === undefined || atr === undefined || !(atr > 0)) return;

    const held = this.getPosition(this.asset)?.quantity ?? 0;
    if (held !== 0) {
      if (last <= sma) {
        this.cancelOpenOrders();
        const exit = this.closePosition(this.asset);
        if (exit) this.submitOrder(exit);
      }
      return;
    }
    // Any order with status "new" (Lumibot scans get_orders(); a "new" order is always active).
    const busy = this.getActiveOrders().some((o) => o.status === "new");
    if (last <= sma || busy) return;
    const stopPts = atr * p.atr_stop_mult;
    const risk = this.getPortfolioValue() * p.risk_per_trade_pct;
    const contracts = Math.min(p.max_contracts, Math.max(1, Math.floor(risk / (stopPts * p.mes_point_value))));
    const order = this.createOrder(this.asset, contracts, "buy", {
      type: "market",
      orderClass: "bracket",
      secondaryLimitPrice: last + p.rr_ratio * stopPts,
      secondaryStopPrice: last - stopPts,
    });
    this.submitOrder(order);
  }
}

/** (sum of the last period−1 closes + last) / period; the plain SMA when fewer bars; undefined below period. */
function smaLive(close: Float64Array, period: number, last: number): number | undefined {
  const n = close.length;
  if (n < period) return undefined;
  let sum = 0;
  for (let i = n - period + 1; i < n; i++) sum += close[i];
  return (sum + last) / period;
}

/** Simple mean of the last `period` true ranges (first bar: high − low); undefined until `period` exist. */
function averageTrueRange(bars: Bars, period: number): number | undefined {
  const n = bars.length;
  if (n < period) return undefined;
  const { high, low, close } = bars;
  let sum = 0;
  for (let i = n - period; i < n; i++) {
    const hl = high[i] - low[i];
    sum += i === 0 ? hl : Math.max(hl, Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
  }
  return sum / period;
}
