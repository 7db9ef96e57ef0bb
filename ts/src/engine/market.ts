// Market data as a strategy sees it at the run's instant: the series of each asset, historical windows
// under the no-lookahead rule, the last price, and the bar pending orders fill against (each found once
// per clock tick and asset).

import type { DataSource } from "../data/DataSource.js";
import { FerrobtError } from "../errors.js";
import type { Bars } from "../store/Bars.js";
import { MS_PER_MINUTE } from "../time.js";
import type { Asset } from "./asset.js";
import type { FillModel } from "./broker.js";
import type { FillBar } from "./fills.js";
import type { RunInstant } from "./instant.js";
import type { Probe } from "./probe.js";
import { type BinUnit, Resampler, resampleWindow } from "./resample.js";
import { AssetSeries } from "./series.js";
import { parseTimestep } from "./timestep.js";

const MS_PER_DAY = 86_400_000;
/** How far around the window continuous-future roll schedules are laid out. */
const ROLL_MARGIN_MS = 400 * MS_PER_DAY;

/** One asset's series with what was last looked up on it, per clock tick. */
interface Quote {
  readonly series: AssetSeries;
  lastPriceAt: number;
  lastPrice: number | undefined;
  fillBarAt: number;
  fillBar: FillBar | undefined;
}

export class MarketData {
  private readonly quotes = new Map<string, Quote>();
  private readonly resampler = new Resampler();
  private lastAsset: Asset | undefined;
  private lastQuote: Quote | undefined;
  /** The last timestep string that meant one-minute bars. */
  private minuteStep: string | undefined;

  constructor(
    private readonly source: DataSource,
    private readonly startMs: number,
    private readonly endMs: number,
    private readonly fillModel: FillModel,
    /** The run's instant, the clock t every answer is at. */
    private readonly now: RunInstant,
  ) {}

  private quote(asset: Asset): Quote {
    // Strategies ask about one asset many times in a row.
    if (asset === this.lastAsset) return this.lastQuote as Quote;
    let q = this.quotes.get(asset.key);
    if (!q) {
      const series = AssetSeries.of(this.source, asset, this.startMs - ROLL_MARGIN_MS, this.endMs + ROLL_MARGIN_MS);
      q = { series, lastPriceAt: NaN, lastPrice: undefined, fillBarAt: NaN, fillBar: undefined };
      this.quotes.set(asset.key, q);
    }
    this.lastAsset = asset;
    this.lastQuote = q;
    return q;
  }

  /** The asset's series (throws ERR_UNKNOWN_SYMBOL / ERR_NO_DATA when the data lacks it). */
  seriesOf(asset: Asset): AssetSeries {
    return this.quote(asset).series;
  }

  /**
   * At clock t: the newest `length` bars of `timestep` that closed by t − `timeshift` minutes
   * (undefined when there is none). Multi-minute and day steps resample the minute bars.
   */
  historicalPrices(asset: Asset, length: number, timestep: string, timeshift: number, probe?: Probe): Bars | undefined {
    // Every tick's case, small enough for the caller to inline: the asset asked last, one-minute bars,
    // no shift, all in the contract the clock is in.
    if (asset === this.lastAsset && timestep === this.minuteStep && timeshift === 0) {
      const bars = (this.lastQuote as Quote).series.windowInHot(this.now, length);
      if (bars !== undefined) return bars;
    }
    return this.anyHistoricalPrices(asset, length, timestep, timeshift, probe);
  }

  /** {@link historicalPrices} for any asset, timestep and shift. */
  private anyHistoricalPrices(asset: Asset, length: number, timestep: string, timeshift: number, probe?: Probe): Bars | undefined {
    const t = this.now.ms;
    const step = parseTimestep(timestep);
    const series = this.quote(asset).series;
    if (timeshift < 0) {
      throw new FerrobtError("ERR_ARGUMENT", `argument 'timeshift': ${timeshift} would reveal bars that have not closed yet (ferrobt refuses lookahead)`);
    }
    // Bars that closed by t − Δ: ts <= t − Δ − 1 min. On whole-minute clocks this is Lumibot's "ts < t"
    // (Δ = 0) and "ts <= t − Δ − step" (Δ > 0); on sub-minute clocks Lumibot also shows the minute in
    // progress, ferrobt deliberately does not.
    const end = t - timeshift * MS_PER_MINUTE - MS_PER_MINUTE;
    if (step.unit === "minute" && step.multiplier === 1) {
      this.minuteStep = timestep;
      const bars = series.window(end, length, true);
      return bars.length === 0 ? undefined : bars;
    }
    const count = step.unit === "minute" ? step.multiplier * length : Number.MAX_SAFE_INTEGER;
    const from = step.unit === "minute" ? Number.NEGATIVE_INFINITY : end - step.multiplier * length * MS_PER_DAY;
    if (series.chunked) return this.resampledRuns(series, series.runs(end, count, true, from), step.unit, step.multiplier, length, probe);
    const minutes = series.window(end, count, true, from);
    if (minutes.length === 0 || length === 0) return undefined;
    const r0 = probe?.start() ?? 0;
    const bars = series.isView(minutes)
      ? this.resampler.resampleView(minutes.symbol, minutes.columnsView, minutes.start, minutes.end, step.unit, step.multiplier, length)
      : resampleWindow(minutes, step.unit, step.multiplier, length);
    probe?.stop("resampling", r0);
    return bars.length === 0 ? undefined : bars;
  }

  /** {@link historicalPrices}' resampling of minute runs read a chunk at a time (a source that evicts). */
  private resampledRuns(series: AssetSeries, runs: readonly Bars[], unit: BinUnit, n: number, length: number, probe?: Probe): Bars | undefined {
    if (runs.length === 0 || length === 0) return undefined;
    const r0 = probe?.start() ?? 0;
    const bars = runs.every((r) => r.symbol === runs[0].symbol)
      ? this.resampler.resampleRuns(runs[0].symbol, runs, unit, n, length)
      : resampleWindow(series.joined(runs), unit, n, length);
    probe?.stop("resampling", r0);
    return bars.length === 0 ? undefined : bars;
  }

  /** Close of the newest bar that ended by clock t (ts <= t − 1 min, else ts <= t); undefined without data. */
  lastPrice(asset: Asset): number | undefined {
    const q = this.quote(asset);
    const t = this.now.ms;
    if (q.lastPriceAt !== t) {
      q.lastPriceAt = t;
      const close = q.series.closeInHot(this.now);
      q.lastPrice = Number.isNaN(close) ? this.anyLastPrice(q.series) : close;
    }
    return q.lastPrice;
  }

  /** {@link lastPrice} when the clock's contract does not have the bar (or its close is NaN). */
  private anyLastPrice(series: AssetSeries): number | undefined {
    const t = this.now.ms;
    return series.closeAtOrBefore(t - MS_PER_MINUTE) ?? series.closeAtOrBefore(t);
  }

  /**
   * The bar orders on `asset` processed at clock t are tested against (see {@link FillModel}); undefined
   * when there is none. The object is shared: read it before the next call.
   */
  fillBar(asset: Asset): FillBar | undefined {
    const q = this.quote(asset);
    const t = this.now.ms;
    if (q.fillBarAt !== t) {
      q.fillBarAt = t;
      q.fillBar = this.fillModel === "polars" ? q.series.ohlBefore(this.now, 2 * MS_PER_MINUTE) : q.series.pandasFillBar(t);
    }
    return q.fillBar;
  }
}
