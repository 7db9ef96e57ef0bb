// The backtest: wires the session clock, the market data, order creation, the broker and the equity
// recorder around one strategy, runs the window and gathers the results.

import type { DataSource } from "../data/DataSource.js";
import { type Backend, openSource } from "../data/open.js";
import { FerrobtError } from "../errors.js";
import { MS_PER_MINUTE, type TimeInput, toMs } from "../time.js";
import { formatNy, nyDate, parseNyTime } from "../util/nytime.js";
import { dropBallast, tuneHeapForRun } from "../util/young-generation.js";
import { Broker, type FillModel, type FillRecord } from "./broker.js";
import { SessionClock } from "./clock.js";
import { HookFailure, StrategyRuntime } from "./context.js";
import { ContractBook } from "./contracts.js";
import type { TradingFee } from "./fees.js";
import { RunInstant } from "./instant.js";
import { MarketData } from "./market.js";
import { OrderFactory, OrderIds } from "./order-factory.js";
import type { Probe } from "./probe.js";
import { type EquityColumns, EquityRecorder } from "./recorder.js";
import { type StatsRow, type SummaryStats, summarize } from "./stats.js";
import { forgetLastStrategy, isSetHook, type Strategy } from "./strategy.js";
import { sleeptimeMs } from "./timestep.js";
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
  /** Times the run's parts (the profiler's); none by default. */
  probe?: Probe;
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
  /** Number of fills. */
  readonly fillCount: number;
  /** The fills as records (built on first access). */
  readonly fills: readonly FillRecord[];
  readonly tradeLog: TradeLog;
  /** The portfolio series: one entry per lifecycle call, as columns. */
  readonly equity: EquityColumns;
  /** The same series as row objects (built on first access). */
  readonly rows: readonly StatsRow[];
  readonly summary: SummaryStats;
  readonly fees: number;
  readonly finalPortfolioValue: number;
  readonly finalCash: number;
  readonly wallMs: number;
}

/** A strategy error: stops the run; `partial` holds the results up to that point. */
export class StrategyError extends FerrobtError {
  constructor(
    message: string,
    readonly partial: BacktestResult,
    cause: unknown,
    /** The strategy's clock (ms UTC) when it threw. */
    readonly atMs: number,
  ) {
    super("ERR_STRATEGY", message, { cause });
  }
}

/** Runs one strategy over one window. */
export class Backtest {
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly broker: Broker;
  private readonly recorder: EquityRecorder;
  private readonly runtime: StrategyRuntime;
  private clock: SessionClock | undefined;
  private ran = false;
  private readonly opts: BacktestOptions;

  constructor(
    private readonly strategy: Strategy,
    options: BacktestOptions,
  ) {
    this.opts = options;
    this.startMs = parseTime("start", options.start);
    this.endMs = parseTime("end", options.end);
    if (this.startMs >= this.endMs)
      throw new FerrobtError(
        "ERR_ARGUMENT",
        `argument 'start': ${new Date(this.startMs).toISOString()} is not before end ${new Date(this.endMs).toISOString()}`,
      );
    const budget = options.budget ?? 100_000;
    if (!Number.isFinite(budget) || budget <= 0) throw new FerrobtError("ERR_ARGUMENT", `argument 'budget': ${budget} must be a positive number`);
    if (options.parameters) strategy.parameters = { ...strategy.parameters, ...options.parameters };
    const fillModel = options.fillModel ?? "polars";
    const now = new RunInstant(this.startMs);
    this.recorder = new EquityRecorder(expectedEntries(strategy.sleeptime, this.endMs - this.startMs), now);
    const orders = new OrderFactory(new OrderIds(options.idSeed ?? 0));
    this.broker = new Broker(
      strategy.name,
      budget,
      orders.book,
      {
        // Named reads (not strategy[hook]): a keyed read by a changing name is megamorphic, and this runs per order event.
        listens: (hook) =>
          isSetHook(hook === "onNewOrder" ? strategy.onNewOrder : hook === "onFilledOrder" ? strategy.onFilledOrder : strategy.onCanceledOrder),
        onNewOrder: (o) => strategy.onNewOrder(o),
        onFilledOrder: (o, p, q, m) => strategy.onFilledOrder(o, p, q, m),
        onCanceledOrder: (o) => strategy.onCanceledOrder(o),
      },
      options.buyTradingFees ?? strategy.buyTradingFees,
      options.sellTradingFees ?? strategy.sellTradingFees,
      fillModel,
      now,
    );
    this.runtime = new StrategyRuntime({
      strategy,
      market: new MarketData(options.data, this.startMs, this.endMs, fillModel, now),
      broker: this.broker,
      orders,
      contracts: new ContractBook(options.data.instruments?.() ?? []),
      recorder: this.recorder,
      now,
      startMs: this.startMs,
      endMs: this.endMs,
      logger: options.logger,
      probe: options.probe,
    });
    strategy.attach(this.runtime);
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
    if (this.ran) throw new FerrobtError("ERR_ARGUMENT", "this Backtest has already run: create a new one for another run");
    this.ran = true;
    tuneHeapForRun();
    const began = performance.now();
    this.checkDataCoversWindow();
    const rt = this.runtime;
    try {
      rt.call("initialize", true, false);
      this.clock = new SessionClock(
        rt.calendar,
        {
          startMs: this.startMs,
          endMs: this.endMs,
          stepMs: sleeptimeMs(this.strategy.sleeptime),
          beforeCloseMs: (this.opts.minutesBeforeClosing ?? 1) * MS_PER_MINUTE,
          beforeOpenMs: (this.opts.minutesBeforeOpening ?? 60) * MS_PER_MINUTE,
          onProgress: this.opts.onProgress,
        },
        rt.now,
      );
      rt.clock = this.clock;
      this.clock.run(rt);
      rt.call("onStrategyEnd", true, false);
    } catch (e) {
      if (e instanceof HookFailure) throw new StrategyError(e.message, this.result(0), e.cause, e.atMs);
      throw e;
    } finally {
      forgetLastStrategy();
      dropBallast();
    }
    return this.result(performance.now() - began);
  }

