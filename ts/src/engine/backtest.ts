// The backtest: Lumibot's session clock (spec §3.3) driving a strategy, its broker and the stats rows.

import type { DataSource } from "../data/DataSource.js";
import { openSource, type Backend } from "../data/open.js";
import { FerrobtError } from "../errors.js";
import type { Bars } from "../store/Bars.js";
import { MS_PER_MINUTE, toMs, type TimeInput } from "../time.js";
import { formatNy, nyDate, parseNyTime } from "../util/nytime.js";
import { Asset } from "./asset.js";
import { Broker, type FillModel, type FillRecord } from "./broker.js";
import { calendarName, MarketCalendar, type CalendarName } from "./calendar.js";
import type { TradingFee } from "./fees.js";
import { Order, type OrderOptions, type OrderSide, type OrderType } from "./order.js";
import type { Position } from "./portfolio.js";
import { resampleWindow } from "./resample.js";
import { AssetSeries } from "./series.js";
import { summarize, type StatsRow, type SummaryStats } from "./stats.js";
import type { Strategy, StrategyContext } from "./strategy.js";
import { parseTimestep, sleeptimeMs } from "./timestep.js";
import type { TradeLog } from "./tradelog.js";

/** How to run a backtest. */
export interface BacktestOptions {
  /** Where bars come from (the native BarStore or the reference backend). */
  data: DataSource;
  /** Start: Date, ms, or "YYYY-MM-DD[THH:MM]" in New York time. */
  start: TimeInput | string;
  /** End (exclusive, Lumibot subtracts one minute): same forms as start. */
  end: TimeInput | string;
  /** Starting cash (default 100 000). */
  budget?: number;
  /** Override the strategy's buy/sell fees. */
  buyTradingFees?: TradingFee[];
  sellTradingFees?: TradingFee[];
  /** Which bar fills orders (default "polars", Lumibot's DataBento default). */
  fillModel?: FillModel;
  /** Default 1 (a `Strategy(...)` run in Lumibot; `run_backtest()` uses 5). */
  minutesBeforeClosing?: number;
  /** Default 60. */
  minutesBeforeOpening?: number;
  /** Overlaid on the strategy's class-level parameters. */
  parameters?: Record<string, unknown>;
  /** Used by Sharpe and Sortino (default 0: no network lookup as Lumibot would do). */
  riskFreeRate?: number;
  /** Seed of the order identifiers (default 0), so trade logs are reproducible byte for byte. */
  idSeed?: number;
  /** Called after every trading iteration with the fraction of the window done. */
  onProgress?: (fraction: number, iterations: number) => void;
  /** Receives strategy log lines (default: discarded). */
  logger?: (line: string) => void;
}

/** Everything a run produced. */
export interface BacktestResult {
  readonly strategy: string;
  readonly backend: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly iterations: number;
  /** Distinct order identifiers in the trade log. */
  readonly orderCount: number;
  readonly fills: readonly FillRecord[];
  readonly tradeLog: TradeLog;
  readonly rows: readonly StatsRow[];
  readonly summary: SummaryStats;
  readonly fees: number;
  readonly finalPortfolioValue: number;
  readonly finalCash: number;
  readonly wallMs: number;
}

/** A strategy error: stops the run; `partial` holds the results up to that point. */
export class StrategyError extends FerrobtError {
  constructor(message: string, readonly partial: BacktestResult, cause: unknown) {
    super("ERR_STRATEGY", message, { cause });
  }
}

/** Lifecycle hooks the clock calls. */
type Hook = "initialize" | "beforeMarketOpens" | "beforeStartingTrading" | "onTradingIteration" | "beforeMarketCloses" | "afterMarketCloses" | "onStrategyEnd";

const NO_POSITIONS: StatsRow["positions"] = Object.freeze([]);

/** Runs one strategy over one window. */
export class Backtest implements StrategyContext {
  private t: number;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly broker: Broker;
  private calendar: MarketCalendar;
  private market: CalendarName = "NASDAQ";
  private readonly series = new Map<string, AssetSeries>();
  private readonly rows: StatsRow[] = [];
  private iterations = 0;
  private pv: number;
  private idState: number;
  private readonly opts: BacktestOptions;

  constructor(private readonly strategy: Strategy, options: BacktestOptions) {
    this.opts = options;
    this.startMs = parseTime("start", options.start);
    this.endMs = parseTime("end", options.end);
    if (this.startMs >= this.endMs) throw new FerrobtError("ERR_ARGUMENT", `argument 'start': ${new Date(this.startMs).toISOString()} is not before end ${new Date(this.endMs).toISOString()}`);
    const budget = options.budget ?? 100_000;
    if (!Number.isFinite(budget) || budget <= 0) throw new FerrobtError("ERR_ARGUMENT", `argument 'budget': ${budget} must be a positive number`);
    if (options.parameters) strategy.parameters = { ...strategy.parameters, ...options.parameters };
    this.t = this.startMs;
    this.pv = budget;
    this.idState = (options.idSeed ?? 0) >>> 0;
    this.calendar = new MarketCalendar(this.market, this.startMs, this.endMs);
    this.broker = new Broker(strategy.name, budget, (a) => this.seriesOf(a), {
      onNewOrder: (o) => strategy.onNewOrder(o),
      onFilledOrder: (o, p, q, m) => strategy.onFilledOrder(o, p, q, m),
      onCanceledOrder: (o) => strategy.onCanceledOrder(o),
    }, options.buyTradingFees ?? strategy.buyTradingFees, options.sellTradingFees ?? strategy.sellTradingFees, options.fillModel ?? "polars");
    strategy.attach(this);
  }

  /**
   * Opens `paths` with the chosen backend ("native" store or the pure-TS "reference") and sets up a
   * backtest on it; dispose the data with `backtest.data.dispose()` when done.
   */
  static async open(strategy: Strategy, options: Omit<BacktestOptions, "data"> & { paths: string | string[]; backend?: Backend }): Promise<Backtest> {
    const { paths, backend, ...rest } = options;
    return new Backtest(strategy, { ...rest, data: await openSource(paths, backend ?? "native") });
  }

  /** The data source the backtest reads. */
  get data(): DataSource {
    return this.opts.data;
  }

  /** Runs to the end. Throws StrategyError (with partial results) if the strategy throws. */
  run(): BacktestResult {
    const began = performance.now();
    this.checkDataCoversWindow();
    this.call("initialize", false);
    const step = sleeptimeMs(this.strategy.sleeptime);
    const mbc = (this.opts.minutesBeforeClosing ?? 1) * MS_PER_MINUTE;
    const mbo = (this.opts.minutesBeforeOpening ?? 60) * MS_PER_MINUTE;
    if (this.calendar.continuous) this.runContinuous(step, mbc);
    else this.runSessions(step, mbc, mbo);
    this.call("onStrategyEnd", false);
    return this.result(performance.now() - began);
  }

  private runSessions(step: number, mbc: number, mbo: number): void {
    const lastTick = this.endMs - MS_PER_MINUTE;
    for (;;) {
      this.broker.process(this.t);
      const next = this.calendar.nextSession(this.t);
      if (!next) return;
      if (this.t < next.open && next.open - mbo > this.t) this.t = next.open - mbo;
      if (!this.calendar.isOpen(this.t)) this.call("beforeMarketOpens");
      this.broker.process(this.t);
      if (this.t < next.open) this.t = next.open;
      this.call("beforeStartingTrading");
      let ttc = this.calendar.timeToClose(this.t);
      if (this.calendar.isOpen(this.t) && ttc <= 0) {
        this.t += 1_000;
        ttc = this.calendar.timeToClose(this.t);
      }
      while (ttc > mbc) {
        if (this.t > lastTick) break;
        this.iterate();
        if (ttc - mbc <= 0 || step === 0) break;
        if (step > ttc) {
          this.t += ttc;
          break;
        }
        this.t += step;
        ttc = this.calendar.timeToClose(this.t);
      }
      this.closeSession(mbc);
      if (this.t >= lastTick || nyDate(this.t + 86_400_000) > nyDate(lastTick)) return;
    }
  }