  /**
   * The data must hold bars near the window: from 5 days before its start (Lumibot's warm-up) to its
   * end. A source that knows a symbol's span without loading it (a catalog) is not made to load it.
   */
  private checkDataCoversWindow(): void {
    const data = this.opts.data;
    if (data.symbols().length === 0) throw new FerrobtError("ERR_NO_DATA", "the data source holds no symbol");
    let first = Infinity,
      last = -Infinity;
    for (const s of data.symbols()) {
      const known = data.span?.(s);
      if (known) {
        first = Math.min(first, known.firstMs);
        last = Math.max(last, known.lastMs);
        continue;
      }
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

  private result(wallMs: number): BacktestResult {
    const equity = this.recorder.columns();
    const recorder = this.recorder;
    const ledger = this.broker.fills;
    let fills: readonly FillRecord[] | undefined;
    let rows: StatsRow[] | undefined;
    return {
      strategy: this.strategy.name,
      backend: this.opts.data.name,
      startMs: this.startMs,
      endMs: this.endMs,
      iterations: this.clock?.iterationCount ?? 0,
      orderCount: this.broker.loggedOrderCount,
      fillCount: ledger.length,
      get fills(): readonly FillRecord[] {
        return (fills ??= ledger.records());
      },
      tradeLog: this.broker.tradeLog,
      equity,
      get rows(): readonly StatsRow[] {
        return (rows ??= recorder.rows());
      },
      summary: summarize(recorder.returns, ledger.trips, this.opts.riskFreeRate ?? 0, nyDate),
      fees: ledger.totalFees(),
      finalPortfolioValue: this.runtime.valueNow(),
      finalCash: this.broker.portfolio.cash,
      wallMs,
    };
  }
}

/**
 * About how many lifecycle calls a run records: one per clock step at most, plus a few a day (the
 * recorder is sized once instead of doubling up to it; an unparsable sleeptime fails later, in run()).
 */
function expectedEntries(sleeptime: string | number, spanMs: number): number {
  let step: number;
  try {
    step = sleeptimeMs(sleeptime);
  } catch {
    step = 0;
  }
  return spanMs / (step || 86_400_000) + 4 * (spanMs / 86_400_000 + 2);
}

/** A time option: a string is New York wall-clock "YYYY-MM-DD[THH:MM]" or ISO with offset, else a TimeInput; ERR_ARGUMENT naming `name`. */
export function parseTime(name: string, v: TimeInput | string): number {
  if (typeof v === "string") {
    const ms = parseNyTime(v);
    if (ms === undefined) throw new FerrobtError("ERR_ARGUMENT", `argument '${name}': '${v}' is not YYYY-MM-DD[THH:MM] (New York) or an ISO time with offset`);
    return ms;
  }
  return toMs(name, v);
}