  private runContinuous(step: number, mbc: number): void {
    const lastTick = this.endMs - MS_PER_MINUTE;
    while (this.t <= lastTick) {
      this.iterate();
      if (step === 0) break;
      this.t += step;
    }
    this.closeSession(mbc);
  }

  /** One trading iteration (skipped but recorded when the market is closed), then order processing. */
  private iterate(): void {
    const open = this.calendar.isOpen(this.t);
    this.call("onTradingIteration", true, open);
    if (open) this.iterations++;
    this.broker.process(this.t);
    this.opts.onProgress?.((this.t - this.startMs) / (this.endMs - this.startMs), this.iterations);
  }

  /** Steps 6–8: await close (mbc), before_market_closes, await close (0), after_market_closes. */
  private closeSession(mbc: number): void {
    this.broker.process(this.t);
    const close = this.t + this.calendar.timeToClose(this.t);
    if (close - mbc > this.t) this.t = close - mbc;
    else if (close > this.t) this.t += 1_000;
    if (this.calendar.isOpen(this.t)) this.call("beforeMarketCloses");
    this.broker.process(this.t);
    const finalClose = this.t + this.calendar.timeToClose(this.t);
    this.t = finalClose > this.t ? finalClose : this.t + MS_PER_MINUTE;
    this.call("afterMarketCloses");
  }

  /** A lifecycle call: portfolio value first, the hook, then a stats row. */
  private call(name: Hook, record = true, run = true): void {
    this.pv = this.portfolioValueNow();
    if (run) {
      try {
        this.strategy[name]();
      } catch (cause) {
        const code = (cause as { code?: unknown })?.code;
        const what = `${typeof code === "string" ? `[${code}] ` : ""}${(cause as Error)?.message ?? String(cause)}`;
        const message = `strategy ${this.strategy.name} threw in ${name} at ${formatNy(this.t)}: ${what}`;
        throw new StrategyError(message, this.result(0), cause);
      }
    }
    if (record) {
      const held = this.broker.portfolio.positions;
      const positions = held.size === 0 ? NO_POSITIONS : [...held.values()].map((p) => ({ symbol: p.asset.symbol, quantity: p.quantity }));
      this.rows.push({ timeMs: this.t, portfolioValue: this.pv, cash: this.broker.portfolio.cash, positions });
    }
  }

  private readonly lastPriceOf = (a: Asset) => this.lastPrice(a);

  private portfolioValueNow(): number {
    return this.broker.portfolio.value(this.lastPriceOf);
  }

  /** The data must hold bars near the window: from 5 days before its start (Lumibot's warm-up) to its end. */
  private checkDataCoversWindow(): void {
    const data = this.opts.data;
    if (data.symbols().length === 0) throw new FerrobtError("ERR_NO_DATA", "the data source holds no symbol");
    let first = Infinity, last = -Infinity;
    for (const s of data.symbols()) {
      const t = data.columns(s).timesMs;
      if (t.length === 0) continue;
      first = Math.min(first, t[0]);
      last = Math.max(last, t[t.length - 1]);
    }
    if (last < this.startMs - 5 * 86_400_000 || first >= this.endMs) {
      const span = first === Infinity ? "no bars" : `bars from ${formatNy(first)} to ${formatNy(last)}`;
      throw new FerrobtError("ERR_NO_DATA", `the window ${formatNy(this.startMs)} → ${formatNy(this.endMs)} is outside the data (${span})`);
    }
  }

  seriesOf(asset: Asset): AssetSeries {
    let s = this.series.get(asset.key);
    if (!s) {
      s = AssetSeries.of(this.opts.data, asset, this.startMs - 400 * 86_400_000, this.endMs + 400 * 86_400_000);
      this.series.set(asset.key, s);
    }
    return s;
  }

  private result(wallMs: number): BacktestResult {
    const ids = new Set(this.broker.tradeLog.events.map((e) => e.order.identifier));
    return {
      strategy: this.strategy.name,
      backend: this.opts.data.name,
      startMs: this.startMs,
      endMs: this.endMs,
      iterations: this.iterations,
      orderCount: ids.size,
      fills: this.broker.fills,
      tradeLog: this.broker.tradeLog,
      rows: this.rows,
      summary: summarize(this.rows, this.broker.fills, this.opts.riskFreeRate ?? 0, nyDate),
      fees: this.broker.fills.reduce((s, f) => s + f.fee, 0),
      finalPortfolioValue: this.portfolioValueNow(),
      finalCash: this.broker.portfolio.cash,
      wallMs,
    };
  }

  // ---- StrategyContext ----

  nowMs(): number {
    return this.t;
  }

  setMarket(name: string): void {
    this.market = calendarName(name);
    this.calendar = new MarketCalendar(this.market, this.startMs, this.endMs);
  }

  historicalPrices(asset: Asset, length: number, timestep: string, timeshift: number): Bars | undefined {
    const step = parseTimestep(timestep);
    const series = this.seriesOf(asset);
    if (timeshift < 0) {
      throw new FerrobtError("ERR_ARGUMENT", `argument 'timeshift': ${timeshift} would reveal bars that have not closed yet (ferrobt refuses lookahead)`);
    }
    // Bars that closed by t − Δ: ts <= t − Δ − 1 min. On whole-minute clocks this is Lumibot's "ts < t"
    // (Δ = 0) and "ts <= t − Δ − step" (Δ > 0); on sub-minute clocks Lumibot also shows the minute in
    // progress, ferrobt deliberately does not.
    const end = this.t - timeshift * MS_PER_MINUTE - MS_PER_MINUTE;
    const inclusive = true;
    let bars: Bars;
    if (step.unit === "minute" && step.multiplier === 1) bars = series.window(end, length, inclusive);
    else if (step.unit === "minute") bars = this.resample(series.window(end, step.multiplier * length, inclusive), "minute", step.multiplier, length);
    else {
      const from = end - step.multiplier * length * 86_400_000;
      bars = this.resample(series.window(end, Number.MAX_SAFE_INTEGER, inclusive, from), "day", step.multiplier, length);
    }
    return bars.length === 0 ? undefined : bars;
  }

  /** Strategy-level resampling of a minute window (its own method so the profiler can time it). */
  private resample(bars: Bars, unit: "minute" | "day", n: number, length: number): Bars {
    return resampleWindow(bars, unit, n, length);
  }

  lastPrice(asset: Asset): number | undefined {
    const series = this.seriesOf(asset);
    return series.closeAtOrBefore(this.t - MS_PER_MINUTE) ?? series.closeAtOrBefore(this.t);
  }

  createOrder(asset: Asset, quantity: number, side: OrderSide, o: OrderOptions): Order {
    const type: OrderType = o.type ?? (o.trailPrice !== undefined || o.trailPercent !== undefined ? "trailing_stop" : o.limitPrice !== undefined && o.stopPrice !== undefined ? "stop_limit" : o.limitPrice !== undefined ? "limit" : o.stopPrice !== undefined ? "stop" : "market");
    const cls = o.orderClass ?? "simple";
    const tif = o.timeInForce ?? "day";
    const parent = new Order(this.nextId(), asset, quantity, side, type, cls, o.limitPrice, o.stopPrice, o.trailPrice, o.trailPercent, tif);
    if (cls === "bracket" || cls === "oto") this.addExitChildren(parent, o, tif);
    if (cls === "oco") {
      if (o.limitPrice === undefined || o.stopPrice === undefined) throw new FerrobtError("ERR_ORDER", "an OCO order needs both limitPrice and stopPrice");
      const limit = new Order(this.nextId(), asset, quantity, side, "limit", "simple", o.limitPrice, undefined, undefined, undefined, tif);
      const stop = new Order(this.nextId(), asset, quantity, side, "stop", "simple", undefined, o.stopPrice, undefined, undefined, tif);
      linkSiblings(parent, [limit, stop]);
      limit.ocoParent = stop.ocoParent = parent;
    }
    return parent;
  }

  /** Bracket: [take-profit limit, stop-loss]; OTO: exactly one of them. Children close the parent. */
  private addExitChildren(parent: Order, o: OrderOptions, tif: "day" | "gtc"): void {
    const side: OrderSide = parent.side.startsWith("buy") ? "sell_to_close" : "buy_to_close";
    const kids: Order[] = [];
    if (o.secondaryLimitPrice !== undefined) {
      kids.push(new Order(this.nextId(), parent.asset, parent.quantity, side, "limit", "simple", o.secondaryLimitPrice, undefined, undefined, undefined, tif));
    }
    const trail = o.secondaryTrailPrice !== undefined || o.secondaryTrailPercent !== undefined;
    if (o.secondaryStopPrice !== undefined || trail) {
      const type: OrderType = trail ? "trailing_stop" : o.secondaryStopLimitPrice !== undefined ? "stop_limit" : "stop";
      kids.push(new Order(this.nextId(), parent.asset, parent.quantity, side, type, "simple", o.secondaryStopLimitPrice, o.secondaryStopPrice, o.secondaryTrailPrice, o.secondaryTrailPercent, tif));
    }
    if (kids.length === 0) throw new FerrobtError("ERR_ORDER", `a ${parent.orderClass} order needs secondaryLimitPrice or secondaryStopPrice`);
    if (parent.orderClass === "oto" && kids.length !== 1) throw new FerrobtError("ERR_ORDER", "an OTO order takes exactly one secondary price");
    linkSiblings(parent, kids);
  }

  private nextId(): string {
    let hex = "";
    for (let i = 0; i < 4; i++) {
      this.idState = (this.idState + 0x6d2b79f5) >>> 0;
      let z = this.idState;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      hex += ((z ^ (z >>> 14)) >>> 0).toString(16).padStart(8, "0");
    }
    return hex;
  }

  submitOrder(order: Order): Order {
    if (!(order instanceof Order)) throw new FerrobtError("ERR_ORDER", "submitOrder expects an Order from createOrder");
    this.seriesOf(order.asset);
    return this.broker.submit(order, this.t);
  }

  cancelOrder(order: Order): void {
    this.broker.cancel(order, this.t);
  }

  cancelOpenOrders(): void {
    this.broker.cancelOpenOrders(this.t);
  }

  closePosition(asset: Asset): Order | undefined {
    const qty = this.broker.portfolio.quantity(asset);
    if (qty === 0) return undefined;
    const order = this.createOrder(asset, Math.abs(qty), qty > 0 ? "sell" : "buy", {});
    return this.submitOrder(order);
  }

  orders(): Order[] {
    return this.broker.orders.slice();
  }

  activeOrders(): readonly Order[] {
    return this.broker.activeOrders();
  }

  positions(): Position[] {
    return [...this.broker.portfolio.positions.values()];
  }

  cash(): number {
    return this.broker.portfolio.cash;
  }

  portfolioValue(): number {
    return this.pv;
  }

  log(message: string): void {
    this.opts.logger?.(`${formatNy(this.t)} ${message}`);
  }
}

/** Children become mutually dependent siblings of one another. */
function linkSiblings(parent: Order, kids: Order[]): void {
  parent.children.push(...kids);
  for (const k of kids) k.dependents = kids.filter((x) => x !== k);
}

function parseTime(name: string, v: TimeInput | string): number {
  if (typeof v === "string") {
    const ms = parseNyTime(v);
    if (ms === undefined) throw new FerrobtError("ERR_ARGUMENT", `argument '${name}': '${v}' is not YYYY-MM-DD[THH:MM] (New York) or an ISO time with offset`);
    return ms;
  }
  return toMs(name, v);
}
